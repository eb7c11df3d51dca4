"""US BIS Denied Persons List, tab-separated with a header row.

Columns: Name, Street_Address, City, State, Country, Postal_Code, Effective_Date,
Expiration_Date, Standard_Order, Last_Update, Action, FR_Citation. One row per order and
address; rows are entries (the list has no entity ids), numbered by data row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import Catalog, ListVersion
from bulkscreen.lists.countries import country_code
from bulkscreen.lists.importers._text import csv_rows
from bulkscreen.lists.records import Entry, clean_text

_COLUMNS = ("Name", "Street_Address", "City", "State", "Country", "Postal_Code",
            "Effective_Date", "Expiration_Date")


def _us_date(text: str, path: object, line: int, column: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError as exc:
        raise ListDataError(f"{text!r} is not a MM/DD/YYYY date",
                            Location(file=str(path), line=line, column=column),
                            hint="the DPL writes dates as MM/DD/YYYY") from exc


def read(version: ListVersion, catalog: Catalog) -> Iterable[Entry]:
    """Import the Denied Persons List."""
    path = version.file(version.importer["file"])
    rows = csv_rows(path, delimiter="\t", min_fields=len(_COLUMNS))
    _, header = next(rows)
    index = {name.strip(): i for i, name in enumerate(header)}
    missing = [c for c in _COLUMNS if c not in index]
    if missing:
        raise ListDataError(f"missing columns {missing}", Location(file=str(path), line=1),
                            hint="this importer reads the BIS dpl.txt layout")
    entries = []
    for row_number, (line, row) in enumerate(rows, 1):
        def value(column: str, row: list[str] = row) -> str:
            return clean_text(row[index[column]])

        name = value("Name")
        if not name:
            raise ListDataError("empty name", Location(file=str(path), line=line,
                                                       column="Name"),
                                hint="every DPL row needs a name")
        entry = Entry(entry_id=str(row_number), primary_name=name, entity_type="unknown",
                      programs=["DPL"],
                      listed_from=_us_date(value("Effective_Date"), path, line,
                                           "Effective_Date"),
                      listed_to=_us_date(value("Expiration_Date"), path, line,
                                         "Expiration_Date"),
                      remarks=" ".join(row[index[c]].strip() for c in ("Action", "FR_Citation")
                                       if c in index and row[index[c]].strip()) or None)
        parts = [value(c) for c in ("Street_Address", "City", "State", "Postal_Code",
                                    "Country")]
        if any(parts):
            entry.addresses.append(", ".join(p for p in parts if p))
        entry.add_country(country_code(value("Country")))
        entries.append(entry)
    return entries
