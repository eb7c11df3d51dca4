"""Names that look like formulas or markup reach review.xlsx as text and report.html escaped."""

from __future__ import annotations

import re

import openpyxl
import polars as pl

from .conftest import LIST_ROWS, run_counts, screen_args

FORMULA_NAMES = [name for _, name, _ in LIST_ROWS if name[0] in "=+-@"]
SCRIPT_NAME = next(name for _, name, _ in LIST_ROWS if "<script>" in name)


def _run(cli, tmp_path):
    path = tmp_path / "parties.csv"
    names = [*FORMULA_NAMES, SCRIPT_NAME, "=1+1", "@SUM(A1:A9)"]
    pl.DataFrame({"ref": [f"=R{i}" for i in range(len(names))], "company": names}
                 ).write_csv(path)
    out = tmp_path / "run"
    ran = cli(*screen_args(path, out, "--id", "ref"))
    assert ran.code == 0, ran.err
    assert run_counts(out)["input_rows"] == len(names)
    return out, names


def test_formula_looking_cells_round_trip_through_review_xlsx_as_text(cli, tmp_path):
    out, _ = _run(cli, tmp_path)
    ran = cli("report", "review", out)
    assert ran.code == 0, ran.err
    sheet = openpyxl.load_workbook(out / "review.xlsx").worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert cells and all(c.data_type in ("s", "n", "b") for c in cells)  # never 'f'
    values = {c.value for c in cells}
    assert set(FORMULA_NAMES) <= values  # list names and queries, character for character
    assert any(str(v).startswith("=R") for v in values)  # record ids too
    assert len(header) == len(set(header))


def test_markup_in_names_is_escaped_in_report_html(cli, tmp_path):
    out, _ = _run(cli, tmp_path)
    ran = cli("report", out)
    assert ran.code == 0, ran.err
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    # Names reach the page only as the findings table's JSON, with < > & escaped there.
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page
    # The page may carry its own scripts, but none that a name opened.
    assert not re.search(r"<script>alert", page, re.IGNORECASE)
