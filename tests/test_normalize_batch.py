"""Batch normalisation gives what one-by-one normalisation gives, and its fast paths agree."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkscreen.normalize import clear_name_cache, normalize_name, normalize_names
from bulkscreen.normalize.tables import (
    NEAR_INNER,
    NEAR_LEADING,
    NEAR_TRAILING,
    _deletions,
    _one_edit_variants,
    load_tables,
)
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
    assert got[4].text == "dongzhi" and got[4].legal_forms == ("kk",)
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


def _near_tokens(word):
    # Tokens one edit (or two) from a form word, the ones the role sets must get right.
    return st.sampled_from(sorted(_one_edit_variants(word))).flatmap(
        lambda token: st.sampled_from([token, *sorted(_one_edit_variants(token))[:40]])
    )


near_or_random_tokens = st.text(alphabet="abcdeiklmnoprstuy", min_size=1, max_size=14) | (
    st.sampled_from(sorted(load_tables().legal_forms.vocabulary)).flatmap(_near_tokens)
)


@settings(max_examples=400, deadline=None)
@given(near_or_random_tokens)
def test_misspelt_role_sets_agree_with_near_words(token):
    legal = load_tables().legal_forms
    first, inner = legal.misspelt_first_and_inner()
    roles = legal._find_near_words(token)[0]
    assert (token in first) == bool(roles & (NEAR_LEADING | NEAR_INNER))
    assert (token in inner) == bool(roles & NEAR_INNER)


@settings(max_examples=150, deadline=None)
@given(st.lists(near_or_random_tokens, max_size=30))
def test_batch_near_lookup_agrees_with_one_token_lookup(tokens):
    # remember_near_words settles most tokens by its length-grouped gate, without a
    # _find_near_words call; each must get what that call gives.
    legal = load_tables().legal_forms
    legal.forget_near_words()
    near = legal.tokens_near(tokens, NEAR_TRAILING | NEAR_INNER)
    assert [legal.near_words(t) for t in tokens] == [legal._find_near_words(t) for t in tokens]
    assert near == {t for t in tokens
                    if legal._find_near_words(t)[0] & (NEAR_TRAILING | NEAR_INNER)}
    legal.forget_near_words()


LOOK_ALIKE_PIECES = [
    "\u0410dmiralty", "Shipy\u0430rd", "\u041e\u041e\u041e", "L\u0422D", "Co\u200b.",
    "Comp\u0430ny", "\ufeffJSC", "Limi\u0442ed", "M\u0440", "Gmb\u041d", "Smith",
    "Toukyou", "\u0410.",
    "\u041a", "&", "株式会社", "ООО Ромашка", "Müller", "",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(LOOK_ALIKE_PIECES + ASCII_PIECES), max_size=6)
                .map(" ".join), max_size=12),
       st.sampled_from([None, "person", "organisation"]))
def test_names_folding_to_ascii_batch_as_one_by_one(texts, entity_type):
    # Names with look-alike or invisible characters fold to ASCII and join the ASCII batch.
    clear_name_cache()
    batch = normalize_names(texts, entity_type)
    clear_name_cache()
    assert [fields(n) for n in batch] == [fields(normalize_name(t, entity_type)) for t in texts]
