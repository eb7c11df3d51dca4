"""The Python entry points run what the commands run and return polars frames."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

import bulkscreen
from bulkscreen.api import QuarantineWarning
from bulkscreen.config import RunConfig

DOC = Path(__file__).resolve().parents[1] / "docs" / "python-api.md"
CONFIG = RunConfig(lists=["jp-meti-ru-tokutei"])
DAY = dt.date(2025, 12, 1)


def test_the_documented_examples_run():
    examples = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(examples) >= 2
    for code in examples:
        exec(compile(code, str(DOC), "exec"), {})


def test_frames_of_every_kind_give_the_rows_of_the_same_file(tmp_path):
    frame = pl.DataFrame({"company": ["Admiralty Shipyard JSC", "Kyoto Precision Optics KK"]})
    path = tmp_path / "names.csv"
    frame.write_csv(path)
    from_file = bulkscreen.screen_parties(path, names=["company"], as_of=DAY, config=CONFIG)
    for data in (frame, frame.to_arrow(), frame.lazy()):
        results = bulkscreen.screen_parties(data, names=["company"], as_of=DAY, config=CONFIG)
        assert results.drop("explanation").equals(from_file.drop("explanation"))
    assert from_file["decision"].to_list() == ["REVIEW", "CLEAR"]


def test_out_dir_keeps_the_run_and_refuses_to_overwrite_it(tmp_path):
    frame = pl.DataFrame({"company": ["Argut OOO"]})
    out = tmp_path / "run"
    results, hits = bulkscreen.screen_parties(frame, names=["company"], as_of=DAY, config=CONFIG,
                                              out_dir=out, hits=True)
    assert {p.name for p in out.iterdir()} >= {"results.parquet", "hits.parquet",
                                               "quarantine.parquet", "run.json", "input.parquet"}
    assert hits["list_id"].to_list() == ["jp-meti-ru-tokutei"]
    with pytest.raises(bulkscreen.errors.OutputError, match="already holds a run"):
        bulkscreen.screen_parties(frame, names=["company"], as_of=DAY, config=CONFIG,
                                  out_dir=out)
    again = bulkscreen.screen_parties(frame, names=["company"], as_of=DAY, config=CONFIG,
                                      out_dir=out, overwrite=True)
    assert again.equals(results)


def test_rows_that_cannot_be_screened_are_reported(tmp_path):
    lines = pl.DataFrame({"shipment_id": ["S-1", "S-2"], "shipment_date": ["2025-01-10", "soon"],
                          "consignee_name": ["Kyoto Optics KK"] * 2,
                          "consignee_country": ["CN", "CN"], "destination_country": ["CN", "CN"],
                          "hs_code": ["0901", "0901"]})
    with pytest.warns(QuarantineWarning, match="1 of 2 rows could not be screened"):
        results = bulkscreen.screen_shipments(lines, as_of=DAY, config=CONFIG)
    assert results["record_id"].to_list() == ["S-1"]


def test_something_that_is_not_a_frame_is_refused():
    with pytest.raises(bulkscreen.errors.InputError, match="cannot screen a dict"):
        bulkscreen.screen_parties({"company": ["x"]}, names=["company"], config=CONFIG)


def test_record_batches_are_frames_too():
    batch = pa.RecordBatch.from_pydict({"company": ["Argut OOO"]})
    results = bulkscreen.screen_parties(batch, names=["company"], as_of=DAY, config=CONFIG)
    assert results["decision"].to_list() == ["REVIEW"]


def test_the_manifest_says_each_list_version_and_its_age(tmp_path):
    import json

    import jsonschema

    from bulkscreen import _data
    from bulkscreen.report.console import list_freshness

    out = tmp_path / "run"
    bulkscreen.screen_parties(pl.DataFrame({"company": ["Argut OOO"]}), names=["company"],
                              as_of=DAY, config=RunConfig(lists=["jp-meti-ru-tokutei",
                                                                 "uk-ofsi-conlist-sample"]),
                              out_dir=out)
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    schema = json.loads((_data.schemas_dir() / "manifest.v1.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, schema)
    by_id = {v["list_id"]: v for v in manifest["data"]["lists"]}
    assert by_id["jp-meti-ru-tokutei"]["age_days"] == (DAY - dt.date(2025, 9, 12)).days
    assert by_id["uk-ofsi-conlist-sample"]["sample"] is True
    lines = list_freshness(manifest)
    assert any("uk-ofsi-conlist-sample 2020-03-21" in line and "SAMPLE" in line
               for line in lines)
    assert any("jp-meti-ru-tokutei 2025-09-12" in line and "3 months old" in line
               for line in lines)
