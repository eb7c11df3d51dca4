"""The summary printed at the end of a run: counts by decision and where the files are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table as RichTable

from bulkscreen.columns import DECISIONS

if TYPE_CHECKING:
    from bulkscreen.run.spec import RunSummary

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
