"""Which control entries a line reaches through the parameters it gives, against a dense twin;
HS prefixes of many entries at once, against one entry at a time."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkscreen.screen.items import HsIndex, entries_using_given


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


_HS_PARTS = st.sampled_from(["", "8", "84", "847", "8471", "847130", "8471.30", "85", "8542",
                             "854231", "9", "90", "9013", "2"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), _HS_PARTS), max_size=30),
       st.lists(st.lists(_HS_PARTS, max_size=4).map(tuple), max_size=12), st.booleans())
def test_match_each_is_match_of_each_set(codes, prefix_sets, reach_shorter):
    index = HsIndex(pa.array(codes, pa.string()))
    got = index.match_each(prefix_sets, reach_shorter=reach_shorter)
    assert got.shape == (len(codes), len(prefix_sets)) and got.dtype == bool
    for j, prefixes in enumerate(prefix_sets):
        assert np.array_equal(got[:, j], index.match(prefixes, reach_shorter=reach_shorter))
