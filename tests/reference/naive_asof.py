"""Naive twin of ``bulkscreen_kernels.asof``: a linear scan per row."""

from __future__ import annotations


def version_index(row_days, start_days) -> list[int]:
    """Return the last index whose start day is <= each row's day, or -1."""
    out = []
    for day in row_days:
        found = -1
        for i, start in enumerate(start_days):
            if start <= day:
                found = i
        out.append(found)
    return out


def grouped_version_index(row_days, row_group, group_ptr, start_days) -> list[int]:
    """Return the global index of the last start <= day within each row's group, or -1."""
    out = []
    for day, group in zip(row_days, row_group, strict=True):
        found = -1
        if group >= 0:
            for i in range(group_ptr[group], group_ptr[group + 1]):
                if start_days[i] <= day:
                    found = i
        out.append(found)
    return out
