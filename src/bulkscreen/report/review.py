"""The review queue as a spreadsheet, and the reviewers' decisions read back from it.

:func:`write_review_sheet` writes a run's findings (``hits.parquet``) to an .xlsx file for
people to work through: a frozen header row, filters on every column, sized columns, a
``review_decision`` column with a drop-down (true_match, false_positive, escalate) and a free
``review_note`` column. :func:`read_review_decisions` reads the filled-in file back as an Arrow
table keyed by record and list entry, which ``rescreen`` uses to carry decisions forward.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pyarrow as pa

from bulkscreen.errors import InputError, InputSchemaError, Location, OutputError

SHEET_NAME = "review"
REVIEW_CHOICES = ("true_match", "false_positive", "escalate")
DECISION_COLUMN = "review_decision"
NOTE_COLUMN = "review_note"

SHEET_COLUMNS: tuple[tuple[str, int], ...] = (
    ("record_id", 16), (DECISION_COLUMN, 16), (NOTE_COLUMN, 28), ("decision", 18),
    ("reason_code", 20), ("finding", 11), ("field", 16), ("query_value", 30),
    ("matched_name", 30), ("alias_kind", 11), ("score", 8), ("list_id", 22),
    ("list_version", 12), ("entry_id", 12), ("rule_id", 16), ("value", 14),
    ("threshold", 14), ("explanation", 80), ("features", 40), ("input_row", 9),
    ("as_of_date", 11),
)
"""Sheet columns in order, with their widths in characters."""

DECISIONS_SCHEMA = pa.schema([
    ("record_id", pa.string()), ("list_id", pa.string()), ("list_version", pa.string()),
    ("entry_id", pa.string()), ("query_value", pa.string()), ("field", pa.string()),
    (DECISION_COLUMN, pa.string()), (NOTE_COLUMN, pa.string()),
])
_KEY_COLUMNS = ("record_id", "list_id", "entry_id", DECISION_COLUMN)


def _read_hits(run_dir: Path) -> pl.DataFrame:
    path = Path(run_dir) / "hits.parquet"
    if not path.is_file():
        raise InputError("hits.parquet not found in the run folder", Location(file=str(path)),
                         "point to the output folder of a finished screening run")
    try:
        return pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for a damaged file
        raise InputError(f"cannot read the Parquet file ({exc})", Location(file=str(path)),
                         "re-run the screening that produced it") from None


def write_review_sheet(run_dir: Path, out: Path, findings: Sequence[str] | None = None
                       ) -> tuple[Path, int]:
    """Write a run's findings as a review spreadsheet.

    Parameters
    ----------
    run_dir
        The run's output folder (its ``hits.parquet`` is read).
    out
        The .xlsx file to write.
    findings
        Kinds of finding to include (``party``, ``item``, ...); all when None.

    Returns
    -------
    (pathlib.Path, int)
        The file written and the number of findings in it.
    """
    hits = _read_hits(Path(run_dir))
    if findings:
        hits = hits.filter(pl.col("finding").is_in(list(findings)))
    return write_review_frame(hits, Path(out)), hits.height


def write_review_frame(hits: pl.DataFrame, out: Path) -> Path:
    """Write HITS rows as a review spreadsheet (see :func:`write_review_sheet`).

    Decisions already in ``review_decision`` (carried from an earlier review) are kept.
    """
    import xlsxwriter

    out = Path(out)
    columns = [(name, width) for name, width in SHEET_COLUMNS
               if name in hits.columns or name in (DECISION_COLUMN, NOTE_COLUMN)]
    partial = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        workbook = xlsxwriter.Workbook(str(partial), {"strings_to_numbers": False,
                                                      "strings_to_formulas": False,
                                                      "strings_to_urls": False})
        _fill_sheet(workbook, hits, columns)
        workbook.close()
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OutputError(f"cannot write {out.name} ({exc.strerror or exc})",
                          Location(file=str(out)), "check the folder is writable and the "
                          "file is not open in a spreadsheet program") from None
    return out


def _fill_sheet(workbook, hits: pl.DataFrame, columns: list[tuple[str, int]]) -> None:
    sheet = workbook.add_worksheet(SHEET_NAME)
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                  "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    top = workbook.add_format({"valign": "top"})
    score = workbook.add_format({"num_format": "0.000", "valign": "top"})
    choice = workbook.add_format({"bg_color": "#FFF2CC", "valign": "top", "border": 1})
    wrapped = {"explanation", "features", NOTE_COLUMN, "query_value", "matched_name"}
    for col, (name, width) in enumerate(columns):
        sheet.write_string(0, col, name, header)
        cell_format = wrap if name in wrapped else top
        if name in (DECISION_COLUMN, NOTE_COLUMN):
            cell_format = choice
        sheet.set_column(col, col, width, cell_format)
    n_rows = hits.height
    for col, (name, _) in enumerate(columns):
        values = hits.get_column(name).to_list() if name in hits.columns else [None] * n_rows
        for row, value in enumerate(values, start=1):
            if value is None:
                continue
            if name == "score":
                sheet.write_number(row, col, float(value), score)
            elif name == "input_row":
                sheet.write_number(row, col, int(value), top)
            else:
                sheet.write_string(row, col, str(value))
    decision_col = [name for name, _ in columns].index(DECISION_COLUMN)
    last_row = max(n_rows, 1)
    sheet.data_validation(1, decision_col, last_row, decision_col, {
        "validate": "list", "source": list(REVIEW_CHOICES), "ignore_blank": True,
        "input_title": "Review decision",
        "input_message": "true_match, false_positive or escalate; leave empty if not reviewed",
        "error_title": "Not a review decision",
        "error_message": "Choose true_match, false_positive or escalate.",
    })
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last_row, len(columns) - 1)
    sheet.set_row(0, 30)


def read_review_decisions(path: Path) -> pa.Table:
    """Read the reviewers' decisions back from a review spreadsheet.

    Parameters
    ----------
    path
        An .xlsx file written by :func:`write_review_sheet`, with ``review_decision`` filled
        in where a finding was reviewed.

    Returns
    -------
    pyarrow.Table
        :data:`DECISIONS_SCHEMA`: record_id, list_id, list_version, entry_id, query_value,
        field, review_decision, review_note; one row per reviewed finding (empty decisions
        are not yet reviewed and left out), in sheet order. Decisions are lower-cased and
        trimmed.

    Raises
    ------
    InputError
        The file is missing or unreadable, or a decision is not one of
        :data:`REVIEW_CHOICES` (the error names its spreadsheet row).
    InputSchemaError
        A key column (record_id, list_id, entry_id, review_decision) was removed.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("review spreadsheet not found", Location(file=str(path)),
                         "give the .xlsx written by `bulkscreen report review`")
    try:
        frame = pl.read_excel(path, sheet_name=SHEET_NAME, infer_schema_length=0)
    except Exception as exc:  # fastexcel raises its own types for a damaged or foreign file
        raise InputError(f"cannot read the review spreadsheet ({exc})",
                         Location(file=str(path)),
                         f"give the .xlsx written by `bulkscreen report review`, with its "
                         f"{SHEET_NAME!r} sheet") from None
    missing = [c for c in _KEY_COLUMNS if c not in frame.columns]
    if missing:
        raise InputSchemaError(f"missing column {missing[0]!r}",
                               Location(file=str(path), column=missing[0]),
                               "keep the columns record_id, list_id, entry_id and "
                               "review_decision of the review sheet")
    # Spreadsheet row numbers: the header is row 1.
    frame = frame.with_row_index("_sheet_row", offset=2).with_columns(
        pl.col(DECISION_COLUMN).cast(pl.String).str.strip_chars().str.to_lowercase())
    frame = frame.filter(pl.col(DECISION_COLUMN).is_not_null() & (pl.col(DECISION_COLUMN) != ""))
    bad = frame.filter(~pl.col(DECISION_COLUMN).is_in(list(REVIEW_CHOICES)))
    if bad.height:
        first = bad.row(0, named=True)
        raise InputError(f"review_decision {first[DECISION_COLUMN]!r} is not one of "
                         f"{', '.join(REVIEW_CHOICES)}",
                         Location(file=str(path), row=int(first["_sheet_row"]),
                                  column=DECISION_COLUMN),
                         "pick a value from the drop-down, or clear the cell")
    out = frame.select([
        (pl.col(name).cast(pl.String) if name in frame.columns
         else pl.lit(None, pl.String)).alias(name)
        for name in DECISIONS_SCHEMA.names
    ])
    return out.to_arrow().cast(DECISIONS_SCHEMA)
