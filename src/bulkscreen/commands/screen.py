"""``bulkscreen screen`` and ``bulkscreen audit``: screen parties, shipments and persons.

The commands are thin: they build the configuration, load the compiled data, and hand a pure
per-batch job (from ``bulkscreen.run.screening``) to the engine ``--engine`` names.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from bulkscreen.config import RunConfig
    from bulkscreen.run.spec import RunSummary

CONFIG_FLAGS = ("encoding", "batch_size", "fail_on_hit", "engine", "scheduler", "limit")
"""Shared options that go into the RunConfig as they are."""


def _parse_map(pairs: tuple[str, ...]) -> dict[str, str]:
    from bulkscreen.errors import ConfigError

    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            raise ConfigError(f"--map {pair!r} is not FIELD=COLUMN",
                              hint="write e.g. --map consignee_name=Buyer")
        mapping[field.strip()] = column.strip()
    return mapping


def parse_list_ids(values: tuple[str, ...] | list[str] | str | None) -> list[str]:
    """``--lists`` as every command reads it: repeatable, and each value may hold several ids
    separated by commas (``--lists a,b --lists c``)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    ids = [part.strip() for value in values for part in value.split(",")]
    return list(dict.fromkeys(i for i in ids if i))


def build_config(config_path: Path | None, list_ids: tuple[str, ...],
                 map_pairs: tuple[str, ...], **flags: Any) -> RunConfig:
    """Merge file, environment and flags into a RunConfig."""
    from bulkscreen.config import load_config

    values: dict[str, Any] = {k: v for k, v in flags.items() if v is not None}
    if list_ids:
        values["lists"] = parse_list_ids(list_ids)
    config = load_config(config_path, flags=values)
    if map_pairs:
        config = config.model_copy(update={"column_map": {**config.column_map,
                                                          **_parse_map(map_pairs)}})
    return config


@dataclass(frozen=True)
class RunOptions:
    """What every screening command takes besides its input: where, how, and how loudly."""

    out_dir: Path
    config: RunConfig
    overwrite: bool
    quiet: bool
    fmt: str | None
    output_formats: tuple[str, ...] = ()
    dry_run: bool = False

    def job_options(self) -> dict[str, bool | str | None]:
        """Keyword arguments of the ``bulkscreen.run.screening`` runners (``run_shipments``...)."""
        return {"overwrite": self.overwrite, "progress": not self.quiet, "fmt": self.fmt}

    def screen(self, run_job: Callable[..., RunSummary], input_path: Path,
               *args: object) -> RunSummary:
        """Call ``run_job(input_path, out_dir, config, *args, ...)`` on the engine asked for.

        With ``--dry-run`` the plan is printed and the command ends here (exit 0).
        """
        from bulkscreen.engines import open_engine

        if self.dry_run:
            from bulkscreen.engines.plan import PlanEngine
            from bulkscreen.report.console import print_plan

            plan = run_job(input_path, self.out_dir, self.config, *args, engine=PlanEngine(),
                           **self.job_options())
            print_plan(plan)
            raise click.exceptions.Exit(0)
        with open_engine(self.config) as engine:
            summary = run_job(input_path, self.out_dir, self.config, *args, engine=engine,
                              **self.job_options())
        if self.output_formats:
            from bulkscreen.io.export import write_copies

            write_copies(self.out_dir, self.output_formats)
        return summary

    def finish(self, summary: RunSummary) -> None:
        """Print the run summary and exit 1 if --fail-on-hit and any row is not CLEAR."""
        import sys

        from bulkscreen.errors import EXIT_HITS_FOUND
        from bulkscreen.report.console import print_summary

        if not self.quiet:
            print_summary(summary)
        flagged = sum(n for decision, n in summary.decisions.items() if decision != "CLEAR")
        if self.config.fail_on_hit and flagged:
            sys.exit(EXIT_HITS_FOUND)


def run_options(func: Any) -> Any:
    """Add the options every screening command shares, handed to ``func`` as ``run``."""
    options = [
        click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                     required=True, help="Output folder (results, hits, quarantine, run.json)."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="TOML configuration file."),
        click.option("--lists", "list_ids", multiple=True,
                     help="List ids to screen against, repeatable or comma-separated "
                     "(default: every bundled list except samples)."),
        click.option("--map", "map_pairs", multiple=True, metavar="FIELD=COLUMN",
                     help="Input column holding an expected field (repeatable)."),
        click.option("--encoding", help="Text encoding of CSV input (default: detect)."),
        click.option("--input-format", "--format", "fmt",
                     type=click.Choice(["csv", "parquet", "jsonl", "excel"]),
                     help="Input format when the extension does not tell."),
        click.option("--output-format", "output_formats", multiple=True,
                     type=click.Choice(["csv", "jsonl"]),
                     help="Also write results, hits and quarantine in this format beside the "
                     "Parquet files (repeatable)."),
        click.option("--limit", type=click.IntRange(min=1), metavar="N",
                     help="Screen only the first N data rows (a trial run)."),
        click.option("--dry-run", is_flag=True, help="Check the input's columns and a sample "
                     "of rows, load the lists and rules, print the plan; write nothing."),
        click.option("--batch-size", type=int, help="Rows per batch."),
        click.option("--fail-on-hit", is_flag=True, default=None,
                     help="Exit with code 1 if any row is not CLEAR."),
        click.option("--overwrite", is_flag=True, help="Replace a finished run in --out."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary table."),
        click.option("--engine", type=click.Choice(["local", "dask"]),
                     help="Run batches in this process (local, default) or on a Dask cluster."),
        click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler of an existing "
                     "cluster, e.g. tcp://host:8786 (default: a local cluster on 127.0.0.1)."),
    ]

    @functools.wraps(func)
    def command(*, out_dir: Path, config_path: Path | None, list_ids: tuple[str, ...],
                map_pairs: tuple[str, ...], overwrite: bool, quiet: bool, fmt: str | None,
                output_formats: tuple[str, ...], dry_run: bool, **kwargs: Any) -> Any:
        from bulkscreen.io.paths import check_output_dir

        check_output_dir(out_dir, kwargs.get("input_path"))
        flags = {name: kwargs.pop(name) for name in CONFIG_FLAGS}
        config = build_config(config_path, list_ids, map_pairs, **flags)
        return func(**kwargs, run=RunOptions(out_dir, config, overwrite, quiet, fmt,
                                             tuple(dict.fromkeys(output_formats)), dry_run))

    for option in reversed(options):
        command = option(command)
    return command


def _as_of(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


@click.group("screen")
def screen_group() -> None:
    """Screen a file of parties, shipments or persons; one decision per row."""


def _evidence_option(option: str, values: tuple[str, ...]) -> tuple[str | None, dict[str, str]]:
    """An evidence option as (the value for every name, name column -> what holds its own)."""
    from bulkscreen.errors import ConfigError

    every = [value for value in values if "=" not in value]
    if len(every) > 1:
        raise ConfigError(f"{option} gives a value for every name twice: "
                          + ", ".join(repr(v) for v in every),
                          hint=f"give one {option} VALUE, and {option} NAME_COLUMN=... for "
                          "the name columns that differ")
    pairs = {}
    for value in values:
        if "=" in value:
            name, _, source = value.partition("=")
            if not name.strip() or not source.strip():
                raise ConfigError(f"{option} {value!r} is not NAME_COLUMN=COLUMN",
                                  hint=f"write e.g. {option} company=country")
            pairs[name.strip()] = source.strip()
    return (every[0].strip() if every else None), pairs


@screen_group.command("parties")
@click.argument("input_path", type=click.Path(exists=True, path_type=Path))
@click.option("--name", "name_columns", multiple=True, required=True,
              help="Column holding a name to screen (repeatable).")
@click.option("--id", "id_column", help="Column with the row's key (default: row number).")
@click.option("--country", "country_options", multiple=True,
              metavar="COUNTRY|NAME_COLUMN=COUNTRY_COLUMN",
              help="Country of every party (an ISO code or a name such as 'Iran'), or the "
              "column with the country of a name column's parties (repeatable).")
@click.option("--entity-type", "entity_options", multiple=True,
              metavar="TYPE|NAME_COLUMN=TYPE|NAME_COLUMN=COLUMN",
              help="person or organization: of every party, of a name column's parties, "
              "or the column that holds it (repeatable).")
@click.option("--birth-date", "birth_options", multiple=True,
              metavar="DATE|YEAR|NAME_COLUMN=COLUMN",
              help="Date (YYYY-MM-DD) or year of birth of every party, or the column with "
              "a name column's parties' dates or years of birth (repeatable).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="List versions in force on "
              "this date (default today).")
@run_options
def screen_parties(input_path: Path, name_columns: tuple[str, ...], id_column: str | None,
                   country_options: tuple[str, ...], entity_options: tuple[str, ...],
                   birth_options: tuple[str, ...], as_of: dt.datetime | None,
                   run: RunOptions) -> None:
    """Screen the names in any columns of INPUT_PATH against the lists.

    Country, entity type and year of birth are evidence: each raises or lowers a match's
    score where the listed entry has the same kind of data.
    """
    from bulkscreen.run.screening import run_parties
    from bulkscreen.screen.parties import party_evidence

    evidence = party_evidence(
        list(name_columns), countries=_evidence_option("--country", country_options),
        entity_types=_evidence_option("--entity-type", entity_options),
        birth_dates=_evidence_option("--birth-date", birth_options))
    run.finish(run.screen(run_parties, input_path, list(name_columns), id_column, evidence,
                          _as_of(as_of)))


@screen_group.command("shipments")
@click.argument("input_path", type=click.Path(exists=True, path_type=Path))
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Judge every line by the lists "
              "and rules in force on this date (default today).")
@run_options
def screen_shipments(input_path: Path, as_of: dt.datetime | None, run: RunOptions) -> None:
    """Screen shipment lines: parties, items, destinations and country measures."""
    from bulkscreen.run.screening import run_shipments

    run.finish(run.screen(run_shipments, input_path, _as_of(as_of)))


@screen_group.command("persons")
@click.argument("input_path", type=click.Path(exists=True, path_type=Path))
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Judge residency, categories "
              "and lists on this date (default today).")
@run_options
def screen_persons(input_path: Path, as_of: dt.datetime | None, run: RunOptions) -> None:
    """Screen visitors, students and staff for deemed-export control."""
    from bulkscreen.run.screening import run_persons

    run.finish(run.screen(run_persons, input_path, _as_of(as_of)))


@click.group("audit")
def audit_group() -> None:
    """Audit history: judge each row by the lists and rules of its own date, and today's."""


@audit_group.command("shipments")
@click.argument("input_path", type=click.Path(exists=True, path_type=Path))
@click.option("--as-of", "--today", "today", type=click.DateTime(["%Y-%m-%d"]),
              help="The date whose lists and rules are 'today's' (default today).")
@run_options
def audit_shipments(input_path: Path, today: dt.datetime | None, run: RunOptions) -> None:
    """Judge every shipment line as of its shipment date and as of today.

    results.parquet has both decisions per line and ``decision_changed``; hits.parquet has the
    findings of both judgements (told apart by ``as_of_date``).
    """
    from bulkscreen.run.screening import run_audit

    summary = run.screen(run_audit, input_path, _as_of(today))
    if not run.quiet:
        import polars as pl

        changed = pl.scan_parquet(summary.results_path).filter(
            pl.col("decision_changed")).select(pl.len()).collect().item()
        click.echo(f"lines whose decision differs between their own date and today: "
                   f"{changed:,}")
    run.finish(summary)


@click.group("rescreen")
def rescreen_group() -> None:
    """Re-screen everyone, carrying reviewers' earlier decisions forward."""


@rescreen_group.command("persons")
@click.argument("input_path", type=click.Path(exists=True, path_type=Path))
@click.option("--previous", "previous_dir", type=click.Path(exists=True, file_okay=False,
              path_type=Path), required=True, help="Folder of the previous run.")
@click.option("--decisions", "decisions_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Reviewed hits (Parquet, CSV or the .xlsx review queue) "
              "with review_decision filled in (default: the previous run's reviewed hits).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Screening date "
              "(default today).")
@run_options
def rescreen_persons_command(input_path: Path, previous_dir: Path, decisions_file: Path | None,
                             as_of: dt.datetime | None, run: RunOptions) -> None:
    """Screen INPUT_PATH again and report what changed since the previous run.

    An accepted false positive stays cleared unless its list entry changed. Writes
    results.reviewed.parquet, hits.reviewed.parquet, changes.parquet and rescreen.json
    beside this run's results.
    """
    import json

    from bulkscreen.rescreen import rescreen_persons
    from bulkscreen.run.screening import run_persons

    # Screening runs on the engine asked for; carrying reviews forward reads its merged
    # outputs, which are the same files on every engine.
    summary = run.screen(run_persons, input_path, _as_of(as_of))
    report = rescreen_persons(run.out_dir, previous_dir, decisions_file)
    if not run.quiet:
        click.echo(json.dumps(report.summary, indent=2, default=str))
    run.finish(summary)


@rescreen_group.command("shipments")
@click.argument("input_path", type=click.Path(exists=True, path_type=Path))
@click.option("--previous", "previous_dir", type=click.Path(exists=True, file_okay=False,
              path_type=Path), required=True, help="Folder of the previous run.")
@click.option("--decisions", "decisions_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Reviewed hits (Parquet, CSV or the .xlsx review queue) "
              "with review_decision filled in (default: the previous run's reviewed hits).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Screening date "
              "(default today).")
@run_options
def rescreen_shipments_command(input_path: Path, previous_dir: Path,
                               decisions_file: Path | None, as_of: dt.datetime | None,
                               run: RunOptions) -> None:
    """Screen shipment lines again and carry the previous run's reviews forward.

    A party match cleared as false_positive stays cleared unless its list entry changed; one
    confirmed as true_match decides what it said it would if confirmed. Writes
    results.reviewed.parquet, hits.reviewed.parquet, changes.parquet and rescreen.json beside
    this run's results.
    """
    import json

    from bulkscreen.rescreen import rescreen_shipments
    from bulkscreen.run.screening import run_shipments

    summary = run.screen(run_shipments, input_path, _as_of(as_of))
    report = rescreen_shipments(run.out_dir, previous_dir, decisions_file)
    if not run.quiet:
        click.echo(json.dumps(report.summary, indent=2, default=str))
    run.finish(summary)


COMMANDS = [screen_group, audit_group, rescreen_group]
