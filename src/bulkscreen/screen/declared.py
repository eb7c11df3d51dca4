"""What a line's declared control entry says when it decides nothing by itself.

A declared entry always applies (:func:`bulkscreen.screen.items.check_lines`), but only on the
days the entry is in force, and only when the code names an entry at all. A code that names no
entry of the rules (a typo, another regime's number) must not pass as "no findings": it goes to
review with the nearest real references. A code that names entries none of which is in force on
the line's day (an item a later revision added) is said in the line's explanation. Words that
declare the goods unlisted (非該当, 16項) are read as such.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

import numpy as np

from bulkscreen.decide import Findings
from bulkscreen.rules.compile import normalise_entry_code
from bulkscreen.screen.items import LineChecks
from bulkscreen.screen.shipment_batch import day_text

NOT_LISTED = frozenset(normalise_entry_code(word) for word in (
    "非該当", "該当なし", "16", "16項", "16の項", "row 16", "none", "n/a", "not listed", "-"))
"""Declared codes that say the goods are in no row 1-15 entry (row 16, catch-all)."""

_ROW_ONLY = re.compile(r"^(ROW)?\d+(-\d+|の\d+)?(の?項)?$")


def declared_entry_findings(findings: Findings, checks: LineChecks) -> None:
    """Add a REVIEW ``ENTRY_UNCONFIRMED`` finding for each line whose code names no entry.

    Parameters
    ----------
    findings
        The batch's findings, added to in place.
    checks
        The lines' control-list checks (their ``declared`` mask).
    """
    b, version = checks.lines, checks.version
    names_nothing = ~checks.declared.any(axis=1)
    rows = [r for r in np.nonzero(names_nothing)[0]
            if b.declared[r] and normalise_entry_code(b.declared[r]) not in NOT_LISTED]
    if not rows:
        return
    known = sorted({name for names in checks.rules.entry_declared for name in names})
    nearest: dict[str, str] = {}
    for r in rows:
        code = b.declared[r]
        if code not in nearest:
            normal = normalise_entry_code(code)
            close = difflib.get_close_matches(normal, known, n=3, cutoff=0.5)
            nearest[code] = ("; a row number alone names no single entry" if _ROW_ONLY.match(normal)
                             else f"; nearest references of the list: {', '.join(close)}" if close
                             else "")
    findings.add(rows, finding="item", decision="REVIEW", reason_code="ENTRY_UNCONFIRMED",
                 field="declared_control_entry", query_value=[b.declared[r] for r in rows],
                 rule_version=version,
                 explanation=[f"the declared control entry '{b.declared[r]}' "
                              f"names no entry of rules {version}; confirm which entry the goods "
                              "meet (write e.g. '7.3.ロ' of the goods ordinance or '4A003.b'), or "
                              f"'非該当' if none{nearest[b.declared[r]]} [rules {version}]"
                              for r in rows])


def declared_clear_text(checks: LineChecks, row: int) -> str | None:
    """Say what the declared code of a line without findings meant on its day, or None.

    Parameters
    ----------
    checks
        The lines' control-list checks.
    row
        0-based line position.

    Returns
    -------
    str or None
        The explanation of a CLEAR line whose declared entry was not in force on its day, or
        that declared the goods unlisted; None when the declared code says nothing more.
    """
    b, rules, version = checks.lines, checks.rules, checks.version
    code = b.declared[row]
    if not code:
        return None
    if normalise_entry_code(code) in NOT_LISTED:
        return f"declared '{code}': in no entry of rows 1-15 of Appended Table 1"
    named = np.flatnonzero(checks.declared[row])
    if not len(named):
        return None
    day = int(b.days[row])
    spans = []
    for e in named:
        entry = rules.entries[int(e)]
        if int(rules.entry_from_day[e]) <= day <= int(rules.entry_to_day[e]):
            return None
        spans.append(f"{entry.reference} ({entry.id}) {_span(entry.valid_from, entry.valid_to)}")
    return (f"the declared entry '{code}' was not in force on {day_text(day)}: "
            + "; ".join(spans) + f" [rules {version}]")


def _span(start: dt.date | None, stop: dt.date | None) -> str:
    """'in force from D', 'in force until D' or 'in force from D to E'."""
    if start and stop:
        return f"in force from {start.isoformat()} to {stop.isoformat()}"
    if start:
        return f"in force from {start.isoformat()}"
    return f"in force until {stop.isoformat()}" if stop else "in force"
