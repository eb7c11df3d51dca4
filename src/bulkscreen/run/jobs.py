"""The per-batch job of each command: compiled data bound to the pure screening functions.

A job takes one validated batch and returns (RESULTS rows, HITS rows). It is a module-level
function bound with :func:`functools.partial`, so any engine can pickle it and run it on a
fragment elsewhere. Jobs only combine the functions of :mod:`bulkscreen.screen` with the data of
:mod:`bulkscreen.run.data`; every decision is made by :func:`bulkscreen.decide.decide`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.columns import AUDIT_RESULTS, HITS
from bulkscreen.config import RunConfig
from bulkscreen.decide import Findings, decide
from bulkscreen.run.data import AuditData, ScreeningData
from bulkscreen.run.spec import ScreenBatch

if TYPE_CHECKING:
    from bulkscreen.screen.parties import PartyEvidence

SHIPMENT_PARTY_COLUMNS = {"consignee_name": "consignee_country",
                          "end_user_name": "end_user_country"}
"""Party name columns of a shipment line -> the column with that party's country."""


def parties_job(batch: pa.RecordBatch, *, data: ScreeningData, config: RunConfig,
                name_columns: list[str], evidence: PartyEvidence, as_of: dt.date
                ) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Screen the name columns of one batch of arbitrary rows (pure)."""
    from bulkscreen.screen.parties import screen_parties_batch

    batch = _fill_record_id(batch)
    matches = screen_parties_batch(batch, data.index, config, name_columns, None, as_of,
                                   data.match_cache, evidence)
    input_row = batch.column("input_row").to_numpy(zero_copy_only=False).astype(np.int64)
    findings = Findings()
    findings.add_hits(matches, rows=_positions(input_row, matches))
    return decide(findings, input_row=input_row, record_id=batch.column("record_id"),
                  as_of=as_of)


def shipments_job(batch: pa.RecordBatch, *, data: ScreeningData, config: RunConfig,
                  as_of: dt.date | None) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Screen one batch of shipment lines: parties first, then items, destinations, measures.

    ``as_of`` None judges each line on its own shipment date.
    """
    from bulkscreen.screen.parties import screen_parties_batch
    from bulkscreen.screen.shipments import screen_shipments_batch

    party_date = as_of or data.as_of
    party_hits = screen_parties_batch(batch, data.index, config, list(SHIPMENT_PARTY_COLUMNS),
                                      SHIPMENT_PARTY_COLUMNS, party_date, data.match_cache)
    party_table = pa.Table.from_batches([party_hits], schema=HITS.arrow_schema())
    return screen_in_chunks(screen_shipments_batch, batch, data.rules, party_table, as_of)


ITEM_CHUNK_ROWS = 25_000
"""Lines classified at a time. Item checks hold lines x entries matrices (rule outcomes,
deciding nodes) and lines x parameters values: chunks keep that memory flat whatever the batch
size, while names are still matched once per (larger) batch."""


def screen_in_chunks(screen: Callable[..., tuple[pa.RecordBatch, pa.RecordBatch]],
                     batch: pa.RecordBatch, rules: Any, party_hits: pa.Table,
                     as_of: dt.date | None, chunk_rows: int = ITEM_CHUNK_ROWS
                     ) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Run the shipment screen on ``chunk_rows`` lines at a time, each with its party hits;
    the same rows as one call on the whole batch."""
    if batch.num_rows <= chunk_rows:
        return screen(batch, rules, party_hits, as_of)
    results, hits = [], []
    hit_rows = party_hits.column("input_row")
    for start in range(0, batch.num_rows, chunk_rows):
        part = batch.slice(start, chunk_rows)
        mine = pc.is_in(hit_rows, value_set=part.column("input_row"))
        part_results, part_hits = screen(part, rules, party_hits.filter(mine), as_of)
        results.append(part_results)
        hits.append(part_hits)
    schema = results[0].schema
    del part_results, part_hits
    return _concat_dropping(results, schema), _concat_dropping(hits, HITS.arrow_schema())


def _concat_dropping(parts: list[pa.RecordBatch], schema: pa.Schema) -> pa.RecordBatch:
    """The rows of ``parts`` in order as one batch, emptying ``parts`` (its only holder).

    Column by column, each column's pieces dropped once joined: joining whole batches held
    every piece beside the joined copy, twice the batch's texts at once.
    """
    pieces = [list(part.columns) for part in parts]
    parts.clear()
    arrays = []
    for i in range(len(schema)):
        arrays.append(pa.concat_arrays([columns[i] for columns in pieces]))
        for columns in pieces:
            columns[i] = None
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def persons_job(batch: pa.RecordBatch, *, data: ScreeningData, config: RunConfig,
                as_of: dt.date) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Screen one batch of persons for deemed-export control (pure)."""
    from bulkscreen.screen.persons import screen_persons_batch

    return screen_persons_batch(batch, data.index, config, as_of,
                                entry_notes=data.entry_notes)


def audit_job(batch: pa.RecordBatch, *, data: AuditData, config: RunConfig
              ) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Judge one batch on each line's own date and again today (pure)."""
    from bulkscreen.screen.shipments import screen_shipments_batch

    epoch_of_row = _epoch_of_rows(batch, data)
    party_hits = _party_hits_by_epoch(batch, data, config, epoch_of_row)
    then_results, then_hits = screen_in_chunks(screen_shipments_batch, batch, data.today.rules,
                                               party_hits, None)
    now_results, now_hits = shipments_job(batch, data=data.today, config=config,
                                          as_of=data.today.as_of)
    # The batch's largest arrays are texts (explanations, list versions, hit explanations):
    # each part is dropped as soon as it is copied into the output, so the job's peak holds
    # one copy of each, not two (about 90 MB less at 100,000 lines).
    hit_batch = _one_batch([then_hits, now_hits])
    del then_hits, now_hits
    columns = {name: then_results.column(name) for name in then_results.schema.names}
    columns["explanation"] = _with_unbundled_note(then_results.column("explanation"),
                                                  data, epoch_of_row)
    columns["decision_today"] = now_results.column("decision")
    columns["reason_codes_today"] = now_results.column("reason_codes")
    columns["explanation_today"] = now_results.column("explanation")
    columns["decision_changed"] = pc.not_equal(columns["decision"], columns["decision_today"])
    del then_results, now_results
    columns["list_versions"] = _versions_text(data, epoch_of_row)
    return pa.RecordBatch.from_pydict(columns, schema=AUDIT_RESULTS.arrow_schema()), hit_batch


def _one_batch(parts: list[pa.RecordBatch]) -> pa.RecordBatch:
    """HITS rows of ``parts``, in order, as one record batch."""
    hits = pa.Table.from_batches(parts, schema=HITS.arrow_schema()).combine_chunks()
    return (hits.to_batches()[0] if hits.num_rows
            else pa.RecordBatch.from_pylist([], schema=HITS.arrow_schema()))


def keyed_job(batch: pa.RecordBatch, *, job: ScreenBatch, keys: tuple[tuple[str, str], ...]
              ) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Run ``job`` and carry the input's key columns into its results.

    ``keys`` pairs each input column with its name in the results, so a user reads names,
    countries and dates beside each decision without joining back to the input.
    """
    results, hits = job(batch)
    if not keys:
        return results, hits
    input_row = batch.column("input_row").to_numpy(zero_copy_only=False)
    result_row = results.column("input_row").to_numpy(zero_copy_only=False)
    if np.array_equal(input_row, result_row):
        taken = batch
    else:  # the job reordered its rows: align by row number
        taken = batch.take(pa.array(_positions(input_row, results), pa.int64()))
    arrays = list(results.columns)
    fields = list(results.schema)
    for source, target in keys:
        arrays.append(taken.column(source))
        fields.append(pa.field(target, batch.schema.field(source).type))
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields)), hits


def _positions(input_row: np.ndarray, hits: pa.RecordBatch) -> np.ndarray:
    """Batch position of each hit's input row (input rows are unique within a batch)."""
    order = np.argsort(input_row, kind="stable")
    hit_rows = hits.column("input_row").to_numpy(zero_copy_only=False)
    return order[np.searchsorted(input_row[order], hit_rows)]


def _fill_record_id(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Use the row number as the key where the input has no key column (or an empty key)."""
    record_id = batch.column("record_id")
    if record_id.null_count == 0:
        return batch
    fallback = batch.column("input_row").cast(pa.string())
    filled = pc.if_else(pc.is_null(record_id), fallback, record_id)
    return batch.set_column(batch.schema.get_field_index("record_id"), "record_id", filled)


def _epoch_of_rows(batch: pa.RecordBatch, data: AuditData) -> np.ndarray:
    """Index of the list epoch in force on each line's shipment date (-1: before the first)."""
    from bulkscreen_kernels.asof import version_index

    days = pc.cast(batch.column("shipment_date"), pa.int32()).to_numpy(zero_copy_only=False)
    return version_index(np.ascontiguousarray(days, dtype=np.int32), data.epoch_starts)


def _party_hits_by_epoch(batch: pa.RecordBatch, data: AuditData, config: RunConfig,
                         epoch_of_row: np.ndarray | None = None) -> pa.Table:
    """Match each row's parties against the lists in force on its shipment date
    (``epoch_of_row``: :func:`_epoch_of_rows`, worked out when not given)."""
    from bulkscreen.screen.parties import screen_parties_batch

    if epoch_of_row is None:
        epoch_of_row = _epoch_of_rows(batch, data)
    # Each epoch takes its rows of the columns party matching reads, not of every column.
    party_columns = _party_columns(batch)
    parts = []
    for epoch_id in np.unique(epoch_of_row):
        if epoch_id < 0:
            continue  # before the first bundled list version: no list applies
        rows = np.flatnonzero(epoch_of_row == epoch_id)
        sub = party_columns.take(pa.array(rows))
        epoch = data.epochs[epoch_id]
        hits = screen_parties_batch(sub, epoch.index, config, list(SHIPMENT_PARTY_COLUMNS),
                                    SHIPMENT_PARTY_COLUMNS, epoch.as_of, epoch.match_cache)
        if hits.num_rows:
            parts.append(pa.Table.from_batches([hits]))
    if not parts:
        return HITS.arrow_schema().empty_table()
    hits = pa.concat_tables(parts)
    # Each finding is dated by its row's shipment date, not by the epoch start.
    input_row = batch.column("input_row").to_numpy(zero_copy_only=False).astype(np.int64)
    dates = batch.column("shipment_date").cast(pa.date32()).take(
        pa.array(_positions(input_row, hits), pa.int64()))
    return hits.set_column(hits.schema.get_field_index("as_of_date"), "as_of_date", dates)


def _party_columns(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The columns of ``batch`` that :func:`_party_hits_by_epoch` matches: row number, keys,
    party names and their countries."""
    from bulkscreen.screen.parties import RECORD_KEY_COLUMNS

    wanted = {"input_row", *RECORD_KEY_COLUMNS, *SHIPMENT_PARTY_COLUMNS,
              *SHIPMENT_PARTY_COLUMNS.values()}
    return batch.select([name for name in batch.schema.names if name in wanted])


def _with_unbundled_note(explanation: pa.Array, data: AuditData, epoch_of_row: np.ndarray
                         ) -> pa.Array:
    """Say on each line dated before a list's first bundled version that the list was not
    screened then, so "no findings" is not read as "checked against every list"."""
    first: dict[str, str] = {}
    for epoch in data.epochs:
        for version in epoch.list_versions:
            first.setdefault(version["list_id"], version["effective_date"])
    notes = []
    for epoch_id in range(-1, len(data.epochs)):
        present = {v["list_id"] for v in data.epochs[epoch_id].list_versions} \
            if epoch_id >= 0 else set()
        absent = [f"{list_id} (first version in force {day})" for list_id, day in first.items()
                  if list_id not in present]
        notes.append("; not screened against lists with no bundled version on the shipment "
                     "date: " + ", ".join(absent) if absent else "")
    suffix = pa.array(notes, pa.string()).take(pa.array(epoch_of_row + 1, pa.int64()))
    return pc.binary_join_element_wise(explanation, suffix, "")


def _versions_text(data: AuditData, epoch_of_row: np.ndarray) -> pa.Array:
    """The list versions in force on each line's date, naming the lists not yet bundled then
    (a line before a list's first bundled version is not screened against that list)."""
    first: dict[str, str] = {}
    for epoch in data.epochs:
        for version in epoch.list_versions:
            first.setdefault(version["list_id"], version["version"])
    missing_before = "; ".join(f"{list_id} (first version {day})"
                               for list_id, day in first.items())
    labels = [f"(no list in force: no bundled version yet of {missing_before})"]
    for epoch in data.epochs:
        present = {v["list_id"] for v in epoch.list_versions}
        label = " ".join(f"{v['list_id']}@{v['version']}" for v in epoch.list_versions)
        absent = [f"{list_id} (first version {day})" for list_id, day in first.items()
                  if list_id not in present]
        if absent:
            label += "; not yet bundled: " + "; ".join(absent)
        labels.append(label)
    return pa.array(labels, pa.string()).take(pa.array(epoch_of_row + 1, pa.int64()))
