"""Destination tables read from the Export Trade Control Order, dated (rules 2025-10-09-r3).

Every membership quotes its countries from the table of a bundled text; on the day of each
bundled text the groups hold exactly the countries that text lists; and one shipment line on
the day before and the day of every dated change gets the decision the table gives.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from bulkscreen.columns import HITS, SHIPMENTS
from bulkscreen.errors import RuleDataError
from bulkscreen.rules import compile_rules, load_rules, rules_catalog
from bulkscreen.rules.groups import group_d_tables
from bulkscreen.rules.law_text import appended_table, table_names
from bulkscreen.screen.shipments import screen_shipments_batch

VERSION = "2025-10-09-r3"
D = dt.date
FOLDER = next(v.path for v in rules_catalog() if v.version == VERSION)
ORDER = "law/export-trade-control-order.md"
# Each bundled text of the order and the first day it is in force.
TEXTS = {
    "law/revisions/export-trade-control-order-2017-02-22-excerpt.md": D(2017, 2, 22),
    "law/revisions/export-trade-control-order-2018-12-19-excerpt.md": D(2018, 12, 19),
    "law/revisions/export-trade-control-order-2019-04-12-excerpt.md": D(2019, 4, 12),
    "law/revisions/export-trade-control-order-2019-08-28-excerpt.md": D(2019, 8, 28),
    ORDER: D(2026, 6, 5),
}
TABLES = {"別表第三": "A", "別表第三の二": "TABLE_3_2", "別表第四": "TABLE_4"}


@pytest.fixture(scope="module")
def ruleset():
    return load_rules(VERSION)


@pytest.fixture(scope="module")
def compiled(ruleset):
    return compile_rules(ruleset)


def _members(compiled, group: str, day: dt.date) -> set[str]:
    from bulkscreen.screen.destinations import CountryCodes, in_group

    timeline = compiled.groups[group]
    known = sorted(timeline.countries)
    codes = CountryCodes.encode(pa.array(known))
    days = pa.array([(day - D(1970, 1, 1)).days] * len(known), pa.int32()).to_numpy()
    return {c for c, member in zip(known, in_group(timeline, codes, days), strict=True) if member}


def test_every_quoted_name_stands_in_its_table(ruleset):
    quoted = [m for m in ruleset.memberships if m.names]
    assert len(quoted) >= 10
    for m in quoted:
        section = appended_table(FOLDER / m.source, m.table)
        assert section is not None, (m.source, m.table)
        assert set(m.names) <= set(table_names(section)), (m.countries, m.source)
        assert len(m.names) == len(m.countries)


def test_every_table_membership_cites_its_table(ruleset):
    for m in ruleset.memberships:
        if m.group in TABLES.values():
            assert TABLES.get(m.table) == m.group, m
            # A membership that quotes nothing says why in its note.
            assert m.names or m.note, m


@pytest.mark.parametrize("source", sorted(TEXTS))
def test_groups_on_the_day_of_a_text_are_that_text(ruleset, compiled, source):
    day = TEXTS[source]
    code_of = {n: c for m in ruleset.memberships if m.names
               for n, c in zip(m.names, m.countries, strict=True)}
    for table, group in TABLES.items():
        section = appended_table(FOLDER / source, table)
        if section is None:
            continue
        listed = {code_of[name] for name in table_names(section)}
        assert _members(compiled, group, day) == listed, (source, table)


def test_the_bundled_texts_are_the_ones_named_in_source_toml():
    import hashlib
    import tomllib

    source = tomllib.loads((FOLDER / "source.toml").read_text(encoding="utf-8"))
    by_file = {s["file"]: s for s in source["source"] if "file" in s}
    for text in TEXTS:
        assert by_file[text]["sha256"] == hashlib.sha256((FOLDER / text).read_bytes()).hexdigest()


def test_a_name_missing_from_its_table_is_refused(tmp_path):
    import shutil

    copy = tmp_path / VERSION
    shutil.copytree(FOLDER, copy)
    path = copy / "destinations.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('names = ["南スーダン"]', 'names = ["エリトリア"]'),
                    encoding="utf-8")
    with pytest.raises(RuleDataError) as err:
        load_rules(VERSION, root=tmp_path)
    message = str(err.value)
    assert "destinations.toml" in message and "エリトリア" in message
    assert "membership" in message and "line" in message.lower()


@pytest.mark.parametrize("day, country, flagged", [
    (D(2012, 1, 31), "SL", True), (D(2012, 2, 1), "SL", False),
    (D(2012, 1, 31), "LY", False), (D(2012, 2, 1), "LY", True),
    (D(2016, 7, 28), "CI", True), (D(2016, 7, 29), "CI", False),
    (D(2016, 7, 28), "LR", True), (D(2016, 7, 29), "LR", False),
    (D(2018, 12, 18), "ER", True), (D(2018, 12, 19), "ER", False),
    (D(2019, 4, 11), "SS", False), (D(2019, 4, 12), "SS", True),
    (D(2024, 1, 1), "IR", True), (D(2024, 1, 1), "CN", False),
])
def test_red_flags_read_the_same_dated_tables(day, country, flagged):
    version, countries = group_d_tables(day)
    assert (country in countries) is flagged
    assert version == rules_catalog()[-1].version
    if country == "IQ":
        assert countries["IQ"] == "Appended Table 4 / Appended Table 3-2"


# (name, date, destination, hs, end use) -> decision, reason code. HS 7307 (pipe fittings) is a
# row 16 good outside row 16(1): military end use needs a licence only for a Table 3-2
# destination, elsewhere outside Group A it is an inform question (REVIEW). A missile end use
# is caught everywhere outside Group A.
ARMY, MISSILE = "army", "missile"
SCENARIOS = [
    ("sl-in", D(2012, 1, 31), "SL", "7307", ARMY, "LICENSE_REQUIRED", "CATCH_ALL_END_USE"),
    ("sl-out", D(2012, 2, 1), "SL", "7307", ARMY, "REVIEW", "CATCH_ALL_INFORM"),
    ("ly-before", D(2012, 1, 31), "LY", "7307", ARMY, "REVIEW", "CATCH_ALL_INFORM"),
    ("ly-in", D(2012, 2, 1), "LY", "7307", ARMY, "LICENSE_REQUIRED", "CATCH_ALL_END_USE"),
    ("er-before", D(2010, 8, 31), "ER", "7307", ARMY, "REVIEW", "CATCH_ALL_INFORM"),
    ("er-in", D(2010, 9, 1), "ER", "7307", ARMY, "LICENSE_REQUIRED", "CATCH_ALL_END_USE"),
    ("er-last-day", D(2018, 12, 18), "ER", "7307", ARMY, "LICENSE_REQUIRED",
     "CATCH_ALL_END_USE"),
    ("er-out", D(2018, 12, 19), "ER", "7307", ARMY, "REVIEW", "CATCH_ALL_INFORM"),
    ("cf-before", D(2014, 9, 14), "CF", "7307", ARMY, "REVIEW", "CATCH_ALL_INFORM"),
    ("cf-in", D(2014, 9, 15), "CF", "7307", ARMY, "LICENSE_REQUIRED", "CATCH_ALL_END_USE"),
    ("ci-last-day", D(2016, 7, 28), "CI", "7307", ARMY, "LICENSE_REQUIRED",
     "CATCH_ALL_END_USE"),
    ("ci-out", D(2016, 7, 29), "CI", "7307", ARMY, "REVIEW", "CATCH_ALL_INFORM"),
    ("lr-last-day", D(2016, 7, 28), "LR", "7307", ARMY, "LICENSE_REQUIRED",
     "CATCH_ALL_END_USE"),
    ("lr-out", D(2016, 7, 29), "LR", "7307", ARMY, "REVIEW", "CATCH_ALL_INFORM"),
    ("ss-before", D(2019, 4, 11), "SS", "7307", ARMY, "REVIEW", "CATCH_ALL_INFORM"),
    ("ss-in", D(2019, 4, 12), "SS", "7307", ARMY, "LICENSE_REQUIRED", "CATCH_ALL_END_USE"),
    ("bg-before", D(2012, 6, 30), "BG", "7307", MISSILE, "LICENSE_REQUIRED",
     "CATCH_ALL_END_USE"),
    ("bg-group-a", D(2012, 7, 1), "BG", "7307", MISSILE, "CLEAR", None),
    ("kr-last-day-a", D(2019, 8, 27), "KR", "7307", MISSILE, "CLEAR", None),
    ("kr-out", D(2019, 8, 28), "KR", "7307", MISSILE, "LICENSE_REQUIRED", "CATCH_ALL_END_USE"),
    ("kr-last-day-b", D(2023, 7, 20), "KR", "7307", MISSILE, "LICENSE_REQUIRED",
     "CATCH_ALL_END_USE"),
    ("kr-back", D(2023, 7, 21), "KR", "7307", MISSILE, "CLEAR", None),
    ("iq-table-4", D(2024, 1, 1), "IQ", "7307", "", "REVIEW", "DEST_GROUP_D"),
]


def _batch(scenarios) -> pa.RecordBatch:
    rows = [{"shipment_id": s[0], "shipment_date": s[1], "consignee_name": "Buyer Co",
             "consignee_country": s[2], "destination_country": s[2], "hs_code": s[3],
             "parameters": [], "value_jpy": 5e6, "quantity": 1,
             "declared_end_use": s[4] or None, "declared_control_entry": None}
            for s in scenarios]
    table = {c.name: [r.get(c.name) for r in rows] for c in SHIPMENTS.columns}
    batch = pa.RecordBatch.from_pydict(table, schema=SHIPMENTS.arrow_schema())
    return batch.append_column("input_row", pa.array(range(1, len(rows) + 1), pa.int64()))


@pytest.fixture(scope="module")
def screened(compiled):
    empty = pa.Table.from_pylist([], schema=HITS.arrow_schema())
    return screen_shipments_batch(_batch(SCENARIOS), compiled, empty, None)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenario(screened, scenario):
    results, _ = screened
    index = SCENARIOS.index(scenario)
    row = results.to_pylist()[index]
    assert row["decision"] == scenario[-2], row["explanation"]
    if scenario[-1] is None:
        assert row["reason_codes"] == [], row["explanation"]
    else:
        assert scenario[-1] in row["reason_codes"], row["explanation"]
        assert f"jp/{VERSION}" in row["explanation"]


def test_the_version_folder_is_named_in_the_catalog():
    assert Path(FOLDER).name == VERSION


# A deemed-export red flag follows the same dated Table 3-2: one person, resident in Japan for
# years with nothing else to report, on the day before and the day of each change.
@pytest.mark.parametrize("nationality, day, decision", [
    ("SS", D(2019, 4, 11), "CLEAR"), ("SS", D(2019, 4, 12), "REVIEW"),
    ("ER", D(2018, 12, 18), "REVIEW"), ("ER", D(2018, 12, 19), "CLEAR"),
    ("CI", D(2016, 7, 28), "REVIEW"), ("CI", D(2016, 7, 29), "CLEAR"),
])
def test_red_flag_person_on_the_day_before_and_of_a_change(nationality, day, decision):
    from bulkscreen import columns
    from bulkscreen.config import RunConfig
    from bulkscreen.screen.persons import screen_persons_batch

    row = {name: None for name in columns.PERSONS.arrow_schema().names}
    row.update(person_id="P1", full_name="Test Person", aliases=[], nationalities=[nationality],
               entry_date=D(2010, 1, 1), affiliations=[], funding=[],
               controlled_technology="", foreign_government_instructions=False)
    batch = pa.RecordBatch.from_pylist([row], schema=columns.PERSONS.arrow_schema())
    results, _ = screen_persons_batch(batch, None, RunConfig(), day)
    result = results.to_pylist()[0]
    assert result["decision"] == decision, result["explanation"]
    if decision == "REVIEW":
        assert result["reason_codes"] == ["RED_FLAG_NATIONALITY"]
        assert "Appended Table 3-2" in result["explanation"]
        assert "rules jp/" in result["explanation"]


# Appended Table 3-3: row 8 goods are small-value goods only up to JPY 50,000 when METI
# notifies them; the notice is not bundled, so between 50,000 and 1,000,000 the line goes to
# review. A supercomputer meeting 4A003.b (APP > 70 WT) to China on 2024-01-01.
@pytest.mark.parametrize("value, decision, reason", [
    (40_000, "CLEAR", "SMALL_VALUE_EXEMPT"),
    (500_000, "REVIEW", "SMALL_VALUE_EXEMPT"),
    (2_000_000, "LICENSE_REQUIRED", "CONTROL_ENTRY"),
])
def test_table_3_3_notified_goods_are_not_passed_as_small_value(compiled, value, decision,
                                                                 reason):
    line = {"shipment_id": "S1", "shipment_date": D(2024, 1, 1), "consignee_name": "Buyer Co",
            "consignee_country": "CN", "destination_country": "CN", "hs_code": "847149",
            "parameters": [{"name": "app", "value": 100.0, "unit": "WT"}],
            "value_jpy": float(value), "quantity": 1, "declared_end_use": None,
            "declared_control_entry": None}
    table = {c.name: [line.get(c.name)] for c in SHIPMENTS.columns}
    batch = pa.RecordBatch.from_pydict(table, schema=SHIPMENTS.arrow_schema())
    batch = batch.append_column("input_row", pa.array([1], pa.int64()))
    empty = pa.Table.from_pylist([], schema=HITS.arrow_schema())
    results, _ = screen_shipments_batch(batch, compiled, empty, None)
    row = results.to_pylist()[0]
    assert row["decision"] == decision, row["explanation"]
    assert reason in row["reason_codes"]
    if decision == "REVIEW":
        assert "別表第三の三" in row["explanation"] and "50,000" in row["explanation"]


def test_table_3_3_items_are_dated_and_quoted(ruleset):
    from dataclasses import replace

    from bulkscreen.screen.items import notified_table_3_3

    records = ruleset.small_value.table_3_3
    assert all(r.quote in appended_table(FOLDER / r.source, "別表第三の三") for r in records)
    entry = replace(next(e for e in ruleset.entries if e.row == "7"), item="(2)")
    days = pa.array([(D(2020, 1, 21) - D(1970, 1, 1)).days,
                     (D(2020, 1, 22) - D(1970, 1, 1)).days], pa.int32()).to_numpy()
    assert notified_table_3_3(ruleset.small_value, entry, days).tolist() == [False, True]
    # Row 15 goods have the lower limit outright, not by notice.
    assert not any(r.notified for r in records if r.row == "15")


@pytest.mark.parametrize("day, present", [("2019-04-11", False), ("2019-04-12", True)])
def test_rules_show_prints_the_tables_of_the_day(day, present):
    from click.testing import CliRunner

    from bulkscreen.cli import cli

    result = CliRunner().invoke(cli, ["rules", "show", "--as-of", day, "--version", VERSION])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "Appended Table 3-2:" in x)
    assert ("SS" in line.split()) is present
    assert any(x.startswith("group A (Appended Table 3): ") for x in result.output.splitlines())
