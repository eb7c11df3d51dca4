"""Sections of the bundled law texts that rule data quotes: appended tables of the order."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=64)
def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def appended_table(path: Path, table: str) -> str | None:
    """Return the text of one appended table (``別表第三の二``) of a bundled Markdown law text.

    The table runs from its heading (``## 別表第三の二　（第四条関係）``) to the next heading.
    ``別表第三`` does not match ``別表第三の二``: the heading must continue with a space or end.

    Parameters
    ----------
    path
        A law text of a rule version folder (``law/export-trade-control-order.md`` or a revision
        excerpt in ``law/revisions/``).
    table
        The table's name as the order writes it.

    Returns
    -------
    str or None
        The table's lines, or None when the text has no such table.
    """
    lines = _read(str(path)).splitlines()
    start = None
    for index, line in enumerate(lines):
        if start is None:
            rest = line[3:] if line.startswith("## ") else None
            if rest is not None and rest.startswith(table) and (
                    len(rest) == len(table) or rest[len(table)] in " 　"):
                start = index + 1
        elif line.startswith("## "):
            return "\n".join(lines[start:index])
    return "\n".join(lines[start:]) if start is not None else None


def table_names(section: str) -> list[str]:
    """Return the place names of a table written as one list line (``アフガニスタン、...``).

    Parameters
    ----------
    section
        A table's text from :func:`appended_table`.

    Returns
    -------
    list of str
        The names in the order the table gives them.
    """
    names: list[str] = []
    for line in section.splitlines():
        line = line.strip()
        if line.startswith("-"):
            names.extend(n.strip(" 　") for n in line[1:].split("、") if n.strip(" 　"))
    return names
