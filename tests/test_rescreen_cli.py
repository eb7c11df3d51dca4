"""``bulkscreen rescreen persons``: a reviewed false positive is carried into next year's run."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from bulkscreen.cli import main

PERSONS_CSV = (
    "person_id,full_name,nationalities,entry_date,employer_in_japan,affiliations,funding,"
    "controlled_technology,foreign_government_instructions\n"
    "P1,Taro Yamada,JP,,Kyoto University,none,none,,false\n"
    "P2,Ivan Petrov,RU,2025-01-10,Kyoto University,Admiralty Shipyard JSC|RU|contract,none,,"
    "false\n")


def run_cli(*args: object) -> int:
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_rescreen_carries_reviewed_false_positives(tmp_path: Path):
    persons = tmp_path / "persons.csv"
    persons.write_text(PERSONS_CSV, encoding="utf-8")
    lists = ("--lists", "jp-meti-ru-tokutei")
    assert run_cli("screen", "persons", persons, "--as-of", "2026-01-15", "--out",
                   tmp_path / "y1", "--quiet", *lists) == 0
    hits = pl.read_parquet(tmp_path / "y1" / "hits.parquet")
    party = hits.filter(pl.col("finding") == "party")
    assert party["record_id"].unique().to_list() == ["P2"]
    reviewed = hits.with_columns(review_decision=pl.when(pl.col("finding") == "party")
                                 .then(pl.lit("false_positive")))
    reviewed.write_parquet(tmp_path / "decisions.parquet")

    assert run_cli("rescreen", "persons", persons, "--previous", tmp_path / "y1",
                   "--decisions", tmp_path / "decisions.parquet", "--as-of", "2027-01-15",
                   "--out", tmp_path / "y2", "--quiet", *lists) == 0
    carried = pl.read_parquet(tmp_path / "y2" / "hits.reviewed.parquet").filter(
        pl.col("finding") == "party")
    assert carried.height == party.height
    assert set(carried["review_decision"]) == {"false_positive"}
    results = pl.read_parquet(tmp_path / "y2" / "results.reviewed.parquet")
    p2 = results.filter(pl.col("record_id") == "P2").row(0, named=True)
    assert "PARTY_HIT" not in p2["reason_codes"]  # cleared; category 1 remains
    assert "SPECIFIC_CATEGORY_1" in p2["reason_codes"]
    summary = json.loads((tmp_path / "y2" / "rescreen.json").read_text(encoding="utf-8"))
    assert summary["carried_reviews"]["false_positive"] == party.height
