"""A batch of shipment lines read once into the arrays every shipment check uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.rules.catalog import to_day
from bulkscreen.screen.destinations import CountryCodes


@dataclass
class ShipmentBatch:
    """The batch's columns as NumPy arrays, read once."""

    n: int
    input_row: np.ndarray
    record_id: list[str]
    days: np.ndarray
    dest: np.ndarray
    dest_codes: CountryCodes
    hs: np.ndarray
    hs_arrow: pa.Array
    declared: list[str | None]
    value_jpy: np.ndarray
    quantity: np.ndarray
    end_use: pa.Array
    names: pa.Array
    parameters: pa.Array


def read_shipment_batch(batch: pa.RecordBatch, as_of: dt.date | None) -> ShipmentBatch:
    """Read a validated SHIPMENTS batch; ``as_of`` None dates each line by its shipment date."""
    n = batch.num_rows
    dest_codes = CountryCodes.encode(batch.column("destination_country"))
    if as_of is None:
        days = batch.column("shipment_date").cast(pa.int32()).to_numpy(zero_copy_only=False)
    else:
        days = np.full(n, to_day(as_of), dtype=np.int32)
    hs_arrow = pc.fill_null(pc.replace_substring_regex(batch.column("hs_code"), r"[^0-9]", ""),
                            "")
    names = pc.binary_join_element_wise(
        pc.fill_null(batch.column("consignee_name"), ""),
        pc.fill_null(batch.column("end_user_name"), ""), " | ")

    def floats(name: str) -> np.ndarray:
        return pc.fill_null(batch.column(name).cast(pa.float64()), np.nan).to_numpy()

    return ShipmentBatch(
        n=n,
        input_row=batch.column("input_row").cast(pa.int64()).to_numpy(),
        record_id=batch.column("shipment_id").to_pylist(),
        days=np.ascontiguousarray(days, dtype=np.int32),
        dest=dest_codes.as_objects(),
        dest_codes=dest_codes,
        hs=np.asarray(hs_arrow.to_pylist(), dtype=object),
        hs_arrow=hs_arrow,
        declared=batch.column("declared_control_entry").to_pylist(),
        value_jpy=floats("value_jpy"),
        quantity=floats("quantity"),
        end_use=pc.utf8_lower(pc.fill_null(batch.column("declared_end_use"), "")),
        names=names,
        parameters=batch.column("parameters"),
    )


def day_text(day: int) -> str:
    """ISO date of a day number (days since 1970-01-01)."""
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(day))).isoformat()
