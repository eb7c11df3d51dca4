"""The derived OFAC SDN history table: when each ent_num was first seen and when it vanished.

``sdn_history.csv`` columns: ent_num, name, sdn_type, programs, first_seen, last_seen,
present_in_last, removed_on, relisted_on, n_renames, last_rename_from. Dates are scrape commit
dates; entries present in the first scraped version were listed on or before it, so their
listed-from date is unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import Catalog, ListVersion
from bulkscreen.lists.importers._text import csv_rows
from bulkscreen.lists.records import Entry

_COLUMNS = ("ent_num", "name", "sdn_type", "programs", "first_seen", "last_seen",
            "present_in_last", "removed_on")
_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}


@dataclass(frozen=True)
class HistoryRecord:
    """One SDN entry's history."""

    name: str
    entity_type: str
    programs: list[str]
    listed_from: dt.date | None
    listed_to: dt.date | None


def _date(text: str, path: object, line: int, column: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ListDataError(f"{text!r} is not a date", Location(file=str(path), line=line,
                                                                 column=column),
                            hint="write dates as YYYY-MM-DD") from exc


def read_history(version: ListVersion) -> dict[str, HistoryRecord]:
    """Read the history table of one version into records keyed by ent_num."""
    path = version.file(version.importer["file"])
    coverage_from = dt.date.fromisoformat(str(version.importer.get("coverage_from",
                                                                   "2021-08-18")))
    rows = csv_rows(path, min_fields=len(_COLUMNS))
    _, header = next(rows)
    if tuple(header[: len(_COLUMNS)]) != _COLUMNS:
        raise ListDataError(f"header {header[:len(_COLUMNS)]} is not {list(_COLUMNS)}",
                            Location(file=str(path), line=1),
                            hint="this importer reads the sdn_history.csv layout")
    records = {}
    for line, row in rows:
        first_seen = _date(row[4], path, line, "first_seen")
        removed_on = _date(row[7], path, line, "removed_on")
        present = row[6].strip() == "1"
        records[row[0].strip()] = HistoryRecord(
            name=row[1].strip(),
            entity_type=_TYPES.get(row[2].strip().lower(), "organisation"),
            programs=[p for p in row[3].replace("] [", ";").split(";") if p.strip()],
            listed_from=first_seen if first_seen and first_seen > coverage_from else None,
            listed_to=(removed_on - dt.timedelta(days=1)
                       if removed_on and not present else None),
        )
    return records


def read(version: ListVersion, catalog: Catalog) -> Iterable[Entry]:
    """Import the history table as a list: one entry per ent_num ever seen, with dates."""
    for ent_num, record in read_history(version).items():
        yield Entry(entry_id=ent_num, primary_name=record.name, entity_type=record.entity_type,
                    programs=record.programs, listed_from=record.listed_from,
                    listed_to=record.listed_to)
