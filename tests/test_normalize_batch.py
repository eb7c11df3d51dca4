"""Batch normalisation gives what one-by-one normalisation gives, and its fast paths agree."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkscreen.normalize import clear_name_cache, normalize_name, normalize_names
from bulkscreen.normalize.tables import _deletions, load_tables
from bulkscreen.normalize.tokens import fold_characters, split_ascii_names, split_tokens

# ASCII names built from pieces that exercise every rule: forms at the edges and inside,
# misspelt forms, initials, '&', apostrophes, long vowels, punctuation, letterless names.
ASCII_PIECES = [
    "Admiralty", "Shipyard", "LLC", "Ltd", "Co.", "Limietd", "Limited", "Liability",
    "Company", "Compnay", "Joint", "Joit", "Stock", "GmbH", "Gbmh", "OOO", "ooo", "Mr",
    "Dr.", "J.", "P.", "K", "&", "Qa'ida", "Toukyou", "Kabushiki", "Kaisha", "S.A.",
    "de", "C.V.", "Berhad", "Behrad", "123", "-", "...", "\t", "",
]
ascii_names = st.lists(st.sampled_from(ASCII_PIECES), max_size=7).map(" ".join) | st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=30
)


def fields(name):
    return (name.text, name.tokens, name.legal_forms, name.script, name.honorifics)


@settings(max_examples=300, deadline=None)
@given(st.lists(ascii_names, max_size=12))
def test_split_ascii_names_matches_split_tokens(texts):
    assert split_ascii_names(texts) == [split_tokens(fold_characters(t)) for t in texts]


@settings(max_examples=200, deadline=None)
@given(st.lists(ascii_names | st.text(max_size=20), max_size=15),
       st.sampled_from([None, "person", "organisation", "vessel"]))
def test_batch_matches_one_by_one(texts, entity_type):
    clear_name_cache()
    batch = normalize_names(texts, entity_type)
    clear_name_cache()
    assert [fields(n) for n in batch] == [fields(normalize_name(t, entity_type)) for t in texts]


def test_batch_with_nulls_repeats_and_mixed_types():
    texts = ["Acme Trading LLC", None, "Mr John Smith", "Acme Trading LLC", "株式会社東芝"]
    types = ["organisation", "person", "person", "unknown", None]
    got = normalize_names(texts, types)
    assert got[1] is None
    assert got[0].text == got[3].text == "acme trading"
    assert got[2].text == "john smith" and got[2].honorifics == ("mr",)
    assert got[4].text == "東芝" and got[4].legal_forms == ("kk",)
    again = normalize_names(texts, types)
    assert [fields(n) for n in again if n] == [fields(n) for n in got if n]


def test_empty_batch():
    assert normalize_names([]) == []
    assert split_ascii_names([]) == []
    with pytest.raises(ValueError):
        normalize_names([], "spaceship")


def _near_by_brute_force(table, token):
    lookup = table.near_by_deletion.get
    return [hit for hit in map(lookup, _deletions(token)) if hit]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="abcdeilmnoprstuy", min_size=4, max_size=14)
       | st.sampled_from(sorted(load_tables().legal_forms.vocabulary)).flatmap(
           lambda word: st.sampled_from([*_deletions(word)[1:], word + "s", word[::-1]])
       ))
def test_deletion_gate_finds_every_shared_deletion(token):
    # The edge-character gate builds fewer deletions but must miss none.
    legal = load_tables().legal_forms
    if len(token) < 4:
        return
    got = set().union(*legal._deletion_hits(token))
    assert got == set().union(*_near_by_brute_force(legal, token))


def test_near_words_of_batch_and_single_agree():
    legal = load_tables().legal_forms
    tokens = ["cmpany", "limietd", "gbmh", "joit", "trading", "smith", "compnay", "ltd"]
    legal.forget_near_words()
    single = [legal.near_words(t) for t in tokens]
    legal.forget_near_words()
    legal.remember_near_words(tokens + tokens)
    assert [legal.near_words(t) for t in tokens] == single
    assert "company" in single[0][1]
