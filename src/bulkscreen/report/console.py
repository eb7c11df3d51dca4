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
    console.print(f"results:    {summary.results_path}")
    console.print(f"review:     {summary.hits_path}")
    if summary.quarantined_rows:
        console.print(f"quarantine: {summary.quarantine_path}")
    console.print(f"manifest:   {summary.manifest_path}")
