"""Screening jobs: the pure per-batch functions of each command, and the runs that drive them.

A job function takes one validated batch plus the compiled data and returns (RESULTS rows,
HITS rows). It is a module-level function bound with :func:`functools.partial`, so any engine
can pickle it and run it on a fragment elsewhere. ``run_*`` load the compiled data once and hand
the job to an engine (``engine=``, see :mod:`bulkscreen.engines`; the local batch loop by
default).
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from bulkscreen.columns import HITS, RESULTS, Column, Table
from bulkscreen.config import RunConfig
from bulkscreen.io.validate import COUNTRY_TEXT_FORM, NAME_TEXT_FORM
from bulkscreen.screen.context import ScreeningData, load_screening_data

SEVERITY = {"CLEAR": 0, "REVIEW": 1, "LICENSE_REQUIRED": 2, "PROHIBITED": 3}
_DECISION_BY_RANK = np.array(list(SEVERITY), dtype=object)
SHIPMENT_PARTY_COLUMNS = {"consignee_name": "consignee_country",
                          "end_user_name": "end_user_country"}


def results_from_hits(batch: pa.RecordBatch, hits: pa.RecordBatch, key_column: str,
                      as_of: dt.date) -> pa.RecordBatch:
    """Combine findings into one RESULTS row per input row: the most severe decision wins.

    Parameters
    ----------
    batch
        The screened input rows (``input_row`` and ``key_column``).
    hits
        HITS rows of this batch.
    key_column
        Column holding the record key.
    as_of
        Date the rows were judged on.

    Returns
    -------
    pyarrow.RecordBatch
        RESULTS rows in the order of ``batch``.
    """
    rows = pl.from_arrow(pa.table({
        "input_row": batch.column("input_row"),
        "record_id": batch.column(key_column).cast(pa.string()),
    }))
    if hits.num_rows:
        found = pl.from_arrow(pa.Table.from_batches([hits])).with_columns(
            pl.col("decision").replace_strict(SEVERITY, return_dtype=pl.Int8).alias("_rank"))
        per_row = found.group_by("input_row", maintain_order=True).agg(
            pl.col("_rank").max().alias("_rank"),
            pl.col("reason_code").unique(maintain_order=True).alias("reason_codes"),
            pl.col("explanation").str.join(" | ").alias("explanation"),
            pl.len().cast(pl.Int32).alias("n_hits"),
            pl.col("score").fill_null(0.0).max().cast(pl.Float32).alias("top_score"),
        )
        rows = rows.join(per_row, on="input_row", how="left", maintain_order="left")
    else:
        rows = rows.with_columns(pl.lit(None, pl.Int8).alias("_rank"),
                                 pl.lit(None, pl.List(pl.String)).alias("reason_codes"),
                                 pl.lit(None, pl.String).alias("explanation"),
                                 pl.lit(None, pl.Int32).alias("n_hits"),
                                 pl.lit(None, pl.Float32).alias("top_score"))
    rank = rows["_rank"].fill_null(0).to_numpy()
    table = pa.table({
        "input_row": rows["input_row"].to_arrow(),
        "record_id": rows["record_id"].fill_null("").to_arrow(),
        "as_of_date": pa.array(np.full(rows.height, as_of), pa.date32()),
        "decision": pa.array(_DECISION_BY_RANK[rank].tolist(), pa.string()),
        "reason_codes": rows["reason_codes"].fill_null([]).to_arrow().cast(
            pa.list_(pa.string())),
        "explanation": rows["explanation"].fill_null("no finding").to_arrow(),
        "n_hits": rows["n_hits"].fill_null(0).to_arrow().cast(pa.int32()),
        "top_score": rows["top_score"].fill_null(0.0).to_arrow().cast(pa.float32()),
    })
    return table.cast(RESULTS.arrow_schema()).to_batches()[0] if table.num_rows else \
        pa.RecordBatch.from_pylist([], schema=RESULTS.arrow_schema())


def parties_job(batch: pa.RecordBatch, *, data: ScreeningData, config: RunConfig,
                name_columns: list[str], country_columns: dict[str, str], as_of: dt.date
                ) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Screen the name columns of one batch of arbitrary rows (pure)."""
    from bulkscreen.screen.parties import screen_parties_batch

    batch = _fill_record_id(batch)
    hits = screen_parties_batch(batch, data.index, config, name_columns, country_columns, as_of)
    return results_from_hits(batch, hits, "record_id", as_of), hits


def shipments_job(batch: pa.RecordBatch, *, data: ScreeningData, config: RunConfig,
                  as_of: dt.date | None) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Screen one batch of shipment lines: parties first, then items, destinations, measures."""
    from bulkscreen.screen.parties import screen_parties_batch
    from bulkscreen.screen.shipments import screen_shipments_batch

    party_date = as_of or data.as_of
    party_hits = screen_parties_batch(batch, data.index, config, list(SHIPMENT_PARTY_COLUMNS),
                                      SHIPMENT_PARTY_COLUMNS, party_date)
    party_table = pa.Table.from_batches([party_hits], schema=HITS.arrow_schema())
    return screen_shipments_batch(batch, data.rules, party_table, as_of)


def persons_job(batch: pa.RecordBatch, *, data: ScreeningData, config: RunConfig,
                as_of: dt.date) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Screen one batch of persons for deemed-export control (pure)."""
    from bulkscreen.screen.persons import screen_persons_batch

    return screen_persons_batch(batch, data.index, config, as_of,
                                entry_notes=data.entry_notes)


def _fill_record_id(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Use the row number as the key where the input has no key column (or an empty key)."""
    record_id = batch.column("record_id")
    if record_id.null_count == 0:
        return batch
    fallback = batch.column("input_row").cast(pa.string())
    filled = pa.compute.if_else(pa.compute.is_null(record_id), fallback, record_id)
    return batch.set_column(batch.schema.get_field_index("record_id"), "record_id", filled)


def parties_table(name_columns: list[str], country_columns: dict[str, str]) -> Table:
    """The input format of ``screen parties``: a key, the name columns and their countries."""
    cols = [Column("record_id", pa.string(), "Key of the row (default: its row number).")]
    cols += [Column(name, pa.string(), "Name to screen.", in_header=True,
                    text_form=NAME_TEXT_FORM)
             for name in name_columns]
    cols += [Column(country, pa.string(), "Country of a screened party, ISO 3166-1 alpha-2.",
                    text_form=COUNTRY_TEXT_FORM, in_header=True)
             for country in dict.fromkeys(country_columns.values())]
    return Table(name="parties", description="Rows with names to screen.", columns=tuple(cols))


def _run(input_path: Path, table: Table, job: Any, out_dir: Path, config: RunConfig,
         data: ScreeningData, algorithms: dict[str, str], engine: Any = None,
         **kwargs: Any) -> Any:
    """Hand the job to ``engine`` (default: the local batch loop)."""
    from bulkscreen.engines import LocalEngine

    extra = data.manifest_extra()
    extra["algorithms"].update(algorithms)
    engine = engine or LocalEngine()
    return engine.run(input_path, table, job, out_dir, config, manifest_extra=extra, **kwargs)


def run_parties(input_path: Path, out_dir: Path, config: RunConfig, name_columns: list[str],
                id_column: str | None, country_columns: dict[str, str], as_of: dt.date,
                **kwargs: Any) -> Any:
    """Screen names in any columns of a file; see ``bulkscreen screen parties``."""
    if id_column:
        config = config.model_copy(update={"column_map": {**config.column_map,
                                                          "record_id": id_column}})
    data = load_screening_data(config, as_of)
    job = functools.partial(parties_job, data=data, config=config, name_columns=name_columns,
                            country_columns=country_columns, as_of=as_of)
    return _run(input_path, parties_table(name_columns, country_columns), job, out_dir, config,
                data, {}, **kwargs)


def run_shipments(input_path: Path, out_dir: Path, config: RunConfig, as_of: dt.date,
                  **kwargs: Any) -> Any:
    """Screen shipment lines as of one date; see ``bulkscreen screen shipments``."""
    from bulkscreen.columns import SHIPMENTS

    data = load_screening_data(config, as_of, with_rules=True)
    job = functools.partial(shipments_job, data=data, config=config, as_of=as_of)
    return _run(input_path, SHIPMENTS, job, out_dir, config, data, {}, **kwargs)


def run_persons(input_path: Path, out_dir: Path, config: RunConfig, as_of: dt.date,
                **kwargs: Any) -> Any:
    """Screen persons as of one date; see ``bulkscreen screen persons``."""
    from bulkscreen.columns import PERSONS
    from bulkscreen.screen.persons import ALGORITHM_ID

    data = load_screening_data(config, as_of, with_entry_notes=True)
    job = functools.partial(persons_job, data=data, config=config, as_of=as_of)
    return _run(input_path, PERSONS, job, out_dir, config, data, {"persons": ALGORITHM_ID},
                **kwargs)
