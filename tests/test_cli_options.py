"""The options every screening command shares: trial runs, plans, copies, lists and dates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from cli_run import run_cli

from bulkscreen.errors import EXIT_INPUT
from bulkscreen.io.readers import open_batches


@pytest.fixture(scope="module")
def shipments_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("options") / "shipments.csv"
    assert run_cli("generate", "shipments", "--rows", "600", "--seed", "3", "--out", path,
                   "--listed-rate", "0.1", "--lists", "jp-meti-eul",
                   "--end-date", "2025-12-31") == 0
    return path


def test_limit_screens_only_the_first_rows_and_says_so(shipments_csv: Path, tmp_path: Path):
    out = tmp_path / "run"
    assert run_cli("screen", "shipments", shipments_csv, "-o", out, "-q", "--limit", "150",
                   "--lists", "jp-meti-eul", "--as-of", "2025-12-31") == 0
    results = pl.read_parquet(out / "results.parquet")
    quarantined = pl.read_parquet(out / "quarantine.parquet").height \
        if (out / "quarantine.parquet").exists() else 0
    assert results.height + quarantined == 150
    assert results["input_row"].max() <= 150
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["input_rows"] == 150
    assert manifest["config"]["settings"]["limit"] == 150


def test_dry_run_prints_the_plan_and_writes_nothing(shipments_csv: Path, tmp_path: Path,
                                                    capsys):
    out = tmp_path / "never"
    assert run_cli("screen", "shipments", shipments_csv, "--out", out, "--dry-run",
                   "--lists", "jp-meti-eul") == 0
    printed = capsys.readouterr().out
    assert not out.exists()
    assert "dry run: shipments" in printed and "consignee_name" in printed
    assert "checked the first 600 rows: 600 valid" in printed
    assert "jp-meti-eul" in printed and "nothing was written" in printed


def test_dry_run_fails_as_the_run_would_on_a_missing_column(tmp_path: Path, capsys):
    source = tmp_path / "bad.csv"
    source.write_text("shipment_id,shipment_date\nS1,2025-01-01\n", encoding="utf-8")
    assert run_cli("screen", "shipments", source, "--out", tmp_path / "run",
                   "--dry-run") == EXIT_INPUT
    assert not (tmp_path / "run").exists()


def test_output_format_writes_text_copies_beside_the_parquet(shipments_csv: Path,
                                                             tmp_path: Path):
    out = tmp_path / "run"
    assert run_cli("screen", "shipments", shipments_csv, "--out", out, "--quiet",
                   "--lists", "jp-meti-eul", "--as-of", "2025-12-31", "--limit", "100",
                   "--output-format", "csv", "--output-format", "jsonl") == 0
    parquet = pl.read_parquet(out / "results.parquet")
    copy = pl.read_csv(out / "results.csv", infer_schema=False)
    assert copy.height == parquet.height
    first = parquet.filter(pl.col("reason_codes").list.len() > 1).row(0, named=True)
    row = copy.filter(pl.col("record_id") == first["record_id"]).row(0, named=True)
    assert row["reason_codes"] == "|".join(first["reason_codes"])
    assert pl.read_ndjson(out / "hits.jsonl").height == pl.read_parquet(out / "hits.parquet").height
    assert not list(out.glob("*.partial"))


def test_lists_take_commas_and_repeats_alike(shipments_csv: Path, tmp_path: Path):
    manifests = []
    for args in (("--lists", "jp-meti-eul,us-bis-dpl"),
                 ("--lists", "jp-meti-eul", "--lists", "us-bis-dpl")):
        out = tmp_path / f"run{len(manifests)}"
        assert run_cli("screen", "shipments", shipments_csv, "--out", out, "-q", "--limit",
                       "20", "--as-of", "2025-12-31", *args) == 0
        manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
        manifests.append(sorted(v["list_id"] for v in manifest["data"]["lists"]))
    assert manifests[0] == manifests[1] == ["jp-meti-eul", "us-bis-dpl"]


def test_sample_lists_are_screened_only_when_named(shipments_csv: Path, tmp_path: Path):
    assert run_cli("screen", "shipments", shipments_csv, "--out", tmp_path / "default", "-q",
                   "--limit", "10", "--as-of", "2025-12-31") == 0
    used = json.loads((tmp_path / "default" / "run.json").read_text(encoding="utf-8"))
    ids = [v["list_id"] for v in used["data"]["lists"]]
    assert "jp-meti-eul" in ids and not any(i.endswith("-sample") for i in ids)
    assert run_cli("screen", "shipments", shipments_csv, "--out", tmp_path / "named", "-q",
                   "--limit", "10", "--as-of", "2025-12-31", "--lists", "us-csl-sample") == 0
    named = json.loads((tmp_path / "named" / "run.json").read_text(encoding="utf-8"))
    assert [(v["list_id"], v["sample"]) for v in named["data"]["lists"]] == [
        ("us-csl-sample", True)]


def test_audit_takes_as_of_for_today(shipments_csv: Path, tmp_path: Path):
    # The EUL version of 2025-09-29 is "today's" list on 2025-12-31, and not yet on 2025-06-30.
    lists = {}
    for today in ("2025-06-30", "2025-12-31"):
        out = tmp_path / today
        assert run_cli("audit", "shipments", shipments_csv, "--out", out, "-q", "--limit",
                       "30", "--lists", "jp-meti-eul", "--as-of", today) == 0
        manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
        lists[today] = [(v["list_id"], v["age_days"]) for v in manifest["data"]["lists"]]
    from bulkscreen.lists import bundled_catalog

    effective = bundled_catalog().get("jp-meti-eul", "2025-09-29").effective_date
    age = (dt.date(2025, 12, 31) - effective).days
    assert lists == {"2025-06-30": [], "2025-12-31": [("jp-meti-eul", age)]}


def test_summary_names_top_reasons_and_next_commands(shipments_csv: Path, tmp_path: Path,
                                                     capsys):
    out = tmp_path / "run"
    assert run_cli("screen", "shipments", shipments_csv, "--out", out, "--limit", "200",
                   "--lists", "jp-meti-eul", "--as-of", "2025-12-31") == 0
    printed = capsys.readouterr().out
    codes = pl.read_parquet(out / "results.parquet")["reason_codes"].explode().drop_nulls()
    top = codes.value_counts(sort=True).row(0)
    assert f"top reasons: {top[0]} {top[1]:,}" in printed
    assert f"bulkscreen report review {out}" in printed


def test_text_formats_report_progress_in_bytes_up_to_the_file_size(shipments_csv: Path):
    stream = open_batches(shipments_csv, __import__("bulkscreen.columns").columns.SHIPMENTS,
                          batch_size=100)
    assert stream.total_rows is None and stream.progress_bytes == (0, shipments_csv.stat().st_size)
    seen = []
    for _ in stream:
        seen.append(stream.progress_bytes[0])
    assert seen == sorted(seen) and seen[-1] == shipments_csv.stat().st_size


def test_results_carry_the_input_key_columns(shipments_csv: Path, tmp_path: Path):
    out = tmp_path / "run"
    assert run_cli("screen", "shipments", shipments_csv, "--out", out, "-q", "--limit", "50",
                   "--lists", "jp-meti-eul", "--as-of", "2025-12-31") == 0
    results = pl.read_parquet(out / "results.parquet")
    source = pl.read_csv(shipments_csv, infer_schema=False).head(50)
    joined = results.join(source, left_on="record_id", right_on="shipment_id", suffix="_in")
    assert joined.height == results.height
    for column in ("consignee_name", "end_user_name", "destination_country"):
        assert (joined[column].fill_null("").to_list()
                == joined[f"{column}_in"].fill_null("").to_list())
    assert results.schema["shipment_date"] == pl.Date


def test_parties_results_carry_the_screened_columns_without_clashing(tmp_path: Path):
    source = tmp_path / "names.csv"
    source.write_text("ref,decision,country\nR1,Admiralty Shipyard JSC,RU\nR2,Kobe KK,JP\n",
                      encoding="utf-8")
    out = tmp_path / "run"
    assert run_cli("screen", "parties", source, "--name", "decision", "--id", "ref",
                   "--country", "decision=country", "--out", out, "-q") == 0
    results = pl.read_parquet(out / "results.parquet")
    assert results["input_decision"].to_list() == ["Admiralty Shipyard JSC", "Kobe KK"]
    assert results["country"].to_list() == ["RU", "JP"]
    assert set(results["decision"]) <= {"CLEAR", "REVIEW", "PROHIBITED", "LICENSE_REQUIRED"}


def test_audit_says_which_lists_a_line_predates(tmp_path: Path):
    source = tmp_path / "history.csv"
    source.write_text(
        "shipment_id,shipment_date,exporter,consignee_name,consignee_country,"
        "destination_country,hs_code,value_jpy\n"
        "H1,2025-01-15,Kobe KK,Kyoto Optics KK,TH,TH,820719,100000\n"
        "H2,2025-11-15,Kobe KK,Kyoto Optics KK,TH,TH,820719,100000\n", encoding="utf-8")
    out = tmp_path / "audit"
    assert run_cli("audit", "shipments", source, "--out", out, "-q", "--lists", "jp-meti-eul",
                   "--as-of", "2025-12-31") == 0
    results = pl.read_parquet(out / "results.parquet").sort("record_id")
    before, after = results["explanation"].to_list()
    assert "not screened against lists with no bundled version on the shipment date: " \
           "jp-meti-eul (first version in force 2025-10-09)" in before
    assert "not screened against" not in after
