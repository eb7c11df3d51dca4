"""Name normalisation: every rule as a table of cases, real list names, and properties."""

from __future__ import annotations

import csv

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bulkscreen._data import datasets_dir
from bulkscreen.errors import RuleDataError
from bulkscreen.normalize import (
    NORMALIZATION_VERSION,
    NormalizedName,
    decode_strings,
    encode_strings,
    name_order_variants,
    normalize_name,
    normalize_names,
)
from bulkscreen.normalize.tables import _read_rows, build_table, load_tables

ZERO_WIDTH_AND_BIDI = "\u200b\u200c\u200d\ufeff\u2060\u200e\u200f\u202a\u202b\u202c\u202d\u202e" \
    "\u2066\u2067\u2068\u2069"


def text_of(name: str, entity_type: str | None = None) -> str:
    return normalize_name(name, entity_type).text


def test_version_id():
    assert NORMALIZATION_VERSION == "names-norm-v6"


# --- one table per rule ----------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("Admiralty Shipyard", "admiralty shipyard"),          # case folded
    ("ＡＤＭＩＲＡＬＴＹ　Ｓｈｉｐｙａｒｄ", "admiralty shipyard"),  # full-width Latin and space
    ("Müller Straße", "muller strasse"),                    # diacritics, ß
    ("Łódź", "lodz"),
    ("  Admiralty \t\n Shipyard  ", "admiralty shipyard"),  # whitespace collapsed
    ("ﬁnance", "finance"),                                  # ligature via NFKC
])
def test_case_width_and_diacritics(raw, expected):
    assert text_of(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("Абдулла", "abdulla"),                      # Cyrillic
    ("Χαράλαμπος", "charalampos"),              # Greek
    ("정철수", "jong chol su"),                   # Hangul name: surname and syllables
    ("조선무역", "joseonmuyeog"),                 # Hangul, not a name: one token
    ("القاعدة", "al qada"),                      # Arabic: article apart, long vowels read
    ("ГОСУДАРСТВЕННЫЙ ВОЕННО-ПРОМЫШЛЕННЫЙ КОМИТЕТ",
     "gosudarstvennyy voenno promyshlennyy komitet"),
])
def test_transliteration_to_latin(raw, expected):
    assert text_of(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("アドミラルティ", "adomiraruti"),           # katakana, small-kana combination
    ("あどみらるてぃ", "adomiraruti"),           # hiragana gives the same
    ("ｱﾄﾞﾐﾗﾙﾃｨ", "adomiraruti"),                 # half-width katakana
    ("トウキョウ", "tokyo"),                     # long vowels folded
    ("トーキョー", "tokyo"),                     # long-vowel bar
    ("Toukyou", "tokyo"),
    ("Tōkyō", "tokyo"),
    ("Tokyo", "tokyo"),
    ("ホッカイドウ", "hokkaido"),                # sokuon doubles; ou folds
    ("ジョン・スミス", "jon sumisu"),             # middle dot separates words
    ("トヨタ自動車", "toyota zidongche"),        # kanji as a Mandarin key without the extra
    ("東芝", "dongzhi"),
])
def test_japanese(raw, expected):
    assert text_of(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("\u0410dmiralty", "admiralty"),             # Cyrillic А at the start of a Latin word
    ("Adm\u0456ralty Sh\u0456pyard", "admiralty shipyard"),   # Cyrillic і inside
    ("\u0391dmiralty", "admiralty"),             # Greek Α
    ("\u041e\u041e\u041e Romashka Trading", "romashka trading"),  # Cyrillic ООО, Latin name
    ("Ромашка", "romashka"),                     # all-Cyrillic name: transliterated, not mapped
])
def test_confusables_fold_to_latin(raw, expected):
    assert text_of(raw) == expected


def test_confusable_name_meets_latin_name():
    assert normalize_name("\u0410dmiralty Shipyard JSC") == normalize_name(
        "Admiralty Shipyard JSC"
    )


@pytest.mark.parametrize("control", list(ZERO_WIDTH_AND_BIDI))
def test_zero_width_and_bidi_removed(control):
    assert text_of(f"Admi{control}ralty Ship{control}yard") == "admiralty shipyard"


@pytest.mark.parametrize(("raw", "expected"), [
    ("Qa'ida", "qaida"),                         # apostrophe joins
    ("Qa’ida", "qaida"),                         # typographic apostrophe
    ("Al-Qaida", "al qaida"),                    # hyphen splits
    ("Al‐Qaida", "al qaida"),                    # Unicode hyphen
    ("J.P. Morgan", "jp morgan"),                # dots in initials removed
    ("J. P. Morgan", "jp morgan"),
    ("J P Morgan", "jp morgan"),
    ("Smith & Sons", "smith and sons"),
    ('"EMI Technology"', "emi technology"),      # quotes
    ("«ЭМИ»", "emi"),
    ("Trading (Branch) / Office; No.1", "trading branch office no 1"),
])
def test_punctuation(raw, expected):
    assert text_of(raw) == expected


@pytest.mark.parametrize(("raw", "expected_text", "expected_forms"), [
    ("株式会社アドミラルティ造船所", "adomiraruti zaochuansuo", ("kk",)),   # prefix
    ("アドミラルティ造船所株式会社", "adomiraruti zaochuansuo", ("kk",)),   # suffix
    ("トヨタ自動車株式会社", "toyota zidongche", ("kk",)),
    ("(株)東芝", "dongzhi", ("kk",)),
    ("㈱東芝", "dongzhi", ("kk",)),
    ("（株）東芝", "dongzhi", ("kk",)),
    ("Admiralty Shipyard JSC", "admiralty shipyard", ("jsc",)),
    ("JSC Admiralty Shipyard", "admiralty shipyard", ("jsc",)),
    ("Toshiba Co., Ltd.", "toshiba", ("co_ltd",)),
    ("Toshiba Co Ltd", "toshiba", ("co_ltd",)),
    ("Toshiba Kabushiki Kaisha", "toshiba", ("kk",)),
    ("Toshiba K.K.", "toshiba", ("kk",)),
    ("OOO Romashka", "romashka", ("llc",)),
    ("ООО Ромашка", "romashka", ("llc",)),
    ("Общество с ограниченной ответственностью «ЭМИ Технолоджи»", "emi tekhnolodzhi",
     ("llc",)),
    ('Limited Liability Company "EMI Technology"', "emi technology", ("llc",)),
    ("АО Концерн", "kontsern", ("jsc",)),
    ("ZAO Alpha", "alpha", ("cjsc",)),
    ("OAO Alpha", "alpha", ("ojsc",)),
    ("PAO Alpha", "alpha", ("pjsc",)),
    ("Siemens AG", "siemens", ("ag",)),
    ("Bosch GmbH", "bosch", ("gmbh",)),
    ("Emirates Alloys LLC", "emirates alloys", ("llc",)),
    ("Farazan Industrial Engineering, Inc.", "farazan industrial engineering", ("inc",)),
    ("Acme Corp", "acme", ("corp",)),
    ("Acme Holdings Limited", "acme holdings", ("ltd",)),
    ("Gulf Trade FZE", "gulf trade", ("fze",)),
    ("Gulf Trade LLC-FZ", "gulf trade", ("llc_fz",)),
    ("PT Bank Negara Indonesia Tbk", "bank negara indonesia", ("tbk", "pt")),
    ("Petronas Sdn Bhd", "petronas", ("sdn_bhd",)),
    ("中国航天科工集团有限公司", "zhongguohangtiankegongjituan", ("co_ltd",)),
    ("华为技术股份有限公司", "huaweijishu", ("co_ltd",)),
])
def test_legal_forms_removed(raw, expected_text, expected_forms):
    name = normalize_name(raw, "organisation")
    assert name.text == expected_text
    assert name.legal_forms == expected_forms


@pytest.mark.parametrize(("raw", "expected"), [
    ("Ltd", "ltd"), ("LLC", "llc"), ("Co., Ltd.", "co ltd"), ("GmbH & Co. KG", "gmbh and co kg"),
    ("株式会社", "zhushihuishe"), ("㈱", "zhu"), ("ООО", "ooo"), ("Mr", "mr"),
])
def test_name_that_is_only_a_legal_form_keeps_it(raw, expected):
    name = normalize_name(raw)
    assert (name.text, name.legal_forms, name.honorifics) == (expected, (), ())


def test_forms_are_removed_until_one_would_be_all_that_is_left():
    name = normalize_name("株式会社 ООО LLC")
    assert name.text == "ooo"
    assert name.legal_forms == ("kk", "llc")


def test_legal_forms_kept_for_persons():
    assert text_of("Kim Sa", "person") == "kim sa"
    assert text_of("Admiralty Shipyard JSC", "person") == "admiralty shipyard jsc"


@pytest.mark.parametrize(("raw", "expected_text", "expected_forms"), [
    ("Huy Do", "huy do", ()),  # the surname Do is not d.o.o.
    ("Nguyen Van To", "nguyen van to", ()),  # nor To the form ТОО
    ("Acme d.o.o.", "acme", ("doo",)),
    ("Acme D.O.O", "acme", ("doo",)),
    ("Acme DOO", "acme", ("doo",)),
    ("Acme ТОО", "acme", ("llp",)),
    ("Acme z.o.o.", "acme", ("zoo",)),
    ("Tehran Gostaresh Company, P.J.S.", "tehran gostaresh", ("pjsc", "co")),
    ("João Sá", "joao sa", ()),  # the surname Sá, written with its accent, is not S.A.
    ("Sá Pinto, Maria", "sa pinto maria", ()),
    ("Acme S.A.", "acme", ("sa",)),
    ("Société Générale SA", "societe generale", ("sa",)),
])
def test_surnames_are_not_forms(raw, expected_text, expected_forms):
    name = normalize_name(raw)
    assert (name.text, name.legal_forms) == (expected_text, expected_forms)
    batch = normalize_names([raw, "Acme Trading Co"])[0]
    assert (batch.text, batch.legal_forms) == (expected_text, expected_forms)


def test_general_is_a_title_only_for_persons():
    assert text_of("General Electric") == "general electric"
    assert text_of("General Electric", "organisation") == "general electric"
    assert normalize_name("General Ali Khan", "person").honorifics == ("general",)


@pytest.mark.parametrize(("raw", "entity_type", "expected_text", "expected_titles"), [
    ("Dr. John Smith", "person", "john smith", ("dr",)),
    ("Dr. John Smith", None, "john smith", ("dr",)),           # unambiguous title
    ("Mr John Smith", "unknown", "john smith", ("mr",)),
    ("Mrs. Jane Smith", "person", "jane smith", ("mrs",)),
    ("Prof. Dr. Hans Müller", "person", "hans muller", ("prof", "dr")),
    ("Sheikh Abdullah Azzam", "person", "abdullah azzam", ("sheikh",)),
    ("Colonel Muammar Gaddafi", "person", "muammar gaddafi", ("colonel",)),
    ("山田太郎様", None, "shantiantailang", ("sama",)),
    ("山田太郎 様", "person", "shantiantailang", ("sama",)),
    ("ヤマダ タロウ さん", "person", "yamada taro", ("san",)),
    ("山田太郎氏", "person", "shantiantailang", ("shi",)),
    ("山田太郎先生", "person", "shantiantailang", ("sensei",)),
    ("Prof. Smith", "organisation", "prof smith", ()),          # organisations keep words
    # A Han or kana honorific is stripped in its script only: its reading is a name.
    ("Chao YANG", None, "chao yang", ()),                       # 様 reads "yang"
    ("Wang Jun", "person", "wang jun", ()),                     # 君 reads "jun"
    ("Chen Shi", "person", "chen shi", ()),                     # 氏 reads "shi"
    ("Li Dian", None, "li dian", ()),                           # 殿 reads "dian"
    ("Zhang San", None, "zhang san", ()),                       # さん reads "san"
])
def test_honorifics(raw, entity_type, expected_text, expected_titles):
    name = normalize_name(raw, entity_type)
    assert (name.text, name.honorifics) == (expected_text, expected_titles)


@pytest.mark.parametrize(("raw", "script"), [
    ("Admiralty", "Latn"), ("Абдулла", "Cyrl"), ("Χαράλαμπος", "Grek"), ("القاعدة", "Arab"),
    ("정철수", "Hang"), ("株式会社アドミラルティ造船所", "Jpan"), ("東芝", "Hani"),
    ("שלום", "Hebr"), ("12345", "Zyyy"), ("ＡＢＣ", "Latn"),
])
def test_dominant_script(raw, script):
    assert normalize_name(raw).script == script


# --- real list names -------------------------------------------------------------------

@pytest.mark.parametrize(("one", "other"), [
    # Japan, METI Russia list entry 1: Japanese and English name of the same entity.
    ("株式会社アドミラルティ造船所", "アドミラルティ造船所"),
    ("Admiralty Shipyard JSC", "JSC \u0410dmiralty Shipyard"),
    # UN consolidated list (Belarus), Russian and English-style writing of one name.
    ("ГОСУДАРСТВЕННЫЙ ВОЕННО-ПРОМЫШЛЕННЫЙ КОМИТЕТ РЕСПУБЛИКИ БЕЛАРУСЬ",
     "Gosudarstvennyy Voenno-Promyshlennyy Komitet Respubliki Belarus"),
    ("Общество с ограниченной ответственностью «ЭМИ Технолоджи»", 'OOO "EMI Tekhnolodzhi"'),
    # Japan End User List: "Al Qa'ida/Islamic Army".
    ("Al Qa'ida", "AL-QAIDA"),
    ("ANSAR AL-ISLAM", "Ansar al‐Islam"),
])
def test_real_names_meet(one, other):
    assert normalize_name(one).text == normalize_name(other).text


# --- batches, caching, errors ----------------------------------------------------------

def test_normalize_names_matches_single_calls_and_shares_repeats():
    names = ["Admiralty Shipyard JSC", None, "ООО Ромашка", "Admiralty Shipyard JSC"]
    results = normalize_names(names)
    assert results[1] is None
    assert results[0] is results[3]
    assert results[0] == normalize_name(names[0])
    assert results[2] == normalize_name(names[2])


def test_normalize_names_accepts_arrow_and_per_row_types():
    array = pa.array(["Dr. John Smith", None, "Dr. John Smith"])
    chunked = pa.chunked_array([array])
    types = pa.array(["person", "person", "organisation"])
    for texts in (array, chunked):
        results = normalize_names(texts, types)
        assert results[0].text == "john smith"
        assert results[1] is None
        assert results[2].text == "dr john smith"


def test_normalize_names_rejects_mismatched_types():
    with pytest.raises(ValueError, match="entity_types has 1 values for 2 names"):
        normalize_names(["a", "b"], ["person"])


def test_unknown_entity_type_is_named():
    with pytest.raises(ValueError, match="'ship'"):
        normalize_name("X", "ship")


def test_entity_type_spellings():
    assert normalize_name("Mr A Bcd", "Individual") == normalize_name("Mr A Bcd", "person")
    assert normalize_name("Acme Ltd", "Entity") == normalize_name("Acme Ltd", "organisation")


def test_non_string_input_is_rejected():
    with pytest.raises(TypeError, match="expects a str"):
        normalize_name(None)  # type: ignore[arg-type]


def test_kanji_romaji_without_extra_names_it():
    try:
        import cutlet  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"bulkscreen\[kanji\]"):
            normalize_name("東芝", kanji_romaji=True)
    else:
        assert normalize_name("東芝", kanji_romaji=True).text.isascii()


def test_name_order_variants():
    assert name_order_variants(("kim", "jong", "un")) == (
        ("kim", "jong", "un"), ("un", "kim", "jong"), ("jong", "un", "kim"),
    )
    assert name_order_variants(("john", "smith")) == (("john", "smith"), ("smith", "john"))
    assert name_order_variants(("madonna",)) == (("madonna",),)


# --- the data tables -------------------------------------------------------------------

def test_legal_form_table_has_the_required_forms():
    path = datasets_dir() / "reference" / "legal_forms" / "v1" / "legal_forms.csv"
    with path.open(encoding="utf-8") as handle:
        canonical = {row["surface"]: row["canonical"] for row in csv.DictReader(handle)}
    assert (datasets_dir() / "reference" / "legal_forms" / "v1" / "source.toml").is_file()
    expected = {
        "株式会社": "kk", "KK": "kk", "Co., Ltd.": "co_ltd", "OOO": "llc", "ООО": "llc",
        "有限責任会社": "llc", "AO": "jsc", "АО": "jsc", "JSC": "jsc", "ZAO": "cjsc",
        "PAO": "pjsc", "OAO": "ojsc", "LLC": "llc", "GmbH": "gmbh", "AG": "ag", "SA": "sa",
        "Ltd": "ltd", "Inc": "inc", "Corp": "corp", "有限公司": "co_ltd",
    }
    for surface, form in expected.items():
        assert canonical.get(surface) == form, surface
    assert any(row.startswith("Aktiengesellschaft") for row in canonical)


def test_bad_table_row_names_file_line_and_column(tmp_path):
    path = tmp_path / "legal_forms.csv"
    path.write_text("surface,canonical,position\nLtd,ltd,edge\nInc,inc,middle\n",
                    encoding="utf-8")
    with pytest.raises(RuleDataError) as caught:
        _read_rows(path, ("surface", "canonical", "position"))
    assert "line 3" in str(caught.value)
    assert "position" in str(caught.value)


def test_missing_table_column_is_named(tmp_path):
    path = tmp_path / "honorifics.csv"
    path.write_text("surface,canonical\nMr,mr\n", encoding="utf-8")
    with pytest.raises(RuleDataError, match="position"):
        _read_rows(path, ("surface", "canonical", "position"))


def test_longest_unspaced_form_wins():
    table = build_table("t", [
        {"surface": "有限公司", "canonical": "co_ltd", "position": "anywhere"},
        {"surface": "股份有限公司", "canonical": "gufen", "position": "anywhere"},
    ])
    found: list[str] = []
    assert table.strip_unspaced("华为股份有限公司", found).strip() == "华为"
    assert found == ["gufen"]


def test_tables_load_once():
    assert load_tables() is load_tables()


# --- kernel string format --------------------------------------------------------------

def test_encode_strings_layout():
    codes, offsets = encode_strings(["ab", "", "東芝", None])
    assert codes.dtype == np.uint32 and offsets.dtype == np.int64
    assert codes.flags.c_contiguous and codes.flags.writeable
    assert offsets.tolist() == [0, 2, 2, 4, 4]
    assert codes.tolist() == [ord("a"), ord("b"), ord("東"), ord("芝")]


def test_encode_empty_batch():
    codes, offsets = encode_strings([])
    assert codes.shape == (0,) and offsets.tolist() == [0]


# --- properties ------------------------------------------------------------------------

NAME_ALPHABET = st.sampled_from(
    list("abcdeijkloqstuxyz ABCO.-'&,()") + list("АаОоСсЕеІіΑαΟο")
    + list("株式会社有限公司造船所様") + list("アドミラルティトウキョーッ") + ["\u200b", "\u202e"]
    + ["Ltd", " ltd", " LLC", "OOO ", "Co., ", "JSC", "Mr ", "Dr. ", " kk"]
)
names = st.one_of(st.text(max_size=40), st.lists(NAME_ALPHABET, max_size=14).map("".join))
entity_types = st.sampled_from([None, "person", "organisation", "unknown"])


@settings(max_examples=300, deadline=None)
@given(names, entity_types)
def test_normalisation_is_idempotent(raw, entity_type):
    from bulkscreen.normalize.names import _accented_words, _plan, entity_kind

    # A word kept as a name only for its diacritic ("Sá", not the form SA) is written
    # without it, so a second pass reads the form: the one input that is not idempotent.
    assume(not _accented_words(raw, _plan(entity_kind(entity_type))))
    once = normalize_name(raw, entity_type)
    twice = normalize_name(once.text, entity_type)
    assert twice.text == once.text
    assert twice.tokens == once.tokens


@settings(max_examples=300, deadline=None)
@given(names, entity_types)
def test_output_is_clean(raw, entity_type):
    name = normalize_name(raw, entity_type)
    assert isinstance(name, NormalizedName)
    assert not any(ch in ZERO_WIDTH_AND_BIDI for ch in name.text)
    assert name.text == name.text.lower()
    assert not any(ch.isupper() for ch in name.text)
    assert name.text == " ".join(name.tokens)
    assert all(token and " " not in token for token in name.tokens)
    assert normalize_name(raw, entity_type) is name or normalize_name(raw, entity_type) == name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=20))
def test_encode_strings_round_trips(texts):
    codes, offsets = encode_strings(texts)
    assert len(offsets) == len(texts) + 1
    assert decode_strings(codes, offsets) == texts


@pytest.mark.parametrize(("name", "tokens"), [
    ("Deutsche Bank AG", ["deutsche", "bank"]),
    ("Iran National Bank", ["iran", "national", "bank"]),
    ("Sepah Insurance Company", ["sepah", "insurance"]),
    ("Acme Trust Company", ["acme", "trust"]),
    ("Corporation SUBARU", ["subaru"]),
    ("SUBARU Corporation", ["subaru"]),
])
def test_line_of_business_words_stay_and_leading_forms_go(name, tokens):
    from bulkscreen.lists.name_index import match_tokens

    assert match_tokens(normalize_names([name], "organisation")[0]) == tokens
