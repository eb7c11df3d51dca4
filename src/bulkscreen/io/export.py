"""Copies of a finished run's Parquet files in text formats (``--output-format``).

The Parquet files stay the run's record (reports and re-screening read them); the copies are
for tools that read only CSV or JSON Lines. List columns are joined with ``|`` in CSV, the same
text form the readers accept, and nested values become JSON text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from bulkscreen.errors import Location, OutputError
from bulkscreen.io.outdir import HITS_FILE, QUARANTINE_FILE, RESULTS_FILE

TEXT_FORMATS = ("csv", "jsonl")
LIST_SEPARATOR = "|"


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists joined with ``|``, structs as JSON text: CSV holds one value per cell."""
    columns = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List) and dtype.inner == pl.String:
            columns.append(pl.col(name).list.join(LIST_SEPARATOR))
        elif dtype.is_nested():
            columns.append(pl.col(name).struct.json_encode() if isinstance(dtype, pl.Struct)
                           else pl.col(name).cast(pl.List(pl.String)).list.join(LIST_SEPARATOR))
        else:
            columns.append(pl.col(name))
    return frame.select(columns)


def write_copies(out_dir: Path, formats: Iterable[str]) -> list[Path]:
    """Write ``results``, ``hits`` and (when present) ``quarantine`` in each text format.

    Parameters
    ----------
    out_dir
        A finished run's folder.
    formats
        Any of ``csv`` and ``jsonl``.

    Returns
    -------
    list of pathlib.Path
        The files written, each through a temporary name and a rename.

    Raises
    ------
    OutputError
        A file cannot be written.
    """
    written = []
    for fmt in formats:
        if fmt not in TEXT_FORMATS:
            raise OutputError(f"unknown output format {fmt!r}", Location(file=str(out_dir)),
                              f"use one of: {', '.join(TEXT_FORMATS)}")
        for name in (RESULTS_FILE, HITS_FILE, QUARANTINE_FILE):
            source = out_dir / name
            if not source.is_file():
                continue
            target = source.with_suffix(f".{fmt}")
            partial = target.with_name(target.name + ".partial")
            frame = pl.read_parquet(source)
            try:
                if fmt == "csv":
                    _flat(frame).write_csv(partial)
                else:
                    frame.write_ndjson(partial)
                os.replace(partial, target)
            except OSError as exc:
                partial.unlink(missing_ok=True)
                raise OutputError(f"cannot write {target.name} ({exc.strerror})",
                                  Location(file=str(target)),
                                  "check the folder is writable") from None
            written.append(target)
    return written
