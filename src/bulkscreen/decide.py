"""Findings -> one decision per row, with reason codes in a stable order and an explanation.

Each screening step adds findings (one per row it has something to say about) to a
:class:`Findings` collector, column-wise. :func:`combine` then gives every row the most
severe decision among its findings (PROHIBITED > LICENSE_REQUIRED > REVIEW > CLEAR), all its
reason codes in :data:`REASON_ORDER`, and one explanation joining the findings' own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from bulkscreen.columns import HITS

DECISION_SEVERITY = {"CLEAR": 0, "REVIEW": 1, "LICENSE_REQUIRED": 2, "PROHIBITED": 3}
DECISION_BY_SEVERITY = ("CLEAR", "REVIEW", "LICENSE_REQUIRED", "PROHIBITED")

REASON_ORDER = (
    "NK_BAN",  # North Korea export ban (PROHIBITED)
    "DPR_LPR_BAN",  # so-called DPR/LPR ban (PROHIBITED)
    "RU_BY_BAN",  # Russia/Belarus goods ban (PROHIBITED; REVIEW when undecidable)
    "RU_BY_ENTITY",  # party on a METI Russia/Belarus/third-country entity list (PROHIBITED)
    "CONTROL_ENTRY",  # item meets a control-list entry: licence
    "CATCH_ALL_END_USER",  # End User List party and row 16 goods: licence
    "CATCH_ALL_END_USE",  # declared end use of concern and row 16 goods: licence
    "PARTY_HIT",  # party matches a restricted-party list entry: review
    "PARTY_NEAR_MATCH",  # party resembles a list entry: review
    "CONTROL_ENTRY_FOREIGN",  # item meets a foreign-only entry (e.g. US 3A090): review
    "CONTROL_UNKNOWN",  # missing parameter or non-numeric condition: review
    "UNIT_ERROR",  # parameter value with a missing or incompatible unit: review
    "CATCH_ALL_INFORM",  # military end use where only an inform would require a licence
    "DEST_GROUP_D",  # Group D destination with goods in the catch-all scope: review
    "SMALL_VALUE_EXEMPT",  # informational: licence waived under the small-value exemption
)
_REASON_RANK = {code: i for i, code in enumerate(REASON_ORDER)}
NO_FINDINGS = "no findings"

_OPTIONAL = ("field", "query_value", "list_id", "list_version", "entry_id", "matched_name",
             "alias_kind", "score", "features", "rule_id", "rule_version", "value",
             "threshold", "review_decision")


@dataclass
class Findings:
    """Column-wise collector of findings for one batch (row positions are 0-based)."""

    rows: list[np.ndarray] = field(default_factory=list)
    columns: dict[str, list[Any]] = field(default_factory=dict)
    count: int = 0

    def add(self, rows: np.ndarray | Sequence[int], *, finding: str, decision: str | Sequence,
            reason_code: str | Sequence, explanation: str | Sequence[str],
            **optional: Any) -> None:
        """Add one finding per row in ``rows``.

        Parameters
        ----------
        rows
            0-based positions of the rows in the batch.
        finding
            Kind: party, item, destination, measure.
        decision, reason_code, explanation
            A scalar for all rows or one value per row.
        **optional
            Other HITS columns (``rule_id``, ``value``, ``list_id`` ...), scalar or per row.
        """
        rows = np.asarray(rows, dtype=np.int64)
        n = len(rows)
        if n == 0:
            return
        unknown = set(optional) - set(_OPTIONAL)
        if unknown:
            raise TypeError(f"not HITS columns: {sorted(unknown)}")
        values = {"finding": finding, "decision": decision, "reason_code": reason_code,
                  "explanation": explanation, **optional}
        for name in ("finding", "decision", "reason_code", "explanation", *_OPTIONAL):
            value = values.get(name)
            if isinstance(value, str) or value is None or np.isscalar(value):
                column = [value] * n
            else:
                column = list(value)
                if len(column) != n:
                    raise ValueError(f"{name}: {len(column)} values for {n} rows")
            self.columns.setdefault(name, [None] * self.count).extend(column)
        self.rows.append(rows)
        self.count += n

    def row_positions(self) -> np.ndarray:
        """Return the row position of every finding, in insertion order."""
        return np.concatenate(self.rows) if self.rows else np.empty(0, dtype=np.int64)

    def column(self, name: str) -> list[Any]:
        """Return one column of every finding."""
        return self.columns.get(name, [None] * self.count)


@dataclass(frozen=True)
class Decisions:
    """One decision per row."""

    decision: list[str]
    reason_codes: list[list[str]]
    explanation: list[str]
    n_hits: np.ndarray  # int32
    order: np.ndarray  # findings sorted by (row, reason order), for the hits file


def reason_rank(code: str) -> int:
    """Return the position of ``code`` in the stable order; unknown codes sort after."""
    return _REASON_RANK.get(code, len(REASON_ORDER))


def combine(n_rows: int, findings: Findings) -> Decisions:
    """Combine findings into one decision per row.

    Parameters
    ----------
    n_rows
        Number of rows in the batch.
    findings
        Every finding of the batch.

    Returns
    -------
    Decisions
        The most severe decision per row, its reason codes (deduplicated, stable order) and
        the explanations of its findings joined with ' | '. Rows without findings are CLEAR
        with no reason codes.
    """
    rows = findings.row_positions()
    severity = np.zeros(n_rows, dtype=np.int8)
    if len(rows):
        decisions = findings.column("decision")
        sev = np.fromiter(map(DECISION_SEVERITY.__getitem__, decisions), np.int8, len(decisions))
        np.maximum.at(severity, rows, sev)
    codes = findings.column("reason_code")
    rank_of = {code: reason_rank(code) for code in set(codes)}
    ranks = np.fromiter(map(rank_of.__getitem__, codes), np.int64, len(codes))
    # Stable sort: by row, then reason rank, then insertion order.
    order = np.lexsort((np.arange(len(rows)), ranks, rows)) if len(rows) else rows
    n_hits = np.bincount(rows, minlength=n_rows).astype(np.int32)
    # Python ints: indexing with NumPy scalars costs several times more per row.
    decision = [DECISION_BY_SEVERITY[s] for s in severity.tolist()]
    reason_codes: list[list[str]] = [[] for _ in range(n_rows)]
    texts: list[list[str]] = [[] for _ in range(n_rows)]
    explanations = findings.column("explanation")
    for k in order:
        row = rows[k]
        code = codes[k]
        if code not in reason_codes[row]:
            reason_codes[row].append(code)
        texts[row].append(f"{code}: {explanations[k]}")
    explanation = [" | ".join(t) if t else NO_FINDINGS for t in texts]
    return Decisions(decision, reason_codes, explanation, n_hits, order)


def hits_batch(findings: Findings, decisions: Decisions, input_row: np.ndarray,
               record_id: Sequence[str], as_of_days: np.ndarray) -> pa.RecordBatch:
    """Return the findings as a HITS-schema record batch, sorted by row and reason order."""
    order = decisions.order
    rows = findings.row_positions()[order] if len(order) else np.empty(0, dtype=np.int64)
    record = np.asarray(record_id, dtype=object)
    data: dict[str, Any] = {
        "input_row": pa.array(np.asarray(input_row)[rows], pa.int64()),
        "record_id": pa.array(record[rows].tolist(), pa.string()),
        "as_of_date": pa.array(np.asarray(as_of_days, dtype=np.int32)[rows], pa.int32()).cast(
            pa.date32()),
    }
    schema = HITS.arrow_schema()
    for name in schema.names:
        if name in data:
            continue
        column = findings.column(name)
        data[name] = pa.array([column[k] for k in order], schema.field(name).type)
    return pa.RecordBatch.from_arrays([data[n] for n in schema.names], schema=schema)
