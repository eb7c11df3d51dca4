"""Realistic persons (visitors, students, staff) for deemed-export screening, with ground truth.

Names come from the per-nationality pools (with 漢字/한글/Cyrillic aliases for some), and a
known share of persons carry a real list name: either as their own name (a listed
individual) or as an affiliation (a listed organisation), exactly or as a variant. Each
batch is drawn with NumPy and assembled with Arrow compute.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pycountry

from bulkscreen.columns import AFFILIATION_KINDS, AFFILIATION_TYPE, FUNDING_TYPE, PERSONS
from bulkscreen.tools.generate.common import (
    GenerationSummary,
    batch_rng,
    day_number,
    make_ids,
    to_dates,
    write_generated,
)
from bulkscreen.tools.generate.dirty import DirtyColumns
from bulkscreen.tools.generate.geography import (
    ALL_CODES,
    NATIONALITIES,
    SECOND_NATIONALITIES,
    CountrySampler,
    code_index,
    codes_arrow,
)
from bulkscreen.tools.generate.listnames import ListName
from bulkscreen.tools.generate.names import (
    Organisation,
    company_name_pools,
    load_organisations,
    person_name_pools,
)
from bulkscreen.tools.generate.planting import Plant, plant_names, truth_table
from bulkscreen.tools.generate.sampling import WeightedChoice

FIRST_VISIT = date(2015, 1, 1)
DUAL_NATIONALITY_RATE = 0.03
NAME_PLANT_SHARE = 0.5  # of listed persons, the share whose own name is listed (vs affiliation)
FOREIGN_GOVERNMENT_MAJOR_SHARE = 0.6  # foreign-government funding at >= 25 % of income
UNDECLARED_SHARE = 0.03  # persons who left affiliations or funding blank (unknown, not none)

OFFICIAL_STATUSES = ("diplomat", "consular", "foreign_government_official",
                     "international_organisation", "us_forces", "un_forces")
# Technology as the technology list writes it: row/item references and regime numbers.
CONTROLLED_TECHNOLOGIES = ("6項(2)", "2項(1)", "row 7 item 1", "3E001", "4E001", "5E001",
                           "6E001", "7E001", "9E001", "1E001")
HOST_DEPARTMENTS = (
    "Graduate School of Engineering", "Department of Mechanical Engineering",
    "Department of Electrical and Electronic Engineering", "Department of Applied Physics",
    "Department of Materials Science", "Department of Chemistry",
    "Department of Information Science", "Department of Aerospace Engineering",
    "Institute for Materials Research", "Research Center for Advanced Science and Technology",
    "Department of Nuclear Engineering", "Graduate School of Medicine",
    "Department of Economics", "Faculty of Letters", "Semiconductor Device Laboratory",
    "Corporate R&D Center", "Production Engineering Division", "Overseas Sales Division",
)
RESEARCH_AREAS = (
    "robotics", "machine learning", "semiconductor devices", "power electronics",
    "composite materials", "metallurgy", "organic chemistry", "quantum computing",
    "optical communications", "cryptography", "aerospace propulsion", "nuclear fuel cycle",
    "biotechnology", "virology", "clinical medicine", "economics", "Japanese literature",
    "precision machining", "sensor engineering", "unmanned aerial systems",
)
JAPANESE_FUNDERS = ("Japan Society for the Promotion of Science",
                    "Ministry of Education Culture Sports Science and Technology",
                    "Japan Science and Technology Agency")
PLANTABLE_AFFILIATION_TYPES = frozenset({"organisation", "unknown"})

DICTIONARY_COLUMNS = [
    "nationalities.list.element", "employer_in_japan", "official_status",
    "affiliations.list.element.country", "affiliations.list.element.kind",
    "funding.list.element.payer", "funding.list.element.country", "host_department",
    "research_area", "controlled_technology",
]

DIRTY_COLUMNS = DirtyColumns(
    key="person_id",
    dates=("date_of_birth", "entry_date", "visit_start"),
    required_dates=(),
    countries=("nationalities",),
    names=("full_name",),
)


def _strings(values: Sequence[str]) -> pa.Array:
    return pa.array(list(values), type=pa.string())


def _pick(values: pa.Array, n: int, rng: np.random.Generator) -> pa.Array:
    return values.take(pa.array(rng.integers(0, len(values), n)))


def _two_slot_list(count: np.ndarray, slot0: pa.Array, slot1: pa.Array,
                   unknown: np.ndarray) -> pa.ListArray:
    """A list column of 0, 1 or 2 elements per row from two per-row candidate arrays.

    Rows with no element are an empty list (declared none), or null where ``unknown``.
    """
    n = len(count)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(count, out=offsets[1:])
    rows, slots = np.nonzero(np.arange(2)[None, :] < count[:, None])
    values = pa.concat_arrays([slot0, slot1]).take(pa.array(slots * n + rows))
    return pa.ListArray.from_arrays(pa.array(offsets), values,
                                    mask=pa.array((count == 0) & unknown))


def _country_names() -> pa.Array:
    names = []
    for code in ALL_CODES:
        country = pycountry.countries.get(alpha_2=code)
        names.append(getattr(country, "common_name", None) or getattr(country, "name", code)
                     if country else code)
    return _strings(names)


class _OrganisationsByCountry:
    """Curated organisations of some kinds, drawn by country index."""

    def __init__(self, organisations: Sequence[Organisation], kinds: set[str]) -> None:
        chosen = [o for o in organisations if o.kind in kinds]
        chosen.sort(key=lambda o: code_index(o.country))
        self.values = _strings([o.name for o in chosen])
        self.sizes = np.zeros(len(ALL_CODES), dtype=np.int64)
        self.offsets = np.zeros(len(ALL_CODES), dtype=np.int64)
        for i, org in enumerate(chosen):
            index = code_index(org.country)
            if self.sizes[index] == 0:
                self.offsets[index] = i
            self.sizes[index] += 1

    def draw(self, countries: np.ndarray, rng: np.random.Generator) -> tuple[pa.Array,
                                                                             np.ndarray]:
        """Names (null where the country has none) and a mask of rows that got one."""
        sizes = self.sizes[countries]
        has = sizes > 0
        picks = self.offsets[countries] + (rng.random(len(countries)) * sizes).astype(np.int64)
        if not len(self.values):
            return pa.nulls(len(countries), pa.string()), has
        return self.values.take(pa.array(np.where(has, picks, 0), mask=~has)), has


def _without_listed(organisations: Sequence[Organisation],
                    list_names: Sequence[ListName] | None) -> list[Organisation]:
    """Drop pool organisations whose name is on a list, so 'pool' in the truth stays true."""
    listed = {n.name.casefold().strip() for n in list_names or ()}
    return [o for o in organisations if o.name.casefold().strip() not in listed]


class _PersonBatches:
    """Draws person batches; holds what is fixed for a run."""

    def __init__(self, seed: int, end_date: date, list_names: Sequence[ListName] | None,
                 listed_rate: float) -> None:
        self.seed = seed
        self.people = person_name_pools()
        self.companies = company_name_pools()
        organisations = _without_listed(load_organisations(), list_names)
        self.foreign_orgs = _OrganisationsByCountry(
            organisations, {"university", "company", "research_institute"})
        self.governments = _OrganisationsByCountry(organisations, {"government"})
        self.japanese_hosts = _strings([o.name for o in organisations
                                        if o.country == "JP" and o.kind != "government"])
        self.nationality = CountrySampler(NATIONALITIES)
        self.second_nationality = CountrySampler(SECOND_NATIONALITIES)
        self.affiliation_country = CountrySampler({"US": 4, "CN": 3, "DE": 2, "GB": 2,
                                                   "KR": 1, "FR": 1, "RU": 0.5, "IR": 0.3})
        self.country_names = _country_names()
        self.jp = code_index("JP")
        self.last_day = day_number(end_date)
        self.first_day = min(day_number(FIRST_VISIT), self.last_day)
        persons = [n for n in list_names or () if n.entity_type == "person"]
        organisations_listed = [n for n in list_names or ()
                                if n.entity_type in PLANTABLE_AFFILIATION_TYPES]
        # Affiliations come first from the Japanese lists (End User List, Russia lists).
        japanese = [n for n in organisations_listed if n.list_id.startswith("jp-")]
        self.listed_persons = persons
        self.listed_organisations = japanese or organisations_listed
        self.listed_rate = listed_rate if (persons or organisations_listed) else 0.0
        self.strings = {name: _strings(values) for name, values in (
            ("status", OFFICIAL_STATUSES), ("technology", CONTROLLED_TECHNOLOGIES),
            ("department", HOST_DEPARTMENTS), ("area", RESEARCH_AREAS),
            ("kind", AFFILIATION_KINDS), ("jp_funder", JAPANESE_FUNDERS))}
        self.affiliation_kind = WeightedChoice([0.4, 0.35, 0.25])

    def _split_plants(self, listed: np.ndarray, rng: np.random.Generator
                      ) -> tuple[list[Plant], list[Plant]]:
        as_name = rng.random(len(listed)) < NAME_PLANT_SHARE
        if not self.listed_persons:
            as_name[:] = False
        if not self.listed_organisations:
            as_name[:] = True
        name_plants = plant_names(self.listed_persons, listed[as_name], rng)
        affiliation_plants = plant_names(self.listed_organisations, listed[~as_name], rng)
        return name_plants, affiliation_plants

    def _affiliation_slot(self, nationality: np.ndarray, rng: np.random.Generator
                          ) -> tuple[pa.Array, np.ndarray, pa.Array]:
        n = len(nationality)
        abroad = rng.random(n) < 0.3
        country = np.where(abroad, self.affiliation_country.draw(n, rng), nationality)
        country = np.where(country == self.jp, self.affiliation_country.draw(n, rng), country)
        real, has_real = self.foreign_orgs.draw(country, rng)
        invented = self.companies.draw(country, rng)
        use_real = pa.array(has_real & (rng.random(n) < 0.6))
        kind = self.strings["kind"].take(pa.array(self.affiliation_kind.draw(n, rng)))
        return pc.if_else(use_real, real, invented), country, kind

    def _funding_slot(self, nationality: np.ndarray, host: pa.Array, foreign: np.ndarray,
                      rng: np.random.Generator) -> tuple[pa.Array, np.ndarray, np.ndarray]:
        """Payer, payer country and whether the payer is a foreign government."""
        n = len(nationality)
        u = rng.random(n)
        foreign_government = foreign & (u < 0.35)
        japanese_funder = np.where(foreign, (u >= 0.35) & (u < 0.6), u < 0.5)
        from_host = np.where(foreign, (u >= 0.6) & (u < 0.85), (u >= 0.5) & (u < 0.95))
        government, has_government = self.governments.draw(nationality, rng)
        fallback = pc.binary_join_element_wise(
            "Government of", self.country_names.take(pa.array(nationality)), " ")
        government = pc.if_else(pa.array(has_government), government, fallback)
        private = pc.binary_join_element_wise(
            "Private funds", codes_arrow(nationality), " (")
        private = pc.binary_join_element_wise(private, ")", "")
        payer = pc.if_else(pa.array(foreign_government), government,
                           pc.if_else(pa.array(japanese_funder),
                                      _pick(self.strings["jp_funder"], n, rng),
                                      pc.if_else(pa.array(from_host), host, private)))
        country = np.where(japanese_funder | from_host, self.jp, nationality)
        return payer, country, foreign_government

    def draw(self, batch_index: int, start: int, n: int
             ) -> tuple[pa.Table, pa.Table, np.random.Generator]:
        rng = batch_rng(self.seed, batch_index)
        ids = make_ids("PER-", start, n)
        nationality = self.nationality.draw(n, rng)
        listed = np.flatnonzero(rng.random(n) < self.listed_rate)
        name_plants, affiliation_plants = self._split_plants(listed, rng)
        for plant in name_plants:
            if plant.source.country is not None:
                nationality[plant.row] = code_index(plant.source.country)
        foreign = nationality != self.jp

        second = self.second_nationality.draw(n, rng)
        dual = (rng.random(n) < DUAL_NATIONALITY_RATE) & (second != nationality)
        nationalities = _two_slot_list(1 + dual.astype(np.int64), codes_arrow(nationality),
                                       codes_arrow(second), np.zeros(n, dtype=bool))

        names = self.people.draw(nationality, rng)
        full_name, native = names.full_name, names.native_alias
        if name_plants:
            mask = np.zeros(n, dtype=bool)
            mask[[p.row for p in name_plants]] = True
            full_name = pc.replace_with_mask(full_name, pa.array(mask),
                                             _strings([p.name for p in name_plants]))
            native = pc.if_else(pa.array(mask), pa.nulls(n, pa.string()), native)
        alias_count = native.is_valid().to_numpy(zero_copy_only=False).astype(np.int64)
        aliases = _two_slot_list(alias_count, native, native, np.ones(n, dtype=bool))

        visit_start = rng.integers(self.first_day, self.last_day + 1, n)
        stay = np.clip(np.round(365 * rng.lognormal(0.0, 0.9, n)), 14, 2500).astype(np.int64)
        visit_end_missing = rng.random(n) < 0.1
        age_days = np.round(rng.uniform(19, 68, n) * 365.25).astype(np.int64)
        dob_missing = rng.random(n) < 0.05
        recent = rng.random(n) < 0.35
        before = np.where(recent, rng.integers(0, 15, n), rng.integers(0, 1500, n))
        entry_missing = ~foreign & (rng.random(n) < 0.92)

        host_real = rng.random(n) < 0.6
        host = pc.if_else(pa.array(host_real), _pick(self.japanese_hosts, n, rng),
                          self.companies.draw(np.full(n, self.jp), rng))
        employed = rng.random(n) < np.where(foreign, 0.45, 0.85)
        official = foreign & (rng.random(n) < 0.006)

        affiliation_count = np.where(
            foreign, WeightedChoice([0.57, 0.35, 0.08]).draw(n, rng),
            WeightedChoice([0.88, 0.10, 0.02]).draw(n, rng))
        org0, country0, kind0 = self._affiliation_slot(nationality, rng)
        org1, country1, kind1 = self._affiliation_slot(nationality, rng)
        if affiliation_plants:
            rows = [p.row for p in affiliation_plants]
            affiliation_count[rows] = np.maximum(affiliation_count[rows], 1)
            mask = np.zeros(n, dtype=bool)
            mask[rows] = True
            org0 = pc.replace_with_mask(org0, pa.array(mask),
                                        _strings([p.name for p in affiliation_plants]))
            for plant in affiliation_plants:
                if plant.source.country is not None:
                    country0[plant.row] = code_index(plant.source.country)
        affiliations = _two_slot_list(
            affiliation_count,
            pa.StructArray.from_arrays([org0, codes_arrow(country0), kind0],
                                       fields=list(AFFILIATION_TYPE)),
            pa.StructArray.from_arrays([org1, codes_arrow(country1), kind1],
                                       fields=list(AFFILIATION_TYPE)),
            rng.random(n) < UNDECLARED_SHARE,
        )

        funding_count = WeightedChoice([0.4, 0.45, 0.15]).draw(n, rng)
        payer0, pay_country0, government0 = self._funding_slot(nationality, host, foreign, rng)
        payer1, pay_country1, _ = self._funding_slot(nationality, host, foreign, rng)
        major = rng.random(n) < FOREIGN_GOVERNMENT_MAJOR_SHARE
        share0 = np.where(government0 & major, rng.uniform(0.25, 1.0, n),
                          np.where(government0, rng.uniform(0.02, 0.2499, n),
                                   rng.uniform(0.1, 1.0, n)))
        share0 = np.where(funding_count == 2, np.minimum(share0, 0.9), share0)
        share1 = rng.uniform(0.0, 1.0, n) * (1.0 - share0)
        funding = _two_slot_list(
            funding_count,
            pa.StructArray.from_arrays(
                [payer0, codes_arrow(pay_country0), pa.array(np.round(share0, 2))],
                fields=list(FUNDING_TYPE)),
            pa.StructArray.from_arrays(
                [payer1, codes_arrow(pay_country1), pa.array(np.round(share1, 2))],
                fields=list(FUNDING_TYPE)),
            rng.random(n) < UNDECLARED_SHARE,
        )

        instructions = rng.random(n)
        columns = {
            "person_id": ids,
            "full_name": full_name,
            "aliases": aliases,
            "date_of_birth": to_dates(visit_start - age_days, dob_missing),
            "nationalities": nationalities,
            "entry_date": to_dates(visit_start - before, entry_missing),
            "employer_in_japan": pc.if_else(pa.array(employed), host,
                                            pa.nulls(n, pa.string())),
            "official_status": self.strings["status"].take(
                pa.array(rng.integers(0, len(OFFICIAL_STATUSES), n), mask=~official)),
            "affiliations": affiliations,
            "funding": funding,
            "visit_start": to_dates(visit_start),
            "visit_end": to_dates(visit_start + stay, visit_end_missing),
            "host_department": _pick(self.strings["department"], n, rng),
            "research_area": _pick(self.strings["area"], n, rng),
            "controlled_technology": self.strings["technology"].take(
                pa.array(rng.integers(0, len(CONTROLLED_TECHNOLOGIES), n),
                         mask=rng.random(n) >= 0.05)),
            "foreign_government_instructions": pa.array(
                instructions < 0.003, mask=instructions > 0.953),
            "temporary_return": pa.nulls(n, pa.bool_()),
            "employer_priority_agreement": pa.nulls(n, pa.bool_()),
        }
        table = pa.Table.from_pydict(columns, schema=PERSONS.arrow_schema())
        truth = pa.concat_tables([
            truth_table("person_id", ids, "full_name", np.ones(n, dtype=bool), name_plants),
            truth_table("person_id", ids, "affiliations", affiliation_count >= 1,
                        affiliation_plants),
            truth_table("person_id", ids, "affiliations", affiliation_count >= 2, []),
        ])
        return table, truth, rng


def generate_persons(
    rows: int,
    seed: int,
    out: Path,
    list_names: Sequence[ListName] | None,
    listed_rate: float = 0.01,
    batch_size: int = 100_000,
    fmt: str = "parquet",
    *,
    dirty_rate: float = 0.0,
    end_date: date | None = None,
) -> GenerationSummary:
    """Generate ``rows`` persons to ``out`` with a ground-truth file beside it.

    Parameters
    ----------
    rows
        Number of persons.
    seed
        Seed of every random choice.
    out
        Output file (Parquet or CSV); written through a temporary file and renamed.
    list_names
        Real list names: individuals are planted as full names, organisations (from the
        Japanese lists first) as affiliations. None or empty plants none.
    listed_rate
        Share of persons carrying a list name (half as their own name, half as an
        affiliation; half of them written as a variant).
    batch_size
        Rows per batch (Parquet row group); bounds memory.
    fmt
        ``"parquet"`` or ``"csv"`` (the text forms of ``columns.PERSONS``).
    dirty_rate
        Share of rows spoiled on purpose (bad date text in CSV, bad nationality code,
        missing name), recorded in ``<stem>.dirty.parquet``. 0 by default.
    end_date
        Last possible visit start (visits start from 2015-01-01); today when None.

    Returns
    -------
    GenerationSummary

    Notes
    -----
    The ground truth (``<stem>.truth.parquet``) has one row per full name and per
    affiliation organisation (field ``full_name`` or ``affiliations``; a planted affiliation
    is always a person's first one), with the same columns as for shipments, keyed by
    ``person_id``.
    """
    end_date = end_date or date.today()
    return write_generated(
        lambda: _PersonBatches(seed, end_date, list_names, listed_rate), Path(out),
        PERSONS.arrow_schema(), "person_id", DIRTY_COLUMNS, DICTIONARY_COLUMNS, rows=rows,
        seed=seed, fmt=fmt, listed_rate=listed_rate, dirty_rate=dirty_rate,
        batch_size=batch_size, end_date=end_date)
