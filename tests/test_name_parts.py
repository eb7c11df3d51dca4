"""A match must cover the family name, a one-word list name whole, and short names exactly."""

from __future__ import annotations

import pytest

from bulkscreen.config import MatchConfig
from bulkscreen.lists.name_index import build_name_index
from bulkscreen.lists.records import Entry, entries_to_table
from bulkscreen.matching.algorithm import UNINFORMATIVE_CAP
from bulkscreen.matching.match import match_names
from bulkscreen.matching.name_parts import (
    consonant_skeleton,
    covers_family_name,
    family_tokens,
    short_token_conflict,
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
