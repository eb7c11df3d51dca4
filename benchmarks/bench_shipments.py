"""Throughput of ``screen_shipments_batch`` on a 100,000-line batch of mixed shipments.

Run: ``pytest benchmarks/bench_shipments.py --benchmark-only``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from bulkscreen.columns import HITS, SHIPMENTS
from bulkscreen.rules import compile_rules, load_rules
from bulkscreen.screen.shipments import screen_shipments_batch

N_ROWS = 100_000
TEMPLATES = [
    ("8458", [("repeatability", 5.0, "um"), ("travel_length", 0.5, "m"),
              ("contouring_axes", 2.0, None)]),
    ("854239", [("adc_resolution", 12.0, "bit"), ("adc_sample_rate", 500.0, "MSPS")]),
    ("854239", [("adc_resolution", 12.0, "bit"), ("adc_sample_rate", 300.0, "MSPS")]),
    ("901420", [("gyro_bias_stability", 0.1, "deg/h")]),
    ("0901", []),
    ("7307", []),
    ("870323", [("engine_displacement", 2000.0, "cc")]),
]
COUNTRIES = ["CN", "US", "RU", "KR", "TH", "IR", "DE", "VN"]


def make_shipments() -> pa.RecordBatch:
    """Return a reproducible batch of mixed shipment lines."""
    rng = np.random.default_rng(7)
    pick = rng.integers(0, len(TEMPLATES), N_ROWS)
    dest = np.array(COUNTRIES)[rng.integers(0, len(COUNTRIES), N_ROWS)]
    days = rng.integers(14000, 20500, N_ROWS)
    rows = {
        "shipment_id": [f"S{i}" for i in range(N_ROWS)],
        "shipment_date": [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in days],
        "consignee_name": ["Buyer"] * N_ROWS,
        "consignee_country": dest.tolist(),
        "destination_country": dest.tolist(),
        "hs_code": [TEMPLATES[k][0] for k in pick],
        "parameters": [[{"name": n, "value": v, "unit": u} for n, v, u in TEMPLATES[k][1]]
                       for k in pick],
        "value_jpy": rng.uniform(1e4, 1e7, N_ROWS).tolist(),
        "quantity": [1.0] * N_ROWS,
    }
    table = {c.name: rows.get(c.name, [None] * N_ROWS) for c in SHIPMENTS.columns}
    batch = pa.RecordBatch.from_pydict(table, schema=SHIPMENTS.arrow_schema())
    return batch.append_column("input_row", pa.array(np.arange(1, N_ROWS + 1), pa.int64()))


@pytest.fixture(scope="module")
def shipments() -> pa.RecordBatch:
    return make_shipments()


def test_screen_shipments_100k(benchmark, shipments):
    rules = compile_rules(load_rules("2025-10-09"))
    empty = HITS.arrow_schema().empty_table()
    results, _ = benchmark.pedantic(screen_shipments_batch, (shipments, rules, empty, None),
                                    rounds=3, iterations=1)
    assert results.num_rows == N_ROWS


@pytest.mark.parametrize("version", ["2025-10-09-r2", "2025-10-09-r3"])
def test_screen_shipments_100k_by_rule_version(benchmark, shipments, version):
    # r3 adds one measure per Appended Table 2-3 item (178 measures against r2's 11).
    rules = compile_rules(load_rules(version))
    empty = HITS.arrow_schema().empty_table()
    results, _ = benchmark.pedantic(screen_shipments_batch, (shipments, rules, empty, None),
                                    rounds=3, iterations=1)
    assert results.num_rows == N_ROWS
