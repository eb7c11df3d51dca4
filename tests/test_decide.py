"""Combining findings: the most severe decision wins, reasons keep a stable order."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bulkscreen.columns import HITS
from bulkscreen.decide import NO_FINDINGS, REASON_ORDER, Findings, combine, hits_batch


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
    out = combine(3, f)
    assert out.decision == ["PROHIBITED", "LICENSE_REQUIRED", "CLEAR"]
    assert out.reason_codes == [["RU_BY_BAN", "CONTROL_UNKNOWN"],
                                ["CONTROL_ENTRY", "CONTROL_UNKNOWN"], []]
    assert out.explanation[1] == ("CONTROL_ENTRY: met | CONTROL_UNKNOWN: unknown | "
                                  "CONTROL_UNKNOWN: again")
    assert out.explanation[2] == NO_FINDINGS
    assert out.n_hits.tolist() == [2, 3, 0]


def test_order_does_not_depend_on_insertion_order():
    a, b = Findings(), Findings()
    codes = list(REASON_ORDER)
    for code in codes:
        a.add([0], finding="item", decision="REVIEW", reason_code=code, explanation=code)
    for code in reversed(codes):
        b.add([0], finding="item", decision="REVIEW", reason_code=code, explanation=code)
    assert combine(1, a).reason_codes == combine(1, b).reason_codes == [codes]


def test_informational_exemption_keeps_row_clear():
    f = Findings()
    f.add([0], finding="item", decision="CLEAR", reason_code="SMALL_VALUE_EXEMPT",
          explanation="exempt")
    out = combine(1, f)
    assert out.decision == ["CLEAR"] and out.reason_codes == [["SMALL_VALUE_EXEMPT"]]


def test_bad_findings_are_refused():
    f = Findings()
    with pytest.raises(ValueError, match="2 values for 1 rows"):
        f.add([0], finding="item", decision="REVIEW", reason_code="X", explanation=["a", "b"])
    with pytest.raises(TypeError, match="not HITS columns"):
        f.add([0], finding="item", decision="REVIEW", reason_code="X", explanation="a",
              colour="red")


def test_hits_batch_has_the_registry_schema_sorted_by_row():
    f = Findings()
    f.add([1], finding="item", decision="REVIEW", reason_code="CONTROL_UNKNOWN",
          explanation="b", rule_id="2B001.f")
    f.add([0], finding="party", decision="REVIEW", reason_code="PARTY_HIT", explanation="a",
          score=0.9, list_id="us-ofac-sdn")
    out = combine(2, f)
    days = np.array([19000, 19001], dtype=np.int32)
    hits = hits_batch(f, out, np.array([10, 11]), ["r10", "r11"], days)
    assert hits.schema == HITS.arrow_schema()
    assert hits.column("input_row").to_pylist() == [10, 11]
    assert hits.column("rule_id").to_pylist() == [None, "2B001.f"]
    assert hits.column("as_of_date").to_pylist()[0] == dt.date(2022, 1, 8)
