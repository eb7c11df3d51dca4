"""Legal-form and honorific tables: loaded from the bundled data, compiled for stripping.

Each table lists surfaces with a canonical form and a position (``edge``, ``prefix``,
``suffix``, ``anywhere``). A surface is compiled two ways:

* as a token sequence, through the same folding as names, for stripping whole words;
* as folded characters, when it is written in a script without spaces (Han, kana,
  Hangul), for stripping inside words: 株式会社アドミラルティ造船所.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bulkscreen._data import datasets_dir
from bulkscreen.errors import Location, RuleDataError
from bulkscreen.normalize.tokens import fold_characters, split_tokens

LEGAL_FORMS_FILE = ("reference", "legal_forms", "v1", "legal_forms.csv")
HONORIFICS_FILE = ("reference", "honorifics", "v1", "honorifics.csv")
POSITIONS = ("edge", "prefix", "suffix", "anywhere")

_UNSPACED_SCRIPT = re.compile(
    "[\u3005\u3006\u3041-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF"
    "\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]"
)



def _trim_silent_edges(text: str) -> str:
    """Drop characters that yield no token (spaces, most punctuation) from both ends.

    Such characters do not hide a form at the end of a name (山田太郎様: is 山田太郎 with
    様), while '&' (read "and") or '©' (read "c") do.
    """
    start, end = 0, len(text)
    while start < end and not split_tokens(text[start]):
        start += 1
    while end > start and not split_tokens(text[end - 1]):
        end -= 1
    return text[start:end]


@dataclass(frozen=True)
class Form:
    """One strippable surface: its canonical form and where it may stand."""

    canonical: str
    position: str


@dataclass
class StripTable:
    """A table compiled for stripping, with forms grouped by where they may stand."""

    name: str
    # Token-sequence forms keyed by their tokens, longest first when tried.
    leading: dict[tuple[str, ...], Form] = field(default_factory=dict)
    trailing: dict[tuple[str, ...], Form] = field(default_factory=dict)
    inner: dict[tuple[str, ...], Form] = field(default_factory=dict)
    # Unspaced-script forms as folded strings, longest first.
    unspaced: list[tuple[str, Form]] = field(default_factory=list)
    max_tokens: int = 0
    # Quick rejection: most names start and end with a word no form starts or ends with.
    leading_first: set[str] = field(default_factory=set)
    trailing_last: set[str] = field(default_factory=set)
    inner_first: set[str] = field(default_factory=set)

    def add(self, surface: str, form: Form) -> None:
        """Compile one surface into the table (the first row for a surface wins)."""
        folded = fold_characters(surface)
        if _UNSPACED_SCRIPT.search(folded):
            if all(existing != folded for existing, _ in self.unspaced):
                self.unspaced.append((folded, form))
            # "(株)" as a token would be the bare 株, which is not a legal form.
            if not all(ch.isalnum() for ch in folded):
                return
        key = tuple(split_tokens(folded))
        if not key:
            return
        self.max_tokens = max(self.max_tokens, len(key))
        if form.position in ("edge", "prefix", "anywhere"):
            self.leading.setdefault(key, form)
            self.leading_first.add(key[0])
        if form.position in ("edge", "suffix", "anywhere"):
            self.trailing.setdefault(key, form)
            self.trailing_last.add(key[-1])
        if form.position == "anywhere":
            self.inner.setdefault(key, form)
            self.inner_first.add(key[0])

    def finish(self) -> None:
        """Order unspaced forms longest first, so 股份有限公司 wins over 有限公司."""
        self.unspaced.sort(key=lambda item: (-len(item[0]), item[0]))

    def strip_unspaced(self, text: str, found: list[str]) -> str:
        """Remove unspaced-script forms from folded text; append their canonical forms.

        A form is kept when removing it would leave no token: a name that is only a legal
        form or title keeps it (株式会社 stays 株式会社).

        Parameters
        ----------
        text
            Folded text (output of ``fold_characters``).
        found
            Receives the canonical form of each form removed, in order of removal.

        Returns
        -------
        str
            The text with each form replaced by a space (so no new form can appear by
            joining its neighbours).
        """
        for surface, form in self.unspaced:
            if surface not in text:
                continue
            while True:
                remainder = _remove_unspaced(text, surface, form.position)
                if remainder is None or not split_tokens(remainder):
                    break
                found.append(form.canonical)
                text = remainder
        return text

    def may_strip(self, tokens: list[str]) -> bool:
        """Say cheaply whether :meth:`strip_tokens` could remove anything."""
        return bool(tokens) and (
            tokens[-1] in self.trailing_last
            or tokens[0] in self.leading_first
            or (bool(self.inner_first) and not self.inner_first.isdisjoint(tokens))
        )

    def strip_tokens(self, tokens: list[str], found: list[str]) -> list[str]:
        """Remove token-sequence forms from the ends (and, for ``anywhere``, the middle).

        The longest form at each end is removed, repeatedly, unless it is all that is left.

        Parameters
        ----------
        tokens
            Normalised tokens.
        found
            Receives the canonical form of each form removed.

        Returns
        -------
        list of str
            The remaining tokens; never empty when ``tokens`` is not.
        """
        whole = tuple(tokens)
        if whole in self.trailing or whole in self.leading or whole in self.inner:
            return tokens  # the name is one legal form ("Ltd Co"): keep it whole
        if self.inner_first and not self.inner_first.isdisjoint(tokens):
            tokens = self._strip_inner(tokens, found)
        changed = True
        while changed:
            changed = False
            if tokens[-1] in self.trailing_last:
                width, form = _longest(self.trailing, tokens, self.max_tokens, from_end=True)
                if form is not None and width < len(tokens):
                    found.append(form.canonical)
                    tokens, changed = tokens[:-width], True
            if tokens[0] in self.leading_first:
                width, form = _longest(self.leading, tokens, self.max_tokens, from_end=False)
                if form is not None and width < len(tokens):
                    found.append(form.canonical)
                    tokens, changed = tokens[width:], True
        return tokens

    def _strip_inner(self, tokens: list[str], found: list[str]) -> list[str]:
        kept: list[str] = []
        index = 0
        while index < len(tokens):
            width, form = _longest(self.inner, tokens[index:], self.max_tokens, from_end=False)
            if form is not None and (kept or index + width < len(tokens)):
                found.append(form.canonical)
                index += width
            else:
                kept.append(tokens[index])
                index += 1
        return kept


def _longest(
    forms: dict[tuple[str, ...], Form], tokens: list[str], max_width: int, *, from_end: bool
) -> tuple[int, Form | None]:
    """Return the widest form at the start (or end) of ``tokens`` and its width."""
    for width in range(min(max_width, len(tokens)), 0, -1):
        key = tuple(tokens[-width:]) if from_end else tuple(tokens[:width])
        form = forms.get(key)
        if form is not None:
            return width, form
    return 0, None


def _remove_unspaced(text: str, surface: str, position: str) -> str | None:
    """Return ``text`` with one occurrence of ``surface`` at an allowed place removed."""
    if position == "anywhere":
        index = text.find(surface)
        if index < 0:
            return None
        return f"{text[:index]} {text[index + len(surface):]}"
    trimmed = _trim_silent_edges(text)
    if position in ("edge", "suffix") and trimmed.endswith(surface):
        return trimmed[: -len(surface)]
    if position in ("edge", "prefix") and trimmed.startswith(surface):
        return trimmed[len(surface):]
    return None


@dataclass(frozen=True)
class NameTables:
    """The compiled tables one normalisation version uses."""

    legal_forms: StripTable
    honorifics_any: StripTable
    honorifics_person: StripTable


def _read_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise RuleDataError(
            f"cannot read the name table {path.name}: {exc}",
            Location(file=str(path)),
            hint="reinstall bulkscreen; the table ships inside the package",
        ) from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise RuleDataError(
                f"name table {path.name} lacks column(s) {', '.join(missing)}",
                Location(file=str(path), line=1),
                hint=f"the header must name: {', '.join(required)}",
            )
        rows = list(reader)
    for line, row in enumerate(rows, start=2):
        if not (row["surface"] or "").strip() or not (row["canonical"] or "").strip():
            raise RuleDataError(
                f"empty surface or canonical form in {path.name}",
                Location(file=str(path), line=line, column="surface"),
                hint="every row needs a surface and a canonical form",
            )
        if row["position"] not in POSITIONS:
            raise RuleDataError(
                f"unknown position {row['position']!r} in {path.name}",
                Location(file=str(path), line=line, column="position"),
                hint=f"use one of: {', '.join(POSITIONS)}",
            )
    return rows


def build_table(name: str, rows: list[dict[str, str]]) -> StripTable:
    """Compile table rows (dicts with surface, canonical, position) into a StripTable."""
    table = StripTable(name)
    for row in rows:
        table.add(row["surface"], Form(row["canonical"], row["position"]))
    table.finish()
    return table


@lru_cache(maxsize=1)
def load_tables() -> NameTables:
    """Load and compile the bundled legal-form and honorific tables (once per process).

    Returns
    -------
    NameTables
        Legal forms; honorifics stripped for any entity type; honorifics stripped for
        persons (a superset of the former).

    Raises
    ------
    RuleDataError
        When a table is missing or malformed; the error names file, line and column.
    """
    root = datasets_dir()
    legal = _read_rows(root.joinpath(*LEGAL_FORMS_FILE), ("surface", "canonical", "position"))
    honorifics = _read_rows(
        root.joinpath(*HONORIFICS_FILE), ("surface", "canonical", "position", "applies_to")
    )
    return NameTables(
        legal_forms=build_table("legal_forms", legal),
        honorifics_any=build_table(
            "honorifics", [row for row in honorifics if row["applies_to"] == "any"]
        ),
        honorifics_person=build_table("honorifics", honorifics),
    )
