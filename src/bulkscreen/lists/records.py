"""Entry records as importers build them, and their conversion to a LIST_ENTRIES table.

An importer yields one :class:`Entry` per listed party; :func:`entries_to_table` turns them into
the canonical Arrow snapshot with exactly the ``columns.LIST_ENTRIES`` schema.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

from bulkscreen.columns import LIST_ENTRIES

_SCRIPT_PREFIXES = (
    ("CJK UNIFIED", "Hani"), ("HIRAGANA", "Jpan"), ("KATAKANA", "Jpan"), ("CYRILLIC", "Cyrl"),
    ("ARABIC", "Arab"), ("HANGUL", "Hang"), ("GREEK", "Grek"), ("HEBREW", "Hebr"),
    ("DEVANAGARI", "Deva"), ("THAI", "Thai"), ("GEORGIAN", "Geor"), ("ARMENIAN", "Armn"),
    ("LATIN", "Latn"), ("FULLWIDTH LATIN", "Latn"),
)


def detect_script(text: str) -> str:
    """Return the ISO 15924 code of the main script of ``text`` (``Zyyy`` if none).

    Any kana makes the text Japanese (``Jpan``); Han without kana is ``Hani``.
    """
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        for prefix, script in _SCRIPT_PREFIXES:
            if name.startswith(prefix):
                counts[script] = counts.get(script, 0) + 1
                break
    if not counts:
        return "Zyyy"
    if "Jpan" in counts:
        return "Jpan"
    return max(counts.items(), key=lambda item: item[1])[0]


@dataclass
class Entry:
    """One listed party while an importer builds it; fields follow ``LIST_ENTRIES``."""

    entry_id: str
    primary_name: str
    entity_type: str = "unknown"
    aliases: list[tuple[str, str, str | None]] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    listed_from: dt.date | None = None
    listed_to: dt.date | None = None
    remarks: str | None = None

    def add_alias(self, name: str | None, kind: str = "aka", script: str | None = None) -> None:
        """Add an alias unless it is empty or repeats the primary name or another alias.

        ``script`` is detected from the text when not given.
        """
        name = clean_text(name)
        if not name or name == clean_text(self.primary_name):
            return
        if all(existing != name for existing, _, _ in self.aliases):
            self.aliases.append((name, kind, script))

    def add_country(self, code: str | None) -> None:
        """Add an ISO alpha-2 code once."""
        if code and code not in self.countries:
            self.countries.append(code)


def clean_text(value: str | None) -> str:
    """Collapse whitespace and strip; ``None`` becomes the empty string."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        value = clean_text(value)
        if value:
            seen.setdefault(value, None)
    return list(seen)


def entries_to_table(list_id: str, list_version: str, entries: Iterable[Entry]) -> pa.Table:
    """Build the canonical snapshot table (``columns.LIST_ENTRIES`` schema exactly).

    Parameters
    ----------
    list_id, list_version
        Written into every row.
    entries
        The entries, in source order.

    Returns
    -------
    pyarrow.Table
        One row per entry.
    """
    rows = []
    for entry in entries:
        primary = clean_text(entry.primary_name)
        aliases = []
        seen = {primary}
        for name, kind, script in entry.aliases:
            name = clean_text(name)
            if name and name not in seen:
                seen.add(name)
                aliases.append({"name": name, "kind": kind,
                                "script": script or detect_script(name)})
        rows.append({
            "list_id": list_id,
            "list_version": list_version,
            "entry_id": entry.entry_id,
            "entity_type": entry.entity_type,
            "primary_name": primary,
            "aliases": aliases,
            "countries": _unique(entry.countries),
            "addresses": _unique(entry.addresses),
            "birth_dates": _unique(entry.birth_dates),
            "identifiers": [{"kind": k, "value": v} for k, v in dict.fromkeys(
                (clean_text(k), clean_text(v)) for k, v in entry.identifiers) if v],
            "programs": _unique(entry.programs),
            "listed_from": entry.listed_from,
            "listed_to": entry.listed_to,
            "remarks": clean_text(entry.remarks) or None,
        })
    return pa.Table.from_pylist(rows, schema=LIST_ENTRIES.arrow_schema())
