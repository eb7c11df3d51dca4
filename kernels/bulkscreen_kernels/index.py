"""Inverted index over character 3-grams and tokens, and top-K candidate generation.

Names are ``(codes, offsets)`` string columns whose tokens are separated by single spaces.
Keys (3-grams packed into an int64, tokens hashed to an int64) are produced per string as
CSR arrays; the caller maps them to dense ids through a sorted dictionary. Postings are CSR
too: ``post_ptr[key]:post_ptr[key + 1]`` slices ``post_names``, each key's names ascending.
All variable-length outputs are built by a count pass and a fill pass.
"""

from __future__ import annotations

import numba
import numpy as np

from bulkscreen_kernels._jit import jit, jit_parallel

SPACE = 32
GRAM_SIZE = 3
CODE_BITS = 21  # Unicode code points need 21 bits; three fit in an int64.
FNV_OFFSET = np.uint64(14695981039346656037)
FNV_PRIME = np.uint64(1099511628211)


@jit
def _padded_code(codes, start, stop, position):
    """Code point at ``position`` of the string padded with one space on each side."""
    if position == 0 or position == stop - start + 1:
        return SPACE
    return codes[start + position - 1]


@jit
def gram_keys(codes, offsets):
    """Packed 3-gram keys of every string, padded with one space at each end.

    Parameters
    ----------
    codes, offsets
        String column as (uint32 code points, int64 offsets).

    Returns
    -------
    gram_ptr : numpy.ndarray
        int64, length ``n + 1``: string ``i`` owns ``gram_key[gram_ptr[i]:gram_ptr[i + 1]]``.
    gram_key : numpy.ndarray
        int64 keys ``c0 << 42 | c1 << 21 | c2`` in order of appearance, repeats kept.
        A string of length ``L >= 1`` has ``L`` grams; an empty one has none.
    """
    n = offsets.shape[0] - 1
    gram_ptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        length = offsets[i + 1] - offsets[i]
        gram_ptr[i + 1] = gram_ptr[i] + length
    gram_key = np.empty(gram_ptr[n], dtype=np.int64)
    for i in range(n):
        start = offsets[i]
        stop = offsets[i + 1]
        out = gram_ptr[i]
        for p in range(stop - start):
            key = np.int64(0)
            for d in range(GRAM_SIZE):
                key = (key << CODE_BITS) | np.int64(_padded_code(codes, start, stop, p + d))
            gram_key[out + p] = key
    return gram_ptr, gram_key


@jit
def token_keys(codes, offsets):
    """64-bit FNV-1a hashes of the space-separated tokens of every string.

    Parameters
    ----------
    codes, offsets
        String column as (uint32 code points, int64 offsets).

    Returns
    -------
    token_ptr : numpy.ndarray
        int64, length ``n + 1``.
    token_key : numpy.ndarray
        int64 hashes in order of appearance; empty tokens (repeated spaces) are skipped.
    """
    n = offsets.shape[0] - 1
    token_ptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        count = 0
        in_token = False
        for p in range(offsets[i], offsets[i + 1]):
            if codes[p] == SPACE:
                in_token = False
            elif not in_token:
                in_token = True
                count += 1
        token_ptr[i + 1] = token_ptr[i] + count
    token_key = np.empty(token_ptr[n], dtype=np.int64)
    for i in range(n):
        out = token_ptr[i]
        h = FNV_OFFSET
        in_token = False
        for p in range(offsets[i], offsets[i + 1]):
            ch = codes[p]
            if ch == SPACE:
                if in_token:
                    token_key[out] = np.int64(h)
                    out += 1
                in_token = False
                continue
            if not in_token:
                in_token = True
                h = FNV_OFFSET
            h = (h ^ np.uint64(ch)) * FNV_PRIME
        if in_token:
            token_key[out] = np.int64(h)
    return token_ptr, token_key


@jit
def build_postings(row_ptr, row_keys, n_keys):
    """Invert ``row -> key ids`` into ``key id -> rows`` (CSR).

    Parameters
    ----------
    row_ptr
        int64, length ``n_rows + 1``.
    row_keys
        int32 key ids in ``[0, n_keys)``; a row should list each key once.
    n_keys
        Number of distinct keys.

    Returns
    -------
    post_ptr : numpy.ndarray
        int64, length ``n_keys + 1``.
    post_rows : numpy.ndarray
        int32 row ids, ascending within each key.
    """
    n_rows = row_ptr.shape[0] - 1
    post_ptr = np.zeros(n_keys + 1, dtype=np.int64)
    for p in range(row_keys.shape[0]):
        post_ptr[row_keys[p] + 1] += 1
    for k in range(n_keys):
        post_ptr[k + 1] += post_ptr[k]
    fill = post_ptr[:-1].copy()
    post_rows = np.empty(row_keys.shape[0], dtype=np.int32)
    for r in range(n_rows):
        for p in range(row_ptr[r], row_ptr[r + 1]):
            k = row_keys[p]
            post_rows[fill[k]] = r
            fill[k] += 1
    return post_ptr, post_rows


@jit
def _sift_down(heap_score, heap_name, size, at):
    """Restore the min-heap (by score, then by larger name id) below ``at``."""
    while True:
        left = 2 * at + 1
        if left >= size:
            return
        child = left
        right = left + 1
        if right < size and _before(heap_score[right], heap_name[right],
                                    heap_score[left], heap_name[left]):
            child = right
        if _before(heap_score[child], heap_name[child], heap_score[at], heap_name[at]):
            heap_score[at], heap_score[child] = heap_score[child], heap_score[at]
            heap_name[at], heap_name[child] = heap_name[child], heap_name[at]
            at = child
        else:
            return


@jit
def _before(score_a, name_a, score_b, name_b):
    """Heap order: the worse candidate first (lower score; on ties the larger name id)."""
    if score_a != score_b:
        return score_a < score_b
    return name_a > name_b


@jit
def _candidates_of_query(query_keys, query_key_weight, postings, name_weight, params,
                         accumulator, touched, order, out_name, out_score):
    """Top-K names of one query by IDF-weighted Dice overlap; returns how many were found."""
    post_ptr, post_names = postings
    k, max_postings, min_overlap = params
    n_keys = query_keys.shape[0]
    query_weight = 0.0
    for p in range(n_keys):
        query_weight += query_key_weight[p]
    # Rarest keys first, so a posting budget drops only the most common grams.
    for p in range(n_keys):
        order[p] = p
    for p in range(1, n_keys):
        current = order[p]
        current_len = _postings_len(post_ptr, query_keys[current])
        q = p - 1
        while q >= 0 and _postings_len(post_ptr, query_keys[order[q]]) > current_len:
            order[q + 1] = order[q]
            q -= 1
        order[q + 1] = current
    n_touched = 0
    spent = 0
    for p in range(n_keys):
        key = query_keys[order[p]]
        if key < 0:
            continue
        start = post_ptr[key]
        stop = post_ptr[key + 1]
        if spent > 0 and spent + (stop - start) > max_postings:
            break
        spent += stop - start
        weight = query_key_weight[order[p]]
        for q in range(start, stop):
            name = post_names[q]
            if accumulator[name] == 0.0:
                touched[n_touched] = name
                n_touched += 1
            accumulator[name] += weight
    size = 0
    for t in range(n_touched):
        name = touched[t]
        overlap = accumulator[name]
        accumulator[name] = 0.0
        if overlap < min_overlap * query_weight:
            continue
        score = 2.0 * overlap / (query_weight + name_weight[name])
        if size < k:
            out_score[size] = score
            out_name[size] = name
            size += 1
            at = size - 1
            while at > 0:
                parent = (at - 1) // 2
                if _before(out_score[at], out_name[at], out_score[parent], out_name[parent]):
                    out_score[at], out_score[parent] = out_score[parent], out_score[at]
                    out_name[at], out_name[parent] = out_name[parent], out_name[at]
                    at = parent
                else:
                    break
        elif _before(out_score[0], out_name[0], score, name):
            out_score[0] = score
            out_name[0] = name
            _sift_down(out_score, out_name, size, 0)
    # Heap -> best first (repeatedly move the worst to the end).
    for end in range(size - 1, 0, -1):
        out_score[0], out_score[end] = out_score[end], out_score[0]
        out_name[0], out_name[end] = out_name[end], out_name[0]
        _sift_down(out_score, out_name, end, 0)
    return size


@jit
def _postings_len(post_ptr, key):
    if key < 0:
        return 0
    return post_ptr[key + 1] - post_ptr[key]


@jit_parallel
def top_candidates(query_key_ptr, query_keys, query_key_weight, postings, name_weight, params,
                   n_chunks):
    """Top-K list names per query by IDF-weighted Dice overlap of their keys.

    Parameters
    ----------
    query_key_ptr, query_keys
        CSR of each query's key ids (grams and tokens); ``-1`` marks a key absent from
        the index (it still counts in the query's weight).
    query_key_weight
        float32 weight of every query key, parallel to ``query_keys``.
    postings
        ``(post_ptr, post_names)`` from :func:`build_postings`.
    name_weight
        float32 total key weight of every list name.
    params
        ``(k, max_postings, min_overlap)``: candidates kept per query; a budget of
        postings read per query (rarest keys first; the first key is always read); the
        least share of the query's weight a candidate must overlap.
    n_chunks
        Work chunks spread over the threads (a few per thread); each owns its scratch.

    Returns
    -------
    cand_idx : numpy.ndarray
        int32 ``(n_queries, k)`` name ids, best first, ``-1`` past the last candidate.
    cand_score : numpy.ndarray
        float32 ``(n_queries, k)`` Dice scores in [0, 1].
    """
    k = params[0]
    n_queries = query_key_ptr.shape[0] - 1
    n_names = name_weight.shape[0]
    cand_idx = np.full((n_queries, k), -1, dtype=np.int32)
    cand_score = np.zeros((n_queries, k), dtype=np.float32)
    longest = 1
    for i in range(n_queries):
        longest = max(longest, query_key_ptr[i + 1] - query_key_ptr[i])
    n_chunks = min(n_queries, max(1, n_chunks))
    for chunk in numba.prange(n_chunks):
        accumulator = np.zeros(n_names, dtype=np.float64)
        touched = np.empty(n_names, dtype=np.int32)
        order = np.empty(longest, dtype=np.int64)
        heap_name = np.empty(k, dtype=np.int32)
        heap_score = np.empty(k, dtype=np.float64)
        for i in range(chunk, n_queries, n_chunks):
            start = query_key_ptr[i]
            stop = query_key_ptr[i + 1]
            size = _candidates_of_query(query_keys[start:stop], query_key_weight[start:stop],
                                        postings, name_weight, params, accumulator, touched,
                                        order, heap_name, heap_score)
            for c in range(size):
                cand_idx[i, c] = heap_name[c]
                cand_score[i, c] = heap_score[c]
    return cand_idx, cand_score
