"""Engines: the local loop and the Dask engine give the same rows; failures never lose rows.

One test body runs on every engine (``engine`` fixture, ``@pytest.mark.engine``); the Dask
engine uses one small local cluster shared by the module (2 worker processes, 127.0.0.1).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from bulkscreen.cli import cli
from bulkscreen.columns import SHIPMENTS
from bulkscreen.config import RunConfig
from bulkscreen.engines import LocalEngine, open_engine
from bulkscreen.errors import ConfigError, EngineError
from bulkscreen.run import RunSpec
from bulkscreen.run.data import load_screening_data
from bulkscreen.run.jobs import shipments_job

distributed = pytest.importorskip("distributed")

from bulkscreen.engines.dask import WORK_DIR_PREFIX, DaskEngine, open_client  # noqa: E402

AS_OF = dt.date(2025, 10, 1)
LISTS = ["jp-meti-ru-tokutei", "us-bis-dpl"]
LISTED_NAME = "Admiralty Shipyard JSC"
ROWS = 1200
FRAGMENT_ROWS = 400
OUTPUTS = ("results.parquet", "hits.parquet", "quarantine.parquet", "run.json")


@pytest.fixture(scope="module")
def dask_client():
    with open_client(None, n_workers=2) as client:
        yield client


@pytest.fixture(scope="module")
def config():
    return RunConfig(batch_size=300, lists=LISTS)


@pytest.fixture(scope="module")
def job(config):
    data = load_screening_data(config, AS_OF, with_rules=True)
    return functools.partial(shipments_job, data=data, config=config, as_of=AS_OF)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A generated Parquet file and a CSV with a listed name and an unparseable line."""
    from bulkscreen.tools.generate.listnames import load_list_names
    from bulkscreen.tools.generate.shipments import generate_shipments

    folder = tmp_path_factory.mktemp("inputs")
    names = load_list_names(LISTS, as_of=AS_OF)
    paths = {}
    for fmt, suffix in (("parquet", "parquet"), ("csv", "csv")):
        paths[fmt] = folder / f"shipments.{suffix}"
        generate_shipments(ROWS, 11, paths[fmt], names, listed_rate=0.05, batch_size=300,
                           fmt=fmt, dirty_rate=0.03, end_date=AS_OF)
    with open(paths["csv"], encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with open(paths["csv"], "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, restval="")
        writer.writerow({"shipment_id": "LISTED-1", "shipment_date": "2025-09-30",
                         "consignee_name": LISTED_NAME, "consignee_country": "RU",
                         "destination_country": "RU", "hs_code": "8471",
                         "value_jpy": "1000000", "quantity": "1"})
        handle.write("BROKEN,line,with,far,too,many,fields," + "x," * len(header) + "\n")
    return paths


@pytest.fixture(scope="module")
def small_input(inputs, tmp_path_factory):
    """60 shipment lines in row groups of 20: three fragments of one row group each."""
    path = tmp_path_factory.mktemp("small") / "small.parquet"
    pq.write_table(pq.read_table(inputs["parquet"]).slice(0, 60), path, row_group_size=20)
    return path


@pytest.fixture(scope="module")
def reference(inputs, job, config, tmp_path_factory):
    """Outputs of the plain batch loop, per input format."""
    out = tmp_path_factory.mktemp("reference")
    return {fmt: LocalEngine().run(RunSpec(path, out / fmt, config, SHIPMENTS, progress=False),
                                   job)
            for fmt, path in inputs.items()}


@pytest.fixture(params=[pytest.param("local", marks=pytest.mark.engine),
                        pytest.param("dask", marks=pytest.mark.engine)])
def engine(request):
    if request.param == "local":
        return LocalEngine()
    return DaskEngine(request.getfixturevalue("dask_client"), fragment_rows=FRAGMENT_ROWS)


def canonical(path: Path) -> pa.Table:
    """A result file's rows in a fixed order: by every column that can be sorted."""
    table = pq.read_table(path)
    keys = [(name, "ascending") for name, column in zip(table.column_names, table.columns,
                                                         strict=True)
            if not pa.types.is_nested(column.type)]
    return table.sort_by(keys)


def assert_same_outputs(summary, expected) -> None:
    assert pq.read_table(summary.results_path).equals(pq.read_table(expected.results_path))
    for kind in ("hits_path", "quarantine_path"):
        assert canonical(getattr(summary, kind)).equals(canonical(getattr(expected, kind)))
    assert (summary.input_rows, summary.result_rows, summary.quarantined_rows,
            summary.hit_rows) == (expected.input_rows, expected.result_rows,
                                  expected.quarantined_rows, expected.hit_rows)
    assert summary.decisions == expected.decisions


def assert_every_row_once(summary) -> None:
    rows = (pq.read_table(summary.results_path).column("input_row").to_pylist()
            + pq.read_table(summary.quarantine_path).column("input_row").to_pylist())
    assert sorted(rows) == list(range(1, summary.input_rows + 1))


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_engine_gives_the_rows_of_the_batch_loop(engine, fmt, inputs, job, config, reference,
                                                 tmp_path):
    summary = engine.run(
        RunSpec(inputs[fmt], tmp_path / "out", config, SHIPMENTS, progress=False), job)

    assert_same_outputs(summary, reference[fmt])
    assert_every_row_once(summary)
    assert summary.quarantined_rows > 0
    manifest = json.loads(summary.manifest_path.read_text(encoding="utf-8"))
    assert manifest["extra"]["engine"]["name"] == engine.name
    assert manifest["config"]["hash"] == config.hash()
    footer = pq.ParquetFile(summary.results_path).metadata.metadata[b"bulkscreen.manifest"]
    assert json.loads(footer)["counts"] == manifest["counts"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(OUTPUTS)
    if fmt == "csv":
        party_hits = [h for h in pq.read_table(summary.hits_path).to_pylist()
                      if h["record_id"] == "LISTED-1" and h["finding"] == "party"]
        assert {h["list_id"] for h in party_hits} == {"jp-meti-ru-tokutei"}


class ExitOnce:
    """A job whose worker process dies the first time it meets ``row`` (marker: fire once)."""

    def __init__(self, job, row: int, marker: Path):
        self.job, self.row, self.marker = job, row, marker

    def __call__(self, batch):
        if self.row in batch.column("input_row").to_pylist() and not self.marker.exists():
            self.marker.touch()
            os._exit(1)
        return self.job(batch)


class FailAt:
    """A job that raises on every batch holding ``row``."""

    def __init__(self, job, row: int):
        self.job, self.row = job, row

    def __call__(self, batch):
        if self.row in batch.column("input_row").to_pylist():
            raise RuntimeError(f"cannot screen row {self.row}")
        return self.job(batch)


class DropRow:
    """A broken job that loses the last result row of each batch."""

    def __init__(self, job):
        self.job = job

    def __call__(self, batch):
        results, hits = self.job(batch)
        return results.slice(0, results.num_rows - 1), hits


def test_killed_worker_is_rerun_without_losing_or_duplicating_rows(dask_client, inputs, job,
                                                                   config, reference,
                                                                   tmp_path):
    marker = tmp_path / "killed-once"
    engine = DaskEngine(dask_client, fragment_rows=FRAGMENT_ROWS)
    summary = engine.run(
        RunSpec(inputs["parquet"], tmp_path / "out", config, SHIPMENTS, progress=False),
        ExitOnce(job, 650, marker))

    assert marker.exists()
    assert_same_outputs(summary, reference["parquet"])
    assert_every_row_once(summary)
    assert not list((tmp_path / "out").glob(f"{WORK_DIR_PREFIX}*"))


def test_fragment_failing_every_attempt_stops_the_run_with_no_outputs(dask_client, small_input,
                                                                     job, config, tmp_path):
    engine = DaskEngine(dask_client, fragment_rows=20, retries=1)
    with pytest.raises(EngineError) as caught:
        engine.run(RunSpec(small_input, tmp_path / "out", config, SHIPMENTS, progress=False),
                   FailAt(job, 45))

    message = str(caught.value)
    assert "fragment 2 (input rows 41-60)" in message
    assert "failed on all 2 attempts" in message and "cannot screen row 45" in message
    assert list((tmp_path / "out").iterdir()) == []


def test_job_losing_rows_is_refused(dask_client, small_input, job, config, tmp_path):
    engine = DaskEngine(dask_client, fragment_rows=20)
    with pytest.raises(EngineError, match="result rows for"):
        engine.run(RunSpec(small_input, tmp_path / "out", config, SHIPMENTS, progress=False),
                   DropRow(job))
    assert list((tmp_path / "out").iterdir()) == []


def test_missing_column_is_reported_before_any_task(dask_client, job, config, tmp_path):
    from bulkscreen.errors import InputSchemaError

    path = tmp_path / "bad.csv"
    path.write_text("shipment_id,shipment_date\nS1,2025-01-01\n", encoding="utf-8")
    engine = DaskEngine(dask_client)
    with pytest.raises(InputSchemaError):
        engine.run(RunSpec(path, tmp_path / "out", config, SHIPMENTS, progress=False), job)
    assert not (tmp_path / "out" / "run.json").exists()


def test_cli_runs_on_an_existing_scheduler(dask_client, inputs, reference, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [
        "screen", "shipments", str(inputs["parquet"]), "--as-of", AS_OF.isoformat(),
        "--out", str(out), "--lists", LISTS[0], "--lists", LISTS[1], "--batch-size", "300",
        "--engine", "dask", "--scheduler", dask_client.scheduler.address, "--quiet"])

    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["extra"]["engine"]["scheduler"] == dask_client.scheduler.address
    expected = pq.read_table(reference["parquet"].results_path)
    written = pq.read_table(out / "results.parquet")
    # The command adds the input's key columns after the engine's own columns.
    assert written.select(expected.schema.names).equals(expected)
    assert written.schema.names[len(expected.schema.names):] == [
        "consignee_name", "end_user_name", "destination_country", "shipment_date"]


def test_scheduler_without_dask_engine_is_a_config_error():
    with pytest.raises(ConfigError, match="engine is local"), \
            open_engine(RunConfig(scheduler="tcp://127.0.0.1:8786")):
        pass


def test_engine_settings_do_not_change_the_config_hash():
    assert RunConfig(engine="dask", scheduler="tcp://h:8786").hash() == RunConfig().hash()


def _kernel_cache_folder() -> str:
    from bulkscreen_kernels.strings import jaro_winkler

    return jaro_winkler._cache._cache_path


def test_workers_keep_compiled_kernels_on_disk(dask_client):
    folders = dask_client.run(_kernel_cache_folder)

    assert len(folders) == 2
    for folder in folders.values():
        assert os.path.isdir(folder) and os.access(folder, os.W_OK)
        assert any(name.startswith("strings.jaro_winkler") for name in os.listdir(folder))


def test_local_cluster_listens_on_loopback_only(dask_client):
    assert dask_client.scheduler.address.startswith("tcp://127.0.0.1:")
