"""Pair scorers for the accuracy benchmark: our matcher, peer matchers and rapidfuzz baselines.

Each scorer maps two equal-length sequences of names to a float32 array of similarities in
[0, 1], one per pair. ``party_names_scores`` is our full feature set (the same normalisation,
token weights, kernel features, informative-token cap, name-part caps and the skeleton,
initials and acronym readings that ``bulkscreen.matching.match.match_names`` applies),
applied to a given pair: it measures
scoring, not candidate retrieval, and adds no secondary evidence (country, birth year), since
a labelled pair carries none.

The peers are OpenSanctions' matchers from nomenklatura (the ``peers`` extra): ``logic-v2``
and ``name-based``, each comparing two followthemoney entities that carry one name each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bulkscreen.lists.name_index import NameIndex
from bulkscreen.matching.algorithm import ALGORITHM_ID

PairScorer = Callable[[Sequence[str], Sequence[str]], np.ndarray]

OURS = ALGORITHM_ID
OURS_AT_REVIEW = f"{ALGORITHM_ID} (review)"
"""Our matcher at the review threshold: where a screening run starts to alert, as the peers'
0.70 is where yente starts to."""
"""Our matcher is reported under its versioned algorithm id."""
BASELINES = ("rf-jaro-winkler", "rf-token-sort-ratio", "rf-wratio")
"""rapidfuzz baselines: Jaro-Winkler, token_sort_ratio / 100, WRatio / 100."""
PEERS = {"nk-logic-v2": "logic-v2", "nk-name-based": "name-based"}
"""Peer scorer -> nomenklatura algorithm name."""
PEER_SCHEMA = "LegalEntity"
"""followthemoney schema of both sides of a peer comparison: a labelled pair says nothing of
whether it names a person or an organisation, and LegalEntity is the schema above both."""
PEER_THRESHOLD = 0.70
"""yente's default match threshold, used for the peers' own operating point."""
BASELINE_THRESHOLD = 0.90
"""Operating point of the rapidfuzz baselines (as in benchmarks/bench_names_accuracy.py)."""
PEERS_MISSING = ("nomenklatura is not installed: the peer columns (nk-logic-v2, nk-name-based) "
                 "are skipped; pip install 'bulkscreen[peers]' to score them")


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
                       index: NameIndex,
                       entity_types: Sequence[str | None] | None = None) -> np.ndarray:
    """Score each pair with our matcher's features and weights.

    Parameters
    ----------
    names_a, names_b
        Query names and list names, as written; pair ``i`` is ``(names_a[i], names_b[i])``.
    index
        A compiled name index; only its token weights (IDF) are used, so scores match those
        of a screening run against the same lists.
    entity_types
        Entity type of each list name (``names_b``). As in a run, an organisation match that
        shares no informative token and is not the same tokens is capped at
        ``UNINFORMATIVE_CAP``; person names are exempt. Without types every pair is checked,
        as a run checks a list name of unknown type.

    Returns
    -------
    numpy.ndarray
        float32 scores in [0, 1]; 0 where either name normalises to nothing.
    """
    from bulkscreen.matching.algorithm import FEATURE_WEIGHTS, KEEP_RULES, UNINFORMATIVE_CAP
    from bulkscreen.matching.informative import informative_matches
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
    query_texts, name_texts = [texts_a[i] for i in rows], [texts_b[i] for i in rows]
    types = [None] * len(names_a) if entity_types is None else list(entity_types)
    checked = np.array([types[i] != "person" and sorted(query_texts[k].split(" "))
                        != sorted(name_texts[k].split(" ")) for k, i in enumerate(rows)],
                       dtype=bool)
    capped = ~informative_matches(query_texts, name_texts, checked)
    capped &= scores[rows] > np.float32(UNINFORMATIVE_CAP)
    scores[rows[capped]] = np.float32(UNINFORMATIVE_CAP)
    for k, i in enumerate(rows.tolist()):
        scores[i] = _second_readings(names_a[i], names_b[i], query_texts[k], name_texts[k],
                                     types[i], float(scores[i]), index)
    return scores


def _second_readings(raw_a: str, raw_b: str, text_a: str, text_b: str,
                     entity_type: str | None, score: float, index: NameIndex) -> np.float32:
    """A pair's score after the rules a run applies to returned matches: the name-part caps
    (:mod:`bulkscreen.matching.name_parts`, common names counted on ``index``), then the
    skeleton, initials and acronym readings (:mod:`bulkscreen.matching.abjad`,
    :mod:`bulkscreen.matching.initials`), which lift a pair to their own score."""
    import re

    from bulkscreen.matching import abjad, initials, name_parts
    from bulkscreen.matching.abjad import ABJAD_LETTER
    from bulkscreen.matching.algorithm import UNINFORMATIVE_CAP
    from bulkscreen.normalize import normalize_name

    tokens_a, tokens_b = text_a.split(" "), text_b.split(" ")
    same = sorted(tokens_a) == sorted(tokens_b)
    if not same and score > UNINFORMATIVE_CAP:
        forms = name_parts.legal_form_words()
        one_in_many = len(tokens_b) == 1 and sum(t not in forms for t in tokens_a) > 1
        # As in a run, a name of unknown type may be a person's.
        maybe_person = entity_type in (None, "", "unknown", "person")
        stats = name_parts.name_token_stats(index)
        written_person = entity_type == "person" or (
            maybe_person and (name_parts.written_as_person(raw_b)
                              or name_parts.untyped_person_name(text_b, raw_b,
                                                                stats.person_entries)))
        both_abjad = bool(re.search(ABJAD_LETTER, raw_a)) and bool(re.search(ABJAD_LETTER,
                                                                             raw_b))
        partial = one_in_many or name_parts.short_token_conflict(text_a, text_b) or (
            both_abjad and name_parts.abjad_name_words(raw_b) == 1
            < name_parts.abjad_name_words(raw_a)) or (
            written_person and (
                not name_parts.covers_family_name(text_a, name_parts.family_tokens(raw_b))
                or name_parts.misses_first_or_last_name(text_a, text_b, raw_b)))
        common = not partial and (
            bool(name_parts.other_or_common_names(
                [text_a], [text_b], np.array([maybe_person]), stats,
                np.array([entity_type != "person"]))[0])
            or (both_abjad and name_parts.other_abjad_word(text_a, text_b))
            or (maybe_person and name_parts.splits_compound_name(raw_a, text_b)))
        if partial or common:
            score = UNINFORMATIVE_CAP
    if same:
        return np.float32(score)
    if normalize_name(raw_a).script in abjad.ABJAD_SCRIPTS:
        keys_a, keys_b = abjad.skeleton_keys(text_a), abjad.skeleton_keys(text_b)
        if keys_a[0] and (keys_a[0] in keys_b or keys_a[1] in keys_b):
            score = max(score, abjad.ABJAD_SKELETON_SCORE)
    if re.search(r"(^|[\s\-])\w\.", raw_a) and entity_type in (None, "person") and (
            initials.covers_with_initials(tokens_a, tokens_b)):
        score = max(score, initials.INITIALS_SCORE)
    letters = "".join(ch for ch in raw_a if ch.isalpha())
    if (entity_type != "person" and 2 <= len(letters) <= 8 and letters.isupper()
            and raw_a.replace(".", "").strip().isalpha()
            and letters.lower() in initials.acronyms_of(tokens_b)):
        score = max(score, initials.ACRONYM_SCORE)
    return np.float32(score)


def first_candidates(index: NameIndex, names: Sequence[str]
                     ) -> tuple[list[str], list[str | None]]:
    """The list name our candidate index ranks first for each name, and its entity type.

    This is the hardest candidate a screening run would score for the name (step 3 of the
    matcher: IDF-weighted overlap of 3-grams and tokens), chosen before any scorer runs, so a
    pairwise benchmark gives every scorer the same candidate.

    Returns
    -------
    names, entity_types : list
        ``""`` and None where a name normalises to nothing or has no candidate.
    """
    from bulkscreen.lists.name_index import encode_texts, text_keys
    from bulkscreen.matching.algorithm import (
        CANDIDATES_PER_QUERY,
        MAX_POSTINGS_PER_QUERY,
        MIN_CANDIDATE_OVERLAP,
    )
    from bulkscreen_kernels.index import top_candidates

    texts = _match_texts(names)
    rows = [i for i, text in enumerate(texts) if text]
    found: list[str] = [""] * len(texts)
    types: list[str | None] = [None] * len(texts)
    if not rows or index.n_names == 0:
        return found, types
    arrays = index.arrays
    codes, offsets = encode_texts([texts[i] for i in rows])
    keys = text_keys(codes, offsets, arrays)
    cand_idx, _ = top_candidates(
        keys.key_ptr, keys.key_ids, keys.key_weight, (arrays["post_ptr"], arrays["post_names"]),
        arrays["name_weight"], (CANDIDATES_PER_QUERY, MAX_POSTINGS_PER_QUERY,
                                MIN_CANDIDATE_OVERLAP), 8)
    list_names = index.names.column("name").to_pylist()
    list_types = index.names.column("entity_type").to_pylist()
    for row, name_id in zip(rows, cand_idx[:, 0].tolist(), strict=True):
        if name_id >= 0:
            found[row], types[row] = list_names[name_id], list_types[name_id]
    return found, types


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


def peers_available() -> bool:
    """Whether nomenklatura (the ``peers`` extra) can be imported."""
    import importlib.util

    return importlib.util.find_spec("nomenklatura") is not None


def _peer_entity(side: str, name: str):
    """A followthemoney entity with one name; its id is derived from the name because
    nomenklatura memoises name analysis by entity id."""
    import hashlib

    from followthemoney import model

    entity = model.make_entity(PEER_SCHEMA)
    entity.id = f"{side}-" + hashlib.sha1(name.encode("utf-8")).hexdigest()
    entity.add("name", name)
    return entity


def nomenklatura_scores(algorithm: str, names_a: Sequence[str],
                        names_b: Sequence[str]) -> np.ndarray:
    """Score each pair with a nomenklatura matching algorithm.

    Parameters
    ----------
    algorithm
        A nomenklatura algorithm name (``logic-v2``, ``name-based``; see
        ``nomenklatura.matching.get_algorithm``).
    names_a, names_b
        Query names and list names; each becomes a :data:`PEER_SCHEMA` entity with that one
        name, compared with the algorithm's default configuration.

    Returns
    -------
    numpy.ndarray
        float32 scores in [0, 1] (``MatchingResult.score``).

    Raises
    ------
    ImportError
        nomenklatura is not installed (the ``peers`` extra).
    """
    try:
        from nomenklatura.matching import ScoringConfig, get_algorithm
    except ImportError:
        raise ImportError("peer scoring needs nomenklatura: "
                          "pip install 'bulkscreen[peers]'") from None
    if len(names_a) != len(names_b):
        raise ValueError(f"{len(names_a)} names against {len(names_b)}: give one of each "
                         "per pair")
    matcher = get_algorithm(algorithm)
    if matcher is None:
        raise ValueError(f"nomenklatura has no algorithm {algorithm!r}")
    config = ScoringConfig.defaults()
    scores = np.zeros(len(names_a), dtype=np.float32)
    for i, (a, b) in enumerate(zip(names_a, names_b, strict=True)):
        if a.strip() and b.strip():
            result = matcher.compare(_peer_entity("q", a), _peer_entity("c", b), config)
            scores[i] = min(max(float(result.score), 0.0), 1.0)
    return scores


def all_scorers(index: NameIndex, peers: bool = True) -> dict[str, PairScorer]:
    """Our matcher first, then the peers (when ``peers`` and nomenklatura is installed),
    then the baselines, each as ``(names_a, names_b) -> scores``."""
    def ours(a, b):
        return party_names_scores(a, b, index)

    scorers: dict[str, PairScorer] = {OURS: ours, OURS_AT_REVIEW: ours}
    if peers and peers_available():
        for name, algorithm in PEERS.items():
            scorers[name] = lambda a, b, algorithm=algorithm: nomenklatura_scores(
                algorithm, a, b)
    for kind in BASELINES:
        scorers[kind] = lambda a, b, kind=kind: rapidfuzz_scores(kind, a, b)
    return scorers


def own_thresholds(hit_threshold: float, review_threshold: float = 0.85) -> dict[str, float]:
    """Each scorer's own operating point: ours at the hit threshold and, as
    :data:`OURS_AT_REVIEW`, at the review threshold, where a run starts to alert; the peers at
    yente's default alert threshold, the baselines at :data:`BASELINE_THRESHOLD`."""
    return {OURS: hit_threshold, OURS_AT_REVIEW: review_threshold,
            **dict.fromkeys(PEERS, PEER_THRESHOLD),
            **dict.fromkeys(BASELINES, BASELINE_THRESHOLD)}
