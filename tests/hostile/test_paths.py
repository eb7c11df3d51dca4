"""Paths built from user input never leave their root; nothing is created before the check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bulkscreen.config import load_config
from bulkscreen.errors import (
    EXIT_CONFIG,
    EXIT_DATA,
    EXIT_INPUT,
    EXIT_USAGE,
    ConfigError,
    OutputError,
)
from bulkscreen.io.paths import check_output_dir
from bulkscreen.lists.catalog import Catalog, bundled_lists_dir, import_root
from bulkscreen.lists.versions import publish_version

from .conftest import screen_args, tree

HOSTILE_NAMES = ["../../escape", "..", "/abs/olute", "a/b", "a\\b", "a\x00b", ".hidden",
                 "x" * 101, "tab\tname", ""]
META = {"publisher": "p", "title": "t", "origin": "o", "licence": "l"}


@pytest.fixture()
def denied(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "denied.csv"
    path.parent.mkdir()
    path.write_text("Company\nAcme Trading LLC\n", encoding="utf-8")
    return path


def _import(cli, denied: Path, root: Path, list_id: str, version: str = "2026-01-01"):
    return cli("lists", "import", "--data-dir", root, "--list-id", list_id, "--version",
               version, "--map", "primary_name=Company", denied)


@pytest.mark.parametrize("list_id", [n for n in HOSTILE_NAMES if "\x00" not in n])
def test_hostile_list_id_is_refused_before_anything_is_created(cli, tmp_path, denied, list_id):
    root = tmp_path / "deep" / "er" / "lists"
    before = tree(tmp_path)
    ran = _import(cli, denied, root, list_id)
    assert ran.code == EXIT_CONFIG, ran.err
    assert "list id" in ran.err and "is not a plain name" in ran.err and "fix:" in ran.err
    assert tree(tmp_path) == before  # not even the root folder
    assert not (tmp_path / "escape").exists() and not Path("/abs/olute").exists()


@pytest.mark.parametrize("version", ["../../2026-01-01", "2026-01-01/../x", "/2026-01-01",
                                     "2026-01-01\x00", "20260101", "2026-13-01", ".."])
def test_hostile_version_is_refused_before_anything_is_created(tmp_path, denied, version):
    # NUL cannot pass through argv, so the check is driven through the function the CLI calls.
    root = tmp_path / "lists"
    before = tree(tmp_path)
    with pytest.raises(ConfigError) as caught:
        publish_version(root, "acme", version, [denied], fmt="user-table", metadata=META,
                        column_map={"primary_name": "Company"})
    assert "version" in caught.value.message and caught.value.hint
    assert tree(tmp_path) == before


def test_nul_in_list_id_is_refused(tmp_path, denied):
    before = tree(tmp_path)
    with pytest.raises(ConfigError, match="not a plain name"):
        publish_version(tmp_path / "lists", "acme\x00x", "2026-01-01", [denied],
                        fmt="user-table", metadata=META, column_map={"primary_name": "Company"})
    with pytest.raises(ConfigError, match="NUL byte"):
        import_root(tmp_path / "li\x00sts")
    assert tree(tmp_path) == before


def test_symlinked_list_folder_pointing_outside_is_refused(cli, tmp_path, denied):
    root = tmp_path / "lists"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "acme").symlink_to(outside, target_is_directory=True)
    ran = _import(cli, denied, root, "acme")
    assert ran.code == EXIT_CONFIG, ran.err
    assert "leads outside" in ran.err and str(root) in ran.err and "fix:" in ran.err
    assert list(outside.iterdir()) == []


def test_source_record_naming_a_file_outside_its_folder_is_refused(cli, tmp_path, denied):
    root = tmp_path / "lists"
    assert _import(cli, denied, root, "acme").code == 0
    record = root / "acme" / "2026-01-01" / "source.toml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace('"denied.csv" =', '"../../../etc/passwd" =')
                      .replace('denied.csv =', '"../../../etc/passwd" ='), encoding="utf-8")
    ran = cli("lists", "show", "acme", "--data-dir", root)
    assert ran.code == EXIT_DATA, ran.err
    assert "is not a plain file name" in ran.err and str(record) in ran.err


def test_list_file_symlinked_outside_its_folder_is_refused(cli, tmp_path, denied):
    root = tmp_path / "lists"
    assert _import(cli, denied, root, "acme").code == 0
    version = Catalog.from_dir(root).get("acme")
    secret = tmp_path / "secret.csv"
    secret.write_text("Company\nNot For Lists\n", encoding="utf-8")
    target = version.path / "denied.csv"
    target.unlink()
    target.symlink_to(secret)
    ran = cli("lists", "show", "acme", "--data-dir", root)
    assert ran.code == EXIT_DATA, ran.err
    assert "leads outside" in ran.err


def test_default_import_goes_to_the_user_data_folder_not_the_package(cli, hostile_env, denied):
    bundled = bundled_lists_dir()
    before = tree(bundled)
    ran = cli("lists", "import", "--list-id", "acme-default", "--version", "2026-01-01",
              "--map", "primary_name=Company", denied)
    assert ran.code == 0, ran.err
    assert (hostile_env["data"] / "lists" / "acme-default" / "2026-01-01"
            / "source.toml").is_file()
    assert tree(bundled) == before


def test_import_into_the_installed_package_is_refused(cli, denied):
    package = Path(__import__("bulkscreen").__file__).parent
    before = tree(package)
    ran = _import(cli, denied, package / "_data" / "mine", "acme")
    assert ran.code == EXIT_CONFIG, ran.err
    assert "installed package" in ran.err and "--data-dir" in ran.err
    assert tree(package) == before


def test_output_and_config_paths_are_checked(cli, tmp_path):
    table = tmp_path / "in.csv"
    table.write_text("company\nAcme\n", encoding="utf-8")
    a_file = tmp_path / "taken"
    a_file.write_text("x", encoding="utf-8")
    ran = cli(*screen_args(table, a_file))
    assert ran.code == EXIT_USAGE and "'--out'" in ran.err and "is a file" in ran.err
    with pytest.raises(OutputError, match="NUL byte"):
        check_output_dir(tmp_path / "o\x00ut", table)
    ran = cli(*screen_args(table, tmp_path / "run", "--config", tmp_path))
    assert ran.code == EXIT_USAGE and "is a directory" in ran.err
    # argv cannot carry NUL; a configuration file or program can hand one to the loader.
    with pytest.raises(ConfigError, match="NUL byte"):
        load_config(tmp_path / "c\x00.toml")
    assert not (tmp_path / "run").exists()


def test_output_inside_a_parquet_input_folder_is_refused(cli, tmp_path):
    import polars as pl

    folder = tmp_path / "parts"
    folder.mkdir()
    pl.DataFrame({"company": ["Acme"]}).write_parquet(folder / "part-0.parquet")
    ran = cli(*screen_args(folder, folder / "run"))
    assert ran.code == EXIT_INPUT and "inside the input folder" in ran.err
    assert sorted(p.name for p in folder.iterdir()) == ["part-0.parquet"]


def test_list_files_named_like_the_record_or_each_other_are_refused(cli, tmp_path):
    root = tmp_path / "lists"
    record = tmp_path / "source.toml"
    record.write_text("Company\nAcme\n", encoding="utf-8")
    ran = cli("lists", "import", "--data-dir", root, "--list-id", "acme", "--version",
              "2026-01-01", "--format", "csl-csv", record)
    assert ran.code == EXIT_CONFIG and "may not be called source.toml" in ran.err
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "sdn.csv").write_text("x\n", encoding="utf-8")
    ran = cli("lists", "import", "--data-dir", root, "--list-id", "acme", "--version",
              "2026-01-01", "--format", "ofac-legacy-csv", tmp_path / "a" / "sdn.csv",
              tmp_path / "b" / "sdn.csv")
    assert ran.code == EXIT_CONFIG and "share the name 'sdn.csv'" in ran.err
    ran = cli("lists", "import", "--data-dir", root, "--list-id", "acme", "--version",
              "2026-01-01", "--format", "no-such-format", tmp_path / "a" / "sdn.csv")
    assert ran.code == EXIT_CONFIG and "unknown list format" in ran.err
    assert not root.exists()


def test_user_lists_default_to_the_platform_user_data_folder(monkeypatch, tmp_path):
    from bulkscreen.lists.catalog import user_data_dir, user_lists_dirs

    monkeypatch.delenv("BULKSCREEN_DATA_DIR", raising=False)
    monkeypatch.delenv("BULKSCREEN_LISTS_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert user_data_dir() == tmp_path / "share" / "bulkscreen"
    assert user_lists_dirs() == [tmp_path / "share" / "bulkscreen" / "lists"]
    assert import_root() == tmp_path / "share" / "bulkscreen" / "lists"
    monkeypatch.setenv("BULKSCREEN_LISTS_DIR", f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}")
    assert import_root() == tmp_path / "a"
    assert not (tmp_path / "share").exists()  # looking a folder up creates nothing
