"""The catalog of rule versions: one folder per version, named by its publication date.

``datasets/rules/<regime>/<YYYY-MM-DD>[-rN]/`` holds the six rule files. A correction is a new
folder (``2025-10-09-r2``), never an edit. The sha256 of a version covers every file's name
and bytes, so a manifest can prove which rules produced a result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bulkscreen._data import datasets_dir
from bulkscreen.errors import Location, RuleDataError

DEFAULT_REGIME = "jp"
_VERSION_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-r(\d+))?$")
EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class RuleVersion:
    """One rule version: its name, publication date, folder and content hash."""

    regime: str
    version: str
    published: dt.date
    revision: int
    path: Path
    sha256: str


def rules_root(regime: str = DEFAULT_REGIME) -> Path:
    """Return the folder holding the versions of ``regime``."""
    return datasets_dir() / "rules" / regime


def version_sha256(folder: Path) -> str:
    """Return the sha256 over the names and bytes of every file in a version folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def rules_catalog(regime: str = DEFAULT_REGIME, root: Path | None = None) -> list[RuleVersion]:
    """Return every rule version of ``regime``, oldest first, with its sha256.

    Parameters
    ----------
    regime
        Rule regime folder (``'jp'``).
    root
        Folder of version folders (default: the bundled ``datasets/rules/<regime>``).

    Raises
    ------
    RuleDataError
        When the folder is missing, holds no version, or a folder name is not a version.
    """
    root = root or rules_root(regime)
    if not root.is_dir():
        raise RuleDataError(f"no rule data for regime {regime!r}", Location(file=str(root)),
                            "reinstall bulkscreen or point to a folder of rule versions")
    versions = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        match = _VERSION_RE.match(folder.name)
        if not match:
            if folder.name.startswith(("_", ".")):
                continue
            raise RuleDataError(f"rule version folder {folder.name!r} is not named by a date",
                                Location(file=str(folder)),
                                "name version folders YYYY-MM-DD, corrections YYYY-MM-DD-rN")
        versions.append(RuleVersion(regime, folder.name, dt.date.fromisoformat(match[1]),
                                    int(match[2] or 1), folder, version_sha256(folder)))
    if not versions:
        raise RuleDataError(f"no rule versions under {root}", Location(file=str(root)),
                            "add a version folder with the rule TOML files")
    return sorted(versions, key=lambda v: (v.published, v.revision))


def rules_in_force(on: dt.date, regime: str = DEFAULT_REGIME,
                   root: Path | None = None) -> RuleVersion:
    """Return the rule version to judge a date with.

    That is the newest version published on or before ``on``. Dates before the first version
    get the first version: every version carries its own per-rule dates back to its
    ``covers_from`` date, so it answers for earlier shipment dates too.
    """
    catalog = rules_catalog(regime, root)
    days = np.array([to_day(on)], dtype=np.int32)
    index = int(version_indices(days, catalog)[0])
    return catalog[max(index, 0)]


def version_indices(row_days: np.ndarray, catalog: list[RuleVersion]) -> np.ndarray:
    """Return, per row day (int32 days since 1970-01-01), the catalog index in force (-1: none)."""
    from bulkscreen_kernels.asof import version_index

    starts = np.array([to_day(v.published) for v in catalog], dtype=np.int32)
    return version_index(np.ascontiguousarray(row_days, dtype=np.int32), starts)


def to_day(date: dt.date) -> int:
    """Return ``date`` as days since 1970-01-01."""
    return (date - EPOCH).days
