"""The task a worker runs: read, validate and screen one fragment, writing its own part files.

It is the local batch loop applied to one fragment. Each attempt writes under names unique to
the attempt, so a retried or re-run fragment never mixes with the parts of an attempt that
died; the client merges only the names an attempt returned. Input problems (a
:class:`~bulkscreen.errors.BulkscreenError`) come back inside the outcome instead of being
raised, because they would fail the same way on every retry.
"""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from bulkscreen.columns import Table
from bulkscreen.engines.fragments import Fragment, FragmentSource
from bulkscreen.engines.local import BatchTally, screen_batches
from bulkscreen.errors import BulkscreenError
from bulkscreen.io.headers import HeaderMatch
from bulkscreen.io.outdir import OutputPaths, open_writers
from bulkscreen.io.readers import BatchStream
from bulkscreen.run.spec import ScreenBatch

PART_KINDS = ("results", "hits", "quarantine")


@dataclass(frozen=True)
class FragmentTask:
    """Everything a worker needs besides the job: what to read and where to write."""

    fragment: Fragment
    table: Table
    results_table: Table
    match: HeaderMatch
    header: tuple[str, ...]
    fmt: str
    batch_size: int
    input_name: str
    parts_dir: str


@dataclass
class FragmentOutcome:
    """What one attempt at a fragment produced.

    Attributes
    ----------
    index
        The fragment's index.
    rows_read, result_rows, quarantined_rows, hit_rows
        Row counts of the fragment.
    decisions
        Result rows per decision.
    parts
        Part file per kind (``results``, ``hits``, ``quarantine``), in ``parts_dir``.
    timings
        Seconds spent reading, screening and writing.
    error
        An input or screening error; when set, nothing else is meaningful.
    """

    index: int
    rows_read: int = 0
    result_rows: int = 0
    quarantined_rows: int = 0
    hit_rows: int = 0
    decisions: dict[str, int] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    error: BulkscreenError | None = None


def screen_fragment(job: ScreenBatch, task: FragmentTask) -> FragmentOutcome:
    """Screen one fragment with ``job`` and write its results, hits and quarantine parts.

    Parameters
    ----------
    job
        The pure per-batch screening function (the same one the local engine runs).
    task
        The fragment and how to read and write it.

    Returns
    -------
    FragmentOutcome
        Counts and part names, or the input/screening error that stopped it.
    """
    index = task.fragment.index
    try:
        return _screen(job, task)
    except BulkscreenError as exc:
        return FragmentOutcome(index=index, error=exc)


def _screen(job: ScreenBatch, task: FragmentTask) -> FragmentOutcome:
    fragment = task.fragment
    attempt = uuid.uuid4().hex[:12]
    parts = {kind: f"{kind}-{fragment.index:05d}-{attempt}.parquet" for kind in PART_KINDS}
    folder = Path(task.parts_dir)
    paths = OutputPaths(**{kind: folder / name for kind, name in parts.items()})
    tally = BatchTally()
    with ExitStack() as stack:
        writers = open_writers(stack, paths, task.results_table)
        source = FragmentSource(fragment, list(task.header), task.batch_size, task.input_name)
        stream = BatchStream(Path(task.input_name), task.table, task.fmt, source, task.match,
                             writers.quarantine)
        screen_batches(stream, job, writers, tally, task.input_name,
                       where=f" in {fragment.describe()}")
    return FragmentOutcome(index=fragment.index, rows_read=stream.rows_read,
                           result_rows=writers.results.rows,
                           quarantined_rows=writers.quarantine.rows,
                           hit_rows=writers.hits.rows, decisions=dict(tally.decisions),
                           parts=parts, timings=tally.timings)
