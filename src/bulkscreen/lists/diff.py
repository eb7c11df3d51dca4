"""What changed between two snapshots of a list: entries added, removed and changed.

A re-screen after a list update needs to look only at these entries.
"""

from __future__ import annotations

import pyarrow as pa

DIFF_SCHEMA = pa.schema([
    ("entry_id", pa.string()), ("change", pa.string()),
    ("fields_changed", pa.list_(pa.string())), ("detail", pa.string()),
])
# Fields compared, with the comparison form: sets for lists (order is not a change).
_COMPARED = ("primary_name", "entity_type", "aliases", "countries", "addresses", "birth_dates",
             "identifiers", "programs", "listed_from", "listed_to")


def _comparable(field: str, value: object) -> object:
    if field == "aliases":
        return frozenset((a["name"], a["kind"]) for a in value or [])
    if field == "identifiers":
        return frozenset((i["kind"], i["value"]) for i in value or [])
    if isinstance(value, list):
        return frozenset(value)
    return value


def _describe(field: str, old: object, new: object) -> str:
    if field == "primary_name":
        return f"name {old!r} -> {new!r}"
    if isinstance(old, frozenset):
        added, removed = sorted(map(str, new - old)), sorted(map(str, old - new))
        bits = []
        if added:
            bits.append("+" + ", +".join(_short(a) for a in added[:5])
                        + (f" (+{len(added) - 5} more)" if len(added) > 5 else ""))
        if removed:
            bits.append("-" + ", -".join(_short(r) for r in removed[:5])
                        + (f" (-{len(removed) - 5} more)" if len(removed) > 5 else ""))
        return f"{field} " + " ".join(bits)
    return f"{field} {old} -> {new}"


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def diff_snapshots(old: pa.Table, new: pa.Table) -> pa.Table:
    """Compare two snapshots of the same list by entry id.

    Parameters
    ----------
    old, new
        Tables with the ``LIST_ENTRIES`` schema.

    Returns
    -------
    pyarrow.Table
        One row per entry that was added, removed or changed: entry_id, change
        ('added' | 'removed' | 'changed'), fields_changed (names of changed fields, empty for
        added and removed), detail (human summary). Rows are ordered removed, added, changed,
        each by entry id.
    """
    columns = ["entry_id", *_COMPARED]
    before = {row["entry_id"]: row for row in old.select(columns).to_pylist()}
    after = {row["entry_id"]: row for row in new.select(columns).to_pylist()}
    rows = []
    for entry_id in sorted(before.keys() - after.keys()):
        rows.append((entry_id, "removed", [], f"removed: {before[entry_id]['primary_name']}"))
    for entry_id in sorted(after.keys() - before.keys()):
        rows.append((entry_id, "added", [], f"added: {after[entry_id]['primary_name']}"))
    for entry_id in sorted(before.keys() & after.keys()):
        changed, details = [], []
        for field in _COMPARED:
            a = _comparable(field, before[entry_id][field])
            b = _comparable(field, after[entry_id][field])
            if a != b:
                changed.append(field)
                details.append(_describe(field, a, b))
        if changed:
            rows.append((entry_id, "changed", changed, "; ".join(details)))
    return pa.table({
        "entry_id": [r[0] for r in rows], "change": [r[1] for r in rows],
        "fields_changed": [r[2] for r in rows], "detail": [r[3] for r in rows],
    }, schema=DIFF_SCHEMA)
