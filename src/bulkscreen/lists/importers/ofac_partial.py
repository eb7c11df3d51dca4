"""An OFAC SDN vintage of which only alt.csv, add.csv and sdn_comments.csv survive.

The entry set is every ent_num in add.csv (OFAC writes at least one address row per entry,
"-0-" when none is known). Names, types, programmes and remarks are joined from an earlier
full version (``names_from``); entries unknown there take the name and type from the SDN
history table (``history``); entries listed after both take their first alias as primary
name, with entity type unknown; entries with no name anywhere are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

from bulkscreen.lists.catalog import Catalog, ListVersion
from bulkscreen.lists.importers import ofac
from bulkscreen.lists.importers._text import csv_rows
from bulkscreen.lists.importers.sdn_history import read_history
from bulkscreen.lists.records import Entry


def _fresh_copy(entry: Entry) -> Entry:
    # Keep what the earlier sdn.csv says about the party; aliases and addresses come anew.
    fresh = Entry(entry_id=entry.entry_id, primary_name=entry.primary_name,
                  entity_type=entry.entity_type, programs=list(entry.programs),
                  remarks=entry.remarks, identifiers=list(entry.identifiers))
    ofac.apply_remarks(fresh)
    return fresh


def read(version: ListVersion, catalog: Catalog) -> Iterable[Entry]:
    """Import the partial vintage by joining its alt/add files to earlier names."""
    options = version.importer
    base_version = catalog.resolve(options["names_from"])
    base = ofac.read_prim(base_version, base_version.importer["prim"])
    history = read_history(catalog.resolve(options["history"])) if options.get("history") \
        else {}

    ent_nums: list[str] = []
    seen: set[str] = set()
    add_path = version.file(options["add"])
    for _, row in csv_rows(add_path, min_fields=5):
        ent_num = row[0].strip()
        if ent_num not in seen:
            seen.add(ent_num)
            ent_nums.append(ent_num)

    first_alias: dict[str, str] = {}
    for _, row in csv_rows(version.file(options["alt"]), min_fields=4):
        name = row[3].strip()
        if name and name != "-0-":
            first_alias.setdefault(row[0].strip(), name)

    entries: dict[str, Entry] = {}
    for ent_num in ent_nums:
        if ent_num in base:
            entries[ent_num] = _fresh_copy(base[ent_num])
        elif ent_num in history:
            record = history[ent_num]
            entries[ent_num] = Entry(entry_id=ent_num, primary_name=record.name,
                                     entity_type=record.entity_type,
                                     programs=list(record.programs),
                                     listed_from=record.listed_from)
        elif ent_num in first_alias:
            entries[ent_num] = Entry(entry_id=ent_num, primary_name=first_alias[ent_num],
                                     remarks="primary name not available in this partial "
                                     "vintage; first alias stands in")
    for ent_num, entry in entries.items():
        if entry.listed_from is None and ent_num in history:
            entry.listed_from = history[ent_num].listed_from
    ofac.add_aliases(version, options["alt"], entries)
    ofac.add_addresses(version, options["add"], entries)
    if options.get("comments"):
        for _, row in csv_rows(version.file(options["comments"]), min_fields=2):
            if row[0].strip() in entries:
                ofac.apply_remarks(entries[row[0].strip()], row[1])
    return entries.values()
