"""The bundled list versions: every file matches its source.toml, and the catalog reads them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bulkscreen.errors import ListDataError
from bulkscreen.lists import bundled_catalog
from bulkscreen.lists.catalog import Catalog, read_source

SNAPSHOT_LISTS = {
    "us-ofac-sdn", "us-ofac-consolidated", "us-ofac-sdn-history", "un-consolidated",
    "us-bis-dpl", "us-csl-sample", "jp-meti-eul", "jp-meti-ru-tokutei",
    "jp-meti-third-country-tokutei", "jp-meti-by-tokutei", "uk-ofsi-conlist-sample",
}


def test_every_bundled_file_matches_its_source_record():
    # A data file changed without a new source.toml entry fails here.
    assert bundled_catalog().verify() == []


def test_catalog_holds_every_list_and_version_sorted():
    catalog = bundled_catalog()
    assert set(catalog.list_ids()) == SNAPSHOT_LISTS
    versions = [v.version for v in catalog.versions("us-ofac-sdn")]
    assert versions == ["2019-01-15", "2021-07-07", "2024-05-03", "2025-12-24"]
    for list_id in catalog.list_ids():
        for version in catalog.versions(list_id):
            assert version.publisher and version.licence and version.origin
            assert version.files and len(version.sha256) == 64


def test_version_sha256_is_deterministic_and_file_sensitive():
    version = bundled_catalog().get("jp-meti-eul")
    again = read_source(version.path / "source.toml")
    assert again.sha256 == version.sha256
    changed = dict(version.files, **{"end_user_list.json": "0" * 64})
    assert type(version)(**{**version.__dict__, "files": changed}).sha256 != version.sha256


def test_in_force_picks_latest_version_on_or_before_the_date():
    catalog = bundled_catalog()
    assert catalog.in_force("us-ofac-sdn", dt.date(2020, 6, 1)).version == "2019-01-15"
    assert catalog.in_force("us-ofac-sdn", dt.date(2021, 7, 7)).version == "2021-07-07"
    assert catalog.in_force("us-ofac-sdn", dt.date(2018, 1, 1)) is None
    assert catalog.in_force("us-ofac-sdn", None).version == "2025-12-24"


def test_changed_copy_of_a_file_is_reported(tmp_path: Path):
    source = bundled_catalog().get("jp-meti-by-tokutei").path
    copy = tmp_path / "jp-meti-by-tokutei" / source.name
    shutil.copytree(source, copy)
    data = next(p for p in copy.iterdir() if p.suffix == ".txt")
    data.write_bytes(data.read_bytes() + b"\n")
    (copy / "stray.csv").write_text("x\n")
    problems = Catalog.from_dir(tmp_path).verify()
    assert any("changed" in p for p in problems)
    assert any("stray.csv is not listed" in p for p in problems)


def test_unknown_list_or_version_names_the_known_ones():
    with pytest.raises(ListDataError, match="known versions"):
        bundled_catalog().get("us-ofac-sdn", "1999-01-01")
    with pytest.raises(ListDataError, match="unknown list"):
        bundled_catalog().get("no-such-list")


def test_reference_table_is_bundled_with_its_source_record():
    from bulkscreen._data import datasets_dir
    from bulkscreen.lists.catalog import file_sha256

    folder = datasets_dir() / "reference" / "gleif-elf-codes" / "1.4.1"
    import tomllib

    record = tomllib.loads((folder / "source.toml").read_text(encoding="utf-8"))
    for name, digest in record["files"].items():
        assert file_sha256(folder / name) == digest
