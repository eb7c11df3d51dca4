"""Pair features, their weighted combination, secondary evidence and top-k per query.

A *text* is a ``(codes, offsets)`` string column plus its token-sorted twin and the weight of
each token (tokens are single-space separated, weights parallel to them in CSR order):
``texts = (codes, offsets, sorted_codes, sorted_offsets, token_ptr, token_weight)``.

Features of a (query, list name) pair, each in [0, 1], in ``FEATURES`` order:

``jaro_winkler``
    Jaro-Winkler of the two names, the better of as-written and token-sorted order.
``levenshtein``
    ``1 - distance / longer length`` of the token-sorted names (bounded distance).
``token_set``
    Mean of two coverages: the weighted share of the query's tokens that have a close
    token in the list name, and vice versa. Token similarity is the mean of Jaro-Winkler
    and ``1 - Levenshtein / longer length`` (Jaro-Winkler alone rewards shared prefixes such
    as engine/engineering); tokens under ``TOKEN_MATCH_FLOOR`` count as unmatched.
``token_order``
    Share of consecutive matched query tokens whose partners keep their order.

Evidence, applied per query row where both sides have it, as signed score deltas:
country (query country among the entry's), birth year (equal, or more than one year apart),
entity type (a person against a non-person).
"""

from __future__ import annotations

import numba
import numpy as np

from bulkscreen_kernels._jit import jit, jit_parallel
from bulkscreen_kernels.strings import jaro_winkler_scratch, levenshtein_bounded_scratch

FEATURES = ("jaro_winkler", "levenshtein", "token_set", "token_order")
EVIDENCE = ("country", "birth_year", "entity_type")
N_FEATURES = 4
N_EVIDENCE = 3
TOKEN_MATCH_FLOOR = 0.8
PREFIX_WEIGHT = 0.1
SPACE = 32
ENTITY_PERSON = 0
ENTITY_UNKNOWN = -1
# Feature slots in the features array.
JW, LEV, TOKEN_SET, TOKEN_ORDER = 0, 1, 2, 3


@jit
def _token_spans(text, starts, stops):
    """Write the [start, stop) of each space-separated token; return their number."""
    n = 0
    in_token = False
    for p in range(text.shape[0]):
        if text[p] == SPACE:
            if in_token:
                stops[n] = p
                n += 1
            in_token = False
        elif not in_token:
            in_token = True
            starts[n] = p
    if in_token:
        stops[n] = text.shape[0]
        n += 1
    return n


@jit
def make_scratch(longest):
    """Buffers for :func:`pair_features_scratch`: (a_flags, b_flags, row, spans, floats)."""
    size = longest + 2
    return (np.zeros(size, np.bool_), np.zeros(size, np.bool_), np.empty(size, np.int64),
            np.empty((4, size), np.int64), np.empty((2, size), np.float64))


@jit
def token_similarity(a, b, a_flags, b_flags, row):
    """Mean of Jaro-Winkler and normalised Levenshtein similarity of two tokens.

    Below ``TOKEN_MATCH_FLOOR`` the value is only a lower bound (the Levenshtein half is
    skipped when it cannot lift the pair over the floor).
    """
    jw = jaro_winkler_scratch(a, b, PREFIX_WEIGHT, a_flags, b_flags)
    if 0.5 * (jw + 1.0) < TOKEN_MATCH_FLOOR:
        return 0.5 * jw
    longer = max(a.shape[0], b.shape[0])
    if longer == 0:
        return 1.0
    distance = levenshtein_bounded_scratch(a, b, longer, row)
    return 0.5 * (jw + 1.0 - distance / longer)


@jit
def _token_set_order(query, query_token_weight, name, name_token_weight, scratch, out):
    """Fill ``out[TOKEN_SET]`` and ``out[TOKEN_ORDER]`` from token similarities."""
    a_flags, b_flags, row, spans, floats = scratch
    n_q = _token_spans(query, spans[0], spans[1])
    n_n = _token_spans(name, spans[2], spans[3])
    name_best = floats[1]
    for j in range(n_n):
        name_best[j] = 0.0
    query_total = 0.0
    query_covered = 0.0
    matched = 0
    in_order = 0
    last_partner = -1
    for i in range(n_q):
        token = query[spans[0, i]:spans[1, i]]
        best = 0.0
        partner = -1
        for j in range(n_n):
            sim = token_similarity(token, name[spans[2, j]:spans[3, j]], a_flags, b_flags,
                                   row)
            if sim > best:
                best = sim
                partner = j
            if sim > name_best[j]:
                name_best[j] = sim
        weight = query_token_weight[i] if i < query_token_weight.shape[0] else 1.0
        query_total += weight
        if best >= TOKEN_MATCH_FLOOR:
            query_covered += weight * best
            if matched > 0 and partner > last_partner:
                in_order += 1
            matched += 1
            last_partner = partner
    name_total = 0.0
    name_covered = 0.0
    for j in range(n_n):
        weight = name_token_weight[j] if j < name_token_weight.shape[0] else 1.0
        name_total += weight
        if name_best[j] >= TOKEN_MATCH_FLOOR:
            name_covered += weight * name_best[j]
    query_share = query_covered / query_total if query_total > 0 else 0.0
    name_share = name_covered / name_total if name_total > 0 else 0.0
    out[TOKEN_SET] = 0.5 * (query_share + name_share)
    out[TOKEN_ORDER] = in_order / (matched - 1) if matched > 1 else 1.0


@jit
def pair_features_scratch(query, query_sorted, query_token_weight, name, name_sorted,
                          name_token_weight, weights, floor, scratch, out):
    """Fill ``out`` with the features of one pair and return their weighted sum.

    Features are computed cheapest-first; once the best score still reachable falls under
    ``floor`` the remaining features are left at 0 and that upper bound is returned, so a
    return value under ``floor`` means "cannot reach the floor", not an exact score.
    """
    a_flags, b_flags, row, _, _ = scratch
    for f in range(N_FEATURES):
        out[f] = 0.0
    _token_set_order(query, query_token_weight, name, name_token_weight, scratch, out)
    reachable = 1.0 - weights[TOKEN_SET] * (1.0 - out[TOKEN_SET])
    reachable -= weights[TOKEN_ORDER] * (1.0 - out[TOKEN_ORDER])
    if reachable < floor:
        return reachable
    jw = jaro_winkler_scratch(query, name, PREFIX_WEIGHT, a_flags, b_flags)
    jw_sorted = jaro_winkler_scratch(query_sorted, name_sorted, PREFIX_WEIGHT, a_flags, b_flags)
    out[JW] = max(jw, jw_sorted)
    reachable -= weights[JW] * (1.0 - out[JW])
    if reachable < floor:
        return reachable
    longer = max(query_sorted.shape[0], name_sorted.shape[0])
    if longer == 0:
        out[LEV] = 1.0
    else:
        # Only distances that can still lift the pair over the floor need computing.
        slack = (reachable - floor) / weights[LEV] if weights[LEV] > 0 else 1.0
        bound = np.int64(min(1.0, slack) * longer) + 1
        distance = levenshtein_bounded_scratch(query_sorted, name_sorted, bound, row)
        out[LEV] = max(0.0, 1.0 - distance / longer)
    total = 0.0
    for f in range(N_FEATURES):
        total += weights[f] * out[f]
    return total


@jit
def _string(codes, offsets, i):
    return codes[offsets[i]:offsets[i + 1]]


@jit
def _longest(offsets):
    longest = 1
    for i in range(offsets.shape[0] - 1):
        longest = max(longest, offsets[i + 1] - offsets[i])
    return longest


@jit
def _pair_score(queries, q, names, n, weights, floor, scratch, out):
    q_codes, q_offsets, q_sorted_codes, q_sorted_offsets, q_token_ptr, q_token_weight = queries
    n_codes, n_offsets, n_sorted_codes, n_sorted_offsets, n_token_ptr, n_token_weight = names
    return pair_features_scratch(
        _string(q_codes, q_offsets, q), _string(q_sorted_codes, q_sorted_offsets, q),
        q_token_weight[q_token_ptr[q]:q_token_ptr[q + 1]],
        _string(n_codes, n_offsets, n), _string(n_sorted_codes, n_sorted_offsets, n),
        n_token_weight[n_token_ptr[n]:n_token_ptr[n + 1]],
        weights, floor, scratch, out)


@jit_parallel
def score_candidates(queries, names, cand_idx, weights, floor, n_chunks):
    """Combined score of every (query, candidate) pair.

    Parameters
    ----------
    queries, names
        Texts as described in the module docstring.
    cand_idx
        int32 ``(n_queries, k)`` candidate name ids, ``-1`` for none.
    weights
        float64 feature weights in ``FEATURES`` order, summing to 1.
    floor
        Pairs that cannot reach this score stop early and score below it.
    n_chunks
        Work chunks spread over the threads (a few per thread).

    Returns
    -------
    numpy.ndarray
        float32 ``(n_queries, k)`` scores; exact where ``>= floor``, ``-1`` for no candidate.
    """
    n_queries, k = cand_idx.shape
    scores = np.full((n_queries, k), -1.0, dtype=np.float32)
    longest = max(_longest(queries[1]), _longest(names[1]))
    n_chunks = min(n_queries, max(1, n_chunks))
    for chunk in numba.prange(n_chunks):
        scratch = make_scratch(longest)
        features = np.empty(N_FEATURES, dtype=np.float64)
        for q in range(chunk, n_queries, n_chunks):
            for c in range(k):
                n = cand_idx[q, c]
                if n < 0:
                    break
                scores[q, c] = _pair_score(queries, q, names, n, weights, floor, scratch,
                                           features)
    return scores


@jit
def pair_features(queries, query_rows, names, name_rows, weights):
    """Full feature vectors of chosen (query, name) pairs, for explanations.

    Returns
    -------
    numpy.ndarray
        float32 ``(n_pairs, N_FEATURES)``.
    """
    n_pairs = query_rows.shape[0]
    out = np.zeros((n_pairs, N_FEATURES), dtype=np.float32)
    scratch = make_scratch(max(_longest(queries[1]), _longest(names[1])))
    features = np.empty(N_FEATURES, dtype=np.float64)
    for p in range(n_pairs):
        _pair_score(queries, query_rows[p], names, name_rows[p], weights, -np.inf, scratch,
                    features)
        for f in range(N_FEATURES):
            out[p, f] = features[f]
    return out


@jit
def _evidence(query_country, query_year, query_type, entry, entries, evidence_weights, out):
    """Signed score deltas from country, birth year and entity type; returns their sum."""
    entry_type, country_ptr, country_codes, year_ptr, year_values = entries
    country_bonus, country_penalty, year_bonus, year_penalty, type_penalty = evidence_weights
    out[0] = 0.0
    out[1] = 0.0
    out[2] = 0.0
    if query_country >= 0 and country_ptr[entry + 1] > country_ptr[entry]:
        out[0] = -country_penalty
        for p in range(country_ptr[entry], country_ptr[entry + 1]):
            if country_codes[p] == query_country:
                out[0] = country_bonus
                break
    if query_year > 0 and year_ptr[entry + 1] > year_ptr[entry]:
        nearest = 10_000
        for p in range(year_ptr[entry], year_ptr[entry + 1]):
            nearest = min(nearest, abs(np.int64(year_values[p]) - np.int64(query_year)))
        if nearest == 0:
            out[1] = year_bonus
        elif nearest > 1:
            out[1] = -year_penalty
    other = entry_type[entry]
    if (query_type != ENTITY_UNKNOWN and other != ENTITY_UNKNOWN
            and (query_type == ENTITY_PERSON) != (other == ENTITY_PERSON)):
        out[2] = -type_penalty
    return out[0] + out[1] + out[2]


@jit_parallel
def select_matches(row_query, cand_idx, cand_score, name_entry, row_evidence, entries,
                   evidence_weights, threshold, top_k, n_chunks):
    """Per input row: add evidence, keep the best alias per entry, threshold, top-k.

    Parameters
    ----------
    row_query
        int64 unique-query id of every input row (``-1``: nothing to screen).
    cand_idx, cand_score
        ``(n_queries, k)`` from candidate generation and :func:`score_candidates`.
    name_entry
        int32 entry id of every list name.
    row_evidence
        ``(country, birth_year, entity_type)`` per row: int16 country code (``-1`` none),
        int16 year (``0`` none), int8 type code (``-1`` none or unknown).
    entries
        ``(entry_type, country_ptr, country_codes, year_ptr, year_values)`` per entry.
    evidence_weights
        ``(country_bonus, country_penalty, year_bonus, year_penalty, type_penalty)``.
    threshold
        Least final score kept.
    top_k
        Most entries kept per row.
    n_chunks
        Work chunks spread over the threads (a few per thread).

    Returns
    -------
    count : numpy.ndarray
        int32 matches per row.
    match_name, match_score : numpy.ndarray
        ``(n_rows, top_k)`` name ids (int32) and final scores (float32), best first.
    """
    row_country, row_year, row_type = row_evidence
    n_rows = row_query.shape[0]
    k = cand_idx.shape[1]
    count = np.zeros(n_rows, dtype=np.int32)
    match_name = np.full((n_rows, top_k), -1, dtype=np.int32)
    match_score = np.zeros((n_rows, top_k), dtype=np.float32)
    n_chunks = min(n_rows, max(1, n_chunks))
    for chunk in numba.prange(n_chunks):
        adjusted = np.empty(k, dtype=np.float64)
        used = np.empty(k, dtype=np.bool_)
        deltas = np.empty(N_EVIDENCE, dtype=np.float64)
        for r in range(chunk, n_rows, n_chunks):
            q = row_query[r]
            if q < 0:
                continue
            for c in range(k):
                used[c] = True
                adjusted[c] = -1.0
                n = cand_idx[q, c]
                if n < 0 or cand_score[q, c] < 0.0:
                    continue
                delta = _evidence(row_country[r], row_year[r], row_type[r], name_entry[n],
                                  entries, evidence_weights, deltas)
                adjusted[c] = min(1.0, max(0.0, cand_score[q, c] + delta))
                used[c] = adjusted[c] < threshold
            kept = 0
            while kept < top_k:
                best = -1
                for c in range(k):
                    if used[c]:
                        continue
                    if best < 0 or adjusted[c] > adjusted[best] or (
                            adjusted[c] == adjusted[best] and cand_idx[q, c] < cand_idx[q, best]):
                        best = c
                if best < 0:
                    break
                entry = name_entry[cand_idx[q, best]]
                for c in range(k):
                    if not used[c] and name_entry[cand_idx[q, c]] == entry:
                        used[c] = True
                match_name[r, kept] = cand_idx[q, best]
                match_score[r, kept] = adjusted[best]
                kept += 1
            count[r] = kept
    return count, match_name, match_score


@jit
def row_evidence_deltas(match_row, match_name, name_entry, row_evidence, entries,
                        evidence_weights):
    """Evidence deltas of chosen (row, name) pairs, for explanations.

    Returns
    -------
    numpy.ndarray
        float32 ``(n_pairs, N_EVIDENCE)`` signed deltas in ``EVIDENCE`` order.
    """
    row_country, row_year, row_type = row_evidence
    out = np.zeros((match_row.shape[0], N_EVIDENCE), dtype=np.float32)
    deltas = np.empty(N_EVIDENCE, dtype=np.float64)
    for p in range(match_row.shape[0]):
        r = match_row[p]
        _evidence(row_country[r], row_year[r], row_type[r], name_entry[match_name[p]], entries,
                  evidence_weights, deltas)
        for e in range(N_EVIDENCE):
            out[p, e] = deltas[e]
    return out
