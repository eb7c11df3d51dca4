"""Rows that a second reading of a name adds to a match table, and how they are merged.

The usual path scores character n-grams and tokens. Some forms of a name share neither with
its listing: an Arabic-script name without its vowels (:mod:`bulkscreen.matching.abjad`),
initials and acronyms (:mod:`bulkscreen.matching.initials`). Those readings find their own
list names and add rows here, at a fixed score under the hit threshold, each explaining why.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.config import MatchConfig

T = TypeVar("T")

INDEXES_KEPT = 16
"""Name indexes whose lookups a :class:`PerIndexCache` keeps. An audit matches against one index
per list epoch, plus today's, in turn each batch: fewer than those would rebuild every lookup on
every pass."""


class PerIndexCache(Generic[T]):
    """A lookup built once per name index, the least recently used dropped past a bound.

    Parameters
    ----------
    build
        Builds the lookup of one index (called on the first use of each ``index.key``).
    kept
        Indexes kept; beyond it the least recently used one is dropped.
    """

    def __init__(self, build: Callable[..., T], kept: int = INDEXES_KEPT):
        self._build = build
        self._kept = kept
        self._store: OrderedDict[str, T] = OrderedDict()

    def get(self, index) -> T:
        """The lookup of ``index``, built on first use."""
        found = self._store.get(index.key)
        if found is not None:
            self._store.move_to_end(index.key)
            return found
        found = self._build(index)
        self._store[index.key] = found
        while len(self._store) > self._kept:
            self._store.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._store)

    def clear(self) -> None:
        self._store.clear()


@dataclass(frozen=True)
class Reading:
    """A second reading of names: the score its matches get and how they are explained.

    Attributes
    ----------
    score
        The score every match gets (under the hit threshold by default).
    feature
        Name of the one feature recorded (value 1.0) in the row's ``features``.
    reason
        Why the names match, for the explanation; ``{listed}`` is replaced by the list name's
        normalised text.
    """

    score: float
    feature: str
    reason: str


def extra_rows(index, found: tuple[list[int], list[int], list[str]], reading: Reading,
               config: MatchConfig, schema: pa.Schema) -> pa.Table:
    """Match-table rows for (query position, list name) pairs found by another reading.

    Parameters
    ----------
    index
        The name index the list names belong to.
    found
        Query positions, list-name ids and queries as written, one per row
        (:func:`positions_of`).
    reading
        Score, feature and reason of the rows.
    config, schema
        Thresholds (``is_hit``) and ``MATCH_SCHEMA``.
    """
    rows, name_ids, queries = found
    score, feature, reason = reading.score, reading.feature, reading.reason
    matched = index.names.take(pa.array(name_ids, pa.int64())).to_pylist()
    score32 = float(np.float32(score))
    features = json.dumps({feature: 1.0}, separators=(",", ":"))
    explanations = [
        f"'{query}' ~ '{row['name']}' ({row['alias_kind']}) on {row['list_id']} "
        f"{row['list_version']} entry {row['entry_id']}: score {score32:.2f} "
        f"[{reason.format(listed=row['match_text'])}]"
        for query, row in zip(queries, matched, strict=True)
    ]
    n = len(rows)
    return pa.table({
        "query_pos": pa.array(rows, pa.int32()),
        "list_id": pa.array([r["list_id"] for r in matched], pa.string()),
        "list_version": pa.array([r["list_version"] for r in matched], pa.string()),
        "entry_id": pa.array([r["entry_id"] for r in matched], pa.string()),
        "matched_name": pa.array([r["name"] for r in matched], pa.string()),
        "alias_kind": pa.array([r["alias_kind"] for r in matched], pa.string()),
        "score": pa.array(np.full(n, score32, dtype=np.float32)),
        "features": pa.array([features] * n, pa.string()),
        "is_hit": pa.array(np.full(n, score32 >= config.hit_threshold, dtype=bool)),
        "same_tokens": pa.array(np.zeros(n, dtype=bool)),
        "explanation": pa.array(explanations, pa.string()),
    }, schema=schema)


def merge_rows(table: pa.Table, extra: pa.Table, top_k: int) -> pa.Table:
    """Best row per (position, list, entry), best ``top_k`` per position, sorted by position.

    Only the positions ``extra`` adds to are re-ranked; the others keep their rows as found.
    """
    if extra.num_rows == 0:
        return table
    touched = pc.is_in(table.column("query_pos"), value_set=pc.unique(extra.column("query_pos")))
    untouched = table.filter(pc.invert(touched))
    both = pa.concat_tables([table.filter(touched), extra])
    order = pc.sort_indices(both, [("query_pos", "ascending"), ("score", "descending")])
    both = both.take(order)
    seen: set[tuple[int, str, str]] = set()
    per_position: dict[int, int] = {}
    keep = np.zeros(both.num_rows, dtype=bool)
    for i, key in enumerate(zip(both.column("query_pos").to_pylist(),
                                both.column("list_id").to_pylist(),
                                both.column("entry_id").to_pylist(), strict=True)):
        if key in seen or per_position.get(key[0], 0) >= top_k:
            continue
        seen.add(key)
        per_position[key[0]] = per_position.get(key[0], 0) + 1
        keep[i] = True
    merged = pa.concat_tables([untouched, both.filter(pa.array(keep))])
    # Stable: rows of one position keep their order.
    return merged.take(pc.sort_indices(merged, [("query_pos", "ascending")]))


def distinct_matching(names: pa.Array, pattern: str) -> tuple[pa.Array, np.ndarray, list[str]]:
    """Dictionary-encode the queries and pick the distinct ones matching a regular expression.

    Returns
    -------
    encoded : pyarrow.DictionaryArray
        The queries, dictionary-encoded.
    ids : numpy.ndarray
        Dictionary ids of the distinct queries that match ``pattern``.
    texts : list of str
        Those queries as written.
    """
    encoded = pc.dictionary_encode(names)
    matches = pc.match_substring_regex(encoded.dictionary, pattern)
    ids = np.flatnonzero(matches.fill_null(False).to_numpy(zero_copy_only=False))
    texts = encoded.dictionary.take(pa.array(ids, pa.int64())).to_pylist() if ids.size else []
    return encoded, ids, texts


def positions_of(encoded: pa.Array, found: dict[int, np.ndarray], texts: dict[int, str]
                 ) -> tuple[list[int], list[int], list[str]]:
    """Expand per-distinct-query list-name ids to (position, name id, query) triples."""
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    valid = encoded.indices.is_valid().to_numpy(zero_copy_only=False)
    rows: list[int] = []
    name_ids: list[int] = []
    queries: list[str] = []
    for position in np.flatnonzero(valid & np.isin(indices, list(found))):
        distinct_id = int(indices[position])
        listed = found[distinct_id]
        rows.extend([int(position)] * len(listed))
        name_ids.extend(listed.tolist())
        queries.extend([texts[distinct_id]] * len(listed))
    return rows, name_ids, queries
