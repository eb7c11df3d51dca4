"""Read any supported input file as validated Arrow record batches, in bounded memory.

:func:`open_batches` is the one entry point: it opens the file, checks its header against the
table (raising a clear :class:`~bulkscreen.errors.InputSchemaError` before any row is read)
and returns a :class:`BatchStream` that yields batches with exactly the table's columns plus
``input_row``. Rows that fail validation go to the quarantine sink, so
``rows_read == rows_yielded + rows_quarantined`` always holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa

from bulkscreen.columns import QUARANTINE, Table
from bulkscreen.errors import InputError, InputSchemaError, Location
from bulkscreen.io.headers import HeaderMatch, match_header
from bulkscreen.io.quarantine import QuarantineSink
from bulkscreen.io.sources import RawBatch, detect_format, open_source
from bulkscreen.io.validate import split_valid


class BatchStream(Iterator[pa.RecordBatch]):
    """Validated batches of one input file, with what was learnt while reading it.

    Attributes
    ----------
    format
        ``csv``, ``parquet``, ``jsonl`` or ``excel``.
    encoding
        Text encoding used for CSV input (given or detected), else None.
    header
        The file's column names.
    sources
        Table column -> file column (None: absent, read as empty).
    ignored_columns
        File columns no table column reads (kept only in quarantined ``raw_row``).
    total_rows
        Row count if the format tells it up front (Parquet, Excel), else None; with
        ``limit``, at most the limit.
    file_rows
        Row count of the whole file when the format tells it, regardless of ``limit``.
    limit
        Read only the first ``limit`` data rows (None: all).
    rows_read, rows_yielded, rows_quarantined
        Running counts.
    """

    def __init__(self, path: Path, table: Table, fmt: str, source: object,
                 match: HeaderMatch, quarantine: QuarantineSink | None,
                 limit: int | None = None):
        self.path = path
        self.table = table
        self.format = fmt
        self.encoding: str | None = getattr(source, "encoding", None)
        self.header: list[str] = list(source.columns)  # type: ignore[attr-defined]
        self.sources = match.sources
        self.ignored_columns = match.ignored
        self.total_rows: int | None = source.total_rows  # type: ignore[attr-defined]
        self.file_rows = self.total_rows
        self.limit = limit
        if limit is not None and self.total_rows is not None:
            self.total_rows = min(self.total_rows, limit)
        self._source = source
        self.rows_read = 0
        self.rows_yielded = 0
        self.rows_quarantined = 0
        self._quarantine = quarantine
        self._raw = iter(source)  # type: ignore[call-overload]

    def __iter__(self) -> BatchStream:
        return self

    @property
    def progress_bytes(self) -> tuple[int, int] | None:
        """(bytes behind the batches handed out, file size) for text formats, else None.

        CSV and JSON Lines do not tell their row count up front, so progress is told in bytes:
        those of the rows yielded so far, not those the reader has read ahead.
        """
        total = getattr(self._source, "total_bytes", None)
        if total is None or self.limit is not None:
            return None
        return int(self._source.bytes_consumed), int(total)  # type: ignore[attr-defined]

    def __next__(self) -> pa.RecordBatch:
        while True:
            if self.limit is not None and self.rows_read >= self.limit:
                raise StopIteration
            raw = next(self._raw)
            if self.limit is not None:
                raw = _first_rows(raw, self.limit)
            good = self._validate(raw)
            if good.num_rows:
                return good

    def _mapped(self, frame: pl.DataFrame) -> pl.DataFrame:
        columns = []
        for name, source in self.sources.items():
            if source is None or source not in frame.columns:
                columns.append(pl.lit(None, pl.String).alias(name))
            else:
                columns.append(pl.col(source).alias(name))
        return frame.select(columns)

    def _validate(self, raw: RawBatch) -> pa.RecordBatch:
        good, bad = split_valid(raw.frame, self._mapped(raw.frame), self.table, raw.rows,
                                str(self.path))
        rejected = reject_rows(raw, str(self.path))
        self.rows_read += raw.frame.height + len(raw.rejects)
        self.rows_yielded += good.num_rows
        for rows in (rejected, bad):
            if rows.num_rows == 0:
                continue
            if self._quarantine is None:
                first = rows.slice(0, 1).to_pylist()[0]
                raise InputError(first["reason"], Location(file=str(self.path),
                                                           row=first["input_row"],
                                                           column=first["column"]),
                                 "fix the row, or run with a quarantine file to set bad rows "
                                 "aside")
            self._quarantine.write(rows)
            self.rows_quarantined += rows.num_rows
        return good


def _first_rows(raw: RawBatch, limit: int) -> RawBatch:
    """The rows of ``raw`` whose data row number is at most ``limit``."""
    keep = raw.rows <= limit
    if keep.all() and all(r.row <= limit for r in raw.rejects):
        return raw
    return RawBatch(raw.frame.filter(pl.Series(keep)), raw.rows[keep],
                    [r for r in raw.rejects if r.row <= limit])


def reject_rows(raw: RawBatch, source_file: str) -> pa.RecordBatch:
    """QUARANTINE rows for the rows the format itself could not parse."""
    return pa.RecordBatch.from_pydict(
        {
            "source_file": [source_file] * len(raw.rejects),
            "input_row": [r.row for r in raw.rejects],
            "column": [None] * len(raw.rejects),
            "value": [None] * len(raw.rejects),
            "reason": [r.reason for r in raw.rejects],
            "raw_row": [json.dumps({"_line": r.raw_text}, ensure_ascii=False)
                        for r in raw.rejects],
        },
        schema=QUARANTINE.arrow_schema(),
    )


def open_batches(  # noqa: PLR0913 - one keyword per reading option of a run
    path: Path,
    table: Table,
    column_map: dict[str, str] | None = None,
    encoding: str | None = None,
    batch_size: int = 100_000,
    quarantine: QuarantineSink | None = None,
    fmt: str | None = None,
    limit: int | None = None,
) -> BatchStream:
    """Open an input file and stream it as validated Arrow record batches.

    Parameters
    ----------
    path
        A ``.csv``/``.tsv``/``.txt``, ``.parquet``/``.pq`` (or a folder of Parquet files),
        ``.jsonl``/``.ndjson`` or ``.xlsx``/``.xls`` file.
    table
        The expected format, e.g. ``columns.SHIPMENTS``.
    column_map
        Table column -> file column, for files whose headers differ.
    encoding
        Text encoding of CSV input; detected when None.
    batch_size
        Rows per batch (approximate for CSV, whose batches follow byte blocks).
    quarantine
        Where invalid rows go. Without one, the first invalid row raises InputError.
    fmt
        ``csv``, ``parquet``, ``jsonl`` or ``excel``; taken from the extension when None.
    limit
        Read only the first ``limit`` data rows (``--limit``); None reads all.

    Returns
    -------
    BatchStream
        An iterator of batches with ``input_row`` (1-based data row number) and exactly
        ``table.arrow_schema()``'s columns; bad rows are not yielded.

    Raises
    ------
    InputError
        Missing, empty, truncated or unreadable file.
    InputSchemaError
        A required column is missing (the error names the nearest header and the ``--map``
        fix).
    InputEncodingError
        The text does not decode; the error names the first bad line.
    """
    path = Path(path)
    fmt = detect_format(path, fmt)
    source = open_source(path, fmt, encoding, batch_size)
    match = match_header(list(source.columns), table, column_map, str(path))
    check_native_types(path, getattr(source, "schema", None), table, match)
    return BatchStream(path, table, fmt, source, match, quarantine, limit)


def check_native_types(path: Path, schema: pa.Schema | None, table: Table,
                       match: HeaderMatch) -> None:
    """Refuse a typed (Parquet) column holding lists or records where one value is expected.

    Such a column cannot be read row by row as the value it should hold; taking its JSON text
    as, say, a name would screen ``[1, 2]``.

    Parameters
    ----------
    path
        The input, for the message.
    schema
        The input's Arrow schema; None for text formats, which are not checked.
    table
        The expected format.
    match
        Which input column feeds each table column.

    Raises
    ------
    InputSchemaError
        Naming the column, its type and the fix.
    """
    if schema is None:
        return
    for name, source in match.sources.items():
        if source is None or source not in schema.names:
            continue
        expected, actual = table.column(name).type, schema.field(source).type
        if pa.types.is_nested(actual) and not pa.types.is_nested(expected):
            raise InputSchemaError(
                f"column {source!r} holds {actual}, not single {expected} values",
                Location(file=str(path), column=source),
                f"write {source!r} as a {expected} column (one value per row), or map "
                f"another column with --map {name}=COLUMN")
