"""Screen one batch of shipment lines: items, destinations, measures, catch-all and parties.

Pure: a batch of validated SHIPMENTS columns (plus ``input_row``), compiled rules and the
batch's party hits go in; RESULTS rows (one per input row, same order) and HITS rows come out.
The hot path is column-wise: parameters are converted to SI once per distinct (name, unit),
rule trees run in the ``thresholds`` kernel, dates go through the ``asof`` kernel, and Python
loops only over findings, which are what a reviewer reads.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.columns import RESULTS
from bulkscreen.decide import Findings, combine, hits_batch
from bulkscreen.rules.catalog import to_day
from bulkscreen.rules.compile import CompiledRules, normalise_entry_code
from bulkscreen.rules.derived import DERIVED_FUNCTIONS
from bulkscreen.rules.model import ROWS_1_TO_15
from bulkscreen.rules.units import UnitError, format_si, input_conversion
from bulkscreen.screen.destinations import CountryCodes, destination_groups

EUL_LIST = "jp-meti-eul"
ENTITY_BAN_LISTS = ("jp-meti-ru-tokutei", "jp-meti-by-tokutei", "jp-meti-third-country-tokutei")
MET, UNKNOWN = 1, 2


@dataclass
class _Batch:
    """The batch's columns as NumPy arrays, read once."""

    n: int
    input_row: np.ndarray
    record_id: list[str]
    days: np.ndarray
    dest: np.ndarray
    dest_codes: CountryCodes
    hs: np.ndarray
    hs_arrow: pa.Array
    declared: list[str | None]
    value_jpy: np.ndarray
    quantity: np.ndarray
    end_use: pa.Array
    names: pa.Array
    parameters: pa.Array


def _read_batch(batch: pa.RecordBatch, as_of: dt.date | None) -> _Batch:
    n = batch.num_rows
    dest_codes = CountryCodes.encode(batch.column("destination_country"))
    if as_of is None:
        days = batch.column("shipment_date").cast(pa.int32()).to_numpy(zero_copy_only=False)
    else:
        days = np.full(n, to_day(as_of), dtype=np.int32)
    hs_arrow = pc.fill_null(pc.replace_substring_regex(batch.column("hs_code"), r"[^0-9]", ""),
                            "")
    names = pc.binary_join_element_wise(
        pc.fill_null(batch.column("consignee_name"), ""),
        pc.fill_null(batch.column("end_user_name"), ""), " | ")

    def floats(name: str) -> np.ndarray:
        return pc.fill_null(batch.column(name).cast(pa.float64()), np.nan).to_numpy()

    return _Batch(
        n=n,
        input_row=batch.column("input_row").cast(pa.int64()).to_numpy(),
        record_id=batch.column("shipment_id").to_pylist(),
        days=np.ascontiguousarray(days, dtype=np.int32),
        dest=dest_codes.as_objects(),
        dest_codes=dest_codes,
        hs=np.asarray(hs_arrow.to_pylist(), dtype=object),
        hs_arrow=hs_arrow,
        declared=batch.column("declared_control_entry").to_pylist(),
        value_jpy=floats("value_jpy"),
        quantity=floats("quantity"),
        end_use=pc.utf8_lower(pc.fill_null(batch.column("declared_end_use"), "")),
        names=names,
        parameters=batch.column("parameters"),
    )


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
    parents = pc.list_parent_indices(parameters).to_numpy()
    flat = pc.list_flatten(parameters)
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


def _add_derived(values: np.ndarray, valid: np.ndarray, rules: CompiledRules,
                 b: _Batch) -> None:
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
class _HsIndex:
    """HS code prefixes of every length the rules use, sliced once per batch."""

    def __init__(self, hs: pa.Array):
        self.hs = hs
        self.slices: dict[int, pa.Array] = {}

    def match(self, prefixes: tuple[str, ...]) -> np.ndarray:
        out = np.zeros(len(self.hs), dtype=bool)
        by_length: dict[int, list[str]] = {}
        for prefix in prefixes:
            by_length.setdefault(len(prefix), []).append(prefix)
        for length, group in by_length.items():
            if length not in self.slices:
                self.slices[length] = pc.utf8_slice_codeunits(self.hs, 0, length)
            hit = pc.is_in(self.slices[length], value_set=pa.array(group, pa.string()))
            out |= pc.fill_null(hit, False).to_numpy(zero_copy_only=False)
        return out


def _declared_mask(declared: list[str | None], rules: CompiledRules) -> np.ndarray:
    """Return (n_rows, n_entries): the row's declared entry names the control entry."""
    mask = np.zeros((len(declared), rules.n_entries), dtype=bool)
    encoded = pa.array(declared, pa.string()).dictionary_encode()
    inverse = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    for u_index, raw in enumerate(encoded.dictionary.to_pylist()):
        code = normalise_entry_code(raw)
        if not code:
            continue
        hits = [e for e, names in enumerate(rules.entry_declared)
                if code in names or any(code.startswith(name + ".") for name in names)]
        if hits:
            rows = np.nonzero(inverse == u_index)[0]
            mask[np.ix_(rows, hits)] = True
    return mask


def _keyword_mask(text: pa.Array, keywords: tuple[str, ...]) -> np.ndarray:
    if not keywords or len(text) == 0:
        return np.zeros(len(text), dtype=bool)
    # ASCII keywords match as whole words; Japanese ones as substrings (no spaces in Japanese).
    parts = [rf"\b{re.escape(k.lower())}\b" if k.isascii() else re.escape(k) for k in keywords]
    hit = pc.match_substring_regex(text, "|".join(parts))
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


def _in_force(days: np.ndarray, start: dt.date, stop: dt.date | None) -> np.ndarray:
    ok = days >= to_day(start)
    if stop is not None:
        ok &= days <= to_day(stop)
    return ok


# ---------------------------------------------------------------- the batch function
def screen_shipments_batch(batch: pa.RecordBatch, rules: CompiledRules, party_hits: pa.Table,
                           as_of: dt.date | None) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Screen one batch of shipment lines.

    Parameters
    ----------
    batch
        Validated SHIPMENTS columns plus ``input_row`` (int64).
    rules
        Compiled rules from :func:`bulkscreen.rules.compile_rules`.
    party_hits
        Party findings for this batch in HITS schema (``finding='party'``), possibly empty;
        they are re-decided here by list: End User List -> catch-all, METI entity lists ->
        PROHIBITED, other lists and near matches -> REVIEW.
    as_of
        Judge every row as of this date; None judges each row on its own shipment_date.

    Returns
    -------
    results : pa.RecordBatch
        RESULTS rows, one per input row, in input order.
    hits : pa.RecordBatch
        HITS rows: the re-decided party hits and every item, destination and measure finding.
    """
    b = _read_batch(batch, as_of)
    version = f"{rules.regime}/{rules.version}"
    findings = Findings()
    values, valid = parameter_matrix(b.parameters, rules, findings, version)
    given = valid.copy()
    _add_derived(values, valid, rules, b)

    hs_index = _HsIndex(b.hs_arrow)
    nodes = rules.nodes
    n_trees = len(nodes.tree_ptr) - 1
    applies = np.zeros((b.n, n_trees), dtype=bool)
    for e, entry in enumerate(rules.entries):
        applies[:, e] = hs_index.match(entry.hs_prefixes)
    # An HS heading covers several products (ICs: ADCs, FPGAs, ...): a line that gives
    # parameters is checked only against the entries whose parameters it gives; a line
    # without parameters is checked against all, and goes to review where they matter.
    uses_given = (given.astype(np.int32) @ rules.entry_params.T.astype(np.int32)) > 0
    applies[:, : rules.n_entries] &= uses_given | ~given.any(axis=1)[:, None]
    applies[:, : rules.n_entries] |= _declared_mask(b.declared, rules)
    for m, measure in enumerate(rules.measures):
        tree = rules.measure_tree[m]
        if tree >= 0:
            applies[:, tree] = hs_index.match(measure.hs_prefixes)

    from bulkscreen_kernels.thresholds import evaluate_rules

    status, decider = evaluate_rules(values, valid, applies, nodes.kind, nodes.param, nodes.op,
                                     nodes.threshold, nodes.child_ptr, nodes.children,
                                     nodes.tree_ptr)
    groups = destination_groups(rules, b.dest_codes, b.days)
    group_a = groups.get("A", np.zeros(b.n, dtype=bool))
    ca = rules.ruleset.catch_all
    wmd_use = _keyword_mask(b.end_use, ca.wmd_keywords)
    conventional_use = _keyword_mask(b.end_use, ca.conventional_keywords)
    party = _party_rows(party_hits, b)
    eul_hit = np.zeros(b.n, dtype=bool)
    eul_hit[party["rows"][party["is_eul"] & ~party["is_near"]]] = True

    controlled, controlled_unknown = _control_findings(
        findings, rules, b, status, decider, (values, valid), version, group_a,
        wmd_use | eul_hit)
    _measure_findings(findings, rules, b, status, decider, (values, valid), hs_index,
                      controlled, controlled_unknown, version)
    row16 = hs_index.match(ca.hs_chapters) & ~controlled
    _catch_all_findings(findings, rules, b, hs_index, row16, group_a,
                        groups.get("TABLE_3_2", np.zeros(b.n, dtype=bool)), wmd_use,
                        conventional_use, version)
    group_d = groups.get("D", np.zeros(b.n, dtype=bool))
    d_rows = np.nonzero(group_d & (row16 | controlled | controlled_unknown))[0]
    findings.add(d_rows, finding="destination", decision="REVIEW", reason_code="DEST_GROUP_D",
                 field="destination_country", query_value=b.dest[d_rows].tolist(),
                 rule_id="group-D", rule_version=version,
                 explanation=[f"{b.dest[r]} is in Group D (Appended Table 3-2 or 4) on "
                              f"{_day_text(b.days[r])}; confirm end use and end user before "
                              "export (catch-all)." for r in d_rows])
    top_score = _party_findings(findings, rules, party, b, row16, group_a, version)

    decisions = combine(b.n, findings)
    results = pa.RecordBatch.from_arrays([
        pa.array(b.input_row, pa.int64()),
        pa.array(b.record_id, pa.string()),
        pa.array(b.days, pa.int32()).cast(pa.date32()),
        pa.array(decisions.decision, pa.string()),
        pa.array(decisions.reason_codes, pa.list_(pa.string())),
        pa.array(decisions.explanation, pa.string()),
        pa.array(decisions.n_hits, pa.int32()),
        pa.array(top_score, pa.float32()),
    ], schema=RESULTS.arrow_schema())
    hits = hits_batch(findings, decisions, b.input_row, b.record_id, b.days)
    return results, hits


def _day_text(day: int) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(day))).isoformat()


def _node_explanation(rules: CompiledRules, node: int, row: int, values: np.ndarray,
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


def _control_findings(findings, rules, b, status, decider, matrix, version, group_a,
                      concern) -> tuple[np.ndarray, np.ndarray]:
    """Add control-entry findings; return rows meeting / possibly meeting rows 1-15 entries."""
    sv = rules.ruleset.small_value
    controlled = np.zeros(b.n, dtype=bool)
    controlled_unknown = np.zeros(b.n, dtype=bool)
    values, valid = matrix
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
            details = [_node_explanation(rules, int(decider[r, e]), r, values, valid)
                       for r in met_rows]
            if entry.effect == "review":
                decision = ["REVIEW"] * len(met_rows)
                reason = ["CONTROL_ENTRY_FOREIGN"] * len(met_rows)
                text = [f"{where} ({entry.title}) is met: {d[0]}. {entry.note}".strip()
                        for d in details]
            else:
                limit = (sv.table_3_3_limit_jpy if entry.row in sv.table_3_3_rows
                         or entry.id in sv.table_3_3_entries else sv.limit_jpy)
                exempt = (exempt_ok[met_rows] & (entry.row in sv.rows)
                          & (b.value_jpy[met_rows] <= limit))
                decision = np.where(exempt, "CLEAR", "LICENSE_REQUIRED").tolist()
                reason = np.where(exempt, "SMALL_VALUE_EXEMPT", "CONTROL_ENTRY").tolist()
                text = [
                    (f"{where} ({entry.title}) is met: {d[0]}; value JPY "
                     f"{b.value_jpy[r]:,.0f} <= {limit:,.0f}, so the small-value exemption "
                     "applies (declare it to customs)") if ex else
                    (f"{where} ({entry.title}) is met: {d[0]}; a METI export licence is "
                     "required")
                    for r, d, ex in zip(met_rows, details, exempt, strict=True)
                ]
            findings.add(met_rows, finding="item", decision=decision, reason_code=reason,
                         field="parameters", query_value=[b.hs[r] for r in met_rows],
                         rule_id=entry.id, rule_version=version,
                         value=[d[1] for d in details], threshold=[d[2] for d in details],
                         explanation=[f"{t} [rules {version}]" for t in text])
        if len(unknown_rows):
            details = [_node_explanation(rules, int(decider[r, e]), r, values, valid)
                       for r in unknown_rows]
            findings.add(unknown_rows, finding="item", decision="REVIEW",
                         reason_code="CONTROL_UNKNOWN", field="parameters",
                         query_value=[b.hs[r] for r in unknown_rows], rule_id=entry.id,
                         rule_version=version, value=[d[1] for d in details],
                         threshold=[d[2] for d in details],
                         explanation=[f"{where} ({entry.title}) may apply and cannot be decided "
                                      f"from the data: {d[0]} [rules {version}]"
                                      for d in details])
    return controlled, controlled_unknown & ~controlled


def _measure_findings(findings, rules, b, status, decider, matrix, hs_index, controlled,
                      controlled_unknown, version) -> None:
    values, valid = matrix
    for m, measure in enumerate(rules.measures):
        live = _in_force(b.days, measure.from_date, measure.to_date)
        place = b.dest_codes.isin(measure.countries + measure.regions)
        if measure.region_names:
            place |= _keyword_mask(pc.utf8_lower(b.names), measure.region_names)
        live &= place
        if not live.any():
            continue
        base = f"{measure.title} (in force from {measure.from_date})"
        if measure.scope == "all":
            rows = np.nonzero(live)[0]
            findings.add(rows, finding="measure", decision="PROHIBITED",
                         reason_code=measure.reason, field="destination_country",
                         query_value=b.dest[rows].tolist(), rule_id=measure.id,
                         rule_version=version,
                         explanation=f"{base}: export is banned. {measure.legal_basis} "
                                     f"[rules {version}]")
            continue
        if measure.scope == "controlled":
            for mask, decision, tail in (
                (live & controlled, "PROHIBITED", "the goods meet a control entry of rows "
                 "1-15, so export is banned"),
                (live & controlled_unknown, "REVIEW", "the goods may meet a control entry of "
                 "rows 1-15 (see CONTROL_UNKNOWN); if they do, export is banned"),
            ):
                rows = np.nonzero(mask)[0]
                findings.add(rows, finding="measure", decision=decision,
                             reason_code=measure.reason, field="destination_country",
                             query_value=b.dest[rows].tolist(), rule_id=measure.id,
                             rule_version=version,
                             explanation=f"{base}: {tail}. [rules {version}]")
            continue
        scope = live & hs_index.match(measure.hs_prefixes)
        tree = rules.measure_tree[m]
        if tree < 0:
            rows = np.nonzero(scope)[0]
            findings.add(rows, finding="measure", decision="PROHIBITED",
                         reason_code=measure.reason, field="hs_code",
                         query_value=[b.hs[r] for r in rows], rule_id=measure.id,
                         rule_version=version,
                         explanation=[f"{base}: HS {b.hs[r]} is within the banned items to "
                                      f"{b.dest[r]}. [rules {version}]" for r in rows])
            continue
        for code, decision, tail in ((MET, "PROHIBITED", "banned"),
                                     (UNKNOWN, "REVIEW", "banned if the condition is met")):
            rows = np.nonzero(scope & (status[:, tree] == code))[0]
            details = [_node_explanation(rules, int(decider[r, tree]), r, values, valid)
                       for r in rows]
            findings.add(rows, finding="measure", decision=decision,
                         reason_code=measure.reason, field="hs_code",
                         query_value=[b.hs[r] for r in rows], rule_id=measure.id,
                         rule_version=version, value=[d[1] for d in details],
                         threshold=[d[2] for d in details],
                         explanation=[f"{base}: HS {b.hs[r]}, {d[0]}: {tail}. "
                                      f"[rules {version}]" for r, d in zip(rows, details,
                                                                            strict=True)])


def _catch_all_findings(findings, rules, b, hs_index, row16, group_a, table_3_2, wmd_use,
                        conventional_use, version) -> None:
    ca = rules.ruleset.catch_all
    row16_1 = hs_index.match(ca.row16_1_prefixes)
    triggered = {"wmd_end_use": wmd_use, "conventional_end_use": conventional_use}
    handled = {name: np.zeros(b.n, dtype=bool) for name in triggered}
    for req in ca.requirements:
        if req.trigger not in triggered:
            continue  # end-user hits come with the party findings
        mask = triggered[req.trigger] & row16 & ~handled[req.trigger]
        mask &= _in_force(b.days, req.from_date, req.to_date)
        mask &= table_3_2 if req.destinations == "table_3_2" else ~group_a
        if req.hs_scope == "row16_1":
            mask &= row16_1
        rows = np.nonzero(mask)[0]
        handled[req.trigger][rows] = True
        findings.add(rows, finding="destination", decision=req.decision,
                     reason_code=req.reason, field="declared_end_use",
                     query_value=[b.end_use[int(r)].as_py() for r in rows], rule_id=req.id,
                     rule_version=version,
                     explanation=[f"{req.text} Destination {b.dest[r]}, HS {b.hs[r]} (row 16 "
                                  f"goods). [rules {version}]" for r in rows])


def _party_rows(party_hits: pa.Table, b: _Batch) -> dict[str, np.ndarray]:
    """Map party hits to batch positions; hits for rows outside the batch are dropped."""
    if party_hits is None or party_hits.num_rows == 0:
        empty = np.empty(0, dtype=np.int64)
        return {"rows": empty, "hit_index": empty, "is_eul": empty.astype(bool),
                "is_ban": empty.astype(bool), "is_near": empty.astype(bool), "table": None}
    hit_rows = party_hits.column("input_row").to_numpy()
    order = np.argsort(b.input_row, kind="stable")
    sorted_rows = b.input_row[order]
    pos = np.searchsorted(sorted_rows, hit_rows)
    pos = np.minimum(pos, max(len(sorted_rows) - 1, 0))
    found = (len(sorted_rows) > 0) & (sorted_rows[pos] == hit_rows)
    hit_index = np.nonzero(found)[0]
    rows = order[pos[found]]
    list_ids = np.asarray(party_hits.column("list_id").to_pylist(), dtype=object)[hit_index]
    reasons = np.asarray(party_hits.column("reason_code").to_pylist(), dtype=object)[hit_index]
    return {"rows": rows, "hit_index": hit_index, "is_eul": list_ids == EUL_LIST,
            "is_ban": np.isin(list_ids, ENTITY_BAN_LISTS),
            "is_near": reasons == "PARTY_NEAR_MATCH", "table": party_hits}


def _party_findings(findings, rules, party, b, row16, group_a, version) -> np.ndarray:
    """Re-decide the party hits by list; return the best party score per row."""
    top = np.zeros(b.n, dtype=np.float32)
    table = party["table"]
    if table is None or len(party["rows"]) == 0:
        return top
    idx = party["hit_index"]
    rows = party["rows"]
    taken = table.select(["field", "query_value", "list_id", "list_version", "entry_id",
                          "matched_name", "alias_kind", "score", "features", "explanation"]
                         ).take(pa.array(np.asarray(idx, dtype=np.int64)))
    col = {name: taken.column(name).to_pylist() for name in taken.column_names}
    scores = np.array([s if s is not None else 0.0 for s in col["score"]], dtype=np.float32)
    np.maximum.at(top, rows, scores)
    requirement = next((r for r in rules.ruleset.catch_all.requirements
                        if r.trigger == "end_user_list"), None)
    decision, reason, text = [], [], []
    for k, row in enumerate(rows):
        who = (f"{col['query_value'][k]!r} matches {col['matched_name'][k]!r} "
               f"({col['list_id'][k]} {col['list_version'][k]}, entry {col['entry_id'][k]}, "
               f"{col['alias_kind'][k]}, score {scores[k]:.2f})")
        if party["is_near"][k]:
            decision.append("REVIEW")
            reason.append("PARTY_NEAR_MATCH")
            text.append(f"near match: {who}; confirm whether it is the listed party")
        elif party["is_ban"][k]:
            decision.append("PROHIBITED")
            reason.append("RU_BY_ENTITY")
            text.append(f"{who}: exports to METI-specified entities (Russia, Belarus, third "
                        "countries) are banned")
        elif (party["is_eul"][k] and requirement is not None and row16[row]
              and not group_a[row] and b.days[row] >= to_day(requirement.from_date)):
            decision.append(requirement.decision)
            reason.append(requirement.reason)
            text.append(f"{who}. {requirement.text}")
        else:
            decision.append("REVIEW")
            reason.append("PARTY_HIT")
            text.append(f"{who}; review the party before export")
    findings.add(rows, finding="party", decision=decision, reason_code=reason,
                 field=col["field"], query_value=col["query_value"], list_id=col["list_id"],
                 list_version=col["list_version"], entry_id=col["entry_id"],
                 matched_name=col["matched_name"], alias_kind=col["alias_kind"],
                 score=scores.tolist(), features=[f or json.dumps({}) for f in col["features"]],
                 rule_version=version, explanation=[f"{t} [rules {version}]" for t in text])
    return top
