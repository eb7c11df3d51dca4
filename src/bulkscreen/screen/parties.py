"""Restricted-party screening of names: one batch of names in, matches with explanations out.

``match_names`` is the matcher: it deduplicates the queries, normalises each distinct name
once, finds candidates through the index, scores them in the kernels, applies per-row
secondary evidence and keeps the best alias of each entry. Feature details and explanations
are built only for the rows it returns, column-wise: numbers are formatted once per distinct
value and the strings are joined by Arrow. ``screen_parties_batch`` turns an input batch into
HITS rows, one per (input row, name column, matched entry).
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.columns import HITS
from bulkscreen.config import MatchConfig, RunConfig
from bulkscreen.errors import InputSchemaError, Location
from bulkscreen.lists.name_index import (
    CANDIDATES_PER_QUERY,
    ENTITY_TYPE_CODES,
    EVIDENCE_WEIGHTS,
    FEATURE_WEIGHTS,
    KEEP_RULES,
    MAX_POSTINGS_PER_QUERY,
    MIN_CANDIDATE_OVERLAP,
    NameIndex,
    country_code,
    encode_texts,
    match_tokens,
    text_keys,
)

QUERIES_PER_BLOCK = 50_000
"""Distinct queries scored at a time: bounds the (queries x candidates) working arrays."""

MATCH_SCHEMA = pa.schema([
    ("query_pos", pa.int32()), ("list_id", pa.string()), ("list_version", pa.string()),
    ("entry_id", pa.string()), ("matched_name", pa.string()), ("alias_kind", pa.string()),
    ("score", pa.float32()), ("features", pa.string()), ("is_hit", pa.bool_()),
    ("explanation", pa.string()),
])

RECORD_KEY_COLUMNS = ("record_id", "shipment_id", "person_id")


def _as_string_array(values: Sequence[str | None] | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(list(values), type=pa.string())
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    return values


def _distinct_queries(names: pa.Array) -> tuple[list[str], np.ndarray, list[str]]:
    """Normalise each distinct name once.

    Returns the distinct match texts, the distinct-text id of every position (``-1`` for a
    null or a name with no tokens), and the raw distinct names (for explanations).
    """
    from bulkscreen.normalize import normalize_names

    encoded = pc.dictionary_encode(names)
    raw_distinct = encoded.dictionary.to_pylist()
    normalized = normalize_names(raw_distinct)
    text_id: dict[str, int] = {}
    raw_to_text = np.full(len(raw_distinct), -1, dtype=np.int64)
    for i, norm in enumerate(normalized):
        text = _match_text(norm)
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
                entity_types: Sequence[str | None] | pa.Array | None = None) -> pa.Table:
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

    Returns
    -------
    pyarrow.Table
        :data:`MATCH_SCHEMA`: one row per (query position, list entry) with score at or above
        ``config.review_threshold``, the entry's best alias, at most ``config.top_k`` rows per
        query, ordered by query position then best first. ``is_hit`` marks scores at or above
        ``config.hit_threshold``.
    """
    names = _as_string_array(names)
    evidence = _row_evidence(len(names), countries, birth_years, entity_types)
    with _cyclic_gc_paused():
        return _match_table(index, names, config, _match_pieces(index, names, config, evidence))


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
                  evidence: tuple[np.ndarray, ...]) -> list[tuple]:
    """Matched (row, rank, name, score, ...) arrays per block of distinct queries."""
    from bulkscreen_kernels.scoring import select_matches

    texts, row_text, _ = _distinct_queries(names)
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


def _format_once(values: np.ndarray, *formats: Callable[[float], str]
                 ) -> tuple[list[pa.Array], np.ndarray]:
    """Python's formatting of float values, computed once per distinct value.

    Going through the same Python functions as a per-row loop keeps the text identical to
    it, while the calls are bounded by the distinct values (scores and features repeat).

    Returns
    -------
    texts : list of pyarrow.Array
        Per format, the string of every distinct value.
    positions : numpy.ndarray
        Index into ``texts`` of every value, shaped like ``values``.
    """
    # Distinct by bit pattern: -0.0 and 0.0 compare equal but print differently.
    values = np.ascontiguousarray(values)
    distinct, inverse = np.unique(values.view(f"u{values.dtype.itemsize}"), return_inverse=True)
    python_values = distinct.view(values.dtype).tolist()
    texts = [pa.array([fmt(v) for v in python_values], pa.string()) for fmt in formats]
    return texts, inverse.reshape(values.shape)


def _json_number(value: float) -> str:
    """``json.dumps`` of ``round(value, 4)`` (a finite float prints as its repr)."""
    rounded = round(value, 4)
    return repr(rounded) if math.isfinite(rounded) else json.dumps(rounded)


def _fixed(value: float) -> str:
    return f"{round(value, 4):.2f}"


def _signed(value: float) -> str:
    return f"{round(value, 4):+.2f}"


def _score_text(value: float) -> str:
    return f"{value:.2f}"


@lru_cache(maxsize=256)
def _text_scalar(text: str) -> pa.StringScalar:
    """A constant string as an Arrow scalar, made once.

    Arrow converts a Python string argument on every call, and each conversion looks for an
    optional date library; the literals of the explanation text repeat for every batch.
    """
    return pa.scalar(text, pa.string())


def _join(*parts: pa.Array | str, skip_nulls: bool = False) -> pa.Array:
    """Element-wise concatenation of string arrays and strings; a null part either nulls
    the row or, with ``skip_nulls``, is left out."""
    options = pc.JoinOptions(null_handling="skip" if skip_nulls else "emit_null")
    arrow_parts = [_text_scalar(part) if isinstance(part, str) else part for part in parts]
    return pc.binary_join_element_wise(*arrow_parts, _text_scalar(""), options=options)


def _detail_parts(features: np.ndarray, deltas: np.ndarray
                  ) -> tuple[list[pa.Array | str], list[pa.Array | str]]:
    """Parts of the ``features`` JSON and of an explanation's bracketed list.

    The text is what ``json.dumps`` prints for a dict of ``round(x, 4)`` values (features
    in order, then the non-zero evidence deltas) and ``f"{v:.2f}"`` / ``f"{v:+.2f}"`` on the
    same values. A zero delta's parts are null, so a join skipping nulls leaves it out.
    """
    from bulkscreen_kernels.scoring import EVIDENCE, FEATURES

    (feature_json, feature_text), feature_at = _format_once(features, _json_number, _fixed)
    (delta_json, delta_text), delta_at = _format_once(deltas, _json_number, _signed)
    json_parts: list[pa.Array | str] = ["{"]
    text_parts: list[pa.Array | str] = []
    for j, key in enumerate(FEATURES):
        at = pa.array(feature_at[:, j])
        json_parts += [("," if j else "") + f'"{key}":', feature_json.take(at)]
        text_parts += [(", " if j else "") + f"{key} ", feature_text.take(at)]
    null = pa.scalar(None, pa.string())
    for j, key in enumerate(EVIDENCE):
        at = pa.array(delta_at[:, j])
        absent = pa.array(deltas[:, j] == 0)
        json_parts.append(pc.if_else(absent, null, _join(f',"{key}":', delta_json.take(at))))
        text_parts.append(pc.if_else(absent, null, _join(f", {key} ", delta_text.take(at))))
    return [*json_parts, "}"], text_parts


def _explanation_parts(query_values: pa.Array, matched: pa.Table, score_text: pa.Array
                       ) -> list[pa.Array | str]:
    """``'query' ~ 'name' (kind) on list version entry id: score s [`` per row."""
    def text(column: str) -> pa.Array:
        # An f-string prints a missing value as None; keep that.
        return pc.fill_null(matched.column(column).combine_chunks(), _text_scalar("None"))

    return ["'", pc.fill_null(query_values, _text_scalar("None")), "' ~ '", text("name"), "' (",
            text("alias_kind"), ") on ", text("list_id"), " ", text("list_version"), " entry ",
            text("entry_id"), ": score ", score_text, " ["]


def _pair_features_once(queries, query_ids: np.ndarray, index: NameIndex, name_ids: np.ndarray,
                        cand_idx: np.ndarray, cand_features: np.ndarray) -> np.ndarray:
    """Feature vectors of matched (query, name) pairs.

    Scoring kept every feature of these pairs but the unweighted edit similarity, which is
    computed here once per distinct pair.
    """
    from bulkscreen_kernels.scoring import FEATURES, edit_similarities

    at = np.argmax(cand_idx[query_ids] == name_ids[:, None], axis=1)
    features = cand_features[query_ids, at]
    pair_key = query_ids.astype(np.int64) * max(index.n_names, 1) + name_ids
    _, first, inverse = np.unique(pair_key, return_index=True, return_inverse=True)
    edit = edit_similarities(queries, query_ids[first], index.name_texts(), name_ids[first])
    features[:, FEATURES.index("levenshtein")] = edit[inverse.ravel()]
    return features


def _match_table(index: NameIndex, names: pa.Array, config: MatchConfig, pieces) -> pa.Table:
    """Assemble output rows column-wise; features and explanations only for these rows."""
    from bulkscreen_kernels.scoring import row_evidence_deltas

    tables = []
    for (rows, rank, name_ids, scores, query_ids, local_rows, queries, row_evidence, cand_idx,
         cand_features) in pieces:
        if rows.shape[0] == 0:
            continue
        features = _pair_features_once(queries, query_ids, index, name_ids, cand_idx,
                                       cand_features)
        deltas = row_evidence_deltas(local_rows, name_ids, index.arrays["name_entry"],
                                     row_evidence, index.entry_evidence(), EVIDENCE_WEIGHTS)
        matched = index.names.select(["list_id", "list_version", "entry_id", "name",
                                      "alias_kind"]).take(pa.array(name_ids))
        json_parts, text_parts = _detail_parts(features, deltas)
        (score_text,), score_at = _format_once(scores, _score_text)
        head = _explanation_parts(names.take(pa.array(rows)), matched,
                                  score_text.take(pa.array(score_at)))
        order = np.lexsort((rank, rows))
        tables.append(pa.table({
            "query_pos": pa.array(rows.astype(np.int32)),
            "list_id": matched.column("list_id"), "list_version": matched.column("list_version"),
            "entry_id": matched.column("entry_id"), "matched_name": matched.column("name"),
            "alias_kind": matched.column("alias_kind"),
            "score": pa.array(scores.astype(np.float32)),
            "features": _join(*json_parts, skip_nulls=True),
            "is_hit": pa.array(scores >= np.float32(config.hit_threshold)),
            "explanation": _join(*head, *text_parts, "]", skip_nulls=True),
        }, schema=MATCH_SCHEMA).take(pa.array(order)))
    if not tables:
        return MATCH_SCHEMA.empty_table()
    result = pa.concat_tables(tables)
    # Blocks hold disjoint positions; one stable sort restores position order overall.
    return result.take(pc.sort_indices(result, [("query_pos", "ascending")]))


def _record_key_column(batch: pa.RecordBatch) -> str:
    for name in RECORD_KEY_COLUMNS:
        if name in batch.schema.names:
            return name
    raise InputSchemaError(
        "the batch has no record key column", Location(column="record_id"),
        f"provide one of {', '.join(RECORD_KEY_COLUMNS)} (the input's key column)")


def _flatten_names(column: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Names of a string or list-of-strings column, with the batch row of each name."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        parents = pc.list_parent_indices(column).to_numpy(zero_copy_only=False)
        return _as_string_array(pc.list_flatten(column)), parents.astype(np.int64)
    return _as_string_array(column), np.arange(len(column), dtype=np.int64)


def screen_parties_batch(batch: pa.RecordBatch, index: NameIndex, config: RunConfig,
                         name_columns: list[str], country_columns: dict[str, str] | None,
                         as_of: date) -> pa.RecordBatch:
    """Screen every name column of a batch; return HITS rows (a pure function).

    Parameters
    ----------
    batch
        Input rows with ``input_row`` (int64), a key column (``record_id``, ``shipment_id``
        or ``person_id``) and the name columns (strings, or lists of strings such as a
        person's aliases).
    index
        Compiled list names.
    config
        Run configuration; ``config.match`` holds thresholds and ``top_k``.
    name_columns
        Columns holding names to screen.
    country_columns
        Name column -> column with that party's country (evidence), where there is one.
    as_of
        Date the rows are judged on.

    Returns
    -------
    pyarrow.RecordBatch
        HITS schema; finding ``party``, decision ``REVIEW`` (the rules layer decides
        licence or prohibition), reason ``PARTY_HIT`` at or above the hit threshold and
        ``PARTY_NEAR_MATCH`` in the review band. Ordered by batch row, column, rank.
    """
    for column in ["input_row", *name_columns, *(country_columns or {}).values()]:
        if column not in batch.schema.names:
            raise InputSchemaError(f"column {column!r} is missing from the batch",
                                   Location(column=column),
                                   "map it with column_map or add it to the input file")
    key_column = _record_key_column(batch)
    is_person = "person_id" in batch.schema.names
    birth = None
    if "date_of_birth" in batch.schema.names:
        birth = pc.year(batch.column("date_of_birth"))
    input_row = batch.column("input_row").to_numpy(zero_copy_only=False)
    record_id = batch.column(key_column).cast(pa.string())
    hit_threshold = f"{config.match.hit_threshold:.2f}"
    review_threshold = f"{config.match.review_threshold:.2f}"
    parts = []
    for order, column in enumerate(name_columns):
        names, parent = _flatten_names(batch.column(column))
        at_parent = pa.array(parent)
        countries = None
        if country_columns and column in country_columns:
            countries = batch.column(country_columns[column]).take(at_parent)
        matches = match_names(
            index, names, config.match, countries=countries,
            birth_years=birth.take(at_parent) if birth is not None else None,
            entity_types=pa.repeat(pa.scalar("person"), len(parent)) if is_person else None)
        if matches.num_rows == 0:
            continue
        positions = matches.column("query_pos").to_numpy()
        rows = parent[positions]
        n_rows = len(rows)
        hit = matches.column("is_hit")
        parts.append(pa.table({
            "input_row": pa.array(input_row[rows], pa.int64()),
            "record_id": record_id.take(pa.array(rows)),
            "as_of_date": pa.repeat(pa.scalar(as_of, pa.date32()), n_rows),
            "finding": pa.repeat(pa.scalar("party"), n_rows),
            "decision": pa.repeat(pa.scalar("REVIEW"), n_rows),
            "reason_code": pc.if_else(hit, "PARTY_HIT", "PARTY_NEAR_MATCH"),
            "field": pa.repeat(pa.scalar(column), n_rows),
            "query_value": names.take(pa.array(positions)),
            "list_id": matches.column("list_id"), "list_version": matches.column("list_version"),
            "entry_id": matches.column("entry_id"), "matched_name": matches.column("matched_name"),
            "alias_kind": matches.column("alias_kind"), "score": matches.column("score"),
            "features": matches.column("features"),
            "threshold": pc.if_else(hit, hit_threshold, review_threshold),
            "explanation": matches.column("explanation"),
            "_row": pa.array(rows), "_column": pa.repeat(pa.scalar(order, pa.int32()), n_rows),
            "_rank": pa.array(np.arange(n_rows), pa.int64()),
        }))
    schema = HITS.arrow_schema()
    if not parts:
        return pa.RecordBatch.from_pylist([], schema=schema)
    table = pa.concat_tables(parts)
    table = table.take(pc.sort_indices(table, [("_row", "ascending"), ("_column", "ascending"),
                                               ("_rank", "ascending")]))
    columns = [table.column(f.name) if f.name in table.schema.names
               else pa.nulls(table.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema).combine_chunks().to_batches()[0]
