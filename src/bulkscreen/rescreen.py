"""Re-screening: carry reviewers' decisions forward to a new run and report what changed.

:func:`rescreen_persons` (the annual re-screening of everyone) and
:func:`rescreen_shipments` (shipments screened again, e.g. after a list update) read two
finished runs (``results.parquet`` and ``hits.parquet`` in each folder) and the reviewers'
decisions, and write beside the current run:

- ``hits.reviewed.parquet``: the current hits with ``review_decision`` carried forward. A name
  match marked ``false_positive`` stays cleared while the list entry it matched is unchanged
  (same list version, or the entry identical in both versions); a match marked ``true_match``
  keeps its mark. A review of an entry that changed is dropped, so the match is reviewed again.
- ``results.reviewed.parquet``: the current results with each record's decision recomputed
  without the cleared matches (the most severe remaining finding wins); for shipments, a
  match confirmed as ``true_match`` counts with the decision its "if confirmed" clause names.
- ``changes.parquet``: one row per change since the previous run (new and resolved name
  matches, residency, category and technology-access changes, decision changes, carried and
  dropped reviews), and ``rescreen.json`` with the summary counts: ``decisions`` after the
  carried reviews, ``screened_decisions`` of the same run before them, and
  ``previous_decisions`` of the previous run as screened.

Residency and category changes are reported from the findings themselves, with the values
before and after (entry date and the day residency starts, the official status, the contract or
the income share), whether or not the decision changed: a non-resident is on record even
without listed technology (an informational NON_RESIDENT finding), so a reviewer sees why.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from bulkscreen import columns
from bulkscreen.columns import DECISION_SEVERITY, DECISIONS
from bulkscreen.decide import FINDING_SEPARATOR, order_reason_codes
from bulkscreen.errors import InputError, InputSchemaError, Location, OutputError
from bulkscreen.io.outdir import HITS_FILE, RESULTS_FILE
from bulkscreen.report.review import REVIEWED_HITS_FILE  # report review reads it back

REVIEWED_RESULTS_FILE = "results.reviewed.parquet"
CHANGES_FILE = "changes.parquet"
SUMMARY_FILE = "rescreen.json"

REVIEW_DECISIONS = ("true_match", "false_positive")
# Accepted in a filled-in review queue but not a decision yet: the match stays open.
UNDECIDED_REVIEWS = ("escalate",)
DECISION_COLUMNS = ("record_id", "list_id", "entry_id", "review_decision")
PARTY_CODES = ("PARTY_HIT", "PARTY_NEAR_MATCH")

# Person findings whose appearance or disappearance is reported, with the change names.
PERSON_CODE_CHANGES = {
    "NON_RESIDENT": ("became_non_resident", "became_resident"),
    "SPECIFIC_CATEGORY_1": ("category_added", "category_removed"),
    "SPECIFIC_CATEGORY_2": ("category_added", "category_removed"),
    "SPECIFIC_CATEGORY_3": ("category_added", "category_removed"),
    "TECH_ACCESS": ("technology_access_added", "technology_access_removed"),
    "RED_FLAG_NATIONALITY": ("red_flag_added", "red_flag_removed"),
    "MISSING_INFO": ("missing_info_added", "missing_info_resolved"),
    "TECH_UNCONFIRMED": ("technology_unconfirmed", "technology_confirmed"),
    "CATEGORY_1_EXCLUDED": ("category_1_excluded", "category_1_exclusion_ended"),
}
# Person findings whose values are compared between runs, with the change of a new value.
PERSON_STATE_CHANGES = {
    "NON_RESIDENT": "residency_changed",
    "SPECIFIC_CATEGORY_1": "category_changed",
    "SPECIFIC_CATEGORY_2": "category_changed",
    "SPECIFIC_CATEGORY_3": "category_changed",
}

_S = pa.string()
CHANGES = columns.Table(
    name="changes",
    description="What changed for each person since the previous screening run.",
    columns=(
        columns.Column("record_id", _S, "The person's key.", required=True),
        columns.Column("change", _S, "Kind of change: new_record, removed_record, "
                       "decision_changed, new_hit, resolved_hit, became_non_resident, "
                       "became_resident, category_added, category_removed, "
                       "residency_changed, category_changed, "
                       "technology_access_added, technology_access_removed, red_flag_added, "
                       "red_flag_removed, missing_info_added, missing_info_resolved, "
                       "technology_unconfirmed, technology_confirmed, category_1_excluded, "
                       "category_1_exclusion_ended, review_carried, review_dropped.",
                       required=True),
        columns.Column("reason_code", _S, "Reason code the change is about."),
        columns.Column("field", _S, "Input field of a name match."),
        columns.Column("list_id", _S, "List of a name match."),
        columns.Column("entry_id", _S, "Entry of a name match."),
        columns.Column("previous", _S, "Value in the previous run."),
        columns.Column("current", _S, "Value in the current run."),
        columns.Column("detail", _S, "Human explanation of the change.", required=True),
    ),
)

# Fields of a list entry a name-match review depends on; a change of address alone keeps it.
IDENTITY_FIELDS = ("primary_name", "aliases", "entity_type", "countries", "birth_dates",
                   "identifiers")

EntryChanges = Callable[[str, str, str, list[str]], set[str]]
"""(list_id, old_version, new_version, entry_ids) -> the entry ids that changed or vanished."""


@dataclass
class RescreenReport:
    """Outcome of a re-screening: the tables written and the summary counts."""

    results: pa.Table
    hits: pa.Table
    changes: pa.Table
    summary: dict[str, Any]
    paths: dict[str, Path] = field(default_factory=dict)


def rescreen_persons(current_results_dir: Path, previous_results_dir: Path,
                     decisions_file: Path | None = None, out_dir: Path | None = None,
                     entry_changes: EntryChanges | None = None) -> RescreenReport:
    """Carry reviewers' decisions forward to a new person run and report the changes.

    Parameters
    ----------
    current_results_dir
        Folder of this year's run (``results.parquet``, ``hits.parquet``).
    previous_results_dir
        Folder of the previous run.
    decisions_file
        The previous hits with ``review_decision`` filled in (Parquet, CSV or an Excel review
        queue exported from it): columns record_id, list_id, entry_id, review_decision, and
        list_version (else taken from the previous hits); query_value, when present, must also
        match. None reads the decisions from the previous run's ``hits.reviewed.parquet``, or
        its ``hits.parquet``, so reviews carry over year after year.
    out_dir
        Where to write the outputs (default ``current_results_dir``).
    entry_changes
        How to tell which list entries changed between two list versions; default compares
        the bundled snapshots with ``bulkscreen.lists.diff_snapshots`` (an entry that cannot
        be compared counts as changed).

    Returns
    -------
    RescreenReport

    Raises
    ------
    InputError
        When a run folder lacks its files or the decisions file has a missing column or a
        review_decision other than true_match or false_positive (named with its row).
    """
    return _rescreen(current_results_dir, previous_results_dir, decisions_file, out_dir,
                     entry_changes, code_changes=_person_changes)


def rescreen_shipments(current_results_dir: Path, previous_results_dir: Path,
                       decisions_file: Path | None = None, out_dir: Path | None = None,
                       entry_changes: EntryChanges | None = None) -> RescreenReport:
    """Carry reviewers' decisions forward to a new shipment run and report the changes.

    The same as :func:`rescreen_persons`, for ``screen shipments`` runs (records are shipment
    lines, matched by ``shipment_id``), with one more rule: a party match a reviewer marked
    ``true_match`` decides what its explanation said it would decide if confirmed ("if
    confirmed: PROHIBITED (RU_BY_ENTITY, ...)"), so a confirmed listed party is no longer
    REVIEW on the next run. A match marked ``false_positive`` stays cleared while its list
    entry is unchanged.

    Parameters
    ----------
    current_results_dir, previous_results_dir, decisions_file, out_dir, entry_changes
        As for :func:`rescreen_persons`.

    Returns
    -------
    RescreenReport
    """
    return _rescreen(current_results_dir, previous_results_dir, decisions_file, out_dir,
                     entry_changes, code_changes=None)


def _rescreen(current_results_dir: Path, previous_results_dir: Path,
              decisions_file: Path | None, out_dir: Path | None,
              entry_changes: EntryChanges | None,
              code_changes: Callable[[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame],
                                     pl.DataFrame] | None,
              ) -> RescreenReport:
    current_dir, previous_dir = Path(current_results_dir), Path(previous_results_dir)
    out = Path(out_dir) if out_dir is not None else current_dir
    results = _read_run_file(current_dir / RESULTS_FILE, columns.RESULTS)
    hits = _read_run_file(current_dir / HITS_FILE, columns.HITS)
    prev_results = _read_run_file(previous_dir / RESULTS_FILE, columns.RESULTS)
    prev_hits = _read_run_file(previous_dir / HITS_FILE, columns.HITS)
    if decisions_file is None:
        reviewed = previous_dir / REVIEWED_HITS_FILE
        decisions = _read_run_file(reviewed, columns.HITS) if reviewed.is_file() else prev_hits
    else:
        decisions = read_decisions(Path(decisions_file))
    decisions = _with_list_versions(decisions, prev_hits)

    entry_changes = entry_changes or bundled_entry_changes
    hits, carry_changes = _carry_reviews(hits, decisions, entry_changes)
    hits, _ = _confirm(hits)
    screened, prev_screened = results, prev_results
    results = _redecide(results, hits)
    # Compare with the previous decisions as reviewed, not as first screened.
    prev_reviewed_hits, _ = _carry_reviews(prev_hits, decisions, entry_changes)
    prev_results = _redecide(prev_results, prev_reviewed_hits)
    prev_first, cur_first = _first_per_record(prev_results), _first_per_record(results)
    changes = pl.concat([
        _record_changes(prev_first, cur_first),
        _hit_changes(prev_hits, hits),
        *([code_changes(prev_first, cur_first, prev_hits, hits)] if code_changes else []),
        carry_changes,
    ], how="vertical")
    changes = changes.sort(["record_id", "change"], maintain_order=True)
    summary = _summary(prev_screened, screened, results, hits, changes)

    report = RescreenReport(
        # The input's key columns the run carried stay beside each decision.
        results=_to_arrow(results, pq.read_schema(current_dir / RESULTS_FILE).remove_metadata()),
        hits=_to_arrow(hits, columns.HITS.arrow_schema()),
        changes=_to_arrow(changes, CHANGES.arrow_schema()),
        summary=summary,
    )
    report.paths = {
        "results": _write_table(report.results, out / REVIEWED_RESULTS_FILE),
        "hits": _write_table(report.hits, out / REVIEWED_HITS_FILE),
        "changes": _write_table(report.changes, out / CHANGES_FILE),
        "summary": _write_json(summary, out / SUMMARY_FILE),
    }
    return report


# --- reading -----------------------------------------------------------------------------------

def _read_run_file(path: Path, table: columns.Table) -> pl.DataFrame:
    if not path.is_file():
        raise InputError(f"{path.name} not found in the run folder", Location(file=str(path)),
                         "point to the output folder of a finished `screen persons` run")
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # pyarrow and polars raise several types for a damaged file
        raise InputError(f"cannot read the Parquet file ({exc})", Location(file=str(path)),
                         "re-run the screening that produced it") from None
    missing = [c for c in table.required if c not in frame.columns]
    if missing:
        raise InputSchemaError(f"missing column {missing[0]!r}",
                               Location(file=str(path), column=missing[0]),
                               f"the file is not a {table.name} file of bulkscreen")
    return frame


def read_decisions(path: Path) -> pl.DataFrame:
    """Read reviewers' decisions from Parquet, CSV or Excel and validate them.

    Parameters
    ----------
    path
        A hits file (or export of it) with ``review_decision`` filled in.

    Returns
    -------
    polars.DataFrame
        The rows with a decision; blank decisions (not yet reviewed) are dropped.

    Raises
    ------
    InputError
        File missing or unreadable, a required column missing, or a decision other than
        true_match / false_positive (the first such row is named).
    """
    if not path.is_file():
        raise InputError("decisions file not found", Location(file=str(path)),
                         "give the reviewed hits file (Parquet, CSV or Excel)")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            frame = pl.read_parquet(path)
        elif suffix in (".xlsx", ".xls"):
            frame = _read_excel_decisions(path)
        elif suffix == ".csv":
            frame = pl.read_csv(path, infer_schema_length=0)
        else:
            raise InputError(f"unknown decisions file type {suffix!r}", Location(file=str(path)),
                             "use .parquet, .csv or .xlsx")
    except InputError:
        raise
    except Exception as exc:  # each reader raises its own types for a damaged file
        raise InputError(f"cannot read the decisions file ({exc})", Location(file=str(path)),
                         "export the review queue again") from None
    missing = [c for c in DECISION_COLUMNS if c not in frame.columns]
    if missing:
        raise InputSchemaError(f"missing column {missing[0]!r}",
                               Location(file=str(path), column=missing[0]),
                               "keep the columns record_id, list_id, entry_id and "
                               "review_decision of the hits file")
    frame = frame.with_columns(
        pl.col(c).cast(pl.String) for c in frame.columns if c in _DECISION_TEXT_COLUMNS
    ).with_columns(pl.col("review_decision").str.strip_chars().str.to_lowercase())
    frame = frame.with_row_index("_row", offset=1)
    bad = frame.filter(pl.col("review_decision").is_not_null()
                       & (pl.col("review_decision") != "")
                       & ~pl.col("review_decision").is_in(
                           [*REVIEW_DECISIONS, *UNDECIDED_REVIEWS]))
    if bad.height:
        first = bad.row(0, named=True)
        raise InputError(f"review_decision {first['review_decision']!r} is not one of "
                         f"{', '.join(REVIEW_DECISIONS)}",
                         Location(file=str(path), row=first["_row"], column="review_decision"),
                         "write true_match, false_positive or escalate, or leave the cell "
                         "empty")
    return frame.filter(pl.col("review_decision").is_in(list(REVIEW_DECISIONS))).drop("_row")


def _read_excel_decisions(path: Path) -> pl.DataFrame:
    """A review sheet (one row per record, see :mod:`bulkscreen.report.review`) or any
    workbook whose first sheet has the decision columns."""
    from bulkscreen.report.review import SHEET_NAME, read_review_decisions

    sheets = pl.read_excel(path, sheet_id=0, infer_schema_length=0)
    if SHEET_NAME in sheets:
        return pl.from_arrow(read_review_decisions(path))
    return next(iter(sheets.values()))


_DECISION_TEXT_COLUMNS = ("record_id", "list_id", "entry_id", "review_decision",
                          "list_version", "query_value", "field")


def _with_list_versions(decisions: pl.DataFrame, prev_hits: pl.DataFrame) -> pl.DataFrame:
    """Decisions keyed for carrying: record_id, list_id, entry_id, list_version, decision."""
    keep = [c for c in ("record_id", "list_id", "entry_id", "list_version", "query_value",
                        "review_decision") if c in decisions.columns]
    decisions = decisions.select(keep).filter(pl.col("review_decision").is_in(
        list(REVIEW_DECISIONS)) & pl.col("list_id").is_not_null())
    if "list_version" not in decisions.columns:
        versions = prev_hits.filter(pl.col("list_id").is_not_null()).group_by(
            ["record_id", "list_id", "entry_id"]).agg(pl.col("list_version").first())
        decisions = decisions.join(versions, on=["record_id", "list_id", "entry_id"],
                                   how="left")
    if "query_value" not in decisions.columns:
        decisions = decisions.with_columns(pl.lit(None, pl.String).alias("query_value"))
    # A later row for the same match wins (a reviewer corrected themselves).
    return decisions.unique(["record_id", "list_id", "entry_id", "query_value"], keep="last",
                            maintain_order=True)


# --- carrying reviews --------------------------------------------------------------------------

def bundled_entry_changes(list_id: str, old_version: str, new_version: str,
                          entry_ids: list[str]) -> set[str]:
    """Entries among ``entry_ids`` that differ between two bundled versions of a list.

    Uses ``bulkscreen.lists.load_snapshot`` and ``diff_snapshots``. An entry counts as changed
    when it was removed or added, or when a field that identifies it changed
    (:data:`IDENTITY_FIELDS`); a new address alone does not undo a review. When either version
    cannot be loaded, every entry counts as changed so nothing stays cleared by mistake.
    """
    try:
        from bulkscreen.lists import diff_snapshots, load_snapshot

        diff = diff_snapshots(load_snapshot(list_id, old_version),
                              load_snapshot(list_id, new_version))
    except Exception:  # any failure to compare means the review cannot be trusted
        return set(entry_ids)
    frame = pl.from_arrow(diff)
    relevant = frame.filter(
        (pl.col("change") != "changed")
        | pl.col("fields_changed").list.eval(
            pl.element().is_in(list(IDENTITY_FIELDS))).list.any())
    changed = set(relevant.get_column("entry_id").to_list())
    return {e for e in entry_ids if e in changed}


def _carry_reviews(hits: pl.DataFrame, decisions: pl.DataFrame,
                   entry_changes: EntryChanges) -> tuple[pl.DataFrame, pl.DataFrame]:
    hits = hits.with_row_index("_hit")
    party = hits.filter(pl.col("finding") == "party").select(
        ["_hit", "record_id", "field", "query_value", "list_id", "entry_id", "list_version"])
    exact = decisions.filter(pl.col("query_value").is_not_null())
    loose = decisions.filter(pl.col("query_value").is_null()).drop("query_value")
    keys = ["record_id", "list_id", "entry_id"]
    renamed = {"list_version": "reviewed_version"}
    order = [*party.columns, "reviewed_version", "review_decision"]
    matched = pl.concat([
        party.join(exact.rename(renamed), on=[*keys, "query_value"], how="inner").select(order),
        party.join(loose.rename(renamed), on=keys, how="inner").select(order),
    ], how="vertical").unique("_hit", keep="first", maintain_order=True)

    same = matched.filter(pl.col("reviewed_version") == pl.col("list_version"))
    other = matched.filter(pl.col("reviewed_version").is_null()
                           | (pl.col("reviewed_version") != pl.col("list_version")))
    changed_hits: set[int] = set()
    for (list_id, old, new), group in other.group_by(
            ["list_id", "reviewed_version", "list_version"]):
        ids = group.get_column("entry_id").to_list()
        changed = set(ids) if old is None else entry_changes(list_id, old, new, ids)
        changed_hits.update(group.filter(pl.col("entry_id").is_in(list(changed)))
                            .get_column("_hit").to_list())
    carried = pl.concat([same, other.filter(~pl.col("_hit").is_in(list(changed_hits)))])
    dropped = other.filter(pl.col("_hit").is_in(list(changed_hits)))

    review = dict(zip(carried.get_column("_hit").to_list(),
                      carried.get_column("review_decision").to_list(), strict=True))
    hits = hits.with_columns(
        pl.col("_hit").replace_strict(review, default=None, return_dtype=pl.String)
        .alias("review_decision")).drop("_hit")

    changes = pl.concat([
        _change_rows(carried, "review_carried", lambda r: (
            f"{r['review_decision']} on {r['list_id']} entry {r['entry_id']} carried forward "
            f"(entry unchanged since {r['reviewed_version'] or 'the review'})")),
        _change_rows(dropped, "review_dropped", lambda r: (
            f"earlier {r['review_decision']} on {r['list_id']} entry {r['entry_id']} dropped: "
            f"the entry changed between list versions {r['reviewed_version']} and "
            f"{r['list_version']}; review the match again")),
    ], how="vertical")
    return hits, changes


def _change_rows(frame: pl.DataFrame, change: str,
                 detail: Callable[[dict[str, Any]], str]) -> pl.DataFrame:
    rows = [{
        "record_id": r["record_id"], "change": change,
        "reason_code": None, "field": r.get("field"), "list_id": r.get("list_id"),
        "entry_id": r.get("entry_id"), "previous": r.get("reviewed_version"),
        "current": r.get("list_version"), "detail": detail(r),
    } for r in frame.iter_rows(named=True)]
    return _changes_frame(rows)


def _changes_frame(rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    schema = {c.name: pl.String for c in CHANGES.columns}
    return pl.DataFrame(list(rows), schema=schema)


# --- decisions after review --------------------------------------------------------------------

CONFIRMED_CLAUSE = r"; if confirmed: (PROHIBITED|LICENSE_REQUIRED|REVIEW) \((\w+), "
"""How a REVIEW party finding of a shipment says what it decides once confirmed."""


def _confirm(hits: pl.DataFrame) -> tuple[pl.DataFrame, pl.Expr]:
    """Party findings marked true_match take the decision and reason their "if confirmed"
    clause names; returns the hits and the expression selecting the confirmed ones."""
    confirmed = ((pl.col("finding") == "party") & (pl.col("review_decision") == "true_match")
                 & pl.col("explanation").str.contains(CONFIRMED_CLAUSE)).fill_null(False)
    hits = hits.with_columns(
        pl.when(confirmed).then(pl.col("explanation").str.extract(CONFIRMED_CLAUSE, 1))
        .otherwise(pl.col("decision")).alias("decision"),
        pl.when(confirmed).then(pl.col("explanation").str.extract(CONFIRMED_CLAUSE, 2))
        .otherwise(pl.col("reason_code")).alias("reason_code"),
    )
    return hits, confirmed


def _redecide(results: pl.DataFrame, hits: pl.DataFrame) -> pl.DataFrame:
    """Recompute the decision of records with a cleared or confirmed match, from their
    remaining findings (a confirmed match counts with the decision it implies)."""
    # A missing review_decision means "not reviewed": without fill_null the filter below
    # would drop every unreviewed finding of an affected record.
    cleared = ((pl.col("finding") == "party")
               & (pl.col("review_decision") == "false_positive")).fill_null(False)
    hits, confirmed = _confirm(hits)
    affected = hits.filter(cleared | confirmed).get_column("record_id").unique()
    if affected.len() == 0:
        return results
    remaining = hits.filter(pl.col("record_id").is_in(affected.implode()) & ~cleared)
    n_cleared = hits.filter(cleared | confirmed).group_by("record_id").agg(
        cleared.sum().alias("_cleared"), confirmed.sum().alias("_confirmed"))
    per_record = remaining.group_by("record_id", maintain_order=True).agg(
        pl.col("decision").replace_strict(DECISION_SEVERITY, return_dtype=pl.Int8).max()
        .alias("_severity"),
        pl.col("reason_code").unique(maintain_order=True).alias("_codes"),
        pl.col("explanation").str.join(FINDING_SEPARATOR).alias("_explanation"),
    )

    indexed = results.with_row_index("_pos")
    merged = indexed.join(n_cleared, on="record_id", how="inner").join(
        per_record, on="record_id", how="left")
    rows = []
    for row in merged.iter_rows(named=True):
        severity = row["_severity"] or 0
        codes = list(row["_codes"] or [])
        if severity and "TECH_ACCESS" in row["reason_codes"]:
            codes.append("TECH_ACCESS")
        notes = []
        if row["_cleared"]:
            notes.append(f"{row['_cleared']} name match(es) cleared as false positive in an "
                         "earlier review")
        if row["_confirmed"]:
            notes.append(f"{row['_confirmed']} name match(es) confirmed as the listed party in "
                         "an earlier review")
        note = "; ".join(notes)
        explanation = row["_explanation"] or ""
        row.update(
            decision=DECISIONS[severity],
            reason_codes=order_reason_codes(codes) if severity else [],
            explanation=f"{explanation}{FINDING_SEPARATOR if explanation else ''}{note}",
        )
        rows.append(row)
    updated = pl.DataFrame(rows, schema=merged.schema).select(indexed.columns)
    untouched = indexed.filter(~pl.col("_pos").is_in(updated.get_column("_pos").implode()))
    return pl.concat([untouched, updated]).sort("_pos").drop("_pos")


# --- change detection --------------------------------------------------------------------------

def _first_per_record(results: pl.DataFrame) -> pl.DataFrame:
    """One row per record_id (the first), for comparing runs; keys repeat only in bad input."""
    return results.select(["record_id", "decision", "reason_codes"]).unique(
        "record_id", keep="first", maintain_order=True)


def _record_changes(prev: pl.DataFrame, cur: pl.DataFrame) -> pl.DataFrame:
    joined = prev.select(["record_id", "decision"]).join(
        cur.select(["record_id", "decision"]), on="record_id", how="full", suffix="_cur",
        coalesce=True)
    before, after = pl.col("decision"), pl.col("decision_cur")
    kinds = (
        ("new_record", before.is_null(), pl.lit("new person, decision ") + after),
        ("removed_record", after.is_null(), pl.lit("person no longer in the input")),
        ("decision_changed", before.is_not_null() & after.is_not_null() & (before != after),
         pl.lit("decision ") + before + pl.lit(" -> ") + after),
    )
    return pl.concat([
        _changes_select(joined.filter(mask), change, before, after, detail)
        for change, mask, detail in kinds
    ], how="vertical")


def _changes_select(frame: pl.DataFrame, change: str, previous: pl.Expr, current: pl.Expr,
                    detail: pl.Expr, reason_code: str | None = None) -> pl.DataFrame:
    """Change rows built column-wise from ``frame`` (which has a record_id column)."""
    none = pl.lit(None, pl.String)
    return frame.select(
        pl.col("record_id").cast(pl.String),
        pl.lit(change).alias("change"),
        pl.lit(reason_code, pl.String).alias("reason_code"),
        none.alias("field"), none.alias("list_id"), none.alias("entry_id"),
        previous.cast(pl.String).alias("previous"),
        current.cast(pl.String).alias("current"),
        detail.cast(pl.String).alias("detail"),
    )


def _change(record_id: str, change: str, previous: str | None, current: str | None,
            detail: str, **extra: str | None) -> dict[str, Any]:
    return {"record_id": record_id, "change": change, "reason_code": extra.get("reason_code"),
            "field": extra.get("field"), "list_id": extra.get("list_id"),
            "entry_id": extra.get("entry_id"), "previous": previous, "current": current,
            "detail": detail}


def _hit_changes(prev_hits: pl.DataFrame, hits: pl.DataFrame) -> pl.DataFrame:
    keys = ["record_id", "field", "list_id", "entry_id"]
    cols = [*keys, "list_version", "matched_name", "score"]
    prev = prev_hits.filter(pl.col("finding") == "party").select(cols).unique(keys)
    cur = hits.filter(pl.col("finding") == "party").select(cols).unique(keys)
    prev_versions = dict(prev_hits.filter(pl.col("list_id").is_not_null()).group_by("list_id")
                         .agg(pl.col("list_version").max()).iter_rows())
    rows = []
    for r in cur.join(prev, on=keys, how="anti").sort(keys).iter_rows(named=True):
        before = prev_versions.get(r["list_id"])
        why = (f"list {r['list_id']} updated from {before} to {r['list_version']}"
               if before and before != r["list_version"] else "the person's data changed")
        rows.append(_change(r["record_id"], "new_hit", before, r["list_version"],
                            f"{r['field']} now matches {r['list_id']} entry {r['entry_id']} "
                            f"('{r['matched_name']}', score {r['score']:.2f}): {why}",
                            field=r["field"], list_id=r["list_id"], entry_id=r["entry_id"]))
    for r in prev.join(cur, on=keys, how="anti").sort(keys).iter_rows(named=True):
        rows.append(_change(r["record_id"], "resolved_hit", r["list_version"], None,
                            f"{r['field']} no longer matches {r['list_id']} entry "
                            f"{r['entry_id']} ('{r['matched_name']}')",
                            field=r["field"], list_id=r["list_id"], entry_id=r["entry_id"]))
    return _changes_frame(rows)


def _person_changes(prev: pl.DataFrame, cur: pl.DataFrame, prev_hits: pl.DataFrame,
                    hits: pl.DataFrame) -> pl.DataFrame:
    """Person findings that appeared, disappeared or rest on other values since last run."""
    return pl.concat([_person_code_changes(prev, cur),
                      _person_state_changes(prev_hits, hits, prev, cur)], how="vertical")


def _person_code_changes(prev: pl.DataFrame, cur: pl.DataFrame) -> pl.DataFrame:
    joined = prev.select(["record_id", "reason_codes"]).join(
        cur.select(["record_id", "reason_codes"]), on="record_id", how="inner",
        suffix="_cur")
    # Only persons whose codes differ can change; most do not.
    joined = joined.filter(pl.col("reason_codes").list.sort()
                           .ne_missing(pl.col("reason_codes_cur").list.sort()))
    parts = []
    for code, (added, removed) in PERSON_CODE_CHANGES.items():
        if code in PERSON_STATE_CHANGES:
            continue  # reported with their values by _person_state_changes
        before = pl.col("reason_codes").list.contains(code).fill_null(False)
        after = pl.col("reason_codes_cur").list.contains(code).fill_null(False)
        none = pl.lit(None, pl.String)
        parts.append(_changes_select(joined.filter(after & ~before), added, none, pl.lit(code),
                                     pl.lit(f"{code} found now, not in the previous run"),
                                     reason_code=code))
        parts.append(_changes_select(joined.filter(before & ~after), removed, pl.lit(code),
                                     none, pl.lit(f"{code} found in the previous run, not now"),
                                     reason_code=code))
    return pl.concat(parts, how="vertical")


def _person_states(hits: pl.DataFrame) -> pl.DataFrame:
    """Per (record, residency or category code): the finding's values as one text."""
    person = hits.filter((pl.col("finding") == "person")
                         & pl.col("reason_code").is_in(list(PERSON_STATE_CHANGES)))
    item = pl.concat_str([
        pl.col("field").fill_null(""), pl.lit(" "), pl.col("value").fill_null(""),
        pl.when(pl.col("threshold").is_not_null())
        .then(pl.lit(" (") + pl.col("threshold") + pl.lit(")")).otherwise(pl.lit("")),
    ])
    return person.with_columns(item.alias("_item")).group_by(
        ["record_id", "reason_code"]).agg(
        pl.col("_item").unique().sort().str.join("; ").alias("state"))


def _person_state_changes(prev_hits: pl.DataFrame, hits: pl.DataFrame,
                          prev: pl.DataFrame, cur: pl.DataFrame) -> pl.DataFrame:
    """Residency and category changes of persons in both runs, with the values before and after.

    Reported whether or not the decision changed: a category that starts, ends or rests on
    another contract or share, a residency that ends, starts or has a new ground.
    """
    both = prev.select("record_id").join(cur.select("record_id"), on="record_id", how="inner")
    keys = ["record_id", "reason_code"]
    joined = _person_states(prev_hits).join(_person_states(hits), on=keys, how="full",
                                            suffix="_cur", coalesce=True)
    joined = joined.join(both, on="record_id", how="semi").sort(keys)
    rows = []
    for r in joined.iter_rows(named=True):
        code, before, after = r["reason_code"], r["state"], r["state_cur"]
        added, removed = PERSON_CODE_CHANGES[code]
        what = "non-resident" if code == "NON_RESIDENT" else f"{code.lower()}"
        if before == after:
            continue
        if before is None:
            rows.append(_change(r["record_id"], added, None, after,
                                f"{what} now: {after}", reason_code=code))
        elif after is None:
            now = "resident" if code == "NON_RESIDENT" else None
            rows.append(_change(r["record_id"], removed, before, now,
                                f"{what} in the previous run ({before}), not now",
                                reason_code=code))
        else:
            rows.append(_change(r["record_id"], PERSON_STATE_CHANGES[code], before, after,
                                f"{what} on other grounds: {before} -> {after}",
                                reason_code=code))
    return _changes_frame(rows)


def _summary(prev_screened: pl.DataFrame, screened: pl.DataFrame, cur: pl.DataFrame,
             hits: pl.DataFrame, changes: pl.DataFrame) -> dict[str, Any]:
    """Counts for rescreen.json: ``decisions`` after the carried reviews,
    ``screened_decisions`` of this run before them (the run's own summary table) and
    ``previous_decisions`` of the previous run as it was screened."""
    def counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
        return {k: int(v) for k, v in frame.get_column(column).value_counts(sort=True)
                .iter_rows()}

    reviewed = hits.filter(pl.col("review_decision").is_not_null())
    return {
        "records": cur.height,
        "previous_records": prev_screened.height,
        "decisions": counts(cur, "decision"),
        "screened_decisions": counts(screened, "decision"),
        "previous_decisions": counts(prev_screened, "decision"),
        "changes": counts(changes, "change") if changes.height else {},
        "carried_reviews": counts(reviewed, "review_decision") if reviewed.height else {},
    }


# --- writing -----------------------------------------------------------------------------------

def _to_arrow(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    return frame.select(schema.names).to_arrow().cast(schema)


def _write_table(table: pa.Table, path: Path) -> Path:
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, partial, compression="zstd")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path.name} ({exc.strerror})",
                          Location(file=str(path)), "check the folder is writable") from None
    return path


def _write_json(payload: dict[str, Any], path: Path) -> Path:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path
