"""A person's technology value against the technology list in force on the screening date."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkscreen import columns
from bulkscreen.config import RunConfig
from bulkscreen.rules import techref
from bulkscreen.rules.technology import load_technology
from bulkscreen.screen.persons import screen_persons_batch

DAY = dt.date(2024, 2, 1)
TECH = load_technology(as_of=DAY)
INDEX = techref.technology_index(DAY)
# Every row and row item of the list, and every regime number.
ROW_ITEMS = sorted({(e.row, e.item) for e in TECH.entries})
NUMBERS = sorted(INDEX.numbers)


def _visitor(technology: str, **extra: object) -> dict:
    row = {name: None for name in columns.PERSONS.names}
    row.update(person_id="P1", full_name="Test Person", nationalities=["US"],
               entry_date=dt.date(2024, 1, 15), affiliations=[], funding=[],
               foreign_government_instructions=False, controlled_technology=technology)
    row.update(extra)
    return row


def _screen(people: list[dict], as_of: dt.date = DAY, index=None):
    batch = pa.RecordBatch.from_pylist(people, schema=columns.PERSONS.arrow_schema())
    results, hits = screen_persons_batch(batch, None, RunConfig(), as_of, technology=index)
    return results.to_pylist(), hits.to_pylist()


def test_every_row_of_the_list_is_listed_technology():
    assert {r for r, _ in ROW_ITEMS} == {*(str(n) for n in range(1, 16)), "3-2"}
    people = [_visitor(f"{row}項{item}", person_id=f"{row}{item}") for row, item in ROW_ITEMS]
    people += [_visitor(f"row {row}" + (f" item {item[1:-1]}" if item else ""),
                        person_id=f"en {row}{item}") for row, item in ROW_ITEMS]
    results, _ = _screen(people)
    for person, row in zip(people, results, strict=True):
        assert row["decision"] == "LICENSE_REQUIRED", (person["controlled_technology"], row)
        assert {"NON_RESIDENT", "TECH_ACCESS"} <= set(row["reason_codes"])
        assert "jp-technology/2026-02-14" in row["explanation"]


@pytest.mark.parametrize("number", NUMBERS)
def test_every_regime_number_is_listed_technology(number):
    (row,), _ = _screen([_visitor(number)])
    assert row["decision"] == "LICENSE_REQUIRED", row["explanation"]
    assert f"regime number {number}" in row["explanation"]


@pytest.mark.parametrize(("value", "nearest"), [
    ("6項(9)", "6項(6)"), ("row 6 item 9", "6項(6)"), ("6E009", "6E003"),
    ("3A001", "3E001"), ("14項(1)", "14項"), ("row 17", "15項"), ("22-p9.9", "22-p5"),
])
def test_unknown_reference_is_review_naming_the_nearest_real_ones(value, nearest):
    (row,), hits = _screen([_visitor(value, entry_date=dt.date(2020, 1, 1))])
    assert row["decision"] == "REVIEW" and row["reason_codes"] == ["TECH_UNCONFIRMED"]
    (hit,) = hits
    assert hit["field"] == "controlled_technology" and hit["value"] == value
    assert nearest in hit["threshold"] and nearest in hit["explanation"]
    assert "not in the technology list jp-technology/2026-02-14" in hit["explanation"]
    assert hit["rule_version"] == "jp-technology/2026-02-14"


def test_free_text_is_review_confirm_which_technology_not_clear():
    # A resident (Japanese, no categories) with a research area and no reference.
    person = _visitor("quantum sensing", nationalities=["JP"], entry_date=None)
    (row,), (hit,) = _screen([person])
    assert row["decision"] == "REVIEW"
    assert "confirm which controlled technology" in hit["explanation"]
    assert "free text" in hit["explanation"]


def test_the_list_in_force_on_the_screening_date_decides():
    # An entry that enters into force later is not yet a valid reference.
    later = dt.date(2030, 1, 1)
    entries = tuple(dataclasses.replace(e, valid_from=later) if e.row == "14" else e
                    for e in TECH.entries)
    dated = dataclasses.replace(TECH, entries=entries)
    before = techref.TechnologyIndex.build(dated, DAY)
    after = techref.TechnologyIndex.build(dated, later)
    (row_before,), _ = _screen([_visitor("14項")], DAY, before)
    (row_after,), _ = _screen([_visitor("14項", entry_date=later)], later, after)
    assert row_before["decision"] == "REVIEW"
    assert "TECH_UNCONFIRMED" in row_before["reason_codes"]
    assert row_after["decision"] == "LICENSE_REQUIRED"


def test_full_width_and_japanese_item_forms_are_read():
    for value in ("６項（１）", "15項(5の2)", "6e001.a", " 2(1) "):
        (row,), _ = _screen([_visitor(value)])
        assert row["decision"] == "LICENSE_REQUIRED", (value, row["explanation"])


def test_cli_screen_persons_reads_the_new_columns_and_checks_them(tmp_path):
    import polars as pl
    from cli_run import run_cli

    csv = tmp_path / "visitors.csv"
    csv.write_text(
        "person_id,full_name,nationalities,entry_date,employer_in_japan,affiliations,funding,"
        "foreign_government_instructions,controlled_technology,temporary_return,"
        "employer_priority_agreement\n"
        "A,Taro Yamada,JP,2024-01-15,,-,-,no,6項(1),yes,\n"
        "B,Taro Suzuki,JP,2024-01-15,,-,-,no,6項(1),,\n"
        "C,Hanako Sato,JP,,Osaka University,Tsinghua University|CN|employment,-,no,6E001,,"
        "true\n"
        "D,Jiro Tanaka,JP,,,-,-,no,6項(9),,\n"
        "E,Saburo Ito,JP,,,-,-,no,quantum sensing,,\n"
        "F,Shiro Kato,JP,,,-,-,no,,,perhaps\n",
        encoding="utf-8")
    out = tmp_path / "run"
    assert run_cli("screen", "persons", csv, "--as-of", "2024-02-01", "--out", out,
                   "--lists", "jp-meti-eul", "--quiet") == 0
    results = {r["record_id"]: r for r in pl.read_parquet(out / "results.parquet").to_dicts()}
    assert results["A"]["decision"] == "LICENSE_REQUIRED"  # temporary return, under 6 months
    assert results["B"]["decision"] == "CLEAR"  # returned to Japan: resident on return
    assert results["C"]["decision"] == "CLEAR"  # category 1 excluded by the agreement
    assert results["C"]["reason_codes"] == ["CATEGORY_1_EXCLUDED"]
    assert results["D"]["decision"] == "REVIEW" and "6項(6)" in results["D"]["explanation"]
    assert results["E"]["decision"] == "REVIEW"
    assert "confirm which controlled technology" in results["E"]["explanation"]
    # A value that is not true/false is quarantined with its row and column.
    quarantine = pl.read_parquet(out / "quarantine.parquet").to_dicts()
    assert [(q["input_row"], q["column"], q["value"]) for q in quarantine] == [
        (6, "employer_priority_agreement", "perhaps")]
    # The manifest names the technology list and the deemed-export rules.
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    regimes = {r["regime"]: r["version"] for r in run["data"]["rules"]}
    assert regimes == {"jp-deemed": "2022-05-01", "jp-technology": "2026-02-14"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(["6項(1)", "row 6 item 1", "6E001", "6項(9)", "16", "", "none", "3A001",
                     "ML22", "14項", "22-p1.1", "15項(5の2)", "６項（１）"]),
    st.text(max_size=12), st.none()), max_size=30))
def test_classify_reads_each_value_as_alone(values):
    # Values are read once per distinct value; every row gets what its value alone gets.
    got = techref.classify_technology(pa.array(values, pa.string()), INDEX, ("", "none"))
    for i, value in enumerate(values):
        alone = techref.classify_technology(pa.array([value], pa.string()), INDEX,
                                            ("", "none"))
        assert got.kind[i] == alone.kind[0]
        assert got.canonical[i] == alone.canonical[0]
        assert got.detail[i] == alone.detail[0]
