"""Pieces both generators share: the run summary, per-batch randomness, ids, dates, output."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.tools.generate.dirty import DIRTY_SCHEMA, DirtyColumns, inject_dirty
from bulkscreen.tools.generate.planting import TRUTH_DICTIONARY_COLUMNS, truth_schema
from bulkscreen.tools.generate.sink import FORMATS, BatchSink, nullable, text_schema
from bulkscreen.tools.generate.textforms import table_text

EPOCH = date(1970, 1, 1)
FIRST_DATE = date(2010, 1, 1)


@dataclass(frozen=True)
class GenerationSummary:
    """What a generator wrote.

    Attributes
    ----------
    path, truth_path
        The data file and its ground truth (``<stem>.truth.parquet``).
    dirty_path
        The record of deliberately dirty rows (``<stem>.dirty.parquet``), or None.
    rows
        Data rows written.
    listed_names
        Names taken from real list entries (truth rows with source ``list``).
    variant_names
        Of those, names written as a variant.
    dirty_rows
        Rows spoiled on purpose.
    seed, fmt, end_date
        The settings that, with ``rows`` and the batch size, fix the output bytes.
    """

    path: Path
    truth_path: Path
    dirty_path: Path | None
    rows: int
    listed_names: int
    variant_names: int
    dirty_rows: int
    seed: int
    fmt: str
    end_date: date


def side_paths(out: Path) -> tuple[Path, Path]:
    """Return the ground-truth and dirty-rows paths that belong to data file ``out``."""
    stem = out.name.split(".")[0] or out.stem
    return out.with_name(f"{stem}.truth.parquet"), out.with_name(f"{stem}.dirty.parquet")


def batch_rng(seed: int, batch_index: int) -> np.random.Generator:
    """Independent, reproducible randomness for one batch (and -1 for run-level setup)."""
    key = batch_index if batch_index >= 0 else 2**31
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))


def batch_bounds(rows: int, batch_size: int) -> Iterator[tuple[int, int, int]]:
    """Yield (batch index, first row, row count) over ``rows`` rows."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    for index, start in enumerate(range(0, rows, batch_size)):
        yield index, start, min(batch_size, rows - start)


def make_ids(prefix: str, start: int, n: int) -> pa.Array:
    """Return ids ``<prefix>0000000001``... for 0-based rows ``start .. start+n-1``."""
    numbers = pc.cast(pa.array(np.arange(start + 1, start + n + 1, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, 10, "0"), "")


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def to_dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Arrow date32 array from day numbers; ``mask`` marks nulls."""
    return pa.array(days.astype(np.int32), mask=mask).cast(pa.date32())


def validate_settings(rows: int, fmt: str, listed_rate: float, dirty_rate: float,
                      end_date: date) -> None:
    """Raise ValueError for settings no generator can honour."""
    if rows < 0:
        raise ValueError("rows must be zero or more")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    for name, rate in (("listed_rate", listed_rate), ("dirty_rate", dirty_rate)):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {rate}")
    if end_date < FIRST_DATE:
        raise ValueError(f"end_date must be on or after {FIRST_DATE}")


class Outputs:
    """The data, truth and dirty-row files of one run, written batch by batch."""

    def __init__(self, out: Path, schema: pa.Schema, key: str, fmt: str,
                 dirty: DirtyColumns | None, dirty_rate: float,
                 dictionary_columns: list[str] | None = None) -> None:
        self.out = Path(out)
        self.fmt = fmt
        self.dirty = dirty if dirty_rate > 0 else None
        self.dirty_rate = dirty_rate
        self.truth_path, self.dirty_path = side_paths(self.out)
        data_schema = text_schema(schema.names) if fmt == "csv" else schema
        if self.dirty is not None:
            data_schema = nullable(data_schema)
        self._data = BatchSink(self.out, data_schema, fmt, dictionary_columns)
        self._truth = BatchSink(self.truth_path, truth_schema(key), "parquet",
                                TRUTH_DICTIONARY_COLUMNS)
        self._dirty_sink = (BatchSink(self.dirty_path, DIRTY_SCHEMA, "parquet")
                            if self.dirty is not None else None)
        self.listed = 0
        self.variants = 0
        self.dirty_rows = 0

    def write(self, table: pa.Table, truth: pa.Table, rng: np.random.Generator,
              first_row: int) -> None:
        """Write one batch: data (text form for CSV, spoiled if asked), truth, dirty record."""
        if self.fmt == "csv":
            table = table_text(table)
        if self.dirty is not None and self._dirty_sink is not None:
            table, records = inject_dirty(table, self.dirty, self.dirty_rate, rng,
                                          text=self.fmt == "csv", first_row=first_row + 1)
            self._dirty_sink.write(records)
            self.dirty_rows += records.num_rows
        self._data.write(table)
        self._truth.write(truth)
        source = truth.column("source")
        self.listed += pc.sum(pc.equal(source, "list")).as_py() or 0
        self.variants += truth.num_rows - truth.column("variant_kind").null_count

    def sinks(self) -> list[BatchSink]:
        """All open sinks."""
        return [s for s in (self._data, self._truth, self._dirty_sink) if s is not None]

    def commit(self) -> None:
        """Move every file into place."""
        for sink in self.sinks():
            sink.commit()

    def abort(self) -> None:
        """Delete every temporary file."""
        for sink in self.sinks():
            sink.abort()


class BatchSource(Protocol):
    """Draws the rows of one batch: (data table, truth table, the batch's randomness)."""

    def draw(self, batch_index: int, start: int, n: int
             ) -> tuple[pa.Table, pa.Table, np.random.Generator]:
        """Draw ``n`` rows starting at row ``start``."""
        ...


def write_generated(make_batches: Callable[[], BatchSource], out: Path, schema: pa.Schema,
                    key: str, dirty: DirtyColumns, dictionary_columns: list[str], *, rows: int,
                    seed: int, fmt: str, listed_rate: float, dirty_rate: float,
                    batch_size: int, end_date: date) -> GenerationSummary:
    """Check the settings, then write a generator's data, truth and dirty-row files.

    Parameters
    ----------
    make_batches
        Builds the generator's batch source (called once the settings are checked).
    out
        Data file.
    schema, key
        The data format and its key column (which keys the truth rows).
    dirty, dictionary_columns
        Columns that may be spoiled, and Parquet columns worth dictionary encoding.
    rows, seed, fmt, listed_rate, dirty_rate, batch_size, end_date
        The generator's settings.

    Returns
    -------
    GenerationSummary

    Raises
    ------
    ValueError
        Settings no generator can honour; nothing is written.
    """
    validate_settings(rows, fmt, listed_rate, dirty_rate, end_date)
    batches = make_batches()
    outputs = Outputs(Path(out), schema, key, fmt, dirty, dirty_rate, dictionary_columns)
    try:
        for index, start, n in batch_bounds(rows, batch_size):
            table, truth, rng = batches.draw(index, start, n)
            outputs.write(table, truth, rng, start)
    except BaseException:
        outputs.abort()
        raise
    outputs.commit()
    return GenerationSummary(
        path=outputs.out, truth_path=outputs.truth_path,
        dirty_path=outputs.dirty_path if outputs.dirty is not None else None,
        rows=rows, listed_names=outputs.listed, variant_names=outputs.variants,
        dirty_rows=outputs.dirty_rows, seed=seed, fmt=fmt, end_date=end_date,
    )
