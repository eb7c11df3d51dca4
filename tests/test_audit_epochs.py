"""An audit's party matching across list epochs: run-wide work, the same rows.

An audit matches each line's parties against the lists in force on its date (one index per list
epoch) and against today's. The run keeps what it can across epochs and batches: each distinct
name is normalised once per run, each (name, evidence) is matched once per epoch index, and the
lookups of every index are kept while the audit passes over the epochs in turn. These tests
audit a generated history with the real bundled lists and check the rows against matching every
epoch afresh, batch by batch, with nothing kept.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bulkscreen.columns import HITS
from bulkscreen.config import RunConfig
from bulkscreen.matching.cache import MatchCache
from bulkscreen.matching.extra_rows import INDEXES_KEPT
from tests.cli_run import run_cli

TODAY = dt.date(2026, 1, 15)


def _generated_batches(tmp_path: Path, rows: int = 3000, batch_rows: int = 1000
                       ) -> list[pa.RecordBatch]:
    path = tmp_path / "history.parquet"
    assert run_cli("generate", "shipments", "--rows", rows, "--seed", 7, "--out", path,
                   "--listed-rate", 0.05, "--end-date", "2025-06-30") == 0
    table = pq.read_table(path)
    table = table.append_column("input_row", pa.array(np.arange(table.num_rows), pa.int64()))
    return table.to_batches(max_chunksize=batch_rows)


def _reference_party_hits(batch: pa.RecordBatch, data, config: RunConfig) -> pa.Table:
    """Each epoch's rows matched afresh against that epoch's own index (no cache kept)."""
    from bulkscreen.run.jobs import SHIPMENT_PARTY_COLUMNS, _epoch_of_rows
    from bulkscreen.screen.parties import screen_parties_batch

    epoch_of_row = _epoch_of_rows(batch, data)
    parts = []
    for epoch_id in np.unique(epoch_of_row):
        if epoch_id < 0:
            continue
        sub = batch.take(pa.array(np.flatnonzero(epoch_of_row == epoch_id)))
        epoch = data.epochs[epoch_id]
        hits = screen_parties_batch(sub, epoch.index, config, list(SHIPMENT_PARTY_COLUMNS),
                                    SHIPMENT_PARTY_COLUMNS, epoch.as_of, None)
        if hits.num_rows:
            parts.append(pa.Table.from_batches([hits]))
    if not parts:
        return HITS.arrow_schema().empty_table()
    hits = pa.concat_tables(parts)
    row_dates = dict(zip(batch.column("input_row").to_pylist(),
                         batch.column("shipment_date").to_pylist(), strict=True))
    dates = pa.array([row_dates[r] for r in hits.column("input_row").to_pylist()], pa.date32())
    return hits.set_column(hits.schema.get_field_index("as_of_date"), "as_of_date", dates)


@pytest.mark.slow  # loads one name index per list epoch
def test_audit_rows_are_those_of_matching_each_epoch_afresh(tmp_path: Path):
    from bulkscreen.run import jobs
    from bulkscreen.run.data import load_audit_data

    config = RunConfig()
    data = load_audit_data(config, TODAY)
    batches = _generated_batches(tmp_path)
    # Every list epoch (and today) keeps its lookups through a pass over all of them.
    assert len(data.epochs) + 1 <= INDEXES_KEPT

    kept = []
    for batch in batches:
        kept.append(jobs.audit_job(batch, data=data, config=config))
        got = jobs._party_hits_by_epoch(batch, data, config)
        want = _reference_party_hits(batch, data, config)
        assert got.num_rows > 0
        assert got.equals(want)
    party_names = set()
    for batch in batches:
        for column in jobs.SHIPMENT_PARTY_COLUMNS:
            party_names.update(v for v in batch.column(column).to_pylist() if v is not None)
    # Each distinct party name was normalised once in the whole run, not once per epoch.
    texts = data.today.match_cache.texts
    assert all(epoch.match_cache.texts is texts for epoch in data.epochs)
    assert texts.normalised == len(party_names) == len(texts)

    # The same audit with nothing kept across batches or epochs: the same results and hits.
    fresh = load_audit_data(config, TODAY)
    fresh.today.match_cache = MatchCache(0)
    for epoch in fresh.epochs:
        epoch.match_cache = fresh.today.match_cache
    for batch, (results, hits) in zip(batches, kept, strict=True):
        want_results, want_hits = jobs.audit_job(batch, data=fresh, config=config)
        assert results.equals(want_results)
        assert hits.equals(want_hits)
