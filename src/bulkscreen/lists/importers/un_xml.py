"""UN Security Council Consolidated List XML: INDIVIDUAL and ENTITY records.

Aliases carry a quality: "Good"/"a.k.a." -> aka, "Low" -> weak, "f.k.a." -> fka.
NAME_ORIGINAL_SCRIPT becomes an ``original_script`` alias. LISTED_ON -> listed_from.
The file is parsed with defusedxml with DTDs forbidden: a document type declaration, an entity
(an expansion bomb or an external entity) is refused before any of it is expanded.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterable

import defusedxml
import defusedxml.ElementTree as SafeET

from bulkscreen.errors import ListDataError, Location
from bulkscreen.lists.catalog import Catalog, ListVersion
from bulkscreen.lists.countries import country_code
from bulkscreen.lists.records import Entry, clean_text

_QUALITY = {"good": "aka", "a.k.a.": "aka", "low": "weak", "f.k.a.": "fka", "": "aka"}


def _text(node: ET.Element | None, tag: str) -> str:
    found = node.find(tag) if node is not None else None
    return clean_text(found.text if found is not None else None)


def _values(node: ET.Element, tag: str) -> list[str]:
    return [clean_text(v.text) for v in node.findall(f"{tag}/VALUE") if clean_text(v.text)]


def _birth_dates(record: ET.Element) -> list[str]:
    dates = []
    for dob in record.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        if _text(dob, "DATE"):
            dates.append(_text(dob, "DATE")[:10])
        elif _text(dob, "YEAR"):
            dates.append(_text(dob, "YEAR"))
        elif _text(dob, "FROM_YEAR") and _text(dob, "TO_YEAR"):
            start, end = int(_text(dob, "FROM_YEAR")), int(_text(dob, "TO_YEAR"))
            dates.extend(str(y) for y in range(start, end + 1) if end - start <= 10)
    return dates


def _address(node: ET.Element) -> str:
    parts = [_text(node, tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE",
                                          "COUNTRY")]
    return ", ".join(p for p in parts if p)


def _entry(record: ET.Element, kind: str) -> Entry:
    names = [_text(record, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
                                            "FOURTH_NAME")]
    entry = Entry(
        entry_id=_text(record, "REFERENCE_NUMBER") or _text(record, "DATAID"),
        primary_name=" ".join(n for n in names if n),
        entity_type="person" if kind == "INDIVIDUAL" else "organisation",
        programs=[_text(record, "UN_LIST_TYPE")] if _text(record, "UN_LIST_TYPE") else [],
        remarks=_text(record, "COMMENTS1") or None,
    )
    listed_on = _text(record, "LISTED_ON")
    if listed_on:
        entry.listed_from = dt.date.fromisoformat(listed_on[:10])
    entry.add_alias(_text(record, "NAME_ORIGINAL_SCRIPT"), "original_script")
    for alias in record.findall(f"{kind}_ALIAS"):
        quality = _text(alias, "QUALITY").lower()
        entry.add_alias(_text(alias, "ALIAS_NAME"), _QUALITY.get(quality, "aka"))
    for nationality in _values(record, "NATIONALITY"):
        entry.add_country(country_code(nationality))
    for address in record.findall(f"{kind}_ADDRESS"):
        text = _address(address)
        if text:
            entry.addresses.append(text)
        entry.add_country(country_code(_text(address, "COUNTRY")))
    entry.birth_dates.extend(_birth_dates(record))
    for document in record.findall("INDIVIDUAL_DOCUMENT"):
        number = _text(document, "NUMBER")
        if number:
            kind_name = _text(document, "TYPE_OF_DOCUMENT") or "Document"
            entry.identifiers.append((kind_name, number))
    return entry


def read(version: ListVersion, catalog: Catalog) -> Iterable[Entry]:
    """Import the UN consolidated XML (individuals first, then entities)."""
    path = version.file(version.importer["file"])
    try:
        root = SafeET.parse(path, forbid_dtd=True, forbid_entities=True,
                            forbid_external=True).getroot()
    except defusedxml.DefusedXmlException as exc:
        raise ListDataError(
            f"the XML declares a DTD or entities ({type(exc).__name__}), which are not "
            "accepted", Location(file=str(path)),
            hint="DTDs and entities are not accepted in list files: remove the <!DOCTYPE> "
            "declaration, or fetch the list again from its publisher") from None
    except ET.ParseError as exc:
        raise ListDataError(f"not well-formed XML: {exc.msg if hasattr(exc, 'msg') else exc}",
                            Location(file=str(path), line=exc.position[0]),
                            hint="the file is truncated or damaged; fetch it again") from exc
    if root.tag != "CONSOLIDATED_LIST":
        raise ListDataError(f"root element is <{root.tag}>, not <CONSOLIDATED_LIST>",
                            Location(file=str(path), line=1),
                            hint="this importer reads the UN consolidated list XML")
    entries = []
    for kind, group in (("INDIVIDUAL", "INDIVIDUALS"), ("ENTITY", "ENTITIES")):
        for record in root.findall(f"{group}/{kind}"):
            entry = _entry(record, kind)
            if not entry.primary_name:
                raise ListDataError(f"{kind} {entry.entry_id} has no name",
                                    Location(file=str(path), column="FIRST_NAME"),
                                    hint="every UN record needs FIRST_NAME")
            entries.append(entry)
    return entries
