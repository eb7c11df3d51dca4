"""Merge the part files of a distributed run into the same files a local run writes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow.parquet as pq

from bulkscreen.errors import EngineError, Location
from bulkscreen.io.writers import ParquetStreamWriter


def append_parts(writer: ParquetStreamWriter, parts: Sequence[tuple[Path, int]]) -> None:
    """Copy part files into ``writer`` in order, one row group at a time.

    Parameters
    ----------
    writer
        An open writer for the final file.
    parts
        (part file, rows its task reported) in the order the rows must appear.

    Raises
    ------
    EngineError
        A part is missing or holds a different number of rows than its task reported.
    """
    for path, expected in parts:
        try:
            part = pq.ParquetFile(path)
        except (OSError, ValueError) as exc:
            raise EngineError(f"a part file of a finished fragment cannot be read ({exc})",
                              Location(file=str(path)),
                              "the output folder must be on storage every worker and the "
                              "client see; run again") from None
        if part.metadata.num_rows != expected:
            raise EngineError(f"a part file holds {part.metadata.num_rows} rows, its task "
                              f"reported {expected}", Location(file=str(path)),
                              "report this as a bug; no outputs were kept")
        for group in range(part.num_row_groups):
            writer.write_batch(part.read_row_group(group))
