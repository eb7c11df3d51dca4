"""Arrow array helpers shared by the screening steps."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def list_parents(array: pa.ListArray | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray,
                                                                   pa.Array]:
    """Flatten a list column.

    Returns
    -------
    tuple
        (parent row of each element, position of each element within its list, the flat
        values as an Arrow array). Null lists contribute no elements, also when Arrow backs
        them with values (as a take or concatenation may leave them), so the three line up;
        ``pc.list_parent_indices`` counts those values and ``pc.list_flatten`` does not.
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    flat = pc.list_flatten(array)
    lengths = np.asarray(pc.fill_null(pc.list_value_length(array), 0)
                         .to_numpy(zero_copy_only=False), dtype=np.int64)
    parents = np.repeat(np.arange(len(array), dtype=np.int64), lengths)
    starts = np.cumsum(lengths) - lengths
    positions = np.arange(len(parents), dtype=np.int64) - starts[parents]
    return parents, positions, flat
