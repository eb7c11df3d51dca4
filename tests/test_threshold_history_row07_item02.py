"""Dated revisions of goods ordinance Article 6 item 2 (rules 2025-10-09-r3).

The harmonic mixers and converters of 6.2.リ / 3A001.b.7 read 九〇ギガヘルツ until 2025-05-27 and
一一〇ギガヘルツ from the revision in force 2025-05-28 (令和七年経済産業省令第三十四号); the same
revision merged the network analyser extenders of 6.2.リ.(3) (43.5-90 GHz over 31.62 mW and
90-110 GHz over 1 mW) into one band of 43.5-110 GHz over 100 mW. The discrete microwave
transistors of 6.2.ニ.(6) first stand in the revision in force 2020-01-22 (令和元年経済産業省令
第四十四号). The instruments of items 13 and 14 moved from 90 to 110 GHz on 2025-05-28 (signal
generators 6.13.ハ.(6), ホ.(4) and ヘ / 3A002.d; network analysers 6.14.イ, which absorbed ロ /
3A002.e); the revision of 2022-12-06 split the 37-90 GHz bands of 6.13.ハ.(5) and ホ.(3) at 75 GHz;
6.13.ホ (vector modulation) stands from 2020-01-22, the cryocoolers of 6.16の3 (3A002.h) from
2025-05-28, the optical modulators of 6.8の4 from 2019-01-09, and the oscilloscopes of 6.9 read
"60 GHz or more" until 2026-02-13 and "over 90 GHz" from 2026-02-14, when 6.10の2 entered.
Items 23 and 24 (substrates) stand from 2019-01-09, and 三酸化二ガリウム and ダイヤモンド
joined the materials of items 22 to 24 on 2022-12-06. Each change has a one-line shipment on
the day before and the day of it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulkscreen.rules import load_rules
from tests.dated_scenarios import assert_dated_decision, screen_lines

VERSION = "2025-10-09-r3"
D = dt.date
EXCERPT = "goods-ordinance-2024-09-08-art06-excerpt.md"


def _f(ghz):
    return ("frequency", ghz, "GHz")


def _w(watt):
    return ("peak_saturated_power", watt, "W")


def _sw(step_ghz, time_ms):
    return [("switching_step", step_ghz, "GHz"), ("switching_time", time_ms, "ms")]


def _mod(ghz):
    return ("modulation_bandwidth", ghz, "GHz")


COOLER = [("operating_temperature", -273.1, "degC"), ("cooling_power", 0.001, "W")]


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
    ("signal generator to 100 GHz, 90 GHz text", D(2025, 5, 27), [_f(100)], "6.13.ヘ",
     "LICENSE_REQUIRED", "3A002.d.5-90GHz", "CONTROL_ENTRY"),
    ("signal generator to 100 GHz, 110 GHz text", D(2025, 5, 28), [_f(100)], "6.13.ヘ",
     "CLEAR", None, None),
    ("100 GHz generator, 6 GHz steps in 50 us, 75-90 GHz band", D(2025, 5, 27),
     [_f(100), *_sw(6, 0.05)], "6.13.ハ.(6)", "CLEAR", None, None),
    ("100 GHz generator, 6 GHz steps in 50 us, 75-110 GHz band", D(2025, 5, 28),
     [_f(100), *_sw(6, 0.05)], "6.13.ハ.(6)", "LICENSE_REQUIRED", "3A002.d.3-ハ.(6)",
     "CONTROL_ENTRY"),
    ("80 GHz generator, 6 GHz steps in 50 us, before (六)", D(2022, 12, 5),
     [_f(80), *_sw(6, 0.05)], "6.13.ハ.(6)", "CLEAR", None, None),
    ("80 GHz generator, 6 GHz steps in 50 us, (六) of 2022", D(2022, 12, 6),
     [_f(80), *_sw(6, 0.05)], "6.13.ハ.(6)", "LICENSE_REQUIRED", "3A002.d.3-ハ.(6)-90GHz",
     "CONTROL_ENTRY"),
    ("80 GHz generator, 3 GHz steps in 50 us, 37-90 GHz band", D(2022, 12, 5),
     [_f(80), *_sw(3, 0.05)], "6.13.ハ.(5)", "LICENSE_REQUIRED", "3A002.d.3-ハ.(5)-90GHz",
     "CONTROL_ENTRY"),
    ("80 GHz generator, 3 GHz steps in 50 us, 37-75 GHz band", D(2022, 12, 6),
     [_f(80), *_sw(3, 0.05)], "6.13.ハ.(5)", "CLEAR", None, None),
    ("vector generator 20 GHz, 3 GHz modulation, before ホ", D(2020, 1, 21),
     [_f(20), _mod(3)], "6.13.ホ.(1)", "CLEAR", None, None),
    ("vector generator 20 GHz, 3 GHz modulation, under ホ", D(2020, 1, 22),
     [_f(20), _mod(3)], "6.13.ホ.(1)", "LICENSE_REQUIRED", "3A002.d.4-ホ.(1)", "CONTROL_ENTRY"),
    ("vector generator 80 GHz, 3 GHz modulation, 37-90 GHz band", D(2022, 12, 5),
     [_f(80), _mod(3)], "6.13.ホ.(3)", "LICENSE_REQUIRED", "3A002.d.4-ホ.(3)-90GHz",
     "CONTROL_ENTRY"),
    ("vector generator 80 GHz, 3 GHz modulation, 37-75 GHz band", D(2022, 12, 6),
     [_f(80), _mod(3)], "6.13.ホ.(3)", "CLEAR", None, None),
    ("vector generator 100 GHz, 6 GHz modulation, 75-90 GHz band", D(2025, 5, 27),
     [_f(100), _mod(6)], "6.13.ホ.(4)", "CLEAR", None, None),
    ("vector generator 100 GHz, 6 GHz modulation, 75-110 GHz band", D(2025, 5, 28),
     [_f(100), _mod(6)], "6.13.ホ.(4)", "LICENSE_REQUIRED", "3A002.d.4-ホ.(4)", "CONTROL_ENTRY"),
    ("network analyser 60 GHz 50 mW, 31.62 mW text", D(2025, 5, 27), [_f(60), _w(0.05)],
     "6.14.イ", "LICENSE_REQUIRED", "3A002.e.1-31mW", "CONTROL_ENTRY"),
    ("network analyser 60 GHz 50 mW, 100 mW text", D(2025, 5, 28), [_f(60), _w(0.05)],
     "6.14.イ", "CLEAR", None, None),
    ("network analyser 100 GHz 10 mW, ロ of 1 mW", D(2025, 5, 27), [_f(100), _w(0.01)],
     "6.14.イ", "LICENSE_REQUIRED", "3A002.e.2-1mW", "CONTROL_ENTRY"),
    ("network analyser 100 GHz 10 mW, ロ deleted", D(2025, 5, 28), [_f(100), _w(0.01)],
     "6.14.イ", "CLEAR", None, None),
    ("network analyser 100 GHz 200 mW, 43.5-110 GHz band", D(2025, 5, 28),
     [_f(100), _w(0.2)], "6.14.イ", "LICENSE_REQUIRED", "3A002.e.1", "CONTROL_ENTRY"),
    ("cryocooler before 6.16の3", D(2025, 5, 27), COOLER, "6.16の3.イ", "CLEAR", None, None),
    ("cryocooler under 6.16の3", D(2025, 5, 28), COOLER, "6.16の3.イ", "LICENSE_REQUIRED",
     "3A002.h.1", "CONTROL_ENTRY"),
    ("optical modulator before 6.8の4", D(2019, 1, 8), [], "6.8の4", "CLEAR", None, None),
    ("optical modulator under 6.8の4", D(2019, 1, 9), [], "6.8の4", "REVIEW", "jp-6.8の4",
     "CONTROL_UNKNOWN"),
    ("oscilloscope, text of 60 GHz", D(2026, 2, 13), [], "6.9", "REVIEW", "jp-6.9-60GHz",
     "CONTROL_UNKNOWN"),
    ("oscilloscope, text of over 90 GHz", D(2026, 2, 14), [], "6.9", "REVIEW", "jp-6.9",
     "CONTROL_UNKNOWN"),
    ("FPGA module before 6.10の2", D(2026, 2, 13), [], "6.10の2", "CLEAR", None, None),
    ("FPGA module under 6.10の2", D(2026, 2, 14), [], "6.10の2", "REVIEW", "jp-6.10の2",
     "CONTROL_UNKNOWN"),
    ("polycrystalline substrate before item 23", D(2019, 1, 8), [], "6.23", "CLEAR", None, None),
    ("polycrystalline substrate under item 23", D(2019, 1, 9), [], "6.23", "REVIEW",
     "jp-6.23-2021", "CONTROL_UNKNOWN"),
    ("substrate of item 22, text without Ga2O3", D(2022, 12, 5), [], "6.22", "REVIEW",
     "jp-6.22-2021", "CONTROL_UNKNOWN"),
    ("substrate of item 22, text with Ga2O3", D(2022, 12, 6), [], "6.22", "REVIEW", "jp-6.22",
     "CONTROL_UNKNOWN"),
    ("epitaxial substrate before item 24", D(2019, 1, 8), [], "6.24", "CLEAR", None, None),
    ("Ga2O3 heteroepitaxial substrate before 6.18.ホ", D(2022, 12, 5), [], "6.18.ホ", "CLEAR",
     None, None),
    ("Ga2O3 heteroepitaxial substrate under 6.18.ホ", D(2022, 12, 6), [], "6.18.ホ", "REVIEW",
     "jp-6.18-ホヘ", "CONTROL_UNKNOWN"),
    ("silicon heteroepitaxial substrate, 6.18.イ of the draft", D(2022, 12, 5), [], "6.18.イ",
     "REVIEW", "jp-6.18", "CONTROL_UNKNOWN"),
    ("epitaxial substrate, text with Ga2O3", D(2022, 12, 6), [], "6.24", "REVIEW", "jp-6.24",
     "CONTROL_UNKNOWN"),
]
DATED_IDS = {"3A001.b.7.a", "3A001.b.7.a-90GHz", "3A001.b.7.b.1", "3A001.b.7.b.1-90GHz",
             "3A001.b.7.b.2", "3A001.b.7.b.2-90GHz", "3A001.b.7.c.2", "3A001.b.7.c.2-31mW",
             "3A001.b.7.c.3-1mW", "3A001.b.3-ニ.(6)", "3A002.d.5", "3A002.d.5-90GHz",
             "3A002.d.3-ハ.(5)", "3A002.d.3-ハ.(5)-90GHz", "3A002.d.3-ハ.(6)",
             "3A002.d.3-ハ.(6)-90GHz", "3A002.d.4-ホ.(1)", "3A002.d.4-ホ.(3)",
             "3A002.d.4-ホ.(3)-90GHz", "3A002.d.4-ホ.(4)", "3A002.d.4-ホ.(4)-90GHz", "3A002.e.1",
             "3A002.e.1-31mW", "3A002.e.2-1mW", "3A002.h.1", "jp-6.8の4", "jp-6.9",
             "jp-6.9-60GHz", "jp-6.10の2", "jp-6.22", "jp-6.22-2021", "jp-6.23", "jp-6.23-2021",
             "jp-6.24", "jp-6.24-2021", "jp-6.18", "jp-6.18-ホヘ"}


@pytest.fixture(scope="module")
def screened():
    return screen_lines([(day, None, params, declared)
                         for _name, day, params, declared, *_rest in DATED], VERSION)


@pytest.mark.parametrize("index", range(len(DATED)), ids=[s[0] for s in DATED])
def test_a_dated_change_decides_from_its_first_day(screened, index):
    assert_dated_decision(screened, index, DATED[index][-3:], DATED_IDS)


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


@pytest.mark.parametrize("old_id, new_id, last_day, text", [
    ("3A002.d.5-90GHz", "3A002.d.5", D(2025, 5, 27), EXCERPT),
    ("3A002.d.3-ハ.(6)-90GHz", "3A002.d.3-ハ.(6)", D(2025, 5, 27), EXCERPT),
    ("3A002.d.4-ホ.(4)-90GHz", "3A002.d.4-ホ.(4)", D(2025, 5, 27), EXCERPT),
    ("3A002.e.1-31mW", "3A002.e.1", D(2025, 5, 27), EXCERPT),
    ("3A002.e.2-1mW", "3A002.e.1", D(2025, 5, 27), EXCERPT),
    ("3A002.d.3-ハ.(5)-90GHz", "3A002.d.3-ハ.(5)", D(2022, 12, 5),
     "goods-ordinance-2021-12-15-art06-excerpt.md"),
    ("3A002.d.4-ホ.(3)-90GHz", "3A002.d.4-ホ.(3)", D(2022, 12, 5),
     "goods-ordinance-2021-12-15-art06-excerpt.md"),
    ("jp-6.9-60GHz", "jp-6.9", D(2026, 2, 13), "goods-ordinance-2025-11-15-art06-excerpt.md"),
    ("jp-6.22-2021", "jp-6.22", D(2022, 12, 5), "goods-ordinance-2021-12-15-art06-excerpt.md"),
    ("jp-6.23-2021", "jp-6.23", D(2022, 12, 5), "goods-ordinance-2021-12-15-art06-excerpt.md"),
    ("jp-6.24-2021", "jp-6.24", D(2022, 12, 5), "goods-ordinance-2021-12-15-art06-excerpt.md"),
])
def test_instrument_texts_end_the_day_before_the_new_ones(old_id, new_id, last_day, text):
    ruleset = load_rules(VERSION)
    old, new = (next(e for e in ruleset.entries if e.id == i) for i in (old_id, new_id))
    assert old.valid_to == last_day and new.valid_from == last_day + dt.timedelta(days=1)
    revision = (Path(ruleset.folder) / "law/revisions" / text).read_text(encoding="utf-8")
    current = (Path(ruleset.folder) / "law/goods-ordinance.md").read_text(encoding="utf-8")
    assert old.quote in revision and old.quote not in current
    assert new.quote in current


def test_items_added_to_article_6_carry_their_first_day():
    ruleset = load_rules(VERSION)
    first = {e.id: e.valid_from for e in ruleset.entries
             if e.ordinance in ("6.8の4", "6.10の2", "6.16の3.イ", "6.16の3.ロ", "6.13.ホ.(1)",
                                "6.13.ホ.(2)", "6.13.ハ.(6)", "6.13.ホ.(4)")}
    assert first == {"jp-6.8の4": D(2019, 1, 9), "jp-6.10の2": D(2026, 2, 14),
                     "3A002.h.1": D(2025, 5, 28), "3A002.h.2": D(2025, 5, 28),
                     "3A002.d.4-ホ.(1)": D(2020, 1, 22), "3A002.d.4-ホ.(2)": D(2020, 1, 22),
                     "3A002.d.3-ハ.(6)": D(2025, 5, 28), "3A002.d.3-ハ.(6)-90GHz": D(2022, 12, 6),
                     "3A002.d.4-ホ.(4)": D(2025, 5, 28), "3A002.d.4-ホ.(4)-90GHz": D(2022, 12, 6)}


def test_substrate_items_name_gallium_oxide_and_diamond_from_2022_12_06():
    ruleset = load_rules(VERSION)
    for ref in ("6.22", "6.23", "6.24"):
        old, new = (next(e for e in ruleset.entries if e.id == i)
                    for i in (f"jp-{ref}-2021", f"jp-{ref}"))
        assert old.valid_from == D(2019, 1, 9)
        assert "三酸化二ガリウム" in new.quote and "三酸化二ガリウム" not in old.quote
