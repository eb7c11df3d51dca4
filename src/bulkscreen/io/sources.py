"""Raw input sources: one per file format, each streaming bounded batches with row numbers.

A source knows its header (the file's own column names) before the first batch, and yields
:class:`RawBatch` objects: the rows as a polars frame (text for CSV, Excel and JSONL; native
types for Parquet), their 1-based data row numbers, and rows the format itself could not
parse (a CSV line with too many fields, a JSONL line that is not JSON), which go to quarantine.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from bulkscreen.errors import InputError, InputSchemaError, Location
from bulkscreen.io.encoding import canonical_encoding, detect_encoding, encoding_error

FORMATS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".xlsx": "excel", ".xls": "excel", ".xlsm": "excel",
}


@dataclass(frozen=True)
class Reject:
    """A row the format could not parse; it goes to quarantine whole."""

    row: int
    reason: str
    raw_text: str


@dataclass
class RawBatch:
    """Rows as read, their 1-based data row numbers, and rows that could not be parsed."""

    frame: pl.DataFrame
    rows: np.ndarray
    rejects: list[Reject] = field(default_factory=list)


def detect_format(path: Path, fmt: str | None = None) -> str:
    """Return ``csv``, ``parquet``, ``jsonl`` or ``excel`` from ``fmt`` or the file name.

    Raises
    ------
    InputError
        If the file does not exist or its format is unknown.
    """
    if not path.exists():
        raise InputError("input file not found", Location(file=str(path)),
                         "check the path")
    if fmt is not None:
        if fmt not in set(FORMATS.values()):
            raise InputError(f"unknown input format {fmt!r}", Location(file=str(path)),
                             f"use one of: {', '.join(sorted(set(FORMATS.values())))}")
        if path.is_dir() and fmt != "parquet":
            raise InputError(f"the input is a folder, which cannot be read as {fmt}",
                             Location(file=str(path)),
                             "name the file itself; only Parquet input may be a folder of "
                             "files")
        return fmt
    if path.is_dir():
        return "parquet"
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"cannot tell the format from the extension {suffix!r}",
                         Location(file=str(path)),
                         f"rename the file to one of {', '.join(FORMATS)} or give --format")
    return FORMATS[suffix]


def _require_content(path: Path) -> None:
    if path.stat().st_size == 0:
        raise InputError("the file is empty (0 bytes, not even a header line)",
                         Location(file=str(path)),
                         "export the data again; a file with no rows still needs its header")


class _CountingReader(io.RawIOBase):
    """A binary file that records on ``owner.bytes_read`` how far it has been read."""

    def __init__(self, handle: BinaryIO, owner: CsvSource):
        self._handle = handle
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._handle.readinto(buffer)
        self._owner.bytes_read += count or 0
        return count

    def close(self) -> None:
        self._handle.close()
        super().close()


class CsvSource:
    """CSV/TSV streamed by pyarrow in bounded blocks, every column read as text.

    Row numbers count records after the header; a record with the wrong number of fields is
    rejected whole. Quoted values may span lines; a quote left open that swallows the
    records after it is rejected too (see ``_split_unclosed_quotes``).
    """

    def __init__(self, path: Path, encoding: str | None, batch_size: int):
        _require_content(path)
        self.path = path
        self.encoding_given = encoding is not None
        self.encoding = canonical_encoding(encoding) if encoding else detect_encoding(path)
        with open(path, "rb") as handle:
            sample = handle.read(1 << 20)
        self.delimiter = detect_delimiter(path, first_text_line(sample, self.encoding))
        lines = max(sample.count(b"\n"), 1)
        row_bytes = max(len(sample) // lines, 16)
        # pyarrow yields one batch per block: size blocks to hold about batch_size rows.
        self.block_size = int(min(max(row_bytes * batch_size, 1 << 16), 1 << 28))
        self.columns = self._read_header()
        self.total_rows: int | None = None
        self.total_bytes = path.stat().st_size
        self.bytes_read = 0
        self.bytes_consumed = 0
        self._file_bytes_per_block = self.block_size * _file_bytes_per_utf8_byte(
            sample, self.encoding)
        self._rejects: list[Reject] = []

    def _read_options(self) -> pacsv.ReadOptions:
        return pacsv.ReadOptions(encoding=self.encoding, block_size=self.block_size,
                                 use_threads=False)

    def _read_header(self) -> list[str]:
        # Parsed here, not by a pyarrow reader: one opened only for its header would still be
        # reading ahead on pyarrow's I/O thread, holding Python callbacks, when an error about
        # the header ends the process, which then aborts (exit 134) instead of exiting 3.
        names = header_record(self.path, self.encoding, self.encoding_given,
                              self.delimiter)
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise InputSchemaError(f"duplicate column names in the header: {duplicates}",
                                   Location(file=str(self.path), line=1),
                                   "give every column a distinct name")
        return names

    def _on_invalid_row(self, row: pacsv.InvalidRow) -> str:
        line = row.number if row.number is not None else 0
        self._rejects.append(Reject(
            row=max(line - 1, 1),
            reason=f"line {line} has {row.actual_columns} fields, the header has "
                   f"{row.expected_columns}; quote values that contain '{self.delimiter}'",
            raw_text=row.text))
        return "skip"

    def __iter__(self) -> Iterator[RawBatch]:
        convert = pacsv.ConvertOptions(column_types=dict.fromkeys(self.columns, pa.string()),
                                       strings_can_be_null=False, quoted_strings_can_be_null=False)
        parse = pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True,
                                   invalid_row_handler=self._on_invalid_row)
        numbering = _RowNumbering()
        reader = None
        blocks = 0
        self.bytes_consumed = 0
        # Read through a counting handle: no batch can end past the bytes it has handed out.
        handle = _CountingReader(open(self.path, "rb"), self)  # noqa: SIM115 - closed below
        while True:
            try:
                if reader is None:  # opening already parses the first block
                    reader = pacsv.open_csv(handle, read_options=self._read_options(),
                                            parse_options=parse, convert_options=convert)
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                handle.close()
                if "UTF8" in str(exc) or isinstance(exc, UnicodeDecodeError):
                    raise encoding_error(self.path, self.encoding, self.encoding_given) from None
                raise InputError(f"cannot read as CSV: {exc}", Location(file=str(self.path)),
                                 "fix the line named above") from None
            # pyarrow reads many blocks ahead of the batch it hands out, so bytes read run far
            # ahead of the rows screened. It parses one batch per block of block_size UTF-8
            # bytes, so the blocks handed out tell how far into the file the batches reach.
            blocks += 1
            self.bytes_consumed = min(int(blocks * self._file_bytes_per_block),
                                      self.bytes_read)
            rejects, self._rejects = self._rejects, []
            rows = numbering.assign(batch.num_rows, [r.row for r in rejects])
            frame = pl.from_arrow(batch)
            frame, rows, swallowed = self._split_unclosed_quotes(frame, rows)
            yield RawBatch(frame, rows, rejects + swallowed)
        handle.close()
        self.bytes_consumed = self.total_bytes
        if self._rejects:
            yield RawBatch(pl.DataFrame(schema=dict.fromkeys(self.columns, pl.String)),
                           np.empty(0, np.int64), self._rejects)


    def _split_unclosed_quotes(self, frame: pl.DataFrame, rows: np.ndarray
                               ) -> tuple[pl.DataFrame, np.ndarray, list[Reject]]:
        """Set aside records in which a quote left open swallowed the lines after it.

        Quoted values may span lines (an address typed with line breaks), but a value one of
        whose later lines holds a whole record's worth of separators is, almost surely, a
        stray quote that ran on: it goes to quarantine instead of being screened as one row.
        """
        if frame.height == 0 or len(self.columns) < 2:
            return frame, rows, []
        needed = len(self.columns) - 1
        # Cheap test first: most batches hold no line break in any value at all.
        multiline = frame.select(pl.any_horizontal(
            pl.col(c).str.contains("\n", literal=True) for c in frame.columns
        ).fill_null(False)).to_series()
        if not multiline.any():
            return frame, rows, []
        checks = [pl.col(c).str.split("\n").list.slice(1).list.eval(
                      pl.element().str.count_matches(self.delimiter, literal=True) >= needed
                  ).list.any()
                  for c in frame.columns]
        bad = frame.select(pl.any_horizontal(checks).fill_null(False)).to_series() & multiline
        if not bad.any():
            return frame, rows, []
        mask = bad.to_numpy()
        rejects = []
        for row, record in zip(rows[mask], frame.filter(bad).iter_rows(named=True),
                               strict=True):
            column = next(c for c, v in record.items() if v and "\n" in v)
            lines = record[column].rstrip("\n").count("\n")
            rejects.append(Reject(
                row=int(row),
                reason=f"a quote opened in column {column!r} is not closed where the value "
                       f"ends: it runs on over {lines} more line(s) that look like records; "
                       "close the quote, or double any quote inside a quoted value",
                raw_text=self.delimiter.join("" if v is None else v for v in record.values())))
        return frame.filter(~bad), rows[~mask], rejects


DELIMITERS = (",", "\t", ";")
"""Field separators told from the header: comma, tab, and the semicolon of Excel's CSV in
locales whose decimal mark is a comma."""


def first_text_line(sample: bytes, encoding: str) -> str:
    """The first non-blank line of ``sample`` decoded (what is left of it if it does not
    decode), without a BOM."""
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample)
    return next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")


def detect_delimiter(path: Path, header_line: str) -> str:
    """Tab for ``.tsv``, else the separator of :data:`DELIMITERS` the header holds most of
    (comma on a tie, or when it holds none)."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def header_record(path: Path, encoding: str, encoding_given: bool, delimiter: str
                  ) -> list[str]:
    """The column names of a CSV file: its first record that is not a blank line.

    Read as pyarrow reads the records after it: a UTF-8 BOM dropped, quoted names (which may
    hold the separator or a line break) unquoted, spaces kept.

    Raises
    ------
    InputError
        No header line, or the text does not decode (:func:`encoding_error`).
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    text = ""
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(1 << 16)
            try:
                text += decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                raise encoding_error(path, encoding, encoding_given) from None
            try:
                record = _first_record(text.lstrip("\ufeff"), delimiter, complete=not chunk)
            except csv.Error as exc:  # e.g. a header field over csv's field size limit
                raise InputError(f"cannot read the header line ({exc})",
                                 Location(file=str(path), line=1),
                                 "write the column names on the first line, each at most a "
                                 "few words long") from None
            if record is not None or not chunk:
                break
    if not record:
        raise InputError("the file has no header line", Location(file=str(path)),
                         "add the header line with the column names")
    return record


def _first_record(text: str, delimiter: str, complete: bool) -> list[str] | None:
    """The first non-blank record of ``text``; None while it may run on past ``text``."""
    lines = io.StringIO(text, newline="")
    for record in csv.reader(lines, delimiter=delimiter):
        if not record:  # a blank line is not a record
            continue
        # A record ending where the text read so far ends may go on in the next chunk.
        if not complete and lines.tell() >= len(text):
            return None
        return record
    return [] if complete else None


def _file_bytes_per_utf8_byte(sample: bytes, encoding: str) -> float:
    """File bytes per byte of UTF-8 text in ``sample``, the ratio pyarrow's blocks scale by.

    pyarrow transcodes other encodings to UTF-8 before cutting blocks, so a block of a cp932
    file covers fewer of the file's bytes than its size.
    """
    if not sample or codecs.lookup(encoding).name in ("utf-8", "utf-8-sig", "ascii"):
        return 1.0
    text = sample.decode(encoding, errors="replace").encode("utf-8")
    return len(sample) / max(len(text), 1)


class _RowNumbering:
    """Hands out consecutive row numbers, skipping those already given to rejected rows."""

    def __init__(self) -> None:
        self.next_row = 1
        self.taken: set[int] = set()

    def assign(self, n: int, rejected: list[int]) -> np.ndarray:
        self.taken.update(rejected)
        if not self.taken:
            rows = np.arange(self.next_row, self.next_row + n, dtype=np.int64)
            self.next_row += n
            return rows
        out = []
        while len(out) < n:
            if self.next_row in self.taken:
                self.taken.discard(self.next_row)
            else:
                out.append(self.next_row)
            self.next_row += 1
        return np.asarray(out, dtype=np.int64)


class ParquetSource:
    """A Parquet file, or a folder of them read as one dataset in file-name order."""

    def __init__(self, path: Path, batch_size: int):
        import pyarrow.dataset as ds

        self.path = path
        self.batch_size = batch_size
        files = sorted(p for p in path.rglob("*") if p.is_file()
                       and not p.name.startswith((".", "_"))) if path.is_dir() else [path]
        if not files:
            raise InputError("the folder holds no Parquet files", Location(file=str(path)),
                             "point at a Parquet file or a folder of them")
        import pyarrow.parquet as pq

        schemas = []
        for file in files:
            _require_content(file)
            # Each part's footer is read on its own, so the error names the bad part.
            try:
                schemas.append(pq.read_schema(file))
            except (pa.ArrowInvalid, OSError) as exc:
                raise InputError(f"not a readable Parquet file ({exc})",
                                 Location(file=str(file)),
                                 "the file is truncated or not Parquet; copy or export it "
                                 "again" + (", or move it out of the folder"
                                            if path.is_dir() else "")) from None
        first = schemas[0]
        for file, schema in zip(files, schemas, strict=True):
            if not _same_columns(schema, first):
                raise InputError(
                    f"the parts of the folder have different columns or types: {file.name} "
                    f"has {_schema_text(schema)}, {files[0].name} has {_schema_text(first)}",
                    Location(file=str(file)),
                    "write every part with the same columns and types") from None
        try:
            self.dataset = ds.dataset([str(f) for f in files], format="parquet")
            self.total_rows = self.dataset.count_rows()
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"not a readable Parquet file ({exc})", Location(file=str(path)),
                             "the file is truncated or not Parquet; copy or export it "
                             "again") from None
        self.columns = self.dataset.schema.names
        self.schema = self.dataset.schema
        self.files = files
        # Parts of one schema are read file by file; parts that differ (an all-null column)
        # go through the dataset, which casts them to one schema.
        self.same_schema = all(schema.equals(first) for schema in schemas)

    def _batches(self) -> Iterator[pa.RecordBatch]:
        """The file's record batches, decoded only as they are asked for."""
        import pyarrow.dataset as ds
        import pyarrow.parquet as pq

        if self.same_schema:
            # The synchronous reader decodes the row group being read and no further: the
            # dataset scanner, even at its least readahead, ran several batches ahead of a
            # slow job (about 150 MB more at 1M lines than at 200k), so memory grew with
            # the input rather than with the batch size.
            # Row group by row group: batches end where the scanner's did, so each run
            # writes the same row groups as before.
            for file in self.files:
                with pq.ParquetFile(file, pre_buffer=False) as reader:
                    for group in range(reader.num_row_groups):
                        yield from reader.iter_batches(batch_size=self.batch_size,
                                                       row_groups=[group], use_threads=False)
            return
        yield from self.dataset.to_batches(
            batch_size=self.batch_size, use_threads=False, batch_readahead=1,
            fragment_readahead=1,
            fragment_scan_options=ds.ParquetFragmentScanOptions(pre_buffer=False))

    def __iter__(self) -> Iterator[RawBatch]:
        next_row = 1
        scanner = self._batches()
        while True:
            try:
                batch = next(scanner)
            except StopIteration:
                break
            except (pa.ArrowInvalid, OSError) as exc:
                raise InputError(f"Parquet data is damaged after row {next_row - 1} ({exc})",
                                 Location(file=str(self.path), row=next_row),
                                 "the file is truncated or corrupt; copy or export it "
                                 "again") from None
            if batch.num_rows == 0:
                continue
            rows = np.arange(next_row, next_row + batch.num_rows, dtype=np.int64)
            next_row += batch.num_rows
            yield RawBatch(pl.from_arrow(batch), rows)


def _same_columns(a: pa.Schema, b: pa.Schema) -> bool:
    """Same column names and types; an all-null column fits any type."""
    if a.names != b.names:
        return False
    return all(x.type.equals(y.type) or pa.types.is_null(x.type) or pa.types.is_null(y.type)
               for x, y in zip(a, b, strict=True))


def _schema_text(schema: pa.Schema) -> str:
    return ", ".join(f"{f.name}: {f.type}" for f in schema)


def _json_text(value: object) -> str | None:
    """A JSON value as the text form the validator reads."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        if all(isinstance(v, dict) for v in value):
            return "; ".join(_struct_text(v) for v in value)
        return "|".join("" if v is None else str(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


def _struct_text(item: dict) -> str:
    if set(item) <= {"name", "value", "unit"} and "value" in item:
        return f"{item.get('name', '')}={item['value']} {item.get('unit') or ''}".strip()
    return "|".join("" if v is None else str(v) for v in item.values())


class JsonlSource:
    """JSON Lines: one object per line. The header is the keys of the first batch.

    Nested values are turned into the text forms (lists joined with ``|``, structured items
    with ``;``), so a value holding those separators cannot round-trip.
    """

    def __init__(self, path: Path, batch_size: int):
        _require_content(path)
        self.path = path
        self.batch_size = batch_size
        self.total_rows: int | None = None
        self.total_bytes = path.stat().st_size
        self.bytes_read = 0
        first = next(iter(self._records()), None)
        self.columns = list(first[0]) if first else []
        self.bytes_read = 0  # reading the header consumed some; the run starts over
        if not self.columns:
            raise InputError("no JSON object found", Location(file=str(path)),
                             "write one JSON object per line")

    @property
    def bytes_consumed(self) -> int:
        """Bytes of the file behind the batches handed out: lines are read one by one."""
        return self.bytes_read

    def _records(self) -> Iterator[tuple[dict[str, list[str | None]], list[int], list[Reject]]]:
        """Yield (column -> text values, row numbers, rejected lines) per batch."""
        values: dict[str, list[str | None]] = {}
        rows: list[int] = []
        rejects: list[Reject] = []
        count = 0
        with open(self.path, "rb") as handle:
            for line_number, raw in enumerate(handle, start=1):
                self.bytes_read += len(raw)
                if not raw.strip():
                    continue
                count += 1
                text = raw.decode("utf-8", errors="backslashreplace").strip()
                try:
                    record = json.loads(raw)
                    if not isinstance(record, dict):
                        raise ValueError("not a JSON object")
                    texts = {key: _json_text(value) for key, value in record.items()}
                except ValueError as exc:  # UnicodeDecodeError is a ValueError too
                    rejects.append(Reject(count, f"line {line_number} is not a JSON object "
                                          f"({exc})", text))
                    continue
                except RecursionError:
                    rejects.append(Reject(count, f"line {line_number} nests arrays or objects "
                                          "too deeply to read; write each value as text, a "
                                          "number or a flat list", text))
                    continue
                for key in texts:
                    if key not in values:
                        values[key] = [None] * len(rows)
                for key, column in values.items():
                    column.append(texts.get(key))
                rows.append(count)
                if len(rows) >= self.batch_size:
                    yield values, rows, rejects
                    values, rows, rejects = {k: [] for k in values}, [], []
        if rows or rejects or not values:
            yield values, rows, rejects

    def __iter__(self) -> Iterator[RawBatch]:
        for values, rows, rejects in self._records():
            frame = pl.DataFrame([pl.Series(k, v, dtype=pl.String) for k, v in values.items()])
            yield RawBatch(frame, np.asarray(rows, dtype=np.int64), rejects)


class ExcelSource:
    """The first sheet of an Excel workbook, every cell read as text (bounded by the sheet)."""

    def __init__(self, path: Path, batch_size: int, sheet: int | str = 0):
        import fastexcel

        _require_content(path)
        self.path = path
        self.batch_size = batch_size
        require_workbook(path)
        try:
            table = fastexcel.read_excel(str(path)).load_sheet(sheet, dtypes="string").to_arrow()
        except Exception as exc:  # fastexcel raises its own error types per failure
            raise InputError(f"cannot read as an Excel workbook ({exc})",
                             Location(file=str(path)),
                             "save it again from Excel as .xlsx") from None
        self.frame = pl.from_arrow(table)
        self.columns = self.frame.columns
        self.total_rows = self.frame.height

    def __iter__(self) -> Iterator[RawBatch]:
        for start in range(0, max(self.frame.height, 1), self.batch_size):
            part = self.frame.slice(start, self.batch_size)
            yield RawBatch(part, np.arange(start + 1, start + 1 + part.height, dtype=np.int64))


# Every .xlsx/.xlsm is a zip archive; every .xls an OLE2 compound document.
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def require_workbook(path: Path) -> None:
    """Refuse a file named like a workbook that is not one, saying what it looks like.

    Raises
    ------
    InputError
        Saying what the file looks like (CSV text, HTML, XML) and how to read it instead.
    """
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head.startswith(_WORKBOOK_MAGIC):
        return
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<html", b"<!doctype html", b"<table")):
        looks, fmt = "an HTML page (a web export saved with an Excel name)", None
    elif text.startswith(b"<?xml"):
        looks, fmt = "XML (an Excel 2003 XML sheet or another XML file)", None
    elif b"\x00" not in head and (b"," in head or b"\t" in head):
        looks, fmt = "comma- or tab-separated text", "csv"
    else:
        looks, fmt = "neither a .xlsx nor a .xls workbook", None
    hint = (f"rename it to .csv or give --format {fmt}" if fmt
            else "open it in Excel and save it as .xlsx")
    raise InputError(f"not an Excel workbook: the file is {looks}", Location(file=str(path)),
                     hint)


def open_source(path: Path, fmt: str, encoding: str | None, batch_size: int
                ) -> CsvSource | ParquetSource | JsonlSource | ExcelSource:
    """Open the raw source for ``path`` in format ``fmt``."""
    if fmt == "csv":
        return CsvSource(path, encoding, batch_size)
    if fmt == "parquet":
        return ParquetSource(path, batch_size)
    if fmt == "jsonl":
        return JsonlSource(path, batch_size)
    return ExcelSource(path, batch_size)


def file_size(path: Path) -> int:
    """Size in bytes of a file, or of all files in a folder."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return os.path.getsize(path)
