"""The run manifest: what produced a result file, so any run can be checked and repeated.

It records the tool and library versions, algorithm ids, the configuration and its hash,
list and rule versions with their sha256, fingerprints of the inputs, row counts and timings.
It is written as ``run.json`` beside the results and into each Parquet footer under
:data:`FOOTER_KEY`. Its JSON Schema is ``schemas/manifest.v1.json``.

Input fingerprints hash the whole file up to :data:`FULL_HASH_LIMIT` bytes. Larger files are
fingerprinted as ``sha256(size, first MiB, last MiB)`` (method ``sha256-head-tail``), so a
multi-gigabyte input does not cost a full extra read; that catches truncation, appends and
edits near either end, not an edit in the middle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from bulkscreen import __version__
from bulkscreen.columns import Table
from bulkscreen.config import RunConfig

MANIFEST_VERSION = 1
FOOTER_KEY = "bulkscreen.manifest"
FULL_HASH_LIMIT = 1 << 30
SAMPLE_BYTES = 1 << 20
LIBRARIES = ("numpy", "numba", "pyarrow", "polars", "rapidfuzz", "pycountry",
             "charset-normalizer", "fastexcel", "pydantic", "click", "rich")


def library_versions() -> dict[str, str | None]:
    """Return the installed version of every library that can change results."""
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a whole file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(SAMPLE_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint_file(path: Path) -> dict[str, Any]:
    """Fingerprint one file: path, size, sha256 and the method used (see module docs)."""
    size = path.stat().st_size
    if size <= FULL_HASH_LIMIT:
        return {"path": str(path), "size": size, "sha256": sha256_file(path),
                "method": "sha256"}
    digest = hashlib.sha256(str(size).encode())
    with open(path, "rb") as handle:
        digest.update(handle.read(SAMPLE_BYTES))
        handle.seek(size - SAMPLE_BYTES)
        digest.update(handle.read(SAMPLE_BYTES))
    return {"path": str(path), "size": size, "sha256": digest.hexdigest(),
            "method": "sha256-head-tail"}


def fingerprint_input(path: Path) -> list[dict[str, Any]]:
    """Fingerprint an input file, or every file of an input folder (sorted by path)."""
    path = Path(path)
    if path.is_dir():
        return [fingerprint_file(p) for p in sorted(path.rglob("*")) if p.is_file()]
    return [fingerprint_file(path)]


def build_manifest(  # noqa: PLR0913 - one keyword-only argument per manifest section
    *,
    config: RunConfig,
    table: Table,
    inputs: list[dict[str, Any]],
    counts: dict[str, int],
    decisions: dict[str, int],
    timings: dict[str, float],
    reading: dict[str, Any] | None = None,
    outputs: dict[str, str] | None = None,
    algorithms: dict[str, str] | None = None,
    lists: list[dict[str, Any]] | None = None,
    rules: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the manifest of one run.

    Parameters
    ----------
    config
        The run configuration (recorded whole, with its hash).
    table
        The input format.
    inputs
        Fingerprints from :func:`fingerprint_input`.
    counts
        ``input_rows``, ``result_rows``, ``quarantined_rows``, ``hit_rows``.
    decisions
        Rows per decision.
    timings
        Seconds per stage (``read``, ``screen``, ``write``, ``total``).
    reading
        How the input was read: format, encoding, column sources, ignored columns.
    outputs
        Output file names.
    algorithms
        Algorithm id -> version id, e.g. ``{"party_names": "party-names-v1"}``.
    lists, rules
        Data versions used: dicts with at least ``id``, ``version`` and ``sha256``.
    extra
        Anything else the caller records (kept under ``extra``).

    Returns
    -------
    dict
        JSON-ready manifest, valid against ``schemas/manifest.v1.json``.
    """
    return {
        "manifest_version": MANIFEST_VERSION,
        "tool": {"name": "bulkscreen", "version": __version__},
        "python": platform.python_version(),
        "libraries": library_versions(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "algorithms": dict(algorithms or {}),
        "config": {"hash": config.hash(), "settings": config.model_dump(mode="json")},
        "data": {"lists": list(lists or []), "rules": list(rules or [])},
        "table": {"name": table.name, "version": table.version},
        "inputs": inputs,
        "reading": dict(reading or {}),
        "counts": dict(counts),
        "decisions": dict(decisions),
        "timings": {k: round(v, 6) for k, v in timings.items()},
        "outputs": dict(outputs or {}),
        "extra": dict(extra or {}),
    }
