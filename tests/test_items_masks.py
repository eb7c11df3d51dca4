"""Which control entries a line reaches through the parameters it gives, against a dense twin."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkscreen.screen.items import entries_using_given


def dense_twin(given_params: np.ndarray, entry_params: np.ndarray) -> np.ndarray:
    uses = (given_params.astype(np.int64) @ entry_params.T.astype(np.int64)) > 0
    return uses | ~given_params.any(axis=1)[:, None]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 40), st.integers(1, 20), st.integers(1, 12), st.integers(0, 2**32 - 1),
       st.floats(0.0, 0.6))
def test_distinct_sets_give_the_dense_product(rows, params, entries, seed, density):
    rng = np.random.default_rng(seed)
    # Few distinct sets, repeated, as lines of the same products give.
    sets = rng.random((max(rows // 3, 1), params)) < density
    given_params = sets[rng.integers(0, len(sets), rows)]
    entry_params = rng.random((entries, params)) < 0.3
    got = entries_using_given(given_params, entry_params)
    assert got.shape == (rows, entries) and got.dtype == bool
    assert np.array_equal(got, dense_twin(given_params, entry_params))
