"""The review spreadsheet: layout a reviewer relies on, and decisions read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cli_run import run_cli

from bulkscreen.columns import HITS
from bulkscreen.errors import EXIT_INPUT, InputError, InputSchemaError
from bulkscreen.report.review import (
    DECISIONS_SCHEMA,
    REVIEW_CHOICES,
    SHEET_NAME,
    listed_details,
    queue_warning,
    read_review_decisions,
    review_queue,
    write_review_sheet,
)


def _hit(record_id: str, entry_id: str | None, finding: str = "party", **extra) -> dict:
    row = {name: None for name in HITS.names}
    row.update(input_row=int(record_id[-1]), record_id=record_id, as_of_date=dt.date(2025, 12, 31),
               finding=finding, decision="REVIEW", reason_code="PARTY_HIT",
               explanation=f"'{record_id}' ~ entry {entry_id}")
    if entry_id is not None:
        row.update(field="consignee_name", query_value=f"query {record_id}",
                   list_id="jp-meti-eul", list_version="2025-09-29", entry_id=entry_id,
                   matched_name="Admiralty Shipyard JSC", alias_kind="primary", score=0.93,
                   features='{"jaro_winkler":0.97}')
    row.update(extra)
    return row


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    rows = [_hit("S-1", "101"), _hit("S-2", "0042"), _hit("S-3", None, finding="item",
                                                          reason_code="CONTROL_ENTRY"),
            _hit("S-4", "7", review_decision="true_match")]
    folder = tmp_path / "run"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows, schema=HITS.arrow_schema()),
                   folder / "hits.parquet")
    return folder


def _column(sheet, name: str) -> int:
    header = [cell.value for cell in sheet[1]]
    return header.index(name) + 1


def test_sheet_has_filters_a_frozen_header_widths_and_a_decision_drop_down(run_dir: Path,
                                                                           tmp_path: Path):
    path, rows = write_review_sheet(run_dir, tmp_path / "queue.xlsx")
    assert rows == 4
    sheet = openpyxl.load_workbook(path)[SHEET_NAME]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:") and sheet.auto_filter.ref.endswith("5")
    decision = _column(sheet, "review_decision")
    validation = sheet.data_validations.dataValidation[0]
    assert validation.type == "list"
    assert validation.formula1 == '"' + ",".join(REVIEW_CHOICES) + '"'
    letter = openpyxl.utils.get_column_letter(decision)
    assert f"{letter}2:{letter}5" in str(validation.sqref)
    assert sheet.column_dimensions["A"].width > 10
    explanation = openpyxl.utils.get_column_letter(_column(sheet, "explanation"))
    assert sheet.column_dimensions[explanation].width >= 60
    # Identifiers stay text (a leading zero survives) and scores stay numbers.
    assert sheet.cell(row=3, column=_column(sheet, "entry_id")).value == "0042"
    assert sheet.cell(row=2, column=_column(sheet, "score")).value == pytest.approx(0.93)
    # Name matches (scored) come before the item finding of the same decision.
    assert sheet.cell(row=4, column=_column(sheet, "finding")).value == "item"
    # A decision carried from an earlier review is kept, and the row it settled (S-4) comes
    # after every open row.
    assert sheet.cell(row=5, column=_column(sheet, "record_id")).value == "S-4"
    assert sheet.cell(row=5, column=decision).value == "true_match"


def test_filled_in_decisions_are_read_back(run_dir: Path, tmp_path: Path):
    path, _ = write_review_sheet(run_dir, tmp_path / "queue.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET_NAME]
    decision, note = _column(sheet, "review_decision"), _column(sheet, "review_note")
    sheet.cell(row=2, column=decision, value="false_positive")
    sheet.cell(row=2, column=note, value="different shipyard, same city")
    sheet.cell(row=3, column=decision, value=" Escalate ")
    book.save(path)

    decisions = read_review_decisions(path)
    assert decisions.schema.equals(DECISIONS_SCHEMA)
    assert decisions.to_pylist() == [
        {"record_id": "S-1", "list_id": "jp-meti-eul", "list_version": "2025-09-29",
         "entry_id": "101", "query_value": "query S-1", "field": "consignee_name",
         "review_decision": "false_positive", "reviewer": None, "reviewed_at": None,
         "review_note": "different shipyard, same city"},
        {"record_id": "S-2", "list_id": "jp-meti-eul", "list_version": "2025-09-29",
         "entry_id": "0042", "query_value": "query S-2", "field": "consignee_name",
         "review_decision": "escalate", "reviewer": None, "reviewed_at": None,
         "review_note": None},
        {"record_id": "S-4", "list_id": "jp-meti-eul", "list_version": "2025-09-29",
         "entry_id": "7", "query_value": "query S-4", "field": "consignee_name",
         "review_decision": "true_match", "reviewer": None, "reviewed_at": None,
         "review_note": None},
    ]


def test_rescreen_accepts_the_reviewed_sheet(run_dir: Path, tmp_path: Path):
    from bulkscreen.rescreen import read_decisions

    path, _ = write_review_sheet(run_dir, tmp_path / "queue.xlsx", findings=["party"])
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET_NAME]
    sheet.cell(row=2, column=_column(sheet, "review_decision"), value="false_positive")
    book.save(path)
    decisions = read_decisions(path)
    assert sorted(decisions["review_decision"].to_list()) == ["false_positive", "true_match"]


def test_an_unknown_decision_names_its_spreadsheet_row(run_dir: Path, tmp_path: Path):
    path, _ = write_review_sheet(run_dir, tmp_path / "queue.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET_NAME]
    sheet.cell(row=4, column=_column(sheet, "review_decision"), value="looks fine")
    book.save(path)
    with pytest.raises(InputError) as info:
        read_review_decisions(path)
    assert info.value.where.row == 4 and info.value.where.column == "review_decision"
    assert "drop-down" in info.value.hint


def test_a_removed_key_column_is_reported(run_dir: Path, tmp_path: Path):
    path, _ = write_review_sheet(run_dir, tmp_path / "queue.xlsx")
    book = openpyxl.load_workbook(path)
    book[SHEET_NAME].delete_cols(_column(book[SHEET_NAME], "entry_id"))
    book.save(path)
    with pytest.raises(InputSchemaError, match="entry_id"):
        read_review_decisions(path)
    with pytest.raises(InputError, match="not found"):
        read_review_decisions(tmp_path / "missing.xlsx")




def test_review_command_writes_the_queue(run_dir: Path, tmp_path: Path):
    out = tmp_path / "party.xlsx"
    assert run_cli("report", "review", run_dir, "--out", out, "--findings", "party") == 0
    assert openpyxl.load_workbook(out)[SHEET_NAME].max_row == 1 + 3
    assert run_cli("report", "review", tmp_path) == EXIT_INPUT


def _queue_hits() -> pl.DataFrame:
    rows = [_hit(f"S-{i}", "1", query_value="Admiralty Shipyard", score=0.91) for i in (1, 2, 3)]
    rows[1]["field"] = "end_user_name"
    rows += [_hit("S-4", "1", query_value="Admiralty Shipyards", score=0.88,
                  reason_code="PARTY_NEAR_MATCH"),
             _hit("S-5", None, finding="item", decision="LICENSE_REQUIRED",
                  reason_code="CONTROL_ENTRY", rule_id="3A001.a.1"),
             _hit("S-5", None, finding="item", decision="REVIEW", reason_code="CONTROL_UNKNOWN",
                  rule_id="3A001.a.1", explanation="radiation_hardness not given"),
             _hit("S-7", None, finding="item", decision="REVIEW", reason_code="CONTROL_UNKNOWN",
                  rule_id="3A001.a.1", explanation="radiation_hardness not given"),
             _hit("S-6", None, finding="item", decision="CLEAR",
                  reason_code="SMALL_VALUE_EXEMPT", rule_id="3A001.a.1")]
    for row in rows:
        if row["list_id"]:
            row.update(list_id="jp-meti-ru-tokutei", list_version="2025-09-12")
    return pl.from_arrow(pa.Table.from_pylist(rows, schema=HITS.arrow_schema()))


def test_queue_has_one_row_per_name_and_entry_most_severe_first():
    hits = _queue_hits()
    queue = review_queue(hits, listed_details(hits))
    assert queue["record_id"].to_list() == ["S-5", "S-1\nS-2\nS-3", "S-4", "S-5\nS-7"]
    assert queue["n_records"].to_list() == [1, 3, 1, 2]
    assert queue["decision"].to_list() == ["LICENSE_REQUIRED", "REVIEW", "REVIEW", "REVIEW"]
    assert queue["field"].to_list()[1] == "consignee_name, end_user_name"
    assert "SMALL_VALUE_EXEMPT" not in queue["reason_code"].to_list()  # CLEAR is left out
    shipyard = queue.row(1, named=True)
    assert shipyard["listed_countries"] == "RU"
    assert shipyard["list_publisher"]
    assert "Admiralty" in shipyard["matched_name"] or shipyard["listed_from"] is not None


def test_grouped_decisions_are_read_back_for_every_record(tmp_path: Path):
    run = tmp_path / "run"
    run.mkdir()
    _queue_hits().write_parquet(run / "hits.parquet")
    path, rows = write_review_sheet(run, tmp_path / "queue.xlsx")
    assert rows == 4
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET_NAME]
    sheet.cell(row=3, column=_column(sheet, "review_decision"), value="false_positive")
    sheet.cell(row=3, column=_column(sheet, "reviewer"), value="k.sato")
    book.save(path)
    decisions = read_review_decisions(path).to_pylist()
    assert [(d["record_id"], d["review_decision"], d["reviewer"]) for d in decisions] == [
        ("S-1", "false_positive", "k.sato"), ("S-2", "false_positive", "k.sato"),
        ("S-3", "false_positive", "k.sato")]


def test_a_queue_longer_than_a_person_can_read_says_what_fills_it():
    big = pl.DataFrame({"reason_code": ["CONTROL_UNKNOWN"] * 5_001})
    assert "CONTROL_UNKNOWN 5,001" in queue_warning(big)
    assert queue_warning(big.head(10)) is None


def test_the_sheet_lists_every_list_version_with_its_age(tmp_path: Path):
    import json

    run = tmp_path / "run"
    run.mkdir()
    _queue_hits().write_parquet(run / "hits.parquet")
    lists = [{"list_id": "uk-ofsi-conlist-sample", "version": "2020-03-21",
              "effective_date": "2020-03-21", "age_days": 2080, "entries": 41, "sample": True,
              "sha256": "0" * 64}]
    (run / "run.json").write_text(json.dumps({"data": {"lists": lists}}), encoding="utf-8")
    path, _ = write_review_sheet(run, tmp_path / "queue.xlsx")
    sheet = openpyxl.load_workbook(path)["lists"]
    rows = list(sheet.values)
    assert rows[0][:6] == ("list_id", "version", "effective_date", "age_days", "entries",
                           "sample")
    assert rows[1][:6] == ("uk-ofsi-conlist-sample", "2020-03-21", "2020-03-21", 2080, 41, "yes")


def test_queue_rows_show_the_shipment_they_are_about(tmp_path: Path):
    import bulkscreen
    from bulkscreen.config import RunConfig

    lines = pl.DataFrame({
        "shipment_id": ["S-1", "S-2"], "shipment_date": ["2025-05-01", "2025-05-02"],
        "consignee_name": ["Argut OOO", "Kyoto Optics KK"], "consignee_country": ["RU", "JP"],
        "destination_country": ["RU", "JP"], "hs_code": ["847130", "901380"],
        "item_description": ["laptops", "lenses"], "value_jpy": [300000, 120000]})
    run = tmp_path / "run"
    bulkscreen.screen_shipments(lines, as_of=dt.date(2025, 12, 1), out_dir=run,
                                config=RunConfig(lists=["jp-meti-ru-tokutei"]))
    warnings: list[str] = []
    path, _ = write_review_sheet(run, tmp_path / "queue.xlsx", warn=warnings.append)
    queue = pl.read_excel(path, sheet_name=SHEET_NAME, infer_schema_length=0)
    first = queue.filter(pl.col("record_id") == "S-1").row(0, named=True)
    assert first["input_destination_country"] == "RU"
    assert first["input_item_description"] == "laptops"
    assert first["input_hs_code"] == "847130"
    assert not warnings

    (run / "input.parquet").rename(tmp_path / "moved.parquet")
    write_review_sheet(run, tmp_path / "again.xlsx", warn=warnings.append)
    assert any("has moved or changed since the run" in w for w in warnings)
