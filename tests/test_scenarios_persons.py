"""Deemed-export scenarios with known answers, one line each, including the boundary days.

Each scenario is a person (defaults below: a Japanese national living in Japan with nothing to
report), a date, the expected decision and the reason codes that must appear (and, where it
matters, codes that must not). Name matching is off here; it has its own tests.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from bulkscreen import columns
from bulkscreen.config import RunConfig
from bulkscreen.decide import CLEAR_TEXT
from bulkscreen.screen.persons import screen_persons_batch

D = dt.date
UNI_CN = {"organisation": "Tsinghua University", "country": "CN", "kind": "employment"}
UNI_JP = {"organisation": "Kyoto University", "country": "JP", "kind": "employment"}
CSC = {"payer": "China Scholarship Council", "country": "CN", "income_share": 0.6}
JSPS = {"payer": "Japan Society for the Promotion of Science", "country": "JP",
        "income_share": 1.0}

BASE = {
    "person_id": "P1",
    "full_name": "Test Person",
    "aliases": [],
    "date_of_birth": D(1990, 1, 1),
    "nationalities": ["JP"],
    "entry_date": None,
    "employer_in_japan": None,
    "official_status": None,
    "affiliations": [],
    "funding": [],
    "visit_start": None,
    "visit_end": None,
    "host_department": "Physics",
    "research_area": "materials",
    "controlled_technology": "",
    "foreign_government_instructions": False,
    "temporary_return": None,
    "employer_priority_agreement": None,
}
# A foreign visitor who entered on 2024-01-15 and is not employed in Japan.
VISITOR = {"nationalities": ["US"], "entry_date": D(2024, 1, 15)}
TECH = {"controlled_technology": "2(1)"}


def person(**overrides: object) -> dict:
    row = dict(BASE)
    row.update(overrides)
    return row


# (id, person overrides, as_of, expected decision, codes present, codes absent)
SCENARIOS = [
    ("jp-resident-no-tech", {}, D(2024, 6, 1), "CLEAR", [], []),
    ("jp-resident-tech", TECH, D(2024, 6, 1), "CLEAR", [], []),
    # Six-month rule: entry 2024-01-15, resident from 2024-07-15.
    ("visitor-6m-minus-1-day", {**VISITOR, **TECH}, D(2024, 7, 14), "LICENSE_REQUIRED",
     ["NON_RESIDENT", "TECH_ACCESS"], []),
    ("visitor-6m-day", {**VISITOR, **TECH}, D(2024, 7, 15), "CLEAR", [], []),
    ("visitor-entry-day", {**VISITOR, **TECH}, D(2024, 1, 15), "LICENSE_REQUIRED",
     ["NON_RESIDENT"], []),
    ("visitor-before-entry", {**VISITOR, **TECH}, D(2024, 1, 14), "LICENSE_REQUIRED",
     ["NON_RESIDENT"], []),
    # Month end: entry 2023-08-31, six months end 2024-02-29 (leap year), resident 2024-03-01.
    ("visitor-month-end-last-day", {**VISITOR, "entry_date": D(2023, 8, 31), **TECH},
     D(2024, 2, 29), "LICENSE_REQUIRED", ["NON_RESIDENT"], []),
    ("visitor-month-end-resident", {**VISITOR, "entry_date": D(2023, 8, 31), **TECH},
     D(2024, 3, 1), "CLEAR", [], []),
    # Without listed technology residency decides nothing, but it is on record (informational).
    ("visitor-no-tech", VISITOR, D(2024, 2, 1), "CLEAR", ["NON_RESIDENT"], []),
    ("employed-from-entry", {**VISITOR, **TECH, "employer_in_japan": "Toyota"},
     D(2024, 1, 15), "CLEAR", [], []),
    ("employed-not-yet-entered", {**VISITOR, **TECH, "employer_in_japan": "Toyota"},
     D(2024, 1, 14), "LICENSE_REQUIRED", ["NON_RESIDENT"], []),
    ("diplomat-long-stay", {**VISITOR, **TECH, "official_status": "diplomat",
                            "entry_date": D(2015, 1, 1)}, D(2024, 6, 1), "LICENSE_REQUIRED",
     ["NON_RESIDENT"], []),
    ("us-forces-employed", {**VISITOR, **TECH, "official_status": "us_forces",
                            "employer_in_japan": "US Forces Japan", "entry_date": D(2015, 1, 1)},
     D(2024, 6, 1), "LICENSE_REQUIRED", ["NON_RESIDENT"], []),
    ("io-official-no-tech", {**VISITOR, "official_status": "international_organisation",
                             "entry_date": D(2015, 1, 1)}, D(2024, 6, 1), "CLEAR",
     ["NON_RESIDENT"], []),
    # A Japanese national returning to Japan is resident on return.
    ("jp-returned-entry-day", {"entry_date": D(2024, 1, 15), **TECH}, D(2024, 1, 15),
     "CLEAR", [], ["NON_RESIDENT"]),
    ("jp-returned-5-months", {"entry_date": D(2024, 1, 15), **TECH}, D(2024, 7, 14),
     "CLEAR", [], ["NON_RESIDENT"]),
    ("jp-returned-declared-not-temporary", {"entry_date": D(2024, 1, 15), **TECH,
                                            "temporary_return": False,
                                            "visit_end": D(2024, 3, 1)}, D(2024, 2, 1),
     "CLEAR", [], ["NON_RESIDENT"]),
    ("jp-still-abroad", {"entry_date": D(2024, 1, 15), **TECH}, D(2024, 1, 14),
     "LICENSE_REQUIRED", ["NON_RESIDENT"], []),
    # Only a temporary return of under six months keeps a Japanese national non-resident:
    # back on 2024-01-15, the six months end on 2024-07-14.
    ("jp-temporary-entry-day", {"entry_date": D(2024, 1, 15), "temporary_return": True,
                                **TECH}, D(2024, 1, 15), "LICENSE_REQUIRED",
     ["NON_RESIDENT", "TECH_ACCESS"], []),
    ("jp-temporary-6m-minus-1-day", {"entry_date": D(2024, 1, 15), "temporary_return": True,
                                     **TECH}, D(2024, 7, 14), "LICENSE_REQUIRED",
     ["NON_RESIDENT"], []),
    ("jp-temporary-6m-day", {"entry_date": D(2024, 1, 15), "temporary_return": True, **TECH},
     D(2024, 7, 15), "CLEAR", [], ["NON_RESIDENT"]),
    ("jp-temporary-month-end", {"entry_date": D(2023, 8, 31), "temporary_return": True,
                                **TECH}, D(2024, 2, 29), "LICENSE_REQUIRED",
     ["NON_RESIDENT"], []),
    ("jp-temporary-month-end-resident", {"entry_date": D(2023, 8, 31),
                                         "temporary_return": True, **TECH}, D(2024, 3, 1),
     "CLEAR", [], ["NON_RESIDENT"]),
    ("jp-temporary-to-work", {"entry_date": D(2024, 1, 15), "temporary_return": True,
                              "employer_in_japan": "Hitachi", **TECH}, D(2024, 2, 1),
     "CLEAR", [], ["NON_RESIDENT"]),
    ("jp-temporary-no-tech", {"entry_date": D(2024, 1, 15), "temporary_return": True},
     D(2024, 2, 1), "CLEAR", ["NON_RESIDENT"], []),
    # Not declared: a visit planned to end before the six months is a temporary return.
    ("jp-visit-ends-6m-minus-1-day", {"entry_date": D(2024, 1, 15),
                                      "visit_end": D(2024, 7, 14), **TECH}, D(2024, 2, 1),
     "LICENSE_REQUIRED", ["NON_RESIDENT"], []),
    ("jp-visit-ends-6m-day", {"entry_date": D(2024, 1, 15), "visit_end": D(2024, 7, 15),
                              **TECH}, D(2024, 2, 1), "CLEAR", [], ["NON_RESIDENT"]),
    ("jp-returned-foreign-employer", {"entry_date": D(2024, 5, 1), "affiliations": [UNI_CN],
                                      **TECH}, D(2024, 6, 1), "LICENSE_REQUIRED",
     ["SPECIFIC_CATEGORY_1"], ["NON_RESIDENT"]),
    ("dual-jp-us-resident", {"nationalities": ["US", "JP"], **TECH}, D(2024, 6, 1), "CLEAR",
     [], []),
    # Specific categories start 2022-05-01.
    ("cat1-day-before", {"affiliations": [UNI_CN], **TECH}, D(2022, 4, 30), "CLEAR", [], []),
    ("cat1-first-day", {"affiliations": [UNI_CN], **TECH}, D(2022, 5, 1), "LICENSE_REQUIRED",
     ["SPECIFIC_CATEGORY_1", "TECH_ACCESS"], ["NON_RESIDENT"]),
    ("cat1-no-tech", {"affiliations": [UNI_CN]}, D(2024, 6, 1), "REVIEW",
     ["SPECIFIC_CATEGORY_1"], ["TECH_ACCESS"]),
    ("cat1-concurrent", {"affiliations": [{**UNI_CN, "kind": "concurrent_appointment"}],
                         **TECH}, D(2024, 6, 1), "LICENSE_REQUIRED", ["SPECIFIC_CATEGORY_1"], []),
    ("cat1-contract", {"affiliations": [{**UNI_CN, "kind": "contract"}], **TECH},
     D(2024, 6, 1), "LICENSE_REQUIRED", ["SPECIFIC_CATEGORY_1"], []),
    ("cat1-japanese-org", {"affiliations": [UNI_JP], **TECH}, D(2024, 6, 1), "CLEAR", [], []),
    # The employer-priority agreement takes a foreign contract out of category 1 when the
    # person is employed in Japan.
    ("cat1-priority-agreement", {"affiliations": [UNI_CN], "employer_in_japan": "Osaka Univ",
                                 "employer_priority_agreement": True, **TECH}, D(2024, 6, 1),
     "CLEAR", ["CATEGORY_1_EXCLUDED"], ["SPECIFIC_CATEGORY_1"]),
    ("cat1-priority-agreement-first-day", {"affiliations": [UNI_CN],
                                           "employer_in_japan": "Osaka Univ",
                                           "employer_priority_agreement": True, **TECH},
     D(2022, 5, 1), "CLEAR", ["CATEGORY_1_EXCLUDED"], ["SPECIFIC_CATEGORY_1"]),
    ("cat1-priority-agreement-jp-affiliation", {"affiliations": [UNI_JP, UNI_CN],
                                                "employer_priority_agreement": True, **TECH},
     D(2024, 6, 1), "CLEAR", ["CATEGORY_1_EXCLUDED"], ["SPECIFIC_CATEGORY_1"]),
    ("cat1-agreement-without-japanese-employer", {"affiliations": [UNI_CN],
                                                  "employer_priority_agreement": True,
                                                  **TECH}, D(2024, 6, 1), "LICENSE_REQUIRED",
     ["SPECIFIC_CATEGORY_1"], ["CATEGORY_1_EXCLUDED"]),
    ("cat1-no-agreement", {"affiliations": [UNI_CN], "employer_in_japan": "Osaka Univ",
                           "employer_priority_agreement": False, **TECH}, D(2024, 6, 1),
     "LICENSE_REQUIRED", ["SPECIFIC_CATEGORY_1"], ["CATEGORY_1_EXCLUDED"]),
    ("cat1-agreement-other-category-stays", {"affiliations": [UNI_CN], "funding": [CSC],
                                             "employer_in_japan": "Osaka Univ",
                                             "employer_priority_agreement": True, **TECH},
     D(2024, 6, 1), "LICENSE_REQUIRED", ["SPECIFIC_CATEGORY_2", "CATEGORY_1_EXCLUDED"],
     ["SPECIFIC_CATEGORY_1"]),
    ("cat2-day-before", {"funding": [CSC], **TECH}, D(2022, 4, 30), "CLEAR", [], []),
    ("cat2-first-day", {"funding": [CSC], **TECH}, D(2022, 5, 1), "LICENSE_REQUIRED",
     ["SPECIFIC_CATEGORY_2"], []),
    ("cat2-share-0.2499", {"funding": [{**CSC, "income_share": 0.2499}], **TECH},
     D(2024, 6, 1), "CLEAR", [], []),
    ("cat2-share-0.25", {"funding": [{**CSC, "income_share": 0.25}], **TECH}, D(2024, 6, 1),
     "LICENSE_REQUIRED", ["SPECIFIC_CATEGORY_2"], []),
    ("cat2-summed-payers", {"funding": [
        {"payer": "Ministry of Education", "country": "KR", "income_share": 0.1},
        {"payer": "National Research Council", "country": "KR", "income_share": 0.15}],
        **TECH}, D(2024, 6, 1), "LICENSE_REQUIRED", ["SPECIFIC_CATEGORY_2"], []),
    ("cat2-chinese-script-payer", {"funding": [
        {"payer": "国家留学基金管理委员会", "country": "CN", "income_share": 0.5}]},
     D(2024, 6, 1), "REVIEW", ["SPECIFIC_CATEGORY_2"], []),
    ("cat2-japanese-government", {"funding": [JSPS], **TECH}, D(2024, 6, 1), "CLEAR", [], []),
    ("cat2-private-foreign", {"funding": [{"payer": "Samsung Electronics", "country": "KR",
                                           "income_share": 0.9}], **TECH},
     D(2024, 6, 1), "CLEAR", [], []),
    ("cat2-ngo-excluded", {"funding": [{"payer": "Non-Government Research Fund",
                                        "country": "US", "income_share": 0.9}], **TECH},
     D(2024, 6, 1), "CLEAR", [], []),
    ("cat3-day-before", {"foreign_government_instructions": True, **TECH}, D(2022, 4, 30),
     "CLEAR", [], []),
    ("cat3-first-day", {"foreign_government_instructions": True, **TECH}, D(2022, 5, 1),
     "LICENSE_REQUIRED", ["SPECIFIC_CATEGORY_3"], []),
    ("cat3-no-tech", {"foreign_government_instructions": True}, D(2024, 6, 1), "REVIEW",
     ["SPECIFIC_CATEGORY_3"], []),
    ("resident-foreigner-cat1", {"nationalities": ["CN"], "entry_date": D(2020, 4, 1),
                                 "affiliations": [UNI_CN], **TECH}, D(2024, 6, 1),
     "LICENSE_REQUIRED", ["SPECIFIC_CATEGORY_1"], ["NON_RESIDENT"]),
    # Row 16 (catch-all) is not listed technology.
    ("row-16-not-listed", {**VISITOR, "controlled_technology": "16"}, D(2024, 2, 1), "CLEAR",
     ["NON_RESIDENT"], ["TECH_ACCESS", "TECH_UNCONFIRMED"]),
    # Technology values: references of the list in force, unknown references, free text.
    ("tech-row-item-japanese", {**VISITOR, "controlled_technology": "6項(1)"}, D(2024, 2, 1),
     "LICENSE_REQUIRED", ["NON_RESIDENT", "TECH_ACCESS"], []),
    ("tech-row-item-english", {**VISITOR, "controlled_technology": "row 6 item 1"},
     D(2024, 2, 1), "LICENSE_REQUIRED", ["NON_RESIDENT", "TECH_ACCESS"], []),
    ("tech-regime-number", {**VISITOR, "controlled_technology": "6E001"}, D(2024, 2, 1),
     "LICENSE_REQUIRED", ["NON_RESIDENT", "TECH_ACCESS"], []),
    ("tech-unknown-item", {**VISITOR, "controlled_technology": "6項(9)"}, D(2024, 2, 1),
     "REVIEW", ["NON_RESIDENT", "TECH_UNCONFIRMED"], ["TECH_ACCESS"]),
    ("tech-unknown-regime-number", {"controlled_technology": "6E009"}, D(2024, 2, 1),
     "REVIEW", ["TECH_UNCONFIRMED"], []),
    ("tech-goods-number", {**VISITOR, "controlled_technology": "3A001"}, D(2024, 2, 1),
     "REVIEW", ["TECH_UNCONFIRMED"], ["TECH_ACCESS"]),
    ("tech-free-text-resident", {"controlled_technology": "quantum sensing"}, D(2024, 2, 1),
     "REVIEW", ["TECH_UNCONFIRMED"], []),
    ("tech-free-text-visitor", {**VISITOR, "controlled_technology": "quantum sensing"},
     D(2024, 2, 1), "REVIEW", ["NON_RESIDENT", "TECH_UNCONFIRMED"], ["TECH_ACCESS"]),
    ("tech-free-text-category", {"affiliations": [UNI_CN],
                                 "controlled_technology": "semiconductor research"},
     D(2024, 6, 1), "REVIEW", ["SPECIFIC_CATEGORY_1", "TECH_UNCONFIRMED"], []),
    # Red-flag nationality.
    ("red-flag-iran", {"nationalities": ["IR"], "entry_date": D(2020, 1, 1)}, D(2024, 6, 1),
     "REVIEW", ["RED_FLAG_NATIONALITY"], []),
    ("red-flag-dual-jp-kp", {"nationalities": ["JP", "KP"]}, D(2024, 6, 1), "REVIEW",
     ["RED_FLAG_NATIONALITY"], []),
    ("red-flag-cf-day-before", {"nationalities": ["CF"], "entry_date": D(2010, 1, 1)},
     D(2014, 9, 14), "CLEAR", [], []),
    ("red-flag-cf-first-day", {"nationalities": ["CF"], "entry_date": D(2010, 1, 1)},
     D(2014, 9, 15), "REVIEW", ["RED_FLAG_NATIONALITY"], []),
    ("red-flag-with-licence", {"nationalities": ["IR"], "entry_date": D(2024, 5, 1), **TECH},
     D(2024, 6, 1), "LICENSE_REQUIRED", ["NON_RESIDENT", "RED_FLAG_NATIONALITY"], []),
    # Missing information is REVIEW, never CLEAR.
    ("missing-nationality", {"nationalities": None}, D(2024, 6, 1), "REVIEW", ["MISSING_INFO"],
     []),
    ("missing-nationality-empty", {"nationalities": []}, D(2024, 6, 1), "REVIEW",
     ["MISSING_INFO"], []),
    ("missing-entry-foreign", {"nationalities": ["US"]}, D(2024, 6, 1), "REVIEW",
     ["MISSING_INFO"], []),
    ("missing-entry-but-employed", {"nationalities": ["US"], "employer_in_japan": "Sony"},
     D(2024, 6, 1), "CLEAR", [], []),
    ("missing-affiliations-and-funding", {**VISITOR, "affiliations": None, "funding": None},
     D(2024, 6, 1), "REVIEW", ["MISSING_INFO"], []),
    ("missing-affiliations-before-categories", {**VISITOR, "entry_date": D(2020, 1, 1),
                                                "affiliations": None, "funding": None},
     D(2022, 4, 30), "CLEAR", [], []),
    ("missing-only-affiliations", {**VISITOR, "affiliations": None}, D(2024, 6, 1), "CLEAR",
     ["NON_RESIDENT"], ["MISSING_INFO"]),
    ("missing-instructions-foreign", {**VISITOR, "foreign_government_instructions": None},
     D(2024, 6, 1), "REVIEW", ["MISSING_INFO"], []),
    ("missing-affiliation-country", {"affiliations": [{**UNI_CN, "country": None}]},
     D(2024, 6, 1), "REVIEW", ["MISSING_INFO"], []),
    ("missing-affiliation-kind", {"affiliations": [{**UNI_CN, "kind": None}]}, D(2024, 6, 1),
     "REVIEW", ["MISSING_INFO"], ["SPECIFIC_CATEGORY_1"]),
    ("missing-funding-share", {"funding": [{**CSC, "income_share": None}]}, D(2024, 6, 1),
     "REVIEW", ["MISSING_INFO"], ["SPECIFIC_CATEGORY_2"]),
    ("unknown-official-status", {**VISITOR, "entry_date": D(2020, 1, 1),
                                 "official_status": "ambassador's cook"}, D(2024, 6, 1),
     "REVIEW", ["MISSING_INFO"], []),
]


def _screen(rows: list[dict], as_of: dt.date) -> tuple[pa.Table, pa.Table]:
    batch = pa.RecordBatch.from_pylist(rows, schema=columns.PERSONS.arrow_schema())
    results, hits = screen_persons_batch(batch, None, RunConfig(), as_of)
    return pa.Table.from_batches([results]), pa.Table.from_batches([hits])


@pytest.mark.parametrize(("overrides", "as_of", "decision", "present", "absent"),
                         [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_scenario(overrides, as_of, decision, present, absent):
    results, hits = _screen([person(**overrides)], as_of)
    row = results.to_pylist()[0]
    assert row["decision"] == decision, row["explanation"]
    assert set(present) <= set(row["reason_codes"]), row
    assert not set(absent) & set(row["reason_codes"]), row
    if decision == "CLEAR":
        # A CLEAR row has no findings, or informational ones only.
        assert set(hits.column("decision").to_pylist()) <= {"CLEAR"}
        assert (row["reason_codes"] == []) == (row["explanation"] == CLEAR_TEXT)
    else:
        assert row["explanation"]
        assert hits.num_rows == row["n_hits"] > 0


def test_all_scenarios_in_one_batch_match_one_by_one():
    """Vectorised over a batch, each row gets the same answer as alone (no cross-row leaks)."""
    by_date: dict[dt.date, list[tuple[str, dict, str]]] = {}
    for name, overrides, as_of, decision, _, _ in SCENARIOS:
        by_date.setdefault(as_of, []).append((name, person(person_id=name, **overrides),
                                              decision))
    for as_of, items in by_date.items():
        results, _ = _screen([p for _, p, _ in items], as_of)
        got = dict(zip(results.column("record_id").to_pylist(),
                       results.column("decision").to_pylist(), strict=True))
        assert got == {name: decision for name, _, decision in items}
