"""Streaming Parquet output: one row group per batch, renamed into place only on success."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.parquet as pq

from bulkscreen.errors import Location, OutputError

PARTIAL_SUFFIX = ".partial"


class ParquetStreamWriter:
    """Write record batches to ``<path>.partial``, then rename to ``path`` on success.

    A run that fails, is interrupted (``KeyboardInterrupt``) or is abandoned leaves no file
    at ``path``: the partial file is removed. Footer key-value metadata set with
    :meth:`set_metadata` is written at close, so it may hold counts known only at the end.

    Parameters
    ----------
    path
        Final file name.
    schema
        Arrow schema of every batch.
    metadata
        Initial footer key-value metadata.
    """

    def __init__(self, path: Path, schema: pa.Schema, metadata: dict[str, str] | None = None):
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + PARTIAL_SUFFIX)
        self.schema = schema
        self.metadata = dict(metadata or {})
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> ParquetStreamWriter:
        try:
            self.partial.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.partial, self.schema, compression="zstd")
        except OSError as exc:
            raise OutputError(f"cannot create the output file ({exc.strerror})",
                              Location(file=str(self.partial)),
                              "check the folder exists and is writable") from None
        return self

    def write_batch(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Write ``batch`` as one row group (nothing for an empty batch)."""
        if self._writer is None:
            raise RuntimeError("write_batch outside the with block")
        if batch.num_rows == 0:
            return
        table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        self._writer.write_table(table.cast(self.schema), row_group_size=table.num_rows)
        self.rows += table.num_rows

    def set_metadata(self, metadata: dict[str, str]) -> None:
        """Add footer key-value metadata (written at close)."""
        self.metadata.update(metadata)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        if exc_type is not None:
            try:
                writer.close()
            finally:
                self.partial.unlink(missing_ok=True)
            return
        try:
            if self.metadata:
                writer.add_key_value_metadata(self.metadata)
            writer.close()
            os.replace(self.partial, self.path)
        except BaseException:
            self.partial.unlink(missing_ok=True)
            raise

    def discard(self) -> None:
        """Abandon the file: close it and remove the partial file."""
        self.__exit__(RuntimeError, None, None)
