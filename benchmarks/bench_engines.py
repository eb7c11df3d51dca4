"""Throughput of ``screen shipments`` on the local engine and on a local Dask cluster.

Run (200,000 generated lines and 2 workers by default; BULKSCREEN_BENCH_ROWS and
BULKSCREEN_BENCH_WORKERS change them)::

    pytest benchmarks/bench_engines.py --benchmark-only -s

Both engines screen the same Parquet file with the same compiled data (every bundled list,
rules in force on the as-of date). The Dask cluster is a ``LocalCluster`` of worker processes
(one thread each) on 127.0.0.1, started before timing and warmed by one small run, so the
figure is the per-run cost (scatter, tasks, part files, merge), not cluster start-up; the
start-up and first-run (worker warm-up) seconds are recorded too. ``extra_info`` holds rows/s
and, for Dask, ``overhead_ratio`` = Dask seconds / local seconds. The Dask results are checked
equal to the local ones.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROWS = int(os.environ.get("BULKSCREEN_BENCH_ROWS", "200000"))
AS_OF = dt.date(2025, 10, 1)
BATCH_SIZE = 20_000
FRAGMENT_ROWS = 50_000
WORKERS = int(os.environ.get("BULKSCREEN_BENCH_WORKERS", "2"))
SEED = 8


@pytest.fixture(scope="module")
def shipments_file(tmp_path_factory) -> Path:
    from bulkscreen.tools.generate.listnames import load_list_names
    from bulkscreen.tools.generate.shipments import generate_shipments

    path = tmp_path_factory.mktemp("bench-engines") / "shipments.parquet"
    generate_shipments(ROWS, SEED, path, load_list_names(as_of=AS_OF), listed_rate=0.01,
                       batch_size=BATCH_SIZE, dirty_rate=0.01, end_date=AS_OF)
    return path


@pytest.fixture(scope="module")
def job_and_config():
    from bulkscreen.config import RunConfig
    from bulkscreen.run.data import load_screening_data
    from bulkscreen.run.jobs import shipments_job

    config = RunConfig(batch_size=BATCH_SIZE)
    data = load_screening_data(config, AS_OF, with_rules=True)
    return functools.partial(shipments_job, data=data, config=config, as_of=AS_OF), config


@pytest.fixture(scope="module")
def runs() -> dict[str, object]:
    """Seconds and results file per engine, so the Dask test can state its overhead."""
    return {}


def test_local_engine(benchmark, shipments_file, job_and_config, runs, tmp_path):
    from bulkscreen.columns import SHIPMENTS
    from bulkscreen.engines import LocalEngine

    job, config = job_and_config

    def run():
        return LocalEngine().run(shipments_file, SHIPMENTS, job, tmp_path / "local", config,
                                 progress=False, overwrite=True)

    started = time.perf_counter()
    summary = benchmark.pedantic(run, rounds=1, iterations=1)
    runs["local"] = time.perf_counter() - started
    runs["local_results"] = summary.results_path
    assert summary.input_rows == ROWS
    benchmark.extra_info.update(rows=ROWS, rows_per_s=round(ROWS / runs["local"]))


def test_dask_engine(benchmark, shipments_file, job_and_config, runs, tmp_path):
    from bulkscreen.columns import SHIPMENTS
    from bulkscreen.engines.dask import DaskEngine, open_client

    job, config = job_and_config
    started = time.perf_counter()
    with open_client(None, n_workers=WORKERS) as client:
        cluster_start = time.perf_counter() - started
        engine = DaskEngine(client, fragment_rows=FRAGMENT_ROWS)
        warm_input = tmp_path / "warm.parquet"
        pq.write_table(pq.read_table(shipments_file).slice(0, 1000), warm_input)
        started = time.perf_counter()
        engine.run(warm_input, SHIPMENTS, job, tmp_path / "warm", config, progress=False)
        first_run = time.perf_counter() - started

        def run():
            return engine.run(shipments_file, SHIPMENTS, job, tmp_path / "dask", config,
                              progress=False, overwrite=True)

        started = time.perf_counter()
        summary = benchmark.pedantic(run, rounds=1, iterations=1)
        runs["dask"] = time.perf_counter() - started
    assert summary.input_rows == ROWS
    if "local_results" in runs:
        assert pq.read_table(summary.results_path).equals(pq.read_table(runs["local_results"]))
    benchmark.extra_info.update(
        rows=ROWS, workers=WORKERS, fragment_rows=FRAGMENT_ROWS,
        rows_per_s=round(ROWS / runs["dask"]), cluster_start_s=round(cluster_start, 2),
        first_small_run_s=round(first_run, 2))
    if "local" in runs:
        benchmark.extra_info["overhead_ratio"] = round(runs["dask"] / runs["local"], 3)
    print(f"\nengines on {ROWS:,} rows: local {runs.get('local', float('nan')):.1f} s, "
          f"dask {runs['dask']:.1f} s ({WORKERS} workers), cluster start "
          f"{cluster_start:.1f} s, first small run {first_run:.1f} s")
