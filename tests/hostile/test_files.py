"""Careless files: NUL bytes, BOMs, CRLF, huge fields, ragged rows, misnamed and damaged files.

Each run is checked for its exit code, for a message (or quarantine row) that names the file,
row, column and fix, and for input rows = results + quarantine.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bulkscreen.errors import EXIT_INPUT

from .conftest import quarantine, run_counts, screen_args

LISTED = "Hanshin Dual Use Trading Co Ltd"


def _hits(out: Path) -> list[dict]:
    return pl.read_parquet(out / "hits.parquet").sort("input_row").to_dicts()


def _screen(cli, path: Path, out: Path):
    return cli(*screen_args(path, out, "--country", "company=Country"))


def test_nul_bytes_inside_values_are_read_as_separators(cli, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"company,Country\nHanshin Dual\x00Use Trading Co Ltd,HK\nBeta Ltd,IQ\n")
    ran = _screen(cli, path, tmp_path / "run")
    assert ran.code == 0, ran.err
    assert run_counts(tmp_path / "run")["input_rows"] == 2
    assert [h["input_row"] for h in _hits(tmp_path / "run")] == [1]


@pytest.mark.parametrize(("name", "data"), [
    ("bom.csv", f"\ufeffcompany,Country\n{LISTED},HK\nBeta Ltd,IQ\n".encode()),
    ("crlf.csv", f"company,Country\r\n{LISTED},HK\r\nBeta Ltd,IQ\r\n".encode()),
    ("crlf-cp932.csv", f"company,Country\r\n{LISTED},HK\r\n株式会社ベータ,JP\r\n"
     .encode("cp932")),
])
def test_bom_and_crlf_do_not_leak_into_header_or_values(cli, tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    ran = _screen(cli, path, tmp_path / "run")
    assert ran.code == 0, ran.err
    # A BOM in the header would miss 'company'; a CR in the values would fail 'HK'.
    assert run_counts(tmp_path / "run")["input_rows"] == 2
    assert quarantine(tmp_path / "run") == []
    hits = _hits(tmp_path / "run")
    assert [h["input_row"] for h in hits] == [1] and hits[0]["entry_id"] == "H-1"


def test_a_ten_megabyte_field_is_quarantined_with_its_reason(cli, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(f"company,Country\nBeta Ltd,IQ\n{'A' * 10_000_000},IR\n{LISTED},HK\n",
                    encoding="utf-8")
    ran = _screen(cli, path, tmp_path / "run")
    assert ran.code == 0, ran.err
    assert run_counts(tmp_path / "run")["input_rows"] == 3
    [bad] = quarantine(tmp_path / "run")
    assert (bad["source_file"], bad["input_row"], bad["column"]) == (str(path), 2, "company")
    assert "10000000 characters long" in bad["reason"]
    assert "put only the name in this column" in bad["reason"]


def test_a_row_with_extra_fields_is_quarantined_whole(cli, tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text(f"company,Country\n{LISTED},HK\nAcme, Inc,US\nBeta Ltd,IQ\n",
                    encoding="utf-8")
    ran = _screen(cli, path, tmp_path / "run")
    assert ran.code == 0, ran.err
    assert run_counts(tmp_path / "run")["input_rows"] == 3
    [bad] = quarantine(tmp_path / "run")
    assert (bad["source_file"], bad["input_row"]) == (str(path), 2)
    assert "line 3 has 3 fields, the header has 2" in bad["reason"]
    assert "quote values that contain ','" in bad["reason"]
    assert "Acme, Inc,US" in bad["raw_row"]


@pytest.mark.parametrize(("content", "looks", "fix"), [
    (b"company,Country\nAcme,IR\n", "comma- or tab-separated text", "--format csv"),
    (b"<html><table><tr><td>company</td></tr></table></html>", "an HTML page",
     "save it as .xlsx"),
    (b"\x00\x01\x02garbage", "neither a .xlsx nor a .xls", "save it as .xlsx"),
    (b"PK\x03\x04truncated zip", "cannot read as an Excel workbook", "save it again"),
])
def test_excel_files_that_are_not_excel(cli, tmp_path, content, looks, fix):
    path = tmp_path / "book.xlsx"
    path.write_bytes(content)
    ran = _screen(cli, path, tmp_path / "run")
    assert ran.code == EXIT_INPUT
    assert str(path) in ran.err and looks in ran.err and "fix:" in ran.err and fix in ran.err
    assert not (tmp_path / "run" / "results.parquet").exists()


def test_parquet_with_a_nested_name_column_is_refused(cli, tmp_path):
    path = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"company": pa.array([["a"], ["b"]]), "Country": ["IR", "IQ"]}),
                   path)
    ran = _screen(cli, path, tmp_path / "run")
    assert ran.code == EXIT_INPUT
    assert str(path) in ran.err and "column 'company'" in ran.err and "fix:" in ran.err


def test_parquet_with_wrong_scalar_types_is_read_row_by_row(cli, tmp_path):
    # Numbers in the name column are text once read; a country stored as a number is not a
    # country, and only that row is quarantined.
    path = tmp_path / "types.parquet"
    pq.write_table(pa.table({"company": pa.array([7, 8, 9], pa.int64()),
                             "Country": pa.array([None, 826.0, None], pa.float64())}), path)
    ran = _screen(cli, path, tmp_path / "run")
    assert ran.code == 0, ran.err
    assert run_counts(tmp_path / "run")["input_rows"] == 3
    [bad] = quarantine(tmp_path / "run")
    assert (bad["input_row"], bad["column"]) == (2, "Country")
    assert "neither an ISO 3166-1 country code nor a country name" in bad["reason"]


def test_parquet_folder_with_one_bad_part_names_that_part(cli, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    pq.write_table(pa.table({"company": [LISTED], "Country": ["HK"]}), folder / "part-0.parquet")
    (folder / "part-1.parquet").write_bytes(b"PAR1 not really parquet")
    ran = _screen(cli, folder, tmp_path / "run")
    assert ran.code == EXIT_INPUT
    assert f"{folder / 'part-1.parquet'}:" in ran.err and "not a readable Parquet" in ran.err
    assert "move it out of the folder" in ran.err
    assert not (tmp_path / "run" / "results.parquet").exists()


def test_parquet_folder_whose_parts_disagree_names_the_part(cli, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    pq.write_table(pa.table({"company": [LISTED], "Country": ["HK"]}), folder / "part-0.parquet")
    pq.write_table(pa.table({"company": [LISTED], "Country": [1]}), folder / "part-1.parquet")
    ran = _screen(cli, folder, tmp_path / "run")
    assert ran.code == EXIT_INPUT
    assert f"{folder / 'part-1.parquet'}:" in ran.err and "Country: int64" in ran.err
    assert "fix: write every part with the same columns and types" in ran.err


def test_jsonl_with_bom_crlf_and_escaped_nul_is_read_row_by_row(cli, tmp_path):
    path = tmp_path / "parties.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"company": "' + LISTED.encode() + b'", "Country": "HK"}\r\n'
                     b'{"company": "Beta\\u0000Ltd", "Country": "IQ"}\r\n'
                     b'not json at all\r\n'
                     b'{"company": "Gamma", "Country": "Iraq"}\r\n')
    ran = _screen(cli, path, tmp_path / "run")
    assert ran.code == 0, ran.err
    assert run_counts(tmp_path / "run")["input_rows"] == 4
    [bad] = quarantine(tmp_path / "run")
    assert (bad["source_file"], bad["input_row"]) == (str(path), 3)
    assert "line 3 is not a JSON object" in bad["reason"]
    assert [h["input_row"] for h in _hits(tmp_path / "run")] == [1]


def test_parquet_text_stored_as_bytes_is_read_and_bad_bytes_are_quarantined(cli, tmp_path):
    path = tmp_path / "bytes.parquet"
    pq.write_table(pa.table({"company": pa.array([LISTED.encode(), b"\xff\xfe bad"],
                                                 pa.binary()),
                             "Country": ["HK", "IQ"]}), path)
    ran = _screen(cli, path, tmp_path / "run")
    assert ran.code == 0, ran.err
    assert run_counts(tmp_path / "run")["input_rows"] == 2
    [bad] = quarantine(tmp_path / "run")
    assert (bad["source_file"], bad["input_row"], bad["column"]) == (str(path), 2, "company")
    assert "not UTF-8 text; store the column as text" in bad["reason"]
    assert "\\\\xff" in bad["raw_row"]
    assert [h["input_row"] for h in _hits(tmp_path / "run")] == [1]


def test_jsonl_nested_too_deeply_is_quarantined_not_a_crash(cli, tmp_path):
    path = tmp_path / "deep.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text(f'{{"company": "{LISTED}", "Country": "HK"}}\n'
                    f'{{"company": {deep}, "Country": "IQ"}}\n'
                    '{"company": "Beta", "Country": "IQ"}\n', encoding="utf-8")
    ran = _screen(cli, path, tmp_path / "run")
    assert ran.code == 0, ran.err
    assert run_counts(tmp_path / "run")["input_rows"] == 3
    [bad] = quarantine(tmp_path / "run")
    assert (bad["source_file"], bad["input_row"]) == (str(path), 2)
    assert "line 2 nests arrays or objects too deeply" in bad["reason"]


def test_a_folder_given_as_csv_is_refused(cli, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.csv").write_text("company\nAcme\n", encoding="utf-8")
    ran = cli(*screen_args(folder, tmp_path / "run", "--format", "csv"))
    assert ran.code == EXIT_INPUT and str(folder) in ran.err
    assert "is a folder" in ran.err and "fix: name the file itself" in ran.err
