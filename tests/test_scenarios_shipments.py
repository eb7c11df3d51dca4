"""One-line shipment scenarios with known answers from the domain facts.

Each line: shipment date, destination, HS code, parameters, value, quantity, declared end use,
declared entry, party-hit list -> expected decision and a reason code it must carry. Dates
include the day before and the day of every effective date the rules encode.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from bulkscreen.columns import HITS, RESULTS, SHIPMENTS
from bulkscreen.rules import compile_rules, load_rules
from bulkscreen.screen.parties import MATCH_FUZZY, MATCH_SAME_TOKENS
from bulkscreen.screen.shipments import screen_shipments_batch

D = dt.date
LATHE_CLEAR = ("repeatability=5 um; travel_length=0.5 m; contouring_axes=2; "
               "positioning_accuracy=10 um; machining_diameter=20 mm")
ADC_MET = "adc_resolution=12 bit; adc_sample_rate=500 MSPS"

# (name, date, dest, hs, params, value_jpy, quantity, end_use, declared, party_list,
#  expected decision, expected reason code)
SCENARIOS = [
    ("nk day before ban", D(2009, 6, 17), "KP", "7307", "", 1e5, 1, "", "", "",
     "REVIEW", "DEST_GROUP_D"),
    ("nk ban day of", D(2009, 6, 18), "KP", "7307", "", 1e5, 1, "", "", "",
     "PROHIBITED", "NK_BAN"),
    ("nk ban any goods", D(2024, 1, 1), "KP", "0901", "", 1e3, 1, "", "", "",
     "PROHIBITED", "NK_BAN"),
    ("kr group A day before B", D(2019, 8, 27), "KR", "8458", LATHE_CLEAR, 5e6, 1, "missile",
     "", "", "CLEAR", None),
    ("kr group B day of", D(2019, 8, 28), "KR", "8458", LATHE_CLEAR, 5e6, 1, "missile", "", "",
     "LICENSE_REQUIRED", "CATCH_ALL_END_USE"),
    ("kr group B last day", D(2023, 7, 20), "KR", "8458", LATHE_CLEAR, 5e6, 1, "missile", "",
     "", "LICENSE_REQUIRED", "CATCH_ALL_END_USE"),
    ("kr group A again", D(2023, 7, 21), "KR", "8458", LATHE_CLEAR, 5e6, 1, "missile", "", "",
     "CLEAR", None),
    ("ru controlled day before ban", D(2022, 3, 17), "RU", "854239", ADC_MET, 5e6, 1, "", "", "",
     "LICENSE_REQUIRED", "CONTROL_ENTRY"),
    ("ru controlled ban day of", D(2022, 3, 18), "RU", "854239", ADC_MET, 5e6, 1, "", "", "",
     "PROHIBITED", "RU_BY_BAN"),
    ("by controlled ban", D(2022, 3, 18), "BY", "854239", ADC_MET, 5e6, 1, "", "", "",
     "PROHIBITED", "RU_BY_BAN"),
    ("ru luxury car day before", D(2022, 4, 4), "RU", "870321", "", 8e6, 1, "", "", "",
     "CLEAR", None),
    ("ru luxury car day of", D(2022, 4, 5), "RU", "870321", "", 8e6, 1, "", "", "",
     "PROHIBITED", "RU_BY_BAN"),
    ("ru cheap car not luxury", D(2022, 4, 5), "RU", "870321", "", 8e6, 2, "", "", "",
     "CLEAR", None),
    ("ru car quantity unknown", D(2022, 4, 5), "RU", "870321", "", 8e6, None, "", "", "",
     "REVIEW", "RU_BY_BAN"),
    ("ru truck day before", D(2022, 6, 16), "RU", "870421", "", 5e6, 1, "", "", "",
     "CLEAR", None),
    ("ru truck day of", D(2022, 6, 17), "RU", "870421", "", 5e6, 1, "", "", "",
     "PROHIBITED", "RU_BY_BAN"),
    ("ru car 2000cc day before", D(2023, 8, 8), "RU", "870323", "engine_displacement=2000 cc",
     3e6, 1, "", "", "", "CLEAR", None),
    ("ru car 2000cc day of", D(2023, 8, 9), "RU", "870323", "engine_displacement=2000 cc",
     3e6, 1, "", "", "", "PROHIBITED", "RU_BY_BAN"),
    ("ru car 1800cc", D(2023, 8, 9), "RU", "870323", "engine_displacement=1800 cc", 3e6, 1, "",
     "", "", "CLEAR", None),
    ("ru car cc unknown", D(2023, 8, 9), "RU", "870323", "", 3e6, 1, "", "", "",
     "REVIEW", "RU_BY_BAN"),
    ("ru ev", D(2023, 8, 9), "RU", "870380", "", 3e6, 1, "", "", "", "PROHIBITED", "RU_BY_BAN"),
    ("dpr day before", D(2022, 3, 17), "UA-14", "0901", "", 1e4, 1, "", "", "", "CLEAR", None),
    ("dpr day of", D(2022, 3, 18), "UA-14", "0901", "", 1e4, 1, "", "", "",
     "PROHIBITED", "DPR_LPR_BAN"),
    ("military use general country before 2025 change", D(2025, 10, 8), "TH", "8458",
     LATHE_CLEAR, 5e6, 1, "military aircraft parts", "", "", "REVIEW", "CATCH_ALL_INFORM"),
    ("military use general country 2025 change", D(2025, 10, 9), "TH", "8458", LATHE_CLEAR,
     5e6, 1, "military aircraft parts", "", "", "LICENSE_REQUIRED", "CATCH_ALL_END_USE"),
    ("military use not row 16(1)", D(2025, 10, 9), "TH", "7307", "", 5e6, 1, "military", "", "",
     "REVIEW", "CATCH_ALL_INFORM"),
    ("military use embargoed destination", D(2020, 1, 1), "SO", "7307", "", 5e6, 1, "army", "",
     "", "LICENSE_REQUIRED", "CATCH_ALL_END_USE"),
    ("eritrea day before table 3-2", D(2010, 8, 31), "ER", "7307", "", 5e6, 1, "", "", "",
     "CLEAR", None),
    ("eritrea day of table 3-2", D(2010, 9, 1), "ER", "7307", "", 5e6, 1, "", "", "",
     "REVIEW", "DEST_GROUP_D"),
    ("catch-all never group A", D(2024, 1, 1), "US", "8458", LATHE_CLEAR, 5e6, 1,
     "nuclear weapon", "", "", "CLEAR", None),
    ("small value 999,999", D(2024, 1, 1), "CN", "854239", ADC_MET, 999_999, 1, "", "", "",
     "CLEAR", "SMALL_VALUE_EXEMPT"),
    ("small value 1,000,000", D(2024, 1, 1), "CN", "854239", ADC_MET, 1_000_000, 1, "", "", "",
     "CLEAR", "SMALL_VALUE_EXEMPT"),
    ("small value 1,000,001", D(2024, 1, 1), "CN", "854239", ADC_MET, 1_000_001, 1, "", "", "",
     "LICENSE_REQUIRED", "CONTROL_ENTRY"),
    ("row 1 never small value", D(2024, 1, 1), "CN", "930320", "", 10_000, 1, "", "", "",
     "LICENSE_REQUIRED", "CONTROL_ENTRY"),
    ("iran never small value", D(2024, 1, 1), "IR", "854239", ADC_MET, 10_000, 1, "", "", "",
     "LICENSE_REQUIRED", "CONTROL_ENTRY"),
    ("no small value with wmd use", D(2024, 1, 1), "CN", "854239", ADC_MET, 10_000, 1,
     "missile guidance", "", "", "LICENSE_REQUIRED", "CONTROL_ENTRY"),
    ("small value to group A with wmd use", D(2024, 1, 1), "US", "854239", ADC_MET, 10_000, 1,
     "missile guidance", "", "", "CLEAR", "SMALL_VALUE_EXEMPT"),
    ("adc below threshold", D(2024, 1, 1), "CN", "854239",
     "adc_resolution=12 bit; adc_sample_rate=300 MSPS", 5e6, 1, "", "", "", "CLEAR", None),
    ("adc rate in GSPS", D(2024, 1, 1), "CN", "854239",
     "adc_resolution=9 bit; adc_sample_rate=1.5 GSPS", 5e6, 1, "", "", "",
     "LICENSE_REQUIRED", "CONTROL_ENTRY"),
    ("missing parameters review", D(2024, 1, 1), "CN", "8471", "", 5e6, 1, "", "", "",
     "REVIEW", "CONTROL_UNKNOWN"),
    ("declared entry without parameters", D(2024, 1, 1), "CN", "", "", 5e6, 1, "", "2B001.b.2",
     "", "REVIEW", "CONTROL_UNKNOWN"),
    ("unit missing", D(2024, 1, 1), "CN", "901420", "gyro_bias_stability=0.1", 5e6, 1, "", "",
     "", "REVIEW", "UNIT_ERROR"),
    ("unit incompatible", D(2024, 1, 1), "CN", "901420", "gyro_bias_stability=0.1 mm", 5e6, 1,
     "", "", "", "REVIEW", "UNIT_ERROR"),
    ("gyro in deg/h", D(2024, 1, 1), "CN", "901420", "gyro_bias_stability=0.1 °/h", 5e6, 1, "",
     "", "", "LICENSE_REQUIRED", "CONTROL_ENTRY"),
    ("5-axis mill band 1-4 m", D(2024, 1, 1), "GB", "845961",
     "simultaneous_axes=5; travel_length=2 m; repeatability=1.2 um; positioning_accuracy=8 um; "
     "contouring_rotary_axes=0", 5e6, 1, "", "", "", "LICENSE_REQUIRED", "CONTROL_ENTRY"),
    ("cmm derived limit met", D(2024, 1, 1), "CN", "903149", "cmm_mpe=2.0 um; travel_length=1 m",
     5e6, 1, "", "", "", "LICENSE_REQUIRED", "CONTROL_ENTRY"),
    ("cmm derived limit not met", D(2024, 1, 1), "CN", "903149",
     "cmm_mpe=3.0 um; travel_length=1 m", 5e6, 1, "", "", "", "CLEAR", None),
    ("cmm length missing", D(2024, 1, 1), "CN", "903149", "cmm_mpe=2.0 um", 5e6, 1, "", "", "",
     "REVIEW", "CONTROL_UNKNOWN"),
    ("carbon fibre derived specific values", D(2024, 1, 1), "CN", "681511",
     "tensile_modulus=294 GPa; density=1.76 g/cm^3; tensile_strength=5880 MPa", 5e6, 1, "", "",
     "", "LICENSE_REQUIRED", "CONTROL_ENTRY"),
    ("crypto needs a person", D(2024, 1, 1), "CN", "851762", "symmetric_key_length=256 bit",
     5e6, 1, "", "", "", "REVIEW", "CONTROL_UNKNOWN"),
    ("us-only tpp", D(2024, 1, 1), "CN", "854231", "mac_tops=1000; bit_length=8 bit", 5e6, 1,
     "", "", "", "REVIEW", "CONTROL_ENTRY_FOREIGN"),
    ("end user list row 16", D(2024, 1, 1), "CN", "7307", "", 5e6, 1, "", "", "jp-meti-eul",
     "LICENSE_REQUIRED", "CATCH_ALL_END_USER"),
    ("end user list group A", D(2024, 1, 1), "US", "7307", "", 5e6, 1, "", "", "jp-meti-eul",
     "REVIEW", "PARTY_HIT"),
    ("end user list food", D(2024, 1, 1), "CN", "0901", "", 5e6, 1, "", "", "jp-meti-eul",
     "REVIEW", "PARTY_HIT"),
    ("russian specified entity", D(2024, 1, 1), "AE", "0901", "", 5e6, 1, "", "",
     "jp-meti-ru-tokutei", "PROHIBITED", "RU_BY_ENTITY"),
    # Article 2(1)(i-8): a third-country specified entity is banned Appended Table 2-3 goods
    # (here rows 1-15 goods, Table 2-3 No. 1), not coffee.
    ("third-country entity", D(2024, 1, 1), "TR", "854239", ADC_MET, 5e6, 1, "", "",
     "jp-meti-third-country-tokutei", "PROHIBITED", "RU_BY_ENTITY"),
    ("third-country entity coffee", D(2024, 1, 1), "TR", "0901", "", 5e6, 1, "", "",
     "jp-meti-third-country-tokutei", "REVIEW", "PARTY_HIT"),
    ("us list hit", D(2024, 1, 1), "CN", "0901", "", 5e6, 1, "", "", "us-ofac-sdn",
     "REVIEW", "PARTY_HIT"),
    ("fuzzy russian specified entity", D(2024, 1, 1), "AE", "0901", "", 5e6, 1, "", "",
     "fuzzy:jp-meti-ru-tokutei", "REVIEW", "PARTY_HIT"),
    ("fuzzy end user list row 16", D(2024, 1, 1), "CN", "7307", "", 5e6, 1, "", "",
     "fuzzy:jp-meti-eul", "REVIEW", "PARTY_HIT"),
    ("near match", D(2024, 1, 1), "CN", "7307", "", 5e6, 1, "", "", "near:jp-meti-ru-tokutei",
     "REVIEW", "PARTY_NEAR_MATCH"),
    ("food to china", D(2024, 1, 1), "CN", "0901", "", 5e6, 1, "", "", "", "CLEAR", None),
]


def _parameters(text: str) -> list[dict]:
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, rest = part.split("=")
        number, _, unit = rest.strip().partition(" ")
        out.append({"name": name.strip(), "value": float(number), "unit": unit or None})
    return out


def _batch(scenarios) -> tuple[pa.RecordBatch, pa.Table]:
    rows, hits = [], []
    for i, s in enumerate(scenarios):
        (name, date, dest, hs, params, value, qty, end_use, declared, party, *_expected) = s
        rows.append({
            "shipment_id": name, "shipment_date": date, "consignee_name": "Buyer Co",
            "consignee_country": dest[:2], "destination_country": dest, "hs_code": hs or None,
            "parameters": _parameters(params), "value_jpy": value, "quantity": qty,
            "declared_end_use": end_use or None, "declared_control_entry": declared or None,
        })
        if party:
            near = party.startswith("near:")
            fuzzy = near or party.startswith("fuzzy:")
            hits.append({
                "input_row": i + 1, "record_id": name, "as_of_date": date, "finding": "party",
                "decision": "REVIEW", "reason_code": "PARTY_NEAR_MATCH" if near else "PARTY_HIT",
                "field": "consignee_name", "query_value": "Buyer Co",
                "list_id": party.split(":")[-1], "list_version": "2025-09-12",
                "entry_id": "42", "matched_name": "Buyer Company", "alias_kind": "primary",
                "score": 0.85 if near else 0.97, "explanation": "name match",
                "match_basis": MATCH_FUZZY if fuzzy else MATCH_SAME_TOKENS,
            })
    table = {c.name: [r.get(c.name) for r in rows] for c in SHIPMENTS.columns}
    batch = pa.RecordBatch.from_pydict(table, schema=SHIPMENTS.arrow_schema())
    batch = batch.append_column("input_row", pa.array(range(1, len(rows) + 1), pa.int64()))
    party_hits = pa.Table.from_pylist(hits, schema=HITS.arrow_schema())
    return batch, party_hits


@pytest.fixture(scope="module")
def screened():
    rules = compile_rules(load_rules("2025-10-09"))
    batch, party_hits = _batch(SCENARIOS)
    return screen_shipments_batch(batch, rules, party_hits, None)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenario(screened, scenario):
    results, _ = screened
    row = results.to_pylist()[SCENARIOS.index(scenario)]
    expected_decision, expected_reason = scenario[-2], scenario[-1]
    assert row["decision"] == expected_decision, row["explanation"]
    if expected_reason is None:
        assert row["reason_codes"] == [], row["explanation"]
    else:
        assert expected_reason in row["reason_codes"], row["explanation"]


def test_a_fuzzy_match_says_what_it_would_decide_if_confirmed(screened):
    _, hits = screened
    rows = {s[0]: SCENARIOS.index(s) + 1 for s in SCENARIOS}
    party = {h["input_row"]: h for h in hits.to_pylist() if h["finding"] == "party"}
    ban = party[rows["fuzzy russian specified entity"]]
    assert ban["decision"] == "REVIEW" and ban["match_basis"] == MATCH_FUZZY
    assert "if confirmed: PROHIBITED (RU_BY_ENTITY, jp-meti-ru-tokutei 2025-09-12, entry 42)" \
        in ban["explanation"]
    eul = party[rows["fuzzy end user list row 16"]]
    assert "if confirmed: LICENSE_REQUIRED (CATCH_ALL_END_USER, jp-meti-eul" in eul["explanation"]
    near = party[rows["near match"]]
    assert "if confirmed: PROHIBITED" in near["explanation"]
    exact = party[rows["russian specified entity"]]
    assert exact["decision"] == "PROHIBITED" and exact["match_basis"] == MATCH_SAME_TOKENS
    assert "if confirmed" not in exact["explanation"]


def test_outputs_follow_the_registry_and_input_order(screened):
    results, hits = screened
    assert results.schema == RESULTS.arrow_schema()
    assert hits.schema == HITS.arrow_schema()
    assert results.column("input_row").to_pylist() == list(range(1, len(SCENARIOS) + 1))
    assert sum(results.column("n_hits").to_pylist()) == hits.num_rows
    assert all(text for text in hits.column("explanation").to_pylist())


def test_explanation_names_value_threshold_unit_and_version(screened):
    _, hits = screened
    row = SCENARIOS.index(next(s for s in SCENARIOS if s[0] == "adc rate in GSPS")) + 1
    found = [h for h in hits.to_pylist() if h["input_row"] == row
             and h["reason_code"] == "CONTROL_ENTRY"]
    assert found[0]["rule_id"] == "3A001.a.5.a.1"
    assert found[0]["value"] == "1500 MSPS" and found[0]["threshold"] == "> 1.3 GSPS"
    assert "jp/2025-10-09" in found[0]["explanation"]


def test_as_of_judges_every_row_on_one_date():
    rules = compile_rules(load_rules("2025-10-09"))
    subset = [s for s in SCENARIOS if s[0] in ("kr group A day before B", "ru truck day before")]
    batch, party_hits = _batch(subset)
    results, _ = screen_shipments_batch(batch, rules, party_hits, D(2022, 6, 17))
    assert results.column("decision").to_pylist() == ["LICENSE_REQUIRED", "PROHIBITED"]
    assert set(results.column("as_of_date").to_pylist()) == {D(2022, 6, 17)}
