"""Names in Han, Hangul, Arabic, Hebrew and other scripts find their Latin listing.

The pairs are real public figures written in their own script and as the lists write them in
Latin; the listings in the index below are made for the test, not read from a list.
"""

from __future__ import annotations

import pytest

from bulkscreen.config import MatchConfig
from bulkscreen.lists.name_index import build_name_index
from bulkscreen.lists.records import Entry, entries_to_table
from bulkscreen.matching.abjad import ABJAD_SKELETON_SCORE, skeleton_keys, written_vowels_agree
from bulkscreen.matching.algorithm import UNINFORMATIVE_CAP
from bulkscreen.matching.match import match_names
from bulkscreen.normalize import normalize_name
from bulkscreen.normalize.scripts import (
    arabic_to_latin,
    han_to_latin,
    hangul_to_latin,
    hebrew_to_latin,
)


@pytest.mark.parametrize(("han", "latin"), [
    ("习近平", "xi jinping"), ("毛泽东", "mao zedong"), ("李克强", "li keqiang"),
    ("司马懿", "sima yi"),  # a two-character surname
    ("深圳", "shenzhen"), ("北京", "beijing"),  # places stay one word
    ("中国航天科工集团", "zhongguohangtiankegongjituan"),
])
def test_han_reads_as_pinyin_split_like_a_chinese_name(han, latin):
    assert han_to_latin(han) == latin


@pytest.mark.parametrize(("hangul", "latin"), [
    ("김정은", "kim jong un"), ("문재인", "moon jae in"), ("리병철", "ri byong chol"),
    ("최룡해", "choi lyong hae"), ("남궁민수", "namgung min su"),
    ("조선무역", "joseonmuyeog"),  # four syllables, no compound surname: one word
])
def test_hangul_names_keep_surname_and_syllables(hangul, latin):
    assert hangul_to_latin(hangul) == latin


@pytest.mark.parametrize(("arabic", "latin"), [
    ("عمر", "amr"), ("البشير", "al bshir"), ("علي", "ali"), ("الله", "allah"),
    ("القاعدة", "al qada"), ("خامنئي", "khamni"),
])
def test_arabic_reads_the_article_and_long_vowels(arabic, latin):
    assert arabic_to_latin(arabic) == latin


def test_arabic_omar_is_not_the_honorific_mr():
    name = normalize_name("عمر البشير")
    assert name.text == "amr al bshir" and name.honorifics == ()


@pytest.mark.parametrize(("hebrew", "latin"), [("יוסף", "yosf"), ("כהן", "khn"), ("משה", "msha")])
def test_hebrew_reads_vav_and_yod_as_vowels(hebrew, latin):
    assert hebrew_to_latin(hebrew) == latin


def test_skeletons_ignore_unwritten_vowels():
    assert skeleton_keys("amr al bshir") == skeleton_keys("omar al bashir")
    assert skeleton_keys("mhmd bn slman")[0] == skeleton_keys("mohammed bin salman")[0]
    assert skeleton_keys("hsn nsr allah")[0] == skeleton_keys("hassan nasrallah")[0]
    assert skeleton_keys("amr") == ("", "")  # too short to tell Omar from Amir


# (own script, Latin listing, least score)
PAIRS = [
    ("习近平", "XI, Jinping", 0.99), ("毛泽东", "MAO Zedong", 0.99),
    ("김정은", "KIM Jong Un", 0.99), ("문재인", "MOON Jae-in", 0.99),
    ("리병철", "RI Pyong Chol", 0.90), ("최룡해", "CHOE Ryong Hae", 0.90),
    ("عمر البشير", "Omar al-Bashir", ABJAD_SKELETON_SCORE),
    ("بشار الأسد", "Bashar al-Assad", ABJAD_SKELETON_SCORE),
    ("صدام حسين", "Saddam Hussein", ABJAD_SKELETON_SCORE),
    ("محمد بن سلمان", "Mohammed bin Salman", ABJAD_SKELETON_SCORE),
    ("علي خامنئي", "Ali Khamenei", 0.90),
    ("בנימין נתניהו", "Binyamin Netanyahu", ABJAD_SKELETON_SCORE),
    ("יוסף כהן", "Yosef Cohen", ABJAD_SKELETON_SCORE),
    ("नरेन्द्र मोदी", "Narendra Modi", 0.90),
    ("Սերժ Սարգսյան", "Serzh Sargsyan", 0.99),
    ("მიხეილ სააკაშვილი", "Mikheil Saakashvili", 0.99),
    ("Владимир Путин", "PUTIN, Vladimir Vladimirovich", 0.80),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    entries = [Entry(str(i), latin, entity_type="person") for i, (_, latin, _) in
               enumerate(PAIRS)]
    snapshot = entries_to_table("test-list", "2025-01-01", entries)
    return build_name_index([snapshot], cache_dir=tmp_path_factory.mktemp("scripts"))


def test_names_in_their_own_script_find_the_latin_listing(index):
    config = MatchConfig(review_threshold=0.5, hit_threshold=0.9, top_k=3)
    result = match_names(index, [own for own, _, _ in PAIRS], config).to_pylist()
    best = {}
    for row in result:
        if row["entry_id"] == str(row["query_pos"]):
            best[row["query_pos"]] = max(best.get(row["query_pos"], 0.0), row["score"])
    for position, (own, latin, least) in enumerate(PAIRS):
        assert best.get(position, 0.0) >= least - 1e-6, (own, latin, best.get(position))


def test_a_skeleton_match_is_a_near_match_that_says_so(index):
    result = match_names(index, ["عمر البشير"], MatchConfig()).to_pylist()
    assert [r["entry_id"] for r in result] == ["6"]
    assert not result[0]["is_hit"] and not result[0]["same_tokens"]
    assert "consonants of the Arabic- or Hebrew-script name" in result[0]["explanation"]


def test_latin_queries_are_untouched_by_skeletons(index):
    # A Latin name never goes through the skeleton path: Omer al-Beshir is a fuzzy match.
    result = match_names(index, ["Omar al-Bashir"], MatchConfig()).to_pylist()
    assert result[0]["same_tokens"] and result[0]["score"] > ABJAD_SKELETON_SCORE


@pytest.mark.parametrize(("arabic", "latin", "agree"), [
    ("mhmd hsin", "mohammad hossein", True),
    ("mhmd hsin", "mohammadi ehsan", False),  # Mohammadi ends, Ehsan starts with a vowel
    ("hsin", "hossein", True),
    ("hsin", "hassan", False),  # the long i of حسین is written
    ("hsn", "hassan", True),
    ("hsn", "hossein", False),  # ei writes a long vowel, which حسن lacks
    ("amr al bshir", "omar al bashir", True),  # an ayn may be any vowel
    ("fatmh", "fatemeh", True),  # a final ha writes a vowel
    ("slma hsn", "hosein salimi", False),  # a final alif is not an i
    ("yusf", "yousef", True), ("musui", "mousavi", True), ("whid", "vahid", True),
    ("abd al rhmn", "abdul rahman", True),  # words joined
    ("athman ali", "lithiumion", False),  # sorted skeletons agree, the words do not
    ("prisa sadqi", "proistok", False),
])
def test_written_vowels_must_agree_with_the_latin_name(arabic, latin, agree):
    assert written_vowels_agree(arabic, latin) is agree


@pytest.fixture(scope="module")
def abjad_index(tmp_path_factory):
    entries = [Entry("ehsan", "MOHAMMADI, Ehsan", entity_type="person"),
               Entry("hossein", "MOHAMMAD HOSSEIN", entity_type="person"),
               Entry("ahmadi", "محمد احمدی", entity_type="person")]
    snapshot = entries_to_table("test-list", "2025-01-01", entries)
    return build_name_index([snapshot], cache_dir=tmp_path_factory.mktemp("abjad"))


def test_arabic_names_meet_only_names_they_may_write(abjad_index):
    config = MatchConfig(review_threshold=0.5, hit_threshold=0.9)
    found = {(r["query_pos"], r["entry_id"]): r for r in match_names(
        abjad_index, ["محمد حسین", "محمود احمدی", "محمد احمدی"], config).to_pylist()}
    assert (0, "hossein") in found and (0, "ehsan") not in found
    # In one script a letter more is another name: Mahmoud is not Mohammad.
    assert found[(1, "ahmadi")]["score"] == pytest.approx(UNINFORMATIVE_CAP)
    assert found[(2, "ahmadi")]["same_tokens"]
