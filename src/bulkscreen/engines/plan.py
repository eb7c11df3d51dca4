"""The dry-run engine: check a run's input and data, and say what the run would do.

``--dry-run`` loads the lists and rules as the run would, opens the input through the same
reader (so the header mapping, encoding and format are checked exactly as in a run), reads a
sample of rows through the validation, and returns a :class:`RunPlan`. It writes nothing: no
output folder is created, and the sample's rejected rows go to a scratch quarantine that is
thrown away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from bulkscreen.io.outdir import MANIFEST_FILE
from bulkscreen.io.readers import open_batches
from bulkscreen.run.spec import RunSpec, ScreenBatch

SAMPLE_ROWS = 1_000
"""Rows read through validation to check the values, not only the header."""


@dataclass
class RunPlan:
    """What a run would read, with what, and where it would write.

    Attributes
    ----------
    input_path, out_dir
        The input and the output folder.
    table
        The input format's name (shipments, persons, parties).
    format, encoding
        How the input is read.
    sources
        Table column -> input column (None: absent, read as empty).
    ignored_columns
        Input columns no table column reads.
    total_rows
        Rows in the input when the format tells, else None; at most ``limit``.
    limit
        ``--limit``, if given.
    sample_rows, sample_valid, sample_quarantined
        Rows read through validation, and how many passed or would be quarantined.
    sample_reasons
        The first quarantine reasons of the sample (file row, column, reason).
    lists, rules, algorithms
        Versions the run would record in its manifest.
    engine
        Where the batches would run.
    out_state
        ``new``, ``empty``, ``finished run (use --overwrite)`` or ``holds other files``.
    """

    input_path: Path
    out_dir: Path
    table: str
    format: str
    encoding: str | None
    sources: dict[str, str | None]
    ignored_columns: list[str]
    total_rows: int | None
    limit: int | None
    sample_rows: int
    sample_valid: int
    sample_quarantined: int
    sample_reasons: list[str] = field(default_factory=list)
    lists: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    algorithms: dict[str, str] = field(default_factory=dict)
    engine: str = "local"
    out_state: str = "new"


def _out_state(out_dir: Path) -> str:
    if not out_dir.exists():
        return "new"
    if (out_dir / MANIFEST_FILE).is_file():
        return "holds a finished run (the run needs --overwrite)"
    return "empty" if not any(out_dir.iterdir()) else "exists"


class _SampleQuarantine:
    """Counts the sample's rejected rows and keeps the first reasons; writes nothing."""

    def __init__(self, keep: int = 3):
        self.rows = 0
        self.reasons: list[str] = []
        self._keep = keep

    def write(self, rows: pa.RecordBatch | pa.Table) -> None:
        self.rows += rows.num_rows
        for row in rows.slice(0, max(self._keep - len(self.reasons), 0)).to_pylist():
            column = f" column {row['column']!r}" if row["column"] else ""
            self.reasons.append(f"row {row['input_row']}{column}: {row['reason']}")


class PlanEngine:
    """An engine that plans instead of running (``--dry-run``)."""

    name = "dry-run"

    def run(self, spec: RunSpec, job: ScreenBatch) -> RunPlan:
        """Check the input against ``spec`` and return the plan; ``job`` is not called.

        Raises
        ------
        InputError, InputSchemaError
            As a run would: the input cannot be read, or a required column is missing.
        """
        config = spec.config
        sample = min(config.limit or SAMPLE_ROWS, SAMPLE_ROWS)
        quarantine = _SampleQuarantine()
        stream = open_batches(spec.input_path, spec.table, config.column_map, config.encoding,
                              sample, quarantine, spec.fmt, sample)  # type: ignore[arg-type]
        for _ in stream:
            pass
        total = stream.file_rows
        if total is not None and config.limit is not None:
            total = min(total, config.limit)
        return RunPlan(
            input_path=Path(spec.input_path), out_dir=Path(spec.out_dir),
            table=spec.table.name, format=stream.format, encoding=stream.encoding,
            sources=dict(stream.sources), ignored_columns=list(stream.ignored_columns),
            total_rows=total, limit=config.limit, sample_rows=stream.rows_read,
            sample_valid=stream.rows_yielded, sample_quarantined=stream.rows_quarantined,
            sample_reasons=quarantine.reasons, lists=[dict(v) for v in spec.lists],
            rules=[dict(v) for v in spec.rules], algorithms=dict(spec.algorithms),
            engine=config.engine, out_state=_out_state(Path(spec.out_dir)))
