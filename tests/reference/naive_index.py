"""Naive twin of ``bulkscreen_kernels.index``: grams, token hashes, postings, top-K by Dice."""

from __future__ import annotations

FNV_OFFSET = 14695981039346656037
FNV_PRIME = 1099511628211
MASK64 = (1 << 64) - 1


def gram_keys(text: str) -> list[int]:
    """Packed 3-grams of ``' ' + text + ' '`` (none for an empty text)."""
    if not text:
        return []
    padded = f" {text} "
    return [(ord(padded[p]) << 42) | (ord(padded[p + 1]) << 21) | ord(padded[p + 2])
            for p in range(len(text))]


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def token_keys(text: str) -> list[int]:
    """FNV-1a 64-bit hash (as a signed int64) of every space-separated token."""
    keys = []
    for token in text.split(" "):
        if not token:
            continue
        h = FNV_OFFSET
        for ch in token:
            h = ((h ^ ord(ch)) * FNV_PRIME) & MASK64
        keys.append(_signed(h))
    return keys


def build_postings(rows: list[list[int]], n_keys: int) -> list[list[int]]:
    """For each key id, the ascending rows that list it."""
    postings: list[list[int]] = [[] for _ in range(n_keys)]
    for r, keys in enumerate(rows):
        for k in keys:
            postings[k].append(r)
    return postings


def top_candidates(query_keys: list[int], query_weights: list[float],
                   name_keys: list[set[int]], key_weight: list[float], name_weight: list[float],
                   k: int, min_overlap: float) -> list[tuple[int, float]]:
    """Brute-force top-K names by weighted Dice over every key (no posting budget).

    ``query_keys`` are unique key ids (``-1`` for unseen keys, which only add weight).
    Ties go to the smaller name id.
    """
    total = sum(query_weights)
    scored = []
    for name, keys in enumerate(name_keys):
        overlap = sum(key_weight[q] for q in query_keys if q >= 0 and q in keys)
        if overlap == 0 or overlap < min_overlap * total:
            continue
        scored.append((name, 2.0 * overlap / (total + name_weight[name])))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:k]


def query_key_ids(text: str, gram_dict: list[int], token_dict: list[int],
                  key_idf: list[float], unseen_weight: float
                  ) -> tuple[list[tuple[int, float]], list[float]]:
    """Distinct keys of one text as ``(key id, weight)``, and the weight of every token.

    Grams come first, ascending by packed gram, then tokens ascending by hash. Key ids are
    ranks in the sorted dictionaries, tokens shifted past the grams; a key the index lacks
    is ``-1`` with ``unseen_weight`` (a gram) or 0 (a token). Token weights follow the
    text's tokens in order, repeats kept, ``unseen_weight`` for an unseen token.
    """
    gram_rank = {key: rank for rank, key in enumerate(gram_dict)}
    token_rank = {key: len(gram_dict) + rank for rank, key in enumerate(token_dict)}
    keys = [(gram_rank.get(g, -1), key_idf[gram_rank[g]] if g in gram_rank else unseen_weight)
            for g in sorted(set(gram_keys(text)))]
    keys += [(token_rank.get(t, -1), key_idf[token_rank[t]] if t in token_rank else 0.0)
             for t in sorted(set(token_keys(text)))]
    token_weight = [key_idf[token_rank[t]] if t in token_rank else unseen_weight
                    for t in token_keys(text)]
    return keys, token_weight
