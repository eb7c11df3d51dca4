"""The summary printed at the end of a run: counts by decision and where the files are."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table as RichTable

from bulkscreen.columns import DECISIONS

if TYPE_CHECKING:
    from bulkscreen.engines.plan import RunPlan
    from bulkscreen.run.spec import RunSummary

TOP_REASONS = 5

DECISION_ORDER = tuple(reversed(DECISIONS))


def print_summary(summary: RunSummary, console: Console | None = None) -> None:
    """Print a run's decision counts, row accounting and output paths.

    Parameters
    ----------
    summary
        A :class:`bulkscreen.run.RunSummary`.
    console
        Where to print (default: stdout).
    """
    console = console or Console()
    table = RichTable(title="decisions", show_header=True)
    table.add_column("decision")
    table.add_column("rows", justify="right")
    for decision in DECISION_ORDER:
        table.add_row(decision, f"{summary.decisions.get(decision, 0):,}")
    console.print(table)
    console.print(
        f"input rows {summary.input_rows:,} = results {summary.result_rows:,} + quarantined "
        f"{summary.quarantined_rows:,}; findings {summary.hit_rows:,}; "
        f"{summary.seconds:.1f} s")
    for line in list_freshness(summary.manifest):
        console.print(line)
    console.print(f"results:    {summary.results_path}")
    console.print(f"review:     {summary.hits_path}")
    if summary.quarantined_rows:
        console.print(f"quarantine: {summary.quarantine_path}")
    console.print(f"manifest:   {summary.manifest_path}")
    reasons = top_reasons(summary.results_path)
    if reasons:
        console.print("top reasons: " + ", ".join(f"{code} {n:,}" for code, n in reasons),
                      soft_wrap=True)
    # Commands are printed whole, never wrapped, so they can be copied as they are.
    for line in next_commands(summary):
        console.print(line, soft_wrap=True, highlight=False)


def top_reasons(results_path: Path, count: int = TOP_REASONS) -> list[tuple[str, int]]:
    """The reason codes on most result rows (each row counted once per code), most first."""
    import polars as pl

    try:
        codes = (pl.scan_parquet(results_path).select(pl.col("reason_codes").explode())
                 .drop_nulls().collect()["reason_codes"].to_list())
    except (OSError, pl.exceptions.PolarsError):
        return []
    tally = Counter(codes)
    return sorted(tally.items(), key=lambda item: (-item[1], item[0]))[:count]


def next_commands(summary: RunSummary) -> list[str]:
    """What a user runs next on this run's folder."""
    out = summary.results_path.parent
    flagged = sum(n for decision, n in summary.decisions.items() if decision != "CLEAR")
    lines = ["next:"]
    if flagged:
        lines.append(f"  bulkscreen report review {out}   # the review queue as a spreadsheet")
    lines.append(f"  bulkscreen report {out}          # the HTML report")
    table = (summary.manifest.get("table") or {}).get("name")
    if table == "persons":
        lines.append(f"  bulkscreen rescreen persons NEW_FILE --previous {out} --out NEW_RUN")
    elif table == "shipments" and flagged:
        lines.append(f"  bulkscreen rescreen shipments NEW_FILE --previous {out} --out NEW_RUN")
    return lines


def print_plan(plan: RunPlan, console: Console | None = None) -> None:
    """Print what a ``--dry-run`` found: how the input is read, its columns, a checked
    sample, the data versions, and where the run would write.

    Parameters
    ----------
    plan
        A :class:`bulkscreen.engines.plan.RunPlan`.
    console
        Where to print (default: stdout).
    """
    console = console or Console()
    rows = f"{plan.total_rows:,} rows" if plan.total_rows is not None else "rows: not known " \
        "before reading (text format)"
    limit = f", first {plan.limit:,} only (--limit)" if plan.limit else ""
    console.print(f"dry run: {plan.table} from {plan.input_path} ({plan.format}"
                  f"{', ' + plan.encoding if plan.encoding else ''}; {rows}{limit})")
    mapping = RichTable(title="columns", show_header=True)
    mapping.add_column("field")
    mapping.add_column("read from")
    for name, source in plan.sources.items():
        mapping.add_row(name, source if source is not None else "(absent: read as empty)")
    console.print(mapping)
    if plan.ignored_columns:
        console.print("ignored input columns: " + ", ".join(plan.ignored_columns))
    console.print(f"checked the first {plan.sample_rows:,} rows: {plan.sample_valid:,} valid, "
                  f"{plan.sample_quarantined:,} would go to quarantine")
    for reason in plan.sample_reasons:
        console.print(f"  {reason}")
    for version in plan.lists:
        sample = "  SAMPLE" if version.get("sample") else ""
        console.print(f"list:  {version.get('list_id')} {version.get('version')} "
                      f"({version.get('entries', 0):,} entries){sample}")
    for version in plan.rules:
        console.print(f"rules: {version.get('regime', '')} {version.get('version', '')}")
    for kind, algorithm in plan.algorithms.items():
        console.print(f"algorithm: {kind} {algorithm}")
    console.print(f"engine: {plan.engine}; output folder {plan.out_dir}: {plan.out_state}")
    console.print("nothing was written; run again without --dry-run to screen")


def list_freshness(manifest: dict) -> list[str]:
    """One line per list version the run used: its date, its age then, and whether it is a
    sample (an excerpt of the list, not the list)."""
    lines = []
    for version in manifest.get("data", {}).get("lists", []):
        if "age_days" not in version:
            continue
        note = "  SAMPLE: an excerpt, not the whole list" if version.get("sample") else ""
        lines.append(f"list:       {version['list_id']} {version['version']} "
                     f"({version['entries']:,} entries, {_age(version['age_days'])} old on the "
                     f"screening date){note}")
    return lines


def _age(days: int) -> str:
    if days < 60:
        return f"{days} days"
    if days < 730:
        return f"{days / 30.44:.0f} months"
    return f"{days / 365.25:.1f} years"
