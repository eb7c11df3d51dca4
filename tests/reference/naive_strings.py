"""Naive twin of ``bulkscreen_kernels.strings``: textbook Jaro-Winkler, Levenshtein, OSA."""

from __future__ import annotations


def jaro(a: str, b: str) -> float:
    """Jaro similarity by the textbook definition (match window max(len)/2 - 1)."""
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(0, max(len(a), len(b)) // 2 - 1)
    b_used = [False] * len(b)
    a_matched = []
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not b_used[j] and b[j] == ch:
                b_used[j] = True
                a_matched.append(ch)
                break
    m = len(a_matched)
    if m == 0:
        return 0.0
    b_matched = [b[j] for j in range(len(b)) if b_used[j]]
    half_transpositions = sum(x != y for x, y in zip(a_matched, b_matched, strict=True))
    t = half_transpositions // 2
    return (m / len(a) + m / len(b) + (m - t) / m) / 3.0


def jaro_winkler(a: str, b: str, prefix_weight: float = 0.1) -> float:
    """Jaro-Winkler: Jaro plus a bonus for up to four common leading characters (if > 0.7)."""
    sim = jaro(a, b)
    if sim > 0.7:
        prefix = 0
        for x, y in zip(a[:4], b[:4], strict=False):
            if x != y:
                break
            prefix += 1
        sim += prefix * prefix_weight * (1.0 - sim)
    return sim


def levenshtein(a: str, b: str) -> int:
    """Levenshtein distance (unit costs) by the full dynamic programme."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        table[i][0] = i
    for j in range(len(b) + 1):
        table[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1,
                              table[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
    return table[len(a)][len(b)]


def levenshtein_bounded(a: str, b: str, max_distance: int) -> int:
    """``min(levenshtein(a, b), max_distance + 1)``."""
    return min(levenshtein(a, b), max_distance + 1)


def osa(a: str, b: str) -> int:
    """Optimal string alignment distance by the full dynamic programme."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        table[i][0] = i
    for j in range(len(b) + 1):
        table[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1,
                              table[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[len(a)][len(b)]
