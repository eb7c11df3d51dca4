"""How much of the goods ordinance a rule version encodes, item by item and row by row.

The items are the countable items of Articles 1-14 (goods, rows 2-15) or of Articles 15-27
(technology, rows 2-15) parsed from the ordinance text the version bundles (see
:mod:`bulkscreen.rules.ordinance`). An item is *encoded with
numbers* when an entry tests a parameter for it, *encoded as REVIEW text* when an entry
quotes it as a condition no number decides, and *missing* otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bulkscreen.rules.model import ControlEntry
from bulkscreen.rules.ordinance import ARTICLE_ROWS, Ordinance, load_ordinance

NUMBERS, REVIEW = 2, 1
ROW_ORDER = tuple(dict.fromkeys(ARTICLE_ROWS.values()))


@dataclass
class RowCoverage:
    """Counts of one Appended Table 1 row."""

    row: str
    found: int = 0
    numbers: int = 0
    review: int = 0
    with_number: int = 0
    with_number_encoded: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def encoded(self) -> int:
        """Items encoded one way or the other."""
        return self.numbers + self.review


@dataclass
class Coverage:
    """Coverage of one rule version on one day."""

    rows: list[RowCoverage]
    status: dict[str, int]
    unknown_refs: list[tuple[str, str]]

    @property
    def found(self) -> int:
        """Countable items in the text."""
        return sum(r.found for r in self.rows)

    @property
    def encoded(self) -> int:
        """Items encoded one way or the other."""
        return sum(r.encoded for r in self.rows)

    @property
    def with_number(self) -> int:
        """Items whose text holds a number with a unit."""
        return sum(r.with_number for r in self.rows)

    @property
    def with_number_encoded(self) -> int:
        """Items whose text holds a number and whose entry tests a parameter."""
        return sum(r.with_number_encoded for r in self.rows)


class EntrySet(Protocol):
    """What coverage reads of a rule version: its entries and its folder."""

    entries: tuple[ControlEntry, ...]
    folder: str


def coverage(ruleset: EntrySet, as_of: dt.date | None = None,
             ordinance: Ordinance | None = None, part: str = "goods") -> Coverage:
    """Return the coverage of the ordinance's items by a rule set's entries.

    Parameters
    ----------
    ruleset
        A loaded rule version or technology list; its folder must hold
        ``law/goods-ordinance.md``.
    as_of
        Count only entries in force on this day (default: every entry).
    ordinance
        The parsed text, if already read.
    part
        Which articles to count when the text is read here: ``goods`` or ``technology``.

    Returns
    -------
    Coverage
        Per-row counts, the status of each item, and entry references the text lacks.
    """
    ordinance = ordinance or load_ordinance(Path(ruleset.folder), part)
    countable = ordinance.countable()
    status: dict[str, int] = {item.ref: 0 for item in countable}
    nodes = ordinance.items()
    unknown: list[tuple[str, str]] = []
    for entry in ruleset.entries:
        if as_of is not None and not entry.in_force(as_of):
            continue
        for ref, has_test in entry.refs:
            node = nodes.get(ref)
            if node is None:
                unknown.append((entry.id, ref))
                continue
            level = NUMBERS if has_test else REVIEW
            for target in _targets(node, status):
                status[target] = max(status[target], level)
    rows = {row: RowCoverage(row) for row in ordinance.row_order}
    for item in countable:
        r = rows[item.row]
        r.found += 1
        level = status[item.ref]
        r.numbers += level == NUMBERS
        r.review += level == REVIEW
        if item.has_number:
            r.with_number += 1
            r.with_number_encoded += level == NUMBERS
        if not level:
            r.missing.append(item.ref)
    return Coverage(list(rows.values()), status, unknown)


def _targets(node, status: dict[str, int]) -> list[str]:
    """Return the countable item a reference marks: itself or the item it is a condition of.

    A reference to a group of alternatives marks nothing: each alternative needs its own.
    """
    while node is not None:
        if node.ref in status:
            return [node.ref]
        node = node.parent
    return []


def percent(part: int, whole: int) -> str:
    """Return ``part / whole`` as a percentage with one decimal."""
    return f"{100.0 * part / whole:.1f}%" if whole else "n/a"
