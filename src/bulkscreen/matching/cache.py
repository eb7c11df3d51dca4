"""A run-wide cache of name matches: each distinct query is matched once per run.

Real files repeat their names (the same customers ship again and again), and a run reads them
batch after batch. :class:`MatchCache` keeps the matches of each distinct query (name, country,
birth year, entity type) across batches, so only queries not seen before reach the matcher.
It is bounded: past ``max_queries`` the least recently used queries are evicted; an audit's
list epochs share one cache, and so one bound. The matches of
a query do not depend on the other queries of its batch, so cached and fresh rows are the same.
"""

from __future__ import annotations

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
_ROW_SCHEMA = pa.schema([f for f in MATCH_SCHEMA if f.name != "query_pos"])

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

    Attributes
    ----------
    hits, misses, evictions
        Queries answered from the cache, matched afresh, and dropped to stay in bounds.
    """

    def __init__(self, max_queries: int = DEFAULT_MAX_QUERIES):
        self.max_queries = max_queries
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        self._store: OrderedDict[QueryKey, list[dict[str, Any]]] = OrderedDict()
        # Match texts by name, for every index this cache serves: a name met in several
        # list epochs is normalised once.
        self.texts = MatchTexts(max_queries)

    def __len__(self) -> int:
        return len(self._store)

    def __getstate__(self) -> dict[str, Any]:
        # A job shipped to another process starts with an empty cache of its own.
        state = dict(self.__dict__)
        state["_store"] = OrderedDict()
        state["texts"] = MatchTexts(self.max_queries)
        return state

    def stats(self) -> dict[str, int]:
        """Counts for the manifest: queries cached now, hits, misses, evictions."""
        return {"queries": len(self._store), "hits": self.hits, "misses": self.misses,
                "evictions": self.evictions, "max_queries": self.max_queries}

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
        batch_rows: dict[QueryKey, list[dict[str, Any]]] = {}
        if fresh:
            batch_rows = self._match_fresh(index, names, config, fresh, first, countries,
                                           birth_years, entity_types)
        rows: list[dict[str, Any]] = []
        query_pos: list[int] = []
        for pos, key in enumerate(keys):
            found = batch_rows.get(key)
            if found is None:
                found = self._store[key]
                self._store.move_to_end(key)
            rows.extend(found)
            query_pos.extend([pos] * len(found))
        self._evict()
        body = pa.Table.from_pylist(rows, schema=_ROW_SCHEMA)
        return body.add_column(0, MATCH_SCHEMA.field("query_pos"),
                               pa.array(query_pos, pa.int32()))

    def _match_fresh(self, index: NameIndex, names: pa.Array, config: MatchConfig,  # noqa: PLR0913 - match_names' evidence, passed on
                     fresh: list[QueryKey], first: dict[QueryKey, int],
                     countries: Any, birth_years: Any, entity_types: Any
                     ) -> dict[QueryKey, list[dict[str, Any]]]:
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
        body = result.drop_columns(["query_pos"]).to_pylist()
        out = {}
        for i, key in enumerate(fresh):
            found = body[bounds[i]:bounds[i + 1]]
            out[key] = found
            self._store[key] = found
        return out

    def _evict(self) -> None:
        while len(self._store) > self.max_queries:
            self._store.popitem(last=False)
            self.evictions += 1
