"""The matcher: one batch of names in, matches with scores, features and explanations out.

``match_names`` deduplicates the queries, normalises each distinct name once, finds candidates
through the index (:mod:`bulkscreen_kernels.index`), scores them in the kernels
(:mod:`bulkscreen_kernels.scoring`) with the weights and keep rules of
:mod:`bulkscreen.matching.algorithm`, applies per-row secondary evidence and keeps the best
alias of each entry. Features and explanations are built only for the rows it returns
(:mod:`bulkscreen.matching.explain`).
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.config import MatchConfig
from bulkscreen.lists.name_index import (
    ENTITY_TYPE_CODES,
    NameIndex,
    country_code,
    encode_texts,
    match_tokens,
    text_keys,
)
from bulkscreen.matching.abjad import skeleton_matches
from bulkscreen.matching.algorithm import (
    CANDIDATES_PER_QUERY,
    EVIDENCE_WEIGHTS,
    FEATURE_WEIGHTS,
    KEEP_RULES,
    MAX_POSTINGS_PER_QUERY,
    MIN_CANDIDATE_OVERLAP,
)
from bulkscreen.matching.explain import MATCH_SCHEMA, match_table
from bulkscreen.matching.initials import initials_matches

__all__ = ["MATCH_SCHEMA", "MatchTexts", "as_string_array", "match_names"]

QUERIES_PER_BLOCK = 50_000
"""Distinct queries scored at a time: bounds the (queries x candidates) working arrays."""

def as_string_array(values: Sequence[str | None] | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(list(values), type=pa.string())
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    return values


class MatchTexts:
    """Match texts of names, kept across the calls of one run: each distinct name is
    normalised once per run, however many indexes (an audit's list epochs) it meets.

    Parameters
    ----------
    max_names
        Names kept; the oldest are forgotten beyond it (and normalised again if they come
        back). Memory, not results: a text is the same whenever it is computed.

    Attributes
    ----------
    normalised
        Names normalised so far (each distinct name once, within the bound).
    """

    def __init__(self, max_names: int) -> None:
        self.max_names = max_names
        self.normalised = 0
        self._texts: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def of(self, names: list[str]) -> list[str]:
        """The match text of each name (``""`` for a name with no tokens)."""
        from bulkscreen.normalize import normalize_names

        known = self._texts
        missing = [name for name in names if name not in known]
        if not missing:
            return [known[name] for name in names]
        found = dict(zip(missing, [_match_text(norm) for norm in normalize_names(missing)],
                         strict=True))
        self.normalised += len(missing)
        texts = [found[name] if name in found else known[name] for name in names]
        if self.max_names > 0:
            known.update(found)
            # Dicts keep insertion order: forget the oldest names beyond the bound.
            for old in list(itertools.islice(known, max(len(known) - self.max_names, 0))):
                del known[old]
        return texts


def _distinct_queries(names: pa.Array, texts: MatchTexts | None = None
                      ) -> tuple[list[str], np.ndarray, list[str]]:
    """Normalise each distinct name once (once per run where ``texts`` keeps them).

    Returns the distinct match texts, the distinct-text id of every position (``-1`` for a
    null or a name with no tokens), and the raw distinct names (for explanations).
    """
    from bulkscreen.normalize import normalize_names

    encoded = pc.dictionary_encode(names)
    raw_distinct = encoded.dictionary.to_pylist()
    match_texts = (texts.of(raw_distinct) if texts is not None
                   else [_match_text(norm) for norm in normalize_names(raw_distinct)])
    text_id: dict[str, int] = {}
    raw_to_text = np.full(len(raw_distinct), -1, dtype=np.int64)
    for i, text in enumerate(match_texts):
        if text:
            raw_to_text[i] = text_id.setdefault(text, len(text_id))
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    valid = encoded.indices.is_valid().to_numpy(zero_copy_only=False)
    # A sentinel slot keeps the lookup valid when every name is null (empty dictionary).
    lookup = np.append(raw_to_text, -1)
    safe = np.where(valid, indices, len(raw_to_text)).astype(np.int64)
    row_text = np.where(valid, lookup[safe], -1)
    return list(text_id), row_text.astype(np.int64), raw_distinct


def _match_text(normalized) -> str:
    """``" ".join(match_tokens(normalized))``, taking the normalised text as it is when its
    tokens are all non-empty and space-free (nearly always)."""
    if normalized is None:
        return ""
    tokens = normalized.tokens
    text = normalized.text
    if tokens and text.count(" ") == len(tokens) - 1 and "" not in tokens:
        return text
    return " ".join(match_tokens(normalized))


def _query_texts(texts: list[str]) -> tuple[np.ndarray, ...]:
    """Code points of the texts and of their token-sorted forms (same offsets)."""
    from bulkscreen_kernels.strings import sort_tokens

    codes, offsets = encode_texts(texts)
    return codes, offsets, sort_tokens(codes, offsets), offsets


def _evidence_array(values, n_rows: int, what: str, arrow_type: pa.DataType) -> pa.Array:
    """One evidence value per name as an Arrow array, with a clear error on a length mismatch."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(values if isinstance(values, np.ndarray) else list(values),
                          from_pandas=True)
    if len(values) != n_rows:
        raise ValueError(f"{what} has {len(values)} values for {n_rows} names; "
                         "pass one value (or None) per name")
    return values if values.type == arrow_type else values.cast(arrow_type)


def _codes_by_distinct(values: pa.Array, code: Callable[[str | None], int], dtype) -> np.ndarray:
    """``code`` of every value, called once per distinct value (nulls get ``code(None)``)."""
    encoded = pc.dictionary_encode(values)
    # The last slot holds the null code, so null positions can index it.
    lookup = np.array([code(v) for v in encoded.dictionary.to_pylist()] + [code(None)],
                      dtype=dtype)
    indices = pc.fill_null(encoded.indices, len(encoded.dictionary))
    return lookup[indices.to_numpy(zero_copy_only=False)]


def _row_evidence(n_rows: int, countries, birth_years, entity_types
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Query-side evidence as kernel arrays: country codes, years, entity-type codes."""
    country = np.full(n_rows, -1, dtype=np.int16)
    year = np.zeros(n_rows, dtype=np.int16)
    entity = np.full(n_rows, -1, dtype=np.int8)
    if countries is not None:
        country[:] = _codes_by_distinct(
            _evidence_array(countries, n_rows, "countries", pa.string()), country_code, np.int16)
    if birth_years is not None:
        years = _evidence_array(birth_years, n_rows, "birth_years", pa.int64())
        years = pc.fill_null(years, 0).to_numpy(zero_copy_only=False)
        year[:] = np.where((years >= 1000) & (years <= 2999), years, 0)
    if entity_types is not None:
        entity[:] = _codes_by_distinct(
            _evidence_array(entity_types, n_rows, "entity_types", pa.string()),
            lambda t: ENTITY_TYPE_CODES.get(t or "", -1), np.int8)
    return country, year, entity


def _work_chunks() -> int:
    """A few work chunks per numba thread, so uneven queries still balance."""
    import numba

    return 4 * numba.get_num_threads()


def _score_block(index: NameIndex, texts: list[str], floor: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """Candidates, scores and (for scores at the floor or more) features of a block of
    distinct match texts."""
    from bulkscreen_kernels.index import top_candidates
    from bulkscreen_kernels.scoring import score_candidates

    arrays = index.arrays
    codes, offsets, sorted_codes, sorted_offsets = _query_texts(texts)
    keys = text_keys(codes, offsets, arrays)
    cand_idx, _ = top_candidates(
        keys.key_ptr, keys.key_ids, keys.key_weight, (arrays["post_ptr"], arrays["post_names"]),
        arrays["name_weight"], (CANDIDATES_PER_QUERY, MAX_POSTINGS_PER_QUERY,
                                MIN_CANDIDATE_OVERLAP), _work_chunks())
    queries = (codes, offsets, sorted_codes, sorted_offsets, keys.token_ptr, keys.token_weight)
    scores, features = score_candidates(queries, index.name_texts(), index.name_tokens(),
                              index.same_text(), cand_idx,
                              np.array(FEATURE_WEIGHTS, dtype=np.float64), KEEP_RULES, floor,
                              _work_chunks())
    return cand_idx, scores, features, queries


def match_names(index: NameIndex, names: Sequence[str | None] | pa.Array, config: MatchConfig,
                countries: Sequence[str | None] | pa.Array | None = None,
                birth_years: Sequence[int | None] | pa.Array | None = None,
                entity_types: Sequence[str | None] | pa.Array | None = None,
                texts: MatchTexts | None = None) -> pa.Table:
    """Match names against the compiled lists.

    Parameters
    ----------
    index
        Compiled list names (:func:`bulkscreen.lists.name_index.build_name_index`).
    names
        Names to screen; nulls and names that normalise to nothing match nothing.
    config
        Thresholds and ``top_k``.
    countries, birth_years, entity_types
        Optional query-side evidence, one value (or None) per name: ISO alpha-2 country,
        year of birth, entity type (person, organisation, vessel, aircraft); sequences or
        Arrow arrays. Evidence moves a score only where the matched entry has the same kind
        of data.
    texts
        The run's :class:`MatchTexts`, so a name matched against several indexes is
        normalised once; None normalises the distinct names of this call.

    Returns
    -------
    pyarrow.Table
        :data:`MATCH_SCHEMA`: one row per (query position, list entry) with score at or above
        ``config.review_threshold``, the entry's best alias, at most ``config.top_k`` rows per
        query, ordered by query position then best first. ``is_hit`` marks scores at or above
        ``config.hit_threshold``.
    """
    names = as_string_array(names)
    evidence = _row_evidence(len(names), countries, birth_years, entity_types)
    with _cyclic_gc_paused():
        table = match_table(index, names, config,
                            _match_pieces(index, names, config, evidence, texts))
    table = skeleton_matches(index, names, config, table, MATCH_SCHEMA)
    return initials_matches(index, names, config, table, MATCH_SCHEMA)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one batch.

    Normalising a batch allocates many small objects that reference counting frees; the
    cyclic collector would walk every live object again and again while they are made
    (about a fifth of a batch's time). It runs as usual once the batch is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _match_pieces(index: NameIndex, names: pa.Array, config: MatchConfig,
                  evidence: tuple[np.ndarray, ...], known: MatchTexts | None = None
                  ) -> list[tuple]:
    """Matched (row, rank, name, score, ...) arrays per block of distinct queries."""
    from bulkscreen_kernels.scoring import select_matches

    texts, row_text, _ = _distinct_queries(names, known)
    if not texts or index.n_names == 0:
        return []
    max_bonus = max(EVIDENCE_WEIGHTS[0], 0) + max(EVIDENCE_WEIGHTS[2], 0)
    floor = config.review_threshold - max_bonus
    pieces = []
    for start in range(0, len(texts), QUERIES_PER_BLOCK):
        stop = min(start + QUERIES_PER_BLOCK, len(texts))
        cand_idx, scores, features, queries = _score_block(index, texts[start:stop], floor)
        rows = np.nonzero((row_text >= start) & (row_text < stop))[0]
        row_query = row_text[rows] - start
        row_evidence = tuple(e[rows] for e in evidence)
        # Rows with the same query and evidence select the same matches: select once each.
        first, inverse = _distinct_selections(row_query, row_evidence)
        count, match_name, match_score = select_matches(
            row_query[first], cand_idx, scores, index.arrays["name_entry"],
            tuple(e[first] for e in row_evidence), index.entry_evidence(), EVIDENCE_WEIGHTS,
            config.review_threshold, config.top_k, _work_chunks())
        count, match_name, match_score = count[inverse], match_name[inverse], match_score[inverse]
        keep = np.arange(match_name.shape[1])[None, :] < count[:, None]
        local_row, rank = np.nonzero(keep)
        pieces.append((rows[local_row], rank, match_name[local_row, rank],
                       match_score[local_row, rank], row_query[local_row], local_row,
                       queries, row_evidence, cand_idx, features))
    return pieces


def _distinct_selections(row_query: np.ndarray, row_evidence: tuple[np.ndarray, ...]
                         ) -> tuple[np.ndarray, np.ndarray]:
    """First row of every distinct (query, country, year, entity type), and each row's one.

    Returns
    -------
    first : numpy.ndarray
        Index of one row per distinct combination.
    inverse : numpy.ndarray
        For every row, the position in ``first`` of its combination.
    """
    country, year, entity = row_evidence
    # Country codes < 26 * 26, years < 4096 and entity codes < 8 once shifted: one int64 key.
    key = ((row_query.astype(np.int64) * 1024 + (country.astype(np.int64) + 1)) * 4096
           + year.astype(np.int64)) * 8 + (entity.astype(np.int64) + 1)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.ravel()


