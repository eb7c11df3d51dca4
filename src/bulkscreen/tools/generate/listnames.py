"""Names of real list entries that the generators plant in their output, with their source."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

import pyarrow as pa

_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


class ListName(NamedTuple):
    """One name (primary name or alias) of a real list entry.

    ``countries`` holds the entry's ISO 3166-1 alpha-2 codes; the generators use the first
    valid one as the planted party's country.
    """

    list_id: str
    list_version: str
    entry_id: str
    name: str
    alias_kind: str
    entity_type: str
    countries: tuple[str, ...] = ()

    @property
    def country(self) -> str | None:
        """The entry's first ISO country code, or None."""
        for code in self.countries:
            if code and _COUNTRY_CODE.match(code):
                return code
        return None


def list_names_from_table(names: pa.Table) -> list[ListName]:
    """Turn a flattened-names table into ``ListName`` tuples.

    Parameters
    ----------
    names
        A table with at least the columns list_id, list_version, entry_id, name,
        alias_kind, entity_type and countries (as ``bulkscreen.lists.flatten_names`` returns).

    Returns
    -------
    list of ListName
        One per row with a non-empty name, in table order.
    """
    columns = ("list_id", "list_version", "entry_id", "name", "alias_kind", "entity_type")
    missing = [c for c in (*columns, "countries") if c not in names.column_names]
    if missing:
        raise ValueError(f"flattened names table lacks columns {missing}")
    data = {c: names.column(c).to_pylist() for c in (*columns, "countries")}
    result: list[ListName] = []
    for i, name in enumerate(data["name"]):
        if not name or not name.strip():
            continue
        result.append(
            ListName(
                list_id=data["list_id"][i],
                list_version=str(data["list_version"][i]),
                entry_id=str(data["entry_id"][i]),
                name=name,
                alias_kind=data["alias_kind"][i] or "primary",
                entity_type=data["entity_type"][i] or "unknown",
                countries=tuple(data["countries"][i] or ()),
            )
        )
    return result


def load_list_names(
    list_ids: Sequence[str] | None = None, as_of: date | None = None
) -> list[ListName]:
    """Load the names of the bundled real lists (primary names and aliases).

    Parameters
    ----------
    list_ids
        Lists to load; all bundled lists when None.
    as_of
        Date whose list versions to use; the latest when None.

    Returns
    -------
    list of ListName
    """
    from bulkscreen.lists import flatten_names, load_snapshots

    names: list[ListName] = []
    for snapshot in load_snapshots(list_ids=list_ids, as_of=as_of):
        names.extend(list_names_from_table(flatten_names(snapshot)))
    return names
