"""An optional column that is empty in every row screens as absent, in every format.

A CSV column with no value reads as text; a Parquet writer can store the same column as a
list of nulls or as Arrow's ``null`` type, which has no list to explode.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from .conftest import LIST_ID, quarantine, run_counts

LISTED = "Hanshin Dual Use Trading Co Ltd"

PERSONS = {
    "person_id": ["P-1", "P-2", "P-3"],
    "full_name": [LISTED, "Maria Garcia", "Ngoc Pham"],
    "date_of_birth": ["1952-07-09", "1993-10-24", "1980-01-01"],
    "nationalities": ["HK", "PH", "VN"],
}


def _persons_file(tmp_path: Path, kind: str) -> Path:
    if kind == "csv":
        path = tmp_path / "persons.csv"
        lines = ["person_id,full_name,aliases,date_of_birth,nationalities"]
        lines += [f"{i},{n},,{d},{c}" for i, n, d, c in zip(*PERSONS.values(), strict=True)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    aliases = (pa.nulls(3, pa.list_(pa.string())) if kind == "parquet-null-list"
               else pa.nulls(3))
    path = tmp_path / f"{kind}.parquet"
    table = pa.table({k: pa.array(v) for k, v in PERSONS.items()})
    pq.write_table(table.add_column(2, "aliases", aliases), path)
    return path


@pytest.mark.parametrize("kind", ["csv", "parquet-null-list", "parquet-null-type"])
def test_persons_with_all_null_aliases_screen_normally(cli, tmp_path, kind):
    path = _persons_file(tmp_path, kind)
    out = tmp_path / "run"
    ran = cli("screen", "persons", path, "--lists", LIST_ID, "--as-of", "2026-12-01",
              "--out", out, "--quiet")
    assert ran.code == 0, ran.err
    assert run_counts(out)["result_rows"] == 3
    assert quarantine(out) == []
    hits = pl.read_parquet(out / "hits.parquet").filter(pl.col("list_id") == LIST_ID)
    assert hits["input_row"].unique().to_list() == [1]
