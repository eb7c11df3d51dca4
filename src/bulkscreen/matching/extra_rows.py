"""Rows that a second reading of a name adds to a match table, and how they are merged.

The usual path scores character n-grams and tokens. Some forms of a name share neither with
its listing: an Arabic-script name without its vowels (:mod:`bulkscreen.matching.abjad`),
initials and acronyms (:mod:`bulkscreen.matching.initials`). Those readings find their own
list names and add rows here, at a fixed score under the hit threshold, each explaining why.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import itertools
import json
import os
import tempfile
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
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


class KeyedIds(Mapping[str, np.ndarray]):
    """Ids grouped by text key, held flat: one id array and where each key's ids start.

    Reads like ``dict[str, numpy.ndarray]`` (each value an int64 view), and saves to and
    loads from a few arrays without a Python object per id.

    Parameters
    ----------
    keys
        The keys, in order.
    ptr
        int64, ``len(keys) + 1``: the ids of ``keys[k]`` are ``ids[ptr[k]:ptr[k + 1]]``.
    ids
        int64 ids of every key, one after the other.
    """

    def __init__(self, keys: list[str], ptr: np.ndarray, ids: np.ndarray):
        self._keys = keys
        self._slot = dict(zip(keys, range(len(keys)), strict=True))
        self._ptr = ptr.tolist()
        self._ids = ids

    @classmethod
    def of(cls, groups: dict[str, list[int]]) -> KeyedIds:
        """Hold ``groups`` (key -> ids, in order) flat."""
        ptr = np.zeros(len(groups) + 1, dtype=np.int64)
        np.cumsum([len(v) for v in groups.values()], out=ptr[1:])
        ids = np.fromiter(itertools.chain.from_iterable(groups.values()), dtype=np.int64,
                          count=int(ptr[-1]))
        return cls(list(groups), ptr, ids)

    def __getitem__(self, key: str) -> np.ndarray:
        k = self._slot[key]
        return self._ids[self._ptr[k]:self._ptr[k + 1]]

    def __contains__(self, key: object) -> bool:
        return key in self._slot

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The arrays that :meth:`from_arrays` reads back, named ``prefix`` + part."""
        return {**pack_texts(self._keys, prefix + "keys"),
                prefix + "ptr": np.array(self._ptr, dtype=np.int64), prefix + "ids": self._ids}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> KeyedIds:
        """The :class:`KeyedIds` that :meth:`to_arrays` saved under ``prefix``."""
        return cls(unpack_texts(arrays, prefix + "keys"), arrays[prefix + "ptr"],
                   np.ascontiguousarray(arrays[prefix + "ids"], dtype=np.int64))


def pack_texts(texts: list[str], name: str) -> dict[str, np.ndarray]:
    """Strings as two arrays: their UTF-8 text one after the other, and character offsets."""
    ptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=ptr[1:])
    blob = np.frombuffer("".join(texts).encode("utf-8"), dtype=np.uint8)
    return {name + "_utf8": blob, name + "_ptr": ptr}


def unpack_texts(arrays: dict[str, np.ndarray], name: str) -> list[str]:
    """The strings that :func:`pack_texts` packed under ``name``."""
    text = arrays[name + "_utf8"].tobytes().decode("utf-8")
    ptr = arrays[name + "_ptr"].tolist()
    return [text[a:b] for a, b in itertools.pairwise(ptr)]


@dataclass(frozen=True)
class StoredForm(Generic[T]):
    """How a per-index lookup is kept on disk beside its cached name index.

    Attributes
    ----------
    name
        Tag of the file; the source of the module that builds the lookup is hashed in too,
        so a changed build never reads an old file.
    save
        The lookup as named NumPy arrays.
    load
        The lookup from those arrays.
    """

    name: str
    save: Callable[[T], dict[str, np.ndarray]]
    load: Callable[[dict[str, np.ndarray]], T]


def _source_digest(function: Callable) -> str | None:
    """sha256 (16 hex digits) of the source file defining ``function``; None if unreadable."""
    try:
        source = inspect.getsourcefile(function)
        return hashlib.sha256(Path(source).read_bytes()).hexdigest()[:16] if source else None
    except (OSError, TypeError):
        return None


class PerIndexCache(Generic[T]):
    """A lookup built once per name index, the least recently used dropped past a bound.

    Parameters
    ----------
    build
        Builds the lookup of one index (called on the first use of each ``index.key``).
    kept
        Indexes kept; beyond it the least recently used one is dropped.
    stored
        Keep the lookup on disk beside an index that has a ``cache_path`` (one compiled from
        list snapshots): a later run loads it instead of building it again.
    """

    def __init__(self, build: Callable[..., T], kept: int = INDEXES_KEPT,
                 stored: StoredForm[T] | None = None):
        self._build = build
        self._kept = kept
        self._stored = stored
        self._digest = _source_digest(build) if stored is not None else None
        self._store: OrderedDict[str, T] = OrderedDict()

    def get(self, index) -> T:
        """The lookup of ``index``, built (or loaded from disk) on first use."""
        found = self._store.get(index.key)
        if found is not None:
            self._store.move_to_end(index.key)
            return found
        found = self._from_disk(index)
        self._store[index.key] = found
        while len(self._store) > self._kept:
            self._store.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._store)

    def clear(self) -> None:
        self._store.clear()

    def stored_path(self, index) -> Path | None:
        """The file holding the lookup of ``index``, or None where it is not kept on disk."""
        base = getattr(index, "cache_path", None)
        if self._stored is None or self._digest is None or base is None:
            return None
        base = Path(base)
        return base.with_name(f"{base.stem}.{self._stored.name}-{self._digest}.npz")

    def _from_disk(self, index) -> T:
        path = self.stored_path(index)
        if path is None:
            return self._build(index)
        if path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    return self._stored.load({name: data[name] for name in data.files})
            except (OSError, ValueError, KeyError, UnicodeDecodeError):
                pass  # unreadable: build it again and overwrite
        found = self._build(index)
        # Written atomically, workers may race; a read-only folder costs a rebuild next time.
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp",
                                             delete=False) as handle:
                np.savez(handle, **self._stored.save(found))
            os.replace(handle.name, path)
        return found


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


_LAST_ENCODED: list[tuple[weakref.ref | None, pa.Array | None]] = [(None, None)]
"""The queries last encoded and their encoding: every second reading of a batch (skeletons,
initials, acronyms) encodes the same queries. Dropped with the queries (weak reference)."""


def _dictionary_encoded(names: pa.Array) -> pa.Array:
    """``pc.dictionary_encode(names)``, once for the readings of one batch."""
    ref, encoded = _LAST_ENCODED[0]  # one read of an immutable pair: safe across threads
    if ref is not None and ref() is names:
        return encoded
    encoded = pc.dictionary_encode(names)
    _LAST_ENCODED[0] = (weakref.ref(names, _forget_encoded), encoded)
    return encoded


def _forget_encoded(ref: weakref.ref) -> None:
    if _LAST_ENCODED[0][0] is ref:
        _LAST_ENCODED[0] = (None, None)


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
    encoded = _dictionary_encoded(names)
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
