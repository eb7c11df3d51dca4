"""Malformed list files, the snapshot cache, user lists and the `bulkscreen lists` commands."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner

from bulkscreen.cli import cli
from bulkscreen.columns import LIST_ENTRIES
from bulkscreen.errors import EXIT_DATA, ListDataError
from bulkscreen.lists import bundled_catalog, import_user_list, load_snapshot, load_snapshots
from bulkscreen.lists.catalog import Catalog
from bulkscreen.lists.snapshot import build_snapshot, cache_dir

FIXTURES = Path(__file__).parent / "data" / "lists"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BULKSCREEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _version_from(tmp_path: Path, list_id: str, fmt_version: str, files: dict[str, Path]):
    """A bundled version's record pointed at other files (to feed malformed data)."""
    template = bundled_catalog().get(list_id, fmt_version)
    folder = tmp_path / list_id / template.version
    folder.mkdir(parents=True)
    for name, source in files.items():
        shutil.copyfile(source, folder / name)
    return dataclasses.replace(template, path=folder)


def test_truncated_ofac_row_names_file_and_line(tmp_path: Path):
    version = _version_from(tmp_path, "us-ofac-sdn", "2019-01-15",
                            {"sdn.csv": FIXTURES / "ofac_truncated_sdn.csv"})
    version = dataclasses.replace(version, importer={"format": "ofac-legacy-csv",
                                                     "prim": "sdn.csv"},
                                  files={"sdn.csv": "x"})
    with pytest.raises(ListDataError) as info:
        build_snapshot(version, bundled_catalog())
    assert info.value.where.line == 2
    assert info.value.where.file.endswith("sdn.csv")
    assert info.value.exit_code == EXIT_DATA


def test_unclosed_xml_names_the_line(tmp_path: Path):
    version = _version_from(tmp_path, "un-consolidated", "2026-02-27",
                            {"consolidated.xml": FIXTURES / "un_unclosed.xml"})
    with pytest.raises(ListDataError, match="not well-formed XML") as info:
        build_snapshot(version, bundled_catalog())
    assert info.value.where.line is not None


def test_meti_text_without_entries_is_rejected(tmp_path: Path):
    bad = tmp_path / "empty.txt"
    bad.write_text("指定日：2022 年03月08 日\n最終更新日：2022 年07 月05 日\nno entries\n",
                   encoding="utf-8")
    version = _version_from(tmp_path, "jp-meti-by-tokutei", "2022-07-05",
                            {"list_belarus_tokutei.pdf.txt": bad})
    with pytest.raises(ListDataError, match="no entry numbered 1"):
        build_snapshot(version, bundled_catalog())


def test_snapshot_is_cached_and_a_corrupt_cache_is_rebuilt(private_cache: Path):
    first = load_snapshot("jp-meti-by-tokutei")
    files = list((private_cache / "lists" / "jp-meti-by-tokutei").glob("*.parquet"))
    assert len(files) == 1
    files[0].write_bytes(b"not parquet")
    again = load_snapshot("jp-meti-by-tokutei")
    assert again.equals(first)
    assert again.schema.equals(LIST_ENTRIES.arrow_schema())
    assert files[0].read_bytes()[:4] == b"PAR1"


def test_cache_dir_follows_the_environment(private_cache: Path):
    assert cache_dir() == private_cache


def test_load_snapshots_picks_the_version_in_force():
    tables = load_snapshots(["us-csl-sample", "jp-meti-by-tokutei"], as_of=dt.date(2020, 1, 1))
    assert [t.column("list_version")[0].as_py() for t in tables] == ["2019-12-03"]
    latest = load_snapshots(["us-csl-sample"])
    assert latest[0].column("list_version")[0].as_py() == "2025-06-25"


def test_user_list_import(tmp_path: Path):
    path = tmp_path / "denied.csv"
    path.write_text("Company,Country,Other names,Listed\n"
                    "Acme Trading LLC,RU,Acme Trade|ACME TRD,2024-01-31\n"
                    "Beta Works,KP,,\n", encoding="utf-8")
    table = import_user_list(path, {"primary_name": "Company", "countries": "Country",
                                    "aliases": "Other names", "listed_from": "Listed"},
                             "acme-denied", "2024-02-01")
    assert table.schema.equals(LIST_ENTRIES.arrow_schema())
    rows = table.to_pylist()
    assert rows[0]["aliases"] == [{"name": "Acme Trade", "kind": "aka", "script": "Latn"},
                                  {"name": "ACME TRD", "kind": "aka", "script": "Latn"}]
    assert rows[0]["listed_from"] == dt.date(2024, 1, 31)
    assert rows[1]["countries"] == ["KP"]
    assert rows[1]["entry_id"] == "2"


@pytest.mark.parametrize(("fixture", "row", "column", "message"), [
    ("user_empty_name.csv", 2, "Company", "empty name"),
    ("user_bad_country.csv", 2, "Country", "unknown country"),
])
def test_user_list_errors_name_row_and_column(fixture, row, column, message):
    with pytest.raises(ListDataError, match=message) as info:
        import_user_list(FIXTURES / fixture, {"primary_name": "Company", "countries": "Country"},
                         "x", "2024-01-01")
    assert (info.value.where.row, info.value.where.column) == (row, column)


def test_cli_verify_show_and_diff():
    runner = CliRunner()
    result = runner.invoke(cli, ["lists", "verify"])
    assert result.exit_code == 0, result.output
    assert "17 versions" in result.output
    result = runner.invoke(cli, ["lists", "show", "jp-meti-by-tokutei"])
    assert result.exit_code == 0 and "entries:   27" in result.output
    result = runner.invoke(cli, ["lists", "diff", "us-csl-sample", "2019-12-03", "2025-06-25"])
    assert result.exit_code == 0 and "115 entries" in result.output


def test_cli_import_publishes_and_a_bad_file_keeps_the_good_version(tmp_path: Path):
    good = tmp_path / "denied.csv"
    good.write_text("Company,Country\nAcme Trading LLC,RU\n", encoding="utf-8")
    root = tmp_path / "lists"
    runner = CliRunner()
    args = ["lists", "import", "--data-dir", str(root), "--list-id", "acme", "--version",
            "2024-02-01", "--map", "primary_name=Company", "--map", "countries=Country"]
    result = runner.invoke(cli, [*args, str(good)])
    assert result.exit_code == 0, result.output
    catalog = Catalog.from_dir(root)
    assert catalog.verify() == []
    published = catalog.get("acme")
    before = sorted(p.name for p in published.path.iterdir())

    bad = tmp_path / "bad" / "denied.csv"
    bad.parent.mkdir()
    bad.write_text("Company,Country\n,RU\n", encoding="utf-8")
    result = runner.invoke(cli, [*args, "--replace", str(bad)])
    assert isinstance(result.exception, ListDataError)
    assert sorted(p.name for p in published.path.iterdir()) == before
    assert Catalog.from_dir(root).verify() == []
    assert [p.name for p in (root / "acme").iterdir()] == ["2024-02-01"]
    table = build_snapshot(Catalog.from_dir(root).get("acme"), Catalog.from_dir(root))
    assert isinstance(table, pa.Table) and table.num_rows == 1
