"""Dated revisions of goods ordinance Articles 12 and 14, rules 2025-10-09-r3.

Each change is judged on the day before and the day of the revision that made it:

- 12.1.ロ (aero gas turbine engines for aircraft designed to cruise above Mach 1 for over 30
  minutes): present in the text of 2023-07-23, deleted by the revision in force 2024-02-01;
- 14.6.イ (6A001.a.2.a): hydrophones for over 1,000 m, caught whatever their sensitivity until
  2020-01-21, only above minus 230 dB at 4 kHz or below from 2020-01-22;
- 14.9.ロ.(三) (unmanned submersibles): optical links over 1,000 m or more until 2024-01-31,
  non-fibre optical links over more than 1,000 m from 2024-02-01, deleted from 2026-02-14.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulkscreen.rules import load_rules
from tests.dated_scenarios import assert_dated_decision, screen_lines

VERSION = "2025-10-09-r3"
D = dt.date

DEEP = [("depth_rating", 2000, "m")]

# (name, date, parameters, declared entry) -> decision, deciding entry, its reason code
DATED = [
    ("Mach 1 cruise engine, old text", D(2024, 1, 31), [], "12.1.ロ",
     "REVIEW", "jp-12.1.ロ-2024", "CONTROL_UNKNOWN"),
    ("Mach 1 cruise engine, item deleted", D(2024, 2, 1), [], "12.1.ロ",
     "REVIEW", None, None),
    ("2,000 m hydrophone -240 dB, old text", D(2020, 1, 21),
     [*DEEP, ("hydrophone_sensitivity", -240, "dB")], "6A001.a.2.a",
     "REVIEW", "6A001.a.2.a-1000m-2020", "CONTROL_UNKNOWN"),
    ("2,000 m hydrophone -240 dB, -230 dB limit", D(2020, 1, 22),
     [*DEEP, ("hydrophone_sensitivity", -240, "dB")], "6A001.a.2.a", "CLEAR", None, None),
    ("2,000 m hydrophone -220 dB after the change", D(2020, 1, 22),
     [*DEEP, ("hydrophone_sensitivity", -220, "dB")], "6A001.a.2.a",
     "LICENSE_REQUIRED", "6A001.a.2.a.5", "CONTROL_ENTRY"),
    ("submersible optical link, old text", D(2024, 1, 31), [], "14.9.ロ.(3)",
     "REVIEW", "jp-14.9.ロ.(3)-2024", "CONTROL_UNKNOWN"),
    ("submersible optical link, non-fibre text", D(2024, 2, 1), [], "14.9.ロ.(3)",
     "REVIEW", "jp-14.9.ロ.(3)-2026", "CONTROL_UNKNOWN"),
    ("submersible optical link, last day", D(2026, 2, 13), [], "14.9.ロ.(3)",
     "REVIEW", "jp-14.9.ロ.(3)-2026", "CONTROL_UNKNOWN"),
    ("submersible optical link, item deleted", D(2026, 2, 14), [], "14.9.ロ.(3)",
     "CLEAR", None, None),
]
DATED_IDS = {"jp-12.1.ロ-2024", "6A001.a.2.a-1000m-2020", "6A001.a.2.a.5",
             "jp-14.9.ロ.(3)-2024", "jp-14.9.ロ.(3)-2026"}


@pytest.fixture(scope="module")
def screened():
    return screen_lines([(day, None, params, declared)
                         for _name, day, params, declared, *_rest in DATED], VERSION)


@pytest.mark.parametrize("index", range(len(DATED)), ids=[s[0] for s in DATED])
def test_a_dated_change_decides_from_its_first_day(screened, index):
    assert_dated_decision(screened, index, DATED[index][-3:], DATED_IDS)


# (entry, first day or None, last day or None, excerpt quoting it or None for the bundled text)
VERSIONS = [
    ("jp-12.1.ロ-2024", None, D(2024, 1, 31), "goods-ordinance-2023-07-23-art12-excerpt.md"),
    ("6A001.a.2.a-1000m-2020", None, D(2020, 1, 21), "goods-ordinance-2019-07-01-art14-excerpt.md"),
    ("6A001.a.2.a.5", D(2020, 1, 22), None, None),
    ("jp-14.9.ロ.(3)-2024", None, D(2024, 1, 31), "goods-ordinance-2023-07-23-art14-excerpt.md"),
    ("jp-14.9.ロ.(3)-2026", D(2024, 2, 1), D(2026, 2, 13),
     "goods-ordinance-2025-11-15-art14-excerpt.md"),
]


@pytest.mark.parametrize("entry_id, first_day, last_day, text", VERSIONS,
                         ids=[v[0] for v in VERSIONS])
def test_each_text_has_its_days_and_quotes_its_revision(entry_id, first_day, last_day, text):
    ruleset = load_rules(VERSION)
    entry = {e.id: e for e in ruleset.entries}[entry_id]
    assert (entry.valid_from, entry.valid_to) == (first_day, last_day)
    folder = Path(ruleset.folder)
    if text is None:
        source = (folder / "law/goods-ordinance.md").read_text(encoding="utf-8")
    else:
        revision = (folder / "law/revisions" / text).read_text(encoding="utf-8")
        source = revision[revision.index("\n## "):]  # the copied sentences, not the header
    assert entry.quote in source


def test_the_deleted_items_are_gone_from_the_bundled_text():
    ruleset = load_rules(VERSION)
    current = (Path(ruleset.folder) / "law/goods-ordinance.md").read_text(encoding="utf-8")
    entries = {e.id: e for e in ruleset.entries}
    # 6A001.a.2.a-1000m-2020 quotes words the current （五） and 14.9.イ.(2) still use.
    for old_id in ("jp-12.1.ロ-2024", "jp-14.9.ロ.(3)-2024", "jp-14.9.ロ.(3)-2026"):
        assert entries[old_id].quote not in current, old_id
    assert "光伝送" not in current
