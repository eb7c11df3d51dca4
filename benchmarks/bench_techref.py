"""Reading persons' technology values against the technology list: vectorised vs per row.

Run (one million values by default; set BULKSCREEN_BENCH_TECH_VALUES for fewer)::

    pytest benchmarks/bench_techref.py --benchmark-only

The values mix the references a university file holds (row/item references, regime numbers,
empty cells, free text and a share of unknown references). ``classify_technology`` reads each
distinct value once; the per-row twin reads every row. Both give the same kinds, checked
here; ``extra_info`` records values/s of each and their ratio (medians).
"""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pyarrow as pa
import pytest

from bulkscreen.rules import techref

N = int(os.environ.get("BULKSCREEN_BENCH_TECH_VALUES", "1000000"))
DAY = dt.date(2025, 6, 1)
VALUES = ["6項(1)", "row 6 item 1", "6E001", "2(1)", "15項(5の2)", "", "none", "16",
          "quantum sensing", "6項(9)", "3A001", "machine learning", "9E003", "row 11 item 4"]


@pytest.fixture(scope="module")
def values() -> pa.Array:
    rng = np.random.default_rng(20260301)
    picked = rng.integers(0, len(VALUES), N)
    return pa.array([VALUES[i] for i in picked], pa.string())


def _per_row(values: pa.Array, index: techref.TechnologyIndex) -> np.ndarray:
    return np.array([index.judge(v or "", ("", "none")).kind for v in values.to_pylist()],
                    dtype=np.int8)


def test_classify_vectorised_vs_per_row(benchmark, values):
    index = techref.technology_index(DAY)
    kinds = benchmark(lambda: techref.classify_technology(values, index, ("", "none")).kind)
    sample = values.slice(0, 50_000)
    assert (_per_row(sample, index) == kinds[:50_000]).all()
    vector_s = benchmark.stats.stats.median
    import time

    times = []
    for _ in range(3):
        start = time.perf_counter()
        _per_row(values, index)
        times.append(time.perf_counter() - start)
    row_s = float(np.median(times))
    benchmark.extra_info.update({
        "values": N, "vectorised_values_per_s": round(N / vector_s),
        "per_row_values_per_s": round(N / row_s), "speedup": round(row_s / vector_s, 1)})
    print(benchmark.extra_info)
