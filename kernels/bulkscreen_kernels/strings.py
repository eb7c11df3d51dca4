"""String metrics over code-point arrays: Jaro, Jaro-Winkler, bounded Levenshtein and OSA.

Strings are 1-d ``uint32`` arrays of Unicode code points (slices of a ``(codes, offsets)``
pair). The inner functions take caller-owned scratch buffers so hot loops never allocate;
the plain wrappers allocate their own and are what tests and one-off callers use.
Semantics follow RapidFuzz (``JaroWinkler.similarity`` with ``prefix_weight=0.1``,
``Levenshtein.distance`` with unit weights, ``OSA.distance``), which the tests check to 1e-6.
"""

from __future__ import annotations

import numpy as np

from bulkscreen_kernels._jit import jit

MAX_PREFIX = 4
"""Jaro-Winkler rewards at most this many leading characters in common."""

WINKLER_BOOST_FROM = 0.7
"""The prefix bonus applies only when the Jaro similarity exceeds this."""


@jit
def jaro_scratch(a, b, a_flags, b_flags):
    """Jaro similarity of ``a`` and ``b`` using flag buffers at least as long as each."""
    a_len = a.shape[0]
    b_len = b.shape[0]
    if a_len == 0 and b_len == 0:
        return 1.0
    if a_len == 0 or b_len == 0:
        return 0.0
    if a_len == 1 and b_len == 1:
        return 1.0 if a[0] == b[0] else 0.0
    bound = max(a_len, b_len) // 2 - 1
    # Characters beyond the other string's reach can never match.
    a_reach = min(a_len, b_len + bound)
    b_reach = min(b_len, a_len + bound)
    if a_len <= 64 and b_len <= 64:
        sim = _jaro_ascii_bits(a, b, bound, a_reach, b_reach)
        if sim >= 0.0:
            return sim
    for i in range(a_len):
        a_flags[i] = False
    for j in range(b_len):
        b_flags[j] = False
    common = 0
    for i in range(a_reach):
        low = max(0, i - bound)
        high = min(i + bound + 1, b_reach)
        ch = a[i]
        for j in range(low, high):
            if not b_flags[j] and b[j] == ch:
                a_flags[i] = True
                b_flags[j] = True
                common += 1
                break
    if common == 0:
        return 0.0
    transpositions = 0
    k = 0
    for i in range(a_reach):
        if a_flags[i]:
            while not b_flags[k]:
                k += 1
            if a[i] != b[k]:
                transpositions += 1
            k += 1
    transpositions //= 2
    return (common / a_len + common / b_len + (common - transpositions) / common) / 3.0


@jit
def _jaro_ascii_bits(a, b, bound, a_reach, b_reach):
    """Jaro similarity with ``b`` held as 64-bit position masks per character; -1 if ``b``
    is not all ASCII.

    The same greedy matching as :func:`jaro_scratch` (each character of ``a``, in order,
    takes the first free equal character of ``b`` in its window), so the same value, but
    each window is searched with a few bit operations instead of a loop.
    """
    positions = np.zeros(128, dtype=np.uint64)
    one = np.uint64(1)
    for j in range(b_reach):
        if b[j] >= 128:
            return -1.0
        positions[b[j]] |= one << np.uint64(j)
    taken = np.uint64(0)
    a_taken = np.uint64(0)
    common = 0
    for i in range(a_reach):
        if a[i] >= 128:
            continue
        low = max(0, i - bound)
        high = min(i + bound + 1, b_reach)
        if high <= low:
            continue
        window = ((one << np.uint64(high - low)) - one) << np.uint64(low)
        free = positions[a[i]] & window & ~taken
        if free:
            taken |= free & (~free + one)
            a_taken |= one << np.uint64(i)
            common += 1
    if common == 0:
        return 0.0
    transpositions = 0
    k = 0
    for i in range(a_reach):
        if (a_taken >> np.uint64(i)) & one:
            while not (taken >> np.uint64(k)) & one:
                k += 1
            if a[i] != b[k]:
                transpositions += 1
            k += 1
    transpositions //= 2
    a_len = a.shape[0]
    b_len = b.shape[0]
    return (common / a_len + common / b_len + (common - transpositions) / common) / 3.0


@jit
def jaro_winkler_scratch(a, b, prefix_weight, a_flags, b_flags):
    """Jaro-Winkler similarity of ``a`` and ``b`` using caller-owned flag buffers."""
    sim = jaro_scratch(a, b, a_flags, b_flags)
    if sim > WINKLER_BOOST_FROM:
        limit = min(min(a.shape[0], b.shape[0]), MAX_PREFIX)
        prefix = 0
        while prefix < limit and a[prefix] == b[prefix]:
            prefix += 1
        sim += prefix * prefix_weight * (1.0 - sim)
    return sim


@jit
def jaro_winkler(a, b, prefix_weight=0.1):
    """Jaro-Winkler similarity in [0, 1] of two code-point arrays.

    Parameters
    ----------
    a, b
        ``uint32`` code points.
    prefix_weight
        Weight of each common leading character (at most four), RapidFuzz's default 0.1.

    Returns
    -------
    float
        1.0 for equal strings (two empty strings included), 0.0 when one is empty.
    """
    a_flags = np.zeros(a.shape[0], dtype=np.bool_)
    b_flags = np.zeros(b.shape[0], dtype=np.bool_)
    return jaro_winkler_scratch(a, b, prefix_weight, a_flags, b_flags)


@jit
def levenshtein_bounded_scratch(a, b, max_distance, row):
    """Levenshtein distance of ``a`` and ``b``, or ``max_distance + 1`` once it is exceeded.

    ``row`` is a scratch buffer of at least ``len(b) + 1`` int64 values.
    """
    a_len = a.shape[0]
    b_len = b.shape[0]
    if abs(a_len - b_len) > max_distance:
        return max_distance + 1
    for j in range(b_len + 1):
        row[j] = j
    for i in range(1, a_len + 1):
        diagonal = row[0]
        row[0] = i
        row_min = row[0]
        ch = a[i - 1]
        for j in range(1, b_len + 1):
            above = row[j]
            cost = diagonal + (0 if b[j - 1] == ch else 1)
            cost = min(cost, above + 1)
            cost = min(cost, row[j - 1] + 1)
            row[j] = cost
            diagonal = above
            row_min = min(row_min, cost)
        # Every later cell descends from this row, so none can come back under the bound.
        if row_min > max_distance:
            return max_distance + 1
    return min(row[b_len], max_distance + 1)


@jit
def levenshtein_bounded(a, b, max_distance):
    """Levenshtein distance (unit costs) of two code-point arrays, capped at the bound.

    Parameters
    ----------
    a, b
        ``uint32`` code points.
    max_distance
        Largest distance of interest; a larger true distance is reported as
        ``max_distance + 1`` without finishing the dynamic programme.

    Returns
    -------
    int
        ``min(distance, max_distance + 1)``.
    """
    row = np.empty(b.shape[0] + 1, dtype=np.int64)
    return levenshtein_bounded_scratch(a, b, max_distance, row)


@jit
def osa_bounded_scratch(a, b, max_distance, rows):
    """Optimal string alignment distance, or ``max_distance + 1`` once it is exceeded.

    ``rows`` is a scratch buffer of at least ``(3, len(b) + 1)`` int64 values (the rows
    two back, one back and current, rotated).
    """
    a_len = a.shape[0]
    b_len = b.shape[0]
    if abs(a_len - b_len) > max_distance:
        return max_distance + 1
    two_back = 0
    one_back = 1
    current = 2
    for j in range(b_len + 1):
        rows[one_back, j] = j
    for i in range(1, a_len + 1):
        rows[current, 0] = i
        row_min = i
        ch = a[i - 1]
        for j in range(1, b_len + 1):
            cost = rows[one_back, j - 1] + (0 if b[j - 1] == ch else 1)
            cost = min(cost, rows[one_back, j] + 1)
            cost = min(cost, rows[current, j - 1] + 1)
            if i > 1 and j > 1 and ch == b[j - 2] and a[i - 2] == b[j - 1]:
                cost = min(cost, rows[two_back, j - 2] + 1)
            rows[current, j] = cost
            row_min = min(row_min, cost)
        # A transposition reaches back two rows, but never below the previous row's minimum.
        if row_min > max_distance:
            return max_distance + 1
        two_back, one_back, current = one_back, current, two_back
    return min(rows[one_back, b_len], max_distance + 1)


@jit
def osa_bounded(a, b, max_distance):
    """Optimal string alignment distance (edits plus adjacent transpositions), capped.

    Parameters
    ----------
    a, b
        ``uint32`` code points.
    max_distance
        Largest distance of interest; a larger true distance is reported as
        ``max_distance + 1``.

    Returns
    -------
    int
        ``min(distance, max_distance + 1)``; a transposed adjacent pair costs 1, and no
        substring is edited twice (RapidFuzz ``OSA.distance``).
    """
    rows = np.empty((3, b.shape[0] + 1), dtype=np.int64)
    return osa_bounded_scratch(a, b, max_distance, rows)


@jit
def _same_from(a, a_start, b, b_start):
    """Whether ``a[a_start:]`` equals ``b[b_start:]``."""
    if a.shape[0] - a_start != b.shape[0] - b_start:
        return False
    offset = 0
    while a_start + offset < a.shape[0] and a[a_start + offset] == b[b_start + offset]:
        offset += 1
    return a_start + offset == a.shape[0]


@jit
def within_one_edit(a, b):
    """Whether the optimal string alignment distance of ``a`` and ``b`` is at most 1.

    Linear time (``osa_bounded(a, b, 1) <= 1`` without the dynamic programme): past the
    first difference, the rest must agree after one substitution, insertion, deletion or
    swap of neighbours.
    """
    a_len = a.shape[0]
    b_len = b.shape[0]
    if abs(a_len - b_len) > 1:
        return False
    first = 0
    shorter = min(a_len, b_len)
    while first < shorter and a[first] == b[first]:
        first += 1
    if first == shorter:
        return True  # equal, or one extra character at the end
    if a_len > b_len:
        return _same_from(a, first + 1, b, first)
    if b_len > a_len:
        return _same_from(a, first, b, first + 1)
    if _same_from(a, first + 1, b, first + 1):
        return True
    return (first + 1 < a_len and a[first] == b[first + 1] and a[first + 1] == b[first]
            and _same_from(a, first + 2, b, first + 2))


@jit
def _token_before(codes, a_start, a_stop, b_start, b_stop):
    """Whether token ``codes[a_start:a_stop]`` sorts before ``codes[b_start:b_stop]``."""
    a_len = a_stop - a_start
    b_len = b_stop - b_start
    for p in range(min(a_len, b_len)):
        if codes[a_start + p] != codes[b_start + p]:
            return codes[a_start + p] < codes[b_start + p]
    return a_len < b_len


@jit
def sort_tokens(codes, offsets):
    """Each text with its space-separated tokens in code-point order.

    The same as Python's ``" ".join(sorted(text.split(" ")))`` (empty tokens included), as
    a ``(codes, offsets)`` pair with the input's offsets: sorting keeps every length.
    """
    out = np.empty_like(codes)
    n_texts = offsets.shape[0] - 1
    longest = 0
    for i in range(n_texts):
        longest = max(longest, offsets[i + 1] - offsets[i])
    starts = np.empty(longest + 1, dtype=np.int64)
    stops = np.empty(longest + 1, dtype=np.int64)
    for i in range(n_texts):
        # Token spans, split at every space (as str.split(" ")).
        n = 0
        starts[0] = offsets[i]
        for p in range(offsets[i], offsets[i + 1]):
            if codes[p] == 32:
                stops[n] = p
                n += 1
                starts[n] = p + 1
        stops[n] = offsets[i + 1]
        n += 1
        # Insertion sort: names have a handful of tokens.
        for t in range(1, n):
            start, stop = starts[t], stops[t]
            u = t - 1
            while u >= 0 and _token_before(codes, start, stop, starts[u], stops[u]):
                starts[u + 1], stops[u + 1] = starts[u], stops[u]
                u -= 1
            starts[u + 1], stops[u + 1] = start, stop
        at = offsets[i]
        for t in range(n):
            if t > 0:
                out[at] = 32
                at += 1
            for p in range(starts[t], stops[t]):
                out[at] = codes[p]
                at += 1
    return out
