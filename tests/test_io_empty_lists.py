"""A list cell can say 'none' (declared empty) apart from an empty cell (unknown)."""

from __future__ import annotations

import polars as pl
import pytest

from bulkscreen.columns import PERSONS, SHIPMENTS
from bulkscreen.io.validate import coerce_column


@pytest.mark.parametrize("column", ["affiliations", "funding", "aliases"])
def test_none_is_an_empty_list_and_blank_is_unknown(column):
    checked = coerce_column(pl.Series(["none", None, "-", " NONE "]), PERSONS.column(column))
    assert checked.values.to_list() == [[], None, [], []]
    assert checked.reasons.to_list() == [None] * 4


def test_native_empty_list_stays_empty():
    dtype = pl.List(pl.Struct({"organisation": pl.String, "country": pl.String,
                               "kind": pl.String}))
    values = pl.Series([[{"organisation": "X", "country": "US", "kind": "contract"}], [], None],
                       dtype=dtype)
    checked = coerce_column(values, PERSONS.column("affiliations"))
    assert checked.values.to_list() == [
        [{"organisation": "X", "country": "US", "kind": "contract"}], [], None]


@pytest.mark.parametrize(("table", "column"), [
    (PERSONS, "aliases"), (PERSONS, "affiliations"), (PERSONS, "nationalities"),
    (SHIPMENTS, "parameters")])
def test_a_null_typed_column_reads_as_unknown(table, column):
    # Parquet stores a column with no value at all as Arrow's null type: nothing to explode.
    checked = coerce_column(pl.Series([None, None], dtype=pl.Null), table.column(column))
    assert checked.values.to_list() == [None, None]
    assert checked.values.dtype != pl.Null
