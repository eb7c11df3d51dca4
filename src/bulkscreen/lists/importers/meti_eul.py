"""Japan METI End User List (外国ユーザーリスト) as normalised to JSON by a public registry.

Each record: id ("jp-eul-<No.>"), entity_name, aliases, addresses (one value: the country or
region, sometimes run together with the next column by the registry's PDF extraction), reason
(concern types in Japanese followed by the B/C/M/N and CW marks). The list has no street
addresses and no per-entity dates.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import Catalog, ListVersion
from bulkscreen.lists.countries import leading_country
from bulkscreen.lists.importers._text import read_text
from bulkscreen.lists.records import Entry, detect_script

_MARKS = re.compile(r"(?<![A-Za-z])(CW|[BCMN])(?![A-Za-z])")


def concern_marks(reason: str) -> list[str]:
    """Return the concern-type marks of a reason text: B, C, M, N (WMD) and CW, in order."""
    return list(dict.fromkeys(_MARKS.findall(unicodedata.normalize("NFKC", reason or ""))))


def read(version: ListVersion, catalog: Catalog) -> Iterable[Entry]:
    """Import the End User List JSON."""
    path = version.file(version.importer["file"])
    try:
        records = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise ListDataError(f"not valid JSON: {exc.msg}", Location(file=str(path),
                                                                   line=exc.lineno),
                            hint="the file is truncated or damaged; fetch it again") from exc
    if not isinstance(records, list):
        raise ListDataError("the top level is not a list of records", Location(file=str(path)),
                            hint="this importer reads the registry's end_user_list.json")
    entries = []
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict):
            raise ListDataError(f"record {number} is not an object",
                                Location(file=str(path), row=number),
                                hint="this importer reads the registry's end_user_list.json")
        place = (record.get("addresses") or [""])[0]
        country, leftover = leading_country(place)
        # The registry's extraction sometimes ran the name into the country column.
        name = record.get("entity_name") or leftover or None
        if not name:
            raise ListDataError(f"record {number} has no entity_name",
                                Location(file=str(path), row=number, column="entity_name"),
                                hint="every End User List record needs a name")
        entry = Entry(entry_id=str(record.get("id") or number).removeprefix("jp-eul-"),
                      primary_name=name, entity_type="organisation",
                      programs=concern_marks(record.get("reason") or ""),
                      remarks=record.get("reason"))
        for alias in record.get("aliases") or []:
            script = detect_script(alias)
            entry.add_alias(alias, "aka" if script in ("Latn", "Zyyy") else "original_script",
                            script)
        entry.add_country(country)
        entries.append(entry)
    return entries
