"""The batch loop: read and validate, screen each batch, stream results out, write the manifest.

The loop knows nothing of screening: it calls ``screen_batch`` (a pure function of one
validated batch, returning RESULTS rows and HITS rows), so an engine can run the same function
on fragments elsewhere. Outputs in ``out_dir``: ``results.parquet``, ``hits.parquet``,
``quarantine.parquet`` and ``run.json``, which is written last and marks a finished run.
Every run guarantees ``input_rows == result_rows + quarantined_rows``; if a screening
function breaks that, the run fails and leaves no outputs.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable
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
    extra = dict(manifest_extra or {})
    timings = {"read": 0.0, "screen": 0.0, "write": 0.0}
    decisions: Counter[str] = Counter()
    paths = {"results": out_dir / RESULTS_FILE, "hits": out_dir / HITS_FILE,
             "quarantine": out_dir / QUARANTINE_FILE}
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
        while True:
            tick = time.perf_counter()
            batch = next(stream, None)
            timings["read"] += time.perf_counter() - tick
            if batch is None:
                break
            tick = time.perf_counter()
            result_rows, hit_rows = screen_batch(batch)
            timings["screen"] += time.perf_counter() - tick
            if result_rows.num_rows != batch.num_rows:
                raise EngineError(
                    f"screening returned {result_rows.num_rows} result rows for "
                    f"{batch.num_rows} input rows", Location(file=str(input_path)),
                    "the screening function must return one result row per input row")
            tick = time.perf_counter()
            results.write_batch(result_rows)
            hits.write_batch(hit_rows)
            counts = pc.value_counts(result_rows.column("decision"))
            decisions.update({str(v["values"]): int(v["counts"]) for v in counts.to_pylist()})
            timings["write"] += time.perf_counter() - tick
            bar.advance(stream.rows_read - rows_shown)
            rows_shown = stream.rows_read
        counts_out = {"input_rows": stream.rows_read, "result_rows": results.rows,
                      "quarantined_rows": quarantine.rows, "hit_rows": hits.rows}
        if counts_out["input_rows"] != counts_out["result_rows"] + counts_out["quarantined_rows"]:
            raise EngineError(
                f"rows lost: {counts_out['input_rows']} read, {counts_out['result_rows']} "
                f"results + {counts_out['quarantined_rows']} quarantined",
                Location(file=str(input_path)), "report this as a bug; no outputs were kept")
        timings["total"] = time.perf_counter() - started
        manifest = build_manifest(
            config=config, table=table, inputs=fingerprint_input(Path(input_path)),
            counts=counts_out, decisions=dict(sorted(decisions.items())), timings=timings,
            reading={"format": stream.format, "encoding": stream.encoding,
                     "header": stream.header, "sources": stream.sources,
                     "ignored_columns": stream.ignored_columns},
            outputs={k: p.name for k, p in paths.items()} | {"manifest": MANIFEST_FILE},
            algorithms=extra.pop("algorithms", None), lists=extra.pop("lists", None),
            rules=extra.pop("rules", None), extra=extra)
        footer = {FOOTER_KEY: json.dumps(manifest, ensure_ascii=False)}
        for writer in (results, hits, quarantine):
            writer.set_metadata(footer)
    _write_json_atomically(out_dir / MANIFEST_FILE, manifest)
    return RunSummary(
        input_rows=counts_out["input_rows"], result_rows=counts_out["result_rows"],
        quarantined_rows=counts_out["quarantined_rows"], hit_rows=counts_out["hit_rows"],
        decisions=manifest["decisions"], results_path=paths["results"],
        hits_path=paths["hits"], quarantine_path=paths["quarantine"],
        manifest_path=out_dir / MANIFEST_FILE, manifest=manifest,
        seconds=time.perf_counter() - started)
