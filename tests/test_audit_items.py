"""Lines that repeat an item are classified once: the audit's rows are those of one per line.

An audit groups the lines of a batch into items (HS code, parameters, declared entry, rules
epoch of the date, and value and quantity where a rule reads them) and runs the rule trees once
per item. These tests audit a generated history, with lines added that repeat an item across
dates, units and values, and compare every result and hit row with the same audit classifying
each line on its own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkscreen.screen import items
from tests.cli_run import run_cli

TODAY = "2026-01-15"


def _repeated_items(template: pl.DataFrame) -> pl.DataFrame:
    """Lines that share an item with each other but not their date, value or quantity."""
    params = pl.List(pl.Struct({"name": pl.String, "value": pl.Float64, "unit": pl.String}))
    rows = []
    dates = [dt.date(2015, 3, 1), dt.date(2022, 4, 4), dt.date(2022, 4, 5), dt.date(2025, 6, 1)]
    for k, day in enumerate(dates):
        # A unit of the wrong dimension: a UNIT_ERROR finding on every line of the item.
        rows.append({"shipment_id": f"X-unit-{k}", "shipment_date": day,
                     "destination_country": "CN", "hs_code": "8457.10",
                     "parameters": [{"name": "positioning_accuracy", "value": 3.5,
                                     "unit": "kg"}],
                     "value_jpy": 1_000_000.0 + k, "quantity": 1.0})
        # The luxury-car ban reads the unit value: same car, JPY 8 million a unit or 0.8.
        for quantity in (1.0, 10.0):
            rows.append({"shipment_id": f"X-car-{k}-{quantity:g}", "shipment_date": day,
                         "destination_country": "RU", "hs_code": "870321", "parameters": None,
                         "value_jpy": 8_000_000.0 * quantity / (1 if quantity == 1 else 10),
                         "quantity": quantity})
        # A declared entry with and without parameters, twice each.
        for twice in range(2):
            rows.append({"shipment_id": f"X-declared-{k}-{twice}", "shipment_date": day,
                         "destination_country": "KR", "hs_code": "8542.31",
                         "declared_control_entry": "3A001.a.1", "parameters": None,
                         "value_jpy": 500_000.0, "quantity": 2.0})
    extra = pl.DataFrame(rows, schema_overrides={"parameters": params})
    filler = {name: pl.lit(template[name][0]).alias(name) for name in template.columns
              if name not in extra.columns}
    return extra.with_columns(**filler).select(template.columns).cast(template.schema)


def _audit(path: Path, out: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    assert run_cli("audit", "shipments", path, "--out", out, "--quiet", "--today", TODAY) == 0
    results = pl.read_parquet(out / "results.parquet")
    hits = pl.read_parquet(out / "hits.parquet")
    return results.sort(results.columns), hits.sort(hits.columns)


def _one_item_per_line(b, rules, hs_index, declared) -> items.ItemLines:
    lines = np.arange(b.n, dtype=np.int64)
    return items.ItemLines(item=lines, first=lines)


@pytest.mark.slow  # compiles one name index per list epoch
def test_audit_rows_are_those_of_classifying_each_line(tmp_path: Path, monkeypatch):
    generated = tmp_path / "history.parquet"
    assert run_cli("generate", "shipments", "--rows", 4000, "--seed", 5, "--out", generated,
                   "--end-date", "2025-06-30") == 0
    lines = pl.read_parquet(generated)
    path = tmp_path / "history-repeats.parquet"
    pl.concat([lines, _repeated_items(lines)]).write_parquet(path)

    results, hits = _audit(path, tmp_path / "by-item")
    with monkeypatch.context() as patched:
        patched.setattr(items, "distinct_items", _one_item_per_line)
        results_per_line, hits_per_line = _audit(path, tmp_path / "by-line")

    assert results.height == lines.height + 20
    assert results.equals(results_per_line)
    assert hits.equals(hits_per_line)
    # The added lines reach what they were written for, on each line of an item.
    reasons = hits.group_by("record_id").agg(pl.col("reason_code"))
    reasons_of = dict(zip(reasons["record_id"], reasons["reason_code"].to_list(), strict=True))
    assert all("UNIT_ERROR" in reasons_of[f"X-unit-{k}"] for k in range(4))
    decision = dict(zip(results["record_id"], results["decision"], strict=True))
    assert decision["X-car-3-1"] == "PROHIBITED"  # JPY 8 million a car, after 2022-04-05
    assert decision["X-car-3-10"] != "PROHIBITED"  # JPY 0.8 million a car
    assert decision["X-car-1-1"] != "PROHIBITED"  # the day before the ban


def test_lines_of_an_item_share_one_classification():
    from bulkscreen.rules import compile_rules, load_rules
    from bulkscreen.screen.shipment_batch import read_shipment_batch

    rules = compile_rules(load_rules())
    n = 6
    param_type = pa.list_(pa.struct([("name", pa.string()), ("value", pa.float64()),
                                     ("unit", pa.string())]))
    accuracy = [{"name": "positioning_accuracy", "value": 3.5, "unit": "um"}]
    batch = pa.RecordBatch.from_pydict({
        "input_row": pa.array(range(n), pa.int64()),
        "shipment_id": [f"S{i}" for i in range(n)],
        "shipment_date": pa.array([dt.date(2024, 1, 1)] * 4 + [dt.date(2024, 1, 2)] * 2,
                                  pa.date32()),
        "consignee_name": ["A"] * n, "end_user_name": pa.nulls(n, pa.string()),
        "destination_country": ["CN"] * n,
        "hs_code": ["8457.10", "8457.10", "8457.10", "870321", "870321", "870321"],
        "declared_control_entry": pa.nulls(n, pa.string()),
        "parameters": pa.array([accuracy, accuracy, None, None, None, None], param_type),
        "value_jpy": [1.0, 2.0, 3.0, 8e6, 8e6, 8e5],
        "quantity": [1.0] * n,
        "declared_end_use": [""] * n,
    })
    b = read_shipment_batch(batch, None)
    hs_index = items.HsIndex(b.hs_arrow)
    grouped = items.distinct_items(b, rules, hs_index, items.declared_mask(b.declared, rules))
    # Value does not split the machine tools (no rule of theirs reads it); it splits the cars
    # (unit value), whose two days share one rules epoch.
    assert grouped.item.tolist() == [0, 0, 1, 2, 2, 3]
    assert grouped.first.tolist() == [0, 2, 3, 5]
    lines, which = grouped.spread(np.array([2, 0]))
    assert lines.tolist() == [3, 4, 0, 1] and which.tolist() == [0, 0, 1, 1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=60), st.integers(0, 2**32 - 1))
def test_lines_with_an_outcome_are_those_of_every_line(item_of_line: list[int], seed: int):
    # Items numbered in order of first appearance, as ItemLines.of_keys numbers them.
    _, first, item = np.unique(np.array(item_of_line), return_index=True, return_inverse=True)
    order = np.argsort(first)
    renumber = np.empty_like(order)
    renumber[order] = np.arange(len(order))
    lines = items.ItemLines(item=renumber[item.reshape(-1)].astype(np.int64),
                            first=np.sort(first).astype(np.int64))
    status = np.random.default_rng(seed).integers(0, 3, (len(first), 4)).astype(np.int8)
    checks = items.LineChecks(lines=None, rules=None, version="", hs_index=None, items=lines,
                              values=None, valid=None, status=status, decider=None,
                              declared=None)
    for tree in range(status.shape[1]):
        for code in (items.MET, items.UNKNOWN):
            expected = np.flatnonzero(checks.outcome(tree) == code)
            assert np.array_equal(checks.lines_with(tree, code), expected)
