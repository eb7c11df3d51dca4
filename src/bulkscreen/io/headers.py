"""Match the file's header to the table's columns: exact, then loose, then the user's map."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bulkscreen.columns import Table
from bulkscreen.errors import InputSchemaError, Location


def loose_name(name: str) -> str:
    """Lower-case ``name`` and turn runs of non-alphanumerics into ``_`` (``'Consignee Name'``
    -> ``'consignee_name'``)."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def nearest_header(name: str, header: list[str]) -> str | None:
    """Return the header name most like ``name``, or None if none is close."""
    if not header:
        return None
    found = process.extractOne(loose_name(name), {h: loose_name(h) for h in header},
                               scorer=fuzz.ratio, score_cutoff=50)
    return found[2] if found else None


@dataclass(frozen=True)
class HeaderMatch:
    """Which file column feeds each table column, and which file columns are ignored."""

    sources: dict[str, str | None]
    ignored: list[str]


def match_header(header: list[str], table: Table, column_map: dict[str, str] | None,
                 file: str) -> HeaderMatch:
    """Resolve each table column to a column of the file.

    Parameters
    ----------
    header
        The file's column names.
    table
        The expected format.
    column_map
        Table column -> file column, overriding the automatic match.
    file
        File name for errors.

    Returns
    -------
    HeaderMatch

    Raises
    ------
    InputSchemaError
        If a required column is missing, or the map names an unknown column.
    """
    column_map = dict(column_map or {})
    unknown = sorted(set(column_map) - set(table.names))
    if unknown:
        raise InputSchemaError(
            f"the column map names {unknown}, which {table.name} files do not have",
            Location(file=file),
            f"map only these columns: {', '.join(table.names)}")
    loose = {}
    for name in header:
        loose.setdefault(loose_name(name), name)
    sources: dict[str, str | None] = {}
    for col in table.columns:
        if col.name in column_map:
            wanted = column_map[col.name]
            if wanted not in header:
                near = nearest_header(wanted, header)
                raise InputSchemaError(
                    f"the column map sends {col.name!r} to {wanted!r}, which is not in the "
                    "header" + (f"; did you mean {near!r}?" if near else ""),
                    Location(file=file, column=wanted, line=1),
                    f"use --map {col.name}=<a column of the file>")
            sources[col.name] = wanted
        elif col.name in header:
            sources[col.name] = col.name
        else:
            sources[col.name] = loose.get(loose_name(col.name))
    missing = [c for c in table.header_required if sources[c] is None]
    if missing:
        first = missing[0]
        near = nearest_header(first, [h for h in header if h not in sources.values()])
        guess = f"; did you mean {near!r}?" if near else ""
        fix = f"--map {first}={near or '<column in your file>'}"
        if len(header) == 1 and not header[0].strip():
            raise InputSchemaError(
                "the first line holds no column names, only spaces",
                Location(file=file, line=1),
                "put the header line with the column names first, or delete the blank line")
        if len(header) == 1 and len(missing) > 1:
            # One column holding several names: the fields are split by another character.
            raise InputSchemaError(
                f"the header reads as one column, {_shorten(header[0])!r}, so the required "
                f"columns {', '.join(missing)} are missing",
                Location(file=file, line=1),
                "separate the fields with commas, tabs or semicolons (save it from Excel as "
                "'CSV UTF-8'), or give the table as .xlsx or .parquet")
        raise InputSchemaError(
            f"required column {first!r} is missing{guess}"
            + (f" (also missing: {', '.join(missing[1:])})" if len(missing) > 1 else ""),
            Location(file=file, column=first, line=1),
            f"rename the column in the file, or map it with {fix} "
            f"(column_map in bulkscreen.toml)")
    used = {s for s in sources.values() if s is not None}
    return HeaderMatch(sources, [h for h in header if h not in used])


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
