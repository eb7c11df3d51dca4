"""Country names, repeated list ids, unscreenable names and XML with DTDs or entities."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from bulkscreen.columns import PERSONS, SHIPMENTS
from bulkscreen.errors import EXIT_DATA
from bulkscreen.io.quarantine import QuarantineSink
from bulkscreen.io.readers import open_batches
from bulkscreen.lists.catalog import Catalog, bundled_catalog
from bulkscreen.lists.snapshot import build_snapshot

from .conftest import parties_table, quarantine, run_counts, screen_args


def test_country_names_are_read_and_unreadable_ones_are_counted(cli, tmp_path):
    path = tmp_path / "parties.csv"
    path.write_text("company,Land\nAcme,Iraq\nBeta,Islamic Republic of Iran\nGamma,Narnia\n"
                    "Delta,irq\nEpsilon,\nZeta,Narnia\n", encoding="utf-8")
    ran = cli(*screen_args(path, tmp_path / "run", "--country", "company=Land"))
    assert ran.code == 0, ran.err
    assert run_counts(tmp_path / "run")["input_rows"] == 6
    bad = quarantine(tmp_path / "run")
    assert [(b["input_row"], b["column"], b["value"]) for b in bad] == [
        (3, "Land", "Narnia"), (6, "Land", "Narnia")]
    assert "'Narnia' is neither an ISO 3166-1 country code nor a country name" in bad[0][
        "reason"] and "such as 'Iraq'" in bad[0]["reason"]
    # What the matcher receives as evidence: codes.
    stream = open_batches(path, parties_table(["company"], {"company": "Land"}),
                          quarantine=QuarantineSink(tmp_path / "q.parquet").__enter__())
    rows = [r for batch in stream for r in batch.to_pylist()]
    assert [r["Land"] for r in rows] == ["IQ", "IR", "IQ", None]


def test_country_paired_with_a_column_not_screened_is_refused(cli, tmp_path):
    path = tmp_path / "parties.csv"
    path.write_text("company,Land\nAcme,Iraq\n", encoding="utf-8")
    ran = cli(*screen_args(path, tmp_path / "run", "--country", "buyer=Land"))
    assert ran.code == 5 and "'buyer', which is not a --name column" in ran.err


def test_misspelt_country_column_is_refused_not_ignored(cli, tmp_path):
    path = tmp_path / "parties.csv"
    path.write_text("company,Land\nAcme,Iraq\n", encoding="utf-8")
    ran = cli(*screen_args(path, tmp_path / "run", "--country", "company=Lnad"))
    assert ran.code == 3 and str(path) in ran.err and "'Lnad'" in ran.err
    assert "Land" in ran.err and "fix:" in ran.err


def _import(cli, tmp_path: Path, text: str, *maps: str):
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    args = ["lists", "import", "--data-dir", tmp_path / "lists", "--list-id", "acme",
            "--version", "2026-01-01", "--map", "primary_name=Company"]
    for item in maps:
        args += ["--map", item]
    return path, cli(*args, path)


def test_repeated_entry_id_of_different_parties_is_refused_with_rows(cli, tmp_path):
    path, ran = _import(cli, tmp_path, "Ref,Company\nD-1,Acme Trading\nD-2,Beta Ltd\n"
                        "D-1,Gamma Shipping\n", "entry_id=Ref")
    assert ran.code == EXIT_DATA
    assert f"{path}, row 3, column 'Ref'" in ran.err
    assert "entry id 'D-1' is used by rows 1, 3 (file lines 2, 4)" in ran.err
    assert "fix: give each party its own id" in ran.err
    assert not (tmp_path / "lists").exists()


@pytest.mark.parametrize(("name", "reason"), [
    ("!!! ---", "has no letter or digit"), ("🙂🙂", "has no letter or digit"),
    ("\x01\x02", "has no letter or digit"), ("A" * 2000, "2000 characters long"),
])
def test_unscreenable_list_names_are_refused(cli, tmp_path, name, reason):
    path, ran = _import(cli, tmp_path, f"Company\nAcme Trading\n\"{name}\"\n")
    assert ran.code == EXIT_DATA
    assert f"{path}, row 2, column 'Company'" in ran.err and reason in ran.err
    assert "fix:" in ran.err


@pytest.mark.parametrize(("name", "content", "where", "says"), [
    ("ragged.csv", b"Company,Country\nAcme,IR\nBeta,IQ,extra\n", "line 3, row 2",
     "row 2 has 3 fields, the header has 2"),
    ("book.xlsx", b"Company,Country\nAcme,IR\n", "", "not an Excel workbook: the file is "
     "comma- or tab-separated text"),
    ("nested.parquet", None, "column 'Company'",
     "column 'Company' holds List(String), not text"),
])
def test_user_list_files_that_cannot_be_read_name_the_place(cli, tmp_path, name, content,
                                                            where, says):
    path = tmp_path / name
    if content is None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"Company": pa.array([["a"], ["b"]])}), path)
    else:
        path.write_bytes(content)
    ran = cli("lists", "import", "--data-dir", tmp_path / "lists", "--list-id", "acme",
              "--version", "2026-01-01", "--map", "primary_name=Company", path)
    assert ran.code == EXIT_DATA
    assert f"error: {path}{', ' + where if where else ''}: {says}" in ran.err
    assert "fix:" in ran.err and not (tmp_path / "lists").exists()


JUNK = ["!!!", "🙂🙂🙂", "\x07\x08", "Z" * 2000, "-- .. --"]


def test_unscreenable_names_are_quarantined_by_screen_parties(cli, tmp_path):
    path = tmp_path / "parties.csv"
    names = ["Hanshin Dual Use Trading Co Ltd", *JUNK, "Acme\x07 Ltd", None]
    pl.DataFrame({"ref": [str(i) for i in range(len(names))], "company": names}).write_csv(path)
    ran = cli(*screen_args(path, tmp_path / "run"))
    assert ran.code == 0, ran.err
    assert run_counts(tmp_path / "run")["input_rows"] == 8
    bad = quarantine(tmp_path / "run")
    assert [b["input_row"] for b in bad] == [2, 3, 4, 5, 6]
    assert all(b["column"] == "company" for b in bad)
    assert sum("no letter or digit" in b["reason"] for b in bad) == 4
    assert "2000 characters long" in bad[3]["reason"]


def test_unscreenable_names_are_quarantined_alike_in_shipments_and_persons(tmp_path):
    ship = tmp_path / "ship.csv"
    pl.DataFrame({"shipment_id": ["S1", "S2", "S3"], "shipment_date": ["2025-06-30"] * 3,
                  "consignee_name": ["Acme", "!!!", "Acme"],
                  "consignee_country": ["HK"] * 3, "destination_country": ["HK"] * 3,
                  "end_user_name": [None, None, "Z" * 2000]}).write_csv(ship)
    persons = tmp_path / "persons.csv"
    pl.DataFrame({"person_id": ["P1", "P2"], "full_name": ["Taro Yamada", "🙂"],
                  "nationalities": ["JP", "JP"]}).write_csv(persons)
    for path, table, rows in ((ship, SHIPMENTS, [2, 3]), (persons, PERSONS, [2])):
        with QuarantineSink(tmp_path / f"q-{path.stem}.parquet") as sink:
            stream = open_batches(path, table, quarantine=sink)
            good = sum(batch.num_rows for batch in stream)
        bad = pl.read_parquet(tmp_path / f"q-{path.stem}.parquet").to_dicts()
        assert sorted(b["input_row"] for b in bad) == rows
        assert good + len(bad) == stream.rows_read
        assert all("the name" in b["reason"] for b in bad)


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol3;</FIRST_NAME></INDIVIDUAL>
</INDIVIDUALS></CONSOLIDATED_LIST>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&secret;</FIRST_NAME></INDIVIDUAL>
</INDIVIDUALS></CONSOLIDATED_LIST>
"""
DOCTYPE_ONLY = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://example.invalid/list.dtd">
<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>
"""


@pytest.mark.parametrize("xml", [BOMB, EXTERNAL, DOCTYPE_ONLY], ids=["bomb", "external", "dtd"])
def test_xml_with_a_dtd_or_entities_is_refused_for_what_it_is(cli, tmp_path, xml):
    path = tmp_path / "consolidated.xml"
    path.write_text(xml, encoding="utf-8")
    ran = cli("lists", "import", "--data-dir", tmp_path / "lists", "--list-id", "un-copy",
              "--version", "2026-01-01", "--format", "un-xml", path)
    assert ran.code == EXIT_DATA
    assert f"error: {path}:" in ran.err
    assert "DTDs and entities are not accepted" in ran.err and "fix:" in ran.err
    assert not (tmp_path / "lists").exists()


def test_bundled_un_xml_still_parses_with_the_safe_parser():
    version = bundled_catalog().get("un-consolidated")
    assert build_snapshot(version, bundled_catalog()).num_rows > 100
    assert isinstance(Catalog.from_dir(version.path.parent.parent), Catalog)
