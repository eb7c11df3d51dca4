"""Findings -> one decision per row: the RESULTS and HITS rows of every screen.

Each screening step adds its findings to a :class:`Findings` collector, column-wise, one block of
rows at a time. :func:`decide` then gives every input row the most severe decision among its
findings (:data:`~bulkscreen.columns.DECISION_SEVERITY`), its reason codes in
:data:`REASON_ORDER`, the number of findings, the best party score and one explanation joining
the findings' own; rows without findings are CLEAR with :data:`CLEAR_TEXT`. The same call
returns the findings as HITS rows sorted by row, reason order and the order each step gave, so a
row's decision is always the most severe decision among its rows in the hits file (re-screening
relies on that).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.columns import DECISION_SEVERITY, DECISIONS, HITS, RESULTS

REASON_ORDER = (
    "NK_BAN",  # North Korea export ban (PROHIBITED)
    "DPR_LPR_BAN",  # so-called DPR/LPR ban (PROHIBITED)
    "RU_BY_BAN",  # Russia/Belarus goods ban (PROHIBITED; REVIEW when undecidable)
    "RU_BY_ENTITY",  # party on a METI Russia/Belarus/third-country entity list (PROHIBITED)
    "CONTROL_ENTRY",  # item meets a control-list entry: licence
    "CATCH_ALL_END_USER",  # End User List party and row 16 goods: licence
    "CATCH_ALL_END_USE",  # declared end use of concern and row 16 goods: licence
    "NON_RESIDENT",  # person is a non-resident with access to listed technology
    "SPECIFIC_CATEGORY_1",  # resident under a foreign employer's or contract's control
    "SPECIFIC_CATEGORY_2",  # resident with substantial foreign-government funding
    "SPECIFIC_CATEGORY_3",  # resident acting on a foreign government's instructions
    "TECH_ACCESS",  # the person's decision rests on access to listed technology
    "PARTY_HIT",  # party matches a restricted-party list entry: review
    "PARTY_NEAR_MATCH",  # party resembles a list entry: review
    "RED_FLAG_NATIONALITY",  # nationality of a Group D country: review
    "MISSING_INFO",  # a person's facts are missing, so a rule cannot be judged: review
    "TECH_UNCONFIRMED",  # a person's technology names no entry of the list in force: review
    "CATEGORY_1_EXCLUDED",  # informational: employer-priority agreement excludes category 1
    "CONTROL_ENTRY_FOREIGN",  # item meets a foreign-only entry (e.g. US 3A090): review
    "ENTRY_UNCONFIRMED",  # a line's declared control entry names no entry of the rules: review
    "CONTROL_UNKNOWN",  # missing parameter or non-numeric condition: review
    "UNIT_ERROR",  # parameter value with a missing or incompatible unit: review
    "CATCH_ALL_INFORM",  # military end use where only an inform would require a licence
    "DEST_GROUP_D",  # Group D destination with goods in the catch-all scope: review
    "SMALL_VALUE_EXEMPT",  # informational: licence waived under the small-value exemption
)
"""Every reason code, in the order a row lists them (most decisive first)."""

CLEAR_TEXT = "no findings"
"""Explanation of a row without findings."""

FINDING_SEPARATOR = " | "
"""Joins the explanations of a row's findings."""

_REASON_RANK = {code: i for i, code in enumerate(REASON_ORDER)}
_REASON_NAMES = np.array(REASON_ORDER, dtype=object)
_DECISION_NAMES = np.array(DECISIONS, dtype=object)
_KEYED = ("input_row", "record_id", "as_of_date", "decision", "reason_code")
OPTIONAL_COLUMNS = tuple(c.name for c in HITS.columns if c.name not in _KEYED)
"""HITS columns a finding may carry besides its decision and reason code."""
_TYPES = {f.name: f.type for f in HITS.arrow_schema()}


def reason_rank(code: str) -> int:
    """Return the position of ``code`` in :data:`REASON_ORDER`.

    Raises
    ------
    ValueError
        ``code`` is not a known reason code.
    """
    try:
        return _REASON_RANK[code]
    except KeyError:
        raise ValueError(f"unknown reason code {code!r}; add it to REASON_ORDER") from None


def order_reason_codes(codes: Sequence[str]) -> list[str]:
    """Return the distinct ``codes`` in :data:`REASON_ORDER`."""
    return sorted(set(codes), key=reason_rank)


@dataclass(frozen=True)
class _Block:
    """Findings added by one call: parallel arrays, one element per finding."""

    rows: np.ndarray  # int64 positions in the batch
    order: np.ndarray  # int64 tie-break within (row, reason), as the step ordered them
    severity: np.ndarray  # int8, index into DECISIONS
    reason: np.ndarray  # int16, index into REASON_ORDER
    columns: dict[str, pa.Array]


class Findings:
    """Column-wise collector of the findings of one batch (row positions are 0-based)."""

    def __init__(self) -> None:
        self._blocks: list[_Block] = []
        self.count = 0

    def add(self, rows: np.ndarray | Sequence[int], *, finding: str, decision: object,
            reason_code: object, explanation: object, order: np.ndarray | None = None,
            **optional: object) -> None:
        """Add one finding per row in ``rows``.

        Parameters
        ----------
        rows
            0-based positions of the rows in the batch.
        finding
            Kind: party, item, destination, measure, person.
        decision
            A decision name for all rows, one name per row, or one severity (index into
            ``DECISIONS``) per row as an integer array.
        reason_code, explanation
            A scalar for all rows, or one value per row (sequence or Arrow array).
        order
            Order of these findings among a row's findings of the same reason (default:
            the order they are added in).
        **optional
            Other HITS columns (``rule_id``, ``value``, ``list_id`` ...): a scalar, a sequence
            or an Arrow array; None leaves the column empty.
        """
        rows = np.asarray(rows, dtype=np.int64)
        n = len(rows)
        if n == 0:
            return
        unknown = set(optional) - set(OPTIONAL_COLUMNS)
        if unknown:
            raise TypeError(f"not HITS columns: {sorted(unknown)}")
        given = {"finding": finding, "explanation": explanation, **optional}
        columns = {name: _column(name, value, n) for name, value in given.items()
                   if value is not None}
        self._blocks.append(_Block(
            rows=rows,
            order=np.zeros(n, np.int64) if order is None else _sized(order, n, "order"),
            severity=_severities(decision, n),
            reason=_reasons(reason_code, n),
            columns=columns))
        self.count += n

    def add_hits(self, hits: pa.Table | pa.RecordBatch, rows: np.ndarray) -> None:
        """Add HITS rows produced elsewhere (e.g. name matches) at the batch positions ``rows``.

        Their order among a row's findings of the same reason is the order of ``hits``.
        """
        if hits.num_rows == 0:
            return
        table = hits if isinstance(hits, pa.Table) else pa.Table.from_batches([hits])
        optional = {name: table.column(name).combine_chunks() for name in OPTIONAL_COLUMNS
                    if name in table.column_names and name != "finding"}
        self.add(rows, finding=table.column("finding").combine_chunks(),
                 decision=table.column("decision").combine_chunks(),
                 reason_code=table.column("reason_code").combine_chunks(),
                 order=np.arange(table.num_rows, dtype=np.int64), **optional)


def _sized(values: object, n: int, what: str) -> np.ndarray:
    array = np.asarray(values)
    if len(array) != n:
        raise ValueError(f"{what}: {len(array)} values for {n} rows")
    return array.astype(np.int64, copy=False)


def _column(name: str, value: object, n: int) -> pa.Array:
    """One HITS column of a block: a scalar repeated, or the given values checked for length."""
    type_ = _TYPES[name]
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    if isinstance(value, pa.Array):
        array = value.cast(type_)
    elif isinstance(value, str) or np.isscalar(value):
        return pa.repeat(pa.scalar(value, type_), n)
    else:
        array = pa.array(list(value), type_)
    if len(array) != n:
        raise ValueError(f"{name}: {len(array)} values for {n} rows")
    return array


def _names_to_index(values: object, n: int, lookup: Mapping[str, int], what: str
                    ) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray | pa.Array):
        values = values.to_pylist()
    try:
        if isinstance(values, str):
            return np.full(n, lookup[values], dtype=np.int16)
        index = np.fromiter(map(lookup.__getitem__, values), np.int16)
    except KeyError as exc:
        raise ValueError(f"unknown {what} {exc.args[0]!r}") from None
    if len(index) != n:
        raise ValueError(f"{what}: {len(index)} values for {n} rows")
    return index


def _severities(decision: object, n: int) -> np.ndarray:
    if isinstance(decision, np.ndarray) and np.issubdtype(decision.dtype, np.integer):
        return _sized(decision, n, "decision").astype(np.int8)
    return _names_to_index(decision, n, DECISION_SEVERITY, "decision").astype(np.int8)


def _reasons(reason_code: object, n: int) -> np.ndarray:
    return _names_to_index(reason_code, n, _REASON_RANK, "reason code")


def _date_array(as_of: dt.date | np.ndarray, n: int) -> pa.Array:
    if isinstance(as_of, dt.date):
        return pa.repeat(pa.scalar(as_of, pa.date32()), n)
    return pa.array(np.asarray(as_of, dtype=np.int32), pa.int32()).cast(pa.date32())


def decide(findings: Findings, *, input_row: np.ndarray, record_id: pa.Array | Sequence[str],
           as_of: dt.date | np.ndarray, label_reasons: bool = False,
           extra_codes: Mapping[str, np.ndarray] | None = None,
           clear_text: Sequence[str | None] | np.ndarray | None = None
           ) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Turn a batch's findings into one RESULTS row per input row and the HITS rows.

    Parameters
    ----------
    findings
        Every finding of the batch.
    input_row
        1-based row number in the input file of each batch row (int64); its length is the
        number of rows.
    record_id
        Key of each batch row.
    as_of
        Date the rows were judged on: one date, or each row's own date as int32 days.
    label_reasons
        Start each finding's part of the row explanation with its reason code
        (``"CONTROL_ENTRY: ..."``), for screens whose rows gather findings of many kinds.
    extra_codes
        Reason code -> boolean mask over rows: the code is listed on the masked rows whose
        decision is not CLEAR, without a finding of its own (a person's ``TECH_ACCESS``).
    clear_text
        Per row, what a row without findings says instead of :data:`CLEAR_TEXT` (None keeps
        it): why nothing was found, e.g. a shipment line whose HS code reaches no entry.

    Returns
    -------
    results : pyarrow.RecordBatch
        RESULTS rows in batch order: the most severe decision among the row's findings, its
        reason codes in :data:`REASON_ORDER`, the findings' explanations joined with
        :data:`FINDING_SEPARATOR` (:data:`CLEAR_TEXT` without findings), the number of
        findings and the best score among them.
    hits : pyarrow.RecordBatch
        HITS rows sorted by row, reason order and the order each step gave.
    """
    input_row = np.asarray(input_row, dtype=np.int64)
    n = len(input_row)
    if not isinstance(record_id, pa.Array | pa.ChunkedArray):
        record_id = pa.array(list(record_id), pa.string())
    elif isinstance(record_id, pa.ChunkedArray):
        record_id = record_id.combine_chunks()
    record_id = record_id.cast(pa.string())
    day_of_row = _date_array(as_of, n)
    blocks = findings._blocks
    if blocks:
        rows = np.concatenate([b.rows for b in blocks])
        reason = np.concatenate([b.reason for b in blocks])
        # Stable: findings that tie on (row, reason, order) keep the order they were added in.
        perm = np.lexsort((np.concatenate([b.order for b in blocks]), reason, rows))
        rows, reason = rows[perm], reason[perm]
        severity_of_hit = np.concatenate([b.severity for b in blocks])[perm]
    else:
        perm = rows = np.empty(0, np.int64)
        reason = np.empty(0, np.int16)
        severity_of_hit = np.empty(0, np.int8)
    take = pa.array(perm, pa.int64())
    hit_columns: dict[str, pa.Array] = {
        "input_row": pa.array(input_row[rows], pa.int64()),
        "record_id": record_id.take(pa.array(rows, pa.int64())),
        "as_of_date": day_of_row.take(pa.array(rows, pa.int64())),
        "decision": pa.array(_DECISION_NAMES[severity_of_hit].tolist(), pa.string()),
        "reason_code": pa.array(_REASON_NAMES[reason].tolist(), pa.string()),
    }
    for name in OPTIONAL_COLUMNS:
        parts = [b.columns.get(name) for b in blocks]
        if all(p is None for p in parts):
            hit_columns[name] = pa.nulls(len(rows), _TYPES[name])
            continue
        whole = pa.concat_arrays([p if p is not None else pa.nulls(len(b.rows), _TYPES[name])
                                  for p, b in zip(parts, blocks, strict=True)])
        hit_columns[name] = whole.take(take)
    schema = HITS.arrow_schema()
    hits = pa.RecordBatch.from_arrays([hit_columns[f.name] for f in schema], schema=schema)
    results = _results(hits, (rows, reason, severity_of_hit), input_row, record_id,
                       day_of_row, label_reasons, extra_codes or {})
    if clear_text is not None:
        results = _with_clear_text(results, clear_text)
    return results, hits


def _with_clear_text(results: pa.RecordBatch, clear_text: Sequence[str | None] | np.ndarray
                     ) -> pa.RecordBatch:
    """Put each row's own text in place of CLEAR_TEXT on rows without findings."""
    index = results.schema.get_field_index("explanation")
    if not isinstance(clear_text, np.ndarray):
        clear_text = list(clear_text)
    custom = pa.array(clear_text, results.schema.field(index).type)
    empty = pc.equal(results.column("n_hits"), 0)
    use = pc.and_(empty, pc.is_valid(custom))
    columns = list(results.columns)
    columns[index] = pc.if_else(use, custom, results.column(index))
    return pa.RecordBatch.from_arrays(columns, schema=results.schema)


def _results(hits: pa.RecordBatch, sorted_findings: tuple[np.ndarray, np.ndarray, np.ndarray],
             input_row: np.ndarray, record_id: pa.Array, day_of_row: pa.Array,
             label_reasons: bool, extra_codes: Mapping[str, np.ndarray]) -> pa.RecordBatch:
    """RESULTS rows from the sorted HITS rows and their (row, reason, severity) arrays."""
    rows, reason, severity_of_hit = sorted_findings
    n = len(input_row)
    severity = np.zeros(n, dtype=np.int8)
    np.maximum.at(severity, rows, severity_of_hit)
    n_hits = np.bincount(rows, minlength=n).astype(np.int32)
    top_score = np.zeros(n, dtype=np.float32)
    scores = hits.column("score").fill_null(0.0).to_numpy(zero_copy_only=False)
    np.maximum.at(top_score, rows, scores.astype(np.float32, copy=False))
    listed = np.zeros((n, len(REASON_ORDER)), dtype=bool)
    listed[rows, reason] = True
    for code, mask in extra_codes.items():
        listed[:, reason_rank(code)] |= np.asarray(mask, dtype=bool) & (severity > 0)
    explanation = np.full(n, CLEAR_TEXT, dtype=object)
    if len(rows):
        texts = hits.column("explanation")
        if label_reasons:
            texts = pc.binary_join_element_wise(hits.column("reason_code"), texts, ": ")
        joined = pl.DataFrame({"row": rows, "text": pl.from_arrow(texts)}).group_by(
            "row", maintain_order=True).agg(pl.col("text").str.join(FINDING_SEPARATOR))
        explanation[joined["row"].to_numpy()] = joined["text"].to_numpy()
    return pa.RecordBatch.from_arrays([
        pa.array(input_row, pa.int64()),
        record_id,
        day_of_row,
        pa.array(_DECISION_NAMES[severity].tolist(), pa.string()),
        _codes_list(listed),
        pa.array(explanation.tolist(), pa.string()),
        pa.array(n_hits, pa.int32()),
        pa.array(top_score, pa.float32()),
    ], schema=RESULTS.arrow_schema())


def _codes_list(listed: np.ndarray) -> pa.ListArray:
    """Boolean rows x codes matrix -> list<string> of each row's codes in REASON_ORDER."""
    offsets = np.zeros(listed.shape[0] + 1, dtype=np.int32)
    np.cumsum(listed.sum(axis=1), out=offsets[1:])
    _, code_index = np.nonzero(listed)
    values = pa.array(_REASON_NAMES[code_index].tolist(), pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets), values)
