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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.decide import Findings, decide
from bulkscreen.rules.catalog import to_day
from bulkscreen.rules.compile import CompiledRules
from bulkscreen.screen.declared import declared_clear_texts, declared_entry_findings
from bulkscreen.screen.destinations import destination_groups
from bulkscreen.screen.items import MET, UNKNOWN, LineChecks, check_lines, control_findings
from bulkscreen.screen.parties import MATCH_SAME_TOKENS
from bulkscreen.screen.shipment_batch import ShipmentBatch, day_text, read_shipment_batch

EUL_LIST = "jp-meti-eul"
ENTITY_BAN_LISTS = ("jp-meti-ru-tokutei", "jp-meti-by-tokutei", "jp-meti-third-country-tokutei")
# Article 2(1)(i-8): dealings with a specified person of a third country (Appended Table 2-4) are
# banned for the goods of Appended Table 2-3 except No. 3, not for every good.
THIRD_COUNTRY_LIST = "jp-meti-third-country-tokutei"


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
    b = read_shipment_batch(batch, as_of)
    findings = Findings()
    checks = check_lines(b, rules, findings)
    version = checks.version
    groups = destination_groups(rules, b.dest_codes, b.days)
    group_a = groups.get("A", np.zeros(b.n, dtype=bool))
    ca = rules.ruleset.catch_all
    wmd_use = _keyword_mask(b.end_use, ca.wmd_keywords)
    conventional_use = _keyword_mask(b.end_use, ca.conventional_keywords)
    party = _party_rows(party_hits, b)
    eul_hit = np.zeros(b.n, dtype=bool)
    eul_hit[party["rows"][party["is_eul"] & ~party["is_near"]]] = True

    controlled, controlled_unknown = control_findings(findings, checks, group_a,
                                                      wmd_use | eul_hit)
    declared_entry_findings(findings, checks)
    # Each measure's HS scope per line, for the measures and the Table 2-3 goods.
    measure_hs = checks.hs_index.match_each([m.hs_prefixes for m in rules.measures])
    _measure_findings(findings, checks, controlled, controlled_unknown, measure_hs)
    row16 = checks.hs_index.match(ca.hs_chapters) & ~controlled
    _catch_all_findings(findings, checks, row16, group_a,
                        groups.get("TABLE_3_2", np.zeros(b.n, dtype=bool)), wmd_use,
                        conventional_use)
    group_d = groups.get("D", np.zeros(b.n, dtype=bool))
    d_rows = np.nonzero(group_d & (row16 | controlled | controlled_unknown))[0]
    tables = _group_d_tables(groups, d_rows)
    findings.add(d_rows, finding="destination", decision="REVIEW", reason_code="DEST_GROUP_D",
                 field="destination_country", query_value=b.dest[d_rows].tolist(),
                 rule_id="group-D", rule_version=version, value=tables,
                 explanation=[f"{b.dest[r]} is in Group D ({t} of the Export Trade Control "
                              f"Order) on {day_text(b.days[r])}; confirm end use and end user "
                              f"before export (catch-all). [rules {version}]"
                              for r, t in zip(d_rows, tables, strict=True)])

    _party_findings(findings, checks, party, row16, group_a, controlled,
                    _table_2_3_goods(checks, controlled | controlled_unknown, measure_hs))
    return decide(findings, input_row=b.input_row, record_id=b.record_id, as_of=b.days,
                  label_reasons=True, clear_text=_unreached_text(checks))


def _unreached_text(checks: LineChecks) -> np.ndarray:
    """Say why a line found nothing when its HS code reaches no control entry, or it has none.

    A CLEAR line with no HS code and no declared entry was never compared with the control
    list; one whose HS code reaches no entry was compared with none; one whose declared entry
    was not in force on its day (an item a later revision added) or that declared the goods
    unlisted says so. Either is said, so that a reviewer can tell them from a line that was
    checked and passed.
    """
    rules, b, version = checks.rules, checks.lines, checks.version
    prefixes = tuple(sorted({p for entry in rules.entries for p in entry.hs_prefixes}))
    reached = checks.hs_index.match(prefixes, reach_shorter=True)
    out = np.full(b.n, None, dtype=object)
    declared = np.array([bool(code) for code in b.declared], dtype=bool)
    no_hs = b.hs == ""
    out[~reached & ~declared & no_hs] = (
        f"no findings: no HS code and no declared control entry, so the line was not compared "
        f"with the control list of rules {version}; give the HS code or the entry the goods "
        "meet")
    # Most lines of a file reach no entry: their texts are joined column-wise, each day's
    # date written once.
    rows = np.flatnonzero(~reached & ~declared & ~no_hs)
    if len(rows):
        days, day_of_row = np.unique(b.days[rows], return_inverse=True)
        day_texts = pa.array([day_text(d) for d in days], pa.string()).take(
            pa.array(day_of_row.reshape(-1), pa.int64()))
        texts = pc.binary_join_element_wise(
            "no findings: HS ", b.hs_arrow.take(pa.array(rows, pa.int64())),
            f" reaches no control-list entry of rules {version}, and no measure or catch-all "
            "requirement applies on ", day_texts, "")
        out[rows] = texts.to_numpy(zero_copy_only=False)
    declared_rows = np.flatnonzero(declared)
    for r, said in zip(declared_rows.tolist(), declared_clear_texts(checks, declared_rows),
                       strict=True):
        if said is None:
            continue
        if not b.hs[r]:
            hs = "no HS code was given"
        elif reached[r]:
            hs = f"HS {b.hs[r]} was checked against the entries it reaches"
        else:
            hs = f"HS {b.hs[r]} reaches no control-list entry"
        out[r] = f"no findings: {said}; {hs}"
    return out


def _group_d_tables(groups: dict[str, np.ndarray], rows: np.ndarray) -> list[str]:
    """Name the tables that put each row's destination in Group D on its day."""
    names = (("TABLE_4", "Appended Table 4"), ("TABLE_3_2", "Appended Table 3-2"))
    return [" and ".join(label for group, label in names
                         if group in groups and groups[group][r]) or "Group D" for r in rows]


def _measure_findings(findings: Findings, checks: LineChecks, controlled: np.ndarray,
                      controlled_unknown: np.ndarray, measure_hs: np.ndarray) -> None:
    """Russia/Belarus, DPR/LPR and North Korea measures in force on each line's date
    (``measure_hs``: per line and measure, the line's HS code is in the measure's scope)."""
    rules, b, version = checks.rules, checks.lines, checks.version
    for m, measure in enumerate(rules.measures):
        live = _in_force(b.days, measure.from_date, measure.to_date)
        place = b.dest_codes.isin(measure.countries + measure.regions)
        if measure.region_names:
            place |= _keyword_mask(pc.utf8_lower(b.names), measure.region_names)
        live &= place
        if not live.any():
            continue
        base = f"{measure.title} (in force from {measure.from_date}{_cite(measure)})"
        if measure.scope == "all":
            rows = np.nonzero(live)[0]
            banned = measure.decision == "PROHIBITED"
            findings.add(rows, finding="measure", decision=measure.decision,
                         reason_code=measure.reason, field="destination_country",
                         query_value=b.dest[rows].tolist(), rule_id=measure.id,
                         rule_version=version,
                         explanation=f"{base}: "
                                     f"{'export is banned' if banned else measure.note}. "
                                     f"{measure.legal_basis} [rules {version}]")
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
        scope = live & measure_hs[:, m]
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
            rows = checks.lines_with(tree, code)
            rows = rows[scope[rows]]
            details = checks.explain_lines(tree, rows)
            findings.add(rows, finding="measure", decision=decision,
                         reason_code=measure.reason, field="hs_code",
                         query_value=[b.hs[r] for r in rows], rule_id=measure.id,
                         rule_version=version, value=[d[1] for d in details],
                         threshold=[d[2] for d in details],
                         explanation=[f"{base}: HS {b.hs[r]}, {d[0]}: {tail}. "
                                      f"[rules {version}]" for r, d in zip(rows, details,
                                                                            strict=True)])


def _cite(measure) -> str:
    """'; 別表第二の三第二号（７）「電子計算機...」' for a measure that quotes the order."""
    if not measure.quote:
        return ""
    quote = measure.quote if len(measure.quote) <= 120 else measure.quote[:120] + "…"
    return f"; {measure.table}{measure.item}「{quote}」"


def _catch_all_findings(findings: Findings, checks: LineChecks, row16: np.ndarray,
                        group_a: np.ndarray, table_3_2: np.ndarray, wmd_use: np.ndarray,
                        conventional_use: np.ndarray) -> None:
    """Catch-all requirements for row 16 goods: end use, UN arms embargo destinations."""
    rules, b, version, hs_index = checks.rules, checks.lines, checks.version, checks.hs_index
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


def _party_rows(party_hits: pa.Table, b: ShipmentBatch) -> dict[str, np.ndarray]:
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


def _table_2_3_goods(checks: LineChecks, controlled: np.ndarray, measure_hs: np.ndarray
                     ) -> np.ndarray:
    """Lines whose goods are, or may be, Appended Table 2-3 goods other than No. 3 (luxury)."""
    out = controlled.copy()
    for m, measure in enumerate(checks.rules.measures):
        if measure.table == "別表第二の三" and not measure.item.startswith("第三号"):
            out |= (measure_hs[:, m]
                    & _in_force(checks.lines.days, measure.from_date, measure.to_date))
    return out


def _party_findings(findings: Findings, checks: LineChecks, party: dict[str, np.ndarray],
                    row16: np.ndarray, group_a: np.ndarray, controlled: np.ndarray,
                    table_2_3: np.ndarray) -> None:
    """Re-decide the party hits by list.

    ``controlled`` marks lines that meet a rows 1-15 entry (Table 2-3 No. 1 for certain),
    ``table_2_3`` lines that may be Table 2-3 goods other than No. 3.
    """
    rules, b, version = checks.rules, checks.lines, checks.version
    table = party["table"]
    if table is None or len(party["rows"]) == 0:
        return
    idx = party["hit_index"]
    rows = party["rows"]
    taken = table.select(["field", "query_value", "list_id", "list_version", "entry_id",
                          "matched_name", "alias_kind", "score", "features", "match_basis",
                          "explanation"]).take(pa.array(np.asarray(idx, dtype=np.int64)))
    col = {name: taken.column(name).to_pylist() for name in taken.column_names}
    scores = np.array([s if s is not None else 0.0 for s in col["score"]], dtype=np.float32)
    requirement = next((r for r in rules.ruleset.catch_all.requirements
                        if r.trigger == "end_user_list"), None)
    decision, reason, text = [], [], []
    for k, row in enumerate(rows):
        entry = f"{col['list_id'][k]} {col['list_version'][k]}, entry {col['entry_id'][k]}"
        who = (f"{col['query_value'][k]!r} matches {col['matched_name'][k]!r} "
               f"({entry}, {col['alias_kind'][k]}, score {scores[k]:.2f})")
        # What the match would decide if it is the listed party.
        third_country = party["is_ban"][k] and col["list_id"][k] == THIRD_COUNTRY_LIST
        if third_country and not table_2_3[row]:
            implied = None
            who += ("; the ban on dealings with third-country specified entities covers the "
                    "goods of Appended Table 2-3 (except No. 3), which HS "
                    f"{b.hs[row] or '(none)'} does not reach")
        elif third_country and not controlled[row]:
            implied = ("REVIEW", "RU_BY_ENTITY", "exports of Appended Table 2-3 goods (except "
                       "No. 3) to METI-specified third-country entities are banned; confirm "
                       "whether the goods are among them (see RU_BY_BAN candidates)")
        elif party["is_ban"][k]:
            implied = ("PROHIBITED", "RU_BY_ENTITY", "exports to METI-specified entities "
                       "(Russia, Belarus, third countries) are banned")
        elif (party["is_eul"][k] and requirement is not None and row16[row]
              and not group_a[row] and b.days[row] >= to_day(requirement.from_date)):
            implied = (requirement.decision, requirement.reason, requirement.text)
        else:
            implied = None
        if party["is_near"][k]:
            decision.append("REVIEW")
            reason.append("PARTY_NEAR_MATCH")
            text.append(f"near match: {who}; confirm whether it is the listed party"
                        + _if_confirmed(implied, entry))
        elif implied is not None and col["match_basis"][k] == MATCH_SAME_TOKENS:
            decision.append(implied[0])
            reason.append(implied[1])
            text.append(f"{who}, the same name: {implied[2]}")
        else:
            # A fuzzy match decides nothing on its own: a person confirms it first.
            decision.append("REVIEW")
            reason.append("PARTY_HIT")
            text.append(f"{who}; review the party before export" + _if_confirmed(implied, entry))
    findings.add(rows, finding="party", decision=decision, reason_code=reason,
                 field=col["field"], query_value=col["query_value"], list_id=col["list_id"],
                 list_version=col["list_version"], entry_id=col["entry_id"],
                 matched_name=col["matched_name"], alias_kind=col["alias_kind"],
                 score=scores.tolist(), features=[f or json.dumps({}) for f in col["features"]],
                 match_basis=col["match_basis"],
                 rule_version=version, explanation=[f"{t} [rules {version}]" for t in text])


def _if_confirmed(implied: tuple[str, str, str] | None, entry: str) -> str:
    """The clause saying what a party match would decide once a person confirms it."""
    if implied is None:
        return ""
    return f"; if confirmed: {implied[0]} ({implied[1]}, {entry}): {implied[2]}"
