"""CAS numbers of the row 3 substances (goods ordinance Art. 2(1)), rules 2025-10-09-r3."""

from __future__ import annotations

import datetime as dt
import shutil

import pyarrow as pa
import pytest

from bulkscreen.columns import HITS, SHIPMENTS
from bulkscreen.errors import RuleDataError
from bulkscreen.rules import compile_rules, load_rules, rules_catalog
from bulkscreen.screen.shipments import screen_shipments_batch

VERSION = "2025-10-09-r3"


@pytest.fixture(scope="module")
def ruleset():
    return load_rules(VERSION)


def test_named_substances_carry_checked_cas_numbers(ruleset):
    by_ordinance = {e.ordinance: e for e in ruleset.entries if e.cas}
    assert len(by_ordinance) >= 60
    assert by_ordinance["2-p1.3.ヨ"].cas == ("111-48-8",)  # thiodiglycol
    assert by_ordinance["2-p1.3.レ"].cas == ("10025-87-3",)  # phosphorus oxychloride
    assert all(e.row == "3" for e in by_ordinance.values())
    numbers = [n for e in by_ordinance.values() for n in e.cas]
    assert len(numbers) == len(set(numbers))


@pytest.mark.parametrize("content, decision", [(100.0, "LICENSE_REQUIRED"), (10.0, "CLEAR")])
def test_a_line_may_declare_the_cas_number(ruleset, content, decision):
    row = {"shipment_id": "S1", "shipment_date": dt.date(2024, 1, 1),
           "consignee_name": "Buyer Co", "consignee_country": "CN",
           "destination_country": "CN", "hs_code": "293090",
           "parameters": [{"name": "substance_content", "value": content, "unit": "percent"}],
           "value_jpy": 5e6, "quantity": 1, "declared_end_use": None,
           "declared_control_entry": "111-48-8"}
    table = {c.name: [row.get(c.name)] for c in SHIPMENTS.columns}
    batch = pa.RecordBatch.from_pydict(table, schema=SHIPMENTS.arrow_schema())
    batch = batch.append_column("input_row", pa.array([1], pa.int64()))
    empty = pa.Table.from_pylist([], schema=HITS.arrow_schema())
    results, hits = screen_shipments_batch(batch, compile_rules(ruleset), empty, None)
    assert results.to_pylist()[0]["decision"] == decision, results.to_pylist()[0]["explanation"]
    if decision == "LICENSE_REQUIRED":
        assert "3(1)-2-p1.3.ヨ" in hits.column("rule_id").to_pylist()


def test_a_cas_number_with_a_wrong_check_digit_is_refused(tmp_path):
    folder = next(v.path for v in rules_catalog() if v.version == VERSION)
    shutil.copytree(folder, tmp_path / VERSION)
    path = tmp_path / VERSION / "control_list_chemicals.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"111-48-8"', '"111-48-9"'),
                    encoding="utf-8")
    with pytest.raises(RuleDataError) as err:
        load_rules(VERSION, root=tmp_path)
    assert "111-48-9" in str(err.value) and "check digit" in str(err.value)
    assert "control_list_chemicals.toml" in str(err.value)
