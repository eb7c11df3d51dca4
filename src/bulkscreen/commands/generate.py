"""``bulkscreen generate``: realistic shipments and persons with a ground-truth file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

_RATE = click.FloatRange(0.0, 1.0)


def _options(func):
    """Options shared by ``generate shipments`` and ``generate persons``."""
    options = [
        click.option("--rows", type=click.IntRange(min=0), required=True,
                     help="Number of rows to generate."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Random seed; the same seed gives byte-identical files."),
        click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
                     help="Output file; the ground truth goes beside it as "
                          "<stem>.truth.parquet."),
        click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default=None,
                     help="Output format [default: from the file suffix, else parquet]."),
        click.option("--listed-rate", type=_RATE, default=0.01, show_default=True,
                     help="Share of rows carrying a real list name (half as a variant)."),
        click.option("--dirty-rate", type=_RATE, default=0.0, show_default=True,
                     help="Share of rows spoiled on purpose (bad dates, bad country codes, "
                          "missing names), recorded in <stem>.dirty.parquet."),
        click.option("--batch-size", type=click.IntRange(min=1), default=100_000,
                     show_default=True, help="Rows per batch; bounds memory."),
        click.option("--end-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                     help="Latest date generated (YYYY-MM-DD) [default: today]; pin it to "
                          "reproduce a file on another day."),
        click.option("--lists", "list_ids", multiple=True,
                     help="List ids to take names from, repeatable or comma-separated "
                          "[default: the bundled lists screened by default]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run(kind: str, rows: int, seed: int, out: Path, fmt: str | None, listed_rate: float,
         dirty_rate: float, batch_size: int, end_date: dt.datetime | None,
         list_ids: tuple[str, ...]) -> None:
    import time

    from bulkscreen.tools.generate.listnames import load_list_names

    if kind == "shipments":
        from bulkscreen.tools.generate.shipments import generate_shipments as generate
    else:
        from bulkscreen.tools.generate.persons import generate_persons as generate

    fmt = fmt or ("csv" if out.suffix.lower() == ".csv" else "parquet")
    names = None
    if listed_rate > 0:
        from bulkscreen.commands.screen import parse_list_ids

        ids = parse_list_ids(list_ids) or None
        names = load_list_names(ids)
    started = time.perf_counter()
    summary = generate(rows, seed, out, names, listed_rate=listed_rate, batch_size=batch_size,
                       fmt=fmt, dirty_rate=dirty_rate,
                       end_date=end_date.date() if end_date else None)
    seconds = time.perf_counter() - started
    click.echo(f"wrote {summary.path} ({summary.rows:,} {kind}, {summary.fmt}) in "
               f"{seconds:.1f} s")
    click.echo(f"wrote {summary.truth_path} ({summary.listed_names:,} list names, "
               f"{summary.variant_names:,} of them variants)")
    if summary.dirty_path is not None:
        click.echo(f"wrote {summary.dirty_path} ({summary.dirty_rows:,} dirty rows)")


@click.group("generate")
def generate_group() -> None:
    """Generate realistic inputs with known listed parties (ground truth beside them)."""


@generate_group.command("shipments")
@_options
def generate_shipments_command(**options) -> None:
    """Generate shipment lines: parties, destinations, HS codes, parameters near thresholds."""
    _run("shipments", **options)


@generate_group.command("persons")
@_options
def generate_persons_command(**options) -> None:
    """Generate visitors, students and staff: names, nationalities, affiliations, funding."""
    _run("persons", **options)


COMMANDS = [generate_group]
