"""A progress bar for long runs: rich, on stderr, silent when stderr is not a terminal.

It shows rows done with thousands separators, the rate in rows per second and the time left.
Formats that tell their row count up front (Parquet, Excel) are measured in rows; CSV and JSON
Lines, which do not, are measured in bytes of the file behind the rows screened (not the bytes
the reader has read ahead), so the share done and the time left are known for them too.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class RowProgress(Protocol):
    """Something told how many rows were just processed."""

    def advance(self, rows: int, bytes_done: int | None = None) -> None:
        """Record ``rows`` more rows done and, for a byte-measured bar, the bytes behind them."""


class _Silent:
    def advance(self, rows: int, bytes_done: int | None = None) -> None:
        pass


class _RichRows:
    def __init__(self, progress: object, task: object, by_bytes: bool):
        self._progress = progress
        self._task = task
        self._by_bytes = by_bytes
        self._rows = 0
        self._started = time.perf_counter()

    def advance(self, rows: int, bytes_done: int | None = None) -> None:
        self._rows += rows
        rate = self._rows / max(time.perf_counter() - self._started, 1e-9)
        fields = {"rows": f"{self._rows:,}", "rate": f"{rate:,.0f}"}
        if self._by_bytes and bytes_done is not None:
            self._progress.update(self._task, completed=bytes_done,  # type: ignore[attr-defined]
                                  **fields)
        else:
            self._progress.update(self._task, advance=rows, **fields)  # type: ignore[attr-defined]


@contextmanager
def row_progress(description: str, total_rows: int | None, enabled: bool = True,
                 total_bytes: int | None = None) -> Iterator[RowProgress]:
    """Show rows done, rows per second and time left on stderr.

    Parameters
    ----------
    description
        Label, e.g. the input file name.
    total_rows
        Rows expected, or None when the format does not tell (CSV, JSONL).
    enabled
        False to stay silent; also silent when stderr is not a terminal.
    total_bytes
        Size of the input when ``total_rows`` is unknown: the bar then measures bytes read
        (pass them to ``advance``).

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
        Progress,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    if not console.is_terminal:
        yield _Silent()
        return
    by_bytes = total_rows is None and total_bytes is not None
    done = (TextColumn("{task.fields[rows]} rows") if by_bytes
            else TextColumn("{task.fields[rows]} of {task.fields[total_rows]} rows"))
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TaskProgressColumn(), done, TextColumn("{task.fields[rate]} rows/s"),
               TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(
            description, total=total_bytes if by_bytes else total_rows, rows="0", rate="0",
            total_rows=f"{total_rows:,}" if total_rows is not None else "?")
        yield _RichRows(progress, task, by_bytes)
