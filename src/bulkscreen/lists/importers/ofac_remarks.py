"""Structured facts from OFAC remarks: dates of birth, nationality, identifiers, a.k.a. names.

OFAC's legacy CSV packs these into one ``;``-separated remarks field ("DOB 10 Jan 1987;
nationality China; Passport 123 (Russia); a.k.a. 'X'."). Only patterns that are written
consistently are parsed; the remarks are kept verbatim as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bulkscreen.lists.countries import country_code

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# Identifier kinds OFAC writes as "<kind> <value> (<country>)".
_ID_KINDS = (
    "Passport", "National ID No.", "Cedula No.", "NIT #", "C.U.R.P.", "R.F.C.", "RUC #",
    "Registration Number", "Registration ID", "Tax ID No.", "Identification Number",
    "Government Gazette Number", "SWIFT/BIC", "Company Number", "Matricula Mercantil No",
    "Commercial Registry Number", "Folio Mercantil No.", "D.N.I.", "D-U-N-S Number",
    "Business Registration Number", "Business Registration Document #", "C.R. No.",
    "Trade License No.", "Electoral Registry No.", "V.A.T. Number", "Legal Entity Number",
    "Vessel Registration Identification", "MMSI", "Aircraft Tail Number",
    "Aircraft Manufacturer's Serial Number (MSN)", "Aircraft Construction Number",
    "Social Security Number", "Driver's License No.", "Personal ID Card", "Residency Number",
    "Public Registration Number", "Chinese Commercial Code", "Kenyan ID No.", "UK Company Number",
    "Stateless Person ID Card", "Refugee ID Card", "Travel Document Number", "Seafarer's ID",
    "Bosnian Personal ID No.", "Diplomatic Passport", "Pasaporte",
    "Certificate of Incorporation Number",
    "Economic Register Number (CBLS)", "Digital Currency Address - XBT",
    "Digital Currency Address - ETH", "Digital Currency Address - USDT",
)
_ID_PATTERN = re.compile(
    r"^(?P<kind>" + "|".join(re.escape(k) for k in sorted(_ID_KINDS, key=len, reverse=True))
    + r")\s+(?P<value>(?:[A-Z]{2,4}\s)?[^\s(;]+)"
)
_ALIAS_PATTERN = re.compile(
    r"^(?P<kind>a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*['‘\"](?P<name>.+?)['’\"]\.?$")
_ALIAS_KIND = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "aka"}


@dataclass
class RemarkFacts:
    """What the remarks of one entry say, parsed."""

    birth_dates: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)


def parse_ofac_date(text: str) -> list[str]:
    """Return ISO (possibly partial) dates from an OFAC date: "10 Jan 1987" -> ["1987-01-10"],
    "Jan 1987" -> ["1987-01"], "circa 1960" -> ["1960"], "1960 to 1962" -> three years."""
    text = text.strip().rstrip(".")
    text = re.sub(r"^(circa|approximately|about)\s+", "", text, flags=re.IGNORECASE)
    span = re.fullmatch(r"(\d{4})\s+to\s+(\d{4})", text)
    if span:
        start, end = int(span.group(1)), int(span.group(2))
        if 0 <= end - start <= 10:
            return [str(year) for year in range(start, end + 1)]
        return [span.group(1), span.group(2)]
    full = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})", text)
    if full and full.group(2).lower() in _MONTHS:
        return [f"{full.group(3)}-{_MONTHS[full.group(2).lower()]:02d}-{int(full.group(1)):02d}"]
    month = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.?\s+(\d{4})", text)
    if month and month.group(1).lower() in _MONTHS:
        return [f"{month.group(2)}-{_MONTHS[month.group(1).lower()]:02d}"]
    if re.fullmatch(r"\d{4}", text):
        return [text]
    iso = re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text)
    return [text] if iso else []


def split_remarks(remarks: str) -> list[str]:
    """Split remarks on the ``;`` that separate facts, keeping quoted names whole."""
    parts, depth_quote, current = [], False, []
    for char in remarks:
        if char == "'" and (not current or current[-1] in " .") and not depth_quote:
            depth_quote = True
        elif char == "'" and depth_quote:
            depth_quote = False
        if char == ";" and not depth_quote:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def parse_remarks(remarks: str | None) -> RemarkFacts:
    """Parse the reliable facts out of an OFAC remarks field.

    Parameters
    ----------
    remarks
        The remarks as published (``-0-`` or None for none).

    Returns
    -------
    RemarkFacts
        Dates of birth (ISO, possibly partial), nationality/citizenship country codes,
        identifiers (kind, value), and a.k.a./f.k.a. names.
    """
    facts = RemarkFacts()
    if not remarks or remarks.strip() == "-0-":
        return facts
    for part in split_remarks(remarks):
        part = re.sub(r"^alt\.\s+", "", part).strip()
        alias = _ALIAS_PATTERN.match(part)
        if alias:
            facts.aliases.append((alias.group("name").strip(), _ALIAS_KIND[alias.group("kind")]))
            continue
        if part.startswith("DOB "):
            facts.birth_dates.extend(parse_ofac_date(part[4:]))
            continue
        nationality = re.match(r"^(?:nationality|citizen)\s+(.+?)\.?$", part)
        if nationality:
            code = country_code(nationality.group(1))
            if code and code not in facts.countries:
                facts.countries.append(code)
            continue
        identifier = _ID_PATTERN.match(part)
        if identifier:
            kind = identifier.group("kind")
            value = identifier.group("value").rstrip(".;,")
            if kind == "Vessel Registration Identification" and value.startswith("IMO "):
                kind, value = "IMO", value[4:]
            facts.identifiers.append((kind, value))
    return facts
