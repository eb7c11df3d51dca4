"""Matches resting only on generic words and place names stay under the review threshold."""

from __future__ import annotations

import pytest

from bulkscreen.config import MatchConfig
from bulkscreen.lists.name_index import build_name_index
from bulkscreen.lists.records import Entry, entries_to_table
from bulkscreen.matching.algorithm import UNINFORMATIVE_CAP
from bulkscreen.matching.informative import shares_informative_token, uninformative_tokens
from bulkscreen.matching.match import match_names


def test_places_and_business_words_are_uninformative():
    words = uninformative_tokens()
    for token in ("shenzhen", "chengdu", "moscow", "minsk", "technology", "trading"):
        assert token in words
    for token in ("tianhe", "jingxin", "rosoboronexport", "huawei"):
        assert token not in words


@pytest.mark.parametrize(("query", "name", "informative"), [
    ("shenzhen tianhe technology", "shenzhen yitai technology", False),
    ("chengdu haitai machinery", "chengdu jingxin microwave technology", False),
    ("shenzhen yitay technology", "shenzhen yitai technology", True),  # typo in the name part
    ("premier internationl", "premier international", True),  # the same words, one typo
    ("premier international trading", "premier international", True),  # premier counts
    ("moscow trading", "moscow trading technology", False),
    # Generic words and places alone, spelt otherwise: not the same party without the
    # same tokens.
    ("universal technologies", "universal technology", False),
    # What a maker makes, or what kind of institution it is, does not say which (v2 words).
    ("shenzhen guoxin optoelectronics", "shandong huaguang optoelectronics", False),
    ("isfahan university of technology", "amirkabir university of technology", False),
    ("radio systems", "uranis radio systems", False),
])
def test_a_match_needs_an_informative_token_or_the_same_words(query, name, informative):
    assert shares_informative_token(query, name) is informative


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    entries = [
        Entry("1", "Shenzhen Yitai Technology Co Ltd", entity_type="organisation"),
        Entry("2", "Asia Pacific Trading Technology", entity_type="organisation"),
        Entry("3", "Chengdu Wuhan", entity_type="person"),
    ]
    snapshot = entries_to_table("test-list", "2025-01-01", entries)
    return build_name_index([snapshot], cache_dir=tmp_path_factory.mktemp("informative"))


def test_generic_only_matches_are_capped_and_dropped_under_the_review_threshold(index):
    queries = ["Shenzhen Tianhe Technology Limited", "Shenzhen Yitay Technology Co., Ltd.",
               "Asia Pacific Trading Technologies Ltd", "Chengdu Wuhann"]
    found = {(r["query_pos"], r["entry_id"]): r
             for r in match_names(index, queries, MatchConfig()).to_pylist()}
    assert (0, "1") not in found  # only Shenzhen and Technology in common
    assert found[(1, "1")]["score"] > UNINFORMATIVE_CAP  # a typo of the listed name
    assert (2, "2") in found  # every word matches, one with a typo
    assert (3, "3") in found  # person names are left alone

    low = MatchConfig(review_threshold=0.5, hit_threshold=0.9)
    kept = {(r["query_pos"], r["entry_id"]): r
            for r in match_names(index, queries, low).to_pylist()}
    assert kept[(0, "1")]["score"] == pytest.approx(UNINFORMATIVE_CAP)
    assert "only generic words or place names" in kept[(0, "1")]["explanation"]
    assert not kept[(0, "1")]["is_hit"]


def test_pair_answers_are_kept_within_their_bound(monkeypatch):
    import numpy as np

    from bulkscreen.matching import informative

    informative._shares_informative.cache_clear()
    calls = []
    real = informative.shares_informative_token
    monkeypatch.setattr(informative, "shares_informative_token",
                        lambda q, n: calls.append((q, n)) or real(q, n))
    queries = ["shenzhen tianhe technology", "shenzhen yitay technology"] * 3
    names = ["shenzhen yitai technology"] * 6
    got = informative.informative_matches(queries, names, np.ones(6, dtype=bool))
    # Each distinct pair is judged once, with the answer of judging it afresh.
    assert got.tolist() == [False, True] * 3 and len(calls) == 2
    assert informative._shares_informative.cache_info().maxsize == informative.PAIRS_KEPT
    for i in range(informative.PAIRS_KEPT + 10):
        informative._shares_informative(f"query {i}", "name")
    assert informative._shares_informative.cache_info().currsize == informative.PAIRS_KEPT
