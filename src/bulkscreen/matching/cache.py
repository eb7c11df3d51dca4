"""A run-wide cache of name matches: each distinct query is matched once per run.

Real files repeat their names (the same customers ship again and again), and a run reads them
batch after batch. :class:`MatchCache` keeps the matches of each distinct query (name, country,
birth year, entity type) across batches, so only queries not seen before reach the matcher.
It is bounded twice: past ``max_queries`` queries, or past ``max_bytes`` of kept matches, the
least recently used queries are evicted; an audit's list epochs share one cache, and so one
bound. The matches of a query do not depend on the other queries of its batch, so cached and
fresh rows are the same.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.config import MatchConfig
from bulkscreen.lists.name_index import NameIndex
from bulkscreen.matching.explain import MATCH_SCHEMA
from bulkscreen.matching.match import MatchTexts, as_string_array, match_names

DEFAULT_MAX_QUERIES = 200_000
DEFAULT_MAX_BYTES = 96 << 20
_ROW_SCHEMA = pa.schema([f for f in MATCH_SCHEMA if f.name != "query_pos"])
_INTERNED = ("list_id", "list_version", "alias_kind")
"""Columns of few distinct values: one string object each, not one per cached row."""
_KEY_BYTES = 320
"""About what one kept query costs besides its texts: the key tuple, its small strings and the
ordered dict's slot and link."""
_ROW_BYTES = 520
"""About what one kept match row costs besides its texts: the tuple, its float and the string
objects' headers."""

Row = tuple[Any, ...]
"""One match row: the values of the ``_ROW_SCHEMA`` columns, in order."""

QueryKey = tuple[str, str | None, str | None, int | None, str | None]
"""(index key, name, country, birth year, entity type): one cache serves several indexes (an
audit's list epochs), within one bound."""


def _as_array(column: Sequence[Any] | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks()
    if isinstance(column, pa.Array):
        return column
    return pa.array(list(column), from_pandas=True)


def _value_codes(column: pa.Array) -> tuple[np.ndarray, int]:
    """An integer per value, equal for equal values (nulls one more), and how many there are."""
    encoded = pc.dictionary_encode(column)
    n_values = len(encoded.dictionary)
    codes = pc.fill_null(encoded.indices, n_values).to_numpy(zero_copy_only=False)
    return codes.astype(np.int64), n_values + 1


def _distinct_positions(columns: list[Sequence[Any] | pa.Array | None]
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The queries of a batch's positions, grouped by equal values in every column.

    Parameters
    ----------
    columns
        Names and evidence columns of one length (None: no such evidence).

    Returns
    -------
    first : numpy.ndarray
        The first position of each distinct query, in the order they first appear.
    inverse : numpy.ndarray
        For every position, its query's place in ``first``.
    last : numpy.ndarray
        The last position of each distinct query.
    """
    n = len(columns[0])
    key = np.zeros(n, dtype=np.int64)
    span = 1
    for column in columns:
        if column is None:
            continue
        codes, n_codes = _value_codes(_as_array(column))
        if span * n_codes >= 1 << 62:  # keep the combined key exact: renumber it first
            key = np.unique(key, return_inverse=True)[1].ravel().astype(np.int64)
            span = int(key.max(initial=0)) + 1
        key = key * n_codes + codes
        span *= n_codes
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    # np.unique numbers queries by key; renumber them by first appearance.
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    inverse = rank[inverse.ravel()]
    last = np.full(len(order), -1, dtype=np.int64)
    np.maximum.at(last, inverse, np.arange(n, dtype=np.int64))
    return first[order], inverse, last


def _query_keys(index_key: str, names: pa.Array, evidence: tuple[Any, ...],
                positions: np.ndarray) -> list[QueryKey]:
    """The cache keys of the queries at ``positions``."""
    at = pa.array(positions, pa.int64())
    values = [[None] * len(positions) if column is None else _as_array(column).take(at).to_pylist()
              for column in evidence]
    return list(zip([index_key] * len(positions), names.take(at).to_pylist(), *values,
                    strict=True))


def _expand(found: list[tuple[Row, ...]], inverse: np.ndarray) -> pa.Table:
    """MATCH_SCHEMA rows of every position: its query's rows, in position order."""
    counts = np.array([len(rows) for rows in found], dtype=np.int64)
    starts = np.cumsum(counts) - counts
    per_position = counts[inverse]
    query_pos = np.repeat(np.arange(len(inverse), dtype=np.int32), per_position)
    # Each position reads its query's rows start, start + 1, ... of the distinct rows.
    within = np.arange(len(query_pos), dtype=np.int64) - np.repeat(
        np.cumsum(per_position) - per_position, per_position)
    take = np.repeat(starts[inverse], per_position) + within
    rows = [row for query_rows in found for row in query_rows]
    columns = zip(*rows, strict=True) if rows else ([] for _ in _ROW_SCHEMA)
    body = pa.Table.from_arrays([pa.array(values, field.type) for values, field
                                 in zip(columns, _ROW_SCHEMA, strict=True)],
                                schema=_ROW_SCHEMA)
    body = body.take(pa.array(take, pa.int64()))
    return body.add_column(0, MATCH_SCHEMA.field("query_pos"), pa.array(query_pos, pa.int32()))


class MatchCache:
    """Matches of distinct queries, kept across the batches of one run (LRU-bounded).

    Parameters
    ----------
    max_queries
        Distinct queries kept; the least recently used are evicted beyond it.
    max_bytes
        About the memory the kept matches may take; the least recently used queries are
        evicted beyond it. ``0``: no bound but ``max_queries``.

    Attributes
    ----------
    hits, misses, evictions
        Queries answered from the cache, matched afresh, and dropped to stay in bounds.
    """

    def __init__(self, max_queries: int = DEFAULT_MAX_QUERIES,
                 max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_queries = max_queries
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        self.bytes = 0
        # Each query's rows as tuples (no keys repeated per row), beside their estimated
        # size: the bytes bound needs each entry's size when it is evicted.
        self._store: OrderedDict[QueryKey, tuple[tuple[Row, ...], int]] = OrderedDict()
        # Match texts by name, for every index this cache serves: a name met in several
        # list epochs is normalised once.
        self.texts = MatchTexts(max_queries)

    def __len__(self) -> int:
        return len(self._store)

    def __getstate__(self) -> dict[str, Any]:
        # A job shipped to another process starts with an empty cache of its own.
        state = dict(self.__dict__)
        state["_store"] = OrderedDict()
        state["bytes"] = 0
        state["texts"] = MatchTexts(self.max_queries)
        return state

    def stats(self) -> dict[str, int]:
        """Counts for the manifest: queries cached now, hits, misses, evictions, bytes."""
        return {"queries": len(self._store), "hits": self.hits, "misses": self.misses,
                "evictions": self.evictions, "max_queries": self.max_queries,
                "bytes": self.bytes, "max_bytes": self.max_bytes}

    def match(self, index: NameIndex, names: Sequence[str | None] | pa.Array,
              config: MatchConfig, countries: Sequence[str | None] | pa.Array | None = None,
              birth_years: Sequence[int | None] | pa.Array | None = None,
              entity_types: Sequence[str | None] | pa.Array | None = None) -> pa.Table:
        """:func:`~bulkscreen.matching.match.match_names`, answered from the cache where the
        query was matched before; same arguments, same rows."""
        names = as_string_array(names)
        evidence = (countries, birth_years, entity_types)
        # Positions are grouped by query in Arrow and numpy: only distinct queries become
        # Python keys, whatever the batch repeats.
        first, inverse, last = _distinct_positions([names, *evidence])
        keys = _query_keys(index.key, names, evidence, first)
        stored = [key in self._store for key in keys]
        fresh = [k for k, known in enumerate(stored) if not known]
        self.hits += len(keys) - len(fresh)
        self.misses += len(fresh)
        found: list[tuple[Row, ...]] = [()] * len(keys)
        if fresh:
            fresh_keys = [keys[k] for k in fresh]
            rows = self._match_fresh(index, names, config, fresh_keys, first[fresh], countries,
                                     birth_years, entity_types)
            for k, key in zip(fresh, fresh_keys, strict=True):
                found[k] = rows[key]
        # Cached queries become the most recent in the order of their last use in the batch.
        for k in sorted((k for k, known in enumerate(stored) if known),
                        key=last.__getitem__):
            found[k] = self._store[keys[k]][0]
            self._store.move_to_end(keys[k])
        self._evict()
        return _expand(found, inverse)

    def _match_fresh(self, index: NameIndex, names: pa.Array, config: MatchConfig,  # noqa: PLR0913 - match_names' evidence, passed on
                     fresh: list[QueryKey], positions: np.ndarray,
                     countries: Any, birth_years: Any, entity_types: Any
                     ) -> dict[QueryKey, tuple[Row, ...]]:
        at = pa.array(positions, pa.int64())

        def take(column: Any) -> Any:
            if column is None:
                return None
            if isinstance(column, pa.ChunkedArray | pa.Array):
                return column.take(at)
            return [column[i] for i in at.to_pylist()]

        result = match_names(index, names.take(at), config, countries=take(countries),
                             birth_years=take(birth_years), entity_types=take(entity_types),
                             texts=self.texts)
        query = result.column("query_pos").to_numpy()
        bounds = np.searchsorted(query, np.arange(len(fresh) + 1), side="left")
        body = self._rows(result.drop_columns(["query_pos"]))
        out = {}
        for i, key in enumerate(fresh):
            found = tuple(body[bounds[i]:bounds[i + 1]])
            out[key] = found
            size = _KEY_BYTES + len(key[1] or "") + sum(_row_bytes(row) for row in found)
            self._store[key] = (found, size)
            self.bytes += size
        return out

    @staticmethod
    def _rows(body: pa.Table) -> list[Row]:
        """The rows of ``body`` as tuples, the strings of few values shared."""
        columns = []
        for name in body.column_names:
            values = body.column(name).to_pylist()
            if name in _INTERNED:
                values = [None if v is None else sys.intern(v) for v in values]
            columns.append(values)
        return list(zip(*columns, strict=True)) if body.num_rows else []

    def _evict(self) -> None:
        while len(self._store) > self.max_queries or (
                self.max_bytes and self.bytes > self.max_bytes and self._store):
            _, (_, size) = self._store.popitem(last=False)
            self.bytes -= size
            self.evictions += 1


def _row_bytes(row: Row) -> int:
    """About the memory of one kept match row: fixed headers plus its texts."""
    return _ROW_BYTES + sum(len(value) for value in row if isinstance(value, str))
