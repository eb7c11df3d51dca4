"""Generators: exact schemas, realistic values, honest ground truth, reproducible bytes."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from bulkscreen.columns import PERSONS, SHIPMENTS
from bulkscreen.errors import OutputError
from bulkscreen.tools.generate.geography import code_index, codes_arrow
from bulkscreen.tools.generate.items import (
    CONTROLLED_ITEMS,
    ItemCatalog,
    round_significant,
    spread_around,
)
from bulkscreen.tools.generate.listnames import ListName, list_names_from_table
from bulkscreen.tools.generate.names import company_name_pools, person_name_pools
from bulkscreen.tools.generate.persons import generate_persons
from bulkscreen.tools.generate.sampling import WeightedChoice
from bulkscreen.tools.generate.shipments import generate_shipments
from bulkscreen.tools.generate.textforms import column_text

END = date(2025, 6, 30)
LIST_NAMES = [
    ListName("jp-meti-eul", "2025-09-29", "101", "Beijing Institute of Technology",
             "primary", "organisation", ("CN",)),
    ListName("jp-meti-eul", "2025-09-29", "102", "Mahan Air", "primary", "organisation",
             ("IR",)),
    ListName("jp-meti-ru-tokutei", "2025-09-12", "7", "JSC Kronshtadt", "primary",
             "organisation", ("RU",)),
    ListName("jp-meti-ru-tokutei", "2025-09-12", "7", "Kronshtadt Group", "aka",
             "organisation", ("RU",)),
    ListName("un-consolidated", "2026-02-27", "KPi.066", "Ri Won Ho", "primary", "person",
             ("KP",)),
    ListName("un-consolidated", "2026-02-27", "IRi.039", "Mohammad Eslami", "primary",
             "person", ("IR",)),
]


def _read_csv(path) -> pa.Table:
    names = pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 20)).column_names
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=True))


@pytest.fixture(scope="module")
def shipments(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shipments")
    summary = generate_shipments(12_000, 7, folder / "ship.parquet", LIST_NAMES,
                                 listed_rate=0.1, batch_size=5_000, end_date=END)
    return summary, pq.read_table(summary.path), pq.read_table(summary.truth_path)


@pytest.fixture(scope="module")
def persons(tmp_path_factory):
    folder = tmp_path_factory.mktemp("persons")
    summary = generate_persons(12_000, 7, folder / "pers.parquet", LIST_NAMES,
                               listed_rate=0.1, batch_size=5_000, end_date=END)
    return summary, pq.read_table(summary.path), pq.read_table(summary.truth_path)


# --- shipments ---------------------------------------------------------------------------


def test_shipments_have_exactly_the_registry_schema(shipments):
    summary, table, _ = shipments
    assert table.schema.equals(SHIPMENTS.arrow_schema())
    assert table.num_rows == summary.rows == 12_000
    assert pq.ParquetFile(summary.path).num_row_groups == 3  # one per batch
    assert len(table.column("shipment_id").unique()) == 12_000


def test_shipment_dates_run_from_2010_to_the_end_date(shipments):
    dates = shipments[1].column("shipment_date")
    assert pc.min(dates).as_py() >= date(2010, 1, 1)
    assert pc.max(dates).as_py() <= END
    assert pc.min(dates).as_py() < date(2011, 1, 1) and pc.max(dates).as_py() > date(2025, 1, 1)


def test_russia_becomes_rare_after_the_ban(shipments):
    table = shipments[1]
    # Planted list names move their row to the entry's country; count pool rows only.
    truth = shipments[2]
    listed = set(truth.filter(pc.equal(truth["source"], "list"))["shipment_id"].to_pylist())
    rows = [r for r in table.select(["shipment_id", "shipment_date", "destination_country"])
            .to_pylist() if r["shipment_id"] not in listed]
    before = [r["destination_country"] == "RU" for r in rows
              if r["shipment_date"] < date(2022, 3, 18)]
    after = [r["destination_country"] == "RU" for r in rows
             if r["shipment_date"] >= date(2022, 3, 18)]
    assert np.mean(before) > 0.008
    assert np.mean(after) < 0.004
    top = pc.value_counts(table["destination_country"]).to_pylist()
    assert max(top, key=lambda x: x["counts"])["values"] == "CN"


def test_each_description_belongs_to_one_hs_code(shipments):
    pairs = shipments[1].group_by(["item_description", "hs_code"]).aggregate([])
    per_description = pc.value_counts(pairs["item_description"]).to_pylist()
    assert all(p["counts"] == 1 for p in per_description)
    assert all(re.fullmatch(r"\d{6}", code) for code in pairs["hs_code"].to_pylist())


def test_parameters_spread_around_thresholds(shipments):
    table = shipments[1]
    flat = pc.list_flatten(table["parameters"])
    names = pc.struct_field(flat, [0]).to_numpy(zero_copy_only=False)
    values = pc.struct_field(flat, [1]).to_numpy()
    units = pc.struct_field(flat, [2]).to_numpy(zero_copy_only=False)
    repeat = values[(names == "repeatability") & (units == "um")]
    thresholds = {0.9, 1.1}
    at = np.isin(repeat, list(thresholds))
    assert 0.1 < at.mean() < 0.35
    adc = values[(names == "adc_resolution")]
    assert set(adc) <= {8.0, 10.0, 12.0, 14.0, 16.0}
    axes = values[names == "simultaneous_axes"]
    assert axes.min() >= 0 and axes.max() <= 9 and (axes == 5).any()
    assert set(np.unique(units[names == "positioning_accuracy"])) == {"um", "mm"}
    controlled = {p.name for item in CONTROLLED_ITEMS for p in item.parameters}
    assert set(np.unique(names)) == controlled
    # General goods state no parameters.
    general = pc.equal(table["item_description"], "ball bearings")
    assert table.filter(general)["parameters"].null_count == pc.sum(general).as_py()


def test_end_uses_are_mostly_civil(shipments):
    uses = shipments[1]["declared_end_use"].drop_null().to_pylist()
    military = [u for u in uses if re.search(r"military|missile|nuclear", u)]
    assert 0 <= len(military) < 0.01 * len(uses)


def test_shipment_truth_covers_every_party_name(shipments):
    _, table, truth = shipments
    by_field = pc.value_counts(truth["field"]).to_pylist()
    counts = {x["values"]: x["counts"] for x in by_field}
    assert counts["consignee_name"] == table.num_rows
    assert counts["end_user_name"] == table.num_rows - table["end_user_name"].null_count


def test_planted_list_names_are_exact_or_known_variants(shipments):
    summary, table, truth = shipments
    planted = truth.filter(pc.equal(truth["source"], "list")).to_pylist()
    assert summary.listed_names == len(planted)
    assert 0.07 * table.num_rows < len(planted) < 0.13 * table.num_rows
    rows = {r["shipment_id"]: r for r in table.select(
        ["shipment_id", "consignee_name", "end_user_name", "consignee_country",
         "end_user_country"]).to_pylist()}
    known = {(n.list_id, n.entry_id, n.name): n for n in LIST_NAMES}
    variants = 0
    for plant in planted:
        source = known[(plant["list_id"], plant["entry_id"], plant["original_name"])]
        row = rows[plant["shipment_id"]]
        written = row[plant["field"]]
        country = row[plant["field"].replace("_name", "_country")]
        assert country == source.country
        if plant["variant_kind"] is None:
            assert written == source.name
        else:
            variants += 1
            assert written != source.name
    assert variants == summary.variant_names
    assert 0.35 < variants / len(planted) < 0.65
    # Persons are not planted as companies when organisations are available.
    assert not {p["entry_id"] for p in planted} & {"KPi.066", "IRi.039"}


def test_no_list_names_means_pool_only(tmp_path):
    summary = generate_shipments(500, 1, tmp_path / "s.parquet", None, end_date=END)
    truth = pq.read_table(summary.truth_path)
    assert set(truth["source"].to_pylist()) == {"pool"}
    assert summary.listed_names == 0


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_same_seed_gives_identical_bytes(tmp_path, fmt):
    paths = []
    for run in ("a", "b"):
        summary = generate_shipments(3_000, 11, tmp_path / run / f"s.{fmt}", LIST_NAMES,
                                     listed_rate=0.05, batch_size=1_000, fmt=fmt,
                                     end_date=END)
        paths.append(summary)
    assert paths[0].path.read_bytes() == paths[1].path.read_bytes()
    assert paths[0].truth_path.read_bytes() == paths[1].truth_path.read_bytes()
    other = generate_shipments(3_000, 12, tmp_path / "c" / f"s.{fmt}", LIST_NAMES,
                               listed_rate=0.05, batch_size=1_000, fmt=fmt, end_date=END)
    assert other.path.read_bytes() != paths[0].path.read_bytes()


def test_csv_holds_the_text_forms_of_the_parquet_values(tmp_path):
    parquet = generate_shipments(2_000, 5, tmp_path / "s.parquet", LIST_NAMES,
                                 listed_rate=0.05, end_date=END)
    csv = generate_shipments(2_000, 5, tmp_path / "s.csv", LIST_NAMES, listed_rate=0.05,
                             fmt="csv", end_date=END)
    binary = pq.read_table(parquet.path)
    text = _read_csv(csv.path)
    assert text.column_names == SHIPMENTS.names
    for column in ("shipment_id", "consignee_name", "end_user_name", "hs_code"):
        assert text[column].to_pylist() == binary[column].to_pylist()
    assert text["shipment_date"].to_pylist() == [d.isoformat() for d in
                                                 binary["shipment_date"].to_pylist()]
    for cell, params in zip(text["parameters"].to_pylist(), binary["parameters"].to_pylist(),
                            strict=True):
        if params is None:
            assert cell is None
            continue
        parsed = []
        for part in cell.split("; "):
            name, _, rest = part.partition("=")
            value, _, unit = rest.partition(" ")
            parsed.append({"name": name, "value": float(value), "unit": unit or "1"})
        assert parsed == params


def test_failed_output_leaves_nothing_behind(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        generate_shipments(100, 1, blocker / "s.parquet", None, end_date=END)
    with pytest.raises(ValueError, match="listed_rate"):
        generate_shipments(100, 1, tmp_path / "s.parquet", None, listed_rate=2.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


def test_dirty_rows_are_recorded_where_they_are(tmp_path):
    summary = generate_shipments(4_000, 3, tmp_path / "s.csv", LIST_NAMES, fmt="csv",
                                 dirty_rate=0.02, batch_size=1_500, end_date=END)
    records = pq.read_table(summary.dirty_path).to_pylist()
    assert summary.dirty_rows == len(records)
    assert 40 < len(records) < 130
    assert {r["problem"] for r in records} == {"bad_date", "bad_country", "missing_name"}
    text = _read_csv(summary.path)
    for record in records:
        row = text.slice(record["input_row"] - 1, 1).to_pylist()[0]
        assert row["shipment_id"] == record["record_id"]
        assert row[record["column"]] == record["value"]
    clean = generate_shipments(500, 3, tmp_path / "clean.parquet", None, end_date=END)
    assert clean.dirty_path is None
    assert not (tmp_path / "clean.dirty.parquet").exists()


def test_dirty_parquet_keeps_the_types(tmp_path):
    summary = generate_shipments(3_000, 3, tmp_path / "s.parquet", None, dirty_rate=0.03,
                                 end_date=END)
    table = pq.read_table(summary.path)
    assert [f.type for f in table.schema] == [f.type for f in SHIPMENTS.arrow_schema()]
    records = pq.read_table(summary.dirty_path).to_pylist()
    missing = [r for r in records if r["problem"] in ("bad_date", "missing_name")]
    assert missing
    for record in missing:
        assert table[record["column"]][record["input_row"] - 1].as_py() is None


# --- persons ------------------------------------------------------------------------------


def test_persons_have_exactly_the_registry_schema(persons):
    _, table, _ = persons
    assert table.schema.equals(PERSONS.arrow_schema())
    assert table.num_rows == 12_000


def test_persons_look_like_visitors_students_and_staff(persons):
    table = persons[1]
    rows = table.to_pylist()
    nationalities = [r["nationalities"] for r in rows]
    assert all(all(re.fullmatch(r"[A-Z]{2}", c) for c in n) for n in nationalities)
    assert 0.01 < np.mean([len(n) == 2 for n in nationalities]) < 0.06
    first = [n[0] for n in nationalities]
    assert 0.25 < first.count("JP") / len(first) < 0.5
    aliases = [a for r in rows for a in (r["aliases"] or [])]
    assert any(re.search(r"[\u4e00-\u9fff]", a) for a in aliases)
    assert any(re.search(r"[\u0400-\u04ff]", a) for a in aliases)
    assert any(re.search(r"[\uac00-\ud7af]", a) for a in aliases)
    for r in rows:
        if r["visit_end"] is not None:
            assert r["visit_end"] > r["visit_start"]
        if r["date_of_birth"] is not None:
            assert r["date_of_birth"] < r["visit_start"]
        shares = [f["income_share"] for f in r["funding"] or []]
        assert all(0 <= s <= 1 for s in shares) and sum(shares) <= 1.0 + 1e-9
        kinds = {a["kind"] for a in r["affiliations"] or []}
        assert kinds <= {"employment", "concurrent_appointment", "contract"}
    foreign_government = [f for r in rows for f in r["funding"] or []
                          if f["country"] != "JP" and not f["payer"].startswith("Private")]
    assert any(f["income_share"] >= 0.25 for f in foreign_government)
    assert any(f["income_share"] < 0.25 for f in foreign_government)
    statuses = {r["official_status"] for r in rows} - {None}
    assert statuses and statuses <= {"diplomat", "consular", "foreign_government_official",
                                     "international_organisation", "us_forces", "un_forces"}
    instructions = [r["foreign_government_instructions"] for r in rows]
    assert 0 < instructions.count(True) < 0.01 * len(rows)
    assert 0.02 < np.mean([r["controlled_technology"] is not None for r in rows]) < 0.08


def test_person_truth_matches_names_and_affiliations(persons):
    _, table, truth = persons
    rows = {r["person_id"]: r for r in table.to_pylist()}
    counts = {x["values"]: x["counts"] for x in pc.value_counts(truth["field"]).to_pylist()}
    assert counts["full_name"] == len(rows)
    assert counts["affiliations"] == sum(len(r["affiliations"] or []) for r in rows.values())
    planted = truth.filter(pc.equal(truth["source"], "list")).to_pylist()
    assert 0.07 * len(rows) < len(planted) < 0.13 * len(rows)
    fields = {p["field"] for p in planted}
    assert fields == {"full_name", "affiliations"}
    for plant in planted:
        row = rows[plant["person_id"]]
        if plant["field"] == "full_name":
            written = row["full_name"]
            assert plant["list_id"] == "un-consolidated"
        else:
            written = row["affiliations"][0]["organisation"]
            assert plant["list_id"].startswith("jp-meti")
        assert (written == plant["original_name"]) == (plant["variant_kind"] is None)


def test_persons_csv_is_reproducible_and_uses_text_forms(tmp_path):
    summaries = [generate_persons(1_500, 4, tmp_path / run / "p.csv", LIST_NAMES,
                                  listed_rate=0.05, fmt="csv", end_date=END)
                 for run in ("a", "b")]
    assert summaries[0].path.read_bytes() == summaries[1].path.read_bytes()
    binary = generate_persons(1_500, 4, tmp_path / "p.parquet", LIST_NAMES, listed_rate=0.05,
                              end_date=END)
    text = _read_csv(summaries[0].path)
    table = pq.read_table(binary.path)
    assert text["nationalities"].to_pylist() == [
        "|".join(n) for n in table["nationalities"].to_pylist()]
    expected = [None if a is None else "; ".join(
        f"{x['organisation']}|{x['country']}|{x['kind']}" for x in a) or "none"
        for a in table["affiliations"].to_pylist()]
    assert text["affiliations"].to_pylist() == expected
    assert set(text["foreign_government_instructions"].drop_null().to_pylist()) <= {
        "true", "false"}


# --- pieces -------------------------------------------------------------------------------


def test_weighted_choice_follows_weights_and_keeps_rare_categories():
    choice = WeightedChoice([1000.0, 1.0, 0.00001, 0.0])
    draws = choice.draw(200_000, np.random.default_rng(0))
    assert 0.99 < np.mean(draws == 0) < 1.0
    assert (draws == 2).any()
    assert not (draws == 3).any()
    with pytest.raises(ValueError):
        WeightedChoice([0.0, 0.0])


def test_round_significant_gives_short_decimals():
    values = round_significant(np.array([3.45678, 14650123.0, 0.00123456, -2.71828]))
    assert [repr(float(v)) for v in values] == ["3.457", "14650000.0", "0.001235", "-2.718"]


def test_spread_around_puts_a_fifth_at_the_threshold():
    rng = np.random.default_rng(0)
    values, at = spread_around(np.full(20_000, 4.5), rng, integer=False)
    assert np.all(values[at] == 4.5)
    assert 0.18 < at.mean() < 0.22
    assert 0.37 < np.mean(values < 4.5) < 0.43
    assert 0.37 < np.mean(values > 4.5) < 0.43


def test_company_and_person_names_follow_the_country():
    rng = np.random.default_rng(1)
    codes = np.array([code_index("DE")] * 50 + [code_index("ID")] * 50 + [code_index("ZW")] * 5)
    names = company_name_pools().draw(codes, rng).to_pylist()
    assert all(n.endswith(("GmbH", "AG", "GmbH & Co. KG")) for n in names[:50])
    assert all(n.startswith("PT ") for n in names[50:100])
    assert all(n for n in names[100:])
    people = person_name_pools().draw(np.array([code_index("RU")] * 200), rng, native_rate=1.0)
    assert all(re.fullmatch(r"[\u0400-\u04ff ]+", a) for a in people.native_alias.to_pylist())
    assert codes_arrow(np.array([code_index("JP")])).to_pylist() == ["JP"]


def test_item_catalog_picks_matching_strings():
    catalog = ItemCatalog.default()
    types = np.zeros(4, dtype=np.int64)
    variant = np.arange(4)
    hs = catalog.strings_by_type(types, "hs_codes", variant).to_pylist()
    descriptions = catalog.strings_by_type(types, "descriptions", variant).to_pylist()
    item = catalog.items[0]
    assert hs == [item.hs_codes[i % len(item.hs_codes)] for i in range(4)]
    assert descriptions == [item.descriptions[i % len(item.descriptions)] for i in range(4)]


def test_text_forms_of_nested_columns():
    params = pa.array([[{"name": "positioning_accuracy", "value": 3.5, "unit": "um"},
                        {"name": "simultaneous_axes", "value": 5.0, "unit": "1"}], None],
                      type=SHIPMENTS.column("parameters").type)
    assert column_text(params).to_pylist() == [
        "positioning_accuracy=3.5 um; simultaneous_axes=5", None]
    lists = pa.array([["JP", "US"], None, []], type=pa.list_(pa.string()))
    # An empty list is a declared "none"; null stays an empty (unknown) cell.
    assert column_text(lists).to_pylist() == ["JP|US", None, "none"]


def test_list_names_from_a_flattened_table():
    table = pa.table({
        "list_id": ["jp-meti-eul", "jp-meti-eul"], "list_version": ["2025-09-29"] * 2,
        "entry_id": ["1", "2"], "entity_type": ["organisation", None],
        "name": ["Acme Corp", "  "], "alias_kind": ["primary", "aka"],
        "countries": [["CN"], None],
    })
    names = list_names_from_table(table)
    assert names == [ListName("jp-meti-eul", "2025-09-29", "1", "Acme Corp", "primary",
                              "organisation", ("CN",))]
    assert names[0].country == "CN"
    with pytest.raises(ValueError, match="lacks columns"):
        list_names_from_table(table.drop_columns(["countries"]))
