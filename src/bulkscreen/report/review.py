"""The review queue as a spreadsheet, and the reviewers' decisions read back from it.

:func:`review_queue` groups a run's findings (``hits.parquet``) into the rows a person decides
on: one row per (input name, list entry) for name matches, with every record behind it, and
one per (record, rule) for the other findings; CLEAR findings are left out, and the rows are
sorted by decision, then score. Each name-match row carries the listed party's details from
the list version it matched (countries, programmes, birth dates, addresses, listed-from date,
publisher). :func:`write_review_sheet` writes the queue to an .xlsx file: a frozen header row,
filters on every column, sized columns, a ``review_decision`` drop-down (true_match,
false_positive, escalate), and ``reviewer``, ``reviewed_at`` and ``review_note`` columns.
:func:`read_review_decisions` reads the filled-in file back as one decision per record and list
entry, which ``rescreen`` uses to carry decisions forward.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl
import pyarrow as pa

from bulkscreen.errors import InputError, InputSchemaError, Location, OutputError
from bulkscreen.report.context import CONTEXT_COLUMNS, input_context

SHEET_NAME = "review"
REVIEW_CHOICES = ("true_match", "false_positive", "escalate")
DECISION_COLUMN = "review_decision"
NOTE_COLUMN = "review_note"
REVIEWER_COLUMN = "reviewer"
REVIEWED_AT_COLUMN = "reviewed_at"
RECORD_SEPARATOR = "\n"
"""Joins the records behind one queue row in its ``record_id`` cell (one per line)."""
LARGE_QUEUE_ROWS = 5_000
"""A queue longer than this is more than a person can read; the run says what fills it."""

CONTEXT_SHEET_COLUMNS = tuple((f"input_{name}", 14) for name in dict.fromkeys(
    c for columns in CONTEXT_COLUMNS.values() for c in columns))
"""The shipment or person of each queue row's leading finding (its ``input_row``)."""

SHEET_COLUMNS: tuple[tuple[str, int], ...] = (
    ("record_id", 16), ("n_records", 9), (DECISION_COLUMN, 16), (REVIEWER_COLUMN, 14),
    (REVIEWED_AT_COLUMN, 12), (NOTE_COLUMN, 28), ("decision", 18), ("reason_code", 20),
    ("finding", 11), *CONTEXT_SHEET_COLUMNS, ("field", 16), ("query_value", 30),
    ("matched_name", 30),
    ("alias_kind", 11), ("score", 8), ("match_basis", 11), ("list_id", 22),
    ("list_version", 12), ("entry_id", 12), ("listed_countries", 12), ("listed_programs", 22),
    ("listed_birth_dates", 14), ("listed_addresses", 30), ("listed_from", 11),
    ("list_publisher", 22), ("rule_id", 16), ("value", 14), ("threshold", 14),
    ("explanation", 80), ("features", 40), ("input_row", 9), ("as_of_date", 11),
)
"""Sheet columns in order, with their widths in characters."""

_GROUP_PARTY = ("finding", "query_value", "list_id", "list_version", "entry_id")
_GROUP_OTHER = ("finding", "rule_id", "reason_code", "decision", "value", "threshold",
                "explanation")

DECISIONS_SCHEMA = pa.schema([
    ("record_id", pa.string()), ("list_id", pa.string()), ("list_version", pa.string()),
    ("entry_id", pa.string()), ("query_value", pa.string()), ("field", pa.string()),
    (DECISION_COLUMN, pa.string()), (REVIEWER_COLUMN, pa.string()),
    (REVIEWED_AT_COLUMN, pa.string()), (NOTE_COLUMN, pa.string()),
])
_KEY_COLUMNS = ("record_id", "list_id", "entry_id", DECISION_COLUMN)
SETTLED_REVIEWS = ("true_match", "false_positive")
"""Review decisions that close a queue row; ``escalate`` leaves it open."""
REVIEWED_HITS_FILE = "hits.reviewed.parquet"
"""The hits with reviews carried forward, as ``rescreen`` writes them beside a run's hits."""


def run_hits(run_dir: Path, warn: Callable[[str], None] | None = None
             ) -> tuple[pl.DataFrame, bool]:
    """The findings of a run, with the reviews ``rescreen`` carried forward where it did.

    ``rescreen`` writes ``hits.reviewed.parquet`` beside the run's ``hits.parquet``: the same
    findings with ``review_decision`` filled in from the earlier review. It is read when it is
    at least as new as ``hits.parquet``; an older one is left over from before the run was
    screened again (``--overwrite``), and is ignored with a warning.

    Parameters
    ----------
    run_dir
        The run's output folder.
    warn
        Called with the reason a left-over ``hits.reviewed.parquet`` is not read.

    Returns
    -------
    (polars.DataFrame, bool)
        The HITS rows, and whether they carry reviews from ``hits.reviewed.parquet``.
    """
    run_dir = Path(run_dir)
    hits_path, reviewed = run_dir / "hits.parquet", run_dir / REVIEWED_HITS_FILE
    if reviewed.is_file() and hits_path.is_file():
        if reviewed.stat().st_mtime_ns >= hits_path.stat().st_mtime_ns:
            return _read_hits(run_dir, REVIEWED_HITS_FILE), True
        if warn is not None:
            warn(f"{reviewed} is older than hits.parquet (the run was screened again since "
                 "rescreen wrote it), so its carried reviews are not shown; run rescreen "
                 "again to carry them forward")
    return _read_hits(run_dir), False


def _read_hits(run_dir: Path, name: str = "hits.parquet") -> pl.DataFrame:
    path = Path(run_dir) / name
    if not path.is_file():
        raise InputError("hits.parquet not found in the run folder", Location(file=str(path)),
                         "point to the output folder of a finished screening run")
    try:
        return pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for a damaged file
        raise InputError(f"cannot read the Parquet file ({exc})", Location(file=str(path)),
                         "re-run the screening that produced it") from None


def review_queue(hits: pl.DataFrame, listed: pl.DataFrame | None = None) -> pl.DataFrame:
    """Group findings into the rows a reviewer decides on, most severe first.

    Parameters
    ----------
    hits
        HITS rows of a run.
    listed
        Details of the listed parties (:func:`listed_details`), joined on (list_id,
        list_version, entry_id); None leaves those columns out.

    Returns
    -------
    polars.DataFrame
        One row per (input name, list entry) for name matches, and one per finding for the
        others, the records with the same finding (rule, reason, value, threshold and
        explanation) sharing one row; CLEAR findings left out. ``record_id``
        holds every record behind the row, one per line, and ``n_records`` their number;
        ``field`` every column the name was in; ``decision`` the most severe decision and
        ``score`` the best score of the group, whose other columns come from that finding.
        ``review_decision`` holds a decision carried forward by ``rescreen``, if any. Open
        rows come first, then those a carried ``true_match`` or ``false_positive`` settled;
        each part sorted by decision (most severe first), then score (best first), then
        number of records.
    """
    from bulkscreen.columns import DECISION_SEVERITY

    hits = hits.filter(pl.col("decision") != "CLEAR").with_columns(
        pl.col("decision").replace_strict(DECISION_SEVERITY, default=0,
                                          return_dtype=pl.Int8).alias("_severity"),
        pl.col("score").fill_null(-1.0).alias("_score"),
        pl.int_range(pl.len()).alias("_order"))
    party = hits.filter(pl.col("list_id").is_not_null())
    other = hits.filter(pl.col("list_id").is_null())
    parts = [_group(frame, list(keys)) for frame, keys in ((party, _GROUP_PARTY),
                                                          (other, _GROUP_OTHER))
             if frame.height]
    if not parts:
        return hits.drop("_severity", "_score", "_order").with_columns(
            pl.lit(0, pl.UInt32).alias("n_records")).clear()
    # Rows a carried review already settled go last: the open rows are the work to do.
    queue = pl.concat(parts, how="diagonal_relaxed").with_columns(
        _settled=pl.col(DECISION_COLUMN).is_in(list(SETTLED_REVIEWS)).fill_null(False)
        if DECISION_COLUMN in hits.columns else pl.lit(False)).sort(
        ["_settled", "_severity", "_score", "n_records", "record_id"],
        descending=[False, True, True, True, False]).drop(
        "_settled", "_severity", "_score", "_order")
    if listed is not None and queue.height:
        queue = queue.join(listed, on=["list_id", "list_version", "entry_id"], how="left",
                           maintain_order="left")
    return queue


def _group(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """One row per ``keys``: the most severe, best-scored finding, with all its records."""
    ranked = frame.sort(["_severity", "_score", "_order"], descending=[True, True, False])
    records = ranked.group_by(keys, maintain_order=True).agg(
        pl.col("record_id").unique(maintain_order=True).sort().str.join(RECORD_SEPARATOR)
        .alias("_records"),
        pl.col("record_id").n_unique().alias("n_records"),
        pl.col("field").drop_nulls().unique(maintain_order=True).str.join(", ").alias("_fields"),
        pl.col(DECISION_COLUMN).drop_nulls().first().alias("_carried"))
    first = ranked.unique(keys, keep="first", maintain_order=True)
    joined = first.join(records, on=keys, how="left", nulls_equal=True, maintain_order="left")
    return joined.with_columns(
        pl.col("_records").alias("record_id"),
        pl.when(pl.col("_fields") != "").then(pl.col("_fields")).otherwise(pl.col("field"))
        .alias("field"),
        pl.coalesce(DECISION_COLUMN, "_carried").alias(DECISION_COLUMN),
    ).drop("_records", "_fields", "_carried")


def listed_details(hits: pl.DataFrame) -> pl.DataFrame:
    """Details of every listed party the findings name, from the list version matched.

    Returns
    -------
    polars.DataFrame
        list_id, list_version, entry_id, listed_countries, listed_programs,
        listed_birth_dates, listed_addresses, listed_from, list_publisher; a list version that
        is no longer installed is left out (its rows show no details).
    """
    from bulkscreen.errors import BulkscreenError
    from bulkscreen.lists import bundled_catalog
    from bulkscreen.lists.snapshot import load_snapshot

    keys = hits.filter(pl.col("list_id").is_not_null()).select(
        "list_id", "list_version").unique().sort(["list_id", "list_version"])
    catalog = bundled_catalog()
    parts = []
    for list_id, version in keys.iter_rows():
        try:
            snapshot = pl.from_arrow(load_snapshot(list_id, version))
            publisher = catalog.get(list_id, version).publisher
        except BulkscreenError:
            continue
        parts.append(snapshot.select(
            "list_id", "list_version", "entry_id",
            pl.col("countries").list.join(", ").alias("listed_countries"),
            pl.col("programs").list.join(", ").alias("listed_programs"),
            pl.col("birth_dates").list.join(", ").alias("listed_birth_dates"),
            pl.col("addresses").list.join(" / ").alias("listed_addresses"),
            pl.col("listed_from").cast(pl.String).alias("listed_from"),
            pl.lit(publisher, pl.String).alias("list_publisher"),
        ).unique(["list_id", "list_version", "entry_id"], keep="first", maintain_order=True))
    if not parts:
        return pl.DataFrame(schema={name: pl.String for name in (
            "list_id", "list_version", "entry_id", "listed_countries", "listed_programs",
            "listed_birth_dates", "listed_addresses", "listed_from", "list_publisher")})
    return pl.concat(parts)


def queue_warning(queue: pl.DataFrame) -> str | None:
    """A warning when the queue is longer than a person can read, naming what fills it."""
    if queue.height <= LARGE_QUEUE_ROWS:
        return None
    top = queue.group_by("reason_code").len().sort("len", descending=True).head(3)
    reasons = ", ".join(f"{code} {n:,}" for code, n in top.iter_rows())
    return (f"the review queue has {queue.height:,} rows, more than a person can work through "
            f"(over {LARGE_QUEUE_ROWS:,}); most are {reasons}. Filter it with --findings, or "
            "give the lines the parameters or entries their findings ask for")


def write_review_sheet(run_dir: Path, out: Path, findings: Sequence[str] | None = None,
                       warn: Callable[[str], None] | None = None,
                       note: Callable[[str], None] | None = None) -> tuple[Path, int]:
    """Write a run's review queue (:func:`review_queue`) as a spreadsheet.

    Parameters
    ----------
    run_dir
        The run's output folder: its ``hits.parquet``, or the ``hits.reviewed.parquet`` that
        ``rescreen`` wrote there, with the reviews it carried forward (:func:`run_hits`).
    out
        The .xlsx file to write.
    findings
        Kinds of finding to include (``party``, ``item``, ...); all when None.
    warn
        Called with :func:`queue_warning`'s text when the queue is too long to read, and when
        the run's input cannot be read back for the context columns
        (:func:`bulkscreen.report.context.input_context`).
    note
        Called with how many rows carried reviews settled and how many are open, when the
        run was rescreened.

    Returns
    -------
    (pathlib.Path, int)
        The file written and the number of queue rows in it.
    """
    hits, carried = run_hits(Path(run_dir), warn)
    if findings:
        hits = hits.filter(pl.col("finding").is_in(list(findings)))
    queue = review_queue(hits, listed_details(hits))
    context, why_not = input_context(Path(run_dir), queue["input_row"].drop_nulls().to_list())
    if context is not None:
        queue = queue.join(context, on="input_row", how="left", maintain_order="left")
    elif warn is not None and queue.height:
        warn(f"the queue shows no shipment or person context: {why_not}")
    written = write_review_frame(queue, Path(out), _run_lists(Path(run_dir)))
    warning = queue_warning(queue)
    if warning and warn is not None:
        warn(warning)
    if carried and note is not None:
        note(carried_note(queue))
    return written, queue.height


def carried_note(queue: pl.DataFrame) -> str:
    """How many queue rows reviews carried forward by ``rescreen`` settled, and how many are
    open."""
    settled = queue.filter(pl.col(DECISION_COLUMN).is_in(list(SETTLED_REVIEWS)))
    counts = settled.group_by(DECISION_COLUMN).len().sort(DECISION_COLUMN)
    if not settled.height:
        return f"{queue.height:,} rows are open; none carries a review from rescreen"
    kinds = ", ".join(f"{n:,} {d}" for d, n in counts.iter_rows())
    return (f"{queue.height - settled.height:,} rows are open; {settled.height:,} carry a "
            f"review from rescreen ({kinds}) and are listed last, decision filled in")


def _run_lists(run_dir: Path) -> list[dict]:
    """The list versions a finished run used, from its run.json (none if it has none)."""
    import json

    path = run_dir / "run.json"
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8")).get("data", {}).get("lists", [])


def write_review_frame(hits: pl.DataFrame, out: Path, lists: Sequence[dict] = ()) -> Path:
    """Write queue rows as a review spreadsheet (see :func:`write_review_sheet`).

    Decisions already in ``review_decision`` (carried from an earlier review) are kept.
    ``lists`` (the run's list versions, as run.json records them) go to a second sheet,
    ``lists``, with each version's date, age on the screening date and whether it is a sample.
    """
    import xlsxwriter

    out = Path(out)
    editable = (DECISION_COLUMN, REVIEWER_COLUMN, REVIEWED_AT_COLUMN, NOTE_COLUMN)
    columns = [(name, width) for name, width in SHEET_COLUMNS
               if name in hits.columns or name in editable]
    partial = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        workbook = xlsxwriter.Workbook(str(partial), {"strings_to_numbers": False,
                                                      "strings_to_formulas": False,
                                                      "strings_to_urls": False})
        _fill_sheet(workbook, hits, columns)
        _fill_lists_sheet(workbook, lists)
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
    wrapped = {"explanation", "features", NOTE_COLUMN, "query_value", "matched_name",
               "record_id", "listed_addresses", "listed_programs"}
    for col, (name, width) in enumerate(columns):
        sheet.write_string(0, col, name, header)
        cell_format = wrap if name in wrapped else top
        if name in (DECISION_COLUMN, REVIEWER_COLUMN, REVIEWED_AT_COLUMN, NOTE_COLUMN):
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
            elif name in ("input_row", "n_records"):
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


LISTS_SHEET_COLUMNS = (("list_id", 30), ("version", 12), ("effective_date", 14),
                       ("age_days", 10), ("entries", 10), ("sample", 8), ("sha256", 66))


def _fill_lists_sheet(workbook, lists: Sequence[dict]) -> None:
    sheet = workbook.add_worksheet("lists")
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for col, (name, width) in enumerate(LISTS_SHEET_COLUMNS):
        sheet.write_string(0, col, name, header)
        sheet.set_column(col, col, width)
    for row, version in enumerate(lists, start=1):
        for col, (name, _) in enumerate(LISTS_SHEET_COLUMNS):
            value = version.get(name)
            if isinstance(value, bool):
                sheet.write_string(row, col, "yes" if value else "no")
            elif isinstance(value, int):
                sheet.write_number(row, col, value)
            elif value is not None:
                sheet.write_string(row, col, str(value))
    sheet.freeze_panes(1, 0)


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
        field, review_decision, reviewer, reviewed_at, review_note; one row per record of
        each reviewed queue row (empty decisions are not yet reviewed and left out), in sheet
        order. Decisions are lower-cased and trimmed.

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
    # A queue row stands for every record listed in its record_id cell.
    out = out.with_columns(pl.col("record_id").str.split(RECORD_SEPARATOR)).explode(
        "record_id").with_columns(pl.col("record_id").str.strip_chars()).filter(
        pl.col("record_id").is_not_null() & (pl.col("record_id") != ""))
    return out.to_arrow().cast(DECISIONS_SCHEMA)
