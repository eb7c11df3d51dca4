"""The demo run: generated inputs with known listed parties, screened end to end.

Writes ``inputs/`` (generated shipments and persons with their ground truth),
``shipments/`` and ``persons/`` (results, hits, quarantine, run.json) under one folder, then
prints the decision counts, an example explanation for each decision, and how many of the
planted list names the matcher found.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
from rich.console import Console

from bulkscreen.config import RunConfig
from bulkscreen.report.console import DECISION_ORDER, print_summary


def run_demo(out_dir: Path, n_shipments: int, n_persons: int, seed: int, as_of: dt.date,
             console: Console | None = None) -> dict[str, object]:
    """Generate, screen and summarise; return the two run summaries.

    Parameters
    ----------
    out_dir
        Folder for inputs and results; replaced if it holds an earlier demo.
    n_shipments, n_persons
        Rows to generate.
    seed
        Generator seed (same seed, same rows).
    as_of
        Screening date.
    console
        Where to print (default stdout).
    """
    from bulkscreen.run.screening import run_persons, run_shipments
    from bulkscreen.tools.generate.listnames import load_list_names
    from bulkscreen.tools.generate.persons import generate_persons
    from bulkscreen.tools.generate.shipments import generate_shipments

    console = console or Console()
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    inputs = out_dir / "inputs"
    inputs.mkdir(parents=True)
    config = RunConfig(as_of=as_of)

    console.rule("bulkscreen demo")
    console.print(f"screening date {as_of}; generating {n_shipments:,} shipment lines and "
                  f"{n_persons:,} persons (seed {seed})")
    names = load_list_names(as_of=as_of)
    # Shipments as CSV with a few spoiled rows, to show quarantine; persons as Parquet.
    shipments_path = inputs / "shipments.csv"
    persons_path = inputs / "persons.parquet"
    generate_shipments(n_shipments, seed, shipments_path, names, listed_rate=0.02, fmt="csv",
                       dirty_rate=0.001, end_date=as_of)
    generate_persons(n_persons, seed, persons_path, names, listed_rate=0.02, end_date=as_of)

    summaries = {}
    for kind, path, runner in (("shipments", shipments_path, run_shipments),
                               ("persons", persons_path, run_persons)):
        console.rule(kind)
        summary = runner(path, out_dir / kind, config, as_of, progress=False)
        print_summary(summary, console)
        _print_examples(summary.results_path, console)
        _print_quarantine(summary.quarantine_path, console)
        _print_recall(path, summary.hits_path, console)
        _write_reports(out_dir / kind, console)
        summaries[kind] = summary
    console.rule("done")
    console.print(f"all outputs under {out_dir}")
    return summaries


def _write_reports(run_dir: Path, console: Console) -> None:
    """Write the HTML report and the review spreadsheet of one run."""
    from bulkscreen.report.html import write_run_report
    from bulkscreen.report.review import write_review_sheet

    page = write_run_report(run_dir)
    sheet, rows = write_review_sheet(run_dir, run_dir / "review.xlsx",
                                     warn=lambda text: console.print(f"warning: {text}"))
    console.print(f"report:     {page}\nreview:     {sheet} ({rows:,} rows to review)")


def _print_examples(results_path: Path, console: Console) -> None:
    """Print one explained row per decision, so a reader sees what each decision means."""
    results = pl.read_parquet(results_path)
    for decision in DECISION_ORDER:
        rows = results.filter(pl.col("decision") == decision).head(1)
        if rows.height == 0:
            continue
        row = rows.row(0, named=True)
        codes = ", ".join(row["reason_codes"]) or "-"
        text = row["explanation"]
        if len(text) > 400:
            text = text[:400] + " ..."
        console.print(f"[bold]{decision}[/bold] {row['record_id']} [{codes}]\n  {text}")


def _print_quarantine(quarantine_path: Path, console: Console) -> None:
    """Print the first quarantined row: where it was and why it could not be screened."""
    quarantined = pl.read_parquet(quarantine_path)
    if quarantined.height == 0:
        return
    row = quarantined.row(0, named=True)
    console.print(f"[bold]QUARANTINED[/bold] {quarantined.height:,} rows, e.g. row "
                  f"{row['input_row']} column {row['column']!r}: {row['reason']}")


def _print_recall(input_path: Path, hits_path: Path, console: Console) -> None:
    """Print how many planted list names were found (ground truth written by the generator)."""
    truth_path = input_path.with_name(input_path.stem + ".truth.parquet")
    if not truth_path.exists():
        return
    truth = pl.read_parquet(truth_path)
    if "source" not in truth.columns or "entry_id" not in truth.columns:
        return
    planted = truth.filter(pl.col("source") == "list")
    if planted.height == 0:
        return
    key = planted.columns[0]
    hits = pl.read_parquet(hits_path).filter(pl.col("finding") == "party")
    found = planted.join(
        hits.select(pl.col("record_id").alias(key), "entry_id", "list_id").unique(),
        on=[key, "list_id", "entry_id"], how="semi")
    console.print(f"planted list names found by the matcher: {found.height:,} of "
                  f"{planted.height:,} ({found.height / planted.height:.1%})")
