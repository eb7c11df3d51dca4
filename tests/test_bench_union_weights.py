"""The union-weights measurement (``benchmarks/bench_union_weights.py``) measures what it says.

Its reweighted index must differ from an epoch's own index in the weights alone: given the
epoch's own arrays as the "union", it matches exactly as the epoch's index does, and the
union it builds holds each name of an entry once, whatever the versions repeating it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from bulkscreen.config import MatchConfig
from bulkscreen.lists import load_snapshots
from bulkscreen.lists.name_index import build_name_index
from bulkscreen.matching.match import match_names

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_union_weights.py"
EPOCH = dt.date(2019, 1, 15)
"""The first SDN version alone: the smallest bundled epoch."""


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_union_weights", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _queries(index) -> pa.Array:
    """Listed names as written, spoilt ones, and names no list holds."""
    listed = index.names.column("name").to_pylist()[:300:3]
    spoilt = [name[:-2] + name[-1:] for name in listed if len(name) > 6]
    return pa.array([*listed, *spoilt, "Harbour Light Instruments Ltd", "Maria Gonzalez",
                     None, ""], pa.string())


def test_own_weights_reproduce_the_epoch_index(bench: ModuleType) -> None:
    index = build_name_index(load_snapshots(None, as_of=EPOCH))
    same = bench.union_weighted(index, index.arrays)
    names = _queries(index)
    config = MatchConfig()
    assert match_names(same, names, config).equals(match_names(index, names, config))


def test_compare_counts_each_kind_of_difference(bench: ModuleType) -> None:
    def rows(entries: list[tuple[int, str, float, bool]]) -> pa.Table:
        return pa.table({"query_pos": [e[0] for e in entries],
                         "list_id": ["l"] * len(entries), "list_version": ["v"] * len(entries),
                         "entry_id": [e[1] for e in entries],
                         "score": [e[2] for e in entries], "is_hit": [e[3] for e in entries]})

    own = rows([(0, "a", 0.95, True), (0, "b", 0.86, False), (1, "c", 0.88, False)])
    union = rows([(0, "a", 0.95, True), (0, "b", 0.91, True), (2, "d", 0.87, False)])
    figures = bench.compare(own, union)
    assert figures["kept"] == 2 and figures["lost"] == 1 and figures["gained"] == 1
    assert figures["hit_flips"] == 1 and figures["score_changed"] == 1
    assert figures["max_score_delta"] == pytest.approx(0.05)
    assert figures["queries_with_any_difference"] == 3


def test_union_keeps_each_name_of_an_entry_once(bench: ModuleType) -> None:
    starts = [dt.date(2019, 1, 15), dt.date(2021, 7, 7)]
    union = bench.union_index(starts, ["us-ofac-sdn"])
    names = union.names
    keys = pc.binary_join_element_wise(names.column("entry_id"), names.column("alias_kind"),
                                       names.column("name"), "\0")
    assert pc.count_distinct(keys).as_py() == names.num_rows
    versions = set(names.column("list_version").to_pylist())
    assert versions == {"2019-01-15", "2021-07-07"}
    each = [build_name_index(load_snapshots(["us-ofac-sdn"], as_of=day)).n_names
            for day in starts]
    assert max(each) <= union.n_names < sum(each)
