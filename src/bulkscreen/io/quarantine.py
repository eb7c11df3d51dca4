"""The quarantine file: input rows that could not be screened, with where and why."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import pyarrow as pa

from bulkscreen.columns import QUARANTINE
from bulkscreen.io.writers import ParquetStreamWriter


class QuarantineSink:
    """Streams QUARANTINE rows to a Parquet file, written atomically on success.

    Parameters
    ----------
    path
        Final file name; nothing appears there unless the ``with`` block ends normally.
    metadata
        Footer key-value metadata.

    Examples
    --------
    >>> with QuarantineSink(out / "quarantine.parquet") as sink:   # doctest: +SKIP
    ...     sink.write(rows)
    """

    def __init__(self, path: Path, metadata: dict[str, str] | None = None):
        self.path = Path(path)
        self.rows = 0
        self._writer = ParquetStreamWriter(self.path, QUARANTINE.arrow_schema(), metadata)

    def __enter__(self) -> QuarantineSink:
        self._writer.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._writer.__exit__(exc_type, exc, tb)

    def write(self, rows: pa.RecordBatch | pa.Table) -> None:
        """Append QUARANTINE rows (any number, including none)."""
        if rows.num_rows:
            self._writer.write_batch(rows)
            self.rows += rows.num_rows

    def set_metadata(self, metadata: dict[str, str]) -> None:
        """Set footer key-value metadata, written when the file is closed."""
        self._writer.set_metadata(metadata)
