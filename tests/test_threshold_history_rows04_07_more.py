"""Dated revisions of goods ordinance Articles 3 and 6 (rules 2025-10-09-r3).

3.3.ロ gained デトネーションエンジン and 3.7.チ became 燃料又は酸化剤 with （二）
硝酸ヒドロキシルアンモニウム in the revision in force 2020-01-22 (令和元年経済産業省令第四十四号;
the text of 2019-07-01 lacks both). The work function metal ALD equipment of 6.17.レ.(6) stands
from 2023-07-23 with a precursor container over 45 degrees C, over 30 degrees C from 2024-09-08.
Items 18の2, 25 and 26 (isotopically enriched silicon and germanium) first stand in the revision
in force 2025-05-28 (令和七年経済産業省令第三十四号); the text of 2024-09-08 lacks them. Each
change has a one-line shipment on the day before and the day of it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulkscreen.rules import load_rules
from tests.dated_scenarios import assert_dated_decision, screen_lines

VERSION = "2025-10-09-r3"
D = dt.date
ISOTOPES = [("impurity_content", 0.05, "percent")]

# (name, date, parameters, declared entry) -> decision, deciding entry, its reason code
DATED = [
    ("ramjet engine, text without detonation engines", D(2020, 1, 21), [], "3.3.ロ", "REVIEW",
     "jp-3.3.ロ-2019", "CONTROL_UNKNOWN"),
    ("detonation engine, text with detonation engines", D(2020, 1, 22), [], "3.3.ロ", "REVIEW",
     "jp-3.3.ロ", "CONTROL_UNKNOWN"),
    ("hydroxylammonium nitrate before 3.7.チ.(2)", D(2020, 1, 21), [], "3.7.チ.(2)", "CLEAR",
     None, None),
    ("hydroxylammonium nitrate under 3.7.チ.(2)", D(2020, 1, 22), [], "3.7.チ.(2)", "REVIEW",
     "jp-3.7.チ.(2)", "CONTROL_UNKNOWN"),
    ("work function metal ALD before 6.17.レ", D(2023, 7, 22), [], "6.17.レ.(6)", "CLEAR",
     None, None),
    ("work function metal ALD, container over 45 degrees C text", D(2024, 9, 7), [],
     "6.17.レ.(6)", "REVIEW", "jp-6.17.レ.(6)-45", "CONTROL_UNKNOWN"),
    ("work function metal ALD, container over 30 degrees C text", D(2024, 9, 8), [],
     "6.17.レ.(6)", "REVIEW", "jp-6.17.レ.(6)", "CONTROL_UNKNOWN"),
    ("Si-28 epitaxial substrate before 6.18の2", D(2025, 5, 27), ISOTOPES, "6.18の2.イ", "CLEAR",
     None, None),
    ("Si-28 epitaxial substrate under 6.18の2", D(2025, 5, 28), ISOTOPES, "6.18の2.イ",
     "LICENSE_REQUIRED", "3C001-si28", "CONTROL_ENTRY"),
    ("Ge epitaxial substrate before 6.18の2", D(2025, 5, 27), ISOTOPES, "6.18の2.ロ", "CLEAR",
     None, None),
    ("Ge epitaxial substrate under 6.18の2", D(2025, 5, 28), ISOTOPES, "6.18の2.ロ",
     "LICENSE_REQUIRED", "3C001-ge", "CONTROL_ENTRY"),
    ("enriched silane before item 25", D(2025, 5, 27), [], "6.25", "CLEAR", None, None),
    ("enriched silane under item 25", D(2025, 5, 28), [], "6.25", "REVIEW", "jp-6.25",
     "CONTROL_UNKNOWN"),
    ("enriched silicon ingot before item 26", D(2025, 5, 27), [], "6.26", "CLEAR", None, None),
    ("enriched silicon ingot under item 26", D(2025, 5, 28), [], "6.26", "REVIEW", "jp-6.26",
     "CONTROL_UNKNOWN"),
]
DATED_IDS = {"jp-3.3.ロ", "jp-3.3.ロ-2019", "jp-3.7.チ.(2)", "jp-6.17.レ.(6)", "jp-6.17.レ.(6)-45",
             "3C001-si28", "3C001-ge", "jp-6.25", "jp-6.26", "jp-3.3", "jp-3.7", "jp-6.17"}


@pytest.fixture(scope="module")
def screened():
    return screen_lines([(day, None, params, declared)
                         for _name, day, params, declared, *_rest in DATED], VERSION)


@pytest.mark.parametrize("index", range(len(DATED)), ids=[s[0] for s in DATED])
def test_a_dated_change_decides_from_its_first_day(screened, index):
    assert_dated_decision(screened, index, DATED[index][-3:], DATED_IDS)


def _entry(ruleset, entry_id):
    return next(e for e in ruleset.entries if e.id == entry_id)


@pytest.mark.parametrize("old_id, new_id, first, last_day, text", [
    ("jp-3.3.ロ-2019", "jp-3.3.ロ", None, D(2020, 1, 21),
     "goods-ordinance-2019-07-01-art03-excerpt.md"),
    ("jp-6.17.レ.(6)-45", "jp-6.17.レ.(6)", D(2023, 7, 23), D(2024, 9, 7),
     "goods-ordinance-2024-02-01-art06-excerpt.md"),
])
def test_old_texts_end_the_day_before_the_new_ones(old_id, new_id, first, last_day, text):
    ruleset = load_rules(VERSION)
    old, new = _entry(ruleset, old_id), _entry(ruleset, new_id)
    assert old.valid_from == first and old.valid_to == last_day
    assert new.valid_from == last_day + dt.timedelta(days=1) and new.valid_to is None
    revision = (Path(ruleset.folder) / "law/revisions" / text).read_text(encoding="utf-8")
    current = (Path(ruleset.folder) / "law/goods-ordinance.md").read_text(encoding="utf-8")
    assert old.quote in revision and old.quote not in current
    assert new.quote in current


def test_precursor_container_went_from_45_to_30_degrees():
    ruleset = load_rules(VERSION)
    old, new = _entry(ruleset, "jp-6.17.レ.(6)-45"), _entry(ruleset, "jp-6.17.レ.(6)")
    assert "四五度超の温度で作動するように設計した前駆体容器" in str(old.tree)
    assert "三〇度超の温度で作動するように設計した前駆体容器" in str(new.tree)
    assert "四五度超" not in str(new.tree) and "三〇度超" not in str(old.tree)


def test_items_added_carry_their_first_day():
    ruleset = load_rules(VERSION)
    refs = ("3.7.チ.(2)", "6.18の2.イ", "6.18の2.ロ", "6.25", "6.26")
    first = {e.id: (e.valid_from, e.valid_to) for e in ruleset.entries if e.ordinance in refs}
    assert first == {"jp-3.7.チ.(2)": (D(2020, 1, 22), None),
                     "3C001-si28": (D(2025, 5, 28), None), "3C001-ge": (D(2025, 5, 28), None),
                     "jp-6.25": (D(2025, 5, 28), None), "jp-6.26": (D(2025, 5, 28), None)}


def test_drafts_no_longer_hold_the_dated_items():
    ruleset = load_rules(VERSION)
    drafted = {e.id: e.declared for e in ruleset.entries if e.id in ("jp-3.3", "jp-3.7", "jp-6.17")}
    assert "3.3.ロ" not in drafted["jp-3.3"]
    assert "3.7.チ.(2)" not in drafted["jp-3.7"] and "3.7.チ.(1)" in drafted["jp-3.7"]
    assert "6.17.レ.(6)" not in drafted["jp-6.17"] and "6.17.レ.(5).2" in drafted["jp-6.17"]
