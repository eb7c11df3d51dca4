"""Plant real list names in generated rows, exactly or as a variant of known kind.

The record of each plant becomes a row of the ground-truth file, so a benchmark knows which
generated name stands for which list entry and how it was perturbed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.tools.generate.listnames import ListName
from bulkscreen.tools.generate.variants import VARIANT_KINDS, make_variant

VARIANT_RATE = 0.5
"""Share of planted names written as a variant; the rest are the list name exactly."""

TRUTH_DICTIONARY_COLUMNS = ["field", "source", "list_id", "list_version", "variant_kind"]

TRUTH_FIELDS = (
    ("field", pa.string()),
    ("source", pa.string()),
    ("list_id", pa.string()),
    ("list_version", pa.string()),
    ("entry_id", pa.string()),
    ("original_name", pa.string()),
    ("variant_kind", pa.string()),
)


def truth_schema(key: str) -> pa.Schema:
    """Schema of a ground-truth file whose rows are keyed by ``key``."""
    return pa.schema([pa.field(key, pa.string(), nullable=False), *TRUTH_FIELDS])


@dataclass(frozen=True)
class Plant:
    """One list name planted in one row."""

    row: int
    name: str
    source: ListName
    variant_kind: str | None


def _pick_balanced(candidates: Sequence[ListName], n: int,
                   rng: np.random.Generator) -> list[int]:
    """Indices into ``candidates``: a list with weight sqrt(its size), then a name of it."""
    by_list: dict[str, list[int]] = {}
    for index, name in enumerate(candidates):
        by_list.setdefault(name.list_id, []).append(index)
    groups = [by_list[list_id] for list_id in sorted(by_list)]
    weights = np.sqrt([len(group) for group in groups])
    which = np.searchsorted(np.cumsum(weights / weights.sum()), rng.random(n) * 0.999999)
    within = rng.random(n)
    return [groups[g][int(u * len(groups[g]))] for g, u in zip(which.tolist(), within.tolist(),
                                                                strict=True)]


def plant_names(
    candidates: Sequence[ListName],
    rows: np.ndarray,
    rng: np.random.Generator,
    variant_rate: float = VARIANT_RATE,
) -> list[Plant]:
    """Choose a list name for each of ``rows`` and write it exactly or as a variant.

    Parameters
    ----------
    candidates
        List names to choose from: a list with weight proportional to the square root of
        its size, then a name of that list uniformly, so a small list (the End User List)
        is not drowned by a large one (OFAC SDN).
    rows
        Row positions in the batch that get a list name.
    rng
        Source of randomness.
    variant_rate
        Share of plants written as a variant; the kind is drawn uniformly from
        ``VARIANT_KINDS``, and when it does not apply to the name the other kinds are tried
        in random order (the name stays exact only if none applies).

    Returns
    -------
    list of Plant
        In the order of ``rows``.
    """
    if not len(rows) or not candidates:
        return []
    picks = _pick_balanced(candidates, len(rows), rng)
    perturb = rng.random(len(rows)) < variant_rate
    plants: list[Plant] = []
    for row, pick, wants_variant in zip(rows.tolist(), picks, perturb.tolist(), strict=True):
        source = candidates[pick]
        name, kind = source.name, None
        if wants_variant:
            for k in rng.permutation(len(VARIANT_KINDS)).tolist():
                variant = make_variant(source.name, VARIANT_KINDS[k], rng,
                                       entity_type=source.entity_type)
                if variant is not None:
                    name, kind = variant, VARIANT_KINDS[k]
                    break
        plants.append(Plant(row, name, source, kind))
    return plants


def truth_table(key: str, keys: pa.Array, field: str, present: np.ndarray,
                plants: Sequence[Plant]) -> pa.Table:
    """Ground-truth rows for one name field of a batch.

    Parameters
    ----------
    key
        Name of the key column (``shipment_id``, ``person_id``).
    keys
        The batch's keys.
    field
        The name field, e.g. ``consignee_name``.
    present
        Mask of rows where the field holds a name; each gets one truth row.
    plants
        The rows holding a list name; all other present rows are from the pools.
    """
    n = len(keys)
    mask = np.zeros(n, dtype=bool)
    mask[[plant.row for plant in plants]] = True
    planted = pa.array(mask)

    def column(values: list[str | None]) -> pa.Array:
        return pc.replace_with_mask(pa.nulls(n, pa.string()), planted,
                                    pa.array(values, type=pa.string()))

    source = pc.if_else(planted, "list", "pool")
    rows = pa.array(np.flatnonzero(present))
    columns = [
        keys.take(rows),
        pa.repeat(pa.scalar(field, pa.string()), len(rows)),
        source.take(rows),
        *(column(values).take(rows) for values in (
            [p.source.list_id for p in plants],
            [p.source.list_version for p in plants],
            [p.source.entry_id for p in plants],
            [p.source.name for p in plants],
            [p.variant_kind for p in plants],
        )),
    ]
    return pa.Table.from_arrays(columns, schema=truth_schema(key))
