"""Goods thresholds that a revision since 2019 changed, encoded as dated entry versions.

A line is judged by the threshold in force on its own date (rules 2025-10-09-r3): 4A003.b
(goods ordinance 7.3.ロ) was "over 16 WT" until 2019-01-08, "over 29 WT" from the revision in
force 2019-01-09 (平成三十年経済産業省令第六十三号) and is "over 70 WT" from the revision in
force 2022-12-06 (令和四年経済産業省令第七十八号). The same 2019-01-09 revision narrowed the
resists of 6.19.イ.(1) / 3C002.a from under 245 nm to under 193 nm; the revision of 2020-01-22
dropped the birefringence branch of the phase-shift masks of 3B001.j; Article 6 item 1 カ
(cryogenic CMOS) stands from 2024-09-08, item 1 ヨ from 2025-05-28 with a 600 GB/s condition
that the revision of 2026-02-14 dropped; the national 193 nm lithography item 6.17.ヲ
gained its overlay condition on 2024-09-08; Article 7 item 6 (quantum computers) stands from
2024-09-08 and item 7 from 2025-05-28.
"""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from bulkscreen.cli import cli
from bulkscreen.rules import load_rules
from tests.dated_scenarios import assert_dated_decision, screen_lines

VERSION = "2025-10-09-r3"
D = dt.date
APP_VERSIONS = {"4A003.b-16WT", "4A003.b-29WT", "4A003.b"}

# (date, APP in WT) -> decision and the entry version that decides
SCENARIOS = [
    (D(2019, 1, 8), 20.0, "LICENSE_REQUIRED", "4A003.b-16WT"),
    (D(2019, 1, 9), 20.0, "CLEAR", None),
    (D(2018, 6, 1), 10.0, "CLEAR", None),
    (D(2019, 1, 9), 50.0, "LICENSE_REQUIRED", "4A003.b-29WT"),
    (D(2019, 8, 1), 50.0, "LICENSE_REQUIRED", "4A003.b-29WT"),
    (D(2022, 12, 5), 50.0, "LICENSE_REQUIRED", "4A003.b-29WT"),
    (D(2022, 12, 6), 50.0, "CLEAR", None),
    (D(2022, 12, 6), 80.0, "LICENSE_REQUIRED", "4A003.b"),
    (D(2019, 8, 1), 20.0, "CLEAR", None),
]


@pytest.fixture(scope="module")
def screened():
    return screen_lines([(day, "847149", [("app", app, "WT")], None)
                         for day, app, *_rest in SCENARIOS], VERSION)


@pytest.mark.parametrize("index", range(len(SCENARIOS)))
def test_a_line_is_judged_by_the_threshold_of_its_day(screened, index):
    results, hits = screened
    _, _, decision, rule_id = SCENARIOS[index]
    row = results.to_pylist()[index]
    assert row["decision"] == decision, row["explanation"]
    deciding = {h["rule_id"]: h for h in hits.to_pylist() if h["input_row"] == index + 1}
    if rule_id is None:
        assert not APP_VERSIONS & set(deciding)
    else:
        assert set(deciding) & APP_VERSIONS == {rule_id}
        limit = {"4A003.b-16WT": 16, "4A003.b-29WT": 29, "4A003.b": 70}[rule_id]
        assert deciding[rule_id]["threshold"] == f"> {limit} WT"


def test_the_three_versions_follow_each_other_and_quote_their_texts():
    ruleset = load_rules(VERSION)
    new, old, oldest = (next(e for e in ruleset.entries if e.id == i)
                        for i in ("4A003.b", "4A003.b-29WT", "4A003.b-16WT"))
    assert oldest.valid_from is None and oldest.valid_to == D(2019, 1, 8)
    assert old.valid_from == D(2019, 1, 9) and old.valid_to == D(2022, 12, 5)
    assert new.valid_from == D(2022, 12, 6)
    folder = ruleset.folder
    from pathlib import Path

    old_text = (Path(folder) / "law/revisions/goods-ordinance-2021-12-15-excerpt.md").read_text(
        encoding="utf-8")
    assert old.quote in old_text and "二九実効テラ演算" in old.quote
    current = (Path(folder) / "law/goods-ordinance.md").read_text(encoding="utf-8")
    assert new.quote in current and old.quote not in current
    text_2018 = (Path(folder) / "law/revisions/goods-ordinance-2018-01-22-excerpt.md").read_text(
        encoding="utf-8")
    assert oldest.quote in text_2018 and "一六実効テラ演算" in oldest.quote
    assert oldest.quote not in current and old.quote not in text_2018


@pytest.mark.parametrize("day, shown, hidden", [
    ("2018-06-01", "text until 2019-01-08", "text until 2022-12-05"),
    ("2019-08-01", "text until 2022-12-05", "WA 4A003.b [ordinance"),
    ("2023-01-01", "WA 4A003.b [ordinance", "text until 2022-12-05"),
])
def test_rules_show_prints_the_list_of_the_day(day, shown, hidden):
    result = CliRunner().invoke(cli, ["rules", "show", "--as-of", day, "--version", VERSION])
    assert result.exit_code == 0, result.output
    lines = [x for x in result.output.splitlines() if "4A003.b" in x]
    assert any(shown in x for x in lines) and not any(hidden in x for x in lines)


ARF_3NM = [("wavelength", 193, "nm"), ("numerical_aperture", 1.35, "1"),
           ("overlay_accuracy", 3.0, "nm")]

# Other dated changes, each on the day before and the day of the revision:
# (name, date, HS, parameters, declared entry) -> decision, deciding entry, its reason code
DATED = [
    ("resist 220 nm, 245 nm band", D(2019, 1, 8), "370790", [("wavelength", 220, "nm")],
     "6.19.イ.(1)", "REVIEW", "3C002.a-245nm", "CONTROL_UNKNOWN"),
    ("resist 220 nm, 193 nm band", D(2019, 1, 9), "370790", [("wavelength", 220, "nm")],
     "6.19.イ.(1)", "CLEAR", None, None),
    ("resist 157 nm, 193 nm band", D(2019, 1, 9), "370790", [("wavelength", 157, "nm")],
     "6.19.イ.(1)", "REVIEW", "3C002.a", "CONTROL_UNKNOWN"),
    ("i-line mask on low-birefringence glass", D(2020, 1, 21), "",
     [("birefringence", 5, "nm/cm"), ("wavelength", 365, "nm")], "6.17の3.ロ",
     "LICENSE_REQUIRED", "3B001.j-2019", "CONTROL_ENTRY"),
    ("i-line mask, branch dropped", D(2020, 1, 22), "",
     [("birefringence", 5, "nm/cm"), ("wavelength", 365, "nm")], "6.17の3.ロ", "CLEAR", None, None),
    ("ArF mask after the change", D(2020, 1, 22), "",
     [("birefringence", 5, "nm/cm"), ("wavelength", 193, "nm")], "6.17の3.ロ",
     "LICENSE_REQUIRED", "3B001.j", "CONTROL_ENTRY"),
    ("ArF immersion, 3 nm overlay, before 6.17.ヲ", D(2023, 7, 22), "848620", ARF_3NM, "",
     "CLEAR", None, None),
    ("ArF immersion, 3 nm overlay, 6.17.ヲ of 2023", D(2024, 9, 7), "848620", ARF_3NM, "",
     "LICENSE_REQUIRED", "7(17)-litho-193-2023", "CONTROL_ENTRY"),
    ("ArF immersion, 3 nm overlay, overlay condition added", D(2024, 9, 8), "848620", ARF_3NM,
     "", "CLEAR", None, None),
    ("ArF immersion, 2 nm overlay, overlay condition added", D(2024, 9, 8), "848620",
     [*ARF_3NM[:2], ("overlay_accuracy", 2.0, "nm")], "", "LICENSE_REQUIRED", "7(17)-litho-193",
     "CONTROL_ENTRY"),
    ("quantum computer before item 6", D(2024, 9, 7), "",
     [("physical_qubits", 120, "1"), ("cnot_error", 0.0005, "1")], "7.6.イ.(2)", "CLEAR", None,
     None),
    ("quantum computer under item 6", D(2024, 9, 8), "",
     [("physical_qubits", 120, "1"), ("cnot_error", 0.0005, "1")], "7.6.イ.(2)",
     "LICENSE_REQUIRED", "4A906.a.2", "CONTROL_ENTRY"),
    ("qubit device before item 6", D(2024, 9, 7), "", [], "7.6.ロ", "CLEAR", None, None),
    ("qubit device under item 6", D(2024, 9, 8), "", [], "7.6.ロ", "REVIEW", "jp-7.6",
     "CONTROL_UNKNOWN"),
    ("cryogenic CMOS before 6.1.カ", D(2024, 9, 7), "",
     [("min_operating_temperature", -269, "degC")], "6.1.カ", "CLEAR", None, None),
    ("cryogenic CMOS under 6.1.カ", D(2024, 9, 8), "",
     [("min_operating_temperature", -269, "degC")], "6.1.カ", "LICENSE_REQUIRED", "3A001.a.15",
     "CONTROL_ENTRY"),
    ("TPP 7,000 chip at 700 GB/s before 6.1.ヨ", D(2025, 5, 27), "",
     [("tpp", 7000, "1"), ("io_bandwidth", 700, "GB/s")], "6.1.ヨ", "CLEAR", None, None),
    ("TPP 7,000 chip at 700 GB/s under 6.1.ヨ", D(2025, 5, 28), "",
     [("tpp", 7000, "1"), ("io_bandwidth", 700, "GB/s")], "6.1.ヨ", "LICENSE_REQUIRED",
     "jp-6.1.ヨ-600GBps", "CONTROL_ENTRY"),
    ("TPP 7,000 chip at 400 GB/s, 600 GB/s condition", D(2026, 2, 13), "",
     [("tpp", 7000, "1"), ("io_bandwidth", 400, "GB/s")], "6.1.ヨ", "CLEAR", None, None),
    ("TPP 7,000 chip at 400 GB/s, condition dropped", D(2026, 2, 14), "",
     [("tpp", 7000, "1"), ("io_bandwidth", 400, "GB/s")], "6.1.ヨ", "LICENSE_REQUIRED",
     "jp-6.1.ヨ", "CONTROL_ENTRY"),
    ("computer with 6.1.ヨ chips before item 7", D(2025, 5, 27), "", [], "7.7", "CLEAR", None,
     None),
    ("computer with 6.1.ヨ chips under item 7", D(2025, 5, 28), "", [], "7.7", "REVIEW", "jp-7.7",
     "CONTROL_UNKNOWN"),
]
DATED_IDS = {"3C002.a", "3C002.a-245nm", "3B001.j", "3B001.j-2019", "4A906.a.2", "jp-7.6",
             "jp-7.7", "3A001.a.15", "jp-6.1.ヨ", "jp-6.1.ヨ-600GBps", "7(17)-litho-193",
             "7(17)-litho-193-2023"}


@pytest.fixture(scope="module")
def screened_dated():
    return screen_lines([(day, hs, params, declared)
                         for _name, day, hs, params, declared, *_rest in DATED], VERSION)


@pytest.mark.parametrize("index", range(len(DATED)), ids=[s[0] for s in DATED])
def test_a_dated_change_decides_from_its_first_day(screened_dated, index):
    assert_dated_decision(screened_dated, index, DATED[index][-3:], DATED_IDS)


@pytest.mark.parametrize("old_id, new_id, last_day, text", [
    ("3C002.a-245nm", "3C002.a", D(2019, 1, 8), "goods-ordinance-2018-01-22-excerpt.md"),
    ("3B001.j-2019", "3B001.j", D(2020, 1, 21), "goods-ordinance-2019-07-01-excerpt.md"),
    ("jp-6.1.ヨ-600GBps", "jp-6.1.ヨ", D(2026, 2, 13), "goods-ordinance-2025-10-09-excerpt.md"),
    ("7(17)-litho-193-2023", "7(17)-litho-193", D(2024, 9, 7),
     "goods-ordinance-2024-02-01-excerpt.md"),
])
def test_old_texts_end_the_day_before_the_new_ones_and_quote_their_revision(
        old_id, new_id, last_day, text):
    from pathlib import Path

    ruleset = load_rules(VERSION)
    old, new = (next(e for e in ruleset.entries if e.id == i) for i in (old_id, new_id))
    assert old.valid_to == last_day and new.valid_from == last_day + dt.timedelta(days=1)
    revision = (Path(ruleset.folder) / "law/revisions" / text).read_text(encoding="utf-8")
    current = (Path(ruleset.folder) / "law/goods-ordinance.md").read_text(encoding="utf-8")
    assert old.quote in revision and old.quote not in current
    assert new.quote in current


def test_items_added_to_article_6_item_1_carry_their_first_day():
    ruleset = load_rules(VERSION)
    first = {e.id: e.valid_from for e in ruleset.entries
             if e.ordinance in ("6.1.カ", "6.1.ヨ")}
    assert first == {"3A001.a.15": D(2024, 9, 8), "jp-6.1.ヨ-600GBps": D(2025, 5, 28),
                     "jp-6.1.ヨ": D(2026, 2, 14)}


def test_article_7_items_6_and_7_carry_their_first_day():
    ruleset = load_rules(VERSION)
    first = {e.id: e.valid_from for e in ruleset.entries
             if e.ordinance.startswith(("7.6", "7.7"))}
    assert first == {**{f"4A906.a.{n}": D(2024, 9, 8) for n in range(1, 9)},
                     "jp-7.6": D(2024, 9, 8), "jp-7.7": D(2025, 5, 28)}


def test_rules_history_lists_each_revision_day_with_old_and_new_texts():
    result = CliRunner().invoke(cli, ["rules", "history", "--version", VERSION])
    assert result.exit_code == 0, result.output
    days = result.output.split("\n2")
    jan_2019 = next(block for block in days if block.startswith("019-01-09:"))
    assert "+ 4A003.b-29WT" in jan_2019 and "- 4A003.b-16WT" in jan_2019
    assert "(last day 2019-01-08)" in jan_2019
    later = CliRunner().invoke(cli, ["rules", "history", "--version", VERSION,
                                     "--since", "2025-01-01"])
    assert later.exit_code == 0 and "2019-01-09:" not in later.output
    assert "2025-05-28:" in later.output and "+ jp-7.7" in later.output
