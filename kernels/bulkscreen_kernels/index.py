"""Inverted index over character 3-grams and tokens, and top-K candidate generation.

Names are ``(codes, offsets)`` string columns whose tokens are separated by single spaces.
Keys (3-grams packed into an int64, tokens hashed to an int64) are produced per string as
CSR arrays and mapped to dense ids (their rank in a sorted dictionary). Postings are CSR
too: ``post_ptr[key]:post_ptr[key + 1]`` slices ``post_names``, each key's names ascending.
Variable-length outputs are built by a count pass and a fill pass, or filled into room
for the most and trimmed.
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
GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing multiplier.
SMALL_SORT = 32  # Up to this many values are insertion-sorted in place.


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
def _hash_table(dictionary):
    """Open-addressing table (load at most 1/2) from key to rank in ``dictionary``.

    Returns ``(slots, shift)``: ``slots`` holds each key's rank, -1 where empty.
    """
    bits = 1
    while (1 << bits) < 2 * dictionary.shape[0]:
        bits += 1
    slots = np.full(1 << bits, -1, dtype=np.int64)
    shift = np.uint64(64 - bits)
    mask = (1 << bits) - 1
    for rank in range(dictionary.shape[0]):
        at = np.int64((np.uint64(dictionary[rank]) * GOLDEN) >> shift)
        while slots[at] >= 0:
            at = (at + 1) & mask
        slots[at] = rank
    return slots, shift


@jit
def _rank_of(dictionary, slots, shift, key):
    """Rank of ``key`` in ``dictionary`` through its hash table, -1 when absent."""
    mask = slots.shape[0] - 1
    at = np.int64((np.uint64(key) * GOLDEN) >> shift)
    while slots[at] >= 0:
        if dictionary[slots[at]] == key:
            return slots[at]
        at = (at + 1) & mask
    return -1


@jit
def _sorted_unique(values, n):
    """Sort ``values[:n]`` in place, distinct values first; returns how many are distinct."""
    if n > SMALL_SORT:
        values[:n] = np.sort(values[:n])
    else:
        for p in range(1, n):
            current = values[p]
            q = p - 1
            while q >= 0 and values[q] > current:
                values[q + 1] = values[q]
                q -= 1
            values[q + 1] = current
    n_unique = 0
    for p in range(n):
        if n_unique == 0 or values[p] != values[n_unique - 1]:
            values[n_unique] = values[p]
            n_unique += 1
    return n_unique


@jit
def query_key_ids(gram_ptr, grams, token_ptr, tokens, gram_dict, token_dict, key_idf,
                  unseen_weight):
    """Map each text's grams and tokens onto an index's key ids and weights.

    Parameters
    ----------
    gram_ptr, grams, token_ptr, tokens
        Keys of every text from :func:`gram_keys` and :func:`token_keys`.
    gram_dict, token_dict
        Sorted distinct gram and token keys of the index; key ids are gram ranks, then
        token ranks shifted past the grams.
    key_idf
        float32 weight of every key id.
    unseen_weight
        Weight of a gram the index lacks.

    Returns
    -------
    key_ptr : numpy.ndarray
        int64, length ``n + 1``: text ``i`` owns ``key_ids[key_ptr[i]:key_ptr[i + 1]]``.
    key_ids : numpy.ndarray
        int64 distinct keys of each text, its grams (ascending by packed gram) then its
        tokens (ascending by hash); ``-1`` for a key the index lacks.
    key_weight : numpy.ndarray
        float64 weight of each key: its IDF; ``unseen_weight`` for an unseen gram and 0
        for an unseen token (a misspelt token's grams already speak for it).
    token_weight : numpy.ndarray
        float64 weight of every token in order of appearance, repeats kept (IDF, or
        ``unseen_weight``).
    """
    n = gram_ptr.shape[0] - 1
    n_grams = gram_dict.shape[0]
    gram_slots, gram_shift = _hash_table(gram_dict)
    token_slots, token_shift = _hash_table(token_dict)
    token_weight = np.empty(tokens.shape[0], dtype=np.float64)
    for p in range(tokens.shape[0]):
        rank = _rank_of(token_dict, token_slots, token_shift, tokens[p])
        token_weight[p] = key_idf[n_grams + rank] if rank >= 0 else unseen_weight
    key_ptr = np.zeros(n + 1, dtype=np.int64)
    key_ids = np.empty(grams.shape[0] + tokens.shape[0], dtype=np.int64)
    key_weight = np.empty(grams.shape[0] + tokens.shape[0], dtype=np.float64)
    longest = 1
    for i in range(n):
        longest = max(longest, gram_ptr[i + 1] - gram_ptr[i], token_ptr[i + 1] - token_ptr[i])
    scratch = np.empty(longest, dtype=np.int64)
    out = 0
    for i in range(n):
        n_row = gram_ptr[i + 1] - gram_ptr[i]
        scratch[:n_row] = grams[gram_ptr[i]:gram_ptr[i + 1]]
        for p in range(_sorted_unique(scratch, n_row)):
            rank = _rank_of(gram_dict, gram_slots, gram_shift, scratch[p])
            key_ids[out] = rank
            key_weight[out] = key_idf[rank] if rank >= 0 else unseen_weight
            out += 1
        n_row = token_ptr[i + 1] - token_ptr[i]
        scratch[:n_row] = tokens[token_ptr[i]:token_ptr[i + 1]]
        for p in range(_sorted_unique(scratch, n_row)):
            rank = _rank_of(token_dict, token_slots, token_shift, scratch[p])
            key_ids[out] = n_grams + rank if rank >= 0 else -1
            key_weight[out] = key_idf[n_grams + rank] if rank >= 0 else 0.0
            out += 1
        key_ptr[i + 1] = out
    return key_ptr, key_ids[:out].copy(), key_weight[:out].copy(), token_weight


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


PRUNE_MARGIN = 1e-9
"""Relative slack on the pruning bound: far above float64 rounding over any key count."""


@jit
def _reading_order(query_keys, post_ptr, max_postings, order, lengths):
    """Put the keys to read first in ``order`` (rarest first, within the posting budget).

    The sort is stable, so keys of equal length keep their query order; the first key is
    read whatever its length. Returns how many keys are read.
    """
    n_keys = query_keys.shape[0]
    for p in range(n_keys):
        order[p] = p
        key = query_keys[p]
        lengths[p] = 0 if key < 0 else post_ptr[key + 1] - post_ptr[key]
    if n_keys > SMALL_SORT:
        order[:n_keys] = np.argsort(lengths[:n_keys], kind="mergesort")
    else:
        for p in range(1, n_keys):
            current = order[p]
            q = p - 1
            while q >= 0 and lengths[order[q]] > lengths[current]:
                order[q + 1] = order[q]
                q -= 1
            order[q + 1] = current
    n_read = 0
    spent = 0
    for p in range(n_keys):
        at = order[p]
        if query_keys[at] < 0:
            continue
        if spent > 0 and spent + lengths[at] > max_postings:
            break
        spent += lengths[at]
        order[n_read] = at
        n_read += 1
    return n_read


@jit
def _push_candidate(heap_score, heap_name, size, k, score, name):
    """Offer a candidate to the bounded min-heap of the best ``k``; returns the new size."""
    if size < k:
        heap_score[size] = score
        heap_name[size] = name
        at = size
        while at > 0:
            parent = (at - 1) // 2
            if _before(heap_score[at], heap_name[at], heap_score[parent], heap_name[parent]):
                heap_score[at], heap_score[parent] = heap_score[parent], heap_score[at]
                heap_name[at], heap_name[parent] = heap_name[parent], heap_name[at]
                at = parent
            else:
                break
        return size + 1
    if _before(heap_score[0], heap_name[0], score, name):
        heap_score[0] = score
        heap_name[0] = name
        _sift_down(heap_score, heap_name, size, 0)
    return size


@jit
def _candidates_of_query(query_keys, query_key_weight, postings, name_weight, params,
                         scratch, out_name, out_score):
    """Top-K names of one query by IDF-weighted Dice overlap; returns how many were found.

    Overlaps are float64 sums over the read keys in reading order. Once the keys still
    to read weigh too little to lift a name to the least overlap, no new name can
    qualify: names below reach are dropped and the rest only accumulate (no new
    entries), which leaves every surviving overlap, and so the result, unchanged.
    """
    post_ptr, post_names = postings
    k, max_postings, min_overlap = params
    accumulator, touched, order, lengths, remaining = scratch
    n_keys = query_keys.shape[0]
    query_weight = 0.0
    for p in range(n_keys):
        query_weight += query_key_weight[p]
    least_overlap = min_overlap * query_weight
    n_read = _reading_order(query_keys, post_ptr, max_postings, order, lengths)
    # remaining[j]: weight of the read keys from the j-th on (the bound on what a name
    # first seen there can still gather); pruning needs every weight positive.
    remaining[n_read] = 0.0
    can_prune = least_overlap > 0.0
    for j in range(n_read - 1, -1, -1):
        weight = query_key_weight[order[j]]
        can_prune = can_prune and weight > 0.0
        remaining[j] = remaining[j + 1] + weight
    n_touched = 0
    first_closed = n_read
    for j in range(n_read):
        if can_prune and remaining[j] * (1.0 + PRUNE_MARGIN) < least_overlap:
            first_closed = j
            break
        n_touched = _add_key(accumulator, touched, n_touched, post_ptr, post_names,
                             query_keys[order[j]], query_key_weight[order[j]])
    if first_closed < n_read:
        n_touched = _drop_out_of_reach(accumulator, touched, n_touched,
                                       remaining[first_closed], least_overlap)
        for j in range(first_closed, n_read):
            _add_key_to_kept(accumulator, post_ptr, post_names, query_keys[order[j]],
                             query_key_weight[order[j]])
    size = 0
    for t in range(n_touched):
        name = touched[t]
        overlap = accumulator[name]
        accumulator[name] = 0.0
        if overlap < least_overlap:
            continue
        score = 2.0 * overlap / (query_weight + name_weight[name])
        size = _push_candidate(out_score, out_name, size, k, score, name)
    # Heap -> best first (repeatedly move the worst to the end).
    for end in range(size - 1, 0, -1):
        out_score[0], out_score[end] = out_score[end], out_score[0]
        out_name[0], out_name[end] = out_name[end], out_name[0]
        _sift_down(out_score, out_name, end, 0)
    return size


@jit
def _add_key(accumulator, touched, n_touched, post_ptr, post_names, key, weight):
    """Add a key's weight to its names; new names go to ``touched``. Returns their count."""
    for q in range(post_ptr[key], post_ptr[key + 1]):
        name = post_names[q]
        overlap = accumulator[name]
        # Branch-free append: the slot is overwritten next time unless the name is new.
        touched[n_touched] = name
        n_touched += overlap == 0.0
        accumulator[name] = overlap + weight
    return n_touched


@jit
def _add_key_to_kept(accumulator, post_ptr, post_names, key, weight):
    """Add ``weight`` to the names of the key's postings already holding an overlap."""
    for q in range(post_ptr[key], post_ptr[key + 1]):
        name = post_names[q]
        overlap = accumulator[name]
        # Branch-free: names not kept hold zero and gain nothing.
        accumulator[name] = overlap + (weight if overlap != 0.0 else 0.0)


@jit
def _drop_out_of_reach(accumulator, touched, n_touched, still_to_read, least_overlap):
    """Clear and drop touched names that cannot reach ``least_overlap``; returns the count kept."""
    kept = 0
    for t in range(n_touched):
        name = touched[t]
        if (accumulator[name] + still_to_read) * (1.0 + PRUNE_MARGIN) < least_overlap:
            accumulator[name] = 0.0
        else:
            touched[kept] = name
            kept += 1
    return kept


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
        float64 weight of every query key, parallel to ``query_keys``.
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

    Notes
    -----
    Once the keys left to read weigh too little to lift an unseen name to the least
    overlap, reading stops adding names and drops those out of reach; with positive
    weights this changes no kept overlap, so the result equals a full accumulation.
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
        # touched has one spare slot for the branch-free append.
        scratch = (np.zeros(n_names, dtype=np.float64), np.empty(n_names + 1, dtype=np.int32),
                   np.empty(longest, dtype=np.int64), np.empty(longest, dtype=np.int64),
                   np.empty(longest + 1, dtype=np.float64))
        heap_name = np.empty(k, dtype=np.int32)
        heap_score = np.empty(k, dtype=np.float64)
        for i in range(chunk, n_queries, n_chunks):
            start = query_key_ptr[i]
            stop = query_key_ptr[i + 1]
            size = _candidates_of_query(query_keys[start:stop], query_key_weight[start:stop],
                                        postings, name_weight, params, scratch, heap_name,
                                        heap_score)
            for c in range(size):
                cand_idx[i, c] = heap_name[c]
                cand_score[i, c] = heap_score[c]
    return cand_idx, cand_score
