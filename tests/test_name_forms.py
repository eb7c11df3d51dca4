"""Forms of the same name: initials, acronyms, ordinals, a leading article, titles."""

from __future__ import annotations

import pytest

from bulkscreen.config import MatchConfig
from bulkscreen.lists.name_index import build_name_index
from bulkscreen.lists.records import Entry, entries_to_table
from bulkscreen.matching.initials import (
    ACRONYM_SCORE,
    INITIALS_SCORE,
    acronyms_of,
    covers_with_initials,
)
from bulkscreen.matching.match import match_names
from bulkscreen.normalize import normalize_name


@pytest.mark.parametrize(("query", "name", "covered"), [
    ("jc juncker", "jean claude juncker", True),
    ("vv putin", "putin vladimir vladimirovich", True),
    ("v putin", "putin vladimir", True),
    ("v putin", "putin vladimir vladimirovich", False),  # the patronymic is left over
    ("jc juncker", "jean juncker", False),  # no second given name for the c
    ("juncker", "jean claude juncker", False),  # no initial at all
    ("jc smith", "jean claude juncker", False),  # the family name differs
])
def test_initials_stand_for_consecutive_tokens(query, name, covered):
    assert covers_with_initials(query.split(), name.split()) is covered


def test_acronyms_with_and_without_function_words():
    assert acronyms_of(["peoples", "liberation", "army"]) == {"pla"}
    assert "isil" in acronyms_of(["islamic", "state", "of", "iraq", "and", "the", "levant"])
    assert acronyms_of(["rosoboronexport"]) == set()


@pytest.mark.parametrize(("one", "other"), [
    ("1st Investment Bank", "First Investment Bank"),
    ("3rd Generation Trading LLC", "Third Generation Trading"),
    ("4th Department", "Fourth Department"),  # the word folds its long vowel like the digits
    ("The World Bank", "WORLD BANK"),
])
def test_ordinals_and_a_leading_article_read_alike(one, other):
    assert normalize_name(one).text == normalize_name(other).text


def test_a_leading_article_stays_in_a_person_name_and_alone():
    assert normalize_name("The", "organisation").text == "the"
    assert normalize_name("The Smith", "person").text == "the smith"


@pytest.mark.parametrize("titled", [
    "Präsident Wladimir Putin", "Президент Владимир Путин", "Presidente Vladimir Putin",
    "Minister Vladimir Putin", "Генерал Владимир Путин",
])
def test_titles_in_many_languages_are_stripped_from_person_names(titled):
    assert normalize_name(titled, "person").text in ("vladimir putin", "wladimir putin")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    entries = [
        Entry("1", "Jean-Claude JUNCKER", entity_type="person"),
        Entry("2", "PUTIN, Vladimir Vladimirovich", entity_type="person"),
        Entry("3", "People's Liberation Army", entity_type="organisation"),
        Entry("4", "Islamic Revolutionary Guard Corps", entity_type="organisation"),
        Entry("5", "Pan Liu Ahmed", entity_type="person"),
    ]
    snapshot = entries_to_table("test-list", "2025-01-01", entries)
    return build_name_index([snapshot], cache_dir=tmp_path_factory.mktemp("forms"))


def test_initials_and_acronyms_find_their_listing_as_near_matches(index):
    queries = ["J.-C. Juncker", "В. В. Путин", "PLA", "I.R.G.C.", "Pla", "J. Smith", "ABC"]
    found = {(r["query_pos"], r["entry_id"]): r
             for r in match_names(index, queries, MatchConfig()).to_pylist()}
    assert found[(0, "1")]["score"] == pytest.approx(INITIALS_SCORE)
    assert found[(1, "2")]["score"] == pytest.approx(INITIALS_SCORE)
    assert found[(2, "3")]["score"] == pytest.approx(ACRONYM_SCORE)
    assert found[(3, "4")]["score"] == pytest.approx(ACRONYM_SCORE)
    assert "acronym of the list name" in found[(2, "3")]["explanation"]
    assert not found[(2, "3")]["is_hit"] and not found[(2, "3")]["same_tokens"]
    assert (4, "3") not in found  # an acronym is written in capitals
    assert (2, "5") not in found  # acronyms stand for organisations, not persons
    assert not any(pos in (5, 6) for pos, _ in found)


def test_per_index_cache_builds_once_and_keeps_the_most_recent():
    from types import SimpleNamespace

    from bulkscreen.matching.extra_rows import PerIndexCache

    built: list[str] = []

    def build(index):
        built.append(index.key)
        return {"key": index.key}

    cache = PerIndexCache(build, kept=2)
    a, b, c = (SimpleNamespace(key=k) for k in "abc")
    assert cache.get(a) == {"key": "a"}
    assert cache.get(a) is cache.get(a)
    cache.get(b)
    cache.get(a)  # a is now the most recent
    cache.get(c)  # drops b, the least recently used
    assert len(cache) == 2
    cache.get(a)
    cache.get(b)
    assert built == ["a", "b", "c", "b"]


def test_initials_and_skeleton_lookups_share_the_per_index_cache():
    from bulkscreen.matching import abjad, initials
    from bulkscreen.matching.extra_rows import PerIndexCache

    assert isinstance(abjad._lookups, PerIndexCache)
    assert isinstance(initials._lookups, PerIndexCache)
