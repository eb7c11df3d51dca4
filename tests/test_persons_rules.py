"""The deemed-export rule data and the vectorised rule functions behind person screening."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkscreen import columns
from bulkscreen.columns import DECISION_SEVERITY as SEVERITY
from bulkscreen.config import RunConfig
from bulkscreen.errors import RuleDataError
from bulkscreen.rules import deemed, techref
from bulkscreen.screen.persons import screen_persons_batch


def naive_add_months(day: dt.date, months: int) -> dt.date:
    """Same day of the month ``months`` later, or the 1st of the month after when missing."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if day.day <= calendar.monthrange(year, month)[1]:
        return dt.date(year, month, day.day)
    return dt.date(year + month // 12, month % 12 + 1, 1)


@given(st.lists(st.dates(dt.date(1950, 1, 1), dt.date(2090, 12, 31)), max_size=50),
       st.integers(0, 36))
def test_add_months_matches_naive(days, months):
    numbers = np.array([deemed.date_to_days(d) for d in days], dtype=np.int32)
    got = [deemed.days_to_date(x) for x in deemed.add_months(numbers, months)]
    assert got == [naive_add_months(d, months) for d in days]


def test_bundled_rules_load_and_are_versioned():
    rules = deemed.load_deemed_rules(as_of=dt.date(2024, 1, 1))
    assert rules.version == "2022-05-01"
    assert rules.categories_from == dt.date(2022, 5, 1)
    assert rules.income_share_threshold == 0.25
    assert {"diplomat", "consular", "us_forces", "un_forces"} <= set(rules.official_statuses)
    assert {"residency", "specific_categories", "red_flags"} <= set(rules.verify)
    # A date before every version is judged by the earliest one (categories carry their date).
    assert deemed.load_deemed_rules(as_of=dt.date(2010, 1, 1)).version == "2022-05-01"
    catalog = deemed.deemed_rules_catalog()
    assert catalog[0]["version"] == "2022-05-01" and len(catalog[0]["sha256"]) == 64
    assert catalog[-1]["sha256"] == rules.sha256


def test_red_flags_follow_their_dates():
    rules = deemed.load_deemed_rules()
    assert "CF" not in rules.red_flag_countries(dt.date(2014, 9, 14))
    assert "CF" in rules.red_flag_countries(dt.date(2014, 9, 15))
    assert {"IR", "IQ", "KP"} <= set(rules.red_flag_countries(dt.date(2000, 1, 1)))


def test_unknown_version_names_the_choices():
    with pytest.raises(RuleDataError, match="2022-05-01"):
        deemed.load_deemed_rules(version="1999-01-01")


@pytest.mark.parametrize(("edit", "message"), [
    (("income_share_threshold = 0.25", "income_share_threshold = 25"), "outside"),
    (("foreign_resident_after_months = 6", "foreign_resident_after_months = \"six\""),
     "foreign_resident_after_months"),
    (("effective_from = 2022-05-01", ""), "specific_categories.effective_from"),
    (("country = \"CF\"", "country = \"Central Africa\""), "ISO alpha-2"),
    (("[meta]", "[meta"), "TOML"),
    (('exclusion_column = "employer_priority_agreement"', 'exclusion_column = "agreement"'),
     "not a persons column"),
])
def test_bad_rule_files_name_the_key(tmp_path: Path, edit, message):
    text = (deemed.deemed_rules_root() / "2022-05-01" / deemed.RULES_FILE).read_text("utf-8")
    assert edit[0] in text
    path = tmp_path / deemed.RULES_FILE
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(RuleDataError, match=message) as info:
        deemed.load_deemed_rules(path=path)
    assert str(path) in info.value.render()


def test_technology_values_are_read_against_the_list_in_force():
    rules = deemed.load_deemed_rules()
    index = techref.technology_index(dt.date(2024, 6, 1))
    values = pa.array(["2(1)", "", None, " none ", "該当なし", "16", "16(1)", "3A001", "row 16",
                       "6E001", "quantum"])
    kinds = techref.classify_technology(values, index, rules.no_technology_values).kind
    L, N, U, K, F = (techref.LISTED, techref.NONE, techref.UNLISTED, techref.UNKNOWN,
                     techref.FREE_TEXT)
    assert kinds.tolist() == [L, N, N, N, N, U, U, K, U, L, F]


# --- batch-level properties --------------------------------------------------------------------

COUNTRIES = ["JP", "US", "CN", "IR", "KR", "CF", None]
_dates = st.one_of(st.none(), st.dates(dt.date(2019, 1, 1), dt.date(2026, 1, 1)))
_person = st.fixed_dictionaries({
    "nationalities": st.one_of(st.none(), st.lists(st.sampled_from(COUNTRIES[:-1]),
                                                   max_size=2)),
    "entry_date": _dates,
    "employer_in_japan": st.sampled_from([None, "", "Toyota"]),
    "official_status": st.sampled_from([None, "", "diplomat", "un_forces", "chef"]),
    "affiliations": st.one_of(st.none(), st.lists(st.fixed_dictionaries({
        "organisation": st.sampled_from(["Uni A", "Firm B", None]),
        "country": st.sampled_from(COUNTRIES),
        "kind": st.sampled_from(["employment", "concurrent_appointment", "contract", "other",
                                 None]),
    }), max_size=3)),
    "funding": st.one_of(st.none(), st.lists(st.fixed_dictionaries({
        "payer": st.sampled_from(["Ministry of Science", "Acme Corp", "国家留学基金", None]),
        "country": st.sampled_from(COUNTRIES),
        "income_share": st.one_of(st.none(), st.floats(0, 1)),
    }), max_size=3)),
    "controlled_technology": st.sampled_from([None, "", "2(1)", "16", "none"]),
    "foreign_government_instructions": st.sampled_from([None, True, False]),
})


def _batch(people: list[dict]) -> pa.RecordBatch:
    rows = []
    for i, p in enumerate(people):
        row = {name: None for name in columns.PERSONS.names}
        row.update(p, person_id=f"P{i}", full_name=f"Name {i}")
        rows.append(row)
    return pa.RecordBatch.from_pylist(rows, schema=columns.PERSONS.arrow_schema())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_person, min_size=1, max_size=8),
       st.dates(dt.date(2021, 1, 1), dt.date(2025, 12, 31)))
def test_decision_is_worst_finding_and_rows_are_independent(people, as_of):
    batch = _batch(people)
    results, hits = screen_persons_batch(batch, None, RunConfig(), as_of)
    results, hits = results.to_pylist(), hits.to_pylist()
    assert [r["record_id"] for r in results] == [f"P{i}" for i in range(len(people))]
    for row in results:
        mine = [h for h in hits if h["record_id"] == row["record_id"]]
        worst = max((SEVERITY[h["decision"]] for h in mine), default=0)
        assert SEVERITY[row["decision"]] == worst
        assert row["n_hits"] == len(mine)
        # A CLEAR row has no findings or informational (CLEAR) ones only.
        if row["decision"] == "CLEAR":
            assert all(h["decision"] == "CLEAR" for h in mine)
        assert (row["reason_codes"] == []) == (not mine)
        assert all(h["explanation"] for h in mine)
    # Screening a person alone gives the same row as screening them in the batch.
    for i, p in enumerate(people):
        alone = screen_persons_batch(_batch([p]), None, RunConfig(), as_of)[0].to_pylist()[0]
        together = dict(results[i])
        assert {**alone, "record_id": together["record_id"], "input_row": 1} == {
            **together, "input_row": 1}


@settings(max_examples=20, deadline=None)
@given(_person, st.dates(dt.date(2021, 1, 1), dt.date(2025, 12, 31)))
def test_missing_information_is_never_clear(person, as_of):
    person = {**person, "nationalities": None}
    row = screen_persons_batch(_batch([person]), None, RunConfig(), as_of)[0].to_pylist()[0]
    assert row["decision"] != "CLEAR"
    assert "MISSING_INFO" in row["reason_codes"]


def test_input_row_column_is_carried():
    batch = _batch([{"nationalities": ["IR"], "entry_date": dt.date(2020, 1, 1),
                     "affiliations": [], "funding": [], "foreign_government_instructions": False}])
    batch = batch.append_column("input_row", pa.array([42], pa.int64()))
    results, hits = screen_persons_batch(batch, None, RunConfig(), dt.date(2024, 1, 1))
    assert results.column("input_row").to_pylist() == [42]
    assert hits.column("input_row").to_pylist() == [42]
    assert hits.column("field").to_pylist() == ["nationalities[0]"]
