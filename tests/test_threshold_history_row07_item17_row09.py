"""Dated revisions of goods ordinance Article 8 items 1 and 9 イ (rules 2025-10-09-r3).

Until 2020-01-21 item 9 イ read 「又はこれと同等の非対称アルゴリズム」 with no key length, the kinds
(一) to (四) and the exclusions (五) to (十三) (entry 5A002.a-2019, quoted from the text of
2018-01-22). The revision in force 2020-01-22 (令和元年経済産業省令第四十四号) named the asymmetric
algorithms by 五一二ビット and 一一二ビット and lattice, isogeny and code problems, renumbered
the kinds (七) to (十) and excluded (十一) to (二十) (entry 5A002.a-2024, quoted from the text
of 2024-09-08).
The revision in force 2025-05-28 (令和七年経済産業省令第三十四号) dropped the banking and wireless
personal area network exclusions, raised the radio access network exclusion from 十六 to 三二
devices and excludes (十一) to (十八) (entry 5A002.a, the bundled text). Article 8 item 1 ハ and
ニ (5A001.a.3, .4) excluded goods 人工衛星に搭載するように設計し、又は改造したもの until
2026-02-13 and 宇宙空間用の飛しょう体に搭載するように… from the revision in force
2026-02-14. Article 6 item 17: カ (3B001.c.1.c) and ヤ (3B001.t) stand from 2023-07-23,
テ (3B001.f.4), ユ and ミ (3B001.r) from 2025-05-28, and ヰ (3B001.q) read 一〇〇ナノメートル超
with 応力が四五〇メガパスカル未満 until 2025-05-27 and 二マイクロメートル超 with 一・七グラム
from 2025-05-28. Each change has a one-line shipment on the day before and the day of it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulkscreen.rules import load_rules
from tests.dated_scenarios import assert_dated_decision, screen_lines

VERSION = "2025-10-09-r3"
D = dt.date
OLD = "goods-ordinance-2018-01-22-art08-excerpt.md"
MID = "goods-ordinance-2024-09-08-art08-excerpt.md"
AES = [("symmetric_key_length", 256, "bit")]
WEAK = [("symmetric_key_length", 40, "bit"), ("asymmetric_key_length", 400, "bit")]
COLD = [("min_operating_temperature", -60, "degC")]
HOT = [("max_operating_temperature", 130, "degC")]
SAT = "goods-ordinance-2025-11-15-art08-excerpt.md"
SEMI = "goods-ordinance-2024-09-08-art06-17-excerpt.md"
ETCH = [("etch_selectivity", 150, "1")]
OVL = [("overlay_accuracy", 3, "nm")]
VAC = [("min_pressure", 0.000005, "kPa")]
FLASH = [("operating_temperature", 1100, "degC"), ("pulse_width", 1000000, "ns")]
HM1 = [("thickness", 0.001, "mm"), ("density", 1.8, "g/cm^3")]
HM3 = [("thickness", 0.003, "mm"), ("density", 1.8, "g/cm^3")]

# (name, date, parameters, declared entry) -> decision, deciding entry, its reason code
DATED = [
    ("AES-256 router, text until 2020-01-21", D(2020, 1, 21), AES, None, "REVIEW",
     "5A002.a-2019", "CONTROL_UNKNOWN"),
    ("AES-256 router, text of 2020-01-22", D(2020, 1, 22), AES, None, "REVIEW", "5A002.a-2024",
     "CONTROL_UNKNOWN"),
    ("AES-256 router, last day of the (二十) exclusions", D(2025, 5, 27), AES, None, "REVIEW",
     "5A002.a-2024", "CONTROL_UNKNOWN"),
    ("AES-256 router, text of 2025-05-28", D(2025, 5, 28), AES, None, "REVIEW", "5A002.a",
     "CONTROL_UNKNOWN"),
    ("40-bit symmetric and 400-bit asymmetric, 「これと同等の」 text", D(2020, 1, 21), WEAK, None,
     "REVIEW", "5A002.a-2019", "CONTROL_UNKNOWN"),
    ("40-bit symmetric and 400-bit asymmetric, 512-bit text", D(2020, 1, 22), WEAK, None,
     "REVIEW", "5A002.a-2024", "CONTROL_UNKNOWN"),
    ("declared 8.9.イ without parameters, old text", D(2020, 1, 21), [], "8.9.イ", "REVIEW",
     "5A002.a-2019", "CONTROL_UNKNOWN"),
    ("declared 8.9.イ without parameters, text of 2025-05-28", D(2025, 5, 28), [], "8.9.イ",
     "REVIEW", "5A002.a", "CONTROL_UNKNOWN"),
    ("radio rated to -60 degC, 人工衛星 exclusion", D(2026, 2, 13), COLD, "8.1.ハ",
     "LICENSE_REQUIRED", "5A001.a-cold-satellite", "CONTROL_ENTRY"),
    ("radio rated to -60 degC, 宇宙空間用の飛しょう体 exclusion", D(2026, 2, 14), COLD, "8.1.ハ",
     "LICENSE_REQUIRED", "5A001.a-cold", "CONTROL_ENTRY"),
    ("radio rated to 130 degC, 人工衛星 exclusion", D(2026, 2, 13), HOT, "8.1.ニ",
     "LICENSE_REQUIRED", "5A001.a-hot-satellite", "CONTROL_ENTRY"),
    ("radio rated to 130 degC, 宇宙空間用の飛しょう体 exclusion", D(2026, 2, 14), HOT, "8.1.ニ",
     "LICENSE_REQUIRED", "5A001.a-hot", "CONTROL_ENTRY"),
    ("isotropic etcher SiGe:Si 150, before 6.17.カ", D(2023, 7, 22), ETCH, "6.17.カ.(1)", "CLEAR",
     None, None),
    ("isotropic etcher SiGe:Si 150, 6.17.カ", D(2023, 7, 23), ETCH, "6.17.カ.(1)",
     "LICENSE_REQUIRED", "3B001.c.1.c", "CONTROL_ENTRY"),
    ("copper cleaning at 0.005 Pa, before 6.17.ヤ", D(2023, 7, 22), VAC, "6.17.ヤ", "CLEAR", None,
     None),
    ("copper cleaning at 0.005 Pa, 6.17.ヤ", D(2023, 7, 23), VAC, "6.17.ヤ", "LICENSE_REQUIRED",
     "3B001.t", "CONTROL_ENTRY"),
    ("imprint tool with 3 nm overlay, before 6.17.テ", D(2025, 5, 27), OVL, "6.17.テ", "CLEAR",
     None, None),
    ("imprint tool with 3 nm overlay, 6.17.テ", D(2025, 5, 28), OVL, "6.17.テ", "LICENSE_REQUIRED",
     "3B001.f.4", "CONTROL_ENTRY"),
    ("flash anneal 1,100 degC in 1 ms, before 6.17.ユ", D(2025, 5, 27), FLASH, "6.17.ユ", "CLEAR",
     None, None),
    ("flash anneal 1,100 degC in 1 ms, 6.17.ユ", D(2025, 5, 28), FLASH, "6.17.ユ",
     "LICENSE_REQUIRED", "3B001-anneal", "CONTROL_ENTRY"),
    ("1 um carbon hard mask tool, 100 nm text", D(2025, 5, 27), HM1, "6.17.ヰ", "REVIEW",
     "3B001.q-100nm", "CONTROL_UNKNOWN"),
    ("1 um carbon hard mask tool, 2 um text", D(2025, 5, 28), HM1, "6.17.ヰ", "CLEAR", None, None),
    ("3 um carbon hard mask tool, 2 um text", D(2025, 5, 28), HM3, "6.17.ヰ", "LICENSE_REQUIRED",
     "3B001.q", "CONTROL_ENTRY"),
    ("1 um carbon hard mask tool, before 6.17.ヰ", D(2023, 7, 22), [("thickness", 0.001, "mm")],
     "6.17.ヰ", "CLEAR", None, None),
]
A_IDS = {"5A002.a", "5A002.a-2024", "5A002.a-2019"}
DATED_IDS = {"5A002.a", "5A002.a-2024", "5A002.a-2019", "5A001.a-cold",
             "5A001.a-cold-satellite", "5A001.a-hot", "5A001.a-hot-satellite", "3B001.c.1.c",
             "3B001.t", "3B001.f.4", "3B001-anneal", "3B001.q", "3B001.q-100nm"}


@pytest.fixture(scope="module")
def screened():
    return screen_lines([(day, "851762" if declared is None else None, params, declared)
                         for _name, day, params, declared, *_rest in DATED], VERSION)


@pytest.mark.parametrize("index", range(len(DATED)), ids=[s[0] for s in DATED])
def test_a_dated_change_decides_from_its_first_day(screened, index):
    assert_dated_decision(screened, index, DATED[index][-3:], DATED_IDS, reason_leads=False)


def test_the_weak_line_meets_the_512_bit_threshold_only_from_2020_01_22(screened):
    _, hits = screened
    by_row = {h["input_row"]: h for h in hits.to_pylist() if h["rule_id"] in DATED_IDS}
    assert by_row[5]["threshold"] is None
    assert by_row[6]["threshold"] in {"> 512 bit", "> 112 bit"}


def test_the_three_texts_follow_each_other_and_quote_their_revisions():
    ruleset = load_rules(VERSION)
    old, mid, new = (next(e for e in ruleset.entries if e.id == i)
                     for i in ("5A002.a-2019", "5A002.a-2024", "5A002.a"))
    assert old.valid_from is None and old.valid_to == D(2020, 1, 21)
    assert mid.valid_from == D(2020, 1, 22) and mid.valid_to == D(2025, 5, 27)
    assert new.valid_from == D(2025, 5, 28) and new.valid_to is None
    folder = Path(ruleset.folder)
    current = (folder / "law/goods-ordinance.md").read_text(encoding="utf-8")
    for entry, text in ((old, OLD), (mid, MID)):
        revision = (folder / "law/revisions" / text).read_text(encoding="utf-8")
        assert entry.quote in revision and entry.quote not in current
        assert all(x in revision for x in entry.exclusions)
    assert new.quote in current
    assert all(x in current for x in new.exclusions)


def test_the_radio_access_network_exclusion_counts_16_then_32_devices():
    ruleset = load_rules(VERSION)
    ran = {e.id: [x for x in e.exclusions if "無線アクセスネットワーク装置" in x]
           for e in ruleset.entries if e.id in A_IDS}
    assert all("十六以下" in x[0] for k, x in ran.items() if k != "5A002.a")
    assert "三二以下" in ran["5A002.a"][0]
    banking = {e.id for e in ruleset.entries if e.id in A_IDS
               and any(x.startswith("暗号装置であって、銀行業務") for x in e.exclusions)}
    assert banking == {"5A002.a-2019", "5A002.a-2024"}


@pytest.mark.parametrize("entry_id", ["5A001.a-cold", "5A001.a-hot"])
def test_the_space_exclusion_of_item_1_reads_satellites_until_2026_02_13(entry_id):
    ruleset = load_rules(VERSION)
    old, new = (next(e for e in ruleset.entries if e.id == i)
                for i in (f"{entry_id}-satellite", entry_id))
    assert old.valid_from is None and old.valid_to == D(2026, 2, 13)
    assert new.valid_from == D(2026, 2, 14) and new.valid_to is None
    assert old.tree == new.tree
    folder = Path(ruleset.folder)
    revision = (folder / "law/revisions" / SAT).read_text(encoding="utf-8")
    current = (folder / "law/goods-ordinance.md").read_text(encoding="utf-8")
    assert old.quote in revision and old.quote not in current and new.quote in current
    assert old.exclusions == ("人工衛星に搭載するように設計し、又は改造したもの",)


def test_items_of_article_6_item_17_carry_their_first_day():
    ruleset = load_rules(VERSION)
    first = {e.id: (e.valid_from, e.valid_to) for e in ruleset.entries
             if e.ordinance in ("6.17.カ.(1)", "6.17.ヤ", "6.17.テ", "6.17.ユ", "6.17.ミ",
                                "6.17.ヰ")}
    assert first == {"3B001.c.1.c": (D(2023, 7, 23), None), "3B001.t": (D(2023, 7, 23), None),
                     "3B001.f.4": (D(2025, 5, 28), None), "3B001-anneal": (D(2025, 5, 28), None),
                     "3B001.r": (D(2025, 5, 28), None), "3B001.q": (D(2025, 5, 28), None),
                     "3B001.q-100nm": (D(2023, 7, 23), D(2025, 5, 27))}
    folder = Path(ruleset.folder)
    old = next(e for e in ruleset.entries if e.id == "3B001.q-100nm")
    revision = (folder / "law/revisions" / SEMI).read_text(encoding="utf-8")
    current = (folder / "law/goods-ordinance.md").read_text(encoding="utf-8")
    assert old.quote in revision and old.quote not in current
