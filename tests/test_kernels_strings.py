"""String kernels against their naive twins and against RapidFuzz."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein
from reference import naive_strings

from bulkscreen_kernels.strings import (
    jaro_winkler,
    levenshtein_bounded,
    osa_bounded,
    sort_tokens,
    within_one_edit,
)

SMALL_ALPHABET = st.text(alphabet="abcab ed", max_size=24)
ANY_TEXT = st.text(max_size=30)
TEXTS = st.one_of(SMALL_ALPHABET, ANY_TEXT)


def codes(text: str) -> np.ndarray:
    return np.array([ord(ch) for ch in text], dtype=np.uint32)


@settings(max_examples=400, deadline=None)
@given(TEXTS, TEXTS)
def test_jaro_winkler_equals_naive_and_rapidfuzz(a, b):
    ours = jaro_winkler(codes(a), codes(b), 0.1)
    assert ours == pytest.approx(naive_strings.jaro_winkler(a, b), abs=1e-12)
    assert ours == pytest.approx(JaroWinkler.similarity(a, b), abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcab edé", min_size=40, max_size=70),
       st.text(alphabet="abcab ed", min_size=40, max_size=70))
def test_jaro_winkler_around_64_characters_equals_naive(a, b):
    # Strings of up to 64 ASCII characters take the bit-mask path, longer ones the loop.
    assert jaro_winkler(codes(a), codes(b), 0.1) == pytest.approx(
        naive_strings.jaro_winkler(a, b), abs=1e-12)
    assert jaro_winkler(codes(b), codes(a), 0.1) == pytest.approx(
        naive_strings.jaro_winkler(b, a), abs=1e-12)


@settings(max_examples=400, deadline=None)
@given(TEXTS, TEXTS, st.integers(0, 40))
def test_levenshtein_bounded_equals_naive_and_rapidfuzz(a, b, bound):
    ours = levenshtein_bounded(codes(a), codes(b), bound)
    assert ours == naive_strings.levenshtein_bounded(a, b, bound)
    assert ours == min(Levenshtein.distance(a, b), bound + 1)


@settings(max_examples=400, deadline=None)
@given(TEXTS, TEXTS, st.integers(0, 40))
def test_osa_bounded_equals_naive_and_rapidfuzz(a, b, bound):
    ours = osa_bounded(codes(a), codes(b), bound)
    assert ours == min(naive_strings.osa(a, b), bound + 1)
    assert ours == min(OSA.distance(a, b), bound + 1)


def _edited(word: str, at: int, kind: str, ch: str) -> str:
    return {
        "swap": word[:at] + word[at + 1:at + 2] + word[at:at + 1] + word[at + 2:],
        "substitute": word[:at] + ch + word[at + 1:],
        "insert": word[:at] + ch + word[at:],
        "delete": word[:at] + word[at + 1:],
    }[kind]


WORD = st.text(alphabet="abcab", max_size=12)
EDITED_PAIR = st.builds(lambda word, at, kind, ch: (word, _edited(word, at, kind, ch)),
                        WORD, st.integers(0, 12),
                        st.sampled_from(["swap", "substitute", "insert", "delete"]),
                        st.sampled_from("abz"))


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.tuples(TEXTS, TEXTS), st.tuples(WORD, WORD), EDITED_PAIR))
def test_within_one_edit_equals_osa_at_most_one(pair):
    a, b = pair
    expected = naive_strings.osa(a, b) <= 1
    assert within_one_edit(codes(a), codes(b)) == expected
    assert within_one_edit(codes(b), codes(a)) == expected


def test_osa_counts_a_transposition_once():
    assert osa_bounded(codes("petrov"), codes("eptrov"), 5) == 1
    assert levenshtein_bounded(codes("petrov"), codes("eptrov"), 5) == 2
    assert osa_bounded(codes("ca"), codes("abc"), 5) == 3  # no substring edited twice


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("martha", "marhta", 0.9611111),
    ("dwayne", "duane", 0.84),
    ("dixon", "dicksonx", 0.8133333),
    ("", "", 1.0),
    ("abc", "", 0.0),
])
def test_jaro_winkler_textbook_values(a, b, expected):
    assert jaro_winkler(codes(a), codes(b), 0.1) == pytest.approx(expected, abs=1e-6)


def test_levenshtein_stops_at_the_bound():
    a = codes("a" * 50)
    b = codes("b" * 50)
    assert levenshtein_bounded(a, b, 3) == 4
    assert levenshtein_bounded(a, b, 100) == 50


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet="ab é", max_size=12), ANY_TEXT), max_size=6))
def test_sort_tokens_equals_python_sorted_split(values):
    flat = np.array([ord(ch) for v in values for ch in v], dtype=np.uint32)
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum([len(v) for v in values], out=offsets[1:])
    out = sort_tokens(flat, offsets)
    got = ["".join(map(chr, out[offsets[i]:offsets[i + 1]])) for i in range(len(values))]
    assert got == [" ".join(sorted(v.split(" "))) for v in values]
