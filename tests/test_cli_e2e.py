"""End-to-end runs through the command line, on the bundled real lists and rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from cli_run import run_cli

from bulkscreen.errors import EXIT_HITS_FOUND, EXIT_INPUT


@pytest.fixture()
def parties_csv(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_no,company,country\n"
        "C1,Admiralty Shipyard JSC,RU\n"
        "C2,Toyota Motor Corporation,JP\n"
        "C3,株式会社アドミラルティ造船所,RU\n"
        "C4,Faratech,IR\n"
        "C5,Kobe Precision Tools KK,JP\n",
        encoding="utf-8")
    return path


def test_screen_parties_finds_real_list_entries(parties_csv: Path, tmp_path: Path):
    out = tmp_path / "run"
    code = run_cli("screen", "parties", parties_csv, "--name", "company", "--id", "customer_no",
                   "--country", "company=country", "--out", out, "--quiet")
    assert code == 0
    results = pl.read_parquet(out / "results.parquet")
    assert results["record_id"].to_list() == ["C1", "C2", "C3", "C4", "C5"]
    decision = dict(zip(results["record_id"], results["decision"], strict=True))
    assert decision["C2"] == "CLEAR" and decision["C5"] == "CLEAR"
    hits = pl.read_parquet(out / "hits.parquet")
    found = {(r, lst) for r, lst in zip(hits["record_id"], hits["list_id"], strict=True)}
    assert ("C1", "jp-meti-ru-tokutei") in found
    assert ("C3", "jp-meti-ru-tokutei") in found  # Japanese-script alias
    assert ("C4", "jp-meti-eul") in found
    explanation = hits.filter(pl.col("record_id") == "C1")["explanation"][0]
    assert "Admiralty" in explanation and "score" in explanation
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    listed = {entry["list_id"]: entry for entry in manifest["data"]["lists"]}
    assert len(listed["jp-meti-eul"]["sha256"]) == 64
    assert manifest["counts"]["input_rows"] == 5


def test_fail_on_hit_exit_code(parties_csv: Path, tmp_path: Path):
    code = run_cli("screen", "parties", parties_csv, "--name", "company", "--out",
                   tmp_path / "run", "--quiet", "--fail-on-hit")
    assert code == EXIT_HITS_FOUND


def test_missing_column_names_the_nearest_header(parties_csv: Path, tmp_path: Path, capsys):
    code = run_cli("screen", "parties", parties_csv, "--name", "compny", "--out",
                   tmp_path / "run", "--quiet")
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "compny" in err and "company" in err and "--map" in err
    assert not (tmp_path / "run" / "results.parquet").exists()


def test_same_run_gives_the_same_rows(parties_csv: Path, tmp_path: Path):
    for name in ("a", "b"):
        assert run_cli("screen", "parties", parties_csv, "--name", "company", "--out",
                       tmp_path / name, "--quiet") == 0
    for file in ("results.parquet", "hits.parquet"):
        a = pq.read_table(tmp_path / "a" / file)
        b = pq.read_table(tmp_path / "b" / file)
        assert a.equals(b), file


@pytest.mark.slow
def test_demo_shows_every_decision(tmp_path: Path, capsys):
    out = tmp_path / "demo"
    code = run_cli("demo", "--out", out, "--shipments", "3000", "--persons", "600",
                   "--as-of", "2026-01-15")
    assert code == 0
    printed = capsys.readouterr().out
    assert "planted list names found by the matcher" in printed
    shipments = pl.read_parquet(out / "shipments" / "results.parquet")
    assert set(shipments["decision"]) == {"CLEAR", "REVIEW", "LICENSE_REQUIRED", "PROHIBITED"}
    persons = pl.read_parquet(out / "persons" / "results.parquet")
    assert persons.height + pl.read_parquet(out / "persons" / "quarantine.parquet").height == 600
    assert {"CLEAR", "REVIEW", "LICENSE_REQUIRED"} <= set(persons["decision"])


@pytest.mark.slow
def test_audit_marks_lines_whose_decision_changed(tmp_path: Path):
    path = tmp_path / "history.csv"
    # The same Russian consignee before and after the luxury-car ban (2022-04-05: cars over
    # JPY 6 million a unit).
    path.write_text(
        "shipment_id,shipment_date,consignee_name,consignee_country,destination_country,"
        "hs_code,item_description,value_jpy,quantity\n"
        "S1,2021-06-01,Ivanov Trading OOO,RU,RU,870321,passenger car,8000000,1\n"
        "S2,2023-06-01,Ivanov Trading OOO,RU,RU,870321,passenger car,8000000,1\n"
        "S3,2024-01-10,Kyoto Ceramics Ltd,TH,TH,691110,tableware,50000,10\n",
        encoding="utf-8")
    out = tmp_path / "audit"
    # Two versions of the METI Russia list: two list epochs plus the time before both.
    assert run_cli("audit", "shipments", path, "--out", out, "--quiet",
                   "--today", "2026-01-15", "--lists", "jp-meti-ru-tokutei") == 0
    results = pl.read_parquet(out / "results.parquet").sort("input_row")
    assert results["as_of_date"].to_list()[:2] == [dt.date(2021, 6, 1), dt.date(2023, 6, 1)]
    then = dict(zip(results["record_id"], results["decision"], strict=True))
    today = dict(zip(results["record_id"], results["decision_today"], strict=True))
    assert then["S2"] == "PROHIBITED" and today["S2"] == "PROHIBITED"
    assert then["S1"] != "PROHIBITED" and today["S1"] == "PROHIBITED"
    changed = dict(zip(results["record_id"], results["decision_changed"], strict=True))
    assert changed["S1"] and not changed["S2"]
    assert then["S3"] == "CLEAR" and not changed["S3"]
    versions = dict(zip(results["record_id"], results["list_versions"], strict=True))
    assert versions["S1"] == ("(no list in force: no bundled version yet of jp-meti-ru-tokutei "
                              "(first version 2025-01-10))")
    assert versions["S3"] == versions["S1"]  # 2024: before the 2025-01-10 version
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    epochs = manifest["extra"]["audit_epochs"]
    assert [e["from"] for e in epochs] == ["2025-01-10", "2025-09-12"]
