"""UK OFSI Consolidated List, 2020-era CSV layout (one row per name; rows grouped by Group ID).

Columns: Name 6 (family name), Name 1-5, Title, DOB, Town of Birth, Country of Birth,
Nationality, Passport Details, NI Number, Position, Address 1-6, Post/Zip Code, Country,
Other Information, Group Type, Alias Type ("Prime Alias" or "AKA"), Regime, Listed On,
Last Updated, Group ID. Dates are DD/MM/YYYY with 00 for unknown parts. Some re-saved copies
carry one extra leading empty header field; it is dropped when the data rows are shorter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import Catalog, ListVersion
from bulkscreen.lists.countries import countries_in, country_code
from bulkscreen.lists.importers._text import csv_rows
from bulkscreen.lists.records import Entry, clean_text

_TYPES = {"individual": "person", "entity": "organisation", "ship": "vessel"}
_NEEDED = ("Name 6", "Group Type", "Alias Type", "Group ID")


def uk_date(text: str) -> str | None:
    """Return an ISO (possibly partial) date from DD/MM/YYYY with 00 for unknown parts."""
    parts = text.strip().split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or parts[2] in ("", "0000"):
        return None
    day, month, year = parts
    if month == "00":
        return year
    if day == "00":
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


def read(version: ListVersion, catalog: Catalog) -> Iterable[Entry]:
    """Import the OFSI ConList CSV."""
    path = version.file(version.importer["file"])
    rows = list(csv_rows(path, encoding=version.importer.get("encoding", "utf-8")))
    if not rows:
        raise ListDataError("the file is empty", Location(file=str(path)),
                            hint="fetch the list again")
    header = [h.strip() for h in rows[0][1]]
    data_width = len(rows[1][1]) if len(rows) > 1 else len(header)
    if header and header[0] == "" and len(header) == data_width + 1:
        header = header[1:]
    index = {name: i for i, name in enumerate(header)}
    missing = [c for c in _NEEDED if c not in index]
    if missing:
        raise ListDataError(f"missing columns {missing}", Location(file=str(path), line=1),
                            hint="this importer reads the OFSI ConList.csv layout")
    groups: dict[str, Entry] = {}
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise ListDataError(f"{len(row)} fields where the header has {len(header)}",
                                Location(file=str(path), line=line),
                                hint="the row is cut or has an unquoted comma")

        def value(column: str, row: list[str] = row) -> str:
            return clean_text(row[index[column]]) if column in index else ""

        given = [value(f"Name {i}") for i in range(1, 6)]
        name = " ".join(p for p in [*given, value("Name 6")] if p)
        group_id = value("Group ID")
        if not name or not group_id:
            raise ListDataError("row without a name or Group ID",
                                Location(file=str(path), line=line, column="Name 6"),
                                hint="every row needs Name 6 and Group ID")
        is_primary = value("Alias Type").lower() in ("prime alias", "primary name")
        entry = groups.get(group_id)
        if entry is None:
            entry = groups[group_id] = Entry(
                entry_id=group_id, primary_name=name,
                entity_type=_TYPES.get(value("Group Type").lower(), "unknown"))
        elif is_primary and entry.primary_name != name:
            entry.add_alias(entry.primary_name, "aka")
            entry.primary_name = name
        if not is_primary:
            entry.add_alias(name, "aka")
        if value("Regime") and value("Regime") not in entry.programs:
            entry.programs.append(value("Regime"))
        birth = uk_date(value("DOB"))
        if birth:
            entry.birth_dates.append(birth)
        for code in countries_in(value("Nationality")):
            entry.add_country(code)
        address = ", ".join(p for p in [*(value(f"Address {i}") for i in range(1, 7)),
                                        value("Post/Zip Code"), value("Country")] if p)
        if address:
            entry.addresses.append(address)
        entry.add_country(country_code(value("Country")))
        if value("Passport Details"):
            entry.identifiers.append(("Passport Details", value("Passport Details")))
        listed = uk_date(value("Listed On"))
        if listed and len(listed) == 10 and entry.listed_from is None:
            entry.listed_from = dt.date.fromisoformat(listed)
        entry.remarks = entry.remarks or value("Other Information") or None
    return groups.values()
