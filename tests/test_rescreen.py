"""Re-screening: reviewers' decisions carried forward, changes since the last run reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bulkscreen import columns
from bulkscreen.config import RunConfig
from bulkscreen.errors import InputError, InputSchemaError
from bulkscreen.rescreen import (
    CHANGES_FILE,
    REVIEWED_HITS_FILE,
    REVIEWED_RESULTS_FILE,
    read_decisions,
    rescreen_persons,
)
from bulkscreen.screen.persons import screen_persons_batch

PREV_DATE = dt.date(2024, 6, 1)
CUR_DATE = dt.date(2025, 6, 1)


def _person(person_id: str, **overrides) -> dict:
    row = {name: None for name in columns.PERSONS.names}
    row.update(person_id=person_id, full_name=f"Person {person_id}", nationalities=["JP"],
               affiliations=[], funding=[], foreign_government_instructions=False,
               controlled_technology="")
    row.update(overrides)
    return row


def _party_hit(record_id: str, input_row: int, list_id: str, entry_id: str, version: str,
               as_of: dt.date, review: str | None = None) -> dict:
    row = {name: None for name in columns.HITS.names}
    row.update(input_row=input_row, record_id=record_id, as_of_date=as_of, finding="party",
               decision="REVIEW", reason_code="PARTY_HIT", field="full_name",
               query_value=f"Person {record_id}", list_id=list_id, list_version=version,
               entry_id=entry_id, matched_name=f"Listed {entry_id}", alias_kind="primary",
               score=0.95, explanation=f"full_name: 'Person {record_id}' ~ 'Listed {entry_id}'",
               review_decision=review)
    return row


def _write_run(folder: Path, persons: list[dict], as_of: dt.date,
               party_hits: list[dict]) -> Path:
    """Screen the persons by the rules, add the given name matches, write a run folder."""
    batch = pa.RecordBatch.from_pylist(persons, schema=columns.PERSONS.arrow_schema())
    results, hits = screen_persons_batch(batch, None, RunConfig(), as_of)
    results = pa.Table.from_batches([results]).to_pylist()
    hits = pa.Table.from_batches([hits]).to_pylist() + party_hits
    by_record: dict[str, list[dict]] = {}
    for hit in hits:
        by_record.setdefault(hit["record_id"], []).append(hit)
    severity = {"CLEAR": 0, "REVIEW": 1, "LICENSE_REQUIRED": 2}
    for row in results:
        found = by_record.get(row["record_id"], [])
        row["n_hits"] = len(found)
        if found:
            worst = max(found, key=lambda h: severity[h["decision"]])["decision"]
            if severity[worst] > severity[row["decision"]]:
                row["decision"] = worst
            codes = {h["reason_code"] for h in found} | set(row["reason_codes"])
            row["reason_codes"] = sorted(codes)
            row["explanation"] = " | ".join(h["explanation"] for h in found)
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(results, schema=columns.RESULTS.arrow_schema()),
                   folder / "results.parquet")
    pq.write_table(pa.Table.from_pylist(hits, schema=columns.HITS.arrow_schema()),
                   folder / "hits.parquet")
    return folder


VISITOR_TECH = {"nationalities": ["US"], "entry_date": dt.date(2024, 3, 1),
                "controlled_technology": "3(1)", "affiliations": [], "funding": []}


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    previous = _write_run(tmp_path / "2024", [
        _person("P1"),                        # name match, reviewed false positive
        _person("P2"),                        # clean, gets a new match
        _person("P3", **VISITOR_TECH),        # non-resident with technology, then resident
        _person("P4"),                        # false positive on an entry that changes
        _person("P6"),                        # false positive on an entry that stays the same
    ], PREV_DATE, [
        _party_hit("P1", 1, "us-ofac-sdn", "100", "2021-07-07", PREV_DATE, "false_positive"),
        _party_hit("P4", 4, "jp-meti-ru-tokutei", "7", "2025-01-10", PREV_DATE,
                   "false_positive"),
        _party_hit("P6", 5, "jp-meti-ru-tokutei", "8", "2025-01-10", PREV_DATE,
                   "false_positive"),
    ])
    current = _write_run(tmp_path / "2025", [
        _person("P1"),
        _person("P2"),
        _person("P3", **VISITOR_TECH),
        _person("P4"),
        _person("P6"),
        _person("P5", affiliations=[{"organisation": "MIT", "country": "US",
                                     "kind": "concurrent_appointment"}]),
    ], CUR_DATE, [
        _party_hit("P1", 1, "us-ofac-sdn", "100", "2021-07-07", CUR_DATE),
        _party_hit("P2", 2, "un-consolidated", "QDi.1", "2026-02-27", CUR_DATE),
        _party_hit("P4", 4, "jp-meti-ru-tokutei", "7", "2025-09-12", CUR_DATE),
        _party_hit("P6", 5, "jp-meti-ru-tokutei", "8", "2025-09-12", CUR_DATE),
    ])
    return previous, current


def _only_entry_7_changed(list_id: str, old: str, new: str, entry_ids: list[str]) -> set[str]:
    assert (list_id, old, new) == ("jp-meti-ru-tokutei", "2025-01-10", "2025-09-12")
    return {e for e in entry_ids if e == "7"}


def _changes(report) -> set[tuple[str, str]]:
    return {(r["record_id"], r["change"]) for r in report.changes.to_pylist()}


def test_rescreen_carries_reviews_and_reports_changes(runs):
    previous, current = runs
    decisions = previous / "hits.parquet"
    report = rescreen_persons(current, previous, decisions,
                              entry_changes=_only_entry_7_changed)
    decision = dict(zip(report.results.column("record_id").to_pylist(),
                        report.results.column("decision").to_pylist(), strict=True))
    # Same entry, same list version: the false positive stays cleared.
    assert decision["P1"] == "CLEAR"
    # Entry 8 is the same in both list versions: still cleared.
    assert decision["P6"] == "CLEAR"
    # Entry 7 changed: the old review no longer counts.
    assert decision["P4"] == "REVIEW"
    assert decision["P2"] == "REVIEW"
    assert decision["P3"] == "CLEAR"
    assert decision["P5"] == "REVIEW"
    changes = _changes(report)
    assert {("P1", "review_carried"), ("P6", "review_carried"), ("P4", "review_dropped"),
            ("P2", "new_hit"), ("P2", "decision_changed"), ("P3", "became_resident"),
            ("P3", "technology_access_removed"), ("P3", "decision_changed"),
            ("P5", "new_record")} <= changes
    assert ("P1", "decision_changed") not in changes
    new_hit = next(r for r in report.changes.to_pylist() if r["change"] == "new_hit")
    assert new_hit["list_id"] == "un-consolidated" and new_hit["entry_id"] == "QDi.1"
    reviewed = {r["record_id"]: r["review_decision"] for r in report.hits.to_pylist()
                if r["finding"] == "party"}
    assert reviewed == {"P1": "false_positive", "P2": None, "P4": None,
                        "P6": "false_positive"}
    assert report.summary["decisions"]["CLEAR"] == 3
    assert report.summary["changes"]["review_carried"] == 2
    for name in (CHANGES_FILE, REVIEWED_HITS_FILE, REVIEWED_RESULTS_FILE):
        assert (current / name).is_file()
    assert pq.read_schema(current / REVIEWED_RESULTS_FILE).names == columns.RESULTS.names


def test_cleared_person_keeps_other_findings(tmp_path):
    """Clearing a false positive leaves the person's rule findings and their decision."""
    persons = [_person("P1", **VISITOR_TECH)]
    hits = [_party_hit("P1", 1, "us-ofac-sdn", "100", "2021-07-07", PREV_DATE,
                       "false_positive")]
    previous = _write_run(tmp_path / "a", persons, PREV_DATE, hits)
    current = _write_run(tmp_path / "b", persons, PREV_DATE,
                         [{**hits[0], "review_decision": None}])
    report = rescreen_persons(current, previous)  # decisions read from the previous hits
    row = report.results.to_pylist()[0]
    assert row["decision"] == "LICENSE_REQUIRED"
    assert row["reason_codes"] == ["NON_RESIDENT", "TECH_ACCESS"]
    assert "cleared as false positive" in row["explanation"]


def test_reviews_carry_over_a_second_year(runs, tmp_path):
    previous, current = runs
    rescreen_persons(current, previous, previous / "hits.parquet",
                     entry_changes=_only_entry_7_changed)
    third = _write_run(tmp_path / "2026", [_person("P1")], CUR_DATE, [
        _party_hit("P1", 1, "us-ofac-sdn", "100", "2021-07-07", CUR_DATE)])
    report = rescreen_persons(third, current, entry_changes=_only_entry_7_changed)
    assert report.results.column("decision").to_pylist() == ["CLEAR"]


def test_decisions_from_excel_review_queue(runs, tmp_path):
    previous, current = runs
    queue = pl.read_parquet(previous / "hits.parquet").filter(pl.col("finding") == "party")
    path = tmp_path / "queue.xlsx"
    queue.select(["record_id", "list_id", "entry_id", "review_decision"]).write_excel(path)
    report = rescreen_persons(current, previous, path, entry_changes=_only_entry_7_changed)
    assert ("P1", "review_carried") in _changes(report)


def test_bad_review_decision_names_row_and_column(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text("record_id,list_id,entry_id,review_decision\n"
                    "P1,us-ofac-sdn,100,false_positive\nP2,us-ofac-sdn,101,maybe\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_decisions(path)
    assert info.value.where.row == 2
    assert info.value.where.column == "review_decision"
    assert "maybe" in info.value.render()


def test_missing_decision_column_is_named(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text("record_id,list_id,review_decision\nP1,x,true_match\n", encoding="utf-8")
    with pytest.raises(InputSchemaError, match="entry_id"):
        read_decisions(path)


def test_missing_run_file_is_a_clear_error(tmp_path, runs):
    previous, _ = runs
    with pytest.raises(InputError, match=r"results\.parquet not found"):
        rescreen_persons(tmp_path / "nowhere", previous)


def test_residency_and_category_changes_show_when_the_decision_stays(tmp_path):
    tsinghua = {"organisation": "Tsinghua University", "country": "CN", "kind": "employment"}
    peking = {"organisation": "Peking University", "country": "CN", "kind": "employment"}
    csc = {"payer": "China Scholarship Council", "country": "CN", "income_share": 0.6}
    visitor = {"nationalities": ["US"], "entry_date": dt.date(2024, 3, 1)}
    previous = _write_run(tmp_path / "2024", [
        _person("NOTECH", **visitor),
        _person("ORG", affiliations=[tsinghua], controlled_technology="6項(1)"),
        _person("GROUND", **visitor, controlled_technology="6E001"),
        _person("SAME", affiliations=[tsinghua], controlled_technology="6項(1)"),
    ], PREV_DATE, [])
    current = _write_run(tmp_path / "2025", [
        _person("NOTECH", **visitor),
        _person("ORG", affiliations=[peking], controlled_technology="6項(1)"),
        _person("GROUND", **visitor, funding=[csc], controlled_technology="6E001"),
        _person("SAME", affiliations=[tsinghua], controlled_technology="6項(1)"),
    ], CUR_DATE, [])
    report = rescreen_persons(current, previous)
    changes = {(r["record_id"], r["change"]): r for r in report.changes.to_pylist()}
    assert not any(change == "decision_changed" for _, change in changes)
    # A visitor without listed technology became resident: CLEAR both years, still reported.
    became = changes[("NOTECH", "became_resident")]
    assert became["previous"] == "entry_date 2024-03-01 (resident from 2024-09-01)"
    assert became["current"] == "resident"
    # Category 1 on another contract: LICENSE_REQUIRED both years.
    other = changes[("ORG", "category_changed")]
    assert "Tsinghua University" in other["previous"] and "Peking University" in other["current"]
    assert other["reason_code"] == "SPECIFIC_CATEGORY_1"
    # Licence both years, first as a non-resident, then as a resident in category 2.
    assert ("GROUND", "became_resident") in changes
    assert changes[("GROUND", "category_added")]["current"] == "funding 0.6 (>= 0.25)"
    assert not [key for key in changes if key[0] == "SAME"]
