"""Split an input into Parquet fragments that workers can read on their own, rows numbered.

A fragment is a run of row groups of one Parquet file, and knows the global row number of its
first row, so a worker numbers its rows exactly as the local reader would. Parquet input is
split in place (no copy). CSV, JSON Lines and Excel input is first converted on the client,
streaming: the raw text columns go to staging Parquet files with the row numbers beside them,
and rows the format itself cannot parse go straight to a quarantine part. Validation stays on
the workers, so the client only parses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from bulkscreen.columns import Table
from bulkscreen.errors import InputError, InputSchemaError, Location
from bulkscreen.io.headers import HeaderMatch, match_header
from bulkscreen.io.quarantine import QuarantineSink
from bulkscreen.io.readers import check_native_types, reject_rows
from bulkscreen.io.sources import ParquetSource, RawBatch, detect_format, open_source

ROW_COLUMN = "__bulkscreen_input_row"
"""Column of staging files holding each row's 1-based number in the original input."""


@dataclass(frozen=True)
class Fragment:
    """Row groups of one Parquet file, screened by one task.

    Attributes
    ----------
    index
        Position of the fragment in the input (0-based); parts are merged in this order.
    path
        Parquet file holding the rows.
    row_groups
        Row groups of ``path`` that belong to the fragment.
    rows
        Number of rows.
    first_row
        Input row number of the first row; None when the file stores them in
        :data:`ROW_COLUMN` (staged text input, whose numbers skip unparseable lines).
    """

    index: int
    path: str
    row_groups: tuple[int, ...]
    rows: int
    first_row: int | None

    def describe(self) -> str:
        """Say which input rows the fragment holds, for error messages."""
        if self.first_row is None:
            return f"fragment {self.index} ({self.rows:,} rows)"
        last = self.first_row + self.rows - 1
        return f"fragment {self.index} (input rows {self.first_row:,}-{last:,})"


@dataclass
class InputPlan:
    """The fragments of an input, and what was learnt while planning them.

    Attributes
    ----------
    fragments
        Fragments in input order.
    match
        Which input column feeds each table column.
    reading
        The manifest's ``reading`` section (format, encoding, header, sources, ignored).
    rows_parsed
        Rows held by the fragments.
    rejected_rows
        Rows the format could not parse, already in ``reject_part``.
    reject_part
        Quarantine part written while staging, or None.
    """

    fragments: list[Fragment]
    match: HeaderMatch
    reading: dict[str, Any]
    rows_parsed: int
    rejected_rows: int = 0
    reject_part: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)


def plan_input(input_path: Path, table: Table, column_map: dict[str, str] | None,
               encoding: str | None, fmt: str | None, fragment_rows: int,
               staging_dir: Path) -> InputPlan:
    """Check the input's header and split it into fragments of about ``fragment_rows`` rows.

    Parameters
    ----------
    input_path
        Input file, or a folder of Parquet files.
    table
        Expected format.
    column_map
        Table column -> file column.
    encoding
        Text encoding of CSV input (detected when None).
    fmt
        Input format when the extension does not tell.
    fragment_rows
        Target rows per fragment. A Parquet row group is never split, so a fragment of
        Parquet input holds at least one whole row group.
    staging_dir
        Where staged text input and its quarantine part go (must be visible to workers).

    Returns
    -------
    InputPlan

    Raises
    ------
    InputError, InputSchemaError, InputEncodingError
        As :func:`bulkscreen.io.readers.open_batches`, before any row is screened.
    """
    input_path = Path(input_path)
    fmt = detect_format(input_path, fmt)
    # Parquet is only opened for its header and row groups; text formats are parsed once
    # here, in batches of fragment_rows rows.
    source = open_source(input_path, fmt, encoding, fragment_rows)
    match = match_header(list(source.columns), table, column_map, str(input_path))
    check_native_types(input_path, getattr(source, "schema", None), table, match)
    reading = {"format": fmt, "encoding": getattr(source, "encoding", None),
               "header": list(source.columns), "sources": match.sources,
               "ignored_columns": match.ignored}
    if isinstance(source, ParquetSource):
        fragments = _parquet_fragments(list(source.dataset.files), fragment_rows)
        return InputPlan(fragments, match, reading, sum(f.rows for f in fragments))
    if ROW_COLUMN in source.columns:
        raise InputSchemaError(f"the input has a column named {ROW_COLUMN!r}, which the "
                               "dask engine reserves", Location(file=str(input_path)),
                               "rename that column, or run with --engine local")
    return _stage(input_path, iter(source), fragment_rows, staging_dir, match, reading)


def _parquet_fragments(files: list[str], fragment_rows: int) -> list[Fragment]:
    """Pack consecutive row groups of each file into fragments, numbering rows across files."""
    fragments: list[Fragment] = []
    next_row = 1
    for file in files:
        try:
            metadata = pq.ParquetFile(file).metadata
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"not a readable Parquet file ({exc})", Location(file=file),
                             "the file is truncated or not Parquet; copy or export it "
                             "again") from None
        groups: list[int] = []
        rows = 0
        for group in range(metadata.num_row_groups):
            group_rows = metadata.row_group(group).num_rows
            if group_rows == 0:
                continue
            groups.append(group)
            rows += group_rows
            if rows >= fragment_rows:
                fragments.append(Fragment(len(fragments), file, tuple(groups), rows, next_row))
                next_row += rows
                groups, rows = [], 0
        if groups:
            fragments.append(Fragment(len(fragments), file, tuple(groups), rows, next_row))
            next_row += rows
    return fragments


def _stage(input_path: Path, raw_batches: Iterator[RawBatch], fragment_rows: int,
           staging_dir: Path, match: HeaderMatch, reading: dict[str, Any]) -> InputPlan:
    """Write parsed text rows to staging Parquet files, one per fragment."""
    staging_dir.mkdir(parents=True, exist_ok=True)
    reject_part = staging_dir / "quarantine-staging.parquet"
    fragments: list[Fragment] = []
    pending: list[RawBatch] = []
    pending_rows = 0

    def flush() -> None:
        frame = pl.concat([b.frame for b in pending], how="diagonal_relaxed")
        rows = np.concatenate([b.rows for b in pending])
        path = staging_dir / f"input-{len(fragments):05d}.parquet"
        table = frame.to_arrow().append_column(ROW_COLUMN, pa.array(rows, pa.int64()))
        pq.write_table(table, path, compression="zstd")
        fragments.append(Fragment(len(fragments), str(path), (0,), len(rows), None))

    with QuarantineSink(reject_part) as rejects:
        for raw in raw_batches:
            rejects.write(reject_rows(raw, str(input_path)))
            if raw.frame.height == 0:
                continue
            pending.append(raw)
            pending_rows += raw.frame.height
            if pending_rows >= fragment_rows:
                flush()
                pending, pending_rows = [], 0
        if pending:
            flush()
    return InputPlan(fragments, match, reading, sum(f.rows for f in fragments),
                     rejected_rows=rejects.rows, reject_part=reject_part)


class FragmentSource:
    """The raw batches of one fragment, as a source :class:`~bulkscreen.io.readers.BatchStream`
    can validate: the rows are numbered as in the whole input.

    Parameters
    ----------
    fragment
        The fragment to read.
    header
        Column names of the whole input (the fragment's file may lack some).
    batch_size
        Rows per batch.
    input_name
        The input as the user named it, for error messages.
    """

    encoding = None

    def __init__(self, fragment: Fragment, header: list[str], batch_size: int,
                 input_name: str):
        self.fragment = fragment
        self.columns = list(header)
        self.total_rows = fragment.rows
        self.batch_size = batch_size
        self.input_name = input_name

    def __iter__(self) -> Iterator[RawBatch]:
        fragment = self.fragment
        next_row = fragment.first_row
        try:
            batches = pq.ParquetFile(fragment.path).iter_batches(
                batch_size=self.batch_size, row_groups=list(fragment.row_groups),
                use_threads=False)
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                if next_row is None:
                    rows = batch.column(ROW_COLUMN).to_numpy()
                    batch = batch.drop_columns([ROW_COLUMN])
                else:
                    rows = np.arange(next_row, next_row + batch.num_rows, dtype=np.int64)
                    next_row += batch.num_rows
                yield RawBatch(pl.from_arrow(batch), rows)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"cannot read {fragment.describe()} from {fragment.path} ({exc})",
                             Location(file=self.input_name),
                             "the file is damaged or not visible from this worker; input and "
                             "output folders must be on storage every worker sees") from None
