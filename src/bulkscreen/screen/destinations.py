"""Destination groups per row on the row's own day, from the compiled per-country timelines."""

from __future__ import annotations

import numpy as np

from bulkscreen.rules.compile import CompiledRules, Timeline


def in_group(timeline: Timeline, countries: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Return, per row, whether its country is in the group on its day.

    Parameters
    ----------
    timeline
        Compiled membership timeline of one group.
    countries
        ISO alpha-2 code per row (object array; None or unknown codes are in no group).
    days
        int32 days since 1970-01-01 per row.
    """
    from bulkscreen_kernels.asof import grouped_version_index

    uniques, inverse = _unique_map(countries)
    lookup = np.array([timeline.countries.get(c, -1) for c in uniques], dtype=np.int32)
    row_group = lookup[inverse] if len(countries) else np.empty(0, dtype=np.int32)
    index = grouped_version_index(np.ascontiguousarray(days, dtype=np.int32), row_group,
                                  timeline.ptr, timeline.start_days)
    return np.where(index >= 0, timeline.state[np.maximum(index, 0)], False)


def _unique_map(values: np.ndarray) -> tuple[list, np.ndarray]:
    keys = np.asarray([v if isinstance(v, str) else "" for v in values], dtype=object)
    uniques, inverse = np.unique(keys, return_inverse=True)
    return list(uniques), inverse


def destination_groups(rules: CompiledRules, countries: np.ndarray,
                       days: np.ndarray) -> dict[str, np.ndarray]:
    """Return a boolean mask per group name (A, B, D, TABLE_4, TABLE_3_2) for every row."""
    return {name: in_group(timeline, countries, days) for name, timeline in rules.groups.items()}
