"""A match must cover the family name, a one-word list name whole, and short names exactly."""

from __future__ import annotations

import pytest

from bulkscreen.config import MatchConfig
from bulkscreen.lists.name_index import build_name_index
from bulkscreen.lists.records import Entry, entries_to_table
from bulkscreen.matching.algorithm import UNINFORMATIVE_CAP
from bulkscreen.matching.match import match_names
from bulkscreen.matching.name_parts import (
    COMMON_NAME_ENTRIES,
    abjad_name_words,
    consonant_skeleton,
    covers_family_name,
    derived_name,
    derived_surname,
    family_tokens,
    misses_first_or_last_name,
    name_token_stats,
    one_shared_brand_word,
    other_abjad_word,
    other_chinese_brand,
    other_chinese_syllable,
    other_known_name,
    other_longer_brand,
    other_short_brand,
    other_words_each_side,
    pinyin_syllables,
    rests_on_common_names,
    short_token_conflict,
    splits_compound_name,
    unit_of_query,
    untyped_person_name,
    variant_skeleton,
    written_as_person,
)


@pytest.mark.parametrize(("a", "b"), [
    ("hyun", "hyon"), ("jong", "chong"), ("vang", "wang"), ("john", "jon"), ("kim", "gim"),
])
def test_romanisation_variants_share_a_skeleton(a, b):
    assert consonant_skeleton(a) == consonant_skeleton(b)


@pytest.mark.parametrize(("query", "name", "conflict"), [
    ("ming he", "he jing", True),  # Ming is not Jing
    ("yang li", "yang qi", True),
    ("yong chen", "chen dong", True),
    ("kim hyun woo", "kim hyon woo", False),  # a romanisation variant
    ("dongbang bamk", "tongbang bank", False),  # a typo past the first letter
    ("oman ride", "oman pride", False),  # a dropped first letter
    ("ogla yurievna grak", "grak olga yurievna", False),  # a transposition
    ("shenzhen yaxin kk", "shenzhen yaxin co ltd", False),  # legal-form words
    ("mohammad hosseini", "mohammad hossein khosravi", False),  # no short token
    ("state of iraq and the levant in libya", "state of iraq and the levant libya", False),
    ("wei wu", "wei su", True),  # no consonants in "wu" and "wei": nothing in common
    ("wu wei", "wu wei", False),
])
def test_short_tokens_must_be_the_same_name(query, name, conflict):
    assert short_token_conflict(query, name) is conflict


def test_family_name_is_read_from_the_comma_form():
    assert family_tokens("SHVED, Andrey Ivanovich") == ("shved",)
    assert family_tokens("GONZALEZ ANGUIANO, Moises") == ("gonzalez", "anguiano")
    assert family_tokens("Andrey Shved") == ()
    assert family_tokens("ACME,") == ()


@pytest.mark.parametrize(("query", "family", "covered"), [
    ("andrey ivanov", ("shved",), False),  # given name and patronymic only
    ("andrey shvedd", ("shved",), True),  # a typo of the family name
    ("moises gonzalez", ("gonzalez", "anguiano"), True),  # the first part of a double name
    ("santino deng vol", ("wol",), True),  # v and w
    ("abdelrahman omar", ("abdel", "rahman"), True),  # written joined
    ("anything", (), True),
])
def test_family_name_cover(query, family, covered):
    assert covers_family_name(query, family) is covered


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    entries = [
        Entry("1", "SHVED, Andrey Ivanovich", entity_type="person"),
        Entry("2", "PIONEER", entity_type="organisation"),
        Entry("3", "HE, Jing", entity_type="person"),
        Entry("4", "KIM, Hyon Woo", entity_type="person"),
        Entry("5", "LINDA", entity_type="vessel"),
    ]
    snapshot = entries_to_table("test-list", "2025-01-01", entries)
    return build_name_index([snapshot], cache_dir=tmp_path_factory.mktemp("name-parts"))


QUERIES = ["Andrey Ivanov", "Andrey Ivanovich SHVED", "Pioneer Manufacturing LLC", "Pioneer",
           "Ming He", "Kim Hyun-woo", "Linda Taylor", "Pionee", "Limited Pioneer"]


def test_partial_names_are_capped_under_the_review_threshold(index):
    found = {(r["query_pos"], r["entry_id"]): r
             for r in match_names(index, QUERIES, MatchConfig()).to_pylist()}
    assert (0, "1") not in found  # the family name is missing
    assert found[(1, "1")]["score"] >= 0.85  # family and given name
    assert (2, "2") not in found  # PIONEER inside a longer name
    assert found[(3, "2")]["is_hit"]  # the word itself
    assert (4, "3") not in found  # Ming is not Jing
    assert (5, "4") in found  # Hyun and Hyon are one name
    assert (6, "5") not in found
    assert (7, "2") in found and not found[(7, "2")]["is_hit"]  # a typo of the one word


def test_capped_matches_say_why(index):
    low = MatchConfig(review_threshold=0.5, hit_threshold=0.9)
    kept = {(r["query_pos"], r["entry_id"]): r
            for r in match_names(index, QUERIES, low).to_pylist()}
    for key in ((0, "1"), (2, "2"), (4, "3")):
        assert kept[key]["score"] == pytest.approx(UNINFORMATIVE_CAP)
        assert "is not matched, or a short name differs" in kept[key]["explanation"]
    # A leading legal form the normaliser left in place is not another word.
    assert "is not matched" not in kept[(8, "2")]["explanation"]


@pytest.fixture(scope="module")
def craft_index(tmp_path_factory):
    entries = [
        Entry("10", "EVER GLORY", entity_type="vessel"),
        Entry("11", "MAHARLIKA", entity_type="vessel"),
        Entry("12", "EVER GLORY TRADING", entity_type="organisation"),
    ]
    snapshot = entries_to_table("test-craft", "2025-01-01", entries)
    return build_name_index([snapshot], cache_dir=tmp_path_factory.mktemp("craft"))


CRAFT_QUERIES = ["Ever Glory Components Co., Ltd.", "EVER GLORY", "Evr Glory",
                 "Maharlika Industrial Inc.", "Maharlika Inc.", "Ever Glory Trading Co., Ltd."]


def test_a_craft_name_or_one_word_inside_a_longer_name_is_capped(craft_index):
    found = {(r["query_pos"], r["entry_id"]): r
             for r in match_names(craft_index, CRAFT_QUERIES, MatchConfig()).to_pylist()}
    assert (0, "10") not in found  # the ship's name inside a company's name
    assert found[(1, "10")]["is_hit"]  # the ship's name itself
    assert (2, "10") in found  # a typo of the ship's name stays a near match
    # "Industrial" is a generic word, not a legal form: another word besides the one word.
    assert (3, "11") not in found
    assert (4, "11") in found  # a legal form alone is not another word
    assert found[(5, "12")]["score"] >= 0.85  # an organisation's own name is not capped


@pytest.mark.parametrize(("query", "name", "common"), [
    ("omar mohamed", "omar mohammed", True),  # two common names, spelt otherwise
    ("ahmed hassan", "ahmed mahmoud hassan", True),  # common names, a part dropped
    ("omar zarif", "omar zarifi", False),  # zarif is not common
    ("abd al rahman omar", "abd al rahman omar", False),  # three or more say who it is
])
def test_common_names_alone_do_not_identify(query, name, common):
    entries = {"omar": 80, "mohammed": 200, "ahmed": 170, "hassan": 130, "mahmoud": 60,
               "abd": 300, "al": 900, "rahman": 90, "zarif": 2}
    assert rests_on_common_names(query, name, entries) is common


@pytest.mark.parametrize(("query", "name", "other"), [
    ("javad rahimi", "javad rahiqi", True),  # rahimi is a name the lists know
    ("shakil hossain", "shamil hussain", True),
    ("javad rahixi", "javad rahiqi", False),  # a typo: no such name
    ("hossein sadeghi", "hosseini sadegh", False),  # the same consonants
    ("andrej petrov", "andrey petrov", False),  # a transliteration
    ("yusuf khalid", "jusuf halid", False),
])
def test_another_known_name_is_not_a_typo(query, name, other):
    known = {"javad": 5, "rahimi": 3, "rahiqi": 1, "shakil": 1, "shamil": 4, "hossain": 9,
             "hussain": 17, "hossein": 48, "hosseini": 7, "sadeghi": 3, "sadegh": 2,
             "andrej": 3, "andrey": 88, "petrov": 9, "yusuf": 40, "jusuf": 2, "khalid": 50,
             "halid": 1}
    assert other_known_name(query, name, known) is other


@pytest.mark.parametrize(("a", "b"), [
    ("yusuf", "jusuf"), ("andrej", "andrey"), ("khalid", "halid"), ("philip", "filip"),
    ("aleksei", "alexei"), ("djamel", "jamel"),
])
def test_transliterated_spellings_share_a_variant_skeleton(a, b):
    assert variant_skeleton(a) == variant_skeleton(b)


@pytest.fixture(scope="module")
def common_index(tmp_path_factory):
    from itertools import product

    fillers = ["".join(p) for p in product("bcdfgk", "aeiou", "lmnrst")][:COMMON_NAME_ENTRIES]
    entries = [Entry(str(i), f"OMAR, Mohammed Zz{word}", entity_type="person")
               for i, word in enumerate(fillers)]
    entries += [Entry("target", "OMAR, Mohammed", entity_type="person"),
                Entry("rahiqi", "RAHIQI, Javad", entity_type="person"),
                Entry("rahimi", "RAHIMI, Hamid", entity_type="person"),
                Entry("unknown", "SAID RAHIQI", entity_type="unknown")]
    snapshot = entries_to_table("test-list", "2025-01-01", entries)
    return build_name_index([snapshot], cache_dir=tmp_path_factory.mktemp("common-names"))


def test_common_and_other_known_names_are_capped_and_say_why(common_index):
    assert name_token_stats(common_index).person_entries["omar"] > COMMON_NAME_ENTRIES
    queries = ["Omar Mohamed", "Mohammed Omar", "Javad Rahimi", "Javad Rahiqi", "Said Rahimi"]
    low = MatchConfig(review_threshold=0.5, hit_threshold=0.9)
    found = {(r["query_pos"], r["entry_id"]): r
             for r in match_names(common_index, queries, low).to_pylist()}
    # A name of unknown type is read as a person's name too.
    for key in ((0, "target"), (2, "rahiqi"), (4, "unknown")):
        assert found[key]["score"] == pytest.approx(UNINFORMATIVE_CAP)
        assert "rests on common names, or a word of the name is another" in (
            found[key]["explanation"])
    assert found[(1, "target")]["same_tokens"]  # the same tokens are never capped so
    assert found[(1, "target")]["is_hit"]
    assert found[(3, "rahiqi")]["is_hit"]
    reviewed = {(r["query_pos"], r["entry_id"])
                for r in match_names(common_index, queries, MatchConfig()).to_pylist()}
    assert (0, "target") not in reviewed and (2, "rahiqi") not in reviewed


@pytest.mark.parametrize(("token", "syllables"), [
    ("jinping", ("jin", "ping")), ("liwu", ("li", "wu")), ("zhuang", ("zhuang",)),
    ("zho", ("zho",)),  # "zhou" as normalisation writes it (long vowels folded)
    ("aiguo", ("ai", "guo")),  # a first syllable may start with a vowel
    ("pioneer", None),  # an inner one may not: not pi-o-ne-er
    ("hyun", None), ("ivanov", None), ("young", None),
])
def test_tokens_are_read_as_pinyin_syllables(token, syllables):
    assert pinyin_syllables(token) == syllables


@pytest.mark.parametrize(("query", "name", "other"), [
    ("lei zheng", "lei zhang", True),  # Zheng is not Zhang
    ("zheng wei", "zhang wei", True),
    ("qiang zhu", "qiang hu", True),
    ("fang liu", "fang liwu", True),  # Liu is not Li Wu
    ("li li", "li yi", True),
    ("zhang jianguo", "zhang jiang ping", True),
    ("lei zhang", "zhang lei", False),  # the same syllables in another order
    ("xi jinping", "xi jin ping", False),  # split or joined
    ("li he", "li cheng he", False),  # a dropped syllable alone: a company may drop a word
    ("kim hyun woo", "kim hyon woo", False),  # not pinyin
    ("ming zhang", "ming zhnag", False),  # a typo that is no syllable
])
def test_pinyin_names_differ_in_a_syllable(query, name, other):
    assert other_chinese_syllable(query, name) is other


@pytest.mark.parametrize(("query", "name", "other"), [
    ("li he", "li cheng he", True),  # a Chinese name has no middle name to drop
    ("wang xue", "wang xue qing", True),
    ("ming zhang", "ming suan zhang", True),
    ("wang xueqing", "wang xue", True),  # the query's syllable more
    ("lei zheng", "lei zhang", True),
    ("xi jinping", "xi jin ping", False),  # split or joined
    ("lei zhang", "zhang lei", False),
    ("wang xue qing", "wang xueqing", False),
    ("michael wang", "michael wang xue", False),  # not pinyin throughout
])
def test_a_chinese_persons_syllable_is_part_of_the_name(query, name, other):
    assert other_chinese_syllable(query, name, person=True) is other


@pytest.fixture(scope="module")
def pinyin_index(tmp_path_factory):
    entries = [Entry("zhang", "LEI, Zhang", entity_type="person"),
               Entry("hu", "QIANG HU", entity_type="person")]
    snapshot = entries_to_table("test-list", "2025-01-01", entries)
    return build_name_index([snapshot], cache_dir=tmp_path_factory.mktemp("pinyin"))


def test_another_chinese_syllable_is_capped_and_says_why(pinyin_index):
    queries = ["Lei Zheng", "Zhang Lei", "Qiang Zhu", "Qiang Hu", "Qiang Hhu"]
    low = MatchConfig(review_threshold=0.5, hit_threshold=0.9)
    found = {(r["query_pos"], r["entry_id"]): r
             for r in match_names(pinyin_index, queries, low).to_pylist()}
    for key in ((0, "zhang"), (2, "hu")):
        assert found[key]["score"] == pytest.approx(UNINFORMATIVE_CAP)
        assert "another name the lists know" in found[key]["explanation"]
    assert found[(1, "zhang")]["same_tokens"] and found[(3, "hu")]["same_tokens"]
    assert found[(4, "hu")]["score"] > UNINFORMATIVE_CAP  # a typo, not another syllable


@pytest.mark.parametrize(("query", "name", "other"), [
    ("shenzhen guoxin optoelectronics", "shandong huaguang optoelectronics", True),
    ("shanghai dongfang electronics", "shanghai dongfeng shipping", True),
    ("shanghai ruida instruments", "shanghai jia ruide industry", True),
    ("jinyang trading", "jinxiang trading", True),
    ("huaxin science and technology", "huaxin shipping hongkong", False),  # the same brand
    ("shenzhen yitay technology", "shenzhen yitai technology", False),  # a typo, not pinyin
    ("alpha trading", "alpha tech trading", False),  # no pinyin brand
    ("dandong fudimaoyiyouxiangongsi", "dandong fuximaoyiyouxiangongsi", False),  # read-out Han
])
def test_chinese_companies_differ_in_their_brand(query, name, other):
    from bulkscreen.matching.informative import uninformative_tokens
    from bulkscreen.matching.name_parts import legal_form_words

    skip = uninformative_tokens() | legal_form_words()
    assert other_chinese_brand(query, name, skip) is other


def test_another_chinese_brand_is_capped_for_an_organisation(tmp_path):
    entries = [Entry("1", "SHANDONG HUAGUANG OPTOELECTRONICS CO. LTD",
                     entity_type="organisation")]
    index = build_name_index([entries_to_table("test-list", "2025-01-01", entries)],
                             cache_dir=tmp_path)
    queries = ["Shenzhen Guoxin Optoelectronics Co., Ltd.", "Shandong Huaguang Optoelectronic"]
    low = MatchConfig(review_threshold=0.5, hit_threshold=0.9)
    found = {r["query_pos"]: r for r in match_names(index, queries, low).to_pylist()}
    assert found[0]["score"] == pytest.approx(UNINFORMATIVE_CAP)
    assert found[1]["score"] >= 0.9  # the same brand, a letter short


@pytest.mark.parametrize(("query", "name", "other"), [
    ("mhmud ahmdi", "mhmd ahmdi", True),  # محمود is not محمد
    ("mhmd ahmd", "mhmd ahmdi", True),  # احمد is not احمدی
    ("mhmd rhimi", "iar mhmd rhimi", False),  # a word left out
    ("amaih ahia", "jmaih ahia", False),  # a longer word one letter off: a typo
    ("mhmd ahmdi", "ahmdi mhmd", False),
])
def test_arabic_script_words_differ_by_a_letter(query, name, other):
    assert other_abjad_word(query, name) is other


@pytest.mark.parametrize(("a", "b", "derived"), [
    ("mohammad", "mohammadi", True), ("hossein", "hosseini", True), ("jafar", "jafari", True),
    ("mikhail", "mikhailov", True), ("aleksey", "alekseev", True), ("omar", "omarow", True),
    ("ivan", "ivanov", True), ("ghorbani", "ghorbanian", True),
    ("mohammed", "mohammadi", True),  # the name spelt with another vowel
    ("melnyk", "melnychuk", True), ("koval", "kovalenko", True), ("petro", "petrenko", True),
    ("smirnov", "smirnova", False),  # the feminine form is the same family
    ("ali", "aliyev", False), ("karimi", "karami", False), ("li", "lii", False),
    ("mohammad", "muhammadi", True), ("hassan", "hossaini", False),
])
def test_a_surname_made_of_a_name_is_derived(a, b, derived):
    assert derived_name(a, b) is derived
    assert derived_name(b, a) is derived


@pytest.mark.parametrize(("query", "name", "other"), [
    ("saeed mohammadi", "saeed mohammad ali", True),
    ("aleksey mikhailov", "alekseev mikhail", True),
    ("hossein sadeghi", "hosseini sadegh", True),
    ("mehdi jafari", "mahdi jafar salih", True),
    ("saeed mohammadi", "saeed mohammed", True),
    ("oleksandr melnyk", "melnychuk oleksandr", True),
    ("mohammad mohammadi", "mohammad shafiq mohammadi", False),  # its own token is there
    ("hossein hosseini", "hosseini hossein", False),
    ("natalya smirnova", "smirnova natalia", False),
    ("hosseini ali", "hosseiny hossein ali", False),  # also close to another spelling
])
def test_a_derived_surname_is_another_name(query, name, other):
    assert derived_surname(query, name) is other


@pytest.mark.parametrize(("query", "name", "splits"), [
    ("KANG Min-seo", "kang min", True),  # a hyphenated given name is one name
    ("WANG Yi-Chen", "wang chen", True),
    ("KIM Sung-min", "kim song", True),  # Sung is close to Song, Min is not there
    ("Hans-Peter Müller", "muller hans", True),
    ("KANG Min-seo", "kang min seo", False),  # both parts
    ("KANG Min-seo", "kang minseo", False),  # joined
    ("KIM Hyun-woo", "kim hyon woo", False),  # both parts, one spelt otherwise
    ("Omar al-Bashir", "omar bashir", False),  # an article, not a syllable
    ("Abdul-Hamid Sulaiman", "hamid sulaiman", False),
    ("Jean-Claude Juncker", "juncker jean", False),  # a part too long to be a syllable
    ("Min Kang", "kang min", False),  # no hyphen
    ("CHO Ji-woo", "cho il woo", True),  # "ji" is not the family name "cho"
    ("CHO Ji-woo", "cho ji woo", False),
    ("강민서", "kang min", True),  # a Korean given name in Hangul: 민서, not 민
    ("김성민", "kim song", True),
    ("정수진", "jong yong su", True),
    ("강민서", "kang min so", False),
    ("김현우", "kim hyon u", False),
    ("오영호", "o yong ho", False),
])
def test_a_hyphenated_given_name_is_one_name(query, name, splits):
    assert splits_compound_name(query, name) is splits


@pytest.fixture(scope="module")
def derived_index(tmp_path_factory):
    entries = [Entry("saeed", "SAEED, Mohammad Ali", entity_type="person"),
               Entry("kang", "KANG, Min", entity_type="person"),
               Entry("mikhail", "ALEKSEEV, Mikhail", entity_type="person")]
    snapshot = entries_to_table("test-list", "2025-01-01", entries)
    return build_name_index([snapshot], cache_dir=tmp_path_factory.mktemp("derived"))


def test_derived_surnames_and_split_given_names_are_capped_and_say_why(derived_index):
    queries = ["Saeed Mohammadi", "KANG Min-seo", "Aleksey Mikhailov", "Saeed Mohammad Ali",
               "KANG Min", "ALEKSEEV Mikhail"]
    low = MatchConfig(review_threshold=0.5, hit_threshold=0.9)
    found = {(r["query_pos"], r["entry_id"]): r
             for r in match_names(derived_index, queries, low).to_pylist()}
    for key in ((0, "saeed"), (1, "kang"), (2, "mikhail")):
        assert found[key]["score"] == pytest.approx(UNINFORMATIVE_CAP)
        assert "another name the lists know" in found[key]["explanation"]
    for key in ((3, "saeed"), (4, "kang"), (5, "mikhail")):
        assert found[key]["is_hit"]


@pytest.mark.parametrize(("query", "name_text", "raw_name", "misses"), [
    ("bilal ali", "bilal ghassan ali", "BILAL, Ghassan Ali", True),
    ("michael johnson", "william michael johnson", "WILLIAM MICHAEL JOHNSON", True),
    ("omar mahmoud", "omar mahmoud othman", "OMAR MAHMOUD OTHMAN", True),  # the last left out
    ("william michael", "william michael johnson", "WILLIAM MICHAEL JOHNSON", True),
    ("william johnson", "william michael johnson", "WILLIAM MICHAEL JOHNSON", False),
    ("bilal ghassan", "bilal ghassan ali", "BILAL, Ghassan Ali", False),  # a comma: as written
    ("kuzmin vladimirovich", "kuzmin pavel vladimirovich", "KUZMIN, Pavel Vladimirovich",
     True),
    ("bilal ghassan", "bilal ghassan ali", "BILAL, Ghassan Ali", False),  # a middle name left out
    ("ali mohammadi", "ali khanaman mohammadi", "ALI KHANAMAN MOHAMMADI", False),
    ("simanovskiy aleksey yurevich", "simanovskiy alexey yurevich",
     "SIMANOVSKIY, Alexey Yurevich", False),  # the first given name transliterated
    ("ghassan ali", "bilal ghassan ali", "BILAL, Ghassan Ali", False),  # the family rule's case
    ("petrov ivan", "petrov ivan", "PETROV, Ivan", False),  # one given name
    ("johnson michael", "michael johnson", "MICHAEL JOHNSON", False),  # two tokens
])
def test_a_dropped_first_given_or_last_name_is_another_person(query, name_text, raw_name, misses):
    assert misses_first_or_last_name(query, name_text, raw_name) is misses


@pytest.mark.parametrize(("raw_name", "person"), [
    ("SALIMI, Amir Hosein", True),
    ("TIGRIS TRADING, INC.", False),  # a legal form after the comma
    ("ALPHA TECH TRADING, FZE", False),
    ("SALIMI AMIR", False),  # no comma
    (", Amir", False),
])
def test_an_untyped_name_is_read_as_written(raw_name, person):
    assert written_as_person(raw_name) is person


def test_an_untyped_family_name_must_be_matched(tmp_path):
    entries = [Entry("1", "SALIMI, Amir Hosein", entity_type="unknown")]
    index = build_name_index([entries_to_table("test-list", "2025-01-01", entries)],
                             cache_dir=tmp_path)
    queries = ["Amir Hosseini", "Amir Hosein Salimi"]
    low = MatchConfig(review_threshold=0.5, hit_threshold=0.9)
    found = {r["query_pos"]: r for r in match_names(index, queries, low).to_pylist()}
    assert found[0]["score"] == pytest.approx(UNINFORMATIVE_CAP)
    assert "family name" in found[0]["explanation"]
    assert found[1]["is_hit"]


@pytest.mark.parametrize(("query", "name", "other"), [
    ("nova electronics", "neva electronics", True),  # Nova is a place word, still a brand
    ("prime systems", "prima systems", True),
    ("prima industri", "proma industry", True),
    ("azur industries", "azar ab industries", True),
    ("tams company", "tamas company", False),  # a dropped letter: a typo
    ("ratpe", "ratep", False),  # swapped letters
    ("rokem service", "roem service", False),
    ("sanat industries", "sanam industries", False),  # a consonant: as likely a typo
    ("niila", "niipa", False),
    ("daesung trading", "daesong trading", False),  # longer than a short word
    ("nova electronics", "nova electronic", False),  # the same brand
])
def test_a_short_brand_with_another_vowel_is_another_company(query, name, other):
    from bulkscreen.matching.informative import generic_tokens
    from bulkscreen.matching.name_parts import legal_form_words

    assert other_short_brand(query, name, generic_tokens() | legal_form_words()) is other


@pytest.mark.parametrize(("name", "words"), [
    ("عبد الرحمن", 1),  # Abd al-Rahman: one name in two words
    ("سلمى عبد الرحمن", 2), ("ابو بكر البغدادي", 2), ("محمد احمد", 2), ("محمد", 1),
])
def test_an_arabic_compound_name_is_one_name(name, words):
    assert abjad_name_words(name) == words


@pytest.mark.parametrize(("query", "name", "other"), [
    ("huaxin science and technology", "huaxin shipping hongkong", True),
    ("atlantic summit aerospace", "atlantic ship management", True),
    ("ural nauchpribor engineering", "urals plant of transport engineering", False),  # one
    ("irs lazer tekhnolodzhi", "irs laser technology", False),  # word apart: translated?
    ("zhoushan jinrun oil staging", "zhoushan jinrun oil transshipment", False),
    ("crown trading", "crown auto trading", False),  # a word left out on one side
    ("alpha trading", "alpha tech trading", False),
    ("aska enerji toptan satis sanayi we ticaret", "aska enerji toptan satis sanayi ve ticaret",
     False),  # a short word spelt otherwise
    ("alomge bros ekschange", "alomge bros exchange", False),  # transliterated: one word
    ("granit elektronika", "kontsern granit elektron", False),  # elektronika ~ elektron
    ("nova systems", "prima industries", False),  # no word in common: other rules' case
])
def test_company_names_with_a_word_each_side_are_two_companies(query, name, other):
    assert other_words_each_side(query, name, frozenset()) is other


@pytest.mark.parametrize(("name_text", "raw_name", "person"), [
    ("william michael johnson", "WILLIAM MICHAEL JOHNSON", True),
    ("stephen edward smith", "STEPHEN EDWARD SMITH", True),  # a last token no list holds
    ("william johnson", "WILLIAM JOHNSON", False),  # two tokens: no middle name to tell
    ("william michael johnson", "WILLIAM, Michael Johnson", False),  # a comma: as written
    ("alpha tech trading", "ALPHA TECH TRADING", False),  # business words
    ("maro sanat engineering", "MARO SANAT ENGINEERING", False),
    ("horizon michael smith", "HORIZON MICHAEL SMITH", False),  # the first token no name
])
def test_an_untyped_name_of_given_names_is_a_persons(name_text, raw_name, person):
    known = {"william": 8, "michael": 5, "stephen": 4, "edward": 4, "johnson": 4, "alpha": 1,
             "tech": 1, "maro": 1, "sanat": 1}
    assert untyped_person_name(name_text, raw_name, known) is person


def test_untyped_given_names_and_chinese_syllables_are_capped(tmp_path):
    entries = [Entry("w", "WILLIAM MICHAEL JOHNSON", entity_type="unknown"),
               Entry("p", "JOHNSON, William Peter", entity_type="person"),
               Entry("x", "WANG, Xue Qing", entity_type="person")]
    index = build_name_index([entries_to_table("test-list", "2025-01-01", entries)],
                             cache_dir=tmp_path)
    queries = ["Michael Johnson", "William Johnson", "Wang Xue", "Wang Xueqing"]
    low = MatchConfig(review_threshold=0.5, hit_threshold=0.9)
    found = {(r["query_pos"], r["entry_id"]): r
             for r in match_names(index, queries, low).to_pylist()}
    # A dropped first given name, of a name the lists leave untyped.
    assert found[(0, "w")]["score"] == pytest.approx(UNINFORMATIVE_CAP)
    # A dropped middle name is still a form of the name.
    assert found[(1, "w")]["score"] >= 0.85
    # Xue is not Xueqing: a Chinese given name is one name.
    assert found[(2, "x")]["score"] == pytest.approx(UNINFORMATIVE_CAP)
    assert "another name the lists know" in found[(2, "x")]["explanation"]
    assert found[(3, "x")]["is_hit"]


@pytest.mark.parametrize(("query", "name", "other"), [
    ("golden dragon trading", "dragon trading", True),  # another brand word added
    ("atlantic summit aerospace", "atlantic ship management", True),
    ("golden dragon international", "golden star trading international freight", True),
    ("tabriz zagros electronics", "zagros electronic", False),  # a place before the brand
    ("setareh", "setareh shargh", False),  # a word left out: how a name is shortened
    ("crown trading", "crown auto trading", False),  # generic words
    ("yanji silver star network", "yanji silverstar network", False),  # words joined
    ("taicang yihong new mqterials", "taicang yihong new materials", False),  # a typo
    ("whale schipping", "whale shipping", False),
])
def test_a_company_adding_a_brand_word_to_a_listed_one_is_another(query, name, other):
    from bulkscreen.matching.informative import uninformative_tokens
    from bulkscreen.matching.name_parts import legal_form_words

    assert one_shared_brand_word(query, name,
                                 uninformative_tokens() | legal_form_words()) is other


@pytest.mark.parametrize(("query", "name", "unit"), [
    ("russian academy of sciences",
     "institute of spectroscopy of the russian academy of sciences", True),
    ("russian academy of sciences", "space research institute russian academy of sciences",
     True),
    ("rosatom", "central design bureau rosatom", True),
    ("russian academy of sciences", "russian academy of sciences", False),  # the body itself
    ("academy of sciences", "national academy of sciences", False),  # no unit word
    ("space research institute", "space research institute russian academy of sciences",
     False),  # the unit itself, its body left out
])
def test_a_unit_of_an_organisation_is_not_the_organisation(query, name, unit):
    assert unit_of_query(query, name) is unit


@pytest.mark.parametrize(("query", "name", "other"), [
    ("granite instruments", "grant instrument", True),  # two letters more: another word
    ("orient engineering", "oriental engineers", True),
    ("plata comercial", "comercial planeta", True),
    ("promtehnologya", "promtekhnologiya", False),  # a long word transliterated otherwise
    ("granit instruments", "grant instrument", False),  # one letter: a typo
    ("silver star network", "silverstar network", False),  # a word in common
    ("mohammad trading", "mohammadzadeh trading", False),  # a surname ending
])
def test_a_brand_two_letters_longer_is_another_word(query, name, other):
    from bulkscreen.matching.informative import generic_tokens
    from bulkscreen.matching.name_parts import legal_form_words

    assert other_longer_brand(query, name, generic_tokens() | legal_form_words()) is other
