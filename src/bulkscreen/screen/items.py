"""Item classification: a shipment line's parameters against the control-list entries.

Parameters are converted to SI once per distinct (name, unit) in the batch; which entries apply
to a line follows from its HS code, its declared entry and the parameters it gives; the rule
trees run in the ``thresholds`` kernel (with the measures' trees, in one call made by
:mod:`bulkscreen.screen.shipments`); :func:`control_findings` turns the trees' outcome into
findings that quote the deciding parameter, value and threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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
                     rule_version: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the SI parameter matrix and its validity mask; unit problems become findings.

    Conversion factors are computed once per distinct (name, unit) pair in the batch.
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
    if len(bad):
        name_list = names.to_pylist()
        unit_list = units.to_pylist()
        findings.add(
            parents[bad], finding="item", decision="REVIEW", reason_code="UNIT_ERROR",
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
                 b: ShipmentBatch) -> None:
    """Fill derived parameters where they are not given directly."""
    index = rules.param_index
    extra = {"value_jpy": (b.value_jpy, ~np.isnan(b.value_jpy)),
             "quantity": (b.quantity, ~np.isnan(b.quantity))}
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
    """HS code prefixes of every length the rules use, sliced once per batch."""

    def __init__(self, hs: pa.Array):
        self.hs = hs
        self.slices: dict[int, pa.Array] = {}
        self._short: dict[str, np.ndarray] | None = None

    def _short_codes(self) -> dict[str, np.ndarray]:
        """Rows per distinct HS code shorter than a full six-digit subheading."""
        if self._short is None:
            codes = self.hs.to_pylist()
            rows_of: dict[str, list[int]] = {}
            for row, code in enumerate(codes):
                if code and len(code) < 6:
                    rows_of.setdefault(code, []).append(row)
            self._short = {code: np.array(rows) for code, rows in rows_of.items()}
        return self._short

    def match(self, prefixes: tuple[str, ...], reach_shorter: bool = False) -> np.ndarray:
        """Rows whose HS code starts with one of ``prefixes``; with ``reach_shorter``, also
        rows whose code is shorter and starts a prefix (HS 6815 may be 6815.12 goods)."""
        out = np.zeros(len(self.hs), dtype=bool)
        if reach_shorter:
            for code, rows in self._short_codes().items():
                if any(p.startswith(code) for p in prefixes):
                    out[rows] = True
        by_length: dict[int, list[str]] = {}
        for prefix in prefixes:
            by_length.setdefault(len(prefix), []).append(prefix)
        for length, group in by_length.items():
            if length not in self.slices:
                self.slices[length] = pc.utf8_slice_codeunits(self.hs, 0, length)
            hit = pc.is_in(self.slices[length], value_set=pa.array(group, pa.string()))
            out |= pc.fill_null(hit, False).to_numpy(zero_copy_only=False)
        return out


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
        code = normalise_entry_code(raw)
        if not code:
            continue
        broader = "." in code or "(" in code
        hits = [e for e, names in enumerate(rules.entry_declared)
                if code in names or any(code.startswith(name + ".") for name in names)
                or (broader and any(name.startswith((code + ".", code + "(")) for name in names))]
        if hits:
            rows = np.nonzero(inverse == u_index)[0]
            mask[np.ix_(rows, hits)] = True
    return mask


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
class LineChecks:
    """What every shipment check reads: the lines, the rules and the rule trees' outcome.

    ``status[row, tree]`` is 0, MET or UNKNOWN; ``decider[row, tree]`` the node that decided.
    Trees are the control entries (``rules.entries``), then the measures that have one.
    """

    lines: ShipmentBatch
    rules: CompiledRules
    version: str
    hs_index: HsIndex
    values: np.ndarray
    valid: np.ndarray
    status: np.ndarray
    decider: np.ndarray

    def explain(self, tree: int, row: int) -> tuple[str, str | None, str | None]:
        """(text, value, threshold) of the node that decided ``tree`` for ``row``."""
        return node_explanation(self.rules, int(self.decider[row, tree]), row, self.values,
                                self.valid)


def check_lines(b: ShipmentBatch, rules: CompiledRules, findings: Findings) -> LineChecks:
    """Convert the lines' parameters, find the entries and measures that apply, run the trees.

    Unit problems become findings. An HS heading covers several products (ICs: ADCs, FPGAs,
    ...): a line that gives parameters is checked only against the entries whose parameters it
    gives; a line without parameters is checked against all, and goes to review where they
    matter. An HS code shorter than the entry's (6815 for 6815.12) reaches it. A declared entry
    always applies. An entry applies only on the days it is in force (its valid_from and
    valid_to), so a line is judged by the list of its own date.
    """
    from bulkscreen_kernels.thresholds import evaluate_rules

    version = f"{rules.regime}/{rules.version}"
    values, valid = parameter_matrix(b.parameters, rules, findings, version)
    given = valid.copy()
    add_derived(values, valid, rules, b)
    hs_index = HsIndex(b.hs_arrow)
    nodes = rules.nodes
    applies = np.zeros((b.n, len(nodes.tree_ptr) - 1), dtype=bool)
    for e, entry in enumerate(rules.entries):
        applies[:, e] = hs_index.match(entry.hs_prefixes, reach_shorter=True)
    applies[:, : rules.n_entries] &= entries_using_given(given, rules.entry_params)
    applies[:, : rules.n_entries] |= declared_mask(b.declared, rules)
    applies[:, : rules.n_entries] &= rules.entries_in_force(b.days)
    for m, measure in enumerate(rules.measures):
        tree = rules.measure_tree[m]
        if tree >= 0:
            applies[:, tree] = hs_index.match(measure.hs_prefixes)
    status, decider = evaluate_rules(values, valid, applies, nodes.kind, nodes.param, nodes.op,
                                     nodes.threshold, nodes.child_ptr, nodes.children,
                                     nodes.tree_ptr)
    return LineChecks(lines=b, rules=rules, version=version, hs_index=hs_index, values=values,
                      valid=valid, status=status, decider=decider)


def control_findings(findings: Findings, checks: LineChecks, group_a: np.ndarray,
                     concern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add control-entry findings; return rows meeting / possibly meeting rows 1-15 entries.

    ``concern`` marks lines with an end use or end user of concern, which lose the
    small-value exemption outside Group A where the rules say so.
    """
    rules, b, version, status = checks.rules, checks.lines, checks.version, checks.status
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
    for e, entry in enumerate(rules.entries):
        met_rows = np.nonzero(status[:, e] == MET)[0]
        unknown_rows = np.nonzero(status[:, e] == UNKNOWN)[0]
        in_rows_1_15 = entry.row in ROWS_1_TO_15 and entry.effect == "licence"
        if in_rows_1_15:
            controlled[met_rows] = True
            controlled_unknown[unknown_rows] = True
        where = f"{entry.reference}, Appended Table 1 row {entry.row}{entry.item}"
        if len(met_rows):
            details = [checks.explain(e, r) for r in met_rows]
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
            details = [checks.explain(e, r) for r in unknown_rows]
            wanted = [", ".join(rules.param_names[p] for p in np.flatnonzero(
                rules.entry_params[e] & ~checks.valid[r])) for r in unknown_rows]
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
