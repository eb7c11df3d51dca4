"""``bulkscreen rescreen persons``: a reviewed false positive is carried into next year's run.

The re-screen runs on the engine ``--engine`` names; both engines give the same files.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from cli_run import run_cli
from polars.testing import assert_frame_equal

PERSONS_CSV = (
    "person_id,full_name,nationalities,entry_date,employer_in_japan,affiliations,funding,"
    "controlled_technology,foreign_government_instructions\n"
    "P1,Taro Yamada,JP,,Kyoto University,none,none,,false\n"
    "P2,Ivan Petrov,RU,2025-01-10,Kyoto University,Admiralty Shipyard JSC|RU|contract,none,,"
    "false\n")
LISTS = ("--lists", "jp-meti-ru-tokutei")
RESCREEN_OUTPUTS = ("results.parquet", "hits.parquet", "quarantine.parquet",
                    "results.reviewed.parquet", "hits.reviewed.parquet", "changes.parquet")




@pytest.fixture(scope="module")
def year_one(tmp_path_factory) -> dict[str, Path]:
    """Last year's run of the persons file, with every name match reviewed false_positive."""
    folder = tmp_path_factory.mktemp("year_one")
    persons = folder / "persons.csv"
    persons.write_text(PERSONS_CSV, encoding="utf-8")
    assert run_cli("screen", "persons", persons, "--as-of", "2026-01-15", "--out",
                   folder / "y1", "--quiet", *LISTS) == 0
    hits = pl.read_parquet(folder / "y1" / "hits.parquet")
    reviewed = hits.with_columns(review_decision=pl.when(pl.col("finding") == "party")
                                 .then(pl.lit("false_positive")))
    reviewed.write_parquet(folder / "decisions.parquet")
    return {"persons": persons, "previous": folder / "y1",
            "decisions": folder / "decisions.parquet"}


def rescreen(year_one: dict[str, Path], out: Path, *options: str) -> int:
    return run_cli("rescreen", "persons", year_one["persons"], "--previous",
                   year_one["previous"], "--decisions", year_one["decisions"],
                   "--as-of", "2027-01-15", "--out", out, "--quiet", *LISTS, *options)


def test_rescreen_carries_reviewed_false_positives(year_one, tmp_path: Path):
    party = pl.read_parquet(year_one["previous"] / "hits.parquet").filter(
        pl.col("finding") == "party")
    assert party["record_id"].unique().to_list() == ["P2"]

    assert rescreen(year_one, tmp_path / "y2") == 0
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


@pytest.mark.slow  # starts a local Dask cluster
def test_rescreen_on_dask_gives_the_outputs_of_the_local_engine(year_one, tmp_path: Path):
    pytest.importorskip("distributed")
    outs = {engine: tmp_path / engine for engine in ("local", "dask")}
    for engine, out in outs.items():
        # No --scheduler: the dask engine starts its own cluster on 127.0.0.1.
        assert rescreen(year_one, out, "--engine", engine) == 0

    for engine, out in outs.items():
        manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
        assert manifest["extra"]["engine"]["name"] == engine
    manifest = json.loads((outs["dask"] / "run.json").read_text(encoding="utf-8"))
    assert manifest["extra"]["engine"]["scheduler"].startswith("tcp://127.0.0.1:")
    for name in RESCREEN_OUTPUTS:
        local, dask = (pl.read_parquet(out / name) for out in (outs["local"], outs["dask"]))
        assert_frame_equal(dask, local)
    changes = pl.read_parquet(outs["dask"] / "changes.parquet")
    assert "review_carried" in changes["change"].to_list()
    assert pl.read_parquet(outs["dask"] / "hits.reviewed.parquet").height > 0
    local_summary, dask_summary = (
        json.loads((out / "rescreen.json").read_text(encoding="utf-8"))
        for out in (outs["local"], outs["dask"]))
    assert dask_summary == local_summary


def test_report_review_of_a_rescreened_run_shows_the_carried_reviews(year_one, tmp_path: Path,
                                                                      capsys):
    out = tmp_path / "y2"
    assert rescreen(year_one, out) == 0
    capsys.readouterr()
    assert run_cli("report", "review", out) == 0
    printed = capsys.readouterr().out
    sheet = pl.read_excel(out / "review.xlsx", sheet_name="review", infer_schema_length=0)
    party = sheet.filter(pl.col("finding") == "party")
    assert party.height > 0
    assert set(party["review_decision"]) == {"false_positive"}
    # The cleared matches are not open: they follow every row still to review.
    open_rows = sheet["review_decision"].is_null().to_list()
    assert open_rows == sorted(open_rows, reverse=True)
    assert f"{party.height} carry a review from rescreen ({party.height} false_positive)" \
        in printed
    # The sheet read back as decisions keeps the carried reviews for next year.
    assert run_cli("rescreen", "persons", year_one["persons"], "--previous", out,
                   "--decisions", out / "review.xlsx", "--as-of", "2028-01-15", "--out",
                   tmp_path / "y3", "--quiet", *LISTS) == 0
    carried = pl.read_parquet(tmp_path / "y3" / "hits.reviewed.parquet").filter(
        pl.col("finding") == "party")
    assert set(carried["review_decision"]) == {"false_positive"}


def test_report_review_ignores_reviews_left_from_before_a_new_screening(year_one,
                                                                       tmp_path: Path, capsys):
    out = tmp_path / "y2"
    assert rescreen(year_one, out) == 0
    assert run_cli("screen", "persons", year_one["persons"], "--as-of", "2027-01-15",
                   "--out", out, "--quiet", "--overwrite", *LISTS) == 0
    capsys.readouterr()
    assert run_cli("report", "review", out) == 0
    assert "is older than hits.parquet" in capsys.readouterr().err
    sheet = pl.read_excel(out / "review.xlsx", sheet_name="review", infer_schema_length=0)
    assert sheet["review_decision"].is_null().all()
