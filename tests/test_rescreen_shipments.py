"""``bulkscreen rescreen shipments``: reviews of party matches carry into the next run."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from cli_run import run_cli

SHIPMENTS_CSV = (
    "shipment_id,shipment_date,exporter,consignee_name,consignee_country,end_user_name,"
    "end_user_country,destination_country,hs_code,item_description,declared_control_entry,"
    "parameters,value_jpy,quantity,declared_end_use\n"
    # Coffee: goods no Russia measure names, so the party review alone decides S1 and S2
    # (drill bits are a candidate of Appended Table 2-3 No. 2-2 (39) and go to review anyway).
    "S1,2026-01-10,Kobe Tools KK,Admiralty Shipyardz JSC,RU,,,RU,090111,coffee beans,,,500000,"
    "10,\n"
    "S2,2026-01-10,Kobe Tools KK,Admiralti Shipyard,RU,,,RU,090111,coffee beans,,,500000,10,\n"
    "S3,2026-01-10,Kobe Tools KK,Toyota Motor Corporation,JP,,,JP,090111,coffee beans,,,500000,"
    "10,\n")
ARGS = ("--lists", "jp-meti-ru-tokutei", "--as-of", "2026-02-01", "--quiet")


@pytest.fixture()
def first_run(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A run whose two fuzzy party matches were reviewed: S1 confirmed, S2 cleared."""
    source = tmp_path / "shipments.csv"
    source.write_text(SHIPMENTS_CSV, encoding="utf-8")
    assert run_cli("screen", "shipments", source, "--out", tmp_path / "run1", *ARGS) == 0
    hits = pl.read_parquet(tmp_path / "run1" / "hits.parquet")
    party = hits.filter(pl.col("finding") == "party")
    assert sorted(party["record_id"]) == ["S1", "S2"]
    assert set(party["decision"]) == {"REVIEW"}
    assert all("if confirmed: PROHIBITED (RU_BY_ENTITY" in e for e in party["explanation"])
    reviewed = hits.with_columns(review_decision=pl.when(pl.col("record_id") == "S1")
                                 .then(pl.lit("true_match"))
                                 .when(pl.col("record_id") == "S2")
                                 .then(pl.lit("false_positive")))
    reviewed.write_parquet(tmp_path / "decisions.parquet")
    return source, tmp_path / "run1", tmp_path / "decisions.parquet"


def test_confirmed_match_decides_and_cleared_match_stays_cleared(first_run, tmp_path: Path):
    source, previous, decisions = first_run
    out = tmp_path / "run2"
    assert run_cli("rescreen", "shipments", source, "--previous", previous, "--decisions",
                   decisions, "--out", out, *ARGS) == 0
    results = pl.read_parquet(out / "results.reviewed.parquet")
    decided = {r["record_id"]: (r["decision"], r["reason_codes"])
               for r in results.iter_rows(named=True)}
    assert decided == {"S1": ("PROHIBITED", ["RU_BY_ENTITY"]), "S2": ("CLEAR", []),
                       "S3": ("CLEAR", [])}
    s1 = results.filter(pl.col("record_id") == "S1")["explanation"].item()
    assert "confirmed as the listed party in an earlier review" in s1
    hits = pl.read_parquet(out / "hits.reviewed.parquet").filter(pl.col("finding") == "party")
    assert dict(zip(hits["record_id"], hits["review_decision"], strict=True)) == {
        "S1": "true_match", "S2": "false_positive"}
    changes = pl.read_parquet(out / "changes.parquet")
    assert sorted(changes.filter(pl.col("change") == "review_carried")["record_id"]) == [
        "S1", "S2"]
    summary = json.loads((out / "rescreen.json").read_text(encoding="utf-8"))
    assert summary["carried_reviews"] == {"true_match": 1, "false_positive": 1}


def test_reviews_carry_from_the_review_sheet(first_run, tmp_path: Path):
    source, previous, _ = first_run
    assert run_cli("report", "review", previous) == 0
    import openpyxl

    sheet_path = previous / "review.xlsx"
    book = openpyxl.load_workbook(sheet_path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("review_decision") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, header.index("finding") + 1).value == "party":
            sheet.cell(row, column).value = "false_positive"
    book.save(sheet_path)
    out = tmp_path / "run2"
    assert run_cli("rescreen", "shipments", source, "--previous", previous, "--decisions",
                   sheet_path, "--out", out, *ARGS) == 0
    results = pl.read_parquet(out / "results.reviewed.parquet")
    assert set(results["decision"]) == {"CLEAR"}


def test_clearing_one_match_keeps_the_records_other_findings(tmp_path: Path):
    """S4 has two party matches; clearing the fuzzy consignee match leaves the unreviewed
    exact end-user match deciding the line."""
    source = tmp_path / "shipments.csv"
    header = SHIPMENTS_CSV.splitlines()[0]
    source.write_text(f"{header}\nS4,2026-01-10,Kobe Tools KK,Admiralty Shipyardz JSC,RU,"
                      "Tupolev JSC,RU,RU,090111,coffee beans,,,500000,10,\n", encoding="utf-8")
    assert run_cli("screen", "shipments", source, "--out", tmp_path / "run1", *ARGS) == 0
    hits = pl.read_parquet(tmp_path / "run1" / "hits.parquet")
    fields = dict(zip(hits["field"], hits["decision"], strict=True))
    assert fields == {"consignee_name": "REVIEW", "end_user_name": "PROHIBITED"}
    hits.with_columns(review_decision=pl.when(pl.col("field") == "consignee_name")
                      .then(pl.lit("false_positive"))).write_parquet(tmp_path / "dec.parquet")

    out = tmp_path / "run2"
    assert run_cli("rescreen", "shipments", source, "--previous", tmp_path / "run1",
                   "--decisions", tmp_path / "dec.parquet", "--out", out, *ARGS) == 0
    row = pl.read_parquet(out / "results.reviewed.parquet").row(0, named=True)
    assert (row["decision"], row["reason_codes"]) == ("PROHIBITED", ["RU_BY_ENTITY"])
    assert "1 name match(es) cleared as false positive" in row["explanation"]
    assert "Tupolev JSC" in row["explanation"]
    reviewed = pl.read_parquet(out / "hits.reviewed.parquet")
    assert dict(zip(reviewed["field"], reviewed["review_decision"], strict=True)) == {
        "consignee_name": "false_positive", "end_user_name": None}
    summary = json.loads((out / "rescreen.json").read_text(encoding="utf-8"))
    assert summary["decisions"] == {"PROHIBITED": 1}
    assert summary["screened_decisions"] == {"PROHIBITED": 1}
    assert summary["previous_decisions"] == {"PROHIBITED": 1}


def test_summary_counts_decisions_before_and_after_the_carried_reviews(first_run,
                                                                         tmp_path: Path):
    source, previous, decisions = first_run
    out = tmp_path / "run2"
    assert run_cli("rescreen", "shipments", source, "--previous", previous, "--decisions",
                   decisions, "--out", out, *ARGS) == 0
    summary = json.loads((out / "rescreen.json").read_text(encoding="utf-8"))
    # Before the reviews S1 and S2 are REVIEW; after, S1 is confirmed and S2 cleared.
    assert summary["previous_decisions"] == {"REVIEW": 2, "CLEAR": 1}
    assert summary["screened_decisions"] == {"REVIEW": 2, "CLEAR": 1}
    assert summary["decisions"] == {"CLEAR": 2, "PROHIBITED": 1}
