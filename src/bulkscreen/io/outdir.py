"""The output folder of a run: its file names, writers, manifest and the marker of a finished run.

Every engine writes the same folder: ``results.parquet``, ``hits.parquet`` and
``quarantine.parquet`` stream in under temporary names (:class:`ParquetStreamWriter`),
:func:`seal_run` checks ``input rows = results + quarantined`` and puts the manifest in every
footer while they are still open, and :func:`publish_run` writes ``run.json`` last, once they are
closed: a folder with ``run.json`` holds a finished run, and one without it holds none.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulkscreen.columns import HITS, QUARANTINE, Table
from bulkscreen.config import RunConfig
from bulkscreen.errors import EngineError, Location, OutputError
from bulkscreen.io.quarantine import QuarantineSink
from bulkscreen.io.writers import ParquetStreamWriter
from bulkscreen.manifest import FOOTER_KEY, build_manifest, fingerprint_input

RESULTS_FILE = "results.parquet"
HITS_FILE = "hits.parquet"
QUARANTINE_FILE = "quarantine.parquet"
MANIFEST_FILE = "run.json"
RUN_FILES = (MANIFEST_FILE, RESULTS_FILE, HITS_FILE, QUARANTINE_FILE)
"""Files of a finished run; ``run.json`` is written last."""


@dataclass(frozen=True)
class OutputPaths:
    """Where a run (or one fragment of it) writes its results, hits and quarantine."""

    results: Path
    hits: Path
    quarantine: Path

    @classmethod
    def of_folder(cls, out_dir: Path) -> OutputPaths:
        """The standard file names in ``out_dir``."""
        return cls(results=out_dir / RESULTS_FILE, hits=out_dir / HITS_FILE,
                   quarantine=out_dir / QUARANTINE_FILE)

    def names(self) -> dict[str, str]:
        """File name per kind, as the manifest records them."""
        return {"results": self.results.name, "hits": self.hits.name,
                "quarantine": self.quarantine.name}


@dataclass(frozen=True)
class RunWriters:
    """The open writers of a run's three Parquet files."""

    results: ParquetStreamWriter
    hits: ParquetStreamWriter
    quarantine: QuarantineSink | ParquetStreamWriter

    def all(self) -> tuple[ParquetStreamWriter | QuarantineSink, ...]:
        """Every writer, for sealing."""
        return (self.results, self.hits, self.quarantine)


def open_writers(stack: ExitStack, paths: OutputPaths, results_table: Table,
                 raw_quarantine: bool = False) -> RunWriters:
    """Open the results, hits and quarantine writers on ``stack``.

    Parameters
    ----------
    stack
        Closes the writers: each file is renamed into place only if the block ends normally.
    paths
        Where to write.
    results_table
        Format of the results file (RESULTS, or one that extends it).
    raw_quarantine
        Open the quarantine as a plain Parquet writer, for appending finished parts, instead
        of a :class:`~bulkscreen.io.quarantine.QuarantineSink` for rejected rows.

    Returns
    -------
    RunWriters
    """
    quarantine: QuarantineSink | ParquetStreamWriter
    if raw_quarantine:
        quarantine = ParquetStreamWriter(paths.quarantine, QUARANTINE.arrow_schema())
    else:
        quarantine = QuarantineSink(paths.quarantine)
    quarantine = stack.enter_context(quarantine)
    results = stack.enter_context(ParquetStreamWriter(paths.results,
                                                      results_table.arrow_schema()))
    hits = stack.enter_context(ParquetStreamWriter(paths.hits, HITS.arrow_schema()))
    return RunWriters(results=results, hits=hits, quarantine=quarantine)


def prepare_out_dir(out_dir: Path, overwrite: bool) -> None:
    """Create ``out_dir``, refusing to replace a finished run unless ``overwrite``.

    Raises
    ------
    OutputError
        ``out_dir`` holds run files and ``overwrite`` is False.
    """
    finished = [out_dir / name for name in RUN_FILES if (out_dir / name).exists()]
    if finished and not overwrite:
        raise OutputError("the output folder already holds a run",
                          Location(file=str(finished[0])),
                          "choose another --out folder, or pass --overwrite to replace it")
    out_dir.mkdir(parents=True, exist_ok=True)
    # Remove the finished-run marker first: a failed rerun must not look finished.
    (out_dir / MANIFEST_FILE).unlink(missing_ok=True)


def write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` as JSON to ``path`` through a temporary file and a rename."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    os.replace(partial, path)


def seal_run(  # noqa: PLR0913 - one keyword-only argument per manifest section
        writers: Iterable[ParquetStreamWriter | QuarantineSink], *, out_dir: Path,
             input_path: Path, table: Table, config: RunConfig, counts: dict[str, int],
             decisions: dict[str, int], timings: dict[str, float], reading: dict[str, Any],
             manifest_extra: dict[str, Any]) -> dict[str, Any]:
    """Check ``input = results + quarantined``, build the manifest and put it in every footer.

    Call it while ``writers`` are still open, as footers are written at close; then
    :func:`publish_run` once they are closed.

    Parameters
    ----------
    writers
        The open results, hits and quarantine writers.
    out_dir
        The run's output folder.
    input_path, table, config
        The input, its format and the run configuration.
    counts
        ``input_rows``, ``result_rows``, ``quarantined_rows`` and ``hit_rows``.
    decisions
        Result rows per decision.
    timings
        Seconds per stage, ``total`` included.
    reading
        How the input was read (format, encoding, header, sources, ignored columns).
    manifest_extra
        Keys ``algorithms``, ``lists`` and ``rules`` go to their own sections, anything else
        under ``extra``.

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
    extra = dict(manifest_extra)
    manifest = build_manifest(
        config=config, table=table, inputs=fingerprint_input(input_path),
        counts=counts, decisions=dict(sorted(decisions.items())),
        timings=timings, reading=reading,
        outputs=OutputPaths.of_folder(out_dir).names() | {"manifest": MANIFEST_FILE},
        algorithms=extra.pop("algorithms", None), lists=extra.pop("lists", None),
        rules=extra.pop("rules", None), extra=extra)
    footer = {FOOTER_KEY: json.dumps(manifest, ensure_ascii=False)}
    for writer in writers:
        writer.set_metadata(footer)
    return manifest


def publish_run(out_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write ``run.json``, which marks a finished run; return its path.

    Call it once the results, hits and quarantine files are closed (renamed into place).
    """
    path = out_dir / MANIFEST_FILE
    write_json_atomically(path, manifest)
    return path
