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


def _values(column: Sequence[Any] | pa.Array | None, n: int) -> list[Any]:
    if column is None:
        return [None] * n
    if isinstance(column, pa.ChunkedArray | pa.Array):
        return column.to_pylist()
    return list(column)


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
        n = len(names)
        keys: list[QueryKey] = list(zip([index.key] * n, names.to_pylist(),
                                        _values(countries, n), _values(birth_years, n),
                                        _values(entity_types, n), strict=True))
        first: dict[QueryKey, int] = {}
        for pos, key in enumerate(keys):
            first.setdefault(key, pos)
        fresh = [key for key in first if key not in self._store]
        self.hits += len(first) - len(fresh)
        self.misses += len(fresh)
        batch_rows: dict[QueryKey, tuple[Row, ...]] = {}
        if fresh:
            batch_rows = self._match_fresh(index, names, config, fresh, first, countries,
                                           birth_years, entity_types)
        rows: list[Row] = []
        query_pos: list[int] = []
        for pos, key in enumerate(keys):
            found = batch_rows.get(key)
            if found is None:
                found = self._store[key][0]
                self._store.move_to_end(key)
            if found:
                rows.extend(found)
                query_pos.extend([pos] * len(found))
        self._evict()
        columns = zip(*rows, strict=True) if rows else ([] for _ in _ROW_SCHEMA)
        body = pa.Table.from_arrays([pa.array(values, field.type) for values, field
                                     in zip(columns, _ROW_SCHEMA, strict=True)],
                                    schema=_ROW_SCHEMA)
        return body.add_column(0, MATCH_SCHEMA.field("query_pos"),
                               pa.array(query_pos, pa.int32()))

    def _match_fresh(self, index: NameIndex, names: pa.Array, config: MatchConfig,  # noqa: PLR0913 - match_names' evidence, passed on
                     fresh: list[QueryKey], first: dict[QueryKey, int],
                     countries: Any, birth_years: Any, entity_types: Any
                     ) -> dict[QueryKey, tuple[Row, ...]]:
        at = pa.array([first[key] for key in fresh], pa.int64())

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
