"""Kernels ``thresholds`` and ``asof`` against their naive twins, plus fixed cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import naive_asof, naive_thresholds

from bulkscreen.rules.compile import flatten_trees
from bulkscreen_kernels.asof import grouped_version_index, version_index
from bulkscreen_kernels.thresholds import evaluate_rules

N_PARAMS = 4
OPS = ("<", "<=", ">", ">=", "==")
VALUES = st.sampled_from([0.0, 0.5, 0.9, 1.0, 1.0 + 1e-12, 2.0, -1.0])

tests_ = st.builds(lambda p, o, v: ("test", f"p{p}", OPS[o], v, "1"),
                   st.integers(0, N_PARAMS - 1), st.integers(0, 4), VALUES)
leaves = st.one_of(tests_, st.just(("unknown", "needs a person")), st.just(("true", "listed")))
trees = st.recursive(leaves, lambda kids: st.tuples(st.sampled_from(["all", "any"]),
                                                    st.lists(kids, min_size=1, max_size=4)
                                                    .map(tuple)), max_leaves=12)


def _naive_form(tree):
    kind = tree[0]
    if kind == "test":
        return ("test", int(tree[1][1:]), OPS.index(tree[2]), tree[3])
    if kind in ("unknown", "true"):
        return (kind,)
    return (kind, [_naive_form(child) for child in tree[1]])


def _run(trees_, values, valid, mask):
    table = flatten_trees(list(trees_), {f"p{i}": i for i in range(N_PARAMS)})
    return evaluate_rules(values, valid, mask, table.kind, table.param, table.op,
                          table.threshold, table.child_ptr, table.children, table.tree_ptr), table


@settings(max_examples=150, deadline=None)
@given(st.lists(trees, min_size=1, max_size=4),
       st.lists(st.tuples(st.lists(VALUES, min_size=N_PARAMS, max_size=N_PARAMS),
                          st.lists(st.booleans(), min_size=N_PARAMS, max_size=N_PARAMS),
                          st.lists(st.booleans(), min_size=4, max_size=4)),
                min_size=1, max_size=6))
def test_evaluate_rules_matches_naive_twin(trees_, rows):
    values = np.array([r[0] for r in rows], dtype=np.float64)
    valid = np.array([r[1] for r in rows], dtype=bool)
    mask = np.array([r[2][: len(trees_)] for r in rows], dtype=bool)
    (status, decider), table = _run(trees_, values, valid, mask)
    for i, row in enumerate(rows):
        for e, tree in enumerate(trees_):
            expected = (naive_thresholds.evaluate(_naive_form(tree), row[0], row[1])
                        if mask[i, e] else 0)
            assert status[i, e] == expected
            if mask[i, e]:
                # The deciding node lies inside the entry's own tree.
                assert table.tree_ptr[e] <= decider[i, e] < table.tree_ptr[e + 1]


def test_missing_parameter_gives_unknown_and_decider_names_it():
    tree = ("all", (("test", "p0", ">=", 5.0, "1"), ("test", "p1", "<=", 0.9, "1")))
    values = np.array([[5.0, 0.0], [5.0, 1.0], [4.0, 0.0]])
    valid = np.array([[True, False], [True, True], [True, False]])
    mask = np.ones((3, 1), dtype=bool)
    (status, decider), table = _run([tree], np.pad(values, ((0, 0), (0, 2))),
                                    np.pad(valid, ((0, 0), (0, 2))), mask)
    assert status[:, 0].tolist() == [2, 0, 0]  # unknown, not met, not met despite missing p1
    assert table.text[decider[0, 0]] == "p1 <= 0.9"
    assert table.text[decider[1, 0]] == "p1 <= 0.9"
    assert table.text[decider[2, 0]] == "p0 >= 5"


def test_boundary_values_after_unit_conversion_count_as_equal():
    tree = ("test", "p0", "<=", 0.9, "um")
    values = np.array([[0.9 * 1e-6 * (1 + 1e-12), 0, 0, 0], [0.9000001e-6, 0, 0, 0]])
    (status, _), _ = _run([tree], values, np.ones((2, 4), bool), np.ones((2, 1), bool))
    assert status[:, 0].tolist() == [1, 0]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(-5, 40), max_size=30),
       st.lists(st.integers(0, 40), min_size=0, max_size=8))
def test_version_index_matches_naive_twin(days, starts):
    starts = sorted(starts)
    got = version_index(np.array(days, dtype=np.int32), np.array(starts, dtype=np.int32))
    assert got.tolist() == naive_asof.version_index(days, starts)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), max_size=5), min_size=1, max_size=4),
       st.lists(st.tuples(st.integers(-5, 45), st.integers(-1, 3)), max_size=30))
def test_grouped_version_index_matches_naive_twin(groups, rows):
    starts, ptr = [], [0]
    for group in groups:
        starts.extend(sorted(group))
        ptr.append(len(starts))
    days = [d for d, _ in rows]
    row_group = [g if g < len(groups) else -1 for _, g in rows]
    got = grouped_version_index(np.array(days, dtype=np.int32),
                                np.array(row_group, dtype=np.int32),
                                np.array(ptr, dtype=np.int64), np.array(starts, dtype=np.int32))
    assert got.tolist() == naive_asof.grouped_version_index(days, row_group, ptr, starts)
