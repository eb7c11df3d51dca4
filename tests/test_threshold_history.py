"""Goods thresholds that a revision since 2019 changed, encoded as dated entry versions.

A line is judged by the threshold in force on its own date (rules 2025-10-09-r3): 4A003.b
(goods ordinance 7.3.ロ) was "over 29 WT" until 2022-12-05 and is "over 70 WT" from the
revision in force 2022-12-06 (令和四年経済産業省令第七十八号).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from click.testing import CliRunner

from bulkscreen.cli import cli
from bulkscreen.columns import HITS, SHIPMENTS
from bulkscreen.rules import compile_rules, load_rules
from bulkscreen.screen.shipments import screen_shipments_batch

VERSION = "2025-10-09-r3"
D = dt.date

# (date, APP in WT) -> decision and the entry version that decides
SCENARIOS = [
    (D(2019, 8, 1), 50.0, "LICENSE_REQUIRED", "4A003.b-29WT"),
    (D(2022, 12, 5), 50.0, "LICENSE_REQUIRED", "4A003.b-29WT"),
    (D(2022, 12, 6), 50.0, "CLEAR", None),
    (D(2022, 12, 6), 80.0, "LICENSE_REQUIRED", "4A003.b"),
    (D(2019, 8, 1), 20.0, "CLEAR", None),
]


@pytest.fixture(scope="module")
def screened():
    rows = [{"shipment_id": f"S{i}", "shipment_date": day, "consignee_name": "Buyer Co",
             "consignee_country": "CN", "destination_country": "CN", "hs_code": "847149",
             "parameters": [{"name": "app", "value": app, "unit": "WT"}],
             "value_jpy": 5e7, "quantity": 1, "declared_end_use": None,
             "declared_control_entry": None}
            for i, (day, app, *_rest) in enumerate(SCENARIOS)]
    table = {c.name: [r.get(c.name) for r in rows] for c in SHIPMENTS.columns}
    batch = pa.RecordBatch.from_pydict(table, schema=SHIPMENTS.arrow_schema())
    batch = batch.append_column("input_row", pa.array(range(1, len(rows) + 1), pa.int64()))
    empty = pa.Table.from_pylist([], schema=HITS.arrow_schema())
    return screen_shipments_batch(batch, compile_rules(load_rules(VERSION)), empty, None)


@pytest.mark.parametrize("index", range(len(SCENARIOS)))
def test_a_line_is_judged_by_the_threshold_of_its_day(screened, index):
    results, hits = screened
    _, _, decision, rule_id = SCENARIOS[index]
    row = results.to_pylist()[index]
    assert row["decision"] == decision, row["explanation"]
    deciding = {h["rule_id"]: h for h in hits.to_pylist() if h["input_row"] == index + 1}
    if rule_id is None:
        assert not {"4A003.b", "4A003.b-29WT"} & set(deciding)
    else:
        assert set(deciding) & {"4A003.b", "4A003.b-29WT"} == {rule_id}
        assert deciding[rule_id]["threshold"] == ("> 29 WT" if "29" in rule_id else "> 70 WT")


def test_the_two_versions_do_not_overlap_and_quote_their_texts():
    ruleset = load_rules(VERSION)
    new, old = (next(e for e in ruleset.entries if e.id == i)
                for i in ("4A003.b", "4A003.b-29WT"))
    assert old.valid_to == D(2022, 12, 5) and new.valid_from == D(2022, 12, 6)
    folder = ruleset.folder
    from pathlib import Path

    old_text = (Path(folder) / "law/revisions/goods-ordinance-2021-12-15-excerpt.md").read_text(
        encoding="utf-8")
    assert old.quote in old_text and "二九実効テラ演算" in old.quote
    current = (Path(folder) / "law/goods-ordinance.md").read_text(encoding="utf-8")
    assert new.quote in current and old.quote not in current


@pytest.mark.parametrize("day, shown, hidden", [
    ("2019-08-01", "text until 2022-12-05", "WA 4A003.b [ordinance"),
    ("2023-01-01", "WA 4A003.b [ordinance", "text until 2022-12-05"),
])
def test_rules_show_prints_the_list_of_the_day(day, shown, hidden):
    result = CliRunner().invoke(cli, ["rules", "show", "--as-of", day, "--version", VERSION])
    assert result.exit_code == 0, result.output
    lines = [x for x in result.output.splitlines() if "4A003.b" in x]
    assert any(shown in x for x in lines) and not any(hidden in x for x in lines)
