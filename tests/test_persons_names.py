"""Person screening with name matching against the bundled Japanese lists (real entries)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pyarrow as pa
import pytest

from bulkscreen import columns
from bulkscreen.config import RunConfig
from bulkscreen.lists import diff_snapshots, load_snapshot, load_snapshots
from bulkscreen.lists.name_index import build_name_index
from bulkscreen.rescreen import bundled_entry_changes
from bulkscreen.screen.persons import list_entry_notes, screen_persons_batch

AS_OF = dt.date(2025, 11, 1)
pytestmark = pytest.mark.slow  # builds a name index once (about 10 s)


@pytest.fixture(scope="module")
def japanese_lists(tmp_path_factory):
    snapshots = load_snapshots(["jp-meti-eul", "jp-meti-ru-tokutei"])
    index = build_name_index(snapshots, cache_dir=tmp_path_factory.mktemp("index"))
    return snapshots, index, list_entry_notes(snapshots)


def _entry(snapshots, list_id: str, entry_id: str) -> dict:
    for snapshot in snapshots:
        table = pl.from_arrow(snapshot)
        found = table.filter((pl.col("list_id") == list_id) & (pl.col("entry_id") == entry_id))
        if found.height:
            return found.row(0, named=True)
    raise AssertionError(f"{list_id} {entry_id} not bundled")


def _screen(japanese_lists, people: list[dict]):
    _, index, notes = japanese_lists
    rows = []
    for i, p in enumerate(people):
        row = {name: None for name in columns.PERSONS.names}
        row.update(person_id=f"P{i}", full_name="Hanako Suzuki", nationalities=["JP"],
                   affiliations=[], funding=[], foreign_government_instructions=False)
        row.update(p)
        rows.append(row)
    batch = pa.RecordBatch.from_pylist(rows, schema=columns.PERSONS.arrow_schema())
    results, hits = screen_persons_batch(batch, index, RunConfig(), AS_OF, entry_notes=notes)
    return results.to_pylist(), hits.to_pylist()


def test_listed_affiliation_funder_and_alias_are_found(japanese_lists):
    snapshots = japanese_lists[0]
    eul = _entry(snapshots, "jp-meti-eul", "10")        # Emirates Alloys LLC, concern N
    russia = _entry(snapshots, "jp-meti-ru-tokutei", "1")
    results, hits = _screen(japanese_lists, [
        {"affiliations": [
            {"organisation": "Osaka University", "country": "JP", "kind": "employment"},
            {"organisation": eul["primary_name"], "country": "AE", "kind": "contract"}]},
        {"funding": [{"payer": russia["primary_name"], "country": "RU", "income_share": 0.1}]},
        {"aliases": [eul["primary_name"]]},
        {},
    ])
    assert [r["decision"] for r in results] == ["REVIEW", "REVIEW", "REVIEW", "CLEAR"]
    party = [h for h in hits if h["finding"] == "party"]
    found = {(h["record_id"], h["field"], h["list_id"], h["entry_id"]) for h in party
             if h["reason_code"] == "PARTY_HIT"}
    assert ("P0", "affiliations[1].organisation", "jp-meti-eul", "10") in found
    assert ("P1", "funding[0].payer", "jp-meti-ru-tokutei", "1") in found
    # A person's alias equal to an organisation's name still comes up, at least for review.
    assert any(h["record_id"] == "P2" and h["field"] == "aliases[0]" for h in party)
    eul_hit = next(h for h in party if h["record_id"] == "P0" and h["entry_id"] == "10")
    assert "concern types: N nuclear" in eul_hit["explanation"]
    assert eul_hit["list_version"] == eul["list_version"]
    assert "PARTY_HIT" in results[0]["reason_codes"]
    assert results[0]["top_score"] >= RunConfig().match.hit_threshold


def test_name_hit_with_licence_keeps_both_reasons(japanese_lists):
    eul = _entry(japanese_lists[0], "jp-meti-eul", "100")
    results, _ = _screen(japanese_lists, [{
        "nationalities": ["IR"], "entry_date": AS_OF - dt.timedelta(days=30),
        "affiliations": [{"organisation": eul["primary_name"], "country": "IR",
                          "kind": "employment"}],
        "controlled_technology": "2(1)",
    }])
    row = results[0]
    assert row["decision"] == "LICENSE_REQUIRED"
    assert {"NON_RESIDENT", "SPECIFIC_CATEGORY_1", "TECH_ACCESS", "PARTY_HIT",
            "RED_FLAG_NATIONALITY"} <= set(row["reason_codes"])


def test_bundled_entry_changes_ignores_address_only_changes():
    list_id, old, new = "us-ofac-sdn", "2021-07-07", "2024-05-03"
    before, after = load_snapshot(list_id, old), load_snapshot(list_id, new)
    diff = pl.from_arrow(diff_snapshots(before, after))
    address_only = diff.filter(pl.col("fields_changed") == ["addresses"]).get_column(
        "entry_id").to_list()[:3]
    alias_changed = diff.filter(pl.col("fields_changed").list.contains("aliases")).get_column(
        "entry_id").to_list()[:3]
    removed = diff.filter(pl.col("change") == "removed").get_column("entry_id").to_list()[:3]
    in_both = set(before.column("entry_id").to_pylist()) & set(after.column("entry_id")
                                                                .to_pylist())
    unchanged = sorted(in_both - set(diff.get_column("entry_id").to_list()))[:3]
    assert address_only and alias_changed and removed and unchanged
    changed = bundled_entry_changes(list_id, old, new,
                                    address_only + alias_changed + removed + unchanged)
    assert changed == set(alias_changed) | set(removed)
    # A version that cannot be loaded counts every entry as changed.
    assert bundled_entry_changes(list_id, "1999-01-01", new, unchanged) == set(unchanged)
