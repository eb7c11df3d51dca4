"""The batch loop: outputs, the row invariant, interrupted runs, refusing to overwrite."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from bulkscreen.columns import HITS, RESULTS, SHIPMENTS
from bulkscreen.config import RunConfig
from bulkscreen.engines import LocalEngine
from bulkscreen.errors import EngineError, InputSchemaError, OutputError
from bulkscreen.manifest import FOOTER_KEY
from bulkscreen.run import RunSpec

HEADER = ("shipment_id,shipment_date,consignee_name,consignee_country,destination_country,"
          "value_jpy")


def clear_all(batch: pa.RecordBatch) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """A pure screening function: every row CLEAR; rows to North Korea give one hit."""
    n = batch.num_rows
    to_kp = pc.equal(batch.column("destination_country"), "KP")
    results = pa.RecordBatch.from_pydict({
        "input_row": batch.column("input_row"),
        "record_id": batch.column("shipment_id"),
        "as_of_date": batch.column("shipment_date"),
        "decision": pc.if_else(to_kp, "PROHIBITED", "CLEAR"),
        "reason_codes": pa.array([[]] * n, pa.list_(pa.string())),
        "explanation": pa.array([""] * n),
        "n_hits": pc.cast(to_kp, pa.int32()),
        "top_score": pa.array([0.0] * n, pa.float32()),
    }, schema=RESULTS.arrow_schema())
    hit_rows = batch.filter(to_kp)
    m = hit_rows.num_rows
    hits = pa.RecordBatch.from_pydict({
        "input_row": hit_rows.column("input_row"), "record_id": hit_rows.column("shipment_id"),
        "as_of_date": hit_rows.column("shipment_date"), "finding": ["destination"] * m,
        "decision": ["PROHIBITED"] * m, "reason_code": ["DEST_KP"] * m,
        "explanation": ["North Korea"] * m,
        **{c: pa.nulls(m, HITS.column(c).type) for c in HITS.names
           if c not in {"input_row", "record_id", "as_of_date", "finding", "decision",
                        "reason_code", "explanation"}},
    }, schema=HITS.arrow_schema())
    return results, hits


def _input(tmp_path, n=50, bad_every=10):
    lines = [HEADER]
    for i in range(1, n + 1):
        value = "abc" if i % bad_every == 0 else str(i)
        dest = "KP" if i % 7 == 0 else "CN"
        lines.append(f"S{i},2024-04-01,Buyer {i},JP,{dest},{value}")
    path = tmp_path / "shipments.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_run_writes_all_outputs_and_keeps_every_row(tmp_path):
    out = tmp_path / "out"
    summary = LocalEngine().run(
        RunSpec(_input(tmp_path), out, RunConfig(batch_size=8), SHIPMENTS, progress=False),
        clear_all)
    assert summary.input_rows == 50
    assert summary.quarantined_rows == 5
    assert summary.result_rows == 45 == pq.read_table(summary.results_path).num_rows
    assert summary.input_rows == summary.result_rows + summary.quarantined_rows
    assert summary.hit_rows == pq.read_table(summary.hits_path).num_rows == 7
    assert summary.decisions == {"CLEAR": 38, "PROHIBITED": 7}
    rows = sorted(pq.read_table(summary.results_path).column("input_row").to_pylist()
                  + pq.read_table(summary.quarantine_path).column("input_row").to_pylist())
    assert rows == list(range(1, 51))
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["counts"]["quarantined_rows"] == 5
    footer = pq.ParquetFile(summary.results_path).metadata.metadata[FOOTER_KEY.encode()]
    assert json.loads(footer)["config"]["hash"] == RunConfig(batch_size=8).hash()


def test_exception_mid_run_leaves_no_outputs(tmp_path):
    calls = []

    def fails_on_third_batch(batch):
        calls.append(batch.num_rows)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return clear_all(batch)

    out = tmp_path / "out"
    source = tmp_path / "shipments.parquet"
    pq.write_table(pacsv.read_csv(_input(tmp_path)), source)  # Parquet batches are exact
    with pytest.raises(KeyboardInterrupt):
        LocalEngine().run(
            RunSpec(source, out, RunConfig(batch_size=5), SHIPMENTS, progress=False),
            fails_on_third_batch)
    assert len(calls) == 3
    assert sorted(p.name for p in out.iterdir()) == []


def test_screening_that_drops_rows_fails_the_run(tmp_path):
    def drops_one(batch):
        results, hits = clear_all(batch)
        return results.slice(1), hits

    out = tmp_path / "out"
    with pytest.raises(EngineError, match="one result row per input row"):
        LocalEngine().run(
            RunSpec(_input(tmp_path), out, RunConfig(), SHIPMENTS, progress=False), drops_one)
    assert list(out.iterdir()) == []


def test_finished_run_is_not_overwritten_without_consent(tmp_path):
    out = tmp_path / "out"
    path = _input(tmp_path)
    LocalEngine().run(RunSpec(path, out, RunConfig(), SHIPMENTS, progress=False), clear_all)
    with pytest.raises(OutputError, match="already holds a run"):
        LocalEngine().run(RunSpec(path, out, RunConfig(), SHIPMENTS, progress=False), clear_all)
    summary = LocalEngine().run(
        RunSpec(path, out, RunConfig(), SHIPMENTS, progress=False, overwrite=True), clear_all)
    assert summary.result_rows == 45


def test_missing_column_fails_before_writing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER.replace("destination_country", "destination") + "\n")
    out = tmp_path / "out"
    with pytest.raises(InputSchemaError, match="did you mean 'destination'"):
        LocalEngine().run(RunSpec(path, out, RunConfig(), SHIPMENTS, progress=False), clear_all)
    assert list(out.iterdir()) == []


def test_row_check_refuses_a_run_whose_counts_do_not_add_up(tmp_path):
    from bulkscreen.io.outdir import seal_run

    path = _input(tmp_path)
    counts = {"input_rows": 50, "result_rows": 44, "quarantined_rows": 5, "hit_rows": 0}
    with pytest.raises(EngineError, match="rows lost: 50 read, 44 results \\+ 5 quarantined"):
        seal_run([], out_dir=tmp_path, input_path=path, table=SHIPMENTS, config=RunConfig(),
                 counts=counts, decisions={}, timings={}, reading={}, manifest_extra={})
