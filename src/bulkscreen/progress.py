"""A progress bar for long runs: rich, on stderr, silent when stderr is not a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class RowProgress(Protocol):
    """Something told how many rows were just processed."""

    def advance(self, rows: int) -> None:
        """Record ``rows`` more rows done."""


class _Silent:
    def advance(self, rows: int) -> None:
        pass


class _RichRows:
    def __init__(self, progress: object, task: object):
        self._progress = progress
        self._task = task

    def advance(self, rows: int) -> None:
        self._progress.advance(self._task, rows)  # type: ignore[attr-defined]


@contextmanager
def row_progress(description: str, total_rows: int | None, enabled: bool = True
                 ) -> Iterator[RowProgress]:
    """Show rows done (and the share of ``total_rows`` when known) on stderr.

    Parameters
    ----------
    description
        Label, e.g. the input file name.
    total_rows
        Rows expected, or None when the format does not tell (CSV, JSONL).
    enabled
        False to stay silent; also silent when stderr is not a terminal.

    Yields
    ------
    RowProgress
    """
    if not enabled:
        yield _Silent()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    if not console.is_terminal:
        yield _Silent()
        return
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TextColumn("rows"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(description, total=total_rows)
        yield _RichRows(progress, task)
