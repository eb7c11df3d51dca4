"""History audit: each shipment line judged by the lists and rules in force on its own date,
and again by today's, with the lines whose decision differs marked.

List versions change on known days, so the history splits into epochs: between two consecutive
effective dates the set of list versions in force is fixed. One name index is compiled per
epoch (cached on disk by content), each row finds its epoch with the ``asof`` kernel, and the
rows of an epoch are matched against that epoch's index. Rules carry their own dates and are
applied per row.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.columns import AUDIT_RESULTS, HITS
from bulkscreen.config import RunConfig
from bulkscreen.screen.context import ScreeningData, load_screening_data
from bulkscreen.screen.jobs import SHIPMENT_PARTY_COLUMNS, shipments_job

_EPOCH = dt.date(1970, 1, 1)


@dataclass
class AuditData:
    """Compiled data of an audit: one screening bundle per list epoch, plus today's."""

    today: ScreeningData
    epoch_starts: np.ndarray
    epochs: list[ScreeningData]

    def manifest_extra(self) -> dict[str, Any]:
        """Manifest sections: today's lists and rules, and every epoch's list versions."""
        extra = self.today.manifest_extra()
        extra["audit_epochs"] = [
            {"from": epoch.as_of.isoformat(), "lists": epoch.list_versions}
            for epoch in self.epochs]
        return extra


def list_epoch_starts(config: RunConfig) -> list[dt.date]:
    """Return the days on which the set of list versions in force changes."""
    from bulkscreen.lists import bundled_catalog

    catalog = bundled_catalog()
    list_ids = config.lists or catalog.default_list_ids()
    days = {version.effective_date for list_id in list_ids
            for version in catalog.versions(list_id)}
    return sorted(days)


def load_audit_data(config: RunConfig, today: dt.date) -> AuditData:
    """Compile today's lists and rules and one name index per list epoch."""
    today_data = load_screening_data(config, today, with_rules=True)
    starts = [day for day in list_epoch_starts(config) if day <= today]
    epochs = []
    for start in starts:
        epoch = load_screening_data(config, start)
        epoch.rules = today_data.rules
        epochs.append(epoch)
    start_days = np.array([(d - _EPOCH).days for d in starts], dtype=np.int32)
    return AuditData(today=today_data, epoch_starts=start_days, epochs=epochs)


def _party_hits_by_epoch(batch: pa.RecordBatch, data: AuditData, config: RunConfig
                         ) -> pa.Table:
    """Match each row's parties against the lists in force on its shipment date."""
    from bulkscreen.screen.parties import screen_parties_batch
    from bulkscreen_kernels.asof import version_index

    days = pc.cast(batch.column("shipment_date"), pa.int32()).to_numpy(zero_copy_only=False)
    epoch_of_row = version_index(np.ascontiguousarray(days, dtype=np.int32), data.epoch_starts)
    parts = []
    for epoch_id in np.unique(epoch_of_row):
        if epoch_id < 0:
            continue  # before the first bundled list version: no list applies
        rows = np.flatnonzero(epoch_of_row == epoch_id)
        sub = batch.take(pa.array(rows))
        epoch = data.epochs[epoch_id]
        hits = screen_parties_batch(sub, epoch.index, config, list(SHIPMENT_PARTY_COLUMNS),
                                    SHIPMENT_PARTY_COLUMNS, epoch.as_of)
        if hits.num_rows:
            parts.append(pa.Table.from_batches([hits]))
    if not parts:
        return HITS.arrow_schema().empty_table()
    hits = pa.concat_tables(parts)
    # Each finding is dated by its row's shipment date, not by the epoch start.
    row_dates = dict(zip(batch.column("input_row").to_pylist(),
                         batch.column("shipment_date").to_pylist(), strict=True))
    dates = pa.array([row_dates[r] for r in hits.column("input_row").to_pylist()], pa.date32())
    return hits.set_column(hits.schema.get_field_index("as_of_date"), "as_of_date", dates)


def _versions_text(batch: pa.RecordBatch, data: AuditData) -> pa.Array:
    from bulkscreen_kernels.asof import version_index

    days = pc.cast(batch.column("shipment_date"), pa.int32()).to_numpy(zero_copy_only=False)
    epoch_of_row = version_index(np.ascontiguousarray(days, dtype=np.int32), data.epoch_starts)
    labels = ["(no list in force)"] + [
        " ".join(f"{v['list_id']}@{v['version']}" for v in epoch.list_versions)
        for epoch in data.epochs]
    return pa.array(np.array(labels, dtype=object)[epoch_of_row + 1].tolist(), pa.string())


def audit_job(batch: pa.RecordBatch, *, data: AuditData, config: RunConfig
              ) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Judge one batch on each line's own date and again today (pure)."""
    from bulkscreen.screen.shipments import screen_shipments_batch

    party_hits = _party_hits_by_epoch(batch, data, config)
    then_results, then_hits = screen_shipments_batch(batch, data.today.rules, party_hits, None)
    now_results, now_hits = shipments_job(batch, data=data.today, config=config,
                                          as_of=data.today.as_of)
    changed = pc.not_equal(then_results.column("decision"), now_results.column("decision"))
    columns = {name: then_results.column(name) for name in then_results.schema.names}
    columns.update({
        "decision_today": now_results.column("decision"),
        "reason_codes_today": now_results.column("reason_codes"),
        "explanation_today": now_results.column("explanation"),
        "decision_changed": changed,
        "list_versions": _versions_text(batch, data),
    })
    results = pa.RecordBatch.from_pydict(columns, schema=AUDIT_RESULTS.arrow_schema())
    hits = pa.concat_tables([pa.Table.from_batches([then_hits], schema=HITS.arrow_schema()),
                             pa.Table.from_batches([now_hits], schema=HITS.arrow_schema())])
    hits = hits.combine_chunks()
    hit_batch = (hits.to_batches()[0] if hits.num_rows
                 else pa.RecordBatch.from_pylist([], schema=HITS.arrow_schema()))
    return results, hit_batch


def run_audit(input_path: Path, out_dir: Path, config: RunConfig, today: dt.date,
              engine: Any = None, **kwargs: Any) -> Any:
    """Audit shipment history; see ``bulkscreen audit shipments``.

    ``engine`` runs the job (see :mod:`bulkscreen.engines`; default the local batch loop).
    """
    from bulkscreen.columns import SHIPMENTS
    from bulkscreen.engines import LocalEngine

    data = load_audit_data(config, today)
    job = functools.partial(audit_job, data=data, config=config)
    engine = engine or LocalEngine()
    return engine.run(input_path, SHIPMENTS, job, out_dir, config,
                      manifest_extra=data.manifest_extra(), results_table=AUDIT_RESULTS,
                      **kwargs)
