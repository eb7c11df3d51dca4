"""One-line shipment scenarios for the control list read from the ordinance (rules r2, r3).

Each line goes through ``bulkscreen screen shipments`` (the public path) and must come out
with the expected decision and the control entry that decides it. Lines marked as fixes
check values that an earlier version had wrong; the reason is in the scenario's name.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from cli_run import run_cli

TODAY = "2026-01-15"
LATHE = "contouring_axes=2; repeatability=5 um; travel_length=0.5 m"
MILL_FULL = ("contouring_axes=4; contouring_linear_axes=3; contouring_rotary_axes=0; "
             "repeatability=5 um; travel_length=0.5 m")
GRINDER_FULL = ("contouring_axes=3; contouring_rotary_axes=0; repeatability=5 um; "
                "travel_length=0.5 m")

# (id, destination, hs, parameters, declared entry, expected decision, expected rule id)
SCENARIOS = [
    # row 2 (NSG 2B201): milling 6 um, grinding 4 um, turning better than 6 um (ISO 230/2 1988)
    ("2B201.a milling 5 um was cleared at 4.5 um", "CN", "845961",
     MILL_FULL + "; positioning_accuracy=5 um", "", "LICENSE_REQUIRED", "2B201.a"),
    ("2B201.a milling 6 um is not less than 6 um", "CN", "845961",
     MILL_FULL + "; positioning_accuracy=6 um", "", "CLEAR", None),
    ("2B201.a machining centre HS 8457 two rotary axes", "CN", "845710",
     "contouring_axes=5; contouring_linear_axes=3; contouring_rotary_axes=2; repeatability=5 um; "
     "travel_length=0.5 m; positioning_accuracy=20 um", "", "LICENSE_REQUIRED", "2B201.a"),
    ("2B201.b grinding 3.5 um was cleared at 3 um", "CN", "846024",
     GRINDER_FULL + "; positioning_accuracy=3.5 um", "", "LICENSE_REQUIRED", "2B201.b"),
    ("2B201.b grinding 4 um", "CN", "846024", GRINDER_FULL + "; positioning_accuracy=4 um", "",
     "CLEAR", None),
    ("2B201.c turning 5 um diameter 40 mm", "CN", "845811",
     LATHE + "; positioning_accuracy=5 um; machining_diameter=40 mm", "", "LICENSE_REQUIRED",
     "2B201.c"),
    ("2B201.c turning 6 um not better than 6 um", "CN", "845811",
     LATHE + "; positioning_accuracy=6 um; machining_diameter=40 mm", "", "CLEAR", None),
    ("2B201.c turning small diameter", "CN", "845811",
     LATHE + "; positioning_accuracy=3 um; machining_diameter=30 mm", "", "CLEAR", None),
    ("1C210.a carbon fabric HS 6815.12", "CN", "681512",
     "tensile_modulus=294 GPa; density=1.76 g/cm^3; tensile_strength=5880 MPa", "",
     "LICENSE_REQUIRED", "1C210.a"),
    # row 6 (WA 2B001): b.1, b.3, c.2 were missing
    ("2B001.b.1 3 linear + 1 rotary axis", "GB", "845961",
     "contouring_axes=4; contouring_linear_axes=3; contouring_rotary_axes=1; repeatability=0.8 um; "
     "travel_length=0.8 m; positioning_accuracy=20 um", "", "LICENSE_REQUIRED", "2B001.b.1"),
    ("2B001.b.1 band over 1 m", "GB", "845961",
     "contouring_axes=4; contouring_linear_axes=3; contouring_rotary_axes=1; repeatability=1.2 um; "
     "travel_length=1.5 m; positioning_accuracy=20 um", "", "CLEAR", None),
    ("2B001.b.2 five contouring axes", "GB", "845961",
     "contouring_axes=5; contouring_linear_axes=3; contouring_rotary_axes=2; repeatability=1.2 um; "
     "travel_length=2 m; positioning_accuracy=20 um", "", "LICENSE_REQUIRED", "2B001.b.2"),
    ("2B001.b.3 jig boring needs the machine type", "GB", "845941", "repeatability=1.0 um", "",
     "REVIEW", "2B001.b.3"),
    ("2B001.c.2 five-axis grinder band 1-4 m", "GB", "846024",
     "contouring_axes=5; contouring_rotary_axes=2; repeatability=1.3 um; travel_length=2 m; "
     "positioning_accuracy=20 um", "", "LICENSE_REQUIRED", "2B001.c.2"),
    ("five-axis grinder is 2B201.b whatever its repeatability", "GB", "846024",
     "contouring_axes=5; contouring_rotary_axes=0; repeatability=6.5 um; travel_length=5 m; "
     "positioning_accuracy=20 um", "", "LICENSE_REQUIRED", "2B201.b"),
    ("2B006.a CMM HS 9031.80", "CN", "903180", "cmm_mpe=1.5 um", "", "LICENSE_REQUIRED",
     "2B006.a"),
    # row 7
    ("3A001.a.1 dose rate branch", "CN", "854239", "radiation_dose_rate=6e6 Gy/s", "",
     "LICENSE_REQUIRED", "3A001.a.1"),
    ("3A001.a.1 neutron branch", "CN", "854239", "neutron_fluence=6e13 1/cm^2", "",
     "LICENSE_REQUIRED", "3A001.a.1"),
    ("3A001.a.1 below all three", "CN", "854239",
     "radiation_hardness=1000 Gy; radiation_dose_rate=1e5 Gy/s; neutron_fluence=1e12 1/cm^2", "",
     "CLEAR", None),
    ("3B001.f.1 EUV", "CN", "848620", "wavelength=13.5 nm", "", "LICENSE_REQUIRED", "3B001.f.1"),
    ("3B001.f.1 MRF from wavelength and NA", "CN", "848620",
     "wavelength=193 nm; numerical_aperture=1.6; overlay_accuracy=5 nm", "", "LICENSE_REQUIRED",
     "3B001.f.1"),
    ("national ArF immersion 193 nm item", "CN", "848620",
     "wavelength=193 nm; numerical_aperture=1.35; overlay_accuracy=2.0 nm", "", "LICENSE_REQUIRED",
     "7(17)-litho-193"),
    ("ArF immersion with 3 nm overlay", "CN", "848620",
     "wavelength=193 nm; numerical_aperture=1.35; overlay_accuracy=3.0 nm", "", "CLEAR", None),
    ("KrF scanner", "CN", "848620",
     "wavelength=248 nm; numerical_aperture=0.93; overlay_accuracy=5 nm", "", "CLEAR", None),
    # row 9: weak keys are not 5A002.a
    ("5A002.a short keys still ask about lattice, isogeny and code-based algorithms", "CN",
     "851762", "symmetric_key_length=40 bit; asymmetric_key_length=512 bit; ec_key_length=112 bit",
     "", "REVIEW", "5A002.a"),
    ("5A002.a long key needs a person", "CN", "851762", "symmetric_key_length=256 bit", "",
     "REVIEW", "5A002.a"),
    # row 10
    ("6A003.b.1 below every pixel count", "CN", "852589", "active_pixels=3e6", "", "CLEAR",
     None),
    ("6A003.b.1 pixels need both groups checked", "CN", "852589", "active_pixels=5e6", "",
     "REVIEW", "6A003.b.1"),
    # row 11 (WA 7A002): the rate range decides the bias limit
    ("7A002.a.2 high-rate gyro 2 deg/h was cleared", "CN", "901420",
     "gyro_rate_range=800 deg/s; gyro_bias_stability=2 deg/h; angle_random_walk=0.2 deg/h**0.5",
     "", "LICENSE_REQUIRED", "7A002.a.2"),
    ("7A002.a.1 low-rate gyro 2 deg/h", "CN", "901420",
     "gyro_rate_range=300 deg/s; gyro_bias_stability=2 deg/h; angle_random_walk=0.05 deg/h**0.5",
     "", "CLEAR", None),
    ("7A002.a.1 low-rate gyro random walk", "CN", "901420",
     "gyro_rate_range=300 deg/s; gyro_bias_stability=2 deg/h; angle_random_walk=0.003 deg/h**0.5",
     "", "LICENSE_REQUIRED", "7A002.a.1"),
    ("7A002.b high-g gyro", "CN", "901420", "linear_acceleration_rating=1200 m/s^2", "",
     "LICENSE_REQUIRED", "7A002.b"),
    # row 2, encoded from ordinance Art. 1
    ("3A225 frequency changer", "CN", "850440",
     "output_phases=3; output_power_va=100 VA; output_frequency=1000 Hz; frequency_control=0.1 %",
     "", "LICENSE_REQUIRED", "3A225"),
    ("frequency changer at 500 Hz", "CN", "850440",
     "output_phases=3; output_power_va=100 VA; output_frequency=500 Hz; frequency_control=0.1 %",
     "", "CLEAR", None),
    ("2B231 vacuum pump", "CN", "841410",
     "inside_diameter=400 mm; pumping_speed=20000 L/s; ultimate_pressure=10 mPa", "",
     "LICENSE_REQUIRED", "2B231"),
    ("1C240 nickel powder declared", "CN", "", "particle_size=5 um; purity=99.5 %", "1C240",
     "LICENSE_REQUIRED", "1C240"),
    ("nickel powder too coarse", "CN", "", "particle_size=20 um; purity=99.5 %", "1.9", "CLEAR",
     None),
    ("3A201.a.1 pulse capacitor", "CN", "853225",
     "output_voltage=2000 V; energy=20 J; capacitance=1 uF; inductance=30 nH", "",
     "LICENSE_REQUIRED", "3A201.a.1"),
    ("0C003 heavy water", "CN", "", "isotope_ratio=0.001", "1.3", "LICENSE_REQUIRED", "0C003"),
    ("natural hydrogen D/H", "CN", "", "isotope_ratio=0.00015", "1.3", "CLEAR", None),
    ("6A203.b.1 framing camera declared by row item", "CN", "", "frame_rate=300000 1/s",
     "2(39)", "LICENSE_REQUIRED", "6A203.b.1"),
    ("2B226 induction furnace", "CN", "851420",
     "operating_temperature=900 degC; coil_diameter=500 mm; power=10 kW", "",
     "LICENSE_REQUIRED", "2B226"),
    ("declared item without a number goes to review with its words", "CN", "", "", "1.7.ロ",
     "REVIEW", "jp-1.7"),
    # row 3, ordinance Art. 2: substances by content, equipment by size and wetted material
    ("hydrogen fluoride over 30 %", "CN", "281111", "substance_content=50 %", "2-p1.1.ヘ",
     "LICENSE_REQUIRED", "3(1)-2-p1.1.ヘ"),
    ("hydrofluoric acid at 20 %", "CN", "281111", "substance_content=20 %", "2-p1.1.ヘ", "CLEAR",
     None),
    ("toxic substance over 1 %", "CN", "", "substance_content=2 %", "2-p1.2.ハ",
     "LICENSE_REQUIRED", "3(1)-2-p1.2.ハ"),
    ("phosgene at 20 % is under its 30 % limit", "CN", "", "substance_content=20 %",
     "2-p1.2.ニ", "CLEAR", None),
    ("nerve-agent precursor in any mixture", "CN", "", "substance_content=1 %", "2-p1.3.イ",
     "LICENSE_REQUIRED", "3(1)-2-p1.3.イ"),
    ("triethanolamine declared without content", "CN", "", "", "2-p1.3.ヤ", "REVIEW",
     "3(1)-2-p1.3.ヤ"),
    ("2B350.a reactor of nickel alloy", "CN", "", "volume=5 m^3; nickel_content=60 %", "2B350.a",
     "LICENSE_REQUIRED", "2B350.a"),
    ("reactor over 20 m^3", "CN", "", "volume=30 m^3; nickel_content=60 %", "2B350.a", "CLEAR",
     None),
    ("reactor material not stated", "CN", "", "volume=5 m^3", "2B350.a", "REVIEW", "2B350.a"),
    # row 3-2, ordinance Art. 2-2
    ("2B352.b single-use fermenter 50 L", "CN", "", "volume=50 L", "2の2-p2.2.ロ.(1)",
     "LICENSE_REQUIRED", "2B352.b-single-use"),
    ("single-use fermenter 10 L", "CN", "", "volume=10 L", "2の2-p2.2.ロ.(1)", "CLEAR", None),
    ("2B352.i nucleic acid synthesiser", "CN", "", "nucleic_acid_length=2000; error_rate=2 %",
     "2B352.i", "LICENSE_REQUIRED", "2B352.i"),
    # row 4, ordinance Art. 3
    ("solid rocket motor of 1 MN s", "CN", "", "total_impulse=1000000 N*s", "3.2.イ.(2)",
     "LICENSE_REQUIRED", "4-impulse-solid"),
    ("small solid motor", "CN", "", "total_impulse=500000 N*s", "3.2.イ.(2)", "CLEAR", None),
    ("hydrazine at 80 %", "CN", "", "substance_content=80 %", "3.7.イ", "LICENSE_REQUIRED",
     "4-hydrazine"),
    ("hydrazine hydrate at 64 %", "CN", "", "substance_content=64 %", "3.7.イ", "CLEAR", None),
    ("light turbojet", "CN", "", "thrust=1000 N; specific_fuel_consumption=0.1 kg/(N*h); "
     "dry_mass=100 kg; rotor_diameter=0.3 m", "3.3.イ.(1)", "LICENSE_REQUIRED", "4-turbojet"),
    # rows 5 and 6, ordinance Arts. 4 and 5
    ("1C004 tungsten heavy alloy", "CN", "", "density=18 g/cm^3; elastic_limit=900 MPa; "
     "tensile_strength=1300 MPa; elongation=10 %", "4.9", "LICENSE_REQUIRED", "1C004"),
    ("tungsten alloy with 5 % elongation", "CN", "", "density=18 g/cm^3; elastic_limit=900 MPa; "
     "tensile_strength=1300 MPa; elongation=5 %", "4.9", "CLEAR", None),
    # a line of 2025-12-01 meets the text until 2026-02-13 (零下一五八・一六度)
    ("1C005.b high-temperature superconductor", "CN", "",
     "critical_temperature=-150 degC; length=200 m", "4.10.ハ", "LICENSE_REQUIRED",
     "1C005.b-2025"),
    ("2B009 spin-forming machine", "CN", "", "contouring_axes=3; force=80 kN", "5.11",
     "LICENSE_REQUIRED", "2B009"),
    ("2B007.b robot 3,000 Gy", "CN", "", "radiation_hardness=3000 Gy", "5.9.ロ", "CLEAR", None),
    # rows 8, 11, 12, 13
    ("quantum computer 120 qubits 0.0005 error", "CN", "", "physical_qubits=120; cnot_error=0.0005",
     "7.6.イ.(2)", "LICENSE_REQUIRED", "4A906.a.2"),
    ("quantum computer 120 qubits 0.002 error", "CN", "", "physical_qubits=120; cnot_error=0.002",
     "7.6.イ.(2)", "CLEAR", None),
    ("7A003.a.1 INS 0.5 nmi/h", "CN", "", "cep_rate=0.5 nmi/h", "10.3.イ.(1)",
     "LICENSE_REQUIRED", "7A003.a.1"),
    ("8C001 syntactic foam", "CN", "", "depth_rating=3000 m; density=500 kg/m^3", "11.12",
     "LICENSE_REQUIRED", "8C001"),
    ("9A006.g injector 0.2 mm^2", "CN", "", "orifice_area=0.2 mm^2", "12.6.ト", "CLEAR", None),
    # rows 9, 14, 15
    ("5A001.b.5 vocoder at 600 bit/s", "CN", "", "coding_rate=600 bit/s", "8.2.ロ",
     "LICENSE_REQUIRED", "5A001.b.5"),
    ("5A001.c fibre of 1 km and 2.5 GPa", "CN", "", "length=1000 m; tensile_strength=2500 MPa",
     "8.4", "LICENSE_REQUIRED", "5A001.c"),
    ("14(3) non-magnetic diesel", "CN", "", "power=50 kW; nonmagnetic_share=80 %", "13-p3",
     "LICENSE_REQUIRED", "14(3)-diesel"),
    ("6B008 radar cross-section system 200 ns", "CN", "", "pulse_width=200 ns", "14.8", "CLEAR",
     None),
    # row 7 microwave devices, by frequency band and power
    ("3A001.b.3 GaN transistor 3.5 GHz 500 W", "CN", "", "frequency=3.5 GHz; "
     "peak_saturated_power=500 W", "6.2.ニ.(1).3", "LICENSE_REQUIRED", "3A001.b.3-ニ.(1).3"),
    ("transistor 3.5 GHz 100 W", "CN", "", "frequency=3.5 GHz; peak_saturated_power=100 W",
     "6.2.ニ.(1).3", "CLEAR", None),
    ("3A001.e.1.b secondary cell 400 Wh/kg", "CN", "", "energy_density=400 W*h/kg", "6.5.ロ",
     "LICENSE_REQUIRED", "3A001.e.1.b"),
    ("secondary cell 300 Wh/kg", "CN", "", "energy_density=300 W*h/kg", "6.5.ロ", "CLEAR", None),
    ("3A001.e.3 fast magnet by current density", "CN", "",
     "energy=20000 J; inside_diameter=300 mm; current_density=400 A/mm^2; "
     "magnetic_flux_density=5 T", "6.7", "LICENSE_REQUIRED", "3A001.e.3"),
    # row 10 lasers, by wavelength band, mode and power
    ("6A005.a single-mode green CW laser 60 W", "CN", "", "wavelength=532 nm; transverse_modes=1; "
     "cw_power=60 W", "9.10.イ.(3).1", "LICENSE_REQUIRED", "6A005.a-イ.(3).1"),
    ("single-mode green CW laser 40 W", "CN", "",
     "wavelength=532 nm; transverse_modes=1; cw_power=40 W", "9.10.イ.(3).1", "CLEAR", None),
    ("multimode laser declared as single-mode item", "CN", "",
     "wavelength=532 nm; transverse_modes=4; cw_power=60 W", "9.10.イ.(3).1", "CLEAR", None),
    ("6A005.d.3 CO2 laser 20 kW CW", "CN", "", "cw_power=20 kW", "9.10.ニ.(3).1",
     "LICENSE_REQUIRED", "6A005.d.3-(3).1"),
    ("6A006.a.4 fluxgate 5 pT", "CN", "", "magnetic_sensitivity=5 pT", "9.11.ニ",
     "LICENSE_REQUIRED", "6A006.a.4"),
    ("6A205.b argon ion laser 50 W", "CN", "", "wavelength=488 nm; average_power=50 W", "1.36.ロ",
     "LICENSE_REQUIRED", "6A205.b"),
    ("1C231 hafnium alloy 50 %", "CN", "", "substance_content=50 %", "1.28", "CLEAR", None),
    ("rad-hard ADC for missiles", "CN", "", "radiation_hardness=6000 Gy", "3.24.イ",
     "LICENSE_REQUIRED", "4-3.24.イ"),
    ("3A001.c.1.a SAW device at 8 GHz", "CN", "", "frequency=8 GHz", "6.3.イ.(1)",
     "LICENSE_REQUIRED", "3A001.c.1.a"),
    ("superconductor of 50 m and 50 g is below the item's size", "CN", "",
     "critical_temperature=-150 degC; length=50 m; mass=0.05 kg", "4.10.ハ", "CLEAR", None),
    ("1C002.b.1 nickel alloy rupture life", "CN", "", "stress_rupture_life=12000 h", "4.7.ロ.(1).1",
     "LICENSE_REQUIRED", "1C002.b.1.a"),
    ("5A001.d.2 phased array 60 GHz 20 dBm", "CN", "", "frequency=60 GHz; erp_dbm=20",
     "8.5.ロ", "CLEAR", None),
    ("3B001.b.2 hydrogen implanter", "CN", "", "beam_energy=40 keV; beam_current=20 mA",
     "6.17.ロ.(2)", "LICENSE_REQUIRED", "3B001.b.2"),
    ("6A001.a.1.c low-frequency active sonar", "CN", "", "operating_frequency=0.005 MHz",
     "9.1.イ.(3)", "LICENSE_REQUIRED", "6A001.a.1.c"),
    # row 4 / 13
    ("UAV 300 km", "CN", "880699", "uav_range=400 km", "", "LICENSE_REQUIRED", "4-uav-range"),
]




def _write(path: Path, rows: list[tuple], date: str = "2025-12-01") -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["shipment_id", "shipment_date", "consignee_name", "consignee_country",
                      "destination_country", "hs_code", "parameters", "value_jpy", "quantity",
                      "declared_control_entry"])
        for sid, dest, hs, params, declared, *_ in rows:
            out.writerow([sid, date, "Buyer Co", dest, dest, hs, params, 5_000_000, 1, declared])


@pytest.fixture(scope="module")
def screened(tmp_path_factory) -> tuple[pl.DataFrame, pl.DataFrame]:
    folder = tmp_path_factory.mktemp("control_list")
    path = folder / "lines.csv"
    _write(path, SCENARIOS)
    out = folder / "run"
    assert run_cli("screen", "shipments", path, "--out", out, "--quiet", "--as-of", TODAY,
                   "--lists", "jp-meti-eul") == 0
    return pl.read_parquet(out / "results.parquet"), pl.read_parquet(out / "hits.parquet")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenario(screened, scenario):
    results, hits = screened
    sid, *_, decision, rule_id = scenario
    row = results.filter(pl.col("record_id") == sid).to_dicts()[0]
    assert row["decision"] == decision, row["explanation"]
    mine = hits.filter(pl.col("record_id") == sid)
    if rule_id is None:
        assert row["reason_codes"] == [], row["explanation"]
    else:
        deciding = mine.filter(pl.col("decision") == decision)["rule_id"].to_list()
        assert rule_id in deciding, row["explanation"]
        text = " ".join(mine.filter(pl.col("rule_id") == rule_id)["explanation"].to_list())
        assert "jp/2025-10-09-r3" in text  # the version in force today


def test_no_entry_claims_eu_9a120_for_uavs():
    from bulkscreen.rules import load_rules

    ruleset = load_rules("2025-10-09-r2")
    uav = next(e for e in ruleset.entries if e.id == "4-uav-range")
    assert "9A120" not in uav.declared and uav.regime_number == "19.A.2"


def test_5a002a_is_any_of_the_four_kinds_of_goods():
    from bulkscreen.rules import load_rules

    entry = next(e for e in load_rules("2025-10-09-r2").entries if e.id == "5A002.a")
    refs = {ref for ref, _ in entry.refs}
    assert {"8.9.イ.(7)", "8.9.イ.(8)", "8.9.イ.(9)", "8.9.イ.(10)"} <= refs
    kinds = entry.tree[1][2]
    assert kinds[0] == "any" and len(kinds[1]) == 4


def test_6a003b1_needs_a_pixel_branch_and_a_feature_branch():
    from bulkscreen.rules import load_rules

    entry = next(e for e in load_rules("2025-10-09-r2").entries if e.id == "6A003.b.1")
    assert entry.tree[0] == "all"
    assert [child[0] for child in entry.tree[1]] == ["unknown", "any", "any"]


# ------------------------------------------- dates, short HS codes, missing parameters
def test_national_litho_item_day_before_and_day_of(tmp_path):
    rows = [("litho", "CN", "848620",
             "wavelength=193 nm; numerical_aperture=1.35; overlay_accuracy=2.0 nm", "")]
    decisions = {}
    for day in ("2023-07-22", "2023-07-23"):
        path = tmp_path / f"{day}.csv"
        _write(path, rows, date=day)
        out = tmp_path / f"audit-{day}"
        assert run_cli("audit", "shipments", path, "--out", out, "--quiet", "--today", TODAY,
                       "--lists", "jp-meti-eul") == 0
        decisions[day] = pl.read_parquet(out / "results.parquet")["decision"][0]
    assert decisions == {"2023-07-22": "CLEAR", "2023-07-23": "LICENSE_REQUIRED"}


def test_short_hs_code_reaches_every_candidate_entry(tmp_path):
    rows = [("cf", "CN", "6815",
             "tensile_modulus=294 GPa; density=1.76 g/cm^3; tensile_strength=5880 MPa", "")]
    path = tmp_path / "short.csv"
    _write(path, rows)
    out = tmp_path / "run"
    assert run_cli("screen", "shipments", path, "--out", out, "--quiet", "--as-of", TODAY,
                   "--lists", "jp-meti-eul") == 0
    assert pl.read_parquet(out / "results.parquet")["decision"][0] == "LICENSE_REQUIRED"


def test_one_review_per_candidate_entry_listing_every_missing_parameter(tmp_path):
    rows = [("lathe", "CN", "845811", "", "")]
    path = tmp_path / "lathe.csv"
    _write(path, rows)
    out = tmp_path / "run"
    assert run_cli("screen", "shipments", path, "--out", out, "--quiet", "--as-of", TODAY,
                   "--lists", "jp-meti-eul") == 0
    hits = pl.read_parquet(out / "hits.parquet").filter(pl.col("rule_id") == "2B201.c")
    assert hits.height == 1
    text = hits["explanation"][0]
    assert all(p in text for p in ("positioning_accuracy", "machining_diameter",
                                   "contouring_axes"))
