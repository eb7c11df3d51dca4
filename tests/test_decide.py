"""The one decision step: the most severe decision wins, reasons keep a stable order."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from bulkscreen.columns import DECISION_SEVERITY, DECISIONS, HITS, RESULTS
from bulkscreen.decide import (
    CLEAR_TEXT,
    REASON_ORDER,
    Findings,
    decide,
    order_reason_codes,
)

DAY = dt.date(2025, 1, 1)


def _decide(findings: Findings, n: int, **options):
    return decide(findings, input_row=np.arange(1, n + 1), record_id=[f"r{i}" for i in range(n)],
                  as_of=DAY, **options)


def test_most_severe_decision_wins_and_reasons_are_ordered():
    f = Findings()
    f.add([0, 1], finding="item", decision="REVIEW", reason_code="CONTROL_UNKNOWN",
          explanation="unknown")
    f.add([0], finding="measure", decision="PROHIBITED", reason_code="RU_BY_BAN",
          explanation="banned")
    f.add([1], finding="item", decision="LICENSE_REQUIRED", reason_code="CONTROL_ENTRY",
          explanation=["met"])
    f.add([1], finding="item", decision="REVIEW", reason_code="CONTROL_UNKNOWN",
          explanation="again")
    results, hits = _decide(f, 3, label_reasons=True)
    assert results.schema == RESULTS.arrow_schema()
    assert results.column("decision").to_pylist() == ["PROHIBITED", "LICENSE_REQUIRED", "CLEAR"]
    assert results.column("reason_codes").to_pylist() == [
        ["RU_BY_BAN", "CONTROL_UNKNOWN"], ["CONTROL_ENTRY", "CONTROL_UNKNOWN"], []]
    explanation = results.column("explanation").to_pylist()
    assert explanation[1] == ("CONTROL_ENTRY: met | CONTROL_UNKNOWN: unknown | "
                              "CONTROL_UNKNOWN: again")
    assert explanation[2] == CLEAR_TEXT
    assert results.column("n_hits").to_pylist() == [2, 3, 0]
    assert hits.num_rows == 5


def test_order_does_not_depend_on_insertion_order():
    a, b = Findings(), Findings()
    codes = list(REASON_ORDER)
    for code in codes:
        a.add([0], finding="item", decision="REVIEW", reason_code=code, explanation=code)
    for code in reversed(codes):
        b.add([0], finding="item", decision="REVIEW", reason_code=code, explanation=code)
    (ra, ha), (rb, hb) = _decide(a, 1), _decide(b, 1)
    assert ra.column("reason_codes").to_pylist() == rb.column("reason_codes").to_pylist() \
        == [codes]
    assert ha.column("reason_code").to_pylist() == hb.column("reason_code").to_pylist() == codes


def test_order_within_a_reason_follows_the_step_then_insertion():
    f = Findings()
    f.add([0, 0], finding="person", decision="REVIEW", reason_code="MISSING_INFO",
          explanation=["second", "first"], order=np.array([2, 1]))
    f.add([0], finding="person", decision="REVIEW", reason_code="MISSING_INFO",
          explanation="also first", order=np.array([1]))
    results, hits = _decide(f, 1)
    assert hits.column("explanation").to_pylist() == ["first", "also first", "second"]
    assert results.column("explanation")[0].as_py() == "first | also first | second"


def test_informational_exemption_keeps_row_clear():
    f = Findings()
    f.add([0], finding="item", decision="CLEAR", reason_code="SMALL_VALUE_EXEMPT",
          explanation="exempt")
    results, _ = _decide(f, 1)
    assert results.column("decision").to_pylist() == ["CLEAR"]
    assert results.column("reason_codes").to_pylist() == [["SMALL_VALUE_EXEMPT"]]


def test_extra_codes_are_listed_only_on_rows_with_a_decision():
    f = Findings()
    f.add([1], finding="person", decision=np.array([DECISION_SEVERITY["LICENSE_REQUIRED"]]),
          reason_code="NON_RESIDENT", explanation="non-resident")
    results, _ = _decide(f, 2, extra_codes={"TECH_ACCESS": np.array([True, True])})
    assert results.column("reason_codes").to_pylist() == [[], ["NON_RESIDENT", "TECH_ACCESS"]]
    assert results.column("decision").to_pylist() == ["CLEAR", "LICENSE_REQUIRED"]


def test_top_score_is_the_best_finding_score():
    f = Findings()
    f.add([0, 0, 1], finding="party", decision="REVIEW", reason_code="PARTY_HIT",
          explanation="m", score=pa.array([0.91, 0.97, None], pa.float32()))
    results, _ = _decide(f, 2)
    assert results.column("top_score").to_pylist() == pytest.approx([0.97, 0.0])


def test_bad_findings_are_refused():
    f = Findings()
    with pytest.raises(ValueError, match="2 values for 1 rows"):
        f.add([0], finding="item", decision="REVIEW", reason_code="NK_BAN",
              explanation=["a", "b"])
    with pytest.raises(TypeError, match="not HITS columns"):
        f.add([0], finding="item", decision="REVIEW", reason_code="NK_BAN", explanation="a",
              colour="red")
    with pytest.raises(ValueError, match="unknown reason code 'X'"):
        f.add([0], finding="item", decision="REVIEW", reason_code="X", explanation="a")
    with pytest.raises(ValueError, match="unknown decision 'MAYBE'"):
        f.add([0], finding="item", decision="MAYBE", reason_code="NK_BAN", explanation="a")


def test_hits_have_the_registry_schema_sorted_by_row_and_dated_per_row():
    f = Findings()
    f.add([1], finding="item", decision="REVIEW", reason_code="CONTROL_UNKNOWN",
          explanation="b", rule_id="2B001.f")
    f.add([0], finding="party", decision="REVIEW", reason_code="PARTY_HIT", explanation="a",
          score=0.9, list_id="us-ofac-sdn")
    days = np.array([19000, 19001], dtype=np.int32)
    results, hits = decide(f, input_row=np.array([10, 11]), record_id=["r10", "r11"],
                           as_of=days)
    assert hits.schema == HITS.arrow_schema()
    assert hits.column("input_row").to_pylist() == [10, 11]
    assert hits.column("record_id").to_pylist() == ["r10", "r11"]
    assert hits.column("rule_id").to_pylist() == [None, "2B001.f"]
    assert hits.column("as_of_date").to_pylist()[0] == dt.date(2022, 1, 8)
    assert results.column("as_of_date").to_pylist() == [dt.date(2022, 1, 8),
                                                        dt.date(2022, 1, 9)]


def test_hits_from_elsewhere_keep_their_order_within_a_reason():
    made = Findings()
    made.add([0, 0, 0], finding="party", decision="REVIEW",
             reason_code=["PARTY_NEAR_MATCH", "PARTY_HIT", "PARTY_HIT"],
             explanation=["near", "hit 1", "hit 2"], order=np.array([0, 1, 2]))
    _, hits = _decide(made, 1)
    again = Findings()
    again.add_hits(hits.take(pa.array([2, 1, 0])), rows=np.zeros(3, np.int64))
    _, rehit = _decide(again, 1)
    assert rehit.column("explanation").to_pylist() == ["hit 2", "hit 1", "near"]


def test_severity_table_is_the_decision_order():
    assert list(DECISION_SEVERITY) == list(DECISIONS)
    assert [DECISION_SEVERITY[d] for d in DECISIONS] == [0, 1, 2, 3]
    assert order_reason_codes(["SMALL_VALUE_EXEMPT", "NK_BAN", "NK_BAN"]) == \
        ["NK_BAN", "SMALL_VALUE_EXEMPT"]
