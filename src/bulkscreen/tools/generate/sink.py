"""Stream generated batches to a Parquet or CSV file that appears only when complete.

Batches go to a hidden temporary file beside the target, which is renamed over the target on
success (an atomic replace on one file system), so a reader never sees half a file and a
failed run leaves no partial output behind.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bulkscreen.errors import OutputError

FORMATS = ("parquet", "csv")


class BatchSink:
    """Write record batches to ``path`` through a temporary file.

    Parameters
    ----------
    path
        Target file.
    schema
        Arrow schema of every batch (for CSV, the schema of the text form: all strings).
    fmt
        ``"parquet"`` (one row group per batch, zstd) or ``"csv"`` (header row, UTF-8).
    dictionary_columns
        Parquet columns worth dictionary encoding (few distinct values); the others are
        written plain, which is much faster for ids and names.
    """

    def __init__(self, path: Path, schema: pa.Schema, fmt: str,
                 dictionary_columns: list[str] | None = None) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
        self.path = Path(path)
        self.schema = schema
        self.rows = 0
        self._temp = self.path.with_name(f".{self.path.name}.part")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "parquet":
                self._writer: pq.ParquetWriter | pacsv.CSVWriter = pq.ParquetWriter(
                    self._temp, schema, compression="zstd", compression_level=1,
                    use_dictionary=dictionary_columns or False,
                )
            else:
                self._writer = pacsv.CSVWriter(self._temp, schema)
        except OSError as exc:
            raise OutputError(
                f"cannot write {self.path}: {exc.strerror or exc}",
                hint="choose a writable output folder with free space",
            ) from exc

    def write(self, table: pa.Table) -> None:
        """Append one batch."""
        self._writer.write_table(table.cast(self.schema) if table.schema != self.schema
                                 else table)
        self.rows += table.num_rows

    def commit(self) -> Path:
        """Close the file and move it into place; return the final path."""
        self._writer.close()
        os.replace(self._temp, self.path)
        return self.path

    def abort(self) -> None:
        """Close and delete the temporary file."""
        try:
            self._writer.close()
        finally:
            self._temp.unlink(missing_ok=True)

    def __enter__(self) -> BatchSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def text_schema(names: list[str]) -> pa.Schema:
    """Schema of a CSV text form: every column a nullable string."""
    return pa.schema([pa.field(name, pa.string()) for name in names])


def nullable(schema: pa.Schema) -> pa.Schema:
    """The same schema with every field nullable (files with deliberately dirty rows)."""
    return pa.schema([field.with_nullable(True) for field in schema])
