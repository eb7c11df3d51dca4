"""OFAC legacy CSV (SDN and Consolidated): prim/alt/add/comments files joined by ent_num.

Layouts (no header; ``-0-`` means empty):
prim ``ent_num, name, type, programs, title, call_sign, vess_type, tonnage, GRT, vess_flag,
vess_owner, remarks``; alt ``ent_num, alt_num, alt_type, alt_name, alt_remarks``;
add ``ent_num, add_num, address, city/state/postal, country, add_remarks``;
comments ``ent_num, remarks overflow`` (the text that did not fit into the remarks field).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import Catalog, ListVersion
from bulkscreen.lists.countries import country_code
from bulkscreen.lists.importers._text import csv_rows
from bulkscreen.lists.importers.ofac_remarks import parse_remarks
from bulkscreen.lists.records import Entry, clean_text

_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}
_ALT_KINDS = {"aka": "aka", "fka": "fka", "nka": "aka"}


def _value(field: str) -> str | None:
    field = field.strip()
    return None if field in ("", "-0-") else field


def _ent_num(field: str, path: object, line: int) -> str:
    value = field.strip()
    if not value.isdigit():
        raise ListDataError(f"ent_num {value!r} is not a number",
                            Location(file=str(path), line=line, column="ent_num"),
                            hint="the file is not in the OFAC legacy CSV layout")
    return value


def _programs(field: str | None) -> list[str]:
    # Several programmes are written "SDGT] [IRGC" inside one field.
    return [p.strip(" []") for p in re.split(r"\]\s*\[", field or "") if p.strip(" []")]


def read_prim(version: ListVersion, name: str) -> dict[str, Entry]:
    """Read the primary-record file into entries keyed by ent_num (remarks not yet parsed)."""
    path = version.file(name)
    entries: dict[str, Entry] = {}
    for line, row in csv_rows(path, min_fields=12):
        ent_num = _ent_num(row[0], path, line)
        primary = clean_text(_value(row[1]))
        if not primary:
            raise ListDataError("empty name", Location(file=str(path), line=line,
                                                       column="SDN_Name"),
                                hint="every OFAC record needs a name")
        entry = Entry(entry_id=ent_num, primary_name=primary,
                      entity_type=_TYPES.get((_value(row[2]) or "").lower(), "organisation"),
                      programs=_programs(_value(row[3])), remarks=_value(row[11]))
        for kind, column in (("Call Sign", 5), ("Vessel Type", 6), ("Vessel Owner", 10)):
            if _value(row[column]):
                entry.identifiers.append((kind, _value(row[column]) or ""))
        entry.add_country(country_code(_value(row[9])))
        entries[ent_num] = entry
    return entries


def add_comments(version: ListVersion, name: str, entries: dict[str, Entry]) -> None:
    """Append each comments row to its entry's remarks (the field overflowed into it)."""
    path = version.file(name)
    for line, row in csv_rows(path, min_fields=2):
        ent_num = _ent_num(row[0], path, line)
        if ent_num in entries and _value(row[1]):
            entry = entries[ent_num]
            entry.remarks = (entry.remarks or "") + (_value(row[1]) or "")


def apply_remarks(entry: Entry, remarks: str | None = None) -> None:
    """Move the facts the remarks state (DOB, nationality, IDs, a.k.a.) into fields."""
    facts = parse_remarks(entry.remarks if remarks is None else remarks)
    entry.birth_dates.extend(facts.birth_dates)
    for code in facts.countries:
        entry.add_country(code)
    entry.identifiers.extend(facts.identifiers)
    for alias, kind in facts.aliases:
        entry.add_alias(alias, kind)


def add_aliases(version: ListVersion, name: str, entries: dict[str, Entry]) -> int:
    """Attach alt-file names to their entries; return the number of alias rows read."""
    path = version.file(name)
    count = 0
    for line, row in csv_rows(path, min_fields=4):
        ent_num = _ent_num(row[0], path, line)
        count += 1
        if ent_num in entries:
            kind = _ALT_KINDS.get((_value(row[2]) or "aka").lower(), "aka")
            entries[ent_num].add_alias(_value(row[3]), kind)
    return count


def add_addresses(version: ListVersion, name: str, entries: dict[str, Entry]) -> set[str]:
    """Attach address-file rows to their entries; return every ent_num seen in the file."""
    path = version.file(name)
    seen = set()
    for line, row in csv_rows(path, min_fields=5):
        ent_num = _ent_num(row[0], path, line)
        seen.add(ent_num)
        if ent_num not in entries:
            continue
        entry = entries[ent_num]
        parts = [_value(part) for part in row[2:5]]
        address = ", ".join(p for p in parts if p)
        if address:
            entry.addresses.append(address)
        entry.add_country(country_code(_value(row[4])))
    return seen


def first_seen_dates(catalog: Catalog, history_key: str | None,
                     until: dt.date) -> dict[str, dt.date]:
    """Return listed-from dates per ent_num from the SDN history table (see sdn_history)."""
    if not history_key:
        return {}
    from bulkscreen.lists.importers.sdn_history import read_history

    return {ent_num: record.listed_from for ent_num, record in
            read_history(catalog.resolve(history_key)).items()
            if record.listed_from is not None and record.listed_from <= until}


def read(version: ListVersion, catalog: Catalog) -> Iterable[Entry]:
    """Import one OFAC legacy CSV version (``[importer]`` names prim, alt, add, comments)."""
    options = version.importer
    entries = read_prim(version, options["prim"])
    if options.get("comments"):
        add_comments(version, options["comments"], entries)
    for entry in entries.values():
        apply_remarks(entry)
    if options.get("alt"):
        add_aliases(version, options["alt"], entries)
    if options.get("add"):
        add_addresses(version, options["add"], entries)
    listed_from = first_seen_dates(catalog, options.get("history"), version.effective_date)
    for ent_num, entry in entries.items():
        entry.listed_from = listed_from.get(ent_num)
    return entries.values()
