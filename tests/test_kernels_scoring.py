"""Scoring kernels (features, early stop, evidence, per-row selection) against naive twins."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import naive_scoring

from bulkscreen_kernels.scoring import (
    FEATURES,
    edit_similarities,
    pair_features,
    row_evidence_deltas,
    score_candidates,
    select_matches,
    token_table,
)

WEIGHTS = (0.40, 0.10, 0.27, 0.15, 0.08)
EVIDENCE_WEIGHTS = (0.02, 0.05, 0.03, 0.10, 0.10)
NO_KEEP_RULES = (1e9, 1e9, 2.0, 2.0)
TOKEN = st.text(alphabet="abcdeé", min_size=1, max_size=7)
NAME = st.lists(TOKEN, min_size=1, max_size=4).map(" ".join)


def texts(names: list[str], weights: list[list[float]]) -> tuple[np.ndarray, ...]:
    """A scoring text tuple: codes, offsets, sorted codes, offsets, token ptr, weights."""
    def encode(values):
        codes = np.array([ord(ch) for v in values for ch in v], dtype=np.uint32)
        offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum([len(v) for v in values], out=offsets[1:])
        return codes, offsets

    sorted_names = [" ".join(sorted(n.split(" "))) for n in names]
    token_ptr = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum([len(w) for w in weights], out=token_ptr[1:])
    flat = np.array([x for w in weights for x in w], dtype=np.float64)
    return (*encode(names), *encode(sorted_names), token_ptr, flat)


@st.composite
def scored_pairs(draw):
    queries = draw(st.lists(NAME, min_size=1, max_size=4))
    names = draw(st.lists(NAME, min_size=1, max_size=6))
    weight = st.floats(0.25, 4.0)
    q_weights = [draw(st.lists(weight, min_size=len(q.split(" ")), max_size=len(q.split(" "))))
                 for q in queries]
    n_weights = [draw(st.lists(weight, min_size=len(n.split(" ")), max_size=len(n.split(" "))))
                 for n in names]
    if draw(st.booleans()):
        # The same name on another list: same text, same weights.
        twin = draw(st.integers(0, len(names) - 1))
        at = draw(st.integers(0, len(names)))
        names.insert(at, names[twin])
        n_weights.insert(at, list(n_weights[twin]))
    return queries, q_weights, names, n_weights


@settings(max_examples=150, deadline=None)
@given(scored_pairs(), st.sampled_from([-1.0, 0.5, 0.8, 0.95]),
       st.sampled_from([WEIGHTS, (0.49, 0.0, 0.28, 0.15, 0.08), (0.5, 0.0, 0.0, 0.0, 0.5)]),
       st.sampled_from([(5.0, 4.0, 0.97, 0.5), (12.0, 1e9, 2.0, 2.0), (1e9, 5.0, 0.9, 0.3),
                        (1e9, 1e9, 0.97, 0.5)]))
def test_scores_equal_naive_features_or_stop_below_the_floor(case, floor, weights, keep_rules):
    queries, q_weights, names, n_weights = case
    q_texts, n_texts = texts(queries, q_weights), texts(names, n_weights)
    cand = np.tile(np.arange(len(names), dtype=np.int32), (len(queries), 1))
    # Names written twice with the same weights are scored once per query.
    first_of = {}
    same_text = np.array([first_of.setdefault((name, tuple(w)), i)
                          for i, (name, w) in enumerate(zip(names, n_weights, strict=True))],
                         dtype=np.int32)
    scores, kept_features = score_candidates(
        q_texts, n_texts, token_table(n_texts[0], n_texts[1]), same_text, cand,
        np.array(weights), keep_rules, floor, 2)
    q_rows = np.repeat(np.arange(len(queries)), len(names))
    n_rows = np.tile(np.arange(len(names)), len(queries))
    full, full_scores = pair_features(q_texts, q_rows, n_texts, n_rows, np.array(weights),
                                      keep_rules)
    assert edit_similarities(q_texts, q_rows, n_texts, n_rows).tolist() == full[:, 1].tolist()
    for p, (q, n) in enumerate(zip(q_rows, n_rows, strict=True)):
        expected = naive_scoring.features(queries[q], names[n], q_weights[q], n_weights[n])
        assert full[p].tolist() == pytest.approx([expected[f] for f in FEATURES], abs=1e-6)
        exact = naive_scoring.combined(expected, weights, queries[q], names[n], keep_rules)
        assert full_scores[p] == pytest.approx(exact, abs=1e-6)
        if scores[q, n] >= floor:
            assert scores[q, n] == pytest.approx(exact, abs=1e-6)
            # Every feature but the edit similarity is kept, exactly as computed in full.
            kept = kept_features[q, n].tolist()
            assert kept[1] == 0.0
            assert kept[:1] + kept[2:] == full[p].tolist()[:1] + full[p].tolist()[2:]
        else:
            assert exact < floor + 1e-6


def test_token_swap_and_dropped_token_features():
    q = texts(["smith john", "john smith"], [[1.0, 1.0], [1.0, 1.0]])
    n = texts(["john smith", "john william smith"], [[1.0, 1.0], [1.0, 1.0, 1.0]])
    full, _ = pair_features(q, np.array([0, 1]), n, np.array([0, 1]), np.array(WEIGHTS),
                            NO_KEEP_RULES)
    swapped, dropped = (dict(zip(FEATURES, row, strict=True)) for row in full.tolist())
    assert swapped["query_cover"] == 1.0 and swapped["name_cover"] == 1.0
    assert swapped["jaro_winkler"] == 1.0 and swapped["levenshtein"] == 1.0
    assert swapped["token_order"] == 0.0
    assert dropped["query_cover"] == 1.0
    assert dropped["name_cover"] == pytest.approx(2.0 / 3.0)
    assert dropped["token_order"] == 1.0


def test_typo_split_token_and_long_name_jaro_winkler():
    q = texts(["eptrov ivan", "rosoboron export", "global trading partners"],
              [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0, 1.0]])
    n = texts(["ivan petrov", "rosoboronexport", "global tradin partner x"],
              [[1.0, 1.0], [1.0], [1.0, 1.0, 1.0, 1.0]])
    rows = np.arange(3)
    full, scores = pair_features(q, rows, n, rows, np.array(WEIGHTS), (18.0, 1e9, 2.0, 2.0))
    typo, joined, long_name = (dict(zip(FEATURES, row, strict=True)) for row in full.tolist())
    # A transposition in a token of four or more letters is one edit: nearly equal, though
    # Jaro-Winkler (no common prefix) alone would say 0.94.
    assert naive_scoring.jaro_winkler("eptrov", "petrov") < 0.95
    assert typo["query_cover"] == pytest.approx((1.0 + 0.95) / 2.0)
    assert joined["levenshtein"] == 1.0
    written_jw = naive_scoring.jaro_winkler("global trading partners", "global tradin partner x")
    assert scores[2] == pytest.approx(max(written_jw, naive_scoring.combined(
        long_name, WEIGHTS)), abs=1e-6)
    assert scores[2] >= written_jw - 1e-9


@st.composite
def selection_cases(draw):
    n_names = draw(st.integers(1, 10))
    name_entry = draw(st.lists(st.integers(0, 4), min_size=n_names, max_size=n_names))
    k = draw(st.integers(1, 6))
    n_queries = draw(st.integers(1, 4))
    cand = []
    for _ in range(n_queries):
        ids = draw(st.lists(st.integers(0, n_names - 1), max_size=k, unique=True))
        scores = draw(st.lists(st.sampled_from([0.5, 0.79, 0.8, 0.85, 0.9, 0.97, 1.0]),
                               min_size=len(ids), max_size=len(ids)))
        cand.append(list(zip(ids, scores, strict=True)))
    n_rows = draw(st.integers(1, 8))
    rows = [(draw(st.integers(-1, n_queries - 1)), draw(st.sampled_from([-1, 0, 1, 2])),
             draw(st.sampled_from([0, 1980, 1981, 1990])), draw(st.sampled_from([-1, 0, 1])))
            for _ in range(n_rows)]
    entries = [(draw(st.sampled_from([-1, 0, 1])), draw(st.sets(st.integers(0, 2), max_size=2)),
                draw(st.sets(st.sampled_from([1980, 1985]), max_size=2))) for _ in range(5)]
    return name_entry, k, cand, rows, entries, draw(st.integers(1, 4))


@settings(max_examples=100, deadline=None)
@given(selection_cases())
def test_select_matches_equals_naive(case):
    name_entry, k, cand, rows, entries, top_k = case
    cand_idx = np.full((len(cand), k), -1, dtype=np.int32)
    cand_score = np.full((len(cand), k), -1.0, dtype=np.float32)
    for q, pairs in enumerate(cand):
        for c, (n, s) in enumerate(pairs):
            cand_idx[q, c], cand_score[q, c] = n, s
    entry_arrays = (
        np.array([e[0] for e in entries], np.int8),
        np.cumsum([0] + [len(e[1]) for e in entries]).astype(np.int64),
        np.array([c for e in entries for c in sorted(e[1])], np.int16),
        np.cumsum([0] + [len(e[2]) for e in entries]).astype(np.int64),
        np.array([y for e in entries for y in sorted(e[2])], np.int16),
    )
    row_query = np.array([r[0] for r in rows], np.int64)
    evidence = (np.array([r[1] for r in rows], np.int16), np.array([r[2] for r in rows], np.int16),
                np.array([r[3] for r in rows], np.int8))
    names = np.array(name_entry, np.int32)
    count, match_name, match_score = select_matches(
        row_query, cand_idx, cand_score, names, evidence, entry_arrays, EVIDENCE_WEIGHTS,
        0.8, top_k, 3)
    for r, (q, country, year, kind) in enumerate(rows):
        expected = []
        if q >= 0:
            deltas = [sum(naive_scoring.evidence(country, year, kind, *entries[name_entry[n]],
                                                 EVIDENCE_WEIGHTS))
                      for n, _ in cand[q]]
            scores32 = [(n, float(np.float32(s))) for n, s in cand[q]]
            expected = naive_scoring.select(scores32, name_entry, deltas, 0.8, top_k)
        got = list(zip(match_name[r, :count[r]].tolist(), match_score[r, :count[r]].tolist(),
                       strict=True))
        assert [n for n, _ in got] == [n for n, _ in expected]
        assert [s for _, s in got] == pytest.approx([s for _, s in expected], abs=1e-6)
        if count[r]:
            deltas = row_evidence_deltas(np.full(count[r], r), match_name[r, :count[r]], names,
                                         evidence, entry_arrays, EVIDENCE_WEIGHTS)
            for n, d in zip(match_name[r, :count[r]], deltas, strict=True):
                assert d.tolist() == pytest.approx(naive_scoring.evidence(
                    country, year, kind, *entries[name_entry[n]], EVIDENCE_WEIGHTS))


ANY_TOKEN = st.text(alphabet="abcdeinorstz0129é語", min_size=1, max_size=12)


@settings(max_examples=400, deadline=None)
@given(ANY_TOKEN, ANY_TOKEN)
def test_token_pruning_never_drops_a_pair_that_reaches_the_floor(a, b):
    from bulkscreen_kernels.scoring import TOKEN_MATCH_FLOOR, char_mask, token_may_match

    a_codes = np.array([ord(ch) for ch in a], dtype=np.uint32)
    b_codes = np.array([ord(ch) for ch in b], dtype=np.uint32)
    exact = naive_scoring.token_similarity(a, b)
    if not token_may_match(a_codes, char_mask(a_codes), b_codes, char_mask(b_codes)):
        assert exact < TOKEN_MATCH_FLOOR


def test_one_typo_and_contained_names_keep_their_jaro_winkler():
    q = texts(["rs 76719", "rahman abu", "zenith engineering"],
              [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    n = texts(["ra 76719", "rahman abu abdur", "intech engineering"],
              [[1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0]])
    rows = np.arange(3)
    rules = (1e9, 5.0, 0.97, 0.5)
    full, scores = pair_features(q, rows, n, rows, np.array(WEIGHTS), rules)
    _, plain_scores = pair_features(q, rows, n, rows, np.array(WEIGHTS), NO_KEEP_RULES)
    typo, contained, _ = (dict(zip(FEATURES, row, strict=True)) for row in full.tolist())
    # "rs" and "ra" are too short to count as near tokens; one edit over the whole name is.
    assert typo["query_cover"] < 0.8 and scores[0] == pytest.approx(typo["jaro_winkler"])
    assert scores[0] > plain_scores[0]
    # Every query token found in order: a dropped part keeps the whole-name similarity.
    assert contained["query_cover"] == 1.0 and contained["name_cover"] < 0.97
    assert scores[1] == pytest.approx(max(contained["jaro_winkler"], plain_scores[1]))
    # Neither rule: one differing token of two is not contained, and is two edits away.
    assert scores[2] == pytest.approx(plain_scores[2])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab é", max_size=9), max_size=5))
def test_token_table_holds_each_texts_tokens_and_masks(values):
    from bulkscreen_kernels.scoring import char_mask

    codes, offsets = texts(values, [[] for _ in values])[:2]
    token_ptr, starts, stops, masks = token_table(codes, offsets)
    for i, value in enumerate(values):
        spans = [(int(starts[t]), int(stops[t])) for t in range(token_ptr[i], token_ptr[i + 1])]
        assert [value[a:b] for a, b in spans] == value.split()
        text = codes[offsets[i]:offsets[i + 1]]
        assert [int(masks[t]) for t in range(token_ptr[i], token_ptr[i + 1])] == [
            int(char_mask(text[a:b])) for a, b in spans]
