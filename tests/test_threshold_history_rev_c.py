"""Dated revisions of goods ordinance Article 6 item 2 found by helper rev-c (rules 2025-10-09-r3).

The harmonic mixers and converters of 6.2.リ / 3A001.b.7 read 九〇ギガヘルツ until 2025-05-27 and
一一〇ギガヘルツ from the revision in force 2025-05-28 (令和七年経済産業省令第三十四号); the same
revision merged the network analyser extenders of 6.2.リ.(3) (43.5-90 GHz over 31.62 mW and
90-110 GHz over 1 mW) into one band of 43.5-110 GHz over 100 mW. The discrete microwave
transistors of 6.2.ニ.(6) first stand in the revision in force 2020-01-22 (令和元年経済産業省令
第四十四号). Each change has a one-line shipment on the day before and the day of it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from bulkscreen.columns import HITS, SHIPMENTS
from bulkscreen.rules import compile_rules, load_rules
from bulkscreen.screen.shipments import screen_shipments_batch

VERSION = "2025-10-09-r3"
D = dt.date
EXCERPT = "goods-ordinance-2024-09-08-art06-excerpt.md"


def _f(ghz):
    return ("frequency", ghz, "GHz")


def _w(watt):
    return ("peak_saturated_power", watt, "W")


# (name, date, parameters, declared entry) -> decision, deciding entry, its reason code
DATED = [
    ("mixer to 100 GHz for a spectrum analyser, 90 GHz text", D(2025, 5, 27), [_f(100)],
     "6.2.リ.(1)", "LICENSE_REQUIRED", "3A001.b.7.a-90GHz", "CONTROL_ENTRY"),
    ("mixer to 100 GHz for a spectrum analyser, 110 GHz text", D(2025, 5, 28), [_f(100)],
     "6.2.リ.(1)", "CLEAR", None, None),
    ("mixer to 120 GHz for a spectrum analyser, 110 GHz text", D(2025, 5, 28), [_f(120)],
     "6.2.リ.(1)", "LICENSE_REQUIRED", "3A001.b.7.a", "CONTROL_ENTRY"),
    ("signal generator mixer to 100 GHz, 90 GHz text", D(2025, 5, 27), [_f(100)],
     "6.2.リ.(2).1", "LICENSE_REQUIRED", "3A001.b.7.b.1-90GHz", "CONTROL_ENTRY"),
    ("signal generator mixer to 100 GHz, 110 GHz text", D(2025, 5, 28), [_f(100)],
     "6.2.リ.(2).1", "CLEAR", None, None),
    ("signal generator extender 100 GHz 0.2 W, 90 GHz band", D(2025, 5, 27),
     [_f(100), _w(0.2)], "6.2.リ.(2).2", "CLEAR", None, None),
    ("signal generator extender 100 GHz 0.2 W, 110 GHz band", D(2025, 5, 28),
     [_f(100), _w(0.2)], "6.2.リ.(2).2", "LICENSE_REQUIRED", "3A001.b.7.b.2",
     "CONTROL_ENTRY"),
    ("network analyser extender 60 GHz 50 mW, 31.62 mW text", D(2025, 5, 27),
     [_f(60), _w(0.05)], "6.2.リ.(3).2", "LICENSE_REQUIRED", "3A001.b.7.c.2-31mW",
     "CONTROL_ENTRY"),
    ("network analyser extender 60 GHz 50 mW, 100 mW text", D(2025, 5, 28),
     [_f(60), _w(0.05)], "6.2.リ.(3).2", "CLEAR", None, None),
    ("network analyser extender 100 GHz 10 mW, 1 mW text", D(2025, 5, 27),
     [_f(100), _w(0.01)], "6.2.リ.(3).2", "LICENSE_REQUIRED", "3A001.b.7.c.3-1mW",
     "CONTROL_ENTRY"),
    ("network analyser extender 100 GHz 10 mW, 100 mW text", D(2025, 5, 28),
     [_f(100), _w(0.01)], "6.2.リ.(3).2", "CLEAR", None, None),
    ("transistor 10 GHz 10 W before 6.2.ニ.(6)", D(2020, 1, 21), [_f(10), _w(10)],
     "6.2.ニ.(6)", "CLEAR", None, None),
    ("transistor 10 GHz 10 W under 6.2.ニ.(6)", D(2020, 1, 22), [_f(10), _w(10)],
     "6.2.ニ.(6)", "LICENSE_REQUIRED", "3A001.b.3-ニ.(6)", "CONTROL_ENTRY"),
]
DATED_IDS = {"3A001.b.7.a", "3A001.b.7.a-90GHz", "3A001.b.7.b.1", "3A001.b.7.b.1-90GHz",
             "3A001.b.7.b.2", "3A001.b.7.b.2-90GHz", "3A001.b.7.c.2", "3A001.b.7.c.2-31mW",
             "3A001.b.7.c.3-1mW", "3A001.b.3-ニ.(6)"}


@pytest.fixture(scope="module")
def screened():
    rows = [{"shipment_id": f"C{i}", "shipment_date": day, "consignee_name": "Buyer Co",
             "consignee_country": "CN", "destination_country": "CN", "hs_code": None,
             "parameters": [{"name": n, "value": float(v), "unit": u} for n, v, u in params],
             "value_jpy": 5e7, "quantity": 1, "declared_end_use": None,
             "declared_control_entry": declared}
            for i, (_name, day, params, declared, *_rest) in enumerate(DATED)]
    table = {c.name: [r.get(c.name) for r in rows] for c in SHIPMENTS.columns}
    batch = pa.RecordBatch.from_pydict(table, schema=SHIPMENTS.arrow_schema())
    batch = batch.append_column("input_row", pa.array(range(1, len(rows) + 1), pa.int64()))
    empty = pa.Table.from_pylist([], schema=HITS.arrow_schema())
    return screen_shipments_batch(batch, compile_rules(load_rules(VERSION)), empty, None)


@pytest.mark.parametrize("index", range(len(DATED)), ids=[s[0] for s in DATED])
def test_a_dated_change_decides_from_its_first_day(screened, index):
    results, hits = screened
    *_, decision, rule_id, reason = DATED[index]
    row = results.to_pylist()[index]
    assert row["decision"] == decision, row["explanation"]
    deciding = {h["rule_id"]: h for h in hits.to_pylist() if h["input_row"] == index + 1}
    if rule_id is None:
        assert not DATED_IDS & set(deciding), row["explanation"]
    else:
        assert set(deciding) & DATED_IDS == {rule_id}
        assert deciding[rule_id]["reason_code"] == reason
        assert row["explanation"].startswith(reason)


@pytest.mark.parametrize("old_id, new_id", [
    ("3A001.b.7.a-90GHz", "3A001.b.7.a"),
    ("3A001.b.7.b.1-90GHz", "3A001.b.7.b.1"),
    ("3A001.b.7.b.2-90GHz", "3A001.b.7.b.2"),
    ("3A001.b.7.c.2-31mW", "3A001.b.7.c.2"),
    ("3A001.b.7.c.3-1mW", "3A001.b.7.c.2"),
])
def test_harmonic_mixer_texts_end_on_2025_05_27_and_quote_their_revision(old_id, new_id):
    ruleset = load_rules(VERSION)
    old, new = (next(e for e in ruleset.entries if e.id == i) for i in (old_id, new_id))
    assert old.valid_to == D(2025, 5, 27) and old.valid_from is None
    assert new.valid_from == D(2025, 5, 28) and new.valid_to is None
    revision = (Path(ruleset.folder) / "law/revisions" / EXCERPT).read_text(encoding="utf-8")
    current = (Path(ruleset.folder) / "law/goods-ordinance.md").read_text(encoding="utf-8")
    assert old.quote in revision and old.quote not in current
    assert new.quote in current


def test_unchanged_harmonic_mixer_items_carry_no_dates():
    ruleset = load_rules(VERSION)
    for entry_id in ("3A001.b.7.c.1", "3A001.b.7.d"):
        entry = next(e for e in ruleset.entries if e.id == entry_id)
        assert entry.valid_from is None and entry.valid_to is None


def test_transistors_of_item_2_ni_6_carry_their_first_day():
    ruleset = load_rules(VERSION)
    first = {e.id: (e.valid_from, e.valid_to) for e in ruleset.entries
             if e.ordinance == "6.2.ニ.(6)"}
    assert first == {"3A001.b.3-ニ.(6)": (D(2020, 1, 22), None)}
