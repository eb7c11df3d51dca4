"""Destination groups per row on the row's own day, from the compiled per-country timelines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.rules.compile import CompiledRules, Timeline


def in_group(timeline: Timeline, countries: CountryCodes, days: np.ndarray) -> np.ndarray:
    """Return, per row, whether its country is in the group on its day.

    Parameters
    ----------
    timeline
        Compiled membership timeline of one group.
    countries
        The rows' destination codes, dictionary-encoded (unknown codes are in no group).
    days
        int32 days since 1970-01-01 per row.
    """
    from bulkscreen_kernels.asof import grouped_version_index

    lookup = np.array([timeline.countries.get(c, -1) for c in countries.uniques] + [-1],
                      dtype=np.int32)
    row_group = lookup[countries.codes]
    index = grouped_version_index(np.ascontiguousarray(days, dtype=np.int32), row_group,
                                  timeline.ptr, timeline.start_days)
    return np.where(index >= 0, timeline.state[np.maximum(index, 0)], False)


@dataclass(frozen=True)
class CountryCodes:
    """Destination codes of a batch, dictionary-encoded once: ``uniques[codes[row]]``.

    Null codes point one past the end of ``uniques``.
    """

    uniques: list[str]
    codes: np.ndarray

    @classmethod
    def encode(cls, values: pa.Array) -> CountryCodes:
        """Encode an Arrow string array of country codes (upper-cased)."""
        encoded = pc.utf8_upper(values).dictionary_encode()
        uniques = encoded.dictionary.to_pylist()
        codes = pc.fill_null(encoded.indices, len(uniques)).to_numpy(zero_copy_only=False)
        return cls(uniques, codes.astype(np.int64))

    def isin(self, values: tuple[str, ...] | list[str]) -> np.ndarray:
        """Return, per row, whether its code is one of ``values``."""
        wanted = set(values)
        return np.array([u in wanted for u in self.uniques] + [False], dtype=bool)[self.codes]

    def as_objects(self) -> np.ndarray:
        """Return the codes as an object array of str (None for nulls)."""
        return np.array([*self.uniques, None], dtype=object)[self.codes]


def destination_groups(rules: CompiledRules, countries: CountryCodes,
                       days: np.ndarray) -> dict[str, np.ndarray]:
    """Return a boolean mask per group name (A, B, D, TABLE_4, TABLE_3_2) for every row."""
    return {name: in_group(timeline, countries, days) for name, timeline in rules.groups.items()}
