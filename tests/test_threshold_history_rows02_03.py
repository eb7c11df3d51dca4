"""Goods ordinance Articles 1, 2 and 2-2 (rows 2, 3 and 3-2): dated changes since 2018-01-22.

Each change has a shipment on the day before and on the day of the revision (rules
2025-10-09-r3): the tray columns and their internals of 1.10.ロ.(1) and (2) stand until
2019-01-08 (平成三十年経済産業省令第六十三号 deleted them); the mandrels of 1.11.ロ and the
bellows mandrels of 1.33.ハ.(1) range up to under 400 mm until 2024-01-31 and up to under
650 mm from 2024-02-01 (令和五年経済産業省令第五十三号); the formed tubes of 1.22.ロ.(4) range
up to under 400 mm until 2025-05-27 and up to under 650 mm with a wall of 12 mm or less from
2025-05-28 (令和七年経済産業省令第三十四号). Items added later carry their first day:
1.58.ハ/ニ, Article 2 paragraph 3 and 2の2-p2.9 from 2019-01-09, the precursors 2-p1.1.ノ to
イイ from 2021-12-15 and イロ from 2025-05-28, 2の2-p2.10 and the single-use centrifuges of
2の2-p2.3 from 2026-02-14; the spray dryers of 2の2-p2.5の2 are those usable for toxins or
pathogens from 2025-11-15.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulkscreen.rules import load_rules
from tests.dated_scenarios import assert_dated_decision, screen_lines

VERSION = "2025-10-09-r3"
D = dt.date

MANDREL_500 = [("inside_diameter", 500, "mm")]
BELLOWS_500 = [("inside_diameter", 500, "mm"), ("convolution_pitch", 15, "mm"),
               ("convolution_depth", 3, "mm")]

# (name, date, HS, parameters, declared entry) -> decision, deciding entry, its reason code
DATED = [
    ("tray column, last day", D(2019, 1, 8), "", [("max_pressure", 3, "MPa")], "1.10.ロ.(1)",
     "REVIEW", "2-1.10.ロ.(1)-2018", "CONTROL_UNKNOWN"),
    ("tray column, deleted", D(2019, 1, 9), "", [("max_pressure", 3, "MPa")], "1.10.ロ.(1)",
     "CLEAR", None, None),
    ("tray column internals, last day", D(2019, 1, 8), "", [("outside_diameter", 2000, "mm")],
     "1.10.ロ.(2)", "REVIEW", "2-1.10.ロ.(2)-2018", "CONTROL_UNKNOWN"),
    # from 2019-01-09 item (2) is the distillation column, renumbered from (3)
    ("tray column internals, deleted", D(2019, 1, 9), "", [("outside_diameter", 2000, "mm")],
     "1.10.ロ.(2)", "REVIEW", "0B004.b.3-2024", "CONTROL_UNKNOWN"),
    ("mandrel 500 mm, 400 mm limit", D(2024, 1, 31), "", MANDREL_500, "1.11.ロ", "CLEAR", None,
     None),
    ("mandrel 500 mm, 650 mm limit", D(2024, 2, 1), "", MANDREL_500, "1.11.ロ",
     "LICENSE_REQUIRED", "2B209.b", "CONTROL_ENTRY"),
    ("mandrel 300 mm, 400 mm limit", D(2024, 1, 31), "", [("inside_diameter", 300, "mm")],
     "1.11.ロ", "LICENSE_REQUIRED", "2B209.b-400mm", "CONTROL_ENTRY"),
    ("bellows mandrel 500 mm, 400 mm limit", D(2024, 1, 31), "", BELLOWS_500, "1.33.ハ",
     "CLEAR", None, None),
    ("bellows mandrel 500 mm, 650 mm limit", D(2024, 2, 1), "", BELLOWS_500, "1.33.ハ",
     "LICENSE_REQUIRED", "2-1.33.ハ", "CONTROL_ENTRY"),
    ("tube 500 mm, 400 mm limit", D(2025, 5, 27), "",
     [("inside_diameter", 500, "mm"), ("thickness", 10, "mm")], "1.22.ロ.(4)", "CLEAR", None,
     None),
    ("tube 500 mm, 650 mm limit", D(2025, 5, 28), "",
     [("inside_diameter", 500, "mm"), ("thickness", 10, "mm")], "1.22.ロ.(4)",
     "LICENSE_REQUIRED", "2(17)-tube", "CONTROL_ENTRY"),
    ("tube 300 mm with a 20 mm wall, no wall condition", D(2025, 5, 27), "",
     [("inside_diameter", 300, "mm"), ("thickness", 20, "mm")], "1.22.ロ.(4)",
     "LICENSE_REQUIRED", "2(17)-tube-400mm", "CONTROL_ENTRY"),
    ("tube 300 mm with a 20 mm wall, wall condition added", D(2025, 5, 28), "",
     [("inside_diameter", 300, "mm"), ("thickness", 20, "mm")], "1.22.ロ.(4)", "CLEAR", None,
     None),
]
CHEM = [("substance_content", 100, "percent")]
NUCLEIC = [("nucleic_acid_length", 2000, "1"), ("error_rate", 1, "percent")]
SPRAY = [("evaporation_rate", 10, "kg/h"), ("particle_size", 5, "um")]
DATED += [
    ("lithium target assembly before 1.58.ハ", D(2019, 1, 8), "", [], "1.58.ハ", "CLEAR", None,
     None),
    ("lithium target assembly under 1.58.ハ", D(2019, 1, 9), "", [], "1.58.ハ", "REVIEW",
     "2-1.58.ハ", "CONTROL_UNKNOWN"),
    ("glass-lined reactor repair assembly before 2-p3", D(2019, 1, 8), "", [], "2-p3.1",
     "CLEAR", None, None),
    ("glass-lined reactor repair assembly under 2-p3", D(2019, 1, 9), "", [], "2-p3.1",
     "REVIEW", "3(3)-2-p3.1", "CONTROL_UNKNOWN"),
    ("nucleic acid synthesiser before 2の2-p2.9", D(2019, 1, 8), "", NUCLEIC, "2の2-p2.9",
     "CLEAR", None, None),
    ("nucleic acid synthesiser under 2の2-p2.9", D(2019, 1, 9), "", NUCLEIC, "2の2-p2.9",
     "LICENSE_REQUIRED", "2B352.i", "CONTROL_ENTRY"),
    ("methylphosphonic dichloride before 2-p1.1.ノ", D(2021, 12, 14), "", CHEM, "2-p1.1.ノ",
     "CLEAR", None, None),
    ("methylphosphonic dichloride under 2-p1.1.ノ", D(2021, 12, 15), "", CHEM, "2-p1.1.ノ",
     "LICENSE_REQUIRED", "3(1)-2-p1.1.ノ", "CONTROL_ENTRY"),
    ("amidine before 2-p1.1.イイ", D(2021, 12, 14), "", CHEM, "2-p1.1.イイ", "CLEAR", None,
     None),
    ("amidine under 2-p1.1.イイ", D(2021, 12, 15), "", CHEM, "2-p1.1.イイ", "LICENSE_REQUIRED",
     "3(1)-2-p1.1.イイ", "CONTROL_ENTRY"),
    ("dipropylamine before 2-p1.1.イロ", D(2025, 5, 27), "", CHEM, "2-p1.1.イロ", "CLEAR", None,
     None),
    ("dipropylamine under 2-p1.1.イロ", D(2025, 5, 28), "", CHEM, "2-p1.1.イロ",
     "LICENSE_REQUIRED", "3(1)-2-p1.1.イロ", "CONTROL_ENTRY"),
    ("spray dryer, any use", D(2025, 11, 14), "", SPRAY, "2の2-p2.5の2", "REVIEW",
     "2B352.j-2025", "CONTROL_UNKNOWN"),
    ("spray dryer, for toxins or pathogens", D(2025, 11, 15), "", SPRAY, "2の2-p2.5の2",
     "REVIEW", "2B352.j", "CONTROL_UNKNOWN"),
    # a declared 2の2-p2.3.ロ falls under the item 2の2-p2.3 of the old text
    ("single-use centrifuge before 2の2-p2.3.ロ", D(2026, 2, 13), "", [], "2の2-p2.3.ロ",
     "REVIEW", "2B352.c-2026", "CONTROL_UNKNOWN"),
    ("single-use centrifuge under 2の2-p2.3.ロ", D(2026, 2, 14), "", [], "2の2-p2.3.ロ",
     "REVIEW", "2B352.c", "CONTROL_UNKNOWN"),
    ("continuous centrifuge, four conditions", D(2026, 2, 13), "",
     [("volume_flow", 0.5, "m^3/h")], "2の2-p2.3", "REVIEW", "2B352.c-2026",
     "CONTROL_UNKNOWN"),
    ("continuous centrifuge, either branch", D(2026, 2, 14), "",
     [("volume_flow", 0.5, "m^3/h")], "2の2-p2.3", "REVIEW", "2B352.c", "CONTROL_UNKNOWN"),
    ("peptide synthesiser before 2の2-p2.10", D(2026, 2, 13), "",
     [("synthesis_scale", 2, "mmol")], "2の2-p2.10", "CLEAR", None, None),
    ("peptide synthesiser under 2の2-p2.10", D(2026, 2, 14), "",
     [("synthesis_scale", 2, "mmol")], "2の2-p2.10", "LICENSE_REQUIRED", "2B352.k",
     "CONTROL_ENTRY"),
]
DATED += [
    ("tritium catalyst, heavy-water text", D(2025, 5, 27), "", [], "1.59", "REVIEW",
     "2-1.59-2025", "CONTROL_UNKNOWN"),
    ("tritium catalyst, hydrophobic text", D(2025, 5, 28), "", [], "1.59", "REVIEW", "2-1.59",
     "CONTROL_UNKNOWN"),
]
DATED_IDS = {"2-1.59", "2-1.59-2025", "2-1.58.ハ", "3(3)-2-p3.1", "2B352.i", "3(1)-2-p1.1.ノ",
             "3(1)-2-p1.1.イイ",
             "3(1)-2-p1.1.イロ", "2B352.j", "2B352.j-2025", "2B352.c", "2B352.c-2026",
             "2B352.k",
             "2-1.10.ロ.(1)-2018", "2-1.10.ロ.(2)-2018", "0B004.b.3-2024", "2B209.b",
             "2B209.b-400mm", "2-1.33.ハ", "2-1.33.ハ-400mm", "2(17)-tube", "2(17)-tube-400mm"}


@pytest.fixture(scope="module")
def screened_dated():
    return screen_lines([(day, hs, params, declared)
                         for _name, day, hs, params, declared, *_rest in DATED], VERSION)


@pytest.mark.parametrize("index", range(len(DATED)), ids=[s[0] for s in DATED])
def test_a_dated_change_decides_from_its_first_day(screened_dated, index):
    # Before 2019-01-09 the distillation column of 1.10.ロ.(2) still stands as item (3).
    column = DATED[index][-2] == "2-1.10.ロ.(2)-2018"
    assert_dated_decision(screened_dated, index, DATED[index][-3:], DATED_IDS,
                          also_deciding=frozenset({"0B004.b.3-2024"} if column else ()))


@pytest.mark.parametrize("old_id, new_id, last_day, text, old_words", [
    ("2B209.b-400mm", "2B209.b", D(2024, 1, 31), "goods-ordinance-2023-07-23-art01-excerpt.md",
     "内径が七五ミリメートル超四〇〇ミリメートル未満の円筒形のロータ"),
    ("2-1.33.ハ-400mm", "2-1.33.ハ", D(2024, 1, 31),
     "goods-ordinance-2023-07-23-art01-excerpt.md",
     "（一）　内径が七五ミリメートル超四〇〇ミリメートル未満のもの"),
    ("2(17)-tube-400mm", "2(17)-tube", D(2025, 5, 27),
     "goods-ordinance-2024-09-08-art01-excerpt.md",
     "内径が七五ミリメートル超四〇〇ミリメートル未満のもの"),
    ("2-1.59-2025", "2-1.59", D(2025, 5, 27), "goods-ordinance-2024-09-08-art01-excerpt.md",
     "重水からトリチウムを回収するため又は重水を製造するための白金を用いた触媒"),
    ("2B352.j-2025", "2B352.j", D(2025, 11, 14), "goods-ordinance-2025-10-09-art02-2-excerpt.md",
     "- 噴霧乾燥器であって、次のイからハまでの全てに該当するもの"),
    ("2B352.c-2026", "2B352.c", D(2026, 2, 13),
     "goods-ordinance-2025-11-15-art02-2-excerpt.md",
     "連続式の遠心分離機であって、次のイからニまでのすべてに該当するもの"),
])
def test_old_texts_end_the_day_before_the_new_ones_and_quote_their_revision(
        old_id, new_id, last_day, text, old_words):
    ruleset = load_rules(VERSION)
    old, new = (next(e for e in ruleset.entries if e.id == i) for i in (old_id, new_id))
    assert old.valid_to == last_day and new.valid_from == last_day + dt.timedelta(days=1)
    assert old.valid_from is None and new.valid_to is None
    revision = (Path(ruleset.folder) / "law/revisions" / text).read_text(encoding="utf-8")
    current = (Path(ruleset.folder) / "law/goods-ordinance.md").read_text(encoding="utf-8")
    assert old.quote in revision and new.quote in current
    assert old_words in revision and old_words not in current


def test_tray_columns_and_internals_end_on_2019_01_08():
    ruleset = load_rules(VERSION)
    folder = Path(ruleset.folder)
    text_2018 = (folder / "law/revisions/goods-ordinance-2018-01-22-art01-excerpt.md").read_text(
        encoding="utf-8")
    current = (folder / "law/goods-ordinance.md").read_text(encoding="utf-8")
    for entry_id in ("2-1.10.ロ.(1)-2018", "2-1.10.ロ.(2)-2018"):
        entry = next(e for e in ruleset.entries if e.id == entry_id)
        assert entry.valid_from is None and entry.valid_to == D(2019, 1, 8)
        assert entry.quote in text_2018 and entry.quote not in current
    assert "    - （一）　削除" in current


def test_items_added_to_articles_1_2_and_2_2_carry_their_first_day():
    ruleset = load_rules(VERSION)
    first = {e.id: e.valid_from for e in ruleset.entries}
    added = {"2-1.58.ハ": D(2019, 1, 9), "2-1.58.ニ": D(2019, 1, 9),
             "3(3)-2-p3.1": D(2019, 1, 9), "3(3)-2-p3.2": D(2019, 1, 9),
             "2B352.i": D(2019, 1, 9), "2B352.k": D(2026, 2, 14),
             "3(1)-2-p1.1.イロ": D(2025, 5, 28)}
    kana = ["ノ", "オ", "ク", "ヤ", "マ", "ケ", "フ", "コ", "エ", "テ", "ア", "サ",
            "キ", "ユ", "メ", "ミ", "シ", "ヱ", "ヒ", "モ", "セ", "ス", "ン", "イイ"]
    added.update({f"3(1)-2-p1.1.{k}": D(2021, 12, 15) for k in kana})
    assert {i: first[i] for i in added} == added
    assert first["3(1)-2-p1.1.ヰ"] is None and first["jp-1.58"] is None
