"""Restricted-party lists: importers, versioned snapshots, the catalog, and diffs.

Every bundled list version lives in ``datasets/lists/<list-id>/<version>/`` with its source
files as published and a ``source.toml``; :func:`load_snapshot` turns one into the canonical
``LIST_ENTRIES`` table (cached as Parquet), :func:`flatten_names` into screenable names.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from bulkscreen.lists.catalog import Catalog, ListVersion, bundled_catalog
from bulkscreen.lists.diff import diff_snapshots
from bulkscreen.lists.flatten import flatten_names
from bulkscreen.lists.snapshot import load_snapshot, load_snapshots

__all__ = [
    "Catalog",
    "ListVersion",
    "bundled_catalog",
    "diff_snapshots",
    "flatten_names",
    "import_user_list",
    "load_snapshot",
    "load_snapshots",
]


def import_user_list(path: str | Path, column_map: dict[str, str], list_id: str,
                     version: str) -> pa.Table:
    """Import a user's own list (CSV, Parquet or Excel) into a canonical snapshot.

    Parameters
    ----------
    path
        The list file.
    column_map
        Snapshot column -> the file's column, e.g. ``{"primary_name": "Company",
        "countries": "Country", "aliases": "Other names"}``; ``primary_name`` is required.
        Multi-valued columns are ``|``-separated.
    list_id, version
        Written into every row.

    Returns
    -------
    pyarrow.Table
        The snapshot, with exactly the ``LIST_ENTRIES`` schema.
    """
    from bulkscreen.lists.importers.user_list import read_user_entries
    from bulkscreen.lists.records import entries_to_table

    return entries_to_table(list_id, version, read_user_entries(Path(path), column_map))
