"""Compile a :class:`RuleSet` into flat arrays for the kernels (picklable, no pint objects).

Rule trees of control entries and of measure conditions become one node table in post-order
(children before parents, root last per tree), the layout
``bulkscreen_kernels.thresholds.evaluate_rules`` reads. Destination groups become per-country
timelines for ``bulkscreen_kernels.asof.grouped_version_index``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from bulkscreen.rules.catalog import to_day
from bulkscreen.rules.model import OPS, ControlEntry, Measure, RuleSet, Tree
from bulkscreen.rules.units import to_si

NODE_CODES = {"test": 0, "all": 1, "any": 2, "unknown": 3, "true": 4}
OP_CODES = {op: code for code, op in enumerate(OPS)}
FAR_PAST = -(2**31) + 1
FAR_FUTURE = 2**31 - 1


@dataclass(frozen=True)
class NodeTable:
    """Flat rule trees: node arrays plus CSR children and per-tree node ranges."""

    kind: np.ndarray  # int8
    param: np.ndarray  # int32, -1 for non-test nodes
    op: np.ndarray  # int8
    threshold: np.ndarray  # float64, SI
    child_ptr: np.ndarray  # int64, n_nodes + 1
    children: np.ndarray  # int32
    tree_ptr: np.ndarray  # int64, n_trees + 1
    text: tuple[str, ...]  # human form of each node, for explanations
    threshold_text: tuple[str, ...]


@dataclass(frozen=True)
class Timeline:
    """Per-country membership of one destination group: state changes by day."""

    countries: dict[str, int]
    ptr: np.ndarray  # int64, n_countries + 1
    start_days: np.ndarray  # int32
    state: np.ndarray  # bool


@dataclass(frozen=True)
class CompiledRules:
    """Everything a batch needs to screen shipments against one rule version."""

    regime: str
    version: str
    sha256: str
    param_names: tuple[str, ...]
    param_units: tuple[str, ...]
    derived: tuple[tuple[str, tuple[str, ...]], ...]
    nodes: NodeTable
    # Trees 0..n_entries-1 are control entries, then one tree per conditional measure.
    entries: tuple[ControlEntry, ...]
    entry_declared: tuple[frozenset[str], ...]
    measures: tuple[Measure, ...]
    measure_tree: tuple[int, ...]  # tree index of each measure's condition, -1 if none
    groups: dict[str, Timeline]
    entry_params: np.ndarray  # bool[n_entries, n_params]: parameters each entry tests
    ruleset: RuleSet = field(repr=False)
    # First and last day (days since 1970-01-01, inclusive) each entry is in force.
    entry_from_day: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    entry_to_day: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))

    @property
    def param_index(self) -> dict[str, int]:
        """Column of each parameter in the batch's parameter matrix."""
        return {name: i for i, name in enumerate(self.param_names)}

    @property
    def n_entries(self) -> int:
        """Number of control entries."""
        return len(self.entries)

    def entries_in_force(self, days: np.ndarray) -> np.ndarray:
        """Return bool[n_rows, n_entries]: each entry is in force on each row's day.

        Parameters
        ----------
        days
            int32 days since 1970-01-01, one per row (the shipment date or the as-of date).
        """
        days = np.asarray(days, dtype=np.int32)[:, None]
        return (days >= self.entry_from_day[None, :]) & (days <= self.entry_to_day[None, :])


def normalise_entry_code(code: str) -> str:
    """Return an entry code in canonical form: upper case, no spaces, '6(2)' kept as is."""
    return "".join(code.split()).upper().replace("（", "(").replace("）", ")")


def flatten_trees(trees: list[Tree], param_index: dict[str, int]) -> NodeTable:
    """Flatten tree tuples into a :class:`NodeTable` in post-order.

    Parameters
    ----------
    trees
        Tree tuples as in :mod:`bulkscreen.rules.model`; test thresholds carry their unit and
        are converted to SI here.
    param_index
        Column of each parameter name.
    """
    kind: list[int] = []
    param: list[int] = []
    op: list[int] = []
    threshold: list[float] = []
    child_ptr: list[int] = [0]
    children: list[int] = []
    text: list[str] = []
    threshold_text: list[str] = []
    tree_ptr = [0]

    def emit(node: Tree) -> int:
        child_ids = [emit(child) for child in node[1]] if node[0] in ("all", "any") else []
        kind.append(NODE_CODES[node[0]])
        if node[0] == "test":
            _, name, comparator, value, unit = node
            param.append(param_index[name])
            op.append(OP_CODES[comparator])
            threshold.append(to_si(value, unit))
            shown = f"{value:g}" if unit in ("1", "") else f"{value:g} {unit}"
            text.append(f"{name} {comparator} {shown}")
            threshold_text.append(f"{comparator} {shown}")
        else:
            param.append(-1)
            op.append(0)
            threshold.append(0.0)
            label = node[1] if node[0] in ("unknown", "true") else node[0]
            text.append(str(label))
            threshold_text.append("")
        children.extend(child_ids)
        child_ptr.append(len(children))
        return len(kind) - 1

    for tree in trees:
        emit(tree)
        tree_ptr.append(len(kind))
    return NodeTable(
        kind=np.array(kind, dtype=np.int8), param=np.array(param, dtype=np.int32),
        op=np.array(op, dtype=np.int8), threshold=np.array(threshold, dtype=np.float64),
        child_ptr=np.array(child_ptr, dtype=np.int64), children=np.array(children, np.int32),
        tree_ptr=np.array(tree_ptr, dtype=np.int64), text=tuple(text),
        threshold_text=tuple(threshold_text),
    )


def _timelines(ruleset: RuleSet) -> dict[str, Timeline]:
    events: dict[str, dict[str, list[tuple[int, bool]]]] = {}
    for m in ruleset.memberships:
        start = to_day(m.from_date) if m.from_date else FAR_PAST
        stop = to_day(m.to_date + dt.timedelta(days=1)) if m.to_date else None
        for country in m.countries:
            per_country = events.setdefault(m.group, {}).setdefault(country, [])
            per_country.append((start, True))
            if stop is not None:
                per_country.append((stop, False))
    # Group D is Appended Table 4 plus Appended Table 3-2.
    union: dict[str, list[tuple[int, bool]]] = {}
    for group in ("TABLE_4", "TABLE_3_2"):
        for country, evs in events.get(group, {}).items():
            union.setdefault(country, []).extend(evs)
    events["D"] = {c: _union_events(evs) for c, evs in union.items()}
    out = {}
    for group, per_country in events.items():
        countries = sorted(per_country)
        ptr, days, state = [0], [], []
        for country in countries:
            # A stop and a start on the same day: the start wins (sorted False before True).
            for day, on in sorted(per_country[country]):
                if days and ptr[-1] < len(days) and days[-1] == day:
                    state[-1] = on or state[-1]
                    continue
                days.append(day)
                state.append(on)
            ptr.append(len(days))
        out[group] = Timeline({c: i for i, c in enumerate(countries)},
                              np.array(ptr, dtype=np.int64), np.array(days, dtype=np.int32),
                              np.array(state, dtype=bool))
    return out


def _union_events(evs: list[tuple[int, bool]]) -> list[tuple[int, bool]]:
    # Members of either table: count overlapping memberships.
    # One event per day: the state after every change of that day.
    out: list[tuple[int, bool]] = []
    depth = 0
    for day, on in sorted(evs, key=lambda e: (e[0], not e[1])):
        depth += 1 if on else -1
        if out and out[-1][0] == day:
            out[-1] = (day, depth > 0)
        else:
            out.append((day, depth > 0))
    return out


def compile_rules(ruleset: RuleSet) -> CompiledRules:
    """Compile a rule set into flat arrays for the kernels.

    Parameters
    ----------
    ruleset
        A rule set from :func:`bulkscreen.rules.load_rules`.

    Returns
    -------
    CompiledRules
        Picklable arrays and metadata; thresholds in SI units.
    """
    param_names = tuple(ruleset.parameters)
    param_index = {name: i for i, name in enumerate(param_names)}
    trees = [entry.tree for entry in ruleset.entries]
    measure_tree = []
    for measure in ruleset.measures:
        if measure.condition is None:
            measure_tree.append(-1)
        else:
            measure_tree.append(len(trees))
            trees.append(measure.condition)
    return CompiledRules(
        regime=ruleset.regime, version=ruleset.version, sha256=ruleset.sha256,
        param_names=param_names,
        param_units=tuple(ruleset.parameters[n].unit for n in param_names),
        derived=tuple((d.name, d.inputs) for d in ruleset.derived.values()),
        nodes=flatten_trees(trees, param_index),
        entries=ruleset.entries,
        entry_declared=tuple(frozenset(normalise_entry_code(c) for c in (*e.declared, *e.cas))
                             for e in ruleset.entries),
        measures=ruleset.measures, measure_tree=tuple(measure_tree),
        groups=_timelines(ruleset), entry_params=_entry_params(ruleset, param_index),
        ruleset=ruleset,
        entry_from_day=np.array([to_day(e.valid_from) if e.valid_from else FAR_PAST
                                 for e in ruleset.entries], dtype=np.int32),
        entry_to_day=np.array([to_day(e.valid_to) if e.valid_to else FAR_FUTURE
                               for e in ruleset.entries], dtype=np.int32),
    )


def _entry_params(ruleset: RuleSet, param_index: dict[str, int]) -> np.ndarray:
    """Return which parameters each control entry tests, directly or through a derivation."""
    out = np.zeros((len(ruleset.entries), len(param_index)), dtype=bool)

    def visit(node: Tree, e: int) -> None:
        if node[0] == "test":
            out[e, param_index[node[1]]] = True
            derived = ruleset.derived.get(node[1])
            for name in derived.inputs if derived else ():
                if name in param_index:
                    out[e, param_index[name]] = True
        elif node[0] in ("all", "any"):
            for child in node[1]:
                visit(child, e)

    for e, entry in enumerate(ruleset.entries):
        visit(entry.tree, e)
    return out


STATUS_NAMES = ("NOT_MET", "MET", "UNKNOWN")


def classify(rules: CompiledRules, parameters: dict[str, tuple[float, str]]
             ) -> dict[str, str]:
    """Evaluate every control entry for one item described by its parameters.

    Parameters
    ----------
    rules
        Compiled rules (for the list of one day, compile ``ruleset.on(day)``).
    parameters
        Parameter name -> (value, unit); derived parameters are computed as in a batch.

    Returns
    -------
    dict
        Entry id -> ``'MET'``, ``'UNKNOWN'`` (a condition or a missing parameter decides) or
        ``'NOT_MET'``, for every entry whose tree uses a given parameter or needs none.
    """
    from bulkscreen.rules.derived import DERIVED_FUNCTIONS
    from bulkscreen.rules.units import input_conversion
    from bulkscreen_kernels.thresholds import evaluate_rules

    index = rules.param_index
    values = np.zeros((1, len(index)), dtype=np.float64)
    valid = np.zeros((1, len(index)), dtype=bool)
    for name, (value, unit) in parameters.items():
        column = index[name]
        conv = input_conversion(unit, rules.param_units[column])
        values[0, column] = value * conv.scale + conv.offset
        valid[0, column] = True
    given = valid.copy()
    for name, inputs in rules.derived:
        if any(i not in index for i in inputs):
            continue
        target = index[name]
        out, ok = DERIVED_FUNCTIONS[name](*[(values[:, index[i]], valid[:, index[i]])
                                            for i in inputs])
        if ok[0] and not valid[0, target]:
            values[0, target], valid[0, target] = out[0], True
    n_trees = len(rules.nodes.tree_ptr) - 1
    applies = np.zeros((1, n_trees), dtype=bool)
    uses = rules.entry_params[:, given[0]].any(axis=1) | ~rules.entry_params.any(axis=1)
    applies[0, : rules.n_entries] = uses
    nodes = rules.nodes
    status, _ = evaluate_rules(values, valid, applies, nodes.kind, nodes.param, nodes.op,
                               nodes.threshold, nodes.child_ptr, nodes.children,
                               nodes.tree_ptr)
    return {entry.id: STATUS_NAMES[int(status[0, e])]
            for e, entry in enumerate(rules.entries) if uses[e]}
