"""Importing every bundled list: schema, counts against the sources, scripts, dates, diffs."""

from __future__ import annotations

import datetime as dt
import time

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from bulkscreen.columns import LIST_ENTRIES
from bulkscreen.lists import bundled_catalog, diff_snapshots, flatten_names
from bulkscreen.lists.snapshot import build_snapshot

pytestmark = pytest.mark.slow  # imports every bundled list once (about 10 s)


@pytest.fixture(scope="session")
def snapshots() -> dict[str, pa.Table]:
    catalog = bundled_catalog()
    tables, seconds = {}, {}
    for list_id in catalog.list_ids():
        for version in catalog.versions(list_id):
            start = time.perf_counter()
            tables[version.key] = build_snapshot(version, catalog)
            seconds[version.key] = time.perf_counter() - start
    return tables


def _aliases(table: pa.Table) -> int:
    return pc.sum(pc.list_value_length(table.column("aliases"))).as_py() or 0


def test_every_version_imports_with_the_exact_schema(snapshots):
    schema = LIST_ENTRIES.arrow_schema()
    for key, table in snapshots.items():
        assert table.schema.equals(schema), key
        assert table.num_rows > 0, key
        assert pc.count_distinct(table.column("entry_id")).as_py() == table.num_rows, key
        kinds = set(pc.struct_field(pc.list_flatten(table.column("aliases")), "kind")
                    .to_pylist())
        assert kinds <= {"aka", "fka", "weak", "original_script"}, key


@pytest.mark.parametrize(("key", "entries"), [
    ("us-ofac-sdn/2019-01-15", 7379), ("us-ofac-sdn/2021-07-07", 8976),
    ("us-ofac-sdn/2024-05-03", 14965), ("us-ofac-consolidated/2025-12-19", 442),
    ("un-consolidated/2026-02-27", 1003), ("us-bis-dpl/2019-06-29", 546),
    ("us-csl-sample/2019-12-03", 115), ("us-csl-sample/2025-06-25", 13),
    ("jp-meti-eul/2025-09-29", 835), ("jp-meti-third-country-tokutei/2025-09-12", 56),
    ("jp-meti-third-country-tokutei/2025-04-02", 47), ("jp-meti-by-tokutei/2022-07-05", 27),
    ("uk-ofsi-conlist-sample/2020-03-21", 41), ("us-ofac-sdn-history/2024-05-03", 15892),
    # The text numbers 561 and 559 entries: one 所在地 is printed "所 在 地", which a plain
    # count of 所在地 lines (560 and 558) misses.
    ("jp-meti-ru-tokutei/2025-09-12", 561), ("jp-meti-ru-tokutei/2025-01-10", 559),
])
def test_entry_counts_match_the_sources(snapshots, key, entries):
    assert snapshots[key].num_rows == entries


def test_meti_entries_are_numbered_without_gaps(snapshots):
    for key in ("jp-meti-ru-tokutei/2025-09-12", "jp-meti-third-country-tokutei/2025-09-12",
                "jp-meti-by-tokutei/2022-07-05"):
        ids = snapshots[key].column("entry_id").to_pylist()
        assert ids == [str(n) for n in range(1, len(ids) + 1)]


def test_meti_entry_joined_mid_line_is_split(snapshots):
    rows = {r["entry_id"]: r for r in snapshots["jp-meti-ru-tokutei/2025-09-12"].to_pylist()}
    assert rows["10"]["primary_name"] == "Foreign Intelligence Service (SVR)"
    assert {"name": "対外諜報庁", "kind": "original_script", "script": "Jpan"} in \
        rows["10"]["aliases"]
    assert rows["9"]["addresses"] == ["22, Sushchevskaya UI, Moscow 127055RU"]
    fsb = rows["6"]
    assert "Federalnaya Sluzhba Bezopasnosti" in [a["name"] for a in fsb["aliases"]]
    assert fsb["countries"] == ["RU"]


def test_end_user_list_keeps_marks_and_other_scripts(snapshots):
    table = snapshots["jp-meti-eul/2025-09-29"]
    rows = table.to_pylist()
    assert _aliases(table) >= 1400  # 1,415 in the source; repeats of the name are dropped
    assert rows[0]["programs"] == ["B", "C", "M", "N", "CW"]
    cyrillic = [a for r in rows for a in r["aliases"] if a["script"] == "Cyrl"]
    assert cyrillic and all(a["kind"] == "original_script" for a in cyrillic)
    assert all(r["countries"] for r in rows)


def test_un_list_reads_people_entities_dates_and_qualities(snapshots):
    table = snapshots["un-consolidated/2026-02-27"]
    types = pc.value_counts(table.column("entity_type")).to_pylist()
    assert {t["values"]: t["counts"] for t in types} == {"person": 730, "organisation": 273}
    assert pc.all(pc.is_valid(table.column("listed_from"))).as_py()
    kinds = pc.struct_field(pc.list_flatten(table.column("aliases")), "kind").to_pylist()
    assert {"aka", "weak", "fka", "original_script"} <= set(kinds)


def test_ofac_remarks_give_birth_dates_nationality_and_aliases(snapshots):
    rows = {r["entry_id"]: r for r in snapshots["us-ofac-sdn/2021-07-07"].to_pylist()}
    li = rows["28264"]  # remarks overflow into sdn_comments.csv
    assert li["birth_dates"] == ["1987-01-10"]
    assert "CN" in li["countries"]
    assert {"blackjack1987", "khaleesi"} <= {a["name"] for a in li["aliases"]}
    assert "BNC" in [a["name"] for a in rows["306"]["aliases"]]


def test_sdn_history_dates_enrich_the_2024_snapshot(snapshots):
    table = snapshots["us-ofac-sdn/2024-05-03"]
    dated = table.filter(pc.is_valid(table.column("listed_from")))
    assert dated.num_rows > 5000
    assert pc.max(dated.column("listed_from")).as_py() <= dt.date(2024, 5, 3)
    history = snapshots["us-ofac-sdn-history/2024-05-03"]
    assert pc.sum(pc.is_valid(history.column("listed_to"))).as_py() > 800


def test_partial_vintage_joins_names_and_drops_delisted(snapshots):
    partial = snapshots["us-ofac-sdn/2025-12-24"]
    assert partial.num_rows > 15000
    assert _aliases(partial) > 20000
    changes = diff_snapshots(snapshots["us-ofac-sdn/2024-05-03"], partial)
    counts = pc.value_counts(changes.column("change")).to_pylist()
    counts = {c["values"]: c["counts"] for c in counts}
    assert counts["removed"] > 500 and counts["added"] > 1000


def test_diff_of_real_sdn_versions(snapshots):
    old, new = snapshots["us-ofac-sdn/2019-01-15"], snapshots["us-ofac-sdn/2021-07-07"]
    changes = diff_snapshots(old, new)
    by_kind = {k: changes.filter(pc.equal(changes.column("change"), k)) for k in
               ("added", "removed", "changed")}
    old_ids = set(old.column("entry_id").to_pylist())
    new_ids = set(new.column("entry_id").to_pylist())
    assert set(by_kind["added"].column("entry_id").to_pylist()) == new_ids - old_ids
    assert set(by_kind["removed"].column("entry_id").to_pylist()) == old_ids - new_ids
    assert by_kind["changed"].num_rows > 0
    for fields in by_kind["changed"].column("fields_changed").to_pylist():
        assert fields


def test_diff_of_real_meti_versions(snapshots):
    changes = diff_snapshots(snapshots["jp-meti-ru-tokutei/2025-01-10"],
                             snapshots["jp-meti-ru-tokutei/2025-09-12"])
    added = changes.filter(pc.equal(changes.column("change"), "added"))
    assert added.column("entry_id").to_pylist() == ["560", "561"]


def test_flatten_names_gives_one_row_per_name(snapshots):
    table = snapshots["jp-meti-eul/2025-09-29"]
    names = flatten_names(table)
    assert names.num_rows == table.num_rows + _aliases(table)
    assert names.column_names == ["list_id", "list_version", "entry_id", "entity_type",
                                  "name", "alias_kind", "script", "countries", "birth_dates",
                                  "programs"]
    primary = names.filter(pc.equal(names.column("alias_kind"), "primary"))
    assert primary.column("name").to_pylist() == table.column("primary_name").to_pylist()
