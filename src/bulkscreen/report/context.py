"""The input rows behind a run's findings, read back from the input its manifest names.

A reviewer deciding on a finding needs the shipment (date, destination, item, HS code, value)
or the person (nationalities, entry date, visit, host, technology) it is about. Results and
hits keep only keys, so :func:`input_context` reads the input again, through the same mapping
and validation as the run, keeping only the rows asked for. An input that has moved or changed
since the run gives no context, and says why.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import polars as pl
import pyarrow as pa

CONTEXT_COLUMNS = {
    "shipments": ("shipment_date", "destination_country", "hs_code", "item_description",
                  "value_jpy", "quantity", "declared_control_entry", "declared_end_use",
                  "consignee_name", "end_user_name"),
    "persons": ("full_name", "nationalities", "date_of_birth", "entry_date", "employer_in_japan",
                "visit_start", "visit_end", "host_department", "research_area",
                "controlled_technology"),
}
"""Input columns shown beside each finding, per input format; prefixed ``input_`` there."""


def input_context(run_dir: Path, input_rows: Iterable[int]) -> tuple[pl.DataFrame | None, str]:
    """Read the context columns of ``input_rows`` from the run's input.

    Parameters
    ----------
    run_dir
        A finished run's folder (its ``run.json`` names the input, format and mapping).
    input_rows
        1-based input row numbers wanted.

    Returns
    -------
    (polars.DataFrame or None, str)
        ``input_row`` and the ``input_<column>`` columns of the rows found, and a note: empty
        when the context was read, else why there is none (no manifest, an input format with no
        context, an input that has moved or changed since the run).
    """
    from bulkscreen.columns import TABLES
    from bulkscreen.errors import BulkscreenError
    from bulkscreen.io.quarantine import QuarantineSink
    from bulkscreen.io.readers import open_batches
    from bulkscreen.manifest import fingerprint_input

    manifest_path = Path(run_dir) / "run.json"
    if not manifest_path.is_file():
        return None, "no run.json, so the input is unknown"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    table_name = manifest.get("table", {}).get("name")
    if table_name not in CONTEXT_COLUMNS:
        return None, f"{table_name} runs carry their context in the input file itself"
    inputs = manifest.get("inputs") or []
    if not inputs:
        return None, "the manifest names no input"
    paths = [item["path"] for item in inputs]
    path = Path(paths[0]) if len(paths) == 1 else Path(os.path.commonpath(paths))
    try:
        same = fingerprint_input(path) == inputs
    except OSError:
        same = False
    if not same:
        return None, f"the input {path} has moved or changed since the run"
    settings = manifest.get("config", {}).get("settings", {})
    wanted = pa.array(sorted(set(input_rows)), pa.int64())
    columns = CONTEXT_COLUMNS[table_name]
    parts = []
    try:
        with tempfile.TemporaryDirectory() as scratch, \
                QuarantineSink(Path(scratch) / "quarantine.parquet") as sink:
            stream = open_batches(path, TABLES[table_name], settings.get("column_map") or {},
                                  settings.get("encoding"), 100_000, sink,
                                  manifest.get("reading", {}).get("format"))
            for batch in stream:
                frame = pl.from_arrow(pa.Table.from_batches([batch]))
                parts.append(frame.filter(pl.col("input_row").is_in(wanted.to_pylist()))
                             .select("input_row", *columns))
    except BulkscreenError as exc:
        return None, f"the input could not be read again ({exc.message})"
    if not parts:
        return None, "the input has no rows"
    context = pl.concat(parts).with_columns(
        [pl.col(c).list.join(", ") for c in columns
         if isinstance(parts[0].schema[c], pl.List) and parts[0].schema[c].inner == pl.String])
    context = context.with_columns(
        [pl.col(c).cast(pl.String) for c in columns if context.schema[c] != pl.String])
    return context.rename({c: f"input_{c}" for c in columns}), ""
