"""The compiled name index: every list name as flat arrays, built once per list version.

``build_name_index`` flattens the snapshots to one row per name (primary and aliases),
normalises the names, and compiles them into what the kernels need: code points of each name
and of its token-sorted form, token weights (IDF), an inverted index (CSR) over character
3-grams and whole tokens, and per-entry secondary evidence (entity type, countries, birth
years). The result is cached on disk under the sha256 of the snapshots' content, the
normalisation version and the matching algorithm's id
(:data:`bulkscreen.matching.algorithm.ALGORITHM_ID`), so a list version is compiled once.
A :class:`NameIndex` is plain arrays plus one small Arrow table: cheap to pickle and ship.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc

from bulkscreen.matching.algorithm import ALGORITHM_ID

ENTITY_TYPE_CODES = {"person": 0, "organisation": 1, "vessel": 2, "aircraft": 3}
"""Entity types as kernel codes; anything else (``unknown``, null) is -1."""

NAME_COLUMNS = ("list_id", "list_version", "entry_id", "entity_type", "name", "alias_kind",
                "match_text")

_CACHE_FORMAT = 1


@dataclass(frozen=True, eq=False)
class NameIndex:
    """Compiled list names, ready for :func:`bulkscreen.matching.match.match_names`.

    Attributes
    ----------
    key
        sha256 of the snapshots' content, the normalisation version and the algorithm id.
    algorithm_id, normalization_version
        What the index was compiled with (recorded in run manifests).
    list_versions
        ``(list_id, list_version)`` of every snapshot compiled in.
    names
        One row per list name: list_id, list_version, entry_id, entity_type, name (as
        published), alias_kind, match_text (normalised tokens joined by spaces).
    arrays
        Flat NumPy arrays for the kernels (see :func:`compile_name_arrays`).
    build_seconds
        Seconds spent compiling, or loading from the cache.
    from_cache
        Whether the arrays came from the on-disk cache.
    cache_path
        The cache file of an index compiled from list snapshots (None otherwise): lookups
        derived from the index are kept beside it.
    """

    key: str
    algorithm_id: str
    normalization_version: str
    list_versions: tuple[tuple[str, str], ...]
    names: pa.Table
    arrays: dict[str, np.ndarray] = field(repr=False)
    build_seconds: float = 0.0
    from_cache: bool = False
    cache_path: Path | None = None

    @property
    def n_names(self) -> int:
        """Number of list names (primary names and aliases)."""
        return int(self.arrays["name_entry"].shape[0])

    @property
    def n_entries(self) -> int:
        """Number of list entries."""
        return int(self.arrays["entry_type"].shape[0])

    def name_texts(self) -> tuple[np.ndarray, ...]:
        """The names as a scoring text tuple (see ``bulkscreen_kernels.scoring``)."""
        a = self.arrays
        return (a["name_codes"], a["name_offsets"], a["name_sorted_codes"],
                a["name_sorted_offsets"], a["name_token_ptr"], a["name_token_weight"])

    def name_tokens(self) -> tuple[np.ndarray, ...]:
        """Token spans and masks of every name (``bulkscreen_kernels.scoring.token_table``).

        Built on first use and kept with the index: scoring reads them for every candidate.
        """
        table = self.__dict__.get("_name_tokens")
        if table is None:
            from bulkscreen_kernels.scoring import token_table

            table = token_table(self.arrays["name_codes"], self.arrays["name_offsets"])
            object.__setattr__(self, "_name_tokens", table)
        return table

    def same_text(self) -> np.ndarray:
        """For every name, the first name with the same match text (itself if none before).

        Such names have the same codes, token-sorted form and token weights, so they score
        alike; built on first use and kept with the index.
        """
        first = self.__dict__.get("_same_text")
        if first is None:
            import pyarrow.compute as pc

            encoded = pc.dictionary_encode(self.names.column("match_text")).combine_chunks()
            text = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
            _, first_of_text = np.unique(text, return_index=True)
            first = first_of_text[text].astype(np.int32)
            object.__setattr__(self, "_same_text", first)
        return first

    def entry_evidence(self) -> tuple[np.ndarray, ...]:
        """Per-entry evidence tuple for ``bulkscreen_kernels.scoring.select_matches``."""
        a = self.arrays
        return (a["entry_type"], a["entry_country_ptr"], a["entry_country"],
                a["entry_year_ptr"], a["entry_year"])

    def nbytes(self) -> int:
        """Approximate size in bytes of the arrays and the names table."""
        return sum(int(v.nbytes) for v in self.arrays.values()) + int(self.names.nbytes)


def country_code(value: str | None) -> int:
    """Kernel code of an ISO 3166-1 alpha-2 country (``-1`` when not two letters A-Z)."""
    if not value:
        return -1
    text = value.strip().upper()
    if len(text) != 2 or not ("A" <= text[0] <= "Z" and "A" <= text[1] <= "Z"):
        return -1
    return (ord(text[0]) - 65) * 26 + (ord(text[1]) - 65)


def birth_year(value: str | None) -> int:
    """Year of a possibly partial ISO date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), else 0."""
    if not value:
        return 0
    text = value.strip()
    if len(text) >= 4 and text[:4].isdigit() and (len(text) == 4 or not text[4].isdigit()):
        year = int(text[:4])
        return year if 1000 <= year <= 2999 else 0
    return 0


def match_tokens(normalized) -> list[str]:
    """Tokens a name is matched on: its normalised tokens, legal forms only if nothing else."""
    if normalized is None:
        return []
    tokens = [t for t in normalized.tokens if t and " " not in t]
    if not tokens:
        tokens = [t for t in getattr(normalized, "legal_forms", ()) or () if t and " " not in t]
    return tokens


def encode_texts(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Encode strings as (uint32 code points, int64 offsets) for the kernels."""
    from bulkscreen.normalize import encode_strings

    codes, offsets = encode_strings(list(texts))
    return (np.ascontiguousarray(codes, dtype=np.uint32),
            np.ascontiguousarray(offsets, dtype=np.int64))


def _unique_per_row(row_ptr: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop repeated keys within each CSR row (order within a row becomes ascending)."""
    n_rows = row_ptr.shape[0] - 1
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(row_ptr))
    order = np.lexsort((keys, rows))
    rows, keys = rows[order], keys[order]
    keep = np.ones(keys.shape[0], dtype=bool)
    keep[1:] = (rows[1:] != rows[:-1]) | (keys[1:] != keys[:-1])
    rows, keys = rows[keep], keys[keep]
    new_ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=new_ptr[1:])
    return new_ptr, keys


@dataclass(frozen=True)
class QueryKeys:
    """A batch of texts mapped onto an index's keys, for candidate generation and scoring."""

    key_ptr: np.ndarray
    key_ids: np.ndarray
    key_weight: np.ndarray
    token_ptr: np.ndarray
    token_weight: np.ndarray


def text_keys(codes: np.ndarray, offsets: np.ndarray, arrays: dict[str, np.ndarray]
              ) -> QueryKeys:
    """Map texts onto the index's gram and token dictionaries.

    Parameters
    ----------
    codes, offsets
        Match texts (tokens joined by single spaces) as code points.
    arrays
        The index arrays (``gram_dict``, ``token_dict``, ``key_idf``, ``unseen_idf``).

    Returns
    -------
    QueryKeys
        Unique key ids per text (``-1`` for keys the lists never use) with their weights,
        and the weight of every token in order of appearance.
    """
    from bulkscreen_kernels.index import gram_keys, query_key_ids, token_keys

    gram_ptr, grams = gram_keys(codes, offsets)
    token_ptr, tokens = token_keys(codes, offsets)
    # A token the lists never use is mostly a misspelt one: its grams speak for it, and
    # its own weight would only push the true name under the least overlap (weight 0).
    key_ptr, key_ids, key_weight, token_weight = query_key_ids(
        gram_ptr, grams, token_ptr, tokens, arrays["gram_dict"], arrays["token_dict"],
        arrays["key_idf"], float(arrays["unseen_idf"][0]))
    return QueryKeys(key_ptr, key_ids, key_weight, token_ptr, token_weight)


def compile_name_arrays(match_texts: Sequence[str], entry_of_name: np.ndarray
                        ) -> dict[str, np.ndarray]:
    """Compile normalised match texts into the kernel arrays (entry evidence excluded).

    Parameters
    ----------
    match_texts
        Normalised tokens joined by single spaces, one per list name (none empty).
    entry_of_name
        int32 entry id of each name.

    Returns
    -------
    dict
        name_codes/offsets, name_sorted_codes/offsets, name_token_ptr/weight, gram_dict,
        token_dict, key_idf, unseen_idf, post_ptr, post_names, name_weight, name_entry.
    """
    from bulkscreen_kernels.index import build_postings, gram_keys, token_keys

    codes, offsets = encode_texts(match_texts)
    sorted_codes, sorted_offsets = encode_texts([" ".join(sorted(t.split(" ")))
                                                 for t in match_texts])
    gram_ptr, grams = gram_keys(codes, offsets)
    token_ptr, tokens = token_keys(codes, offsets)
    gram_dict = np.unique(grams)
    token_dict = np.unique(tokens)
    n_grams = gram_dict.shape[0]
    # One key space for postings: gram ids, then token ids shifted past them.
    key_ptr, key_ids = _unique_per_row(
        *_concat_rows(gram_ptr, np.searchsorted(gram_dict, grams),
                      token_ptr, np.searchsorted(token_dict, tokens) + n_grams))
    n_keys = n_grams + token_dict.shape[0]
    post_ptr, post_names = build_postings(key_ptr, key_ids.astype(np.int32), n_keys)
    n_names = len(match_texts)
    document_frequency = np.diff(post_ptr).astype(np.float64)
    key_idf = np.log1p(n_names / np.maximum(document_frequency, 1.0)).astype(np.float32)
    rows = np.repeat(np.arange(n_names), np.diff(key_ptr))
    name_weight = np.bincount(rows, weights=key_idf[key_ids], minlength=n_names)
    token_weight = key_idf[np.searchsorted(token_dict, tokens) + n_grams]
    return {
        "name_codes": codes, "name_offsets": offsets,
        "name_sorted_codes": sorted_codes, "name_sorted_offsets": sorted_offsets,
        "name_token_ptr": token_ptr, "name_token_weight": token_weight.astype(np.float64),
        "gram_dict": gram_dict, "token_dict": token_dict, "key_idf": key_idf,
        "unseen_idf": np.array([math.log1p(max(n_names, 1))], dtype=np.float32),
        "post_ptr": post_ptr, "post_names": post_names,
        "name_weight": name_weight.astype(np.float32),
        "name_entry": np.ascontiguousarray(entry_of_name, dtype=np.int32),
    }


def _concat_rows(ptr_a: np.ndarray, keys_a: np.ndarray, ptr_b: np.ndarray, keys_b: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise concatenation of two CSR arrays with the same number of rows."""
    n_rows = ptr_a.shape[0] - 1
    rows = np.concatenate([np.repeat(np.arange(n_rows), np.diff(ptr_a)),
                           np.repeat(np.arange(n_rows), np.diff(ptr_b))])
    keys = np.concatenate([keys_a, keys_b]).astype(np.int64)
    order = np.argsort(rows, kind="stable")
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    ptr[1:] = ptr_a[1:] + ptr_b[1:]
    return ptr, keys[order]


def _entry_arrays(entries: list[dict]) -> dict[str, np.ndarray]:
    """Per-entry evidence: entity type code, countries (CSR int16), birth years (CSR int16)."""
    entry_type = np.array([ENTITY_TYPE_CODES.get(e["entity_type"] or "", -1) for e in entries],
                          dtype=np.int8)
    countries = [sorted({c for c in map(country_code, e["countries"] or []) if c >= 0})
                 for e in entries]
    years = [sorted({y for y in map(birth_year, e["birth_dates"] or []) if y > 0})
             for e in entries]
    return {
        "entry_type": entry_type,
        "entry_country_ptr": _ptr([len(c) for c in countries]),
        "entry_country": np.array([c for cs in countries for c in cs], dtype=np.int16),
        "entry_year_ptr": _ptr([len(y) for y in years]),
        "entry_year": np.array([y for ys in years for y in ys], dtype=np.int16),
    }


def _ptr(lengths: list[int]) -> np.ndarray:
    ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    return ptr


def compile_names(flat: pa.Table) -> tuple[pa.Table, dict[str, np.ndarray]]:
    """Compile flattened list names (``bulkscreen.lists.flatten_names`` rows).

    Names whose normalised form has no tokens are left out (they cannot be matched).

    Returns
    -------
    names : pyarrow.Table
        The kept names with the columns of :data:`NAME_COLUMNS`.
    arrays : dict
        Kernel arrays: those of :func:`compile_name_arrays` plus the entry evidence.
    """
    from bulkscreen.normalize import normalize_names

    rows = flat.select(["list_id", "list_version", "entry_id", "entity_type", "name",
                        "alias_kind", "countries", "birth_dates"]).to_pylist()
    normalized = normalize_names([r["name"] for r in rows])
    entry_ids: dict[tuple[str, str, str], int] = {}
    entries: list[dict] = []
    kept: list[dict] = []
    entry_of_name: list[int] = []
    for row, norm in zip(rows, normalized, strict=True):
        key = (row["list_id"], row["list_version"], row["entry_id"])
        if key not in entry_ids:
            entry_ids[key] = len(entries)
            entries.append({"entity_type": row["entity_type"], "countries": set(),
                            "birth_dates": set()})
        entry = entries[entry_ids[key]]
        entry["countries"].update(row["countries"] or [])
        entry["birth_dates"].update(row["birth_dates"] or [])
        tokens = match_tokens(norm)
        if not tokens:
            continue
        kept.append({**{c: row[c] for c in NAME_COLUMNS[:-1]}, "match_text": " ".join(tokens)})
        entry_of_name.append(entry_ids[key])
    schema = pa.schema([(c, pa.string()) for c in NAME_COLUMNS])
    names = pa.Table.from_pylist(kept, schema=schema)
    arrays = compile_name_arrays(names.column("match_text").to_pylist(),
                                 np.array(entry_of_name, dtype=np.int32))
    arrays.update(_entry_arrays(entries))
    return names, arrays


def content_key(snapshots: Sequence[pa.Table]) -> str:
    """sha256 of the snapshots' content, the normalisation version, the algorithm id and the
    legal-form and honorific tables normalisation strips (an edited table rebuilds)."""
    from bulkscreen._data import datasets_dir
    from bulkscreen.normalize import NORMALIZATION_VERSION
    from bulkscreen.normalize.tables import HONORIFICS_FILE, LEGAL_FORMS_FILE

    digest = hashlib.sha256()
    digest.update(f"{ALGORITHM_ID}\0{NORMALIZATION_VERSION}\0{_CACHE_FORMAT}\0".encode())
    for table_file in (LEGAL_FORMS_FILE, HONORIFICS_FILE):
        digest.update(hashlib.sha256(datasets_dir().joinpath(*table_file).read_bytes()).digest())
    for table in snapshots:
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table.combine_chunks())
        digest.update(hashlib.sha256(sink.getvalue()).digest())
    return digest.hexdigest()


def default_cache_dir() -> Path:
    """``name-index`` in the cache folder: ``$BULKSCREEN_CACHE_DIR`` or the user cache."""
    from bulkscreen.lists.snapshot import cache_dir

    return cache_dir() / "name-index"


def _list_versions(snapshots: Sequence[pa.Table]) -> tuple[tuple[str, str], ...]:
    seen: dict[tuple[str, str], None] = {}
    for table in snapshots:
        ids = table.column("list_id").to_pylist()
        versions = table.column("list_version").to_pylist()
        for pair in zip(ids, versions, strict=True):
            seen.setdefault(pair, None)
    return tuple(seen)


def _save(path: Path, names: pa.Table, arrays: dict[str, np.ndarray]) -> None:
    """Write the index atomically (temporary file, then rename): workers may race."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sink = io.BytesIO()
    with pa.ipc.new_file(sink, names.schema) as writer:
        writer.write_table(names)
    payload = dict(arrays)
    payload["names_arrow"] = np.frombuffer(sink.getvalue(), dtype=np.uint8)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
        np.savez(handle, **payload)
    os.replace(handle.name, path)


def _load(path: Path) -> tuple[pa.Table, dict[str, np.ndarray]]:
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    raw = arrays.pop("names_arrow")
    names = pa.ipc.open_file(pa.BufferReader(raw.tobytes())).read_all()
    return names, arrays


def build_name_index(snapshots: list[pa.Table], cache_dir: Path | None = None) -> NameIndex:
    """Compile list snapshots into a :class:`NameIndex`, or load it from the on-disk cache.

    Parameters
    ----------
    snapshots
        List snapshots in the ``LIST_ENTRIES`` schema (``bulkscreen.lists.load_snapshots``).
    cache_dir
        Folder of the cache (default :func:`default_cache_dir`). Entries are named by
        :func:`content_key`, so a changed list, normaliser or algorithm never reuses a stale
        index. An unreadable cache file is rebuilt and overwritten.

    Returns
    -------
    NameIndex
        With ``build_seconds`` (compile or load time) and ``from_cache`` set.
    """
    from bulkscreen.lists import flatten_names
    from bulkscreen.normalize import NORMALIZATION_VERSION

    started = time.perf_counter()
    key = content_key(snapshots)
    path = (cache_dir or default_cache_dir()) / f"{ALGORITHM_ID}-{key[:32]}.npz"
    from_cache = False
    names = arrays = None
    if path.exists():
        try:
            names, arrays = _load(path)
            from_cache = True
        except (OSError, ValueError, KeyError, pa.ArrowInvalid):
            names = arrays = None
    if arrays is None:
        flats = [flatten_names(s) for s in snapshots]
        flat = pa.concat_tables(flats) if flats else _empty_flat()
        names, arrays = compile_names(flat)
        # A read-only cache folder costs a rebuild next time, not a failed run.
        with contextlib.suppress(OSError):
            _save(path, names, arrays)
    return NameIndex(
        key=key, algorithm_id=ALGORITHM_ID, normalization_version=NORMALIZATION_VERSION,
        list_versions=_list_versions(snapshots), names=names, arrays=arrays,
        build_seconds=time.perf_counter() - started, from_cache=from_cache, cache_path=path,
    )


def index_flat_names(flat: pa.Table) -> NameIndex:
    """Compile already flattened names into a :class:`NameIndex`, without the disk cache.

    For callers holding names rather than snapshots (a user-supplied list, an evaluation
    that holds some aliases out). The key hashes the flattened table itself.
    """
    from bulkscreen.normalize import NORMALIZATION_VERSION

    started = time.perf_counter()
    names, arrays = compile_names(flat)
    return NameIndex(
        key=content_key([flat]), algorithm_id=ALGORITHM_ID,
        normalization_version=NORMALIZATION_VERSION, list_versions=_list_versions([flat]),
        names=names, arrays=arrays, build_seconds=time.perf_counter() - started)


def _empty_flat() -> pa.Table:
    return pa.table({
        "list_id": pa.array([], pa.string()), "list_version": pa.array([], pa.string()),
        "entry_id": pa.array([], pa.string()), "entity_type": pa.array([], pa.string()),
        "name": pa.array([], pa.string()), "alias_kind": pa.array([], pa.string()),
        "countries": pa.array([], pa.list_(pa.string())),
        "birth_dates": pa.array([], pa.list_(pa.string())),
    })
