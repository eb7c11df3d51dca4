"""``bulkscreen report``: the HTML report of a run, and its review queue as a spreadsheet.

``bulkscreen report RUN_DIR`` is short for ``bulkscreen report html RUN_DIR``.
"""

from __future__ import annotations

from pathlib import Path

import click


class _DefaultToHtml(click.Group):
    """A group whose first argument, when not a subcommand, is the run folder for ``html``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["html", *args]
        return super().parse_args(ctx, args)


_RUN_DIR = click.argument("run_dir", type=click.Path(exists=True, file_okay=False,
                                                     path_type=Path))


@click.group("report", cls=_DefaultToHtml)
def report_group() -> None:
    """Reports of a finished run: `report RUN_DIR` (HTML) or `report review RUN_DIR`."""


@report_group.command("html")
@_RUN_DIR
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="HTML file to write [default: RUN_DIR/report.html].")
def html(run_dir: Path, out: Path | None) -> None:
    """One self-contained HTML file: counts, charts, top findings and the run manifest."""
    from bulkscreen.report.html import write_run_report

    click.echo(f"wrote {write_run_report(run_dir, out)}")


@report_group.command("review")
@_RUN_DIR
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Spreadsheet to write [default: RUN_DIR/review.xlsx].")
@click.option("--findings", default=None,
              help="Comma-separated kinds of finding to include, e.g. 'party' "
                   "[default: all].")
def review(run_dir: Path, out: Path | None, findings: str | None) -> None:
    """The review queue as a spreadsheet with a review_decision drop-down column."""
    from bulkscreen.report.review import write_review_sheet

    kinds = [k.strip() for k in findings.split(",") if k.strip()] if findings else None
    notes: list[str] = []
    path, rows = write_review_sheet(run_dir, out or run_dir / "review.xlsx", findings=kinds,
                                    warn=lambda text: click.echo(f"warning: {text}", err=True),
                                    note=notes.append)
    click.echo(f"wrote {rows} rows to review to {path}")
    for text in notes:
        click.echo(f"  {text}")


COMMANDS = [report_group]
