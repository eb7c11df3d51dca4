"""``bulkscreen demo``: generate shipments and visitors, screen them against the bundled real
lists and rules, and print what was found.

This is the README's first command: it shows the whole engine on one machine in a minute.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click


@click.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default="demo-output", show_default=True, help="Output folder.")
@click.option("--shipments", "n_shipments", type=int, default=20_000, show_default=True,
              help="Shipment lines to generate.")
@click.option("--persons", "n_persons", type=int, default=5_000, show_default=True,
              help="Persons to generate.")
@click.option("--seed", type=int, default=7, show_default=True, help="Generator seed.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Screening date "
              "(default today).")
def demo(out_dir: Path, n_shipments: int, n_persons: int, seed: int,
         as_of: dt.datetime | None) -> None:
    """Screen generated shipments and persons against the bundled real lists."""
    from bulkscreen.tools.demo import run_demo

    run_demo(out_dir, n_shipments, n_persons, seed, as_of.date() if as_of else dt.date.today())


COMMANDS = [demo]
