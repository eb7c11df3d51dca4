"""A user's own list: imported with a column map into $BULKSCREEN_LISTS_DIR, then screened."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from cli_run import run_cli

from bulkscreen.lists.catalog import bundled_catalog, refresh_catalog


@pytest.fixture()
def user_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "my-lists"
    folder.mkdir()
    monkeypatch.setenv("BULKSCREEN_LISTS_DIR", str(folder))
    refresh_catalog()
    yield folder
    monkeypatch.delenv("BULKSCREEN_LISTS_DIR")
    refresh_catalog()


def test_imported_user_list_is_screened(user_lists: Path, tmp_path: Path):
    denied = tmp_path / "denied.csv"
    denied.write_text("Ref,Company,Country\nD-1,Hanshin Dual Use Trading Co Ltd,HK\n"
                      "D-2,Nordwind Logistik GmbH,DE\n", encoding="utf-8")
    assert run_cli("lists", "import", denied, "--list-id", "acme-denied", "--version",
                   "2026-01-01", "--map", "entry_id=Ref", "--map", "primary_name=Company",
                   "--map", "countries=Country") == 0
    assert (user_lists / "acme-denied" / "2026-01-01" / "source.toml").exists()
    assert "acme-denied" in bundled_catalog().list_ids()

    queries = tmp_path / "orders.csv"
    queries.write_text("id,buyer\n1,Hanshin Dual-Use Trading Company Limited\n2,Kyoto Ceramics\n",
                       encoding="utf-8")
    out = tmp_path / "run"
    assert run_cli("screen", "parties", queries, "--name", "buyer", "--id", "id",
                   "--lists", "acme-denied", "--out", out, "--quiet") == 0
    hits = pl.read_parquet(out / "hits.parquet")
    assert hits["record_id"].to_list() == ["1"]
    assert hits["list_id"][0] == "acme-denied" and hits["entry_id"][0] == "D-1"


def test_unknown_list_id_is_a_config_error(tmp_path: Path, capsys):
    queries = tmp_path / "q.csv"
    queries.write_text("name\nx\n", encoding="utf-8")
    code = run_cli("screen", "parties", queries, "--name", "name", "--lists", "no-such-list",
                   "--out", tmp_path / "run", "--quiet")
    assert code == 5
    assert "no-such-list" in capsys.readouterr().err
