"""Careless shipment and person files: a bad date, a missing column, a BOM, semicolons, an
empty file. Each either screens every row (bad rows quarantined with file, row, column and
reason) or exits 3 with a message naming the file, line, column and fix; none aborts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from bulkscreen.errors import EXIT_INPUT, InputError
from bulkscreen.io.sources import CsvSource

from .conftest import LIST_ID, quarantine, run_counts

SHIPMENTS = [
    ["shipment_id", "shipment_date", "consignee_name", "consignee_country",
     "destination_country", "value_jpy"],
    ["S1", "2026-04-01", "Hanshin Dual Use Trading Co Ltd", "HK", "HK", "1200000"],
    ["S2", "01/04/2026", "Kobe Trading KK", "JP", "JP", "5000"],
    ["S3", "2026-04-03", "Beta Ltd", "IQ", "IQ", "70000"],
]
PERSONS = [
    ["person_id", "full_name", "nationalities", "date_of_birth"],
    ["P1", "Maria Garcia", "PH", "1952-07-09"],
    ["P2", "Ngoc Pham", "VN", "24.10.1993"],
    ["P3", "John Smith", "US", "1980-01-01"],
]
TABLES = {"shipments": SHIPMENTS, "persons": PERSONS}
BAD_DATE = {"shipments": (2, "shipment_date", "01/04/2026"),
            "persons": (2, "date_of_birth", "24.10.1993")}


def _write(tmp_path: Path, rows: list[list[str]], sep: str = ",", bom: bool = False) -> Path:
    path = tmp_path / "in.csv"
    text = "\n".join(sep.join(row) for row in rows) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _screen(cli, kind: str, path: Path, out: Path):
    return cli("screen", kind, path, "--lists", LIST_ID, "--as-of", "2026-12-01", "--out", out,
               "--quiet")


@pytest.mark.parametrize("kind", ["shipments", "persons"])
@pytest.mark.parametrize(("sep", "bom"), [(",", False), (",", True), (";", False), (";", True),
                                          ("\t", False)])
def test_every_row_is_screened_or_quarantined_with_its_reason(cli, tmp_path, kind, sep, bom):
    # Excel writes semicolons where the decimal mark is a comma; the header tells them apart.
    path = _write(tmp_path, TABLES[kind], sep, bom)
    ran = _screen(cli, kind, path, tmp_path / "run")
    assert ran.code == 0, ran.err
    counts = run_counts(tmp_path / "run")
    assert counts["input_rows"] == 3 and counts["result_rows"] == 2
    row, column, value = BAD_DATE[kind]
    [bad] = quarantine(tmp_path / "run")
    assert (bad["input_row"], bad["column"], bad["value"]) == (row, column, value)
    assert bad["source_file"] == str(path) and "YYYY-MM-DD" in bad["reason"]


@pytest.mark.parametrize("kind", ["shipments", "persons"])
def test_a_missing_required_column_names_file_column_and_fix(cli, tmp_path, kind):
    rows = [row[:1] + row[2:] for row in TABLES[kind]]  # drop the second column
    path = _write(tmp_path, rows, ";")
    ran = _screen(cli, kind, path, tmp_path / "run")
    missing = TABLES[kind][0][1]
    assert ran.code == EXIT_INPUT
    assert f"{path}, line 1, column {missing!r}: required column {missing!r} is missing" \
        in ran.err
    assert f"--map {missing}=" in ran.err
    assert not (tmp_path / "run" / "run.json").exists()


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf", "the file has no header line"),
    (b"\n  \n\n", "the first line holds no column names"),
    (b"shipment_id|shipment_date|consignee_name\nS1|2026-04-01|Acme\n",
     "the header reads as one column, 'shipment_id|shipment_date|consignee_name'"),
])
def test_a_file_without_a_usable_header_exits_with_the_fix(cli, tmp_path, data, message):
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    ran = _screen(cli, "shipments", path, tmp_path / "run")
    assert ran.code == EXIT_INPUT
    assert f"error: {path}" in ran.err and message in ran.err and "fix: " in ran.err


def test_a_header_only_file_is_a_run_of_no_rows(cli, tmp_path):
    path = _write(tmp_path, SHIPMENTS[:1])
    assert _screen(cli, "shipments", path, tmp_path / "run").code == 0
    assert run_counts(tmp_path / "run")["input_rows"] == 0


def test_the_header_is_read_without_a_pyarrow_reader(tmp_path, monkeypatch):
    # A pyarrow reader opened for the header alone reads ahead on its I/O thread, holding
    # Python callbacks; an error about the header then ends the process under it, which
    # aborted (exit 134, "terminate called without an active exception") one run in five.
    def refuse(*args, **kwargs):
        raise AssertionError("the header must not open a pyarrow CSV reader")

    monkeypatch.setattr(pacsv, "open_csv", refuse)
    path = _write(tmp_path, SHIPMENTS, ";", bom=True)
    source = CsvSource(path, None, 1000)
    assert source.columns == SHIPMENTS[0] and source.delimiter == ";"
    (tmp_path / "quoted.csv").write_text('"a,""b""\nc",d\n1,2\n', encoding="cp932")
    assert CsvSource(tmp_path / "quoted.csv", "cp932", 10).columns == ['a,"b"\nc', "d"]
    (tmp_path / "blank.csv").write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="no header line"):
        CsvSource(tmp_path / "blank.csv", None, 10)


def test_a_missing_column_exits_3_as_a_process(hostile_env, tmp_path):
    path = _write(tmp_path, [row[1:] for row in SHIPMENTS])
    ran = subprocess.run([sys.executable, "-m", "bulkscreen", "screen", "shipments", path,
                          "--lists", LIST_ID, "--out", tmp_path / "run", "--quiet"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert ran.returncode == EXIT_INPUT, ran.stderr
    assert "terminate called" not in ran.stderr


def test_countries_joined_with_another_separator_are_quarantined_with_the_separator(
        cli, tmp_path):
    rows = [PERSONS[0], ["P1", "Maria Garcia", "PH; US", "1952-07-09"], PERSONS[3]]
    path = _write(tmp_path, rows)
    assert _screen(cli, "persons", path, tmp_path / "run").code == 0
    [bad] = quarantine(tmp_path / "run")
    assert (bad["input_row"], bad["column"], bad["value"]) == (1, "nationalities", "PH; US")
    assert bad["reason"].endswith("separate several values with '|'")
    assert run_counts(tmp_path / "run")["result_rows"] == 1
