"""Adding a list version: stage the folder, check that it imports, then rename it into place.

A malformed file therefore never replaces a good version: until the rename, the new folder
exists only under a temporary name next to the final one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import tomli_w

from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import (
    SOURCE_FILE,
    Catalog,
    ListVersion,
    file_sha256,
    read_source,
)
from bulkscreen.lists.snapshot import build_snapshot


def publish_version(root: Path, list_id: str, version: str, files: Sequence[Path], *,
                    fmt: str, metadata: Mapping[str, str],
                    column_map: Mapping[str, str] | None = None,
                    replace: bool = False) -> tuple[Path, pa.Table]:
    """Create ``<root>/<list_id>/<version>/`` from ``files`` and return it with its snapshot.

    Parameters
    ----------
    root
        Folder of list versions.
    files
        Source files, copied byte for byte.
    fmt
        Importer format; for ``user-table`` the first file is the table.
    metadata
        publisher, title, origin, licence.
    column_map
        For ``user-table``: snapshot column -> file column.
    replace
        Replace an existing folder of that version.

    Raises
    ------
    ListDataError
        If the version exists (without ``replace``) or a file does not import; the existing
        version, if any, is left untouched.
    """
    try:
        dt.date.fromisoformat(version)
    except ValueError as exc:
        raise ListDataError(f"version {version!r} is not a date", hint="name versions by "
                            "their effective date, YYYY-MM-DD") from exc
    final = Path(root) / list_id / version
    if final.exists() and not replace:
        raise ListDataError(f"{list_id}/{version} exists", Location(file=str(final)),
                            hint="versions are immutable: add a new version, or pass "
                            "--replace")
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}.", suffix=".tmp", dir=final.parent))
    try:
        importer: dict[str, object] = {"format": fmt}
        for source in files:
            shutil.copyfile(source, staging / source.name)
        if fmt == "user-table":
            importer["file"] = files[0].name
            importer["column_map"] = dict(column_map or {})
        elif len(files) == 1:
            importer["file"] = files[0].name
        doc = {"list_id": list_id, "version": version, "effective_date": version,
               "retrieved": dt.date.today().isoformat(), **metadata,
               "importer": importer,
               "files": {p.name: file_sha256(staging / p.name) for p in files}}
        (staging / SOURCE_FILE).write_text(tomli_w.dumps(doc), encoding="utf-8")
        entry = dataclasses.replace(_read_staged(staging, list_id, version), path=staging)
        table = build_snapshot(entry, Catalog.from_dir(Path(root)))
        if final.exists():
            retired = final.with_name(f".{version}.replaced")
            shutil.rmtree(retired, ignore_errors=True)
            final.rename(retired)
            staging.rename(final)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final, table


def _read_staged(staging: Path, list_id: str, version: str) -> ListVersion:
    """Read a staged source.toml as if it lay in its final folder (read_source checks names)."""
    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / list_id / version
        probe.mkdir(parents=True)
        shutil.copyfile(staging / SOURCE_FILE, probe / SOURCE_FILE)
        return read_source(probe / SOURCE_FILE)
