"""The local engine: the batch loop, in this process.

Read and validate a batch, run the job on it, stream its rows out, repeat; then seal the run
(check ``input rows = results + quarantined``, manifest in every footer) and publish it
(``run.json`` last). The loop knows nothing of screening: it calls the job, a pure function of
one validated batch, so the Dask engine runs the same job on fragments elsewhere and shares
:func:`screen_batches` with this loop.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.errors import EngineError, Location
from bulkscreen.io.outdir import (
    OutputPaths,
    RunWriters,
    open_writers,
    prepare_out_dir,
    publish_run,
    seal_run,
)
from bulkscreen.io.readers import open_batches
from bulkscreen.progress import row_progress
from bulkscreen.run.spec import RunSpec, RunSummary, ScreenBatch


@dataclass
class BatchTally:
    """Running totals of a batch loop: seconds per stage and result rows per decision."""

    timings: dict[str, float] = field(
        default_factory=lambda: {"read": 0.0, "screen": 0.0, "write": 0.0})
    decisions: Counter[str] = field(default_factory=Counter)


class LocalEngine:
    """Screen batch by batch in the calling process (the default engine)."""

    name = "local"

    def run(self, spec: RunSpec, job: ScreenBatch) -> RunSummary:
        """Screen ``spec.input_path`` with ``job``; write results, hits, quarantine, run.json.

        Parameters
        ----------
        spec
            What to read and write, and what the manifest records.
        job
            Pure function: validated batch -> (RESULTS rows, HITS rows). It must return
            exactly one RESULTS row per input row.

        Returns
        -------
        RunSummary

        Raises
        ------
        InputError
            The input cannot be read (nothing is written).
        OutputError
            ``out_dir`` holds a finished run and ``spec.overwrite`` is False.
        EngineError
            ``job`` lost or invented rows; no outputs are left.
        """
        started = time.perf_counter()
        use_lean_memory_pool()
        out_dir = Path(spec.out_dir)
        prepare_out_dir(out_dir, spec.overwrite)
        tally = BatchTally()
        config = spec.config
        with ExitStack() as stack:
            writers = open_writers(stack, OutputPaths.of_folder(out_dir), spec.results_table)
            stream = open_batches(spec.input_path, spec.table, config.column_map,
                                  config.encoding, config.batch_size, writers.quarantine,
                                  spec.fmt, config.limit)
            size = stream.progress_bytes
            bar = stack.enter_context(row_progress(Path(spec.input_path).name,
                                                   stream.total_rows, spec.progress,
                                                   total_bytes=size[1] if size else None))
            rows_shown = 0

            def show_progress() -> None:
                nonlocal rows_shown
                done = stream.progress_bytes
                bar.advance(stream.rows_read - rows_shown, done[0] if done else None)
                rows_shown = stream.rows_read

            screen_batches(stream, job, writers, tally, str(spec.input_path),
                           on_batch=show_progress)
            counts = {"input_rows": stream.rows_read, "result_rows": writers.results.rows,
                      "quarantined_rows": writers.quarantine.rows,
                      "hit_rows": writers.hits.rows}
            tally.timings["total"] = time.perf_counter() - started
            manifest = seal_run(
                writers.all(), out_dir=out_dir, input_path=Path(spec.input_path),
                table=spec.table, config=config, counts=counts, decisions=tally.decisions,
                timings=tally.timings,
                reading={"format": stream.format, "encoding": stream.encoding,
                         "header": stream.header, "sources": stream.sources,
                         "ignored_columns": stream.ignored_columns},
                manifest_extra=spec.manifest_extra() | {"engine": {"name": self.name}})
        manifest_path = publish_run(out_dir, manifest)
        return RunSummary.of_run(out_dir, counts, manifest, manifest_path,
                                 time.perf_counter() - started)


def use_lean_memory_pool() -> str:
    """Allocate Arrow memory from jemalloc where pyarrow has it, unless the user chose a pool.

    Each batch allocates and frees a few hundred MB of Arrow buffers. The default pool
    (mimalloc) kept much of what was freed and a run's resident memory rose with it, about
    150 MB above jemalloc's at the peak of an audit, at the same speed.
    ``ARROW_DEFAULT_MEMORY_POOL`` set in the environment is left as it is.

    Returns
    -------
    str
        The name of the pool in use.
    """
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        # A pyarrow built without jemalloc keeps its default.
        with contextlib.suppress(NotImplementedError):
            pa.set_memory_pool(pa.jemalloc_memory_pool())
    return pa.default_memory_pool().backend_name


def screen_batches(stream: Iterator[pa.RecordBatch], job: ScreenBatch, writers: RunWriters,
                   tally: BatchTally, input_name: str, where: str = "",
                   on_batch: Callable[[], None] | None = None) -> None:
    """Read, screen and write every batch of ``stream``, checking one result row per input row.

    Parameters
    ----------
    stream
        Validated input batches (rejected rows already went to the quarantine).
    job
        The pure per-batch screening job.
    writers
        The open writers; RESULTS and HITS rows go to ``writers.results`` and ``.hits``.
    tally
        Totals to add this stream's timings and decisions to.
    input_name
        The input file, for errors.
    where
        Appended to the error message, e.g. ``" in fragment 3"``.
    on_batch
        Called after each batch is written (progress).

    Raises
    ------
    EngineError
        ``job`` returned a different number of result rows than it was given.
    """
    timings = tally.timings
    results, hits = writers.results, writers.hits
    while True:
        tick = time.perf_counter()
        batch = next(stream, None)
        timings["read"] += time.perf_counter() - tick
        if batch is None:
            return
        tick = time.perf_counter()
        result_rows, hit_rows = job(batch)
        timings["screen"] += time.perf_counter() - tick
        if result_rows.num_rows != batch.num_rows:
            raise EngineError(
                f"screening returned {result_rows.num_rows} result rows for "
                f"{batch.num_rows} input rows{where}", Location(file=input_name),
                "the screening function must return one result row per input row")
        tick = time.perf_counter()
        results.write_batch(result_rows)
        hits.write_batch(hit_rows)
        counts = pc.value_counts(result_rows.column("decision"))
        tally.decisions.update({str(v["values"]): int(v["counts"])
                                for v in counts.to_pylist()})
        # Written: let go of this batch's rows now, or they stay alive (a few hundred MB for
        # an audit batch) while the next batch is read and screened beside them.
        del batch, result_rows, hit_rows, counts
        timings["write"] += time.perf_counter() - tick
        if on_batch is not None:
            on_batch()
