"""One row per screenable name: each entry's primary name and every alias."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.arrays import list_parents

NAMES_SCHEMA = pa.schema([
    ("list_id", pa.string()), ("list_version", pa.string()), ("entry_id", pa.string()),
    ("entity_type", pa.string()), ("name", pa.string()), ("alias_kind", pa.string()),
    ("script", pa.string()), ("countries", pa.list_(pa.string())),
    ("birth_dates", pa.list_(pa.string())), ("programs", pa.list_(pa.string())),
])
_CARRIED = ("list_id", "list_version", "entry_id", "entity_type", "countries", "birth_dates",
            "programs")


def flatten_names(snapshot: pa.Table) -> pa.Table:
    """Return one row per screenable name of a snapshot.

    Parameters
    ----------
    snapshot
        A table with the ``LIST_ENTRIES`` schema.

    Returns
    -------
    pyarrow.Table
        Columns list_id, list_version, entry_id, entity_type, name, alias_kind ('primary' or
        the alias kind), script, countries, birth_dates, programs. Primary names come first
        in entry order, then aliases in entry order; empty names are dropped.
    """
    from bulkscreen.lists.records import detect_script

    primary = {column: snapshot.column(column) for column in _CARRIED}
    names = snapshot.column("primary_name")
    primary_scripts = pa.array([detect_script(n or "") for n in names.to_pylist()],
                               pa.string())
    primary_part = pa.table({
        **{c: primary[c] for c in ("list_id", "list_version", "entry_id", "entity_type")},
        "name": names,
        "alias_kind": pa.array(["primary"] * len(snapshot), pa.string()),
        "script": primary_scripts,
        **{c: primary[c] for c in ("countries", "birth_dates", "programs")},
    }, schema=NAMES_SCHEMA)

    aliases = snapshot.column("aliases").combine_chunks()
    parent, _, flat = list_parents(aliases)
    taken = snapshot.select(list(_CARRIED)).take(parent)
    alias_part = pa.table({
        **{c: taken.column(c) for c in ("list_id", "list_version", "entry_id", "entity_type")},
        "name": pc.struct_field(flat, "name"),
        "alias_kind": pc.struct_field(flat, "kind"),
        "script": pc.struct_field(flat, "script"),
        **{c: taken.column(c) for c in ("countries", "birth_dates", "programs")},
    }, schema=NAMES_SCHEMA)

    table = pa.concat_tables([primary_part, alias_part])
    trimmed = pc.utf8_trim_whitespace(table.column("name"))
    keep = pc.and_(pc.is_valid(trimmed), pc.not_equal(pc.utf8_length(trimmed), 0))
    return table.filter(pc.fill_null(keep, False))
