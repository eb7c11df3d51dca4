"""The parsed rule data: plain frozen dataclasses, one per kind of rule.

Rule trees are nested tuples, the same shape the naive reference evaluator reads:
``("test", param, op, value, unit)``, ``("all", children)``, ``("any", children)``,
``("unknown", text)`` (a condition no number decides) and ``("true", text)`` (listed by
description). Banded thresholds are expanded to these at load time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

Tree = tuple[Any, ...]

OPS = ("<", "<=", ">", ">=", "==")
ROWS_1_TO_15 = (*(str(n) for n in range(1, 16)), "3-2")


@dataclass(frozen=True)
class Parameter:
    """A parameter of the shared vocabulary and the unit its values are written in."""

    name: str
    unit: str
    meaning: str


@dataclass(frozen=True)
class Derived:
    """A parameter computed from others when it is not given directly."""

    name: str
    inputs: tuple[str, ...]
    formula: str


@dataclass(frozen=True)
class ControlEntry:
    """One control-list entry: where it is in the law, what it covers, and its rule tree.

    ``ordinance`` is the goods-ordinance reference (``5.2.イ.(1)``, see
    :mod:`bulkscreen.rules.ordinance`), ``quote`` the clause as it stands in the bundled
    text, ``exclusions`` the excluding clauses quoted (を除く, ただし). ``refs`` lists every
    ordinance reference the entry encodes, each with whether a number decides it there.
    ``cas`` lists the CAS registry numbers of a substance entry; a line may declare one.
    """

    id: str
    row: str
    item: str
    reference: str
    title: str
    hs_prefixes: tuple[str, ...]
    declared: tuple[str, ...]
    tree: Tree
    effect: str = "licence"
    verify: bool = False
    note: str = ""
    ordinance: str = ""
    regime_number: str = ""
    quote: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    exclusions: tuple[str, ...] = ()
    refs: tuple[tuple[str, bool], ...] = ()
    source_file: str = ""
    cas: tuple[str, ...] = ()

    def in_force(self, day: dt.date) -> bool:
        """Whether the entry is part of the list on ``day`` (both ends inclusive)."""
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))


@dataclass(frozen=True)
class Membership:
    """Countries in a destination group from one day to another (both inclusive).

    ``table`` is the appended table of the order the membership reads (``別表第三の二``),
    ``names`` each country's name as that table writes it (one per code), quoted from
    ``source``, a law text of the version folder (the current order or a revision excerpt).
    """

    group: str
    countries: tuple[str, ...]
    from_date: dt.date | None
    to_date: dt.date | None
    verify: bool = False
    note: str = ""
    table: str = ""
    names: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Measure:
    """A country measure (ban) with its dates and item scope.

    ``table`` and ``item`` cite where the order lists the goods (``別表第二の三``, ``第二号（７）``)
    and ``quote`` is the item's text as the bundled order writes it. ``decision`` is what a line
    in scope gets when no condition is left open: PROHIBITED, or REVIEW where the scope is only a
    candidate (an oblast code for the areas a notice names).
    """

    id: str
    reason: str
    scope: str
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    region_names: tuple[str, ...]
    from_date: dt.date
    to_date: dt.date | None
    hs_prefixes: tuple[str, ...]
    condition: Tree | None
    title: str
    legal_basis: str
    verify: bool = False
    note: str = ""
    table: str = ""
    item: str = ""
    quote: str = ""
    decision: str = "PROHIBITED"


@dataclass(frozen=True)
class Requirement:
    """A catch-all requirement: trigger, destinations it applies to, dates and outcome."""

    id: str
    reason: str
    trigger: str
    destinations: str
    hs_scope: str | None
    from_date: dt.date
    to_date: dt.date | None
    decision: str
    text: str


@dataclass(frozen=True)
class CatchAll:
    """Row 16 catch-all: its HS chapters, end-use keywords and requirements."""

    hs_chapters: tuple[str, ...]
    row16_1_prefixes: tuple[str, ...]
    wmd_keywords: tuple[str, ...]
    conventional_keywords: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    group_a_note: str


@dataclass(frozen=True)
class Table33Item:
    """Goods of Appended Table 3-3 (lower small-value limit) from one day to another.

    ``items`` empty is the whole row; ``notified`` means only the goods a METI notice names
    (not bundled), so a line of such an entry cannot be told exempt above the lower limit.
    """

    row: str
    items: tuple[str, ...]
    notified: bool
    from_date: dt.date | None
    to_date: dt.date | None
    quote: str
    source: str

    def covers(self, entry: ControlEntry) -> bool:
        """Whether the record names the entry's row and item."""
        return entry.row == self.row and (not self.items or entry.item in self.items)


@dataclass(frozen=True)
class SmallValue:
    """The small-value exemption."""

    rows: tuple[str, ...]
    limit_jpy: float
    table_3_3_limit_jpy: float
    table_3_3_rows: tuple[str, ...]
    table_3_3_entries: tuple[str, ...]
    never_countries: tuple[str, ...]
    not_when_concern_outside_group_a: bool
    from_date: dt.date
    legal_basis: str
    table_3_3: tuple[Table33Item, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """One version of the rule data, parsed and validated."""

    regime: str
    version: str
    sha256: str
    title: str
    covers_from: dt.date
    parameters: dict[str, Parameter]
    derived: dict[str, Derived]
    entries: tuple[ControlEntry, ...]
    memberships: tuple[Membership, ...]
    measures: tuple[Measure, ...]
    catch_all: CatchAll
    small_value: SmallValue
    sources: tuple[dict[str, str], ...] = ()
    not_encoded: tuple[dict[str, str], ...] = ()
    verify_notes: tuple[str, ...] = field(default=())
    folder: str = ""

    def on(self, day: dt.date) -> RuleSet:
        """Return the rule set with only the control entries in force on ``day``."""
        from dataclasses import replace

        return replace(self, entries=tuple(e for e in self.entries if e.in_force(day)))
