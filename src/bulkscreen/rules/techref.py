"""A person's technology value read against the technology list in force on the screening date.

A value names listed technology by a row/item reference (``6項(1)``, ``row 6 item 1``,
``6(1)``, ``row 6``), a regime number (``6E001``, ``6E001.a`` counts as ``6E001``) or an
ordinance reference (``22-p1.1``). :func:`classify_technology` sorts each value into one of:

- ``NONE``: empty or a "none" spelling of the deemed-export rules;
- ``LISTED``: a reference the list in force holds;
- ``UNLISTED``: row 16 (catch-all), not listed technology;
- ``UNKNOWN``: written as a reference, but the list in force holds no such entry (the nearest
  real references are given);
- ``FREE_TEXT``: words with no reference (a research area): which technology is unconfirmed.

The rules run once per distinct value, so a batch of many persons with few values is cheap.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.rules.model import ControlEntry
from bulkscreen.rules.technology import TechnologyList, load_technology

NONE, LISTED, UNLISTED, UNKNOWN, FREE_TEXT = range(5)
NEAREST = 3

_NUM = r"\d{1,2}(?:[-の]\d{1,2})?"
_ROW_ITEM_RES = (
    re.compile(rf"^(?P<row>{_NUM})項\s*(?:\(\s*(?P<item>{_NUM})\s*\))?$"),
    re.compile(rf"^row\s*(?P<row>{_NUM})\s*(?:(?:item|\()\s*(?P<item>{_NUM})\s*\)?)?$"),
    re.compile(rf"^(?P<row>{_NUM})\s*(?:\(\s*(?P<item>{_NUM})\s*\))?$"),
)
_REGIME_RE = re.compile(r"^(?P<number>\d[a-e]\d{3}|ml\d{1,2})(?:\.[0-9a-z.]+)?$")
_ORDINANCE_RE = re.compile(r"^\d{2}(?:の\d)?(?:-p\d{1,2})?(?:\.\S+)?$")


def _norm_number(text: str) -> str:
    return text.replace("の", "-")


@dataclass(frozen=True)
class Verdict:
    """What one distinct value names."""

    kind: int
    canonical: str = ""
    detail: str = ""


@dataclass(frozen=True)
class TechnologyIndex:
    """The references a technology list accepts on one day, and how each reads."""

    version: str
    row_items: dict[tuple[str, str], tuple[ControlEntry, ...]]
    numbers: dict[str, tuple[ControlEntry, ...]]
    ordinance: dict[str, ControlEntry]
    unlisted_rows: tuple[str, ...]

    @classmethod
    def build(cls, tech: TechnologyList, day: dt.date,
              unlisted_rows: Iterable[str] = ("16",)) -> TechnologyIndex:
        """Index the entries of ``tech`` in force on ``day``."""
        row_items: dict[tuple[str, str], list[ControlEntry]] = {}
        numbers: dict[str, list[ControlEntry]] = {}
        ordinance: dict[str, ControlEntry] = {}
        for entry in tech.on(day):
            row_items.setdefault((entry.row, entry.item), []).append(entry)
            row_items.setdefault((entry.row, ""), []).append(entry)
            for number in re.split(r"[,\s]+", entry.regime_number.strip()):
                if number:
                    numbers.setdefault(number.upper(), []).append(entry)
            if entry.ordinance:
                ordinance[entry.ordinance] = entry
        return cls(tech.rule_version, {k: tuple(v) for k, v in row_items.items()},
                   {k: tuple(v) for k, v in numbers.items()}, ordinance, tuple(unlisted_rows))

    def judge(self, value: str, none_values: Iterable[str] = ()) -> Verdict:
        """Read one value (already trimmed)."""
        text = unicodedata.normalize("NFKC", value).strip().lower()
        if text in set(none_values) or not text:
            return Verdict(NONE)
        for pattern in _ROW_ITEM_RES:
            match = pattern.match(text)
            if match:
                return self._row_item(_norm_number(match["row"]),
                                      _norm_number(match["item"] or ""))
        match = _REGIME_RE.match(text)
        if match:
            return self._number(match["number"].upper())
        if _ORDINANCE_RE.match(text) and any(c.isdigit() for c in text):
            entry = self.ordinance.get(value.strip())
            if entry is not None:
                return Verdict(LISTED, entry.ordinance, self._describe((entry,), exact=True))
            return Verdict(UNKNOWN, value.strip(),
                           self._nearest(value.strip(), list(self.ordinance)))
        return Verdict(FREE_TEXT)

    def _row_item(self, row: str, item: str) -> Verdict:
        ref = row_item_text(row, f"({item})" if item else "")
        if row in self.unlisted_rows:
            return Verdict(UNLISTED, ref)
        entries = self.row_items.get((row, f"({item})" if item else ""))
        if entries:
            return Verdict(LISTED, ref, self._describe(entries, whole_row=not item))
        wanted = (_numbers(row), _numbers(item))

        def distance(key: tuple[str, str]) -> tuple:
            r, i = _numbers(key[0]), _numbers(key[1])
            return (r != wanted[0], _gap(r, wanted[0]), _gap(i, wanted[1]), key)

        known = sorted(self.row_items, key=distance)
        return Verdict(UNKNOWN, ref, ", ".join(row_item_text(*k) for k in known[:NEAREST]))

    def _number(self, number: str) -> Verdict:
        entries = self.numbers.get(number)
        if entries:
            return Verdict(LISTED, number, self._describe(entries, number=number))

        def distance(known: str) -> tuple:
            return (known[:2] != number[:2], known[:1] != number[:1],
                    _gap(_numbers(known), _numbers(number)), known)

        known = sorted(self.numbers, key=distance)
        return Verdict(UNKNOWN, number, ", ".join(known[:NEAREST]))

    def _describe(self, entries: tuple[ControlEntry, ...], whole_row: bool = False,
                  number: str = "", exact: bool = False) -> str:
        first = entries[0]
        where = f"Foreign Exchange Order row {first.row}" + (
            "" if whole_row or not first.item else f" {first.item}")
        # A row item cites its paragraphs; a number or an ordinance reference its items.
        cited = sorted({e.ordinance if number or exact else e.ordinance.split(".")[0]
                        for e in entries if e.ordinance})
        parts = [where]
        if cited and not whole_row:
            parts.append("goods ordinance " + ", ".join(cited))
        elif not cited:
            parts.append(first.reference)
        if number:
            parts.append(f"regime number {number}")
        return ", ".join(parts) + f" ({self.version})"

    @staticmethod
    def _nearest(ref: str, candidates: list[str]) -> str:
        close = difflib.get_close_matches(ref, list(dict.fromkeys(candidates)), n=NEAREST,
                                          cutoff=0.0)
        return ", ".join(close)


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text))


def _gap(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """How far apart two numbered references are (first numbers, then the rest)."""
    if not a or not b:
        return 1000 * (a != b)
    return abs(a[0] - b[0]) * 100 + sum(abs(x - y) for x, y in zip(a[1:], b[1:], strict=False)) \
        + abs(len(a) - len(b))


def row_item_text(row: str, item: str) -> str:
    """The Japanese form of a row/item reference: ``6項(1)``, ``14項``, ``15項(5-2)``."""
    return f"{row}項{item}"


@functools.lru_cache(maxsize=16)
def technology_index(as_of: dt.date, unlisted_rows: tuple[str, ...] = ("16",)
                     ) -> TechnologyIndex:
    """The index of the bundled technology list in force on ``as_of`` (cached per day)."""
    return TechnologyIndex.build(load_technology(as_of=as_of), as_of, unlisted_rows)


@dataclass(frozen=True)
class TechnologyValues:
    """Per person: the kind of value, its canonical reference and what it names or nearest."""

    kind: np.ndarray
    canonical: pa.Array
    detail: pa.Array


def classify_technology(values: pa.Array, index: TechnologyIndex,
                        none_values: Iterable[str] = ()) -> TechnologyValues:
    """Classify a column of technology values (see the module docstring).

    Parameters
    ----------
    values
        The persons' ``controlled_technology`` column.
    index
        The technology list in force on the screening date.
    none_values
        Lower-case spellings of "no listed technology".

    Returns
    -------
    TechnologyValues
        ``kind`` (int8, one of NONE, LISTED, UNLISTED, UNKNOWN, FREE_TEXT); ``canonical`` the
        reference as the list writes it; ``detail`` the entry named (LISTED) or the nearest
        real references (UNKNOWN).
    """
    text = pc.fill_null(pc.utf8_trim_whitespace(values.cast(pa.string())), "")
    encoded = pc.dictionary_encode(text)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    nones = tuple(none_values)
    verdicts = [index.judge(v, nones) for v in encoded.dictionary.to_pylist()]
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    kinds = np.array([v.kind for v in verdicts], dtype=np.int8)
    canonical = pa.array([v.canonical for v in verdicts], pa.string())
    detail = pa.array([v.detail for v in verdicts], pa.string())
    take = pa.array(codes)
    if not len(verdicts):
        return TechnologyValues(np.zeros(0, np.int8), pa.array([], pa.string()),
                                pa.array([], pa.string()))
    return TechnologyValues(kinds[codes], canonical.take(take), detail.take(take))
