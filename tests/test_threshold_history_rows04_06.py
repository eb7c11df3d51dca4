"""Dated changes of goods ordinance Articles 3 to 5 (rows 4 to 6) since the text of 2018-01-22.

Each change is a pair of entry versions (the old one ends the day before the revision, the new one
starts on its first day), or an item that enters the ordinance on a given day:

- 3.3.イ light turbojets (MTCR 3.A.1.a): dry weight under 750 kg and rotor under 1 m added on
  2019-01-09 (平成三十年経済産業省令第六十三号);
- 3.5 flow-forming machines (MTCR 3.B.3): limited to machines for 500 kg / 300 km propulsion
  parts on 2019-01-09;
- 4.15.ハ inorganic fibres (1C010.c): over 2,540,000 m for every fibre until 2021-01-26; from
  2021-01-27 (令和二年経済産業省令第八十六号) over 5,600,000 m unless 50 % silica or more;
- 4.16 (1C111): 五ふっ化よう素 added on 2025-05-28 (令和七年経済産業省令第三十四号);
- 5.8.ロ.(1) non-contact displacement gauges (2B006.b.1.a) enter on 2019-01-09;
- 5.12 additive manufacturing equipment enters on 2025-05-28;
- 4.10.ハ superconductors (1C005.b): above -158.16 degrees C until 2026-02-13, above -158.15
  from 2026-02-14 (令和七年経済産業省令第七十二号, second stage);
- 4.17 coated alloy and metal powders enters on 2026-02-14.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulkscreen.rules import load_rules
from tests.dated_scenarios import assert_dated_decision, screen_lines

VERSION = "2025-10-09-r3"
D = dt.date

TURBOJET = [("thrust", 5000, "N"), ("specific_fuel_consumption", 0.1, "kg/(N*h)"),
            ("dry_mass", 900, "kg"), ("rotor_diameter", 0.6, "m")]
ALUMINA_FIBRE = [("silica_content", 0, "percent"), ("specific_modulus", 4.0e6, "m"),
                 ("fibre_melting_point", 2000, "degC")]
SUPERCONDUCTOR = [("critical_temperature", -158.155, "degC"), ("length", 200, "m")]
IODINE_PENTAFLUORIDE = [("particle_size", 500, "um"), ("purity", 50, "percent")]

# (name, date, HS, parameters, declared entry) -> decision, deciding entry, its reason code
DATED = [
    ("turbojet of 900 kg, text of 2018", D(2019, 1, 8), "", TURBOJET, "3.3.イ.(1)",
     "LICENSE_REQUIRED", "4-turbojet-2018", "CONTROL_ENTRY"),
    ("turbojet of 900 kg, dry weight condition added", D(2019, 1, 9), "", TURBOJET, "3.3.イ.(1)",
     "CLEAR", None, None),
    ("turbojet of 300 kg under the four conditions", D(2019, 1, 9), "",
     [*TURBOJET[:2], ("dry_mass", 300, "kg"), TURBOJET[3]], "3.3.イ.(1)", "LICENSE_REQUIRED",
     "4-turbojet", "CONTROL_ENTRY"),
    ("3-axis flow-forming machine, text of 2018", D(2019, 1, 8), "",
     [("contouring_axes", 3, "1")], "3.5", "REVIEW", "4-flow-forming-2018", "CONTROL_UNKNOWN"),
    ("3-axis flow-forming machine, propulsion-part condition", D(2019, 1, 9), "",
     [("contouring_axes", 3, "1")], "3.5", "REVIEW", "4-flow-forming", "CONTROL_UNKNOWN"),
    ("alumina fibre of 4,000,000 m, one limit", D(2021, 1, 26), "", ALUMINA_FIBRE, "4.15.ハ",
     "LICENSE_REQUIRED", "1C010.c-2020", "CONTROL_ENTRY"),
    ("alumina fibre of 4,000,000 m, 5,600,000 m limit", D(2021, 1, 27), "", ALUMINA_FIBRE,
     "4.15.ハ", "CLEAR", None, None),
    ("silica fibre of 4,000,000 m, 2,540,000 m limit kept", D(2021, 1, 27), "",
     [("silica_content", 60, "percent"), *ALUMINA_FIBRE[1:]], "4.15.ハ", "LICENSE_REQUIRED",
     "1C010.c", "CONTROL_ENTRY"),
    ("non-contact gauge of 0.1 um before 5.8.ロ.(1)", D(2019, 1, 8), "",
     [("resolution", 0.1, "um")], "5.8.ロ.(1)", "CLEAR", None, None),
    ("non-contact gauge of 0.1 um under 5.8.ロ.(1)", D(2019, 1, 9), "",
     [("resolution", 0.1, "um")], "5.8.ロ.(1)", "REVIEW", "2B006.b.1.a", "CONTROL_UNKNOWN"),
    ("4.16 substance, text without iodine pentafluoride", D(2025, 5, 27), "",
     IODINE_PENTAFLUORIDE, "4.16", "REVIEW", "1C111.a-boron-2024", "CONTROL_UNKNOWN"),
    ("4.16 substance, iodine pentafluoride added", D(2025, 5, 28), "", IODINE_PENTAFLUORIDE,
     "4.16", "REVIEW", "1C111.a-boron", "CONTROL_UNKNOWN"),
    ("additive manufacturing equipment before 5.12", D(2025, 5, 27), "", [], "5.12", "CLEAR",
     None, None),
    ("additive manufacturing equipment under 5.12", D(2025, 5, 28), "", [], "5.12", "REVIEW",
     "jp-5.12", "CONTROL_UNKNOWN"),
    ("superconductor at -158.155 C, -158.16 limit", D(2026, 2, 13), "", SUPERCONDUCTOR,
     "4.10.ハ", "LICENSE_REQUIRED", "1C005.b-2025", "CONTROL_ENTRY"),
    ("superconductor at -158.155 C, -158.15 limit", D(2026, 2, 14), "", SUPERCONDUCTOR,
     "4.10.ハ", "CLEAR", None, None),
    ("superconductor at -150 C, -158.15 limit", D(2026, 2, 14), "",
     [("critical_temperature", -150, "degC"), SUPERCONDUCTOR[1]], "4.10.ハ", "LICENSE_REQUIRED",
     "1C005.b", "CONTROL_ENTRY"),
    ("coated alloy powder before 4.17", D(2026, 2, 13), "", [], "4.17", "CLEAR", None, None),
    ("coated alloy powder under 4.17", D(2026, 2, 14), "", [], "4.17", "REVIEW", "jp-4.17",
     "CONTROL_UNKNOWN"),
]
DATED_IDS = {"4-turbojet", "4-turbojet-2018", "4-flow-forming", "4-flow-forming-2018",
             "1C010.c", "1C010.c-2020", "1C111.a-boron", "1C111.a-boron-2024", "jp-5.12",
             "1C005.b", "1C005.b-2025", "jp-4.17", "2B006.b.1.a"}


@pytest.fixture(scope="module")
def screened_dated():
    return screen_lines([(day, hs, params, declared)
                         for _name, day, hs, params, declared, *_rest in DATED], VERSION)


@pytest.mark.parametrize("index", range(len(DATED)), ids=[s[0] for s in DATED])
def test_a_dated_change_of_articles_3_to_5_decides_from_its_first_day(screened_dated, index):
    assert_dated_decision(screened_dated, index, DATED[index][-3:], DATED_IDS)


# (old entry, new entry, last day of the old text, excerpt, words of the old text)
PAIRS = [
    ("4-turbojet-2018", "4-turbojet", D(2019, 1, 8), "goods-ordinance-2018-01-22-art03-excerpt.md",
     "ターボジェットエンジン又はターボファンエンジンであって、次の（一）及び（二）に該当するもの"),
    ("4-flow-forming-2018", "4-flow-forming", D(2019, 1, 8),
     "goods-ordinance-2018-01-22-art03-excerpt.md", "軸数が三以上のもの又はその部分品"),
    ("1C010.c-2020", "1C010.c", D(2021, 1, 26), "goods-ordinance-2020-07-01-art04-excerpt.md",
     "（一）　比弾性率が二、五四〇、〇〇〇メートルを超えるもの"),
    ("1C111.a-boron-2024", "1C111.a-boron", D(2025, 5, 27),
     "goods-ordinance-2024-09-08-art04-excerpt.md", "硝酸グアニジン又はニトログアニジン"),
    ("1C005.b-2025", "1C005.b", D(2026, 2, 13), "goods-ordinance-2025-11-15-art04-excerpt.md",
     "零下一五八・一六度"),
]


@pytest.mark.parametrize("old_id, new_id, last_day, text, words", PAIRS)
def test_old_texts_of_articles_3_to_5_end_the_day_before_the_new_ones(
        old_id, new_id, last_day, text, words):
    ruleset = load_rules(VERSION)
    old, new = (next(e for e in ruleset.entries if e.id == i) for i in (old_id, new_id))
    assert old.valid_from is None and old.valid_to == last_day
    assert new.valid_from == last_day + dt.timedelta(days=1) and new.valid_to is None
    revision = (Path(ruleset.folder) / "law/revisions" / text).read_text(encoding="utf-8")
    current = (Path(ruleset.folder) / "law/goods-ordinance.md").read_text(encoding="utf-8")
    assert old.quote in revision and new.quote in current
    assert words in revision and words not in current
    assert old.ordinance == new.ordinance and old.regime_number == new.regime_number


def test_items_added_to_articles_4_and_5_carry_their_first_day():
    ruleset = load_rules(VERSION)
    first = {e.id: e.valid_from for e in ruleset.entries
             if e.ordinance in ("4.17", "5.12", "5.8.ロ.(1)")}
    assert first == {"jp-4.17": D(2026, 2, 14), "jp-5.12": D(2025, 5, 28),
                     "2B006.b.1.a": D(2019, 1, 9)}
    text_2018 = (Path(ruleset.folder) / "law/revisions/goods-ordinance-2018-01-22-art05-excerpt.md"
                 ).read_text(encoding="utf-8").split("## 第五条第八号")[1]
    assert "直線上の変位を測定するためのものであって" in text_2018 and "非接触型" not in text_2018
