"""Item classification: a shipment line's parameters against the control-list entries.

Parameters are converted to SI once per distinct (name, unit) in the batch; which entries apply
to a line follows from its HS code, its declared entry and the parameters it gives; the rule
trees run in the ``thresholds`` kernel (with the measures' trees, in one call made by
:mod:`bulkscreen.screen.shipments`); :func:`control_findings` turns the trees' outcome into
findings that quote the deciding parameter, value and threshold.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.arrays import list_parents
from bulkscreen.decide import Findings
from bulkscreen.rules.catalog import to_day
from bulkscreen.rules.compile import CompiledRules, normalise_entry_code
from bulkscreen.rules.derived import DERIVED_FUNCTIONS
from bulkscreen.rules.model import ROWS_1_TO_15, ControlEntry
from bulkscreen.rules.units import UnitError, format_si, input_conversion
from bulkscreen.screen.shipment_batch import ShipmentBatch

MET, UNKNOWN = 1, 2
"""Outcomes of a rule tree in the ``thresholds`` kernel (0: not met)."""

# ---------------------------------------------------------------- parameters -> SI matrix
def parameter_matrix(parameters: pa.Array, rules: CompiledRules, findings: Findings,
                     rule_version: str, lines_of: ItemLines | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Return the SI parameter matrix and its validity mask; unit problems become findings.

    Conversion factors are computed once per distinct (name, unit) pair in the batch. With
    ``lines_of``, ``parameters`` holds one value per distinct item and each unit problem is
    a finding on every line of its item.
    """
    n = len(parameters)
    n_params = len(rules.param_names)
    values = np.zeros((n, n_params), dtype=np.float64)
    valid = np.zeros((n, n_params), dtype=bool)
    if n == 0 or parameters.null_count == n:
        return values, valid
    parents, _, flat = list_parents(parameters)
    if len(flat) == 0:
        return values, valid
    names = pc.fill_null(pc.struct_field(flat, "name"), "")
    units = pc.fill_null(pc.struct_field(flat, "unit"), "")
    raw = pc.struct_field(flat, "value")
    has_value = pc.is_valid(raw).to_numpy(zero_copy_only=False)
    raw = pc.fill_null(raw, 0.0).to_numpy()
    encoded = pc.binary_join_element_wise(names, units, "\x1f").dictionary_encode()
    index = rules.param_index
    key_param, key_scale, key_offset, key_problem = [], [], [], []
    for key in encoded.dictionary.to_pylist():
        name, unit = key.split("\x1f")
        column = index.get(name, -1)
        scale, offset, problem = 0.0, 0.0, None
        if column >= 0:
            try:
                conv = input_conversion(unit, rules.param_units[column])
                scale, offset = conv.scale, conv.offset
            except UnitError as exc:
                problem = str(exc)
        key_param.append(column)
        key_scale.append(scale)
        key_offset.append(offset)
        key_problem.append(problem)
    codes = encoded.indices.to_numpy()
    column = np.array(key_param, dtype=np.int64)[codes]
    bad_key = np.array([p is not None for p in key_problem], dtype=bool)[codes]
    usable = (column >= 0) & has_value & ~bad_key & np.isfinite(raw)
    si = raw * np.array(key_scale)[codes] + np.array(key_offset)[codes]
    values[parents[usable], column[usable]] = si[usable]
    valid[parents[usable], column[usable]] = True
    bad = np.nonzero(bad_key & (column >= 0))[0]
    rows = parents[bad]
    if len(bad) and lines_of is not None:
        rows, spread = lines_of.spread(rows)
        bad = bad[spread]
    if len(bad):
        name_list = names.to_pylist()
        unit_list = units.to_pylist()
        findings.add(
            rows, finding="item", decision="REVIEW", reason_code="UNIT_ERROR",
            field="parameters",
            query_value=[f"{name_list[k]}={raw[k]:g} {unit_list[k]}".strip() for k in bad],
            value=[f"{raw[k]:g} {unit_list[k]}".strip() for k in bad],
            rule_version=rule_version,
            explanation=[f"parameter {name_list[k]}: {key_problem[codes[k]]}; the value was not "
                         f"used. Fix: write it with a unit of the parameter, e.g. "
                         f"'{name_list[k]}={raw[k]:g} {rules.param_units[column[k]]}'"
                         for k in bad],
        )
    return values, valid


def add_derived(values: np.ndarray, valid: np.ndarray, rules: CompiledRules,
                value_jpy: np.ndarray, quantity: np.ndarray) -> None:
    """Fill derived parameters where they are not given directly.

    ``value_jpy`` and ``quantity`` are the lines' (NaN where not given), one per row of
    ``values``.
    """
    index = rules.param_index
    extra = {"value_jpy": (value_jpy, ~np.isnan(value_jpy)),
             "quantity": (quantity, ~np.isnan(quantity))}
    for name, inputs in rules.derived:
        columns = [extra[i] if i in extra else (values[:, index[i]], valid[:, index[i]])
                   for i in inputs]
        derived, ok = DERIVED_FUNCTIONS[name](*columns)
        target = index[name]
        fill = ok & ~valid[:, target]
        values[fill, target] = derived[fill]
        valid[fill, target] = True


# ---------------------------------------------------------------- scopes
class HsIndex:
    """HS code prefixes of every length the rules use, matched once per distinct code.

    A batch repeats a few hundred codes: prefixes are compared with the distinct codes and the
    outcome spread to the rows.
    """

    def __init__(self, hs: pa.Array):
        self.hs = hs
        encoded = pc.fill_null(hs, "").dictionary_encode()
        self.codes = encoded.dictionary
        self.code_of_row = encoded.indices.to_numpy(zero_copy_only=False)
        self.slices: dict[int, pa.Array] = {}
        self._short: list[tuple[int, str]] | None = None

    def _short_codes(self) -> list[tuple[int, str]]:
        """(position, code) of each distinct HS code shorter than a six-digit subheading."""
        if self._short is None:
            self._short = [(k, code) for k, code in enumerate(self.codes.to_pylist())
                           if code and len(code) < 6]
        return self._short

    def match(self, prefixes: tuple[str, ...], reach_shorter: bool = False) -> np.ndarray:
        """Rows whose HS code starts with one of ``prefixes``; with ``reach_shorter``, also
        rows whose code is shorter and starts a prefix (HS 6815 may be 6815.12 goods)."""
        out = np.zeros(len(self.codes), dtype=bool)
        if reach_shorter:
            for k, code in self._short_codes():
                if any(p.startswith(code) for p in prefixes):
                    out[k] = True
        by_length: dict[int, list[str]] = {}
        for prefix in prefixes:
            by_length.setdefault(len(prefix), []).append(prefix)
        for length, group in by_length.items():
            if length not in self.slices:
                self.slices[length] = pc.utf8_slice_codeunits(self.codes, 0, length)
            hit = pc.is_in(self.slices[length], value_set=pa.array(group, pa.string()))
            out |= pc.fill_null(hit, False).to_numpy(zero_copy_only=False)
        return out[self.code_of_row]

    def match_each(self, prefix_sets: list[tuple[str, ...]], reach_shorter: bool = False
                   ) -> np.ndarray:
        """bool (n_rows, len(prefix_sets)): :meth:`match` of each set, in one pass.

        Each distinct code looks up its own leading parts among the prefixes, so the cost
        follows the distinct codes, not the number of sets (a rule set has over a thousand).
        """
        by_prefix: dict[str, list[int]] = {}
        by_start: dict[str, list[int]] = {}  # every leading part of a prefix -> its sets
        for j, prefixes in enumerate(prefix_sets):
            for prefix in prefixes:
                by_prefix.setdefault(prefix, []).append(j)
                if reach_shorter:
                    for k in range(1, len(prefix) + 1):
                        by_start.setdefault(prefix[:k], []).append(j)
        out = np.zeros((len(self.codes), len(prefix_sets)), dtype=bool)
        for k, code in enumerate(self.codes.to_pylist()):
            for length in range(len(code) + 1):
                sets = by_prefix.get(code[:length])
                if sets:
                    out[k, sets] = True
            if reach_shorter and code and len(code) < 6:
                sets = by_start.get(code)
                if sets:
                    out[k, sets] = True
        return out[self.code_of_row]


def entries_using_given(given: np.ndarray, entry_params: np.ndarray) -> np.ndarray:
    """bool[n_rows, n_entries]: the entry uses a parameter the row gives, or the row gives none.

    Lines of one product give the same set of parameters, so the sets are few: the product is
    taken once per distinct set (rows packed to bytes) and spread back to the rows. A dense
    float product over every row cost rows x params x entries and a matrix of that size.
    """
    n_rows = given.shape[0]
    if n_rows == 0 or given.shape[1] == 0:
        return np.ones((n_rows, entry_params.shape[0]), dtype=bool)
    packed = np.ascontiguousarray(np.packbits(given, axis=1))
    # One opaque value per row: sorting those is far cheaper than np.unique(axis=0).
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    patterns, inverse = np.unique(rows, return_inverse=True)
    distinct = np.unpackbits(patterns.view(np.uint8).reshape(len(patterns), -1), axis=1,
                             count=given.shape[1]).astype(bool)
    # float32: a BLAS product (an integer one is a slow loop over rows x entries x params).
    uses = (distinct.astype(np.float32) @ entry_params.T.astype(np.float32)) > 0
    uses |= ~distinct.any(axis=1)[:, None]
    return uses[inverse.reshape(-1)]


def declared_mask(declared: list[str | None], rules: CompiledRules) -> np.ndarray:
    """Return (n_rows, n_entries): the row's declared entry names the control entry.

    A declared code names an entry when it is one of the entry's names, more specific than one
    (``2B001.b.2`` for ``2B001.b``), or, when it has an item (``1.14``, ``2(12)``), less
    specific (``1.14`` reaches ``1.14.イ``); a bare row number reaches nothing by itself.
    """
    mask = np.zeros((len(declared), rules.n_entries), dtype=bool)
    encoded = pa.array(declared, pa.string()).dictionary_encode()
    inverse = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    for u_index, raw in enumerate(encoded.dictionary.to_pylist()):
        hits = _declared_entries(rules, normalise_entry_code(raw))
        if hits:
            rows = np.nonzero(inverse == u_index)[0]
            mask[np.ix_(rows, hits)] = True
    return mask


_DECLARED_HITS: dict[int, tuple[tuple[frozenset[str], ...], dict[str, list[int]]]] = {}
"""Entries each declared code names, per rule set (by its entry names): every batch of a run
declares the same few codes, and each costs a pass over every entry's names."""


def _declared_entries(rules: CompiledRules, code: str) -> list[int]:
    """The entries a normalised declared ``code`` names (see :func:`declared_mask`)."""
    if not code:
        return []
    names_of = rules.entry_declared
    held = _DECLARED_HITS.get(id(names_of))
    if held is None or held[0] is not names_of:
        if len(_DECLARED_HITS) >= 8:
            _DECLARED_HITS.clear()
        held = _DECLARED_HITS[id(names_of)] = (names_of, {})
    known = held[1]
    if code not in known:
        if len(known) >= 100_000:  # a file of ever new codes: bound the memo, not the run
            known.clear()
        broader = "." in code or "(" in code
        known[code] = [
            e for e, names in enumerate(names_of)
            if code in names or any(code.startswith(name + ".") for name in names)
            or (broader and any(name.startswith((code + ".", code + "(")) for name in names))]
    return known[code]


def node_explanation(rules: CompiledRules, node: int, row: int, values: np.ndarray,
                      valid: np.ndarray) -> tuple[str, str | None, str | None]:
    """Return (text, value, threshold) of the deciding node for one row."""
    nodes = rules.nodes
    param = int(nodes.param[node])
    if param < 0:
        return nodes.text[node], None, None
    name = rules.param_names[param]
    if not valid[row, param]:
        return (f"{name} not given (needed for: {nodes.text[node]}); add it to the "
                "parameters", None, nodes.threshold_text[node])
    shown = format_si(values[row, param], rules.param_units[param])
    return f"{name} = {shown} ({nodes.text[node]})", shown, nodes.threshold_text[node]


@dataclass(frozen=True)
class ItemLines:
    """The distinct items of a batch: which item each line is, and each item's first line.

    An item is what classification reads of a line: HS code, parameters, declared entry, the
    rules epoch of its date and, only where a rule tree that applies to it reads them, value
    and quantity. Lines of one item get the same outcome of every rule tree.
    """

    item: np.ndarray  # int64 per line: its item
    first: np.ndarray  # int64 per item: its first line (ascending)

    @classmethod
    def of_keys(cls, keys: pl.DataFrame) -> ItemLines:
        """Group equal rows of ``keys`` (nulls equal), items in order of first appearance."""
        groups = (keys.with_row_index("line")
                  .group_by(keys.columns, maintain_order=True).agg(pl.col("line")))
        lines = groups.get_column("line")
        sizes = lines.list.len().to_numpy().astype(np.int64)
        flat = lines.explode().to_numpy().astype(np.int64)
        item = np.empty(len(flat), dtype=np.int64)
        item[flat] = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        return cls(item=item, first=flat[np.cumsum(sizes) - sizes])

    @functools.cached_property
    def _grouped(self) -> tuple[np.ndarray, np.ndarray]:
        """(lines ordered by item, ascending within one; where each item's lines start)."""
        order = np.argsort(self.item, kind="stable")
        return order, np.searchsorted(self.item[order], np.arange(len(self.first) + 1))

    def spread(self, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every line of each of ``items``: (lines, position in ``items`` of each line's item).

        Lines of one item follow in ascending order, so each line meets its findings in the
        order they were found for the item.
        """
        order, starts = self._grouped
        sizes = starts[items + 1] - starts[items]
        which = np.repeat(np.arange(len(items), dtype=np.int64), sizes)
        offset = np.arange(len(which), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes,
                                                                   sizes)
        return order[starts[items][which] + offset], which


def value_reading_trees(rules: CompiledRules) -> np.ndarray:
    """bool per rule tree: the tree reads a parameter derived from a line's value or quantity
    (unit value), so lines that differ only in value may differ in its outcome."""
    line_inputs = {"value_jpy", "quantity"}
    for name, inputs in rules.derived:
        if line_inputs & set(inputs):
            line_inputs.add(name)
    params = [rules.param_index[name] for name in line_inputs if name in rules.param_index]
    nodes = rules.nodes
    reads = np.isin(nodes.param, params)
    return np.array([reads[nodes.tree_ptr[t]:nodes.tree_ptr[t + 1]].any()
                     for t in range(len(nodes.tree_ptr) - 1)], dtype=bool)


def distinct_items(b: ShipmentBatch, rules: CompiledRules, hs_index: HsIndex,
                   declared: np.ndarray) -> ItemLines:
    """Group the lines of ``b`` into items (see :class:`ItemLines`).

    ``declared`` is :func:`declared_mask` of the lines. The rules epoch of a day is the span
    between two days on which an entry enters or leaves force, so the lines of one item have the
    same entries in force.
    """
    reads_value = value_reading_trees(rules)
    needs_value = declared[:, reads_value[: rules.n_entries]].any(axis=1)
    # A code matches the union of prefixes where it matches any one entry's.
    needs_value |= hs_index.match(
        tuple(p for e in np.flatnonzero(reads_value[: rules.n_entries])
              for p in rules.entries[e].hs_prefixes), reach_shorter=True)
    for m, measure in enumerate(rules.measures):
        tree = rules.measure_tree[m]
        if tree >= 0 and reads_value[tree]:
            needs_value |= hs_index.match(measure.hs_prefixes)
    bounds = np.unique(np.concatenate([rules.entry_from_day, rules.entry_to_day + 1]))
    epoch = np.searchsorted(bounds, b.days, side="right")
    keys = pl.DataFrame([
        pl.Series("hs", hs_index.code_of_row),
        pl.from_arrow(b.parameters).alias("parameters"),
        pl.Series("declared", b.declared, dtype=pl.String),
        pl.Series("epoch", epoch),
        pl.Series("value", np.where(needs_value, b.value_jpy, np.nan)).fill_nan(None),
        pl.Series("quantity", np.where(needs_value, b.quantity, np.nan)).fill_nan(None),
    ])
    return ItemLines.of_keys(keys)


@dataclass(frozen=True)
class LineChecks:
    """What every shipment check reads: the lines, the rules and the rule trees' outcome.

    Trees are the control entries (``rules.entries``), then the measures that have one. The
    outcome is held per distinct item (``items``): ``status[item, tree]`` is 0, MET or
    UNKNOWN, ``decider[item, tree]`` the node that decided, ``values`` and ``valid`` the item's
    SI parameters; :meth:`outcome` reads a tree's status per line.
    """

    lines: ShipmentBatch
    rules: CompiledRules
    version: str
    hs_index: HsIndex
    items: ItemLines
    values: np.ndarray
    valid: np.ndarray
    status: np.ndarray
    decider: np.ndarray
    declared: np.ndarray
    """(n_lines, n_entries): the line's declared code names the entry, in force or not."""

    def outcome(self, tree: int) -> np.ndarray:
        """0, MET or UNKNOWN of ``tree`` for each line."""
        return self.status[:, tree][self.items.item]

    def lines_with(self, tree: int, code: int) -> np.ndarray:
        """Ascending positions of the lines whose outcome of ``tree`` is ``code``.

        The same as ``np.flatnonzero(self.outcome(tree) == code)``, found from the few items
        with that outcome: the checks ask this for every entry an item reaches, and a pass
        over every line each time cost more than the findings it found.
        """
        items = np.flatnonzero(self.status[:, tree] == code)
        if len(items) == 0:
            return np.empty(0, dtype=np.int64)
        return np.sort(self.items.spread(items)[0])

    def explain(self, tree: int, row: int) -> tuple[str, str | None, str | None]:
        """(text, value, threshold) of the node that decided ``tree`` for line ``row``."""
        item = int(self.items.item[row])
        return node_explanation(self.rules, int(self.decider[item, tree]), item, self.values,
                                self.valid)

    def explain_lines(self, tree: int, rows: np.ndarray
                      ) -> list[tuple[str, str | None, str | None]]:
        """:meth:`explain` for each of ``rows``, worked out once per item."""
        items = self.items.item[rows]
        distinct, inverse = np.unique(items, return_inverse=True)
        texts = [node_explanation(self.rules, int(self.decider[u, tree]), int(u), self.values,
                                  self.valid) for u in distinct]
        return [texts[k] for k in inverse.reshape(-1)]


def check_lines(b: ShipmentBatch, rules: CompiledRules, findings: Findings) -> LineChecks:
    """Convert the lines' parameters, find the entries and measures that apply, run the trees.

    Unit problems become findings. An HS heading covers several products (ICs: ADCs, FPGAs,
    ...): a line that gives parameters is checked only against the entries whose parameters it
    gives; a line without parameters is checked against all, and goes to review where they
    matter. An HS code shorter than the entry's (6815 for 6815.12) reaches it. A declared entry
    always applies. An entry applies only on the days it is in force (its valid_from and
    valid_to), so a line is judged by the list of its own date. Lines that repeat an item
    (:func:`distinct_items`) are classified once.
    """
    from bulkscreen_kernels.thresholds import evaluate_rules

    version = f"{rules.regime}/{rules.version}"
    hs_index = HsIndex(b.hs_arrow)
    declared = declared_mask(b.declared, rules)
    items = distinct_items(b, rules, hs_index, declared)
    first = items.first
    values, valid = parameter_matrix(b.parameters.take(pa.array(first)), rules, findings,
                                     version, lines_of=items)
    given = valid.copy()
    add_derived(values, valid, rules, b.value_jpy[first], b.quantity[first])
    item_hs = HsIndex(b.hs_arrow.take(pa.array(first)))
    nodes = rules.nodes
    applies = np.zeros((len(first), len(nodes.tree_ptr) - 1), dtype=bool)
    applies[:, : rules.n_entries] = item_hs.match_each(
        [entry.hs_prefixes for entry in rules.entries], reach_shorter=True)
    applies[:, : rules.n_entries] &= entries_using_given(given, rules.entry_params)
    applies[:, : rules.n_entries] |= declared[first]
    applies[:, : rules.n_entries] &= rules.entries_in_force(b.days[first])
    with_tree = [m for m in range(len(rules.measures)) if rules.measure_tree[m] >= 0]
    if with_tree:
        applies[:, [rules.measure_tree[m] for m in with_tree]] = item_hs.match_each(
            [rules.measures[m].hs_prefixes for m in with_tree])
    status, decider = evaluate_rules(values, valid, applies, nodes.kind, nodes.param, nodes.op,
                                     nodes.threshold, nodes.child_ptr, nodes.children,
                                     nodes.tree_ptr)
    return LineChecks(lines=b, rules=rules, version=version, hs_index=hs_index, items=items,
                      values=values, valid=valid, status=status, decider=decider,
                      declared=declared)


def control_findings(findings: Findings, checks: LineChecks, group_a: np.ndarray,
                     concern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add control-entry findings; return rows meeting / possibly meeting rows 1-15 entries.

    ``concern`` marks lines with an end use or end user of concern, which lose the
    small-value exemption outside Group A where the rules say so.
    """
    rules, b, version = checks.rules, checks.lines, checks.version
    sv = rules.ruleset.small_value
    controlled = np.zeros(b.n, dtype=bool)
    controlled_unknown = np.zeros(b.n, dtype=bool)
    exempt_ok = (
        ~b.dest_codes.isin(sv.never_countries)
        & (b.days >= to_day(sv.from_date))
        & ~np.isnan(b.value_jpy)
    )
    if sv.not_when_concern_outside_group_a:
        exempt_ok &= ~(concern & ~group_a)
    # An entry no item meets or may meet adds nothing: skip its per-line pass.
    reached = (checks.status[:, : rules.n_entries] != 0).any(axis=0)
    for e in np.flatnonzero(reached).tolist():
        entry = rules.entries[e]
        met_rows = checks.lines_with(e, MET)
        unknown_rows = checks.lines_with(e, UNKNOWN)
        in_rows_1_15 = entry.row in ROWS_1_TO_15 and entry.effect == "licence"
        if in_rows_1_15:
            controlled[met_rows] = True
            controlled_unknown[unknown_rows] = True
        where = f"{entry.reference}, Appended Table 1 row {entry.row}{entry.item}"
        if len(met_rows):
            details = checks.explain_lines(e, met_rows)
            if entry.effect == "review":
                decision = ["REVIEW"] * len(met_rows)
                reason = ["CONTROL_ENTRY_FOREIGN"] * len(met_rows)
                text = [f"{where} ({entry.title}) is met: {d[0]}. {entry.note}".strip()
                        for d in details]
            else:
                caveat = _caveat(entry)
                limit = (sv.table_3_3_limit_jpy if entry.row in sv.table_3_3_rows
                         or entry.id in sv.table_3_3_entries else sv.limit_jpy)
                exempt = (exempt_ok[met_rows] & (entry.row in sv.rows)
                          & (b.value_jpy[met_rows] <= limit))
                # Notified goods of Appended Table 3-3 have the lower limit; the notice is not
                # bundled, so such a line above it is not known to be exempt.
                unsure = exempt & (b.value_jpy[met_rows] > sv.table_3_3_limit_jpy) & \
                    notified_table_3_3(sv, entry, b.days[met_rows])
                decision = np.where(unsure, "REVIEW",
                                    np.where(exempt, "CLEAR", "LICENSE_REQUIRED")).tolist()
                reason = np.where(exempt, "SMALL_VALUE_EXEMPT", "CONTROL_ENTRY").tolist()
                text = [
                    (f"{where} ({entry.title}) is met: {d[0]}; value JPY "
                     f"{b.value_jpy[r]:,.0f} <= {limit:,.0f}, so the small-value exemption "
                     "applies unless the goods are METI-notified goods of Appended Table 3-3 "
                     f"(別表第三の三), whose limit is JPY {sv.table_3_3_limit_jpy:,.0f}; confirm "
                     "against the notice") if un else
                    (f"{where} ({entry.title}) is met: {d[0]}; value JPY "
                     f"{b.value_jpy[r]:,.0f} <= {limit:,.0f}, so the small-value exemption "
                     "applies (declare it to customs)") if ex else
                    (f"{where} ({entry.title}) is met: {d[0]}; a METI export licence is "
                     f"required{caveat}")
                    for r, d, ex, un in zip(met_rows, details, exempt, unsure, strict=True)
                ]
            findings.add(met_rows, finding="item", decision=decision, reason_code=reason,
                         field="parameters", query_value=[b.hs[r] for r in met_rows],
                         rule_id=entry.id, rule_version=version,
                         value=[d[1] for d in details], threshold=[d[2] for d in details],
                         explanation=[f"{t} [rules {version}]" for t in text])
        if len(unknown_rows):
            details = checks.explain_lines(e, unknown_rows)
            wanted = _missing_parameters(rules, e, checks.valid,
                                         checks.items.item[unknown_rows])
            findings.add(unknown_rows, finding="item", decision="REVIEW",
                         reason_code="CONTROL_UNKNOWN", field="parameters",
                         query_value=[b.hs[r] for r in unknown_rows], rule_id=entry.id,
                         rule_version=version, value=[d[1] for d in details],
                         threshold=[d[2] for d in details],
                         explanation=[f"{where} ({entry.title}) may apply and cannot be decided "
                                      f"from the data: {d[0]}"
                                      + (f"; parameters of the entry not given: {w}" if w else "")
                                      + f" [rules {version}]"
                                      for d, w in zip(details, wanted, strict=True)])
    return controlled, controlled_unknown & ~controlled


def _missing_parameters(rules: CompiledRules, entry: int, valid: np.ndarray,
                        items: np.ndarray) -> list[str]:
    """For each of ``items``, the entry's parameters it does not give, joined by commas.

    Items differ only in which of the entry's few parameters they lack: each such pattern is
    worded once.
    """
    params = np.flatnonzero(rules.entry_params[entry])
    if params.size == 0:
        return [""] * len(items)
    distinct, inverse = np.unique(items, return_inverse=True)
    lacking = ~valid[np.ix_(distinct, params)]
    patterns, pattern_of = np.unique(lacking, axis=0, return_inverse=True)
    texts = [", ".join(rules.param_names[p] for p in params[row]) for row in patterns]
    return [texts[k] for k in pattern_of.reshape(-1)[inverse.reshape(-1)].tolist()]


def notified_table_3_3(sv, entry: ControlEntry, days: np.ndarray) -> np.ndarray:
    """Per row day, whether Appended Table 3-3 names the entry's item as notified goods.

    Parameters
    ----------
    sv
        The rule set's small-value exemption (its ``table_3_3`` records).
    entry
        The control entry a line meets.
    days
        int32 days since 1970-01-01 of the lines.

    Returns
    -------
    np.ndarray
        bool per line: the entry's row and item are METI-notified goods of Table 3-3 that day.
    """
    out = np.zeros(len(days), dtype=bool)
    for record in sv.table_3_3:
        if record.notified and record.covers(entry):
            out |= ((days >= (to_day(record.from_date) if record.from_date else -(2**31)))
                    & (days <= (to_day(record.to_date) if record.to_date else 2**31 - 1)))
    return out


def _caveat(entry: ControlEntry) -> str:
    """What a licence finding must say besides the met value: the entry's own note and the
    goods its text excludes, so a reviewer can rule an excluded item out."""
    parts = [entry.note.strip()] if entry.note.strip() else []
    if entry.exclusions:
        parts.append("excluded by the text: " + " / ".join(entry.exclusions))
    return ("; " + "; ".join(parts)) if parts else ""
