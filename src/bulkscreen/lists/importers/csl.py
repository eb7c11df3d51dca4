"""US Consolidated Screening List CSV export (trade.gov), 2019 and current layouts.

One row per source-list entry: source ("Entity List (EL) - Bureau of Industry and Security"),
entity_number, type, programs, name, addresses ("; "-separated), start_date, end_date,
alt_names ("; "), citizenships, nationalities, dates_of_birth, ids ("kind, value[, country]; ").
The current layout adds a leading ``_id``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import Catalog, ListVersion
from bulkscreen.lists.countries import country_code
from bulkscreen.lists.importers._text import csv_rows
from bulkscreen.lists.records import Entry, clean_text

_TYPES = {"individual": "person", "entity": "organisation", "vessel": "vessel",
          "aircraft": "aircraft"}
_NEEDED = ("source", "name", "alt_names", "addresses")


def _split(text: str) -> list[str]:
    parts = re.split(r";\s*(?:and\s+)?", text or "")
    return [clean_text(p) for p in parts if clean_text(p)]


def _date(text: str, path: object, line: int, column: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ListDataError(f"{text!r} is not a date", Location(file=str(path), line=line,
                                                                 column=column),
                            hint="the CSL writes dates as YYYY-MM-DD") from exc


def read(version: ListVersion, catalog: Catalog) -> Iterable[Entry]:
    """Import a CSL CSV export."""
    path = version.file(version.importer["file"])
    rows = csv_rows(path)
    _, header = next(rows)
    index = {name.strip(): i for i, name in enumerate(header)}
    missing = [c for c in _NEEDED if c not in index]
    if missing:
        raise ListDataError(f"missing columns {missing}", Location(file=str(path), line=1),
                            hint="this importer reads the trade.gov CSL CSV layout")
    entries = []
    for row_number, (line, row) in enumerate(rows, 1):
        if len(row) != len(header):
            raise ListDataError(f"{len(row)} fields where the header has {len(header)}",
                                Location(file=str(path), line=line),
                                hint="the row is cut or has an unquoted comma")

        def value(column: str, row: list[str] = row) -> str:
            return clean_text(row[index[column]]) if column in index else ""

        source = value("source")
        short = re.search(r"\(([A-Z]+)\)", source)
        source_code = short.group(1) if short else source
        ident = value("_id") or value("entity_number") or str(row_number)
        entry = Entry(entry_id=f"{source_code}-{ident}", primary_name=value("name"),
                      entity_type=_TYPES.get(value("type").lower(), "unknown"),
                      programs=[source_code, *_split(value("programs"))],
                      listed_from=_date(value("start_date"), path, line, "start_date"),
                      listed_to=_date(value("end_date"), path, line, "end_date"),
                      remarks=value("remarks") or None)
        if not entry.primary_name:
            raise ListDataError("empty name", Location(file=str(path), line=line,
                                                       column="name"),
                                hint="every CSL row needs a name")
        for alias in _split(value("alt_names")):
            entry.add_alias(alias, "aka")
        for address in _split(value("addresses")):
            entry.addresses.append(address)
            entry.add_country(country_code(address.rsplit(",", 1)[-1]))
        for column in ("nationalities", "citizenships"):
            for part in re.split(r"[;,]\s*", value(column)):
                entry.add_country(country_code(part))
        entry.birth_dates.extend(_split(value("dates_of_birth")))
        for ident_text in _split(value("ids")):
            kind, _, rest = ident_text.partition(", ")
            if rest:
                entry.identifiers.append((kind, rest.split(", ")[0]))
        entries.append(entry)
    return entries
