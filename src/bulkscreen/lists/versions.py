"""Adding a list version: stage the folder, check that it imports, then rename it into place.

A malformed file therefore never replaces a good version: until the rename, the new folder
exists only under a temporary name next to the final one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import tomli_w

from bulkscreen.errors import BulkscreenError, ConfigError, ListDataError, Location
from bulkscreen.io.paths import check_component, check_file_name, within
from bulkscreen.lists.catalog import (
    SOURCE_FILE,
    Catalog,
    ListVersion,
    file_sha256,
    read_source,
)
from bulkscreen.lists.snapshot import build_snapshot

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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
    ConfigError
        If the list id, version or a file name is not a plain name, or the version folder
        would lie outside ``root``; nothing is created then.
    """
    final = _checked_target(Path(root), list_id, version, files, fmt)
    if final.exists() and not replace:
        raise ListDataError(f"{list_id}/{version} exists", Location(file=str(final)),
                            hint="versions are immutable: add a new version, or pass "
                            "--replace")
    # Folders this import creates (deepest first), removed again if it fails.
    created = [p for p in (final.parent, *final.parent.parents) if not p.exists()]
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
    except BulkscreenError as exc:
        _discard(staging, created)
        raise _as_source_error(exc, staging, files) from exc.__cause__
    except BaseException:
        _discard(staging, created)
        raise
    return final, table


def _checked_target(root: Path, list_id: str, version: str, files: Sequence[Path],
                    fmt: str) -> Path:
    """Return ``<root>/<list_id>/<version>`` once every name that builds it is checked.

    Nothing is created here: a name that could leave ``root`` is refused first.
    """
    from bulkscreen.lists.importers import FORMATS

    check_component(list_id, "list id")
    check_component(version, "version")
    if not _ISO_DATE.fullmatch(version):
        raise ConfigError(f"version {version!r} is not a date", hint="name versions by "
                          "their effective date, YYYY-MM-DD")
    try:
        dt.date.fromisoformat(version)
    except ValueError as exc:
        raise ConfigError(f"version {version!r} is not a date", hint="name versions by "
                          "their effective date, YYYY-MM-DD") from exc
    names = [Path(source).name for source in files]
    for source, name in zip(files, names, strict=True):
        check_file_name(name, "list file", Location(file=str(source)), ConfigError)
        if name == SOURCE_FILE:
            raise ConfigError(f"a list file may not be called {SOURCE_FILE}",
                              Location(file=str(source)),
                              hint="rename the file; source.toml is the version's record")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"two list files share the name {repeated[0]!r}",
                          Location(file=", ".join(str(f) for f in files
                                                  if Path(f).name == repeated[0])),
                          hint="give every file of a version its own name")
    if Path(root).exists() and not Path(root).is_dir():
        raise ConfigError("the list folder is a file", Location(file=str(root)),
                          hint="give --data-dir a folder")
    if fmt not in FORMATS:
        raise ConfigError(f"unknown list format {fmt!r}", hint="known formats: "
                          + ", ".join(FORMATS))
    return within(root, root / list_id / version, "list version folder")


def _discard(staging: Path, created: list[Path]) -> None:
    """Remove the staged folder, and the folders this import created while they are empty."""
    shutil.rmtree(staging, ignore_errors=True)
    for folder in created:
        try:
            folder.rmdir()  # only succeeds while empty
        except OSError:
            break


def _as_source_error(exc: BulkscreenError, staging: Path,
                     files: Sequence[Path]) -> BulkscreenError:
    """Name the user's own file in an error about its staged copy, which no longer exists."""
    where = exc.where.file
    if not where or not where.startswith(str(staging)):
        return exc
    originals = {Path(f).name: str(f) for f in files}
    name = Path(where).name
    location = dataclasses.replace(exc.where, file=originals.get(name, name))
    return type(exc)(exc.message, location, exc.hint)


def _read_staged(staging: Path, list_id: str, version: str) -> ListVersion:
    """Read a staged source.toml as if it lay in its final folder (read_source checks names)."""
    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / list_id / version
        probe.mkdir(parents=True)
        shutil.copyfile(staging / SOURCE_FILE, probe / SOURCE_FILE)
        return read_source(probe / SOURCE_FILE)
