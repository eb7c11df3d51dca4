"""A line's declared control entry never passes as a bare "no findings".

A declared code that names no entry of the rules goes to review with the nearest real
references; one whose entries were not yet (or no longer) in force on the line's day says so;
'非該当' or '16項' declares the goods unlisted (rules 2025-10-09-r3).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.dated_scenarios import screen_lines

D = dt.date

# (name, date, HS, declared entry) -> decision, reason code or None, words of the explanation
CASES = [
    ("quantum computer the day before item 6", D(2024, 9, 7), "", "7.6.イ.(2)", "CLEAR", None,
     ["the declared entry '7.6.イ.(2)' was not in force on 2024-09-07",
      "goods ordinance 7.6.イ.(2) (4A906.a.2) in force from 2024-09-08", "no HS code was given"]),
    ("the same code on another day before item 6", D(2023, 1, 6), "", "7.6.イ.(2)", "CLEAR",
     None, ["the declared entry '7.6.イ.(2)' was not in force on 2023-01-06"]),
    ("quantum computer on the first day of item 6", D(2024, 9, 8), "", "7.6.イ.(2)", "REVIEW",
     "CONTROL_UNKNOWN", ["physical_qubits not given"]),
    ("6.1.ヨ the day before it stood, HS with no entry", D(2025, 5, 27), "090111", "6.1.ヨ",
     "CLEAR", None, ["was not in force on 2025-05-27", "in force from 2025-05-28 to 2026-02-13",
                     "HS 090111 reaches no control-list entry"]),
    ("code of no regime", D(2024, 9, 8), "", "9Z999", "REVIEW", "ENTRY_UNCONFIRMED",
     ["the declared control entry '9Z999' names no entry of rules jp/2025-10-09-r3"]),
    ("typo of a real number", D(2024, 9, 8), "", "4A03.b", "REVIEW", "ENTRY_UNCONFIRMED",
     ["nearest references of the list: ", "4A003.B"]),
    ("row alone", D(2024, 9, 8), "", "row 3", "REVIEW", "ENTRY_UNCONFIRMED",
     ["a row number alone names no single entry"]),
    ("declared unlisted, Japanese", D(2024, 9, 8), "", "非該当", "CLEAR", None,
     ["declared '非該当': in no entry of rows 1-15 of Appended Table 1"]),
    ("declared row 16", D(2024, 9, 8), "", "16項", "CLEAR", None,
     ["declared '16項': in no entry of rows 1-15"]),
    ("a real entry in force is not touched", D(2024, 9, 8), "", "4A003.b", "REVIEW",
     "CONTROL_UNKNOWN", ["app not given"]),
]


@pytest.fixture(scope="module")
def screened():
    return screen_lines([(day, hs, [], declared) for _name, day, hs, declared, *_rest in CASES],
                        "2025-10-09-r3")


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0] for c in CASES])
def test_declared_entry_is_explained(screened, index):
    results, hits = screened
    *_, decision, reason, words = CASES[index]
    row = results.to_pylist()[index]
    assert row["decision"] == decision, row["explanation"]
    for word in words:
        assert word in row["explanation"], row["explanation"]
    codes = {h["reason_code"] for h in hits.to_pylist() if h["input_row"] == index + 1}
    if reason is None:
        assert not codes
    else:
        assert reason in codes


def test_unconfirmed_entry_names_the_column_and_the_value(screened):
    _, hits = screened
    found = [h for h in hits.to_pylist() if h["reason_code"] == "ENTRY_UNCONFIRMED"]
    assert {h["query_value"] for h in found} == {"9Z999", "4A03.b", "row 3"}
    assert {h["field"] for h in found} == {"declared_control_entry"}
    assert all(h["rule_version"] == "jp/2025-10-09-r3" for h in found)
