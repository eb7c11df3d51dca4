"""Restricted-party screening of an input batch: every name column matched against the lists.

``screen_parties_batch`` turns an input batch into HITS rows, one per (input row, name column,
matched entry), with the matcher of :mod:`bulkscreen.matching`; the screens decide what a match
means (:mod:`bulkscreen.decide`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.arrays import list_parents
from bulkscreen.columns import HITS
from bulkscreen.config import RunConfig
from bulkscreen.errors import InputSchemaError, Location
from bulkscreen.lists.name_index import NameIndex
from bulkscreen.matching.cache import MatchCache
from bulkscreen.matching.match import as_string_array, match_names

MATCH_SAME_TOKENS = "same tokens"
"""``match_basis`` of a party finding whose normalised names have the same tokens."""
MATCH_FUZZY = "fuzzy"
"""``match_basis`` of any other party finding: a person must confirm it."""

RECORD_KEY_COLUMNS = ("record_id", "shipment_id", "person_id")


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
        parents, _, flat = list_parents(column)
        return as_string_array(flat), parents
    return as_string_array(column), np.arange(len(column), dtype=np.int64)


def screen_parties_batch(batch: pa.RecordBatch, index: NameIndex, config: RunConfig,
                         name_columns: list[str], country_columns: dict[str, str] | None,
                         as_of: date, cache: MatchCache | None = None) -> pa.RecordBatch:
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
    cache
        The run's :class:`~bulkscreen.matching.cache.MatchCache` for ``index``: queries seen
        in earlier batches are answered from it (the same rows).

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
        matches = (cache.match if cache is not None else match_names)(
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
            "match_basis": pc.if_else(matches.column("same_tokens"), MATCH_SAME_TOKENS,
                                      MATCH_FUZZY),
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
