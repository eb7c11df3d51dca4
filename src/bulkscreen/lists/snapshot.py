"""Canonical list snapshots: import a version once, cache it as Parquet, load it fast.

The cache key is the sha256 of the version's source files (and of the versions it joins)
plus ``IMPORTER_VERSION``, so a changed file or importer rebuilds the snapshot. Cache files are
written under a temporary name and renamed, so a reader never sees half a file; an unreadable
cache file is rebuilt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bulkscreen.columns import LIST_ENTRIES
from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import Catalog, ListVersion, bundled_catalog
from bulkscreen.lists.importers import IMPORTER_VERSION, importer_for
from bulkscreen.lists.records import entries_to_table

CACHE_ENV = "BULKSCREEN_CACHE_DIR"
_JOIN_OPTIONS = ("names_from", "history")


def cache_dir() -> Path:
    """Return the cache folder: ``$BULKSCREEN_CACHE_DIR`` or the platform's user cache."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "bulkscreen"


def snapshot_key(version: ListVersion, catalog: Catalog) -> str:
    """Return the cache key of a version's snapshot (its files, joined versions, importer)."""
    parts = [IMPORTER_VERSION, version.key, version.sha256]
    for option in _JOIN_OPTIONS:
        if version.importer.get(option):
            joined = catalog.resolve(version.importer[option])
            parts += [joined.key, joined.sha256]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def build_snapshot(version: ListVersion, catalog: Catalog | None = None) -> pa.Table:
    """Import a list version from its source files, without the cache.

    Raises
    ------
    ListDataError
        If a source file is malformed; the error names file and line.
    """
    catalog = catalog or bundled_catalog()
    read = importer_for(version)
    try:
        return entries_to_table(version.list_id, version.version, read(version, catalog))
    except (ListDataError, MemoryError):
        raise
    except (ValueError, LookupError, TypeError, AttributeError, OSError, EOFError,
            RecursionError) as exc:
        # An importer reads one publisher's layout; a file that breaks its assumptions (a
        # truncated download, a changed layout) is a list data problem, not a crash.
        files = ", ".join(str(version.path / name) for name in sorted(version.files))
        raise ListDataError(
            f"cannot import list version {version.key} as {version.format!r}: "
            f"{type(exc).__name__}: {exc}", Location(file=files),
            hint="the file is truncated, damaged or not in that format; fetch it again from "
            "its publisher, or check [importer] format in source.toml") from exc


def _read_cached(path: Path) -> pa.Table | None:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException):
        return None
    return table if table.schema.equals(LIST_ENTRIES.arrow_schema()) else None


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        pq.write_table(table, temp_name)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def snapshot_for(version: ListVersion, catalog: Catalog | None = None) -> pa.Table:
    """Return the snapshot of a version, from the cache when it is there and sound."""
    catalog = catalog or bundled_catalog()
    path = cache_dir() / "lists" / version.list_id / f"{snapshot_key(version, catalog)}.parquet"
    cached = _read_cached(path) if path.exists() else None
    if cached is not None:
        return cached
    table = build_snapshot(version, catalog)
    # An unwritable cache slows later runs but does not change results.
    with contextlib.suppress(OSError):
        write_parquet_atomic(table, path)
    return table


def load_snapshot(list_id: str, version: str | None = None) -> pa.Table:
    """Return the canonical snapshot of one bundled list version.

    Parameters
    ----------
    list_id
        A bundled list id, e.g. ``"jp-meti-eul"``.
    version
        The version folder name; None for the latest.

    Returns
    -------
    pyarrow.Table
        One row per entry, with exactly the ``columns.LIST_ENTRIES`` schema.
    """
    catalog = bundled_catalog()
    return snapshot_for(catalog.get(list_id, version), catalog)


def load_snapshots(list_ids: list[str] | None = None,
                   as_of: dt.date | None = None) -> list[pa.Table]:
    """Return, for each list, the snapshot of the version in force on ``as_of``.

    Parameters
    ----------
    list_ids
        Lists to load; None for every bundled list screened by default (``default_screening``
        in ``source.toml``; the SDN history table is not, as it repeats the SDN list).
    as_of
        The version in force is the latest with effective date on or before it; lists with
        no version in force yet are skipped. None takes the latest of each.

    Returns
    -------
    list of pyarrow.Table
        In list-id order.
    """
    catalog = bundled_catalog()
    if list_ids is None:
        list_ids = catalog.default_list_ids()
    tables = []
    for list_id in list_ids:
        version = catalog.in_force(list_id, as_of)
        if version is not None:
            tables.append(snapshot_for(version, catalog))
    return tables
