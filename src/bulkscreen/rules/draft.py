"""Draft REVIEW-text entries from the ordinance for the items no entry encodes yet.

One entry per 号 (numbered item of an article paragraph): its tree is a condition quoting
each item of that 号 still missing, so a line declaring the item (``declared_control_entry
= 1.7.イ``) goes to review with the law's words instead of passing silently. The entry is
declared by each item's reference, and by the 号's own only when no hand-written entry
encodes part of it. The drafts are
written to ``control_list_row<NN>.toml`` and committed as data after review; numbers are
encoded by hand in ``control_list.toml``, which the drafts then leave out.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from bulkscreen.rules.coverage import EntrySet, coverage
from bulkscreen.rules.ordinance import Item, Ordinance
from bulkscreen.rules.technology import RegimeNumbers

DRAFT_PREFIX = "control_list_row"
TECHNOLOGY_PREFIX = "technology_list_row"
_ANCESTOR_CHARS = 60
_HEADERS = {
    "goods": ("# Drafted from the goods ordinance (law/goods-ordinance.md): one entry per item\n"
              "# number, with a condition quoting each of its items that no hand-written entry\n"
              "# in control_list.toml encodes yet. No number decides these conditions: a line\n"
              "# that declares one of the items goes to review with the law's words.\n"),
    "technology": ("# Drafted from the technology articles of the goods ordinance\n"
                   "# (law/goods-ordinance.md, Articles 15-27): one entry per item number, with\n"
                   "# a condition quoting each of its items. Which technology a person receives\n"
                   "# is decided by a reviewer, never by a number: a person whose technology\n"
                   "# names one of these items is judged with the law's words. Regime numbers\n"
                   "# come from regime_numbers.toml.\n"),
}
_ID_PREFIX = {"goods": "jp-", "technology": "jp-tech-"}
_NUMBER_NOTE = ("regime number read from the Wassenaar numbering (regime_numbers.toml); "
                "confirm it against METI's item comparison table")


def draft_file_name(row: str, prefix: str = DRAFT_PREFIX) -> str:
    """Return the draft file name of a row: ``control_list_row03-2.toml`` for row 3-2."""
    number, _, suffix = row.partition("-")
    return f"{prefix}{int(number):02d}{'-' + suffix if suffix else ''}.toml"


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _number_item(item: Item) -> Item:
    """Return the 号 (or the paragraph, where it has no numbered items) an item belongs to."""
    node = item
    while node.parent is not None and node.parent.parent is not None:
        node = node.parent
    return node


def _condition(item: Item, top: Item) -> str:
    """Condition text: the clauses from the 号 down to the item, each quoted verbatim."""
    chain = []
    node = item
    while node is not None and node is not top.parent:
        chain.append(node)
        node = node.parent
    parts = []
    for node in reversed(chain):
        quote = node.quote
        if node is not item and len(quote) > _ANCESTOR_CHARS:
            parts.append(f"「{quote[:_ANCESTOR_CHARS]}」…")
        else:
            parts.append(f"「{quote}」")
    return f"ordinance {item.ref}: " + " > ".join(parts)


def draft_entries(ruleset: EntrySet, ordinance: Ordinance,
                  regime_numbers: RegimeNumbers | None = None) -> dict[str, str]:
    """Return the TOML text of one draft file per row, for the items still missing.

    Parameters
    ----------
    ruleset
        The rule version or technology list; entries of earlier drafts
        (``control_list_row*.toml``, ``technology_list_row*.toml``) are ignored, so the drafts
        cover exactly what the hand-encoded entries leave.
    ordinance
        The parsed goods ordinance of the version (its ``part`` picks the file names).
    regime_numbers
        Ordinance reference of an item number -> regime number written on its entry; an
        entry given a number to verify is marked ``verify``.

    Returns
    -------
    dict
        File name -> TOML text.
    """
    part = ordinance.part
    prefix = TECHNOLOGY_PREFIX if part == "technology" else DRAFT_PREFIX
    hand = [e for e in ruleset.entries if not e.source_file.startswith(prefix)]
    status = coverage(_with_entries(ruleset, tuple(hand)), ordinance=ordinance).status
    missing = [i for i in ordinance.countable() if not status[i.ref]]
    by_top: dict[str, list[Item]] = defaultdict(list)
    tops: dict[str, Item] = {}
    for item in missing:
        top = _number_item(item)
        tops[top.ref] = top
        by_top[top.ref].append(item)
    files: dict[str, list[str]] = defaultdict(list)
    countable = ordinance.countable()
    for ref, items in by_top.items():
        top = tops[ref]
        whole = len(items) == sum(1 for i in countable if _number_item(i) is top)
        numbers = regime_numbers or RegimeNumbers({})
        files[draft_file_name(top.row, prefix)].append(
            _entry_text(top, items, whole, _ID_PREFIX[part], numbers.numbers.get(top.ref, ""),
                        numbers.verify))
    header = _HEADERS[part]
    return {name: header + "\n".join(parts) for name, parts in sorted(files.items())}


def _entry_text(top: Item, items: list[Item], whole: bool, id_prefix: str = "jp-",
                regime_number: str = "", verify_number: bool = False) -> str:
    # Declared by each item's reference; by the item number only when no hand-written entry
    # encodes part of it, so that declaring an encoded item does not reach the draft.
    title = top.quote if len(top.quote) <= 80 else top.quote[:80] + "…"
    if len(items) == 1 and items[0] is top:
        when = f"when = {{ condition = {_toml(_condition(top, top))}, ref = {_toml(top.ref)} }}"
    else:
        lines = [f"  {{ condition = {_toml(_condition(i, top))}, ref = {_toml(i.ref)} }},"
                 for i in items]
        when = "when = { any = [\n" + "\n".join(lines) + "\n] }"
    lines = [
        "[[entry]]",
        f"id = {_toml(id_prefix + top.ref)}",
        f"row = {_toml(top.row)}",
        f"item = {_toml(top.row_item)}",
        f"reference = {_toml('goods ordinance ' + top.ref)}",
        f"ordinance = {_toml(top.ref)}",
        *([f"regime_number = {_toml(regime_number)}"] if regime_number else []),
        f"title = {_toml(title)}",
        f"quote = {_toml(top.quote)}",
        "declared = [" + ", ".join(_toml(r) for r in dict.fromkeys(
            ([top.ref] if whole else []) + [i.ref for i in items])) + "]",
        when,
        *(["verify = true", f"note = {_toml(_NUMBER_NOTE)}"]
          if regime_number and verify_number else []),
        "",
    ]
    return "\n".join(lines)


def _with_entries(ruleset: EntrySet, entries: tuple) -> EntrySet:
    from dataclasses import replace

    return replace(ruleset, entries=entries)


def write_drafts(ruleset: EntrySet, ordinance: Ordinance, folder: Path,
                 regime_numbers: RegimeNumbers | None = None) -> list[Path]:
    """Replace the draft files of a version folder; return the files written."""
    prefix = TECHNOLOGY_PREFIX if ordinance.part == "technology" else DRAFT_PREFIX
    for old in folder.glob(f"{prefix}*.toml"):
        old.unlink()
    written = []
    for name, text in draft_entries(ruleset, ordinance, regime_numbers).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
