"""As-of lookups: which version (or dated state) applies to each row's day.

Dates are int32 days since 1970-01-01. A version applies from its start day until the next
version's start day; a row before the first start gets -1.
"""

from __future__ import annotations

import numpy as np

from bulkscreen_kernels._jit import jit


@jit
def _last_start_at_or_before(start_days, lo, hi, day):
    """Return the last index in ``lo..hi-1`` whose start day is <= ``day``, or -1."""
    # Binary search for the first start strictly after ``day``.
    left = lo
    right = hi
    while left < right:
        mid = (left + right) // 2
        if start_days[mid] <= day:
            left = mid + 1
        else:
            right = mid
    return left - 1 if left > lo else -1


@jit
def version_index(row_days, start_days):
    """Return, per row, the index of the version in force on the row's day.

    Parameters
    ----------
    row_days : int32[n_rows]
        Day of each row.
    start_days : int32[n_versions]
        First day of each version, sorted ascending (ties: the later index wins).

    Returns
    -------
    int32[n_rows]
        Index into ``start_days``, or -1 for rows before the first version.
    """
    n_rows = row_days.shape[0]
    out = np.empty(n_rows, dtype=np.int32)
    n_versions = start_days.shape[0]
    for row in range(n_rows):
        out[row] = _last_start_at_or_before(start_days, 0, n_versions, row_days[row])
    return out


@jit
def grouped_version_index(row_days, row_group, group_ptr, start_days):
    """Return, per row, the index of the version in force within the row's own group.

    Parameters
    ----------
    row_days : int32[n_rows]
        Day of each row.
    row_group : int32[n_rows]
        Group of each row (e.g. a country), -1 for none.
    group_ptr : int64[n_groups + 1]
        Group ``g`` owns ``start_days[group_ptr[g]:group_ptr[g + 1]]``, sorted ascending.
    start_days : int32[n_starts]
        First day of each version, grouped.

    Returns
    -------
    int32[n_rows]
        Global index into ``start_days``, or -1 for rows without a group or before the group's
        first version.
    """
    n_rows = row_days.shape[0]
    out = np.empty(n_rows, dtype=np.int32)
    for row in range(n_rows):
        group = row_group[row]
        if group < 0:
            out[row] = -1
        else:
            out[row] = _last_start_at_or_before(start_days, group_ptr[group],
                                                group_ptr[group + 1], row_days[row])
    return out
