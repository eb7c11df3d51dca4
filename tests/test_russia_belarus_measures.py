"""Russia, Belarus and DPR/LPR measures read from the order's Article 2 and Appended Table 2-3.

One shipment line each, on the day before and the day of every dated step (rules 2025-10-09-r3):
Russia-only items stay Russia-only, an HS code is only a candidate for an item the ministerial
ordinance defines (so an ordinary laptop goes to review, not PROHIBITED), the whole oblast is
not the area the notice names, and every finding quotes the table's item.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from bulkscreen.columns import HITS, SHIPMENTS
from bulkscreen.rules import compile_rules, load_rules
from bulkscreen.rules.law_text import appended_table
from bulkscreen.screen.shipments import screen_shipments_batch

VERSION = "2025-10-09-r3"
D = dt.date
ADC_MET = [{"name": "adc_resolution", "value": 12.0, "unit": "bit"},
           {"name": "adc_sample_rate", "value": 500.0, "unit": "MSPS"}]
CC_2000 = [{"name": "engine_displacement", "value": 2000.0, "unit": "cc"}]
DPR = "Stroy LLC, Donetsk People's Republic"

# (name, date, destination, hs, parameters, value_jpy, consignee) -> decision, reason, rule id
SCENARIOS = [
    # Table 2-3 No. 1: rows 1-15 goods, Russia and Belarus from 2022-03-18.
    ("ru-controlled-before", D(2022, 3, 17), "RU", "854239", ADC_MET, 5e6, None,
     "LICENSE_REQUIRED", "CONTROL_ENTRY", None),
    ("ru-controlled-day-of", D(2022, 3, 18), "RU", "854239", ADC_MET, 5e6, None,
     "PROHIBITED", "RU_BY_BAN", "ru-by-t2-3-1"),
    ("by-controlled-day-of", D(2022, 3, 18), "BY", "854239", ADC_MET, 5e6, None,
     "PROHIBITED", "RU_BY_BAN", "ru-by-t2-3-1"),
    # No. 2 (1)-(31), Russia and Belarus from 2022-03-18: a candidate, so review.
    ("by-radar-before", D(2022, 3, 17), "BY", "852610", [], 5e6, None, "CLEAR", None, None),
    ("by-radar-day-of", D(2022, 3, 18), "BY", "852610", [], 5e6, None,
     "REVIEW", "RU_BY_BAN", "ru-by-t2-3-2-19"),
    # No. 2 (32), oil refining, Russia only from 2022-03-18 (Belarus spared 第二号フ).
    ("ru-refinery-before", D(2022, 3, 17), "RU", "841940", [], 5e6, None, "CLEAR", None, None),
    ("ru-refinery-day-of", D(2022, 3, 18), "RU", "841940", [], 5e6, None,
     "REVIEW", "RU_BY_BAN", "ru-t2-3-2-32"),
    ("by-refinery-not-banned", D(2022, 3, 18), "BY", "841940", [], 5e6, None,
     "CLEAR", None, None),
    # No. 2 (33)-(45), Russia only from 2022-05-20 (quantum, microscopes, 3D printers).
    ("ru-microscope-before", D(2022, 5, 19), "RU", "901210", [], 5e6, None,
     "CLEAR", None, None),
    ("ru-microscope-day-of", D(2022, 5, 20), "RU", "901210", [], 5e6, None,
     "REVIEW", "RU_BY_BAN", "ru-t2-3-2-34"),
    ("by-microscope-not-banned", D(2024, 1, 1), "BY", "901210", [], 5e6, None,
     "CLEAR", None, None),
    ("by-3d-printer-not-banned", D(2024, 1, 1), "BY", "848520", [], 5e6, None,
     "CLEAR", None, None),
    # No. 3 luxury goods, Russia only from 2022-04-05, per category.
    ("ru-wine-before", D(2022, 4, 4), "RU", "220421", [], 5e4, None, "CLEAR", None, None),
    ("ru-wine-day-of", D(2022, 4, 5), "RU", "220421", [], 5e4, None,
     "REVIEW", "RU_BY_BAN", "ru-t2-3-3-イ"),
    ("by-wine-not-banned", D(2024, 1, 1), "BY", "220421", [], 5e4, None, "CLEAR", None, None),
    ("ru-piano-day-of", D(2022, 4, 5), "RU", "920120", [], 3e6, None,
     "REVIEW", "RU_BY_BAN", "ru-t2-3-3-ソ"),
    ("ru-car-over-limit", D(2022, 4, 5), "RU", "870321", [], 8e6, None,
     "PROHIBITED", "RU_BY_BAN", "ru-luxury-cars"),
    ("ru-car-before", D(2022, 4, 4), "RU", "870321", [], 8e6, None, "CLEAR", None, None),
    # No. 2-2 industrial goods, Russia from 2022-06-17.
    ("ru-truck-before", D(2022, 6, 16), "RU", "870421", [], 5e6, None, "CLEAR", None, None),
    ("ru-truck-day-of", D(2022, 6, 17), "RU", "870421", [], 5e6, None,
     "REVIEW", "RU_BY_BAN", "ru-t2-3-2-2-43"),
    # No. 1-2 chemical-weapon precursors, Russia from 2022-10-07.
    ("ru-precursor-before", D(2022, 10, 6), "RU", "292019", [], 5e5, None,
     "CLEAR", None, None),
    ("ru-precursor-day-of", D(2022, 10, 7), "RU", "292019", [], 5e5, None,
     "REVIEW", "RU_BY_BAN", "ru-t2-3-1-2-i"),
    # No. 2 (46)-(85), Russia from 2023-02-03 (vaccines and diagnostic kits).
    ("ru-vaccine-before", D(2023, 2, 2), "RU", "300241", [], 5e5, None,
     "CLEAR", None, None),
    ("ru-vaccine-day-of", D(2023, 2, 3), "RU", "300241", [], 5e5, None,
     "REVIEW", "RU_BY_BAN", "ru-t2-3-2-59"),
    # Cars over 1,900 cc from 2023-08-09: the notice's number decides.
    ("ru-2000cc-before", D(2023, 8, 8), "RU", "870323", CC_2000, 3e6, None,
     "REVIEW", "RU_BY_BAN", "ru-t2-3-3-ヨ"),
    ("ru-2000cc-day-of", D(2023, 8, 9), "RU", "870323", CC_2000, 3e6, None,
     "PROHIBITED", "RU_BY_BAN", "ru-cars-over-1900cc"),
    # An ordinary laptop: candidate items only, never PROHIBITED by HS alone.
    ("ru-laptop", D(2024, 1, 1), "RU", "847130", [], 1.5e5, None,
     "REVIEW", "RU_BY_BAN", "ru-t2-3-3-カ"),
    ("by-laptop", D(2024, 1, 1), "BY", "847130", [], 1.5e5, None,
     "REVIEW", "RU_BY_BAN", "ru-by-t2-3-2-7"),
    ("cn-laptop", D(2024, 1, 1), "CN", "847130", [], 1.5e5, None,
     "REVIEW", "CONTROL_UNKNOWN", None),
    # DPR/LPR: the areas the notice names, not the whole oblasts.
    ("dpr-name-before", D(2022, 3, 17), "UA", "090111", [], 1e4, DPR, "CLEAR", None, None),
    ("dpr-name-day-of", D(2022, 3, 18), "UA", "090111", [], 1e4, DPR,
     "PROHIBITED", "DPR_LPR_BAN", "dpr-lpr-ban"),
    ("donetsk-oblast-code", D(2022, 3, 18), "UA-14", "090111", [], 1e4, None,
     "REVIEW", "DPR_LPR_BAN", "dpr-lpr-oblast"),
    ("kyiv-not-banned", D(2024, 1, 1), "UA-30", "090111", [], 1e4, None, "CLEAR", None, None),
    # North Korea: every good.
    ("kp-coffee", D(2024, 1, 1), "KP", "090111", [], 1e4, None,
     "PROHIBITED", "NK_BAN", "kp-export-ban"),
]


def _batch(scenarios) -> pa.RecordBatch:
    rows = [{"shipment_id": s[0], "shipment_date": s[1],
             "consignee_name": s[6] or "Buyer Co", "consignee_country": s[2][:2],
             "destination_country": s[2], "hs_code": s[3], "parameters": s[4],
             "value_jpy": s[5], "quantity": 1, "declared_end_use": None,
             "declared_control_entry": None} for s in scenarios]
    table = {c.name: [r.get(c.name) for r in rows] for c in SHIPMENTS.columns}
    batch = pa.RecordBatch.from_pydict(table, schema=SHIPMENTS.arrow_schema())
    return batch.append_column("input_row", pa.array(range(1, len(rows) + 1), pa.int64()))


@pytest.fixture(scope="module")
def ruleset():
    return load_rules(VERSION)


@pytest.fixture(scope="module")
def screened(ruleset):
    empty = pa.Table.from_pylist([], schema=HITS.arrow_schema())
    return screen_shipments_batch(_batch(SCENARIOS), compile_rules(ruleset), empty, None)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenario(screened, scenario):
    results, hits = screened
    index = SCENARIOS.index(scenario)
    row = results.to_pylist()[index]
    decision, reason, rule_id = scenario[-3:]
    assert row["decision"] == decision, row["explanation"]
    if reason is None:
        assert row["reason_codes"] == [], row["explanation"]
        return
    assert reason in row["reason_codes"], row["explanation"]
    if rule_id is not None:
        mine = [h for h in hits.to_pylist() if h["input_row"] == index + 1]
        assert rule_id in {h["rule_id"] for h in mine}, row["explanation"]
        assert f"jp/{VERSION}" in row["explanation"]


def test_an_hs_code_alone_never_prohibits_a_table_2_3_item(ruleset):
    # Only the order itself (rows 1-15, whole countries) or a dated notice decides.
    for m in ruleset.measures:
        if m.table == "別表第二の三" and m.scope == "hs" and m.condition is None:
            assert "METI notice" in m.legal_basis, m.id


def test_russia_only_items_name_russia_alone(ruleset):
    # Article 2(1)(i-3): Belarus is spared No. 1-2, No. 2 (32)-(85), No. 2-2 and No. 3.
    for m in ruleset.measures:
        if not m.item:
            continue
        russia_only = (m.item.startswith(("第一号の二", "第二号の二", "第三号"))
                       or (m.item.startswith("第二号（") and _number(m.item) >= 32))
        if russia_only:
            assert m.countries == ("RU",), m.id
        elif m.table == "別表第二の三":
            assert set(m.countries) == {"RU", "BY"}, m.id


def _number(item: str) -> int:
    digits = item.removeprefix("第二号（").split("）")[0]
    return int(digits.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


def test_every_item_of_table_2_3_has_a_measure(ruleset):
    from bulkscreen.rules.catalog import rules_catalog

    folder = next(v.path for v in rules_catalog() if v.version == VERSION)
    table = appended_table(folder / "law" / "export-trade-control-order.md", "別表第二の三")
    quotes = {m.quote for m in ruleset.measures if m.table == "別表第二の三"}
    assert all(q in table for q in quotes)
    for n in range(1, 86):
        label = "（" + str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "）"
        assert any(m.item == f"第二号{label}" for m in ruleset.measures), n


def test_a_quote_not_in_the_order_is_refused(tmp_path):
    import shutil

    from bulkscreen.errors import RuleDataError
    from bulkscreen.rules.catalog import rules_catalog

    folder = next(v.path for v in rules_catalog() if v.version == VERSION)
    copy = tmp_path / VERSION
    shutil.copytree(folder, copy)
    path = copy / "measures.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'quote = "グランドピアノ"', 'quote = "アップライトピアノ"'), encoding="utf-8")
    with pytest.raises(RuleDataError) as err:
        load_rules(VERSION, root=tmp_path)
    message = str(err.value)
    assert "measures.toml" in message and "quote" in message and "アップライトピアノ" in message


@pytest.mark.parametrize("hs, expected", [
    ("", "no HS code and no declared control entry"),
    ("090111", "HS 090111 reaches no control-list entry"),
])
def test_a_line_that_reaches_no_entry_says_so(ruleset, hs, expected):
    line = (hs or "no-hs", D(2024, 1, 1), "US", hs, [], 1e5, None)
    empty = pa.Table.from_pylist([], schema=HITS.arrow_schema())
    results, _ = screen_shipments_batch(_batch([line]), compile_rules(ruleset), empty, None)
    row = results.to_pylist()[0]
    assert row["decision"] == "CLEAR"
    assert expected in row["explanation"] and f"jp/{VERSION}" in row["explanation"]


# Article 2(1)(i-8): a METI-specified third-country entity (Appended Table 2-4 countries) is
# banned the goods of Appended Table 2-3 other than No. 3, in dealings with it; other goods go to
# review like any other party hit. (HS, parameters) -> decision, reason.
@pytest.mark.parametrize("hs, params, decision, reason", [
    ("854239", ADC_MET, "PROHIBITED", "RU_BY_ENTITY"),  # rows 1-15 goods: No. 1
    ("852610", [], "REVIEW", "RU_BY_ENTITY"),  # radar: a No. 2 (19) candidate
    ("090111", [], "REVIEW", "PARTY_HIT"),  # coffee: no Table 2-3 item
    ("220421", [], "REVIEW", "PARTY_HIT"),  # wine: No. 3 (luxury) is not part of (i-8)
])
def test_third_country_entity_is_banned_table_2_3_goods_only(ruleset, hs, params, decision,
                                                             reason):
    from bulkscreen.screen.parties import MATCH_SAME_TOKENS

    line = ("tr-entity", D(2025, 10, 1), "TR", hs, params, 5e6, "Anka Makina AS")
    hit = {"input_row": 1, "record_id": "tr-entity", "as_of_date": D(2025, 10, 1),
           "finding": "party", "decision": "REVIEW", "reason_code": "PARTY_HIT",
           "field": "consignee_name", "query_value": "Anka Makina AS",
           "list_id": "jp-meti-third-country-tokutei", "list_version": "2025-09-12",
           "entry_id": "7", "matched_name": "Anka Makina AS", "alias_kind": "primary",
           "score": 1.0, "explanation": "name match", "match_basis": MATCH_SAME_TOKENS}
    party = pa.Table.from_pylist([hit], schema=HITS.arrow_schema())
    results, hits = screen_shipments_batch(_batch([line]), compile_rules(ruleset), party, None)
    row = results.to_pylist()[0]
    assert row["decision"] == decision, row["explanation"]
    finding = next(h for h in hits.to_pylist() if h["finding"] == "party")
    assert finding["reason_code"] == reason, finding["explanation"]
    if reason == "PARTY_HIT":
        assert "Appended Table 2-3 (except No. 3)" in finding["explanation"]
