"""Japan's specified-entity lists (Russia, Belarus, third countries): text extracted from PDF.

Layout per entry: number and Japanese name (with （別称、A、B及びC） aliases, possibly wrapped),
the English name (possibly wrapped) with ", a.k.a., the following N aliases:" and one alias per
"-" line, then "所在地：" and the address(es). Two later forms exist: a "別称：" line of
Japanese aliases followed by a line of English aliases separated by ";".

Text extraction sometimes joins lines ("...Moscow 127055RU.10 対外諜報庁": entry 10 starts
mid-line; "—Pskov Plant ADS JSC.所在地：4 Yuri ..."), so entries are found by their expected
number followed by Japanese text, searched after the previous entry's 所在地, and 所在地 is
found anywhere in a line. Per-entity designation dates are not in the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import Catalog, ListVersion
from bulkscreen.lists.countries import country_code
from bulkscreen.lists.importers._text import read_text
from bulkscreen.lists.records import Entry, clean_text

_ADDRESS_MARK = re.compile(r"所\s*在\s*地\s*[：:]\s*")
_AKA = re.compile(
    r",?\s*(?:a\.k\.a\.?,?\s*(?:the\s*)?(?:follow(?:ing)?\s+\S+\s+alias(?:es)?\s*:?)?"
    r"|(?:the\s*)?follow(?:ing)?\s+\S+\s+alias(?:es)?\s*:)", re.IGNORECASE)
_DASHES = "-—–"
# What is left of "a.k.a., the following two aliases:" when the line wrapped inside it.
_ALIAS_INTRO = re.compile(r"^(?:a\.k\.a\.?,?\s*)?(?:the\s*)?(?:follow(?:ing)?\s+\S+\s*)?"
                          r"alias(?:es)?\s*:?$|^(?:the\s*)?follow(?:ing)?(?:\s+\S+)?$",
                          re.IGNORECASE)
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


@dataclass(frozen=True)
class _Block:
    number: int
    start: int
    header: str
    address: str


def _is_japanese(line: str) -> bool:
    return len(_JAPANESE.findall(line)) > sum(c.isascii() and c.isalpha() for c in line)


# Where an entry number can stand. At a line start: the number, a space, then the name
# (Japanese or Latin, e.g. "MPI VOLNA"). Mid-line, where the extraction joined it to the end of
# the previous address: right after a letter or full stop and followed by Japanese ("...RU.10
# 対外諜報庁", "...Belarus７ 株式会社"), or after a full stop with Japanese later on the line
# ("China.22 DEXP ディー...").
_NUMBER = re.compile(
    r"(?<=\n)(\d+)[ \t\u3000]+(?=\S)"
    rf"|(?<=[A-Za-z.。）)])(\d+)[ \t\u3000]*(?={_JAPANESE.pattern})"
    rf"|(?<=[.。）)])(\d+)[ \t\u3000]+(?=[^\n]{{0,40}}?{_JAPANESE.pattern})")


def _entry_start(text: str, number: int, pos: int) -> re.Match[str] | None:
    wanted = str(number)
    for match in _NUMBER.finditer(text, pos):
        if wanted in match.groups():
            return match
    return None


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _blocks(text: str, path: object) -> list[_Block]:
    digits = text.translate(_FULLWIDTH_DIGITS)
    header_end = digits.find("\n", max(digits.find("最終更新日"), 0))
    match = _entry_start(digits, 1, max(header_end, 0))
    if match is None:
        raise ListDataError("no entry numbered 1", Location(file=str(path)),
                            hint="this importer reads METI specified-entity list text")
    blocks = []
    number = 1
    while match is not None:
        start = match.end()
        following = _entry_start(digits, number + 1, start)
        end = following.start() if following else len(digits)
        address = _ADDRESS_MARK.search(digits, start, end)
        if address is None:
            # A few entries are published without an address.
            blocks.append(_Block(number, match.start(), text[start:end], ""))
        else:
            blocks.append(_Block(number, match.start(), text[start:address.start()],
                                 text[address.end():end]))
        number, match = number + 1, following
    return blocks


def _balanced_end(text: str, open_at: int) -> int:
    depth = 0
    for index in range(open_at, len(text)):
        if text[index] in "（(":
            depth += 1
        elif text[index] in "）)":
            depth -= 1
            if depth == 0:
                return index
    return len(text) - 1


def _split_japanese(header: str) -> tuple[str, str]:
    """Split the header into the Japanese part and the rest (English name and aliases)."""
    lines = header.strip("\n").split("\n")
    japanese = lines[0]
    rest_lines = lines[1:]
    joined = "".join(lines)
    paren = japanese.find("（")
    if paren >= 0:
        close = _balanced_end(joined, paren)
        if close >= len(japanese):
            # The parenthesis runs over wrapped lines; cut the joined text after it.
            consumed, index = len(japanese), 0
            while consumed <= close and index < len(rest_lines):
                japanese += rest_lines[index]
                consumed += len(rest_lines[index])
                index += 1
            overflow = japanese[close + 1:]
            japanese = japanese[: close + 1]
            rest_lines = ([overflow] if overflow.strip() else []) + rest_lines[index:]
    while rest_lines and _is_japanese(rest_lines[0]) and not rest_lines[0].startswith("別称"):
        japanese += rest_lines.pop(0)
    head_tail = re.match(r"^(.*[）)])([A-Za-z\"“].*)$", japanese) or re.match(
        rf"^(.*{_JAPANESE.pattern})([A-Z][^\u3040-\u9fff]*a\.k\.a\..*)$", japanese)
    if head_tail and not _is_japanese(head_tail.group(2)):
        japanese, rest_lines = head_tail.group(1), [head_tail.group(2), *rest_lines]
    return japanese.strip(), "\n".join(rest_lines)


def _split_top_level(text: str, separators: str) -> list[str]:
    parts, depth, current = [], 0, ""
    index = 0
    while index < len(text):
        char = text[index]
        if char in "（(「":
            depth += 1
        elif char in "）)」":
            depth -= 1
        if depth == 0 and text.startswith("及び", index) and "及" in separators:
            parts.append(current)
            current, index = "", index + 2
            continue
        if depth == 0 and char in separators:
            parts.append(current)
            current = ""
        else:
            current += char
        index += 1
    parts.append(current)
    return [p.strip(" 、;；") for p in parts if p.strip(" 、;；")]


def _japanese_names(japanese: str) -> tuple[str, list[str]]:
    """Return the Japanese name and its 別称 aliases."""
    found = re.search(r"[（(]別称", japanese)
    if found is None:
        return japanese, []
    marker = found.start()
    close = _balanced_end(japanese, marker)
    inner = japanese[marker + 3: close].lstrip("、,：: ")
    return japanese[:marker].strip(), _split_top_level(inner, "、及")


def _join_wrapped(lines: list[str]) -> str:
    text = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if text and not text.endswith(("-", "—")):
            text += " "
        text += line
    return text


def _english_aliases(lines: list[str]) -> list[str]:
    items: list[list[str]] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        pieces = re.split(rf";\s*(?:and\s*)?(?=[{_DASHES}])", line)
        for piece in pieces:
            if piece[:1] in _DASHES or not items:
                items.append([piece])
            else:
                items[-1].append(piece)
    names = []
    for item in items:
        name = _join_wrapped(item).lstrip(_DASHES + " ")
        name = re.sub(r"(?:;\s*and|;|\.|,\s*and|\s+and)\s*$", "", name).strip()
        if name and not _ALIAS_INTRO.match(name):
            names.append(name)
    return names


def _english(rest: str) -> tuple[str, list[str], list[str]]:
    """Return the English name, English aliases and Japanese aliases of the rest of a header."""
    lines = [line for line in rest.split("\n") if line.strip()]
    japanese_aliases: list[str] = []
    english_aliases: list[str] = []
    for index, line in enumerate(lines):
        if line.startswith("別称"):
            japanese_aliases = _split_top_level(re.sub(r"^別称\s*[：:]\s*", "", line), ";；")
            for later in lines[index + 1:]:
                english_aliases.extend(_split_top_level(later, ";"))
            lines = lines[:index]
            break
    joined = "\n".join(lines)
    found = _AKA.search(joined)
    name_lines = joined[: found.start()].split("\n") if found else lines
    alias_lines = joined[found.end():].split("\n") if found else []
    english_aliases = _english_aliases(alias_lines) + english_aliases
    # The "a.k.a., the following two aliases:" preamble is not a name, however it wrapped.
    english_aliases = [a for a in english_aliases if not _ALIAS_INTRO.match(a.strip())]
    name = _join_wrapped(name_lines).rstrip(" ,;")
    return name, english_aliases, japanese_aliases


def _addresses(text: str) -> list[str]:
    joined = _join_wrapped(text.split("\n"))
    parts = re.split(r";\s*and\s+|;\s+and\s+|;\s*(?=\S)|\.\s+and\s+", joined)
    return [p.strip(" ;.") for p in parts if p.strip(" ;.")]


def _address_country(address: str) -> str | None:
    tail = re.split(r",", address.rstrip(" ."))[-1]
    tail = re.sub(r"[\d\-]+", "", tail).strip(" .")
    return country_code(tail)


def read(version: ListVersion, catalog: Catalog) -> Iterable[Entry]:
    """Import one METI specified-entity list text file."""
    path = version.file(version.importer["file"])
    text = read_text(path).replace("\r\n", "\n")
    default_country = version.importer.get("country")
    entries = []
    for block in _blocks(text, path):
        japanese, rest = _split_japanese(block.header)
        japanese_name, japanese_aliases = _japanese_names(unicodedata.normalize("NFC", japanese))
        english_name, english_aliases, more_japanese = _english(rest)
        if not english_name and not japanese_name:
            raise ListDataError(f"entry {block.number} has no name",
                                Location(file=str(path), line=_line_of(text, block.start)),
                                hint="check the text extraction of this entry")
        entry = Entry(entry_id=str(block.number), primary_name=english_name or japanese_name,
                      entity_type="organisation")
        for alias in english_aliases:
            entry.add_alias(alias, "aka")
        entry.add_alias(japanese_name, "original_script", "Jpan")
        for alias in japanese_aliases + more_japanese:
            if _JAPANESE.search(alias):
                entry.add_alias(alias, "original_script", "Jpan")
            else:
                entry.add_alias(alias, "aka")
        for address in _addresses(block.address):
            entry.addresses.append(clean_text(address))
            entry.add_country(_address_country(address))
        if not entry.countries:
            entry.add_country(default_country)
        entries.append(entry)
    return entries
