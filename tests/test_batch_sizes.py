"""The batch size bounds memory only: every batch size gives the same rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from cli_run import run_cli

from bulkscreen.arrays import list_parents

AS_OF = dt.date(2026, 12, 1)
ROWS = 2000


@pytest.fixture(scope="module")
def shipments(tmp_path_factory) -> dict[str, Path]:
    """The same generated lines as CSV and as Parquet."""
    from bulkscreen.tools.generate.listnames import load_list_names
    from bulkscreen.tools.generate.shipments import generate_shipments

    folder = tmp_path_factory.mktemp("batch_sizes")
    names = load_list_names(None, as_of=AS_OF)
    paths = {}
    for fmt in ("csv", "parquet"):
        paths[fmt] = folder / f"shipments.{fmt}"
        generate_shipments(ROWS, 3, paths[fmt], names, listed_rate=0.02, fmt=fmt,
                           end_date=AS_OF)
    return paths


def _screen(source: Path, batch_size: int, out: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    assert run_cli("screen", "shipments", source, "--batch-size", batch_size, "--out", out,
                   "--as-of", AS_OF.isoformat(), "--quiet") == 0
    results = pl.read_parquet(out / "results.parquet").sort("input_row")
    hits = pl.read_parquet(out / "hits.parquet")
    return results, hits.sort(hits.columns)


def test_every_batch_size_gives_the_same_rows(shipments, tmp_path: Path):
    # Before, a batch whose parameters Arrow backs with values under a null list (as the
    # validation's join can leave them) stopped with an IndexError; CSV 1000 and Parquet 7
    # were such batch sizes for this file.
    runs = {(fmt, size): _screen(shipments[fmt], size, tmp_path / f"{fmt}-{size}")
            for fmt, size in (("csv", 100_000), ("csv", 1000), ("csv", 300),
                              ("parquet", 100_000), ("parquet", 7), ("parquet", 150))}
    results, hits = runs["csv", 100_000]
    assert results.height == ROWS
    assert hits.height > 0
    assert set(results["decision"]) > {"CLEAR"}
    for key, (other_results, other_hits) in runs.items():
        assert other_results.equals(results), key
        assert other_hits.equals(hits), key


def test_null_lists_backed_by_values_have_no_elements():
    values = pa.array(["a", "b", "x", "y", "c"])
    array = pa.ListArray.from_arrays(pa.array([0, 2, 4, 5], pa.int32()), values,
                                     mask=pa.array([False, True, False]))
    parents, positions, flat = list_parents(array)
    assert flat.to_pylist() == ["a", "b", "c"]
    assert parents.tolist() == [0, 0, 2]
    assert positions.tolist() == [0, 1, 0]
    parents, positions, flat = list_parents(array.slice(1))
    assert (flat.to_pylist(), parents.tolist(), positions.tolist()) == (["c"], [1], [0])
    assert isinstance(parents, np.ndarray)
