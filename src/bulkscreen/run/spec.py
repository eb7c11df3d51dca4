"""What a run is asked to do (:class:`RunSpec`) and what it produced (:class:`RunSummary`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from bulkscreen.columns import RESULTS, Table
from bulkscreen.config import RunConfig
from bulkscreen.io.outdir import OutputPaths

ScreenBatch = Callable[[pa.RecordBatch], tuple[pa.RecordBatch, pa.RecordBatch]]
"""A pure per-batch screening job: validated input batch -> (RESULTS rows, HITS rows)."""


@dataclass(frozen=True)
class RunSpec:
    """One screening run: what to read, where to write, and what decides the rows.

    Parameters
    ----------
    input_path
        Input file or Parquet folder (see :func:`bulkscreen.io.readers.open_batches`).
    out_dir
        Output folder.
    config
        Run configuration (batch size, column map, encoding; hashed into the manifest).
    table
        Format of the input, e.g. ``columns.SHIPMENTS``.
    as_of
        Date the rows are judged on; None judges each row on its own date (the audit).
    lists
        List versions in use, as the manifest records them (id, version, entries, sha256).
    rules
        Rule versions in use, as the manifest records them.
    algorithms
        Algorithm ids, e.g. ``{"party_names": "party-names-v3"}``.
    extra
        Anything else the manifest records under ``extra`` (compile timings, audit epochs).
    results_table
        Format of the results file: RESULTS, or one that extends it (the audit's).
    fmt
        Input format when the file extension does not tell.
    overwrite
        Replace a finished run already in ``out_dir``.
    progress
        Show a progress bar on stderr when it is a terminal.
    """

    input_path: Path
    out_dir: Path
    config: RunConfig
    table: Table
    as_of: dt.date | None = None
    lists: tuple[Mapping[str, Any], ...] = ()
    rules: tuple[Mapping[str, Any], ...] = ()
    algorithms: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    results_table: Table = RESULTS
    fmt: str | None = None
    overwrite: bool = False
    progress: bool = True

    def manifest_extra(self) -> dict[str, Any]:
        """The manifest sections this run contributes besides counts, inputs and timings."""
        extra: dict[str, Any] = {"algorithms": dict(self.algorithms),
                                 "lists": [dict(v) for v in self.lists],
                                 "rules": [dict(v) for v in self.rules]}
        if self.as_of is not None:
            extra["as_of"] = self.as_of.isoformat()
        return extra | dict(self.extra)


@dataclass
class RunSummary:
    """What a finished run produced."""

    input_rows: int
    result_rows: int
    quarantined_rows: int
    hit_rows: int
    decisions: dict[str, int]
    results_path: Path
    hits_path: Path
    quarantine_path: Path
    manifest_path: Path
    manifest: dict[str, Any] = field(repr=False)
    seconds: float

    @classmethod
    def of_run(cls, out_dir: Path, counts: dict[str, int], manifest: dict[str, Any],
               manifest_path: Path, seconds: float) -> RunSummary:
        """The summary of a published run in ``out_dir``."""
        paths = OutputPaths.of_folder(out_dir)
        return cls(
            input_rows=counts["input_rows"], result_rows=counts["result_rows"],
            quarantined_rows=counts["quarantined_rows"], hit_rows=counts["hit_rows"],
            decisions=manifest["decisions"], results_path=paths.results,
            hits_path=paths.hits, quarantine_path=paths.quarantine,
            manifest_path=manifest_path, manifest=manifest, seconds=seconds)
