"""Realistic shipment lines with ground truth, streamed batch by batch.

Each batch is drawn with NumPy and assembled with Arrow compute; only the few rows that get a
real list name go through Python. Memory stays bounded by the batch size whatever the row
count, and the same seed, row count, batch size and end date give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.columns import SHIPMENTS
from bulkscreen.tools.generate.common import (
    FIRST_DATE,
    GenerationSummary,
    batch_rng,
    day_number,
    make_ids,
    to_dates,
    write_generated,
)
from bulkscreen.tools.generate.dirty import DirtyColumns
from bulkscreen.tools.generate.geography import (
    DESTINATIONS_AFTER_BAN,
    DESTINATIONS_BEFORE_BAN,
    RUSSIA_BAN_DATE,
    TRANSIT_HUBS,
    CountrySampler,
    code_index,
    codes_arrow,
)
from bulkscreen.tools.generate.items import ItemCatalog, build_parameters
from bulkscreen.tools.generate.listnames import ListName
from bulkscreen.tools.generate.names import CompanyNamePools, company_name_pools
from bulkscreen.tools.generate.planting import Plant, plant_names, truth_table
from bulkscreen.tools.generate.sampling import WeightedChoice

TRANSIT_RATE = 0.08  # consignee in a hub country, goods going on to the destination
END_USER_RATE = 0.35  # an end user named besides the consignee (always when in transit)
END_USER_FIELD_SHARE = 0.4  # of planted list names, the share placed as end user
DECLARED_ENTRY_RATE = 0.3  # controlled-type lines that state a control-list entry
EXPORTER_POOL_SIZE = 300
PLANTABLE_TYPES = frozenset({"organisation", "unknown"})

END_USES: tuple[tuple[str, float], ...] = (
    ("automotive parts production", 14), ("resale to distributors", 12),
    ("semiconductor manufacturing", 8), ("consumer electronics assembly", 8),
    ("industrial machinery maintenance", 7), ("university research", 5),
    ("power plant equipment", 3), ("medical device manufacturing", 4),
    ("telecommunications network", 5), ("construction", 4), ("retail sale", 8),
    ("food processing", 3), ("data centre", 4), ("aircraft parts production (civil)", 2),
    ("mould and die making", 5), ("renewable energy equipment", 3),
    ("military aircraft maintenance", 0.08), ("missile component testing", 0.04),
    ("nuclear fuel cycle facility", 0.04), ("military vehicle production", 0.06),
)

DICTIONARY_COLUMNS = [
    "exporter", "consignee_country", "end_user_country", "destination_country", "hs_code",
    "item_description", "declared_control_entry", "declared_end_use",
    "parameters.list.element.name", "parameters.list.element.unit",
]

DIRTY_COLUMNS = DirtyColumns(
    key="shipment_id",
    dates=("shipment_date",),
    required_dates=("shipment_date",),
    countries=("destination_country", "consignee_country"),
    names=("consignee_name",),
)


def _plantable(list_names: Sequence[ListName] | None) -> list[ListName]:
    """Names fit to stand as a consignee or end user: organisations first, then any."""
    if not list_names:
        return []
    organisations = [n for n in list_names if n.entity_type in PLANTABLE_TYPES]
    if organisations:
        return organisations
    return [n for n in list_names if n.entity_type not in ("vessel", "aircraft")] or list(
        list_names
    )


def _apply_plants(names: pa.Array, countries: np.ndarray, plants: list[Plant]) -> pa.Array:
    """Put planted names into ``names`` and their entries' countries into ``countries``."""
    if not plants:
        return names
    mask = np.zeros(len(names), dtype=bool)
    for plant in plants:
        mask[plant.row] = True
        if plant.source.country is not None:
            countries[plant.row] = code_index(plant.source.country)
    return pc.replace_with_mask(names, pa.array(mask), pa.array([p.name for p in plants]))


class _ShipmentBatches:
    """Draws shipment batches; holds what is fixed for a run (pools, exporters, catalog)."""

    def __init__(self, seed: int, end_date: date, list_names: Sequence[ListName] | None,
                 listed_rate: float) -> None:
        self.seed = seed
        self.companies: CompanyNamePools = company_name_pools()
        self.catalog = ItemCatalog.default()
        self.before_ban = CountrySampler(DESTINATIONS_BEFORE_BAN)
        self.after_ban = CountrySampler(DESTINATIONS_AFTER_BAN)
        self.hubs = CountrySampler(TRANSIT_HUBS)
        self.first_day = day_number(FIRST_DATE)
        self.last_day = day_number(end_date)
        self.ban_day = day_number(RUSSIA_BAN_DATE)
        self.candidates = _plantable(list_names)
        self.listed_rate = listed_rate if self.candidates else 0.0
        setup = batch_rng(seed, -1)
        self.exporters = self.companies.draw(
            np.full(EXPORTER_POOL_SIZE, code_index("JP")), setup)
        uses, weights = zip(*END_USES, strict=True)
        self.end_uses = pa.array(uses, type=pa.string())
        self.end_use_choice = WeightedChoice(weights)

    def draw(self, batch_index: int, start: int, n: int) -> tuple[pa.Table, pa.Table,
                                                                  np.random.Generator]:
        rng = batch_rng(self.seed, batch_index)
        ids = make_ids("SHP-", start, n)
        days = rng.integers(self.first_day, self.last_day + 1, n)
        destination = np.where(days < self.ban_day, self.before_ban.draw(n, rng),
                               self.after_ban.draw(n, rng))
        in_transit = rng.random(n) < TRANSIT_RATE
        consignee_country = np.where(in_transit, self.hubs.draw(n, rng), destination)
        has_end_user = in_transit | (rng.random(n) < END_USER_RATE)
        end_user_country = destination.copy()

        consignee = self.companies.draw(consignee_country, rng)
        end_user = self.companies.draw(end_user_country, rng)

        listed = np.flatnonzero(rng.random(n) < self.listed_rate)
        as_end_user = rng.random(len(listed)) < END_USER_FIELD_SHARE
        consignee_plants = plant_names(self.candidates, listed[~as_end_user], rng)
        end_user_plants = plant_names(self.candidates, listed[as_end_user], rng)
        has_end_user[listed[as_end_user]] = True
        consignee = _apply_plants(consignee, consignee_country, consignee_plants)
        end_user = _apply_plants(end_user, end_user_country, end_user_plants)
        # A listed party abroad receives the goods in its own country.
        for plant in consignee_plants:
            if not in_transit[plant.row]:
                destination[plant.row] = consignee_country[plant.row]
        for plant in end_user_plants:
            destination[plant.row] = end_user_country[plant.row]
        no_end_user = pa.array(~has_end_user)
        end_user = pc.if_else(no_end_user, pa.nulls(n, pa.string()), end_user)

        item_type = self.catalog.draw_types(n, rng)
        variant = self.catalog.draw_variants(n, rng)
        entries = self.catalog.strings_by_type(item_type, "control_entries",
                                               self.catalog.draw_variants(n, rng))
        declared = pa.array(rng.random(n) < DECLARED_ENTRY_RATE)
        medians = np.array([i.value_median_jpy for i in self.catalog.items])[item_type]
        quantity_medians = np.array([i.quantity_median for i in self.catalog.items])[item_type]
        value = np.round(medians * rng.lognormal(0.0, 1.0, n))
        quantity = np.maximum(1.0, np.round(quantity_medians * rng.lognormal(0.0, 0.8, n)))
        end_use_pick = self.end_use_choice.draw(n, rng)
        end_use_missing = rng.random(n) < 0.08

        columns = {
            "shipment_id": ids,
            "shipment_date": to_dates(days),
            "exporter": self.exporters.take(
                pa.array(rng.integers(0, EXPORTER_POOL_SIZE, n))),
            "consignee_name": consignee,
            "consignee_country": codes_arrow(consignee_country),
            "end_user_name": end_user,
            "end_user_country": pc.if_else(no_end_user, pa.nulls(n, pa.string()),
                                           codes_arrow(end_user_country)),
            "destination_country": codes_arrow(destination),
            "hs_code": self.catalog.strings_by_type(item_type, "hs_codes", variant),
            "item_description": self.catalog.strings_by_type(item_type, "descriptions",
                                                             variant),
            "declared_control_entry": pc.if_else(declared, entries, pa.nulls(n, pa.string())),
            "parameters": build_parameters(self.catalog, item_type, rng),
            "value_jpy": pa.array(value, type=pa.float64()),
            "quantity": pa.array(quantity, type=pa.float64()),
            "declared_end_use": self.end_uses.take(pa.array(end_use_pick,
                                                            mask=end_use_missing)),
        }
        table = pa.Table.from_pydict(columns, schema=SHIPMENTS.arrow_schema())
        truth = pa.concat_tables([
            truth_table("shipment_id", ids, "consignee_name", np.ones(n, dtype=bool),
                        consignee_plants),
            truth_table("shipment_id", ids, "end_user_name", has_end_user, end_user_plants),
        ])
        return table, truth, rng


def generate_shipments(
    rows: int,
    seed: int,
    out: Path,
    list_names: Sequence[ListName] | None,
    listed_rate: float = 0.01,
    batch_size: int = 100_000,
    fmt: str = "parquet",
    *,
    dirty_rate: float = 0.0,
    end_date: date | None = None,
) -> GenerationSummary:
    """Generate ``rows`` shipment lines to ``out`` with a ground-truth file beside it.

    Parameters
    ----------
    rows
        Number of shipment lines.
    seed
        Seed of every random choice.
    out
        Output file (Parquet or CSV); written through a temporary file and renamed.
    list_names
        Real list names to plant as consignees and end users (organisations preferred); None
        or empty plants none.
    listed_rate
        Share of lines whose consignee or end user is a list name (half of them written as
        a variant, see ``planting.VARIANT_RATE``).
    batch_size
        Rows per batch (Parquet row group); bounds memory.
    fmt
        ``"parquet"`` or ``"csv"`` (the text forms of ``columns.SHIPMENTS``).
    dirty_rate
        Share of rows spoiled on purpose (bad date, bad country code, missing consignee),
        recorded in ``<stem>.dirty.parquet``. 0 by default.
    end_date
        Last possible shipment date (dates run from 2010-01-01); today when None.

    Returns
    -------
    GenerationSummary

    Notes
    -----
    The ground truth (``<stem>.truth.parquet``) has one row per name in a consignee_name or
    end_user_name cell: shipment_id, field, source (``pool`` or ``list``), list_id,
    list_version, entry_id, original_name (the list name before any variant) and
    variant_kind (null when exact or from the pools).
    """
    end_date = end_date or date.today()
    return write_generated(
        lambda: _ShipmentBatches(seed, end_date, list_names, listed_rate), Path(out),
        SHIPMENTS.arrow_schema(), "shipment_id", DIRTY_COLUMNS, DICTIONARY_COLUMNS, rows=rows,
        seed=seed, fmt=fmt, listed_rate=listed_rate, dirty_rate=dirty_rate,
        batch_size=batch_size, end_date=end_date)
