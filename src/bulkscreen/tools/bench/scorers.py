"""Pair scorers for the accuracy benchmark: our matcher and rapidfuzz baselines.

Each scorer maps two equal-length sequences of names to a float32 array of similarities in
[0, 1], one per pair. ``party_names_scores`` is our full feature set (the same normalisation,
token weights and kernel features that ``bulkscreen.matching.match.match_names`` combines),
applied to a given pair: it measures scoring, not candidate retrieval, and adds no secondary
evidence (country, birth year, entity type), since a labelled pair carries none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bulkscreen.lists.name_index import NameIndex
from bulkscreen.matching.algorithm import ALGORITHM_ID

PairScorer = Callable[[Sequence[str], Sequence[str]], np.ndarray]

OURS = ALGORITHM_ID
"""Our matcher is reported under its versioned algorithm id."""
BASELINES = ("rf-jaro-winkler", "rf-token-sort-ratio", "rf-wratio")
"""rapidfuzz baselines: Jaro-Winkler, token_sort_ratio / 100, WRatio / 100."""


def _match_texts(names: Sequence[str]) -> list[str]:
    """Normalised match text of each name ('' when nothing is left to match)."""
    from bulkscreen.lists.name_index import match_tokens
    from bulkscreen.normalize import normalize_names

    return [" ".join(match_tokens(n)) for n in normalize_names(list(names))]


def _text_tuple(texts: list[str], index: NameIndex) -> tuple[np.ndarray, ...]:
    """Texts as a kernel scoring tuple, with token weights from the index's IDF."""
    from bulkscreen.lists.name_index import encode_texts, text_keys

    codes, offsets = encode_texts(texts)
    sorted_codes, sorted_offsets = encode_texts([" ".join(sorted(t.split(" "))) for t in texts])
    keys = text_keys(codes, offsets, index.arrays)
    return (codes, offsets, sorted_codes, sorted_offsets, keys.token_ptr, keys.token_weight)


def party_names_scores(names_a: Sequence[str], names_b: Sequence[str],
                       index: NameIndex) -> np.ndarray:
    """Score each pair with our matcher's features and weights.

    Parameters
    ----------
    names_a, names_b
        Query names and list names, as written; pair ``i`` is ``(names_a[i], names_b[i])``.
    index
        A compiled name index; only its token weights (IDF) are used, so scores match those
        of a screening run against the same lists.

    Returns
    -------
    numpy.ndarray
        float32 scores in [0, 1]; 0 where either name normalises to nothing.
    """
    from bulkscreen.matching.algorithm import FEATURE_WEIGHTS, KEEP_RULES
    from bulkscreen_kernels.scoring import pair_features

    if len(names_a) != len(names_b):
        raise ValueError(f"{len(names_a)} names against {len(names_b)}: give one of each "
                         "per pair")
    texts_a, texts_b = _match_texts(names_a), _match_texts(names_b)
    scorable = np.array([bool(a) and bool(b) for a, b in zip(texts_a, texts_b, strict=True)],
                        dtype=bool)
    scores = np.zeros(len(texts_a), dtype=np.float32)
    rows = np.nonzero(scorable)[0]
    if rows.shape[0] == 0:
        return scores
    weights = np.array(FEATURE_WEIGHTS, dtype=np.float64)
    queries = _text_tuple([texts_a[i] for i in rows], index)
    names = _text_tuple([texts_b[i] for i in rows], index)
    pair_rows = np.arange(rows.shape[0], dtype=np.int64)
    _, combined = pair_features(queries, pair_rows, names, pair_rows, weights, KEEP_RULES)
    # The kernel's exact float64 score, rounded to float32 as in a run.
    scores[rows] = np.clip(combined, 0.0, 1.0).astype(np.float32)
    return scores


def rapidfuzz_scores(kind: str, names_a: Sequence[str], names_b: Sequence[str]) -> np.ndarray:
    """Score each pair with a rapidfuzz baseline.

    Parameters
    ----------
    kind
        ``rf-jaro-winkler`` (Jaro-Winkler of the lower-cased names),
        ``rf-token-sort-ratio`` or ``rf-wratio`` (``fuzz.token_sort_ratio`` and
        ``fuzz.WRatio`` with rapidfuzz's default processor, divided by 100).
    names_a, names_b
        The pairs, as written.

    Returns
    -------
    numpy.ndarray
        float32 scores in [0, 1].
    """
    from rapidfuzz import fuzz, process, utils
    from rapidfuzz.distance import JaroWinkler

    if kind == "rf-jaro-winkler":
        scorer, processor, scale = JaroWinkler.normalized_similarity, str.lower, 1.0
    elif kind == "rf-token-sort-ratio":
        scorer, processor, scale = fuzz.token_sort_ratio, utils.default_process, 100.0
    elif kind == "rf-wratio":
        scorer, processor, scale = fuzz.WRatio, utils.default_process, 100.0
    else:
        raise ValueError(f"unknown baseline {kind!r}; expected one of {BASELINES}")
    raw = process.cpdist(list(names_a), list(names_b), scorer=scorer, processor=processor,
                         dtype=np.float64, workers=1)
    return (np.asarray(raw, dtype=np.float64) / scale).astype(np.float32)


def all_scorers(index: NameIndex) -> dict[str, PairScorer]:
    """Our matcher first, then the baselines, each as ``(names_a, names_b) -> scores``."""
    scorers: dict[str, PairScorer] = {
        OURS: lambda a, b: party_names_scores(a, b, index)}
    for kind in BASELINES:
        scorers[kind] = lambda a, b, kind=kind: rapidfuzz_scores(kind, a, b)
    return scorers
