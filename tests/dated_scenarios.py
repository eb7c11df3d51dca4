"""One-line shipment scenarios for the dated entries of a rule version.

Each scenario is a line on one day with an HS code, parameters and a declared entry; the tests
of each revision assert its decision, the dated entry that decides and the reason, on the day
before and the day of the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pyarrow as pa

from bulkscreen.columns import HITS, SHIPMENTS
from bulkscreen.rules import compile_rules, load_rules
from bulkscreen.screen.shipments import screen_shipments_batch

Line = tuple[dt.date, str | None, Sequence[tuple[str, float, str]], str | None]
"""(shipment date, HS code or None, (name, value, unit) parameters, declared entry or None)."""


def screen_lines(lines: Iterable[Line], version: str) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Screen one line per scenario, to CN, under rules ``version``; return (results, hits)."""
    rows = [{"shipment_id": f"S{i}", "shipment_date": day, "consignee_name": "Buyer Co",
             "consignee_country": "CN", "destination_country": "CN", "hs_code": hs or None,
             "parameters": [{"name": n, "value": float(v), "unit": u} for n, v, u in params],
             "value_jpy": 5e7, "quantity": 1, "declared_end_use": None,
             "declared_control_entry": declared}
            for i, (day, hs, params, declared) in enumerate(lines)]
    table = {c.name: [r.get(c.name) for r in rows] for c in SHIPMENTS.columns}
    batch = pa.RecordBatch.from_pydict(table, schema=SHIPMENTS.arrow_schema())
    batch = batch.append_column("input_row", pa.array(range(1, len(rows) + 1), pa.int64()))
    empty = pa.Table.from_pylist([], schema=HITS.arrow_schema())
    return screen_shipments_batch(batch, compile_rules(load_rules(version)), empty, None)


def assert_dated_decision(screened: tuple[pa.RecordBatch, pa.RecordBatch], index: int,
                          expected: tuple[str, str | None, str | None], dated_ids: set[str],
                          *, reason_leads: bool = True,
                          also_deciding: frozenset[str] = frozenset()) -> None:
    """Assert line ``index``'s decision, and that of ``dated_ids`` only the expected entry
    decides it with the expected reason (none of them when the entry is None).

    ``reason_leads``: the reason is also the first of the line's explanation.
    ``also_deciding``: dated entries that may decide beside the expected one.
    """
    results, hits = screened
    decision, rule_id, reason = expected
    row = results.to_pylist()[index]
    assert row["decision"] == decision, row["explanation"]
    deciding = {h["rule_id"]: h for h in hits.to_pylist() if h["input_row"] == index + 1}
    if rule_id is None:
        assert not dated_ids & set(deciding), row["explanation"]
        return
    assert (set(deciding) & dated_ids) - also_deciding == {rule_id}
    assert deciding[rule_id]["reason_code"] == reason
    if reason_leads:
        assert row["explanation"].startswith(reason)
