"""Index kernels (grams, token hashes, postings, top-K candidates) against their naive twins."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import naive_index

from bulkscreen_kernels.index import (
    build_postings,
    gram_keys,
    query_key_ids,
    token_keys,
    top_candidates,
)

TEXTS = st.lists(st.text(alphabet="abcd  é", max_size=12), max_size=12)


def encode(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    codes = np.array([ord(ch) for t in texts for ch in t], dtype=np.uint32)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    return codes, offsets


def rows_of(ptr: np.ndarray, values: np.ndarray) -> list[list[int]]:
    return [values[ptr[i]:ptr[i + 1]].tolist() for i in range(ptr.shape[0] - 1)]


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_gram_and_token_keys_equal_naive(texts):
    codes, offsets = encode(texts)
    assert rows_of(*gram_keys(codes, offsets)) == [naive_index.gram_keys(t) for t in texts]
    assert rows_of(*token_keys(codes, offsets)) == [naive_index.token_keys(t) for t in texts]


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.lists(st.text(alphabet="abcd  é", max_size=12), max_size=8), st.randoms())
def test_query_key_ids_equal_naive(texts, list_texts, random):
    # The index knows the keys of list_texts (a random part of them), queries are texts.
    known_grams = sorted({g for t in list_texts for g in naive_index.gram_keys(t)})
    known_tokens = sorted({k for t in list_texts for k in naive_index.token_keys(t)})
    gram_dict = sorted(random.sample(known_grams, random.randint(0, len(known_grams))))
    token_dict = sorted(random.sample(known_tokens, random.randint(0, len(known_tokens))))
    key_idf = np.array([random.uniform(0.5, 9.0) for _ in gram_dict + token_dict],
                       dtype=np.float32)
    codes, offsets = encode(texts)
    key_ptr, key_ids, key_weight, token_weight = query_key_ids(
        *gram_keys(codes, offsets), *token_keys(codes, offsets),
        np.array(gram_dict, dtype=np.int64), np.array(token_dict, dtype=np.int64), key_idf, 7.5)
    token_ptr, _ = token_keys(codes, offsets)
    for i, text in enumerate(texts):
        keys, weights = naive_index.query_key_ids(text, gram_dict, token_dict,
                                                  key_idf.astype(float).tolist(), 7.5)
        got = list(zip(key_ids[key_ptr[i]:key_ptr[i + 1]].tolist(),
                       key_weight[key_ptr[i]:key_ptr[i + 1]].tolist(), strict=True))
        assert got == keys
        assert token_weight[token_ptr[i]:token_ptr[i + 1]].tolist() == weights


def test_query_key_ids_of_long_texts_are_sorted_and_distinct():
    # Past the small-row insertion sort: a long text with many repeated grams and tokens.
    text = " ".join(["abc", "bcd", "abc", "cab"] * 20)
    codes, offsets = encode([text, "", "cab"])
    grams = sorted(set(naive_index.gram_keys(text)))
    tokens = sorted(set(naive_index.token_keys(text)))
    key_ptr, key_ids, key_weight, token_weight = query_key_ids(
        *gram_keys(codes, offsets), *token_keys(codes, offsets),
        np.array(grams[::2], dtype=np.int64), np.array(tokens, dtype=np.int64),
        np.arange(1, len(grams[::2]) + len(tokens) + 1, dtype=np.float32), 100.0)
    first = key_ids[key_ptr[0]:key_ptr[1]].tolist()
    assert len(first) == len(grams) + len(tokens)
    assert first[:len(grams)] == [i // 2 if i % 2 == 0 else -1 for i in range(len(grams))]
    assert first[len(grams):] == [len(grams[::2]) + r for r in range(len(tokens))]
    # Weight: IDF (rank + 1 here) of a known key, the unseen weight for an unseen gram.
    assert key_weight[key_ptr[0]:key_ptr[1]].tolist() == [
        r + 1.0 if r >= 0 else 100.0 for r in first]
    assert key_ptr[2] - key_ptr[1] == 0
    assert token_weight.shape[0] == 81


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 20).flatmap(lambda n_keys: st.tuples(
    st.just(n_keys), st.lists(st.sets(st.integers(0, n_keys - 1)), max_size=15))))
def test_build_postings_equals_naive(case):
    n_keys, row_sets = case
    rows = [sorted(s) for s in row_sets]
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=ptr[1:])
    keys = np.array([k for r in rows for k in r], dtype=np.int32)
    post_ptr, post_rows = build_postings(ptr, keys, n_keys)
    assert rows_of(post_ptr, post_rows) == naive_index.build_postings(rows, n_keys)


@st.composite
def candidate_cases(draw):
    n_keys = draw(st.integers(1, 12))
    names = draw(st.lists(st.sets(st.integers(0, n_keys - 1), min_size=1), min_size=1,
                          max_size=25))
    # Integer weights keep every sum exact, so ties break identically in both versions.
    key_weight = draw(st.lists(st.integers(1, 4), min_size=n_keys, max_size=n_keys))
    queries = draw(st.lists(st.sets(st.integers(-1, n_keys - 1)), min_size=1, max_size=6))
    k = draw(st.integers(1, 6))
    min_overlap = draw(st.sampled_from([0.0, 0.3, 0.6]))
    return n_keys, names, [float(w) for w in key_weight], queries, k, min_overlap


@settings(max_examples=200, deadline=None)
@given(candidate_cases())
def test_top_candidates_equal_brute_force(case):
    assert_top_candidates_equal_naive(case)


def assert_top_candidates_equal_naive(case):
    n_keys, names, key_weight, queries, k, min_overlap = case
    name_ptr = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum([len(n) for n in names], out=name_ptr[1:])
    name_keys = np.array([x for n in names for x in sorted(n)], dtype=np.int32)
    post_ptr, post_names = build_postings(name_ptr, name_keys, n_keys)
    name_weight = np.array([sum(key_weight[x] for x in n) for n in names], dtype=np.float32)
    query_lists = [sorted(q) for q in queries]
    query_ptr = np.zeros(len(queries) + 1, dtype=np.int64)
    np.cumsum([len(q) for q in query_lists], out=query_ptr[1:])
    query_keys = np.array([x for q in query_lists for x in q], dtype=np.int64)
    query_weight = np.array([key_weight[x] if x >= 0 else 2.0 for x in query_keys])
    cand_idx, cand_score = top_candidates(query_ptr, query_keys, query_weight,
                                          (post_ptr, post_names), name_weight,
                                          (k, 10**9, min_overlap), 3)
    for i, q in enumerate(query_lists):
        expected = naive_index.top_candidates(
            q, [key_weight[x] if x >= 0 else 2.0 for x in q], [set(n) for n in names],
            key_weight, name_weight.tolist(), k, min_overlap)
        got = [(int(n), float(s)) for n, s in zip(cand_idx[i], cand_score[i], strict=True)
               if n >= 0]
        assert [n for n, _ in got] == [n for n, _ in expected]
        assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-6)


@st.composite
def long_query_cases(draw):
    # Many keys per query (past the small-query sort), skewed key popularity (long and
    # short postings) and a least overlap, so names get dropped as out of reach.
    n_keys = draw(st.integers(65, 120))
    n_names = draw(st.integers(1, 40))
    popularity = [draw(st.floats(0.02, 0.9)) for _ in range(n_keys)]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    names = [{x for x in range(n_keys) if rng.random() < popularity[x]} or {0}
             for _ in range(n_names)]
    key_weight = [float(w) for w in rng.integers(1, 6, n_keys)]
    query = sorted(set(rng.choice(n_keys, draw(st.integers(65, n_keys)), replace=False)
                       .tolist()))
    return n_keys, names, key_weight, [query], draw(st.integers(1, 8)), \
        draw(st.sampled_from([0.1, 0.3, 0.5]))


@settings(max_examples=60, deadline=None)
@given(long_query_cases())
def test_top_candidates_of_long_queries_equal_brute_force(case):
    assert_top_candidates_equal_naive(case)


def test_posting_budget_reads_rarest_keys_first():
    # Key 0 is in every name, key 1 only in name 3: a budget of one posting list keeps key 1.
    names = [[0], [0], [0], [0, 1]]
    ptr = np.array([0, 1, 2, 3, 5], dtype=np.int64)
    post_ptr, post_names = build_postings(ptr, np.array([0, 0, 0, 0, 1], np.int32), 2)
    weight = np.ones(len(names), dtype=np.float32)
    cand_idx, _ = top_candidates(np.array([0, 2], np.int64), np.array([0, 1], np.int64),
                                 np.array([1.0, 1.0]), (post_ptr, post_names), weight,
                                 (4, 1, 0.0), 2)
    assert cand_idx[0].tolist() == [3, -1, -1, -1]
