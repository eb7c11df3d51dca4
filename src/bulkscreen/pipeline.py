"""The batch loop: read and validate, screen each batch, stream results out, write the manifest.

The loop knows nothing of screening: it calls ``screen_batch`` (a pure function of one
validated batch, returning RESULTS rows and HITS rows), so an engine can run the same function
on fragments elsewhere. Outputs in ``out_dir``: ``results.parquet``, ``hits.parquet``,
``quarantine.parquet`` and ``run.json``, which is written last and marks a finished run.
Every run guarantees ``input_rows == result_rows + quarantined_rows``; if a screening
function breaks that, the run fails and leaves no outputs. The pieces of the loop
(:func:`screen_batches`, :func:`seal_run`, :func:`publish_run`) are shared with the
distributed engine, so both check rows and write the manifest the same way.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.columns import HITS, RESULTS, Table
from bulkscreen.config import RunConfig
from bulkscreen.errors import EngineError, Location, OutputError
from bulkscreen.io.quarantine import QuarantineSink
from bulkscreen.io.readers import open_batches
from bulkscreen.io.writers import ParquetStreamWriter
from bulkscreen.manifest import FOOTER_KEY, build_manifest, fingerprint_input
from bulkscreen.progress import row_progress

ScreenBatch = Callable[[pa.RecordBatch], tuple[pa.RecordBatch, pa.RecordBatch]]
"""A pure per-batch screening function: validated input batch -> (RESULTS rows, HITS rows)."""

RESULTS_FILE = "results.parquet"
HITS_FILE = "hits.parquet"
QUARANTINE_FILE = "quarantine.parquet"
MANIFEST_FILE = "run.json"


@dataclass
class RunSummary:
    """What a finished run produced."""

    input_rows: int
    result_rows: int
    quarantined_rows: int
    hit_rows: int
    decisions: dict[str, int]
    results_path: Path
    hits_path: Path
    quarantine_path: Path
    manifest_path: Path
    manifest: dict[str, Any] = field(repr=False)
    seconds: float


def _prepare_out_dir(out_dir: Path, overwrite: bool) -> None:
    finished = [out_dir / n for n in (MANIFEST_FILE, RESULTS_FILE, HITS_FILE, QUARANTINE_FILE)
                if (out_dir / n).exists()]
    if finished and not overwrite:
        raise OutputError("the output folder already holds a run",
                          Location(file=str(finished[0])),
                          "choose another --out folder, or pass --overwrite to replace it")
    out_dir.mkdir(parents=True, exist_ok=True)
    # Remove the finished-run marker first: a failed rerun must not look finished.
    (out_dir / MANIFEST_FILE).unlink(missing_ok=True)


def _write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    os.replace(partial, path)


def run_pipeline(
    input_path: Path,
    table: Table,
    screen_batch: ScreenBatch,
    out_dir: Path,
    config: RunConfig,
    manifest_extra: dict[str, Any] | None = None,
    progress: bool = True,
    overwrite: bool = False,
    fmt: str | None = None,
    results_table: Table = RESULTS,
) -> RunSummary:
    """Screen one input file batch by batch and write results, hits, quarantine and manifest.

    Parameters
    ----------
    input_path
        Input file (or Parquet folder); see :func:`bulkscreen.io.readers.open_batches`.
    table
        Its format, e.g. ``columns.SHIPMENTS``.
    screen_batch
        Pure function: validated batch -> (RESULTS rows, HITS rows). It must return exactly
        one RESULTS row per input row.
    out_dir
        Output folder.
    config
        Run configuration (batch size, column map, encoding; hashed into the manifest).
    manifest_extra
        Recorded in the manifest: keys ``algorithms``, ``lists`` and ``rules`` go to their
        own sections, anything else under ``extra``.
    progress
        Show a progress bar on stderr when it is a terminal.
    overwrite
        Replace a finished run already in ``out_dir``.
    fmt
        Input format when the extension does not tell.
    results_table
        Format of the results file: RESULTS, or a format that extends it (the audit's).

    Returns
    -------
    RunSummary

    Raises
    ------
    InputError
        The input cannot be read (nothing is written).
    OutputError
        ``out_dir`` holds a finished run and ``overwrite`` is False.
    EngineError
        ``screen_batch`` lost or invented rows; no outputs are left.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    _prepare_out_dir(out_dir, overwrite)
    tally = BatchTally()
    paths = output_paths(out_dir)
    with ExitStack() as stack:
        quarantine = stack.enter_context(QuarantineSink(paths["quarantine"]))
        stream = open_batches(input_path, table, config.column_map, config.encoding,
                              config.batch_size, quarantine, fmt)
        results = stack.enter_context(
            ParquetStreamWriter(paths["results"], results_table.arrow_schema()))
        hits = stack.enter_context(ParquetStreamWriter(paths["hits"], HITS.arrow_schema()))
        bar = stack.enter_context(row_progress(Path(input_path).name, stream.total_rows,
                                               progress))
        rows_shown = 0

        def show_progress() -> None:
            nonlocal rows_shown
            bar.advance(stream.rows_read - rows_shown)
            rows_shown = stream.rows_read

        screen_batches(stream, screen_batch, results, hits, tally, str(input_path),
                       on_batch=show_progress)
        counts = {"input_rows": stream.rows_read, "result_rows": results.rows,
                  "quarantined_rows": quarantine.rows, "hit_rows": hits.rows}
        manifest = seal_run(
            (results, hits, quarantine), out_dir=out_dir, input_path=Path(input_path),
            table=table, config=config, counts=counts, tally=tally,
            reading={"format": stream.format, "encoding": stream.encoding,
                     "header": stream.header, "sources": stream.sources,
                     "ignored_columns": stream.ignored_columns},
            manifest_extra=manifest_extra, started=started)
    return publish_run(out_dir, counts, manifest, started)


@dataclass
class BatchTally:
    """Running totals of a batch loop: seconds per stage and result rows per decision."""

    timings: dict[str, float] = field(
        default_factory=lambda: {"read": 0.0, "screen": 0.0, "write": 0.0})
    decisions: Counter[str] = field(default_factory=Counter)


def output_paths(out_dir: Path) -> dict[str, Path]:
    """The results, hits and quarantine files of a run in ``out_dir``."""
    return {"results": out_dir / RESULTS_FILE, "hits": out_dir / HITS_FILE,
            "quarantine": out_dir / QUARANTINE_FILE}


def screen_batches(stream: Iterator[pa.RecordBatch], screen_batch: ScreenBatch,
                   results: ParquetStreamWriter,
                   hits: ParquetStreamWriter, tally: BatchTally, input_name: str,
                   where: str = "", on_batch: Callable[[], None] | None = None) -> None:
    """Read, screen and write every batch of ``stream``, checking one result row per input row.

    Parameters
    ----------
    stream
        Validated input batches (rejected rows already went to the quarantine).
    screen_batch
        The pure per-batch screening function.
    results, hits
        Open writers for the RESULTS and HITS rows.
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
        ``screen_batch`` returned a different number of result rows than it was given.
    """
    timings = tally.timings
    while True:
        tick = time.perf_counter()
        batch = next(stream, None)
        timings["read"] += time.perf_counter() - tick
        if batch is None:
            return
        tick = time.perf_counter()
        result_rows, hit_rows = screen_batch(batch)
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
        timings["write"] += time.perf_counter() - tick
        if on_batch is not None:
            on_batch()


def seal_run(writers: Iterable[ParquetStreamWriter | QuarantineSink], *, out_dir: Path,
             input_path: Path, table: Table, config: RunConfig, counts: dict[str, int],
             tally: BatchTally, reading: dict[str, Any], manifest_extra: dict[str, Any] | None,
             started: float, engine: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check ``input = results + quarantined``, build the manifest and put it in every footer.

    Call it while ``writers`` (results, hits, quarantine) are still open, as footers are
    written at close; then :func:`publish_run` once they are closed.

    Parameters
    ----------
    writers
        The open results, hits and quarantine writers.
    out_dir, input_path, table, config, manifest_extra
        As for :func:`run_pipeline`.
    counts
        ``input_rows``, ``result_rows``, ``quarantined_rows`` and ``hit_rows``.
    tally
        Timings and decisions of the run; ``total`` is added to its timings.
    reading
        How the input was read (format, encoding, header, sources, ignored columns).
    started
        ``time.perf_counter()`` at the start of the run.
    engine
        Recorded as ``extra.engine`` when given.

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    EngineError
        Rows were lost or invented.
    """
    if counts["input_rows"] != counts["result_rows"] + counts["quarantined_rows"]:
        raise EngineError(
            f"rows lost: {counts['input_rows']} read, {counts['result_rows']} "
            f"results + {counts['quarantined_rows']} quarantined",
            Location(file=str(input_path)), "report this as a bug; no outputs were kept")
    extra = dict(manifest_extra or {})
    if engine is not None:
        extra["engine"] = engine
    tally.timings["total"] = time.perf_counter() - started
    manifest = build_manifest(
        config=config, table=table, inputs=fingerprint_input(input_path),
        counts=counts, decisions=dict(sorted(tally.decisions.items())),
        timings=tally.timings, reading=reading,
        outputs={k: p.name for k, p in output_paths(out_dir).items()}
        | {"manifest": MANIFEST_FILE},
        algorithms=extra.pop("algorithms", None), lists=extra.pop("lists", None),
        rules=extra.pop("rules", None), extra=extra)
    footer = {FOOTER_KEY: json.dumps(manifest, ensure_ascii=False)}
    for writer in writers:
        writer.set_metadata(footer)
    return manifest


def publish_run(out_dir: Path, counts: dict[str, int], manifest: dict[str, Any],
                started: float) -> RunSummary:
    """Write ``run.json`` (last: it marks a finished run) and return the run's summary.

    Parameters
    ----------
    out_dir
        Output folder, whose results, hits and quarantine files are closed.
    counts
        The counts given to :func:`seal_run`.
    manifest
        What :func:`seal_run` returned.
    started
        ``time.perf_counter()`` at the start of the run.

    Returns
    -------
    RunSummary
    """
    _write_json_atomically(out_dir / MANIFEST_FILE, manifest)
    paths = output_paths(out_dir)
    return RunSummary(
        input_rows=counts["input_rows"], result_rows=counts["result_rows"],
        quarantined_rows=counts["quarantined_rows"], hit_rows=counts["hit_rows"],
        decisions=manifest["decisions"], results_path=paths["results"],
        hits_path=paths["hits"], quarantine_path=paths["quarantine"],
        manifest_path=out_dir / MANIFEST_FILE, manifest=manifest,
        seconds=time.perf_counter() - started)
