"""Memory of long runs stays bounded by the batch size, not by the input length.

A slow consumer (the audit judges every line twice) once let the Parquet scanner decode far
ahead of it, so a run held much of its input in memory. These tests read a file of many row
groups slowly and check the Arrow memory in use never exceeds a few batches' worth; and run
the audit job over many batches and check Python memory does not grow from batch to batch.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bulkscreen.io.sources import ParquetSource

ROWS_PER_GROUP = 1_000
ROW_GROUPS = 120
TEXT_BYTES = 1_000


def _wide_file(path):
    """A Parquet file of ROW_GROUPS row groups, each about 1 MB once decoded."""
    with pq.ParquetWriter(path, pa.schema([("shipment_id", pa.string()),
                                           ("note", pa.string())])) as writer:
        for group in range(ROW_GROUPS):
            ids = [f"S{group}-{i}" for i in range(ROWS_PER_GROUP)]
            notes = [(f"{group:05d}{i:05d}" * (TEXT_BYTES // 10)) for i in range(ROWS_PER_GROUP)]
            writer.write_table(pa.table({"shipment_id": ids, "note": notes}))
    return path


def test_parquet_reader_does_not_run_ahead_of_a_slow_consumer(tmp_path):
    path = _wide_file(tmp_path / "wide.parquet")
    batch_bytes = ROWS_PER_GROUP * TEXT_BYTES
    baseline = pa.total_allocated_bytes()
    peak = 0
    batches = 0
    for raw in ParquetSource(path, ROWS_PER_GROUP):
        batches += 1
        peak = max(peak, pa.total_allocated_bytes() - baseline)
        del raw
        time.sleep(0.02)  # a slow job: the reader must wait for it, not decode ahead
    assert batches == ROW_GROUPS
    # Unbounded readahead held tens of batches here, the dataset scanner at its least
    # readahead about twelve; the synchronous reader holds the batch read and its raw form.
    assert peak < 6 * batch_bytes, f"reader held {peak / batch_bytes:.0f} batches"


def test_parquet_reader_batches_end_where_row_groups_end(tmp_path):
    path = _wide_file(tmp_path / "wide.parquet")
    sizes = [len(raw.rows) for raw in ParquetSource(path, 600)]
    # 1,000-row groups read 600 rows at a time: 600 then 400 per group, as the dataset
    # scanner gave them, so a run writes the row groups it wrote before.
    assert sizes == [600, 400] * ROW_GROUPS


class _Sink:
    """A writer that counts rows and keeps nothing."""

    def __init__(self) -> None:
        self.rows = 0

    def write_batch(self, batch: pa.RecordBatch) -> None:
        self.rows += batch.num_rows


def test_batch_loop_lets_go_of_written_batches():
    from bulkscreen.engines.local import BatchTally, screen_batches
    from bulkscreen.io.outdir import RunWriters

    n, text_bytes = 2_000, 500
    live_at_start: list[int] = []

    def job(batch: pa.RecordBatch) -> tuple[pa.RecordBatch, pa.RecordBatch]:
        live_at_start.append(pa.total_allocated_bytes() - baseline)
        # Results and hits much larger than the batch, as an audit's are (explanations).
        notes = pa.array([f"{i:010d}" * (text_bytes // 10) for i in range(n)])
        results = pa.RecordBatch.from_pydict({"decision": pa.array(["CLEAR"] * n),
                                              "explanation": notes})
        return results, pa.RecordBatch.from_pydict({"explanation": notes})

    stream = (pa.RecordBatch.from_pydict({"input_row": pa.array(range(n), pa.int64())})
              for _ in range(8))
    writers = RunWriters(results=_Sink(), hits=_Sink(), quarantine=_Sink())
    baseline = pa.total_allocated_bytes()
    screen_batches(stream, job, writers, BatchTally(), "lines")
    assert writers.results.rows == 8 * n
    # Each batch's rows are gone before the next batch is screened: the last batch found
    # what the first did, not seven batches of results beside it.
    assert max(live_at_start) < n * text_bytes // 4, [b // 1024 for b in live_at_start]


def test_match_cache_stays_within_its_bytes():
    from bulkscreen.config import RunConfig
    from bulkscreen.matching.cache import MatchCache
    from bulkscreen.matching.match import match_names
    from bulkscreen.run.data import load_screening_data

    index = load_screening_data(RunConfig(), dt.date(2025, 12, 31)).index
    listed = index.names.column("name").slice(0, 300).to_pylist()
    # Listed names (matches to keep) beside names of nobody (keys alone), all distinct.
    names = pa.array([name for i, listed_name in enumerate(listed)
                      for name in (listed_name, f"Harbor Supply {i} Co")])
    config = RunConfig().match
    bound = 64 * 1024
    cache = MatchCache(max_queries=100_000, max_bytes=bound)
    peak = 0
    for start in range(0, len(names), 50):
        cache.match(index, names.slice(start, 50), config)
        peak = max(peak, cache.bytes)
    assert cache.evictions > 0 and 0 < peak <= bound
    # Evicted or kept, the rows are those of matching afresh.
    assert cache.match(index, names, config).equals(match_names(index, names, config))


@pytest.mark.slow  # compiles one name index per list epoch first
def test_audit_job_memory_does_not_grow_with_batches():
    from bulkscreen.config import RunConfig
    from bulkscreen.run.data import load_audit_data
    from bulkscreen.run.jobs import audit_job

    config = RunConfig(batch_size=40)
    data = load_audit_data(config, dt.date(2026, 1, 15))
    job = functools.partial(audit_job, data=data, config=config)

    def batch(first_row: int) -> pa.RecordBatch:
        n = 40
        rows = range(first_row, first_row + n)
        return pa.RecordBatch.from_pydict({
            "input_row": pa.array(list(rows), pa.int64()),
            "shipment_id": [f"S{i % n}" for i in rows],
            "shipment_date": pa.array([dt.date(2018 + i % 8, 1 + i % 12, 1) for i in rows],
                                      pa.date32()),
            "exporter": ["Exporter KK"] * n,
            "consignee_name": [f"Buyer {i % 7} Trading Ltd" for i in rows],
            "consignee_country": ["CN", "RU", "US", "KP"] * (n // 4),
            "end_user_name": pa.nulls(n, pa.string()),
            "end_user_country": pa.nulls(n, pa.string()),
            "destination_country": ["CN", "RU", "US", "KP"] * (n // 4),
            "hs_code": ["8457.10", "8542.31", "9013.20", "8471.30"] * (n // 4),
            "item_description": ["machine"] * n,
            "declared_control_entry": pa.nulls(n, pa.string()),
            "parameters": pa.array([[{"name": "positioning_accuracy", "value": 3.5,
                                      "unit": "um"}]] * n,
                                   pa.list_(pa.struct([("name", pa.string()),
                                                       ("value", pa.float64()),
                                                       ("unit", pa.string())]))),
            "value_jpy": [1_000_000.0] * n,
            "quantity": [1.0] * n,
            "declared_end_use": ["civil use"] * n,
        })

    # A first batch outside tracing compiles the kernels: tracing slows numba's compiler
    # (Python) severalfold, and compiling is not what this test measures.
    job(batch(1))
    tracemalloc.start()
    try:
        traced = []
        for k in range(12):
            results, hits = job(batch(1 + 40 * k))
            assert results.num_rows == 40
            del results, hits
            traced.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    # The same names repeat, so caches are warm after the first batches: anything kept per
    # batch (results, hits, summaries) would add up across the ten batches that follow.
    assert traced[-1] - traced[1] < 256 * 1024, [t // 1024 for t in traced]
