"""Peak memory and throughput of the batch pipeline on a large generated shipments CSV.

Run (10 million rows by default; set BULKSCREEN_BENCH_ROWS for a smaller file)::

    pytest benchmarks/bench_pipeline_memory.py --benchmark-only -s

The pipeline runs in a child process so its peak resident memory (``ru_maxrss``) is measured
alone; ``extra_info`` records rows, rows/s, peak MB and the input size. The target is a peak
under 1.5 GB for 10 million rows.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

ROWS = int(os.environ.get("BULKSCREEN_BENCH_ROWS", "10000000"))
CHUNK = 500_000
COUNTRIES = np.array(["JP", "US", "CN", "DE", "KR", "TW", "RU", "IR", "KP", "GB", "FR", "IN"])

CHILD = """
import json, sys, time
from pathlib import Path
import pyarrow as pa
from bulkscreen.columns import HITS, RESULTS, SHIPMENTS
from bulkscreen.config import RunConfig
from bulkscreen.engines import LocalEngine
from bulkscreen.run import RunSpec

def clear_all(batch):
    n = batch.num_rows
    results = pa.RecordBatch.from_pydict({
        "input_row": batch.column("input_row"), "record_id": batch.column("shipment_id"),
        "as_of_date": batch.column("shipment_date"), "decision": pa.array(["CLEAR"] * n),
        "reason_codes": pa.array([[]] * n, pa.list_(pa.string())),
        "explanation": pa.array([""] * n), "n_hits": pa.array([0] * n, pa.int32()),
        "top_score": pa.array([0.0] * n, pa.float32())}, schema=RESULTS.arrow_schema())
    return results, NO_HITS

NO_HITS = pa.RecordBatch.from_pylist([], schema=HITS.arrow_schema())

start = time.perf_counter()
summary = LocalEngine().run(
    RunSpec(Path(sys.argv[1]), Path(sys.argv[2]), RunConfig(), SHIPMENTS, progress=False,
            overwrite=True), clear_all)
print(json.dumps({"input_rows": summary.input_rows, "result_rows": summary.result_rows,
                  "quarantined_rows": summary.quarantined_rows,
                  "seconds": time.perf_counter() - start}))
"""


def write_shipments_csv(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` generated shipment lines to ``path`` in chunks (bounded memory)."""
    rng = np.random.default_rng(seed)
    with open(path, "wb") as handle:
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            ids = np.arange(start + 1, start + n + 1)
            frame = pl.DataFrame({
                "shipment_id": [f"SH{i:09d}" for i in ids],
                "shipment_date": (np.datetime64("2020-01-01")
                                  + rng.integers(0, 2000, n).astype("timedelta64[D]")),
                "exporter": ["Example Exports KK"] * n,
                "consignee_name": [f"Buyer Trading Co {i % 50_000}" for i in ids],
                "consignee_country": COUNTRIES[rng.integers(0, len(COUNTRIES), n)],
                "destination_country": COUNTRIES[rng.integers(0, len(COUNTRIES), n)],
                "hs_code": ["8457.10"] * n,
                "item_description": ["machining centre"] * n,
                "parameters": [f"positioning_accuracy={v:.1f} um; axes=5"
                               for v in rng.uniform(1, 10, n)],
                "value_jpy": rng.integers(10_000, 100_000_000, n),
            })
            frame.write_csv(handle, include_header=start == 0)


@pytest.fixture(scope="module")
def shipments_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / f"shipments_{ROWS}.csv"
    write_shipments_csv(path, ROWS)
    return path


def test_pipeline_peak_memory(benchmark, shipments_csv, tmp_path):
    out = tmp_path / "out"
    info: dict = {}

    def run() -> None:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD, str(shipments_csv), str(out)],
                              capture_output=True, text=True, check=True)
        info.update(json.loads(done.stdout.strip().splitlines()[-1]))
        info["wall_seconds"] = time.perf_counter() - started

    benchmark.pedantic(run, rounds=1, iterations=1)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    benchmark.extra_info.update({
        "rows": info["input_rows"], "peak_rss_mb": round(peak_mb, 1),
        "rows_per_second": round(info["input_rows"] / info["seconds"]),
        "input_mb": round(shipments_csv.stat().st_size / 1e6, 1),
    })
    print(benchmark.extra_info)
    assert info["input_rows"] == ROWS == info["result_rows"] + info["quarantined_rows"]
    assert peak_mb < 1536
