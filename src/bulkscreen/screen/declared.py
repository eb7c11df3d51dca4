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
import functools
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
    known = _known_references(checks.rules.entry_declared)
    nearest = {code: _nearest_text(normalise_entry_code(code), known)
               for code in {b.declared[r] for r in rows}}
    findings.add(rows, finding="item", decision="REVIEW", reason_code="ENTRY_UNCONFIRMED",
                 field="declared_control_entry", query_value=[b.declared[r] for r in rows],
                 rule_version=version,
                 explanation=[f"the declared control entry '{b.declared[r]}' "
                              f"names no entry of rules {version}; confirm which entry the goods "
                              "meet (write e.g. '7.3.ロ' of the goods ordinance or '4A003.b'), or "
                              f"'非該当' if none{nearest[b.declared[r]]} [rules {version}]"
                              for r in rows])


@functools.lru_cache(maxsize=4)
def _known_references(entry_declared: tuple[frozenset[str], ...]) -> tuple[str, ...]:
    """Every code that names an entry, sorted (worked out once per rule version, not per
    batch)."""
    return tuple(sorted({name for names in entry_declared for name in names}))


@functools.lru_cache(maxsize=4096)
def _nearest_text(normal: str, known: tuple[str, ...]) -> str:
    """What the explanation adds for a code that names no entry: the nearest references.

    Remembered across batches: a file repeats its mistyped codes, and the nearest-match search
    compares each with every reference of the list.
    """
    if _ROW_ONLY.match(normal):
        return "; a row number alone names no single entry"
    close = difflib.get_close_matches(normal, known, n=3, cutoff=0.5)
    return f"; nearest references of the list: {', '.join(close)}" if close else ""


def declared_clear_texts(checks: LineChecks, rows: np.ndarray) -> list[str | None]:
    """Say what the declared code of each line without findings meant on its day, or None.

    Parameters
    ----------
    checks
        The lines' control-list checks.
    rows
        0-based positions of lines that declare a code.

    Returns
    -------
    list of (str or None)
        Per row, the explanation of a CLEAR line whose declared entry was not in force on its
        day, or that declared the goods unlisted; None when the declared code says nothing
        more. Worked out per distinct code, and per line only for the days: a file repeats a
        few codes on many lines.
    """
    b, rules, version = checks.lines, checks.rules, checks.version
    out: list[str | None] = [None] * len(rows)
    by_code: dict[str, list[int]] = {}
    for k, r in enumerate(np.asarray(rows).tolist()):
        if b.declared[r]:
            by_code.setdefault(b.declared[r], []).append(k)
    for code, positions in by_code.items():
        if normalise_entry_code(code) in NOT_LISTED:
            for k in positions:
                out[k] = f"declared '{code}': in no entry of rows 1-15 of Appended Table 1"
            continue
        # Lines of one code name the same entries (the declared mask is a function of it).
        named = np.flatnonzero(checks.declared[rows[positions[0]]])
        if not len(named):
            continue
        days = b.days[rows[positions]].astype(np.int64)
        in_force = ((days[:, None] >= rules.entry_from_day[named][None, :])
                    & (days[:, None] <= rules.entry_to_day[named][None, :])).any(axis=1)
        if in_force.all():
            continue
        entries = [rules.entries[int(e)] for e in named]
        spans = "; ".join(f"{entry.reference} ({entry.id}) "
                          f"{_span(entry.valid_from, entry.valid_to)}" for entry in entries)
        for k, day in zip(np.asarray(positions)[~in_force].tolist(),
                          days[~in_force].tolist(), strict=True):
            out[k] = (f"the declared entry '{code}' was not in force on {day_text(day)}: "
                      f"{spans} [rules {version}]")
    return out


def _span(start: dt.date | None, stop: dt.date | None) -> str:
    """'in force from D', 'in force until D' or 'in force from D to E'."""
    if start and stop:
        return f"in force from {start.isoformat()} to {stop.isoformat()}"
    if start:
        return f"in force from {start.isoformat()}"
    return f"in force until {stop.isoformat()}" if stop else "in force"
