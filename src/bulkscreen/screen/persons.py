"""Deemed-export screening of visitors, students and staff, one Arrow batch at a time.

:func:`screen_persons_batch` is pure: a validated PERSONS batch, the compiled name index, the run
configuration and a date in; RESULTS rows (one per person, in order) and HITS rows (the review
queue) out. Residency, the specific categories, red-flag nationalities and technology access are
judged for the whole batch with NumPy and Arrow compute (:mod:`bulkscreen.rules.deemed`); the
technology value is read against the technology list in force on the date
(:mod:`bulkscreen.rules.techref`); the person's names, affiliations and funders are matched
against the lists in one call of the matcher. Explanations are built only for findings.

A non-resident is reported whatever technology they access, so a re-screen sees residency
change: with listed technology the finding needs a licence, with a value that names no entry
it goes to review, and with none it is informational (CLEAR), like a category 1 contract the
employer-priority agreement excludes.

Every reason for a non-CLEAR decision is a row in the hits file with the decision it implies, so
a row's decision is always the most severe decision among its findings. Re-screening relies on
that (:mod:`bulkscreen.rescreen`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.columns import DECISION_SEVERITY
from bulkscreen.config import RunConfig
from bulkscreen.decide import Findings, decide
from bulkscreen.lists.name_index import NameIndex
from bulkscreen.rules import deemed
from bulkscreen.rules.deemed import DeemedRules
from bulkscreen.rules.techref import (
    FREE_TEXT,
    LISTED,
    UNKNOWN,
    TechnologyIndex,
    TechnologyValues,
    classify_technology,
    technology_index,
)
from bulkscreen.screen.parties import MATCH_FUZZY, MATCH_SAME_TOKENS

ALGORITHM_ID = "persons-deemed-v2"

_CLEAR = DECISION_SEVERITY["CLEAR"]
_REVIEW = DECISION_SEVERITY["REVIEW"]
_LICENSE_REQUIRED = DECISION_SEVERITY["LICENSE_REQUIRED"]

Matcher = Callable[..., pa.Table]

_STR = pa.string()


def screen_persons_batch(  # noqa: PLR0913 - the data a run binds once, each with a default
                         batch: pa.RecordBatch, index: NameIndex | None, config: RunConfig,
                         as_of: dt.date, deemed_rules: DeemedRules | None = None,
                         matcher: Matcher | None = None,
                         entry_notes: Mapping[tuple[str, str], str] | None = None,
                         technology: TechnologyIndex | None = None,
                         ) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Screen one batch of persons for deemed-export control on one date.

    Parameters
    ----------
    batch
        Validated PERSONS columns (``columns.PERSONS``), optionally with an ``input_row`` int64
        column (1-based row number in the input file; 1..n when absent).
    index
        Compiled name index (``bulkscreen.lists.name_index.build_name_index``). None skips name
        matching, leaving only the rule findings.
    config
        Run configuration; ``config.match`` sets the name-match thresholds.
    as_of
        Date the persons are judged on (residency, categories and red flags in force then).
    deemed_rules
        Deemed-export rules; default the bundled version in force on ``as_of``.
    matcher
        Name matcher with the signature of ``bulkscreen.matching.match.match_names``; default
        that function.
    entry_notes
        ``(list_id, entry_id) -> note`` added to a name match's explanation, e.g. the End User
        List concern types; build it once with :func:`list_entry_notes`.
    technology
        The technology list in force on ``as_of``; default the bundled version
        (:func:`bulkscreen.rules.techref.technology_index`).

    Returns
    -------
    tuple of pyarrow.RecordBatch
        (RESULTS rows, one per input row in input order; HITS rows sorted by input row).
    """
    rules = deemed_rules or deemed.load_deemed_rules(as_of=as_of)
    technology = technology or technology_index(as_of, tuple(rules.unlisted_rows))
    input_row = _input_rows(batch)
    record_id = batch.column("person_id")
    facts = _judge(batch, as_of, rules, technology)
    findings = Findings()
    _add_residency_findings(findings, facts, batch, rules)
    _add_category_findings(findings, facts, batch, rules)
    _add_technology_findings(findings, facts)
    _add_red_flag_findings(findings, facts, rules)
    _add_missing_info_findings(findings, facts, batch, rules)
    if index is not None:
        if matcher is None:
            from bulkscreen.matching.match import match_names as matcher
        notes = entry_notes or {}

        def note_of(list_id: str, entry_id: str) -> str:
            return "; ".join(n for n in (rules.party_lists.get(list_id, ""),
                                         notes.get((list_id, entry_id), "")) if n)

        _add_party_findings(findings, facts, batch, index, config, matcher, note_of)
    return decide(findings, input_row=input_row, record_id=record_id, as_of=as_of,
                  extra_codes={"TECH_ACCESS": facts.technology})


# --- facts -------------------------------------------------------------------------------------

@dataclass
class _Facts:
    """Everything the rules found about the batch, before it becomes findings."""

    as_of: dt.date
    n: int
    residency: deemed.Residency
    technology: np.ndarray
    technology_text: pa.Array
    tech: TechnologyValues
    tech_version: str
    categories_apply: bool
    affiliations: deemed.AffiliationFindings
    funding: deemed.FundingFindings
    category_3: np.ndarray
    instructions_missing: np.ndarray
    affiliations_null: np.ndarray
    funding_null: np.ndarray
    official_unknown: np.ndarray
    official_status: pa.Array
    # Flat (parent row, position in list, upper-case code) of every nationality.
    nationalities: tuple[np.ndarray, np.ndarray, pa.Array]


def _optional(batch: pa.RecordBatch, name: str) -> pa.Array | None:
    """A column added after the first schema, absent from batches built without it."""
    return batch.column(name) if name and name in batch.schema.names else None


def _judge(batch: pa.RecordBatch, as_of: dt.date, rules: DeemedRules,
           technology: TechnologyIndex) -> _Facts:
    n = batch.num_rows
    residency = deemed.judge_residency(batch, as_of, rules)
    tech = classify_technology(batch.column("controlled_technology"), technology,
                               rules.no_technology_values)
    status = pc.utf8_lower(deemed.clean_text(batch.column("official_status")))
    official_unknown = deemed.to_numpy_bool(pc.is_valid(status)) & ~deemed.to_numpy_bool(
        pc.is_in(status, value_set=pa.array(list(rules.official_statuses))))
    instructions = batch.column("foreign_government_instructions")
    nat_parents, nat_positions, nat_flat = deemed.list_parents(batch.column("nationalities"))
    return _Facts(
        as_of=as_of,
        n=n,
        residency=residency,
        technology=tech.kind == LISTED,
        technology_text=deemed.clean_text(batch.column("controlled_technology")),
        tech=tech,
        tech_version=technology.version,
        categories_apply=rules.categories_apply(as_of),
        affiliations=deemed.judge_affiliations(
            batch.column("affiliations"), rules,
            _optional(batch, rules.category_1_exclusion_column),
            batch.column("employer_in_japan")),
        funding=deemed.judge_funding(batch.column("funding"), n, rules),
        category_3=deemed.to_numpy_bool(instructions),
        instructions_missing=deemed.to_numpy_bool(pc.is_null(instructions)),
        affiliations_null=deemed.to_numpy_bool(pc.is_null(batch.column("affiliations"))),
        funding_null=deemed.to_numpy_bool(pc.is_null(batch.column("funding"))),
        official_unknown=official_unknown,
        official_status=status,
        nationalities=(nat_parents, nat_positions,
                       pc.utf8_upper(pc.utf8_trim_whitespace(nat_flat))),
    )


def _input_rows(batch: pa.RecordBatch) -> np.ndarray:
    if "input_row" in batch.schema.names:
        return np.asarray(batch.column("input_row").to_numpy(zero_copy_only=False),
                          dtype=np.int64)
    return np.arange(1, batch.num_rows + 1, dtype=np.int64)


# --- findings ----------------------------------------------------------------------------------

def _join(*parts: pa.Array | str) -> pa.Array:
    """Concatenate strings element-wise; a null part makes the result null."""
    return pc.binary_join_element_wise(
        *[pa.scalar(p, _STR) if isinstance(p, str) else p.cast(_STR) for p in parts], "")


def _text(array: pa.Array, missing: str = "?") -> pa.Array:
    return pc.fill_null(array.cast(_STR), missing)


def _indexed_field(prefix: str, positions: np.ndarray, suffix: str = "") -> pa.Array:
    return _join(f"{prefix}[", pa.array(positions).cast(_STR), f"]{suffix}")


def _technology_clause(facts: _Facts, rows: np.ndarray, licence: str,
                       none_decides: bool = False) -> tuple[pa.Array, np.ndarray]:
    """The sentence on technology access for each row, and the severity it gives.

    Listed technology needs the licence; a value naming no entry of the list goes to review.
    With no listed technology, ``none_decides`` makes the finding informational (CLEAR);
    otherwise the reviewer confirms which technology the person will access.
    """
    take = pa.array(rows)
    kind = facts.tech.kind[rows]
    tech_text = _text(facts.technology_text.take(take), "")
    canonical = _text(facts.tech.canonical.take(take), "")
    detail = _text(facts.tech.detail.take(take), "")
    listed = _join("; will access listed technology ", canonical, " (", detail, f"): {licence}")
    free = _join("; technology '", tech_text, "' names no entry of the technology list "
                 f"{facts.tech_version}: confirm which controlled technology")
    # The TECH_UNCONFIRMED finding of the row names the nearest real references.
    unknown = _join("; technology '", tech_text, f"' is not in the technology list "
                    f"{facts.tech_version}: confirm which controlled technology")
    none = pa.repeat(pa.scalar(
        "; no listed technology declared, so no licence is needed for it" if none_decides else
        "; no listed technology declared: confirm which technology the person will access",
        _STR), len(rows))
    clause = pc.case_when(
        pc.make_struct(pa.array(kind == LISTED), pa.array(kind == FREE_TEXT),
                       pa.array(kind == UNKNOWN)), listed, free, unknown, none)
    severity = np.where(kind == LISTED, _LICENSE_REQUIRED,
                        np.where((kind == FREE_TEXT) | (kind == UNKNOWN) | (not none_decides),
                                 _REVIEW, _CLEAR))
    return clause, severity.astype(np.int8)


_LICENCE = "licence required before providing it (FEFTA Art. 25(1))"


def _date_text(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32)).cast(pa.date32()).cast(_STR)


def _add_residency_findings(findings: Findings, facts: _Facts, batch: pa.RecordBatch,
                            rules: DeemedRules) -> None:
    """NON_RESIDENT for every non-resident: a licence with listed technology, informational
    without (so that a re-screen sees the residency), review where the technology is unclear."""
    res = facts.residency
    entry_days, _ = deemed.date_days(batch.column("entry_date"))
    return_days = np.where(res.is_japanese,
                           deemed.add_months(entry_days, rules.japanese_return_months),
                           res.resident_from)
    base = res.state == deemed.NON_RESIDENT
    months = rules.foreign_resident_after_months
    cases = (
        (deemed.WHY_OFFICIAL_STATUS, "official_status",
         lambda r: _text(facts.official_status.take(pa.array(r))), lambda r: None,
         lambda r, v, t: _join("non-resident: official status '", v,
                               "' keeps a foreign national non-resident")),
        (deemed.WHY_NOT_YET_ENTERED, "entry_date",
         lambda r: _date_text(entry_days[r]), lambda r: None,
         lambda r, v, t: _join("non-resident: not yet in Japan on the date judged (entry ",
                               v, ")")),
        (deemed.WHY_UNDER_SIX_MONTHS, "entry_date",
         lambda r: _date_text(entry_days[r]), lambda r: _date_text(return_days[r]),
         lambda r, v, t: _join("non-resident: in Japan since ", v,
                               f", fewer than {months} months; resident from ", t,
                               " unless employed at an office in Japan")),
        (deemed.WHY_TEMPORARY_RETURN, "temporary_return",
         lambda r: _date_text(entry_days[r]), lambda r: _date_text(return_days[r]),
         lambda r, v, t: _join("non-resident: Japanese national living abroad, back in Japan "
                               "since ", v, " on a temporary return (temporary_return, or a "
                               "visit_end before six months); a temporary return of under "
                               f"{rules.japanese_return_months} months keeps the person "
                               "non-resident, resident from ", t,
                               " if still in Japan, or on taking up work at an office in "
                               "Japan")),
    )
    for why, field_name, value_of, threshold_of, explain in cases:
        rows = np.flatnonzero(base & (res.why == why))
        if not len(rows):
            continue
        value = value_of(rows)
        threshold = threshold_of(rows)
        clause, severity = _technology_clause(facts, rows, _LICENCE, none_decides=True)
        findings.add(
            rows=rows, order=np.zeros(len(rows), np.int64),
            finding="person",
            rule_version=rules.rule_version, reason_code="NON_RESIDENT", decision=severity,
            field=pa.array(np.full(len(rows), field_name), _STR),
            explanation=_join(explain(rows, value, threshold), clause),
            rule_id="jp-deemed:residency", value=value,
            threshold=None if threshold is None else _join("resident from ", threshold))


def _add_category_findings(findings: Findings, facts: _Facts, batch: pa.RecordBatch,
                           rules: DeemedRules) -> None:
    if not facts.categories_apply:
        return
    _add_category_1_findings(findings, facts, rules)
    fund = facts.funding
    rows = np.flatnonzero(fund.category_2)
    if len(rows):
        payers = _payer_summary(fund, rows)
        share_pct = pa.array(np.round(fund.foreign_government_share[rows] * 100, 2)).cast(_STR)
        clause, severity = _technology_clause(facts, rows, _LICENCE)
        threshold_pct = f"{rules.income_share_threshold * 100:g}%"
        findings.add(
            rows=rows, order=np.zeros(len(rows), np.int64), finding="person",
            rule_version=rules.rule_version,
            reason_code="SPECIFIC_CATEGORY_2", decision=severity,
            field=pa.array(np.full(len(rows), "funding"), _STR), query_value=payers,
            explanation=_join("specific category 2: ", share_pct, "% of annual income from "
                              "foreign government payers (", payers, "), at least ",
                              threshold_pct, clause),
            rule_id="jp-deemed:category-2",
            value=pa.array(np.round(fund.foreign_government_share[rows], 6)).cast(_STR),
            threshold=pa.array(np.full(len(rows), f">= {rules.income_share_threshold:g}")))

    rows = np.flatnonzero(facts.category_3)
    if len(rows):
        clause, severity = _technology_clause(facts, rows, _LICENCE)
        findings.add(
            rows=rows, order=np.zeros(len(rows), np.int64), finding="person",
            rule_version=rules.rule_version,
            reason_code="SPECIFIC_CATEGORY_3", decision=severity,
            field=pa.array(np.full(len(rows), "foreign_government_instructions"), _STR),
            explanation=_join("specific category 3: declared to act in Japan under a foreign "
                              "government's instructions", clause),
            rule_id="jp-deemed:category-3", value=pa.array(np.full(len(rows), "true")))


def _add_category_1_findings(findings: Findings, facts: _Facts, rules: DeemedRules) -> None:
    """Category 1, saying which way the employer-priority agreement went."""
    aff = facts.affiliations
    elements = np.flatnonzero(aff.category_1)
    if len(elements):
        rows = aff.parents[elements]
        take = pa.array(elements)
        org, country, kind = (_text(a.take(take)) for a in (aff.organisation, aff.country,
                                                            aff.kind))
        agreement = np.where(
            aff.agreement[rows],
            "; employer_priority_agreement is true but no employer in Japan is given, so it "
            "cannot take priority",
            "; no agreement that a Japanese employer's instructions take priority "
            "(employer_priority_agreement not true)")
        clause, severity = _technology_clause(facts, rows, _LICENCE)
        findings.add(
            rows=rows, order=aff.positions[elements],
            finding="person",
            rule_version=rules.rule_version, reason_code="SPECIFIC_CATEGORY_1", decision=severity,
            field=_indexed_field("affiliations", aff.positions[elements]),
            query_value=org,
            explanation=_join("specific category 1: ", kind, " with ", org, " (", country,
                              "), a foreign organisation that can bind the person to its "
                              "instructions", pa.array(agreement.tolist(), _STR), clause),
            rule_id="jp-deemed:category-1", value=_join(kind, " / ", org, " / ", country))
    elements = np.flatnonzero(aff.excluded)
    if len(elements):
        rows = aff.parents[elements]
        take = pa.array(elements)
        org, country, kind = (_text(a.take(take)) for a in (aff.organisation, aff.country,
                                                            aff.kind))
        findings.add(
            rows=rows, order=aff.positions[elements], finding="person",
            rule_version=rules.rule_version, reason_code="CATEGORY_1_EXCLUDED",
            decision=np.full(len(rows), _CLEAR, np.int8),
            field=_indexed_field("affiliations", aff.positions[elements]), query_value=org,
            explanation=_join("specific category 1 does not apply to the ", kind, " with ", org,
                              " (", country, "): employer_priority_agreement is true and the "
                              "person is employed in Japan, so the Japanese employer's "
                              "instructions and duties take priority over the foreign contract"),
            rule_id="jp-deemed:category-1", value=_join(kind, " / ", org, " / ", country),
            threshold=pa.repeat(pa.scalar("employer_priority_agreement = true", _STR),
                                len(rows)))


def _add_technology_findings(findings: Findings, facts: _Facts) -> None:
    """TECH_UNCONFIRMED: the technology value names no entry of the list in force."""
    tech = facts.tech
    rows = np.flatnonzero((tech.kind == FREE_TEXT) | (tech.kind == UNKNOWN))
    if not len(rows):
        return
    take = pa.array(rows)
    value = _text(facts.technology_text.take(take), "")
    nearest = _text(tech.detail.take(take), "")
    is_free = pa.array(tech.kind[rows] == FREE_TEXT)
    explanation = pc.if_else(
        is_free,
        _join("technology '", value, "' is free text with no row/item reference or regime "
              f"number of the technology list {facts.tech_version}: confirm which controlled "
              "technology (write e.g. '6項(1)', 'row 6 item 1' or '6E001')"),
        _join("technology '", value, f"' is not in the technology list {facts.tech_version} "
              "in force on ", str(facts.as_of), "; nearest real references: ", nearest,
              "; confirm which controlled technology"))
    findings.add(
        rows=rows, order=np.zeros(len(rows), np.int64), finding="person",
        rule_version=facts.tech_version, reason_code="TECH_UNCONFIRMED",
        decision=np.full(len(rows), _REVIEW, np.int8),
        field=pa.repeat(pa.scalar("controlled_technology", _STR), len(rows)),
        query_value=value, value=value,
        threshold=pc.if_else(is_free, pa.scalar(None, _STR), _join("nearest: ", nearest)),
        explanation=explanation, rule_id="jp-technology:reference")


def _payer_summary(fund: deemed.FundingFindings, rows: np.ndarray) -> pa.Array:
    """'payer (CC) share, ...' of the counted foreign-government funders of each row."""
    counted = np.flatnonzero(fund.counted & np.isin(fund.parents, rows))
    frame = pl.DataFrame({
        "row": fund.parents[counted],
        "text": pl.from_arrow(_join(_text(fund.payer.take(pa.array(counted))), " (",
                                    _text(fund.country.take(pa.array(counted))), ") ",
                                    pa.array(np.round(fund.share[counted], 4)).cast(_STR))),
    })
    joined = frame.group_by("row", maintain_order=True).agg(pl.col("text").str.join(", "))
    lookup = dict(zip(joined["row"].to_list(), joined["text"].to_list(), strict=True))
    return pa.array([lookup.get(int(r), "") for r in rows], _STR)


def _add_red_flag_findings(findings: Findings, facts: _Facts, rules: DeemedRules) -> None:
    # Group D on the day, from the same dated Appended Tables 3-2 and 4 the shipment screen reads.
    from bulkscreen.rules.groups import group_d_tables

    rule_version, flagged = group_d_tables(facts.as_of)
    if not flagged:
        return
    parents, positions, codes = facts.nationalities
    hit = deemed.to_numpy_bool(pc.is_in(codes, value_set=pa.array(sorted(flagged))))
    elements = np.flatnonzero(hit)
    if not len(elements):
        return
    code_values = codes.take(pa.array(elements))
    tables = pa.array([f"{flagged[c]}, rules jp/{rule_version}" for c in code_values.to_pylist()],
                      _STR)
    findings.add(
        rows=parents[elements], order=positions[elements], finding="person",
        rule_version=rules.rule_version, reason_code="RED_FLAG_NATIONALITY",
        decision=np.full(len(elements), _REVIEW, np.int8),
        field=_indexed_field("nationalities", positions[elements]), query_value=code_values,
        explanation=_join("red flag: nationality ", code_values, " is a Group D country (",
                          tables, "); review the purpose of the stay and the sending "
                          "institution"),
        rule_id="jp-deemed:red-flags", value=code_values)


def _add_missing_info_findings(findings: Findings, facts: _Facts, batch: pa.RecordBatch,
                               rules: DeemedRules) -> None:
    res = facts.residency
    review = _REVIEW
    foreign = (res.why != deemed.WHY_NO_NATIONALITY) & ~res.is_japanese

    def per_row(mask: np.ndarray, sub: int, field_name: str, text: str) -> None:
        rows = np.flatnonzero(mask)
        findings.add(
            rows=rows, order=np.full(len(rows), sub, np.int64), finding="person",
            rule_version=rules.rule_version,
            reason_code="MISSING_INFO", decision=np.full(len(rows), review, np.int8),
            field=pa.array(np.full(len(rows), field_name), _STR),
            explanation=pa.array(np.full(len(rows), text), _STR), rule_id="jp-deemed:inputs")

    per_row(res.why == deemed.WHY_NO_NATIONALITY, 0, "nationalities",
            "missing information: no nationality given, so residency and red flags cannot be "
            "judged")
    per_row(res.why == deemed.WHY_NO_ENTRY_DATE, 1, "entry_date",
            "missing information: foreign national with no entry date and no employer in "
            "Japan, so residency cannot be decided (give the entry date, or the employer in "
            "Japan)")
    rows = np.flatnonzero(facts.official_unknown)
    if len(rows):
        status = _text(facts.official_status.take(pa.array(rows)))
        findings.add(
            rows=rows, order=np.full(len(rows), 2, np.int64), finding="person",
            rule_version=rules.rule_version,
            reason_code="MISSING_INFO", decision=np.full(len(rows), review, np.int8),
            field=pa.array(np.full(len(rows), "official_status"), _STR), query_value=status,
            value=status,
            explanation=_join("missing information: official status '", status,
                              "' is not one of " + ", ".join(rules.official_statuses)),
            rule_id="jp-deemed:residency")
    if not facts.categories_apply:
        return
    per_row(foreign & facts.affiliations_null & facts.funding_null, 3, "affiliations, funding",
            "missing information: no affiliations and no funding given for a foreign national, "
            "so specific categories 1 and 2 cannot be judged (give empty lists if there are "
            "none)")
    per_row(foreign & facts.instructions_missing, 4, "foreign_government_instructions",
            "missing information: no declaration whether the person acts under a foreign "
            "government's instructions (specific category 3)")
    aff, fund = facts.affiliations, facts.funding
    for mask, positions, parents, prefix, suffix, text in (
        (aff.missing_country, aff.positions, aff.parents, "affiliations", ".country",
         "missing information: affiliation without a country, so specific category 1 cannot "
         "be judged"),
        (aff.missing_kind, aff.positions, aff.parents, "affiliations", ".kind",
         "missing information: foreign affiliation without a known kind (employment, "
         "concurrent_appointment, contract)"),
        (fund.missing_country, fund.positions, fund.parents, "funding", ".country",
         "missing information: governmental funder without a country, so specific category 2 "
         "cannot be judged"),
        (fund.missing_share, fund.positions, fund.parents, "funding", ".income_share",
         "missing information: foreign governmental funder without a share of income, so "
         "specific category 2 cannot be judged"),
    ):
        elements = np.flatnonzero(mask)
        findings.add(
            rows=parents[elements], order=10 + positions[elements],
            finding="person", rule_version=rules.rule_version, reason_code="MISSING_INFO",
            decision=np.full(len(elements), review, np.int8),
            field=_indexed_field(prefix, positions[elements], suffix),
            explanation=pa.array(np.full(len(elements), text), _STR),
            rule_id="jp-deemed:inputs")


# --- name matching -----------------------------------------------------------------------------

@dataclass
class _Queries:
    rows: list[np.ndarray] = field(default_factory=list)
    fields: list[pa.Array] = field(default_factory=list)
    names: list[pa.Array] = field(default_factory=list)
    countries: list[pa.Array] = field(default_factory=list)
    birth_years: list[pa.Array] = field(default_factory=list)
    entity_types: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)

    def add(self, rows: np.ndarray, field_: pa.Array, names: pa.Array, countries: pa.Array,
            birth_years: pa.Array, entity_type: str) -> None:
        keep = deemed.to_numpy_bool(pc.is_valid(names))
        idx = pa.array(np.flatnonzero(keep))
        self.rows.append(rows[keep])
        self.fields.append(field_.take(idx))
        self.names.append(names.take(idx))
        self.countries.append(countries.take(idx).cast(_STR))
        self.birth_years.append(birth_years.take(idx).cast(pa.int32()))
        self.entity_types.append(entity_type)
        self.sizes.append(int(keep.sum()))


def list_entry_notes(snapshots: Sequence[pa.Table],
                     rules: DeemedRules | None = None) -> dict[tuple[str, str], str]:
    """Notes on list entries for name-match explanations: concern types or programmes.

    Parameters
    ----------
    snapshots
        List snapshots (LIST_ENTRIES schema), as given to the name index.
    rules
        Deemed-export rules holding the concern-type words (default: latest bundled).

    Returns
    -------
    dict
        ``(list_id, entry_id) -> "concern types: N nuclear, M missile"`` for End User List
        entries and ``"programmes: ..."`` for others; entries without programmes are absent.
    """
    rules = rules or deemed.load_deemed_rules()
    notes: dict[tuple[str, str], str] = {}
    for snapshot in snapshots:
        with_programs = snapshot.filter(
            pc.greater(pc.fill_null(pc.list_value_length(snapshot.column("programs")), 0), 0))
        for list_id, entry_id, programs in zip(
                with_programs.column("list_id").to_pylist(),
                with_programs.column("entry_id").to_pylist(),
                with_programs.column("programs").to_pylist(), strict=True):
            if all(p in rules.concern_types for p in programs):
                words = ", ".join(f"{p} {rules.concern_types[p]}" for p in programs)
                notes[(list_id, entry_id)] = f"concern types: {words}"
            else:
                notes[(list_id, entry_id)] = f"programmes: {', '.join(programs)}"
    return notes


def _add_party_findings(findings: Findings, facts: _Facts, batch: pa.RecordBatch,
                        index: NameIndex, config: RunConfig, matcher: Matcher,
                        note_of: Callable[[str, str], str]) -> None:
    """Match full names, aliases, affiliated organisations and funders against the lists;
    ``note_of(list_id, entry_id)`` adds what the list says of the entry to the explanation."""
    n = facts.n
    rows_all = np.arange(n, dtype=np.int64)
    nat_parents, nat_positions, nat_codes = facts.nationalities
    first = np.flatnonzero(nat_positions == 0)
    first_nationality = np.full(n, None, dtype=object)
    first_nationality[nat_parents[first]] = nat_codes.take(pa.array(first)).to_numpy(
        zero_copy_only=False)
    nationality = pa.array(first_nationality, _STR)
    birth_year = pc.year(batch.column("date_of_birth"))

    queries = _Queries()
    queries.add(rows_all, pa.array(np.full(n, "full_name"), _STR),
                deemed.clean_text(batch.column("full_name")), nationality, birth_year, "person")
    parents, positions, flat = deemed.list_parents(batch.column("aliases"))
    take = pa.array(parents)
    queries.add(parents, _indexed_field("aliases", positions), deemed.clean_text(flat),
                nationality.take(take), birth_year.take(take), "person")
    aff = facts.affiliations
    no_years = pa.nulls(len(aff.parents), pa.int32())
    queries.add(aff.parents, _indexed_field("affiliations", aff.positions, ".organisation"),
                aff.organisation, aff.country, no_years, "organisation")
    fund = facts.funding
    queries.add(fund.parents, _indexed_field("funding", fund.positions, ".payer"), fund.payer,
                fund.country, pa.nulls(len(fund.parents), pa.int32()), "organisation")

    q_rows = np.concatenate(queries.rows)
    if not len(q_rows):
        return
    q_fields = pa.concat_arrays(queries.fields)
    q_names = pa.concat_arrays(queries.names)
    entity_types = [t for t, size in zip(queries.entity_types, queries.sizes, strict=True)
                    for _ in range(size)]
    matches = matcher(index, q_names, config.match,
                      countries=pa.concat_arrays(queries.countries).to_pylist(),
                      birth_years=pa.concat_arrays(queries.birth_years).to_pylist(),
                      entity_types=entity_types)
    if matches.num_rows == 0:
        return
    matches = matches.combine_chunks()
    pos = np.asarray(matches.column("query_pos").to_numpy(), dtype=np.int64)
    take = pa.array(pos)
    is_hit = deemed.to_numpy_bool(matches.column("is_hit"))
    list_ids = matches.column("list_id").combine_chunks().to_pylist()
    entry_ids = matches.column("entry_id").combine_chunks().to_pylist()
    notes = pa.array([note_of(lid, eid) for lid, eid in zip(list_ids, entry_ids, strict=True)],
                     _STR)
    note_clause = pc.if_else(pc.equal(notes, ""), pa.scalar("", _STR), _join(" — ", notes))
    field_ = q_fields.take(take)
    explanation = _join(field_, ": ", _text(matches.column("explanation").combine_chunks(), ""),
                        note_clause)
    party = {name: matches.column(name).combine_chunks()
             for name in ("list_id", "list_version", "entry_id", "matched_name", "alias_kind",
                          "score", "features")}
    party["match_basis"] = pc.if_else(matches.column("same_tokens").combine_chunks(),
                                      MATCH_SAME_TOKENS, MATCH_FUZZY)
    for code, mask in (("PARTY_HIT", is_hit), ("PARTY_NEAR_MATCH", ~is_hit)):
        sel = np.flatnonzero(mask)
        idx = pa.array(sel)
        findings.add(
            rows=q_rows[pos[sel]], order=pos[sel], finding="party",
            reason_code=code, decision=np.full(len(sel), _REVIEW, np.int8),
            field=field_.take(idx), query_value=q_names.take(take).take(idx),
            explanation=explanation.take(idx),
            **{k: v.take(idx) for k, v in party.items()})
