"""Name normalisation throughput on the real names of every bundled list (about 48k distinct).

Run::

    pytest benchmarks/bench_normalize.py --benchmark-only
    python benchmarks/bench_normalize.py          # prints names/s without pytest-benchmark

``extra_info`` records names and names/s. The cache of results is cleared before every
round, so the distinct-names figure is the cost of normalising, not of looking up.
"""

from __future__ import annotations

import time

import numpy as np
import pyarrow as pa
import pytest

from bulkscreen.normalize import clear_name_cache, encode_strings, normalize_names

REPEATED_ROWS = 200_000
SEED = 4


def distinct_names(flat: pa.Table) -> list[str]:
    """Distinct list names in first-seen order."""
    return list(dict.fromkeys(flat.column("name").to_pylist()))


@pytest.fixture(scope="module")
def names(flat_names: pa.Table) -> list[str]:
    return distinct_names(flat_names)


def _record(benchmark, rows: int) -> None:
    benchmark.extra_info["names"] = rows
    benchmark.extra_info["names_per_s"] = round(rows / benchmark.stats.stats.min)


def test_normalize_distinct_list_names(benchmark, names):
    benchmark.pedantic(normalize_names, args=(names,), setup=clear_name_cache, rounds=5)
    _record(benchmark, len(names))


def test_normalize_batch_with_repeats(benchmark, names):
    # Input files repeat names (one consignee, many shipment lines): 200k rows, 48k names.
    rng = np.random.default_rng(SEED)
    rows = [names[i] for i in rng.integers(0, len(names), REPEATED_ROWS)]
    benchmark.pedantic(normalize_names, args=(rows,), setup=clear_name_cache, rounds=3)
    _record(benchmark, len(rows))


def test_encode_normalized_texts(benchmark, names):
    texts = [n.text for n in normalize_names(names)]
    codes, offsets = benchmark(encode_strings, texts)
    assert len(offsets) == len(texts) + 1 and codes.dtype == np.uint32
    _record(benchmark, len(texts))


if __name__ == "__main__":
    from conftest import full_flat_names

    all_names = distinct_names(full_flat_names())
    best = float("inf")
    for _ in range(5):
        clear_name_cache()
        start = time.perf_counter()
        normalize_names(all_names)
        best = min(best, time.perf_counter() - start)
    print(f"{len(all_names)} distinct names: {len(all_names) / best:,.0f} names/s (best of 5)")
