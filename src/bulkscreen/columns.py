"""The column registry: every input and result column, its Arrow type and its meaning.

This is the single source of truth for file formats. ``schemas/*.v<N>.json`` are generated
from it (``bulkscreen schemas write``) and a test keeps the checked-in files equal to it.
Readers validate against it; writers build their Arrow schemas from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

SCHEMA_VERSION = 1

PARAMETER_TYPE = pa.struct(
    [("name", pa.string()), ("value", pa.float64()), ("unit", pa.string())]
)
AFFILIATION_TYPE = pa.struct(
    [("organisation", pa.string()), ("country", pa.string()), ("kind", pa.string())]
)
FUNDING_TYPE = pa.struct(
    [("payer", pa.string()), ("country", pa.string()), ("income_share", pa.float64())]
)
ALIAS_TYPE = pa.struct([("name", pa.string()), ("kind", pa.string()), ("script", pa.string())])
IDENTIFIER_TYPE = pa.struct([("kind", pa.string()), ("value", pa.string())])

AFFILIATION_KINDS = ("employment", "concurrent_appointment", "contract")
ALIAS_KINDS = ("primary", "aka", "fka", "weak", "original_script")
ENTITY_TYPES = ("person", "organisation", "vessel", "aircraft", "unknown")
ENTITY_TYPE_WORDS = {
    "person": "person", "individual": "person", "organisation": "organisation",
    "organization": "organisation", "company": "organisation", "entity": "organisation",
    "vessel": "vessel", "ship": "vessel", "aircraft": "aircraft", "unknown": "unknown",
}
"""Words an input may give for an entity type (lower-case) -> the type in ENTITY_TYPES."""
DECISIONS = ("CLEAR", "REVIEW", "LICENSE_REQUIRED", "PROHIBITED")
"""Every decision a row can get, least severe first."""
DECISION_SEVERITY = {decision: rank for rank, decision in enumerate(DECISIONS)}
"""Decision -> severity: a row gets the most severe decision among its findings."""


@dataclass(frozen=True)
class Column:
    """One column of a file format.

    Parameters
    ----------
    name
        Column name, snake_case.
    type
        Arrow type of the column after reading and validation.
    meaning
        What the column holds, for people.
    required
        Whether every row must have a value (null means the row is quarantined).
    text_form
        How the value is written in a text file (CSV, Excel), when not obvious.
    in_header
        Whether the input must have the column even though values may be empty (a name
        column the user asked to screen).
    """

    name: str
    type: pa.DataType
    meaning: str
    required: bool = False
    text_form: str | None = None
    in_header: bool = False


@dataclass(frozen=True)
class Table:
    """A named file format: an ordered set of columns with a version."""

    name: str
    description: str
    columns: tuple[Column, ...]
    version: int = SCHEMA_VERSION
    key: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Column names in order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]

    @property
    def header_required(self) -> list[str]:
        """Names of the columns the input's header must have."""
        return [c.name for c in self.columns if c.required or c.in_header]

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def arrow_schema(self) -> pa.Schema:
        """Return the Arrow schema of this format."""
        return pa.schema([pa.field(c.name, c.type, nullable=not c.required) for c in self.columns])


_STR = pa.string()
_DATE = pa.date32()
_LIST_STR = pa.list_(pa.string())

SHIPMENTS = Table(
    name="shipments",
    description="One shipment line to screen: parties, destination, item and its parameters.",
    key="shipment_id",
    columns=(
        Column("shipment_id", _STR, "Caller's identifier of the shipment line.", required=True),
        Column("shipment_date", _DATE, "Date of export (the date the rules are judged on in an "
               "audit).", required=True, text_form="ISO date YYYY-MM-DD"),
        Column("exporter", _STR, "Exporting company."),
        Column("consignee_name", _STR, "Name of the consignee (buyer).", required=True),
        Column("consignee_country", _STR, "Consignee country, ISO 3166-1 alpha-2.",
               required=True),
        Column("end_user_name", _STR, "Name of the end user, if different from the consignee."),
        Column("end_user_country", _STR, "End-user country, ISO 3166-1 alpha-2."),
        Column("destination_country", _STR, "Country of destination, ISO 3166-1 alpha-2.",
               required=True),
        Column("hs_code", _STR, "Harmonized System code, 4 to 10 digits, dots allowed."),
        Column("item_description", _STR, "Description of the goods or technology."),
        Column("declared_control_entry", _STR, "Control-list entry the exporter declared, e.g. "
               "'6(2)' or '2B001' (optional)."),
        Column("parameters", pa.list_(PARAMETER_TYPE), "Technical parameters: name, value, unit.",
               text_form="'name=value unit; name=value unit', e.g. "
               "'positioning_accuracy=3.5 um; axes=5'"),
        Column("value_jpy", pa.float64(), "Total value of the line in Japanese yen."),
        Column("quantity", pa.float64(), "Quantity shipped."),
        Column("declared_end_use", _STR, "End use the customer declared."),
    ),
)

PERSONS = Table(
    name="persons",
    description="One visitor, student or staff member to screen for deemed-export control.",
    key="person_id",
    columns=(
        Column("person_id", _STR, "Caller's identifier of the person.", required=True),
        Column("full_name", _STR, "Full name as written in the passport or records.",
               required=True),
        Column("aliases", _LIST_STR, "Other names (other scripts, former names).",
               text_form="'|'-separated"),
        Column("date_of_birth", _DATE, "Date of birth.", text_form="ISO date YYYY-MM-DD"),
        Column("nationalities", _LIST_STR, "Nationalities, ISO 3166-1 alpha-2.", required=True,
               text_form="'|'-separated, e.g. 'JP|US'"),
        Column("entry_date", _DATE, "Date of (latest) entry to Japan; empty for persons living "
               "in Japan since birth.", text_form="ISO date YYYY-MM-DD"),
        Column("employer_in_japan", _STR, "Employer in Japan, if employed at an office in Japan."),
        Column("official_status", _STR, "Official status that keeps a person non-resident: "
               "diplomat, consular, foreign_government_official, international_organisation, "
               "us_forces, un_forces; empty if none."),
        Column("affiliations", pa.list_(AFFILIATION_TYPE), "Affiliations outside the host: "
               "organisation, country, kind (employment, concurrent_appointment, contract).",
               text_form="'organisation|country|kind; ...'"),
        Column("funding", pa.list_(FUNDING_TYPE), "Funding sources: payer, country, share of "
               "annual income (0 to 1).", text_form="'payer|country|share; ...'"),
        Column("visit_start", _DATE, "First day of the visit, study or employment.",
               text_form="ISO date YYYY-MM-DD"),
        Column("visit_end", _DATE, "Last day of the visit, study or employment.",
               text_form="ISO date YYYY-MM-DD"),
        Column("host_department", _STR, "Host department or laboratory."),
        Column("research_area", _STR, "Research area."),
        Column("controlled_technology", _STR, "Listed technology the person will access, as a "
               "row/item reference of the Foreign Exchange Order's Appended Table (e.g. "
               "'6項(1)', 'row 6 item 1', '2(1)') or a regime number (e.g. '6E001'), checked "
               "against the technology list in force; empty or 'none' if none."),
        Column("foreign_government_instructions", pa.bool_(), "Declared: acts in Japan under a "
               "foreign government's instructions.", text_form="true/false/yes/no/1/0"),
        Column("temporary_return", pa.bool_(), "A Japanese national living abroad who is back "
               "in Japan only temporarily (non-resident while under six months from "
               "entry_date); empty: read from visit_end.", text_form="true/false/yes/no/1/0"),
        Column("employer_priority_agreement", pa.bool_(), "Agreed that the Japanese "
               "employer's instructions and duties take priority over the foreign contracts "
               "in affiliations (specific category 1 then does not apply).",
               text_form="true/false/yes/no/1/0"),
    ),
)

LIST_ENTRIES = Table(
    name="list_entries",
    description="Canonical snapshot of a restricted-party list: one row per listed entry.",
    key="entry_id",
    columns=(
        Column("list_id", _STR, "Identifier of the list, e.g. 'jp-meti-eul'.", required=True),
        Column("list_version", _STR, "Version of the list: its effective or publication date.",
               required=True),
        Column("entry_id", _STR, "Identifier of the entry within the list.", required=True),
        Column("entity_type", _STR, "person, organisation, vessel, aircraft or unknown.",
               required=True),
        Column("primary_name", _STR, "Primary name as published.", required=True),
        Column("aliases", pa.list_(ALIAS_TYPE), "Other names: name, kind (aka, fka, weak, "
               "original_script), script (ISO 15924, e.g. Latn, Jpan, Cyrl)."),
        Column("countries", _LIST_STR, "Countries linked to the entry, ISO 3166-1 alpha-2."),
        Column("addresses", _LIST_STR, "Addresses as published."),
        Column("birth_dates", _LIST_STR, "Dates of birth, possibly partial (YYYY, YYYY-MM)."),
        Column("identifiers", pa.list_(IDENTIFIER_TYPE), "Identifiers: kind, value."),
        Column("programs", _LIST_STR, "Programmes or concern types (EUL: B, C, M, N, CW)."),
        Column("listed_from", _DATE, "First day the entry is in force, if the source says."),
        Column("listed_to", _DATE, "Last day the entry is in force, if the source says."),
        Column("remarks", _STR, "Remarks as published."),
    ),
)

RESULTS = Table(
    name="results",
    description="One row per screened input row, with its decision.",
    key="record_id",
    columns=(
        Column("input_row", pa.int64(), "1-based data row number in the input file.",
               required=True),
        Column("record_id", _STR, "The input row's key (shipment_id or person_id).",
               required=True),
        Column("as_of_date", _DATE, "Date the row was judged on.", required=True),
        Column("decision", _STR, "CLEAR, REVIEW, LICENSE_REQUIRED or PROHIBITED.",
               required=True),
        Column("reason_codes", _LIST_STR, "Machine-readable reasons for a non-CLEAR decision.",
               required=True),
        Column("explanation", _STR, "Human explanation of the decision.", required=True),
        Column("n_hits", pa.int32(), "Number of findings in the hits file for this row.",
               required=True),
        Column("top_score", pa.float32(), "Best name-match score of the row (0 if none).",
               required=True),
    ),
)

AUDIT_RESULTS = Table(
    name="audit_results",
    description="One row per audited shipment line: its decision on its own date (lists and "
    "rules then in force) and again by today's lists and rules.",
    key="record_id",
    columns=(
        *RESULTS.columns,
        Column("decision_today", _STR, "Decision by the lists and rules in force today.",
               required=True),
        Column("reason_codes_today", _LIST_STR, "Reasons for the decision today.",
               required=True),
        Column("explanation_today", _STR, "Explanation of the decision today.", required=True),
        Column("decision_changed", pa.bool_(), "Whether the two decisions differ.",
               required=True),
        Column("list_versions", _STR, "List versions in force on the shipment date, "
               "'list_id@version' joined by spaces, then the lists with no bundled version "
               "yet on that date ('; not yet bundled: ...').", required=True),
    ),
)

HITS = Table(
    name="hits",
    description="The review queue: one row per finding, with its explanation.",
    version=2,
    columns=(
        Column("input_row", pa.int64(), "1-based data row number in the input file.",
               required=True),
        Column("record_id", _STR, "The input row's key.", required=True),
        Column("as_of_date", _DATE, "Date the row was judged on.", required=True),
        Column("finding", _STR, "Kind of finding: party, item, destination, measure, person.",
               required=True),
        Column("decision", _STR, "Decision this finding alone implies.", required=True),
        Column("reason_code", _STR, "Machine-readable reason.", required=True),
        Column("field", _STR, "Input column the finding is about."),
        Column("query_value", _STR, "The input value that was screened."),
        Column("list_id", _STR, "List of the matched entry."),
        Column("list_version", _STR, "Version of that list."),
        Column("entry_id", _STR, "Matched entry."),
        Column("matched_name", _STR, "The entry's name or alias that matched."),
        Column("alias_kind", _STR, "Kind of that name: primary, aka, fka, weak, "
               "original_script."),
        Column("score", pa.float32(), "Combined match score in [0, 1]."),
        Column("features", _STR, "Feature scores as JSON, e.g. {\"jaro_winkler\": 0.97}."),
        Column("match_basis", _STR, "How a party finding matched: 'same tokens' (the "
               "normalised names have the same tokens; such a match may decide on its own) or "
               "'fuzzy' (it decides nothing until a person confirms it)."),
        Column("rule_id", _STR, "Rule that fired (control entry, measure, category)."),
        Column("rule_version", _STR, "Version of the rule data."),
        Column("value", _STR, "Value the rule looked at, with its unit."),
        Column("threshold", _STR, "Threshold the value was compared with, with its unit."),
        Column("explanation", _STR, "Human explanation a reviewer can act on.", required=True),
        Column("review_decision", _STR, "Reviewer's decision, filled in during review "
               "(true_match, false_positive)."),
    ),
)

QUARANTINE = Table(
    name="quarantine",
    description="Input rows that could not be screened, with the reason; nothing is dropped.",
    columns=(
        Column("source_file", _STR, "Input file the row came from.", required=True),
        Column("input_row", pa.int64(), "1-based data row number in that file.", required=True),
        Column("column", _STR, "Column that failed validation."),
        Column("value", _STR, "The offending value as text."),
        Column("reason", _STR, "Why the row could not be screened, and how to fix it.",
               required=True),
        Column("raw_row", _STR, "The whole input row as JSON, so nothing is lost.",
               required=True),
    ),
)

LABELLED_PAIRS = Table(
    name="labelled_pairs",
    description="Labelled name pairs for the matcher accuracy benchmark.",
    columns=(
        Column("name_a", _STR, "First name (the query).", required=True),
        Column("name_b", _STR, "Second name (the list name).", required=True),
        Column("is_match", pa.bool_(), "Whether the two names denote the same party.",
               required=True),
        Column("kind", _STR, "Kind of variation: typo, transliteration, token_order, "
               "legal_form, dropped_part, homoglyph, list_alias, hard_negative, random_negative.",
               required=True),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (SHIPMENTS, PERSONS, LIST_ENTRIES, RESULTS, AUDIT_RESULTS, HITS, QUARANTINE,
              LABELLED_PAIRS)
}
