"""Deemed-export rule data and the vectorised residency and specific-category logic.

The rules live in ``datasets/rules/jp-deemed/<effective-date>/deemed.toml``. This module loads
and validates them (:func:`load_deemed_rules`), and judges a whole batch of persons at once on one
date: residency (:func:`judge_residency`), the three specific categories
(:func:`judge_affiliations`, :func:`judge_funding`), red-flag nationalities. The technology
a person receives is read against the technology list by :mod:`bulkscreen.rules.techref`.
Every function takes NumPy arrays or Arrow arrays and returns NumPy arrays; nothing loops over
rows in Python.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen._data import datasets_dir
from bulkscreen.arrays import list_parents
from bulkscreen.errors import Location, RuleDataError

REGIME = "jp-deemed"
RULES_FILE = "deemed.toml"
_EPOCH = dt.date(1970, 1, 1)
# Sums of floating shares such as 0.1 + 0.15 may land a hair below 0.25.
SHARE_TOLERANCE = 1e-9

# Residency states, one int8 per person.
RESIDENT = 0
NON_RESIDENT = 1
RESIDENCY_UNKNOWN = 2

# Why a person is non-resident (or why residency is unknown), one int8 per person.
WHY_NONE = 0
WHY_OFFICIAL_STATUS = 1
WHY_NOT_YET_ENTERED = 2
WHY_UNDER_SIX_MONTHS = 3
WHY_TEMPORARY_RETURN = 4
WHY_NO_NATIONALITY = 5
WHY_NO_ENTRY_DATE = 6


@dataclass(frozen=True)
class RedFlagCountry:
    """A Group D country whose nationality sends a person to review."""

    country: str
    table: str
    from_date: dt.date | None


@dataclass(frozen=True)
class DeemedRules:
    """One validated version of the deemed-export rules.

    Attributes mirror the sections of ``deemed.toml``; see that file for the meaning and sources.
    """

    version: str
    path: Path
    sha256: str
    foreign_resident_after_months: int
    japanese_return_months: int
    official_statuses: dict[str, str]
    categories_from: dt.date
    category_1_kinds: tuple[str, ...]
    category_1_exclusion_column: str
    income_share_threshold: float
    government_keywords: tuple[str, ...]
    government_exclusions: tuple[str, ...]
    no_technology_values: tuple[str, ...]
    unlisted_rows: tuple[str, ...]
    red_flags: tuple[RedFlagCountry, ...]
    party_lists: dict[str, str]
    concern_types: dict[str, str]
    verify: tuple[str, ...]

    @property
    def rule_version(self) -> str:
        """Version string recorded in every finding: ``jp-deemed/<effective-date>``."""
        return f"{REGIME}/{self.version}"

    def categories_apply(self, as_of: dt.date) -> bool:
        """Whether the specific categories are in force on ``as_of``."""
        return as_of >= self.categories_from

    def red_flag_countries(self, as_of: dt.date) -> dict[str, RedFlagCountry]:
        """Return the red-flag countries in force on ``as_of``, keyed by ISO alpha-2 code."""
        return {
            c.country: c for c in self.red_flags if c.from_date is None or c.from_date <= as_of
        }


def deemed_rules_root() -> Path:
    """Return the folder holding the bundled deemed-export rule versions."""
    return datasets_dir() / "rules" / REGIME


def deemed_rules_catalog() -> list[dict[str, str]]:
    """List the bundled rule versions with the sha256 of each rules file, oldest first.

    Returns
    -------
    list of dict
        ``{"regime", "version", "sha256"}`` per version, for run manifests.
    """
    out = []
    for folder in sorted(p for p in deemed_rules_root().iterdir() if p.is_dir()):
        path = folder / RULES_FILE
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            out.append({"regime": REGIME, "version": folder.name, "sha256": digest})
    return out


def _version_in_force(versions: list[str], as_of: dt.date | None) -> str:
    """Latest version on or before ``as_of``; the earliest when ``as_of`` precedes them all.

    The residency rules predate the first bundled version, so an earlier date is judged by the
    earliest version, whose category section carries its own start date.
    """
    if as_of is None:
        return versions[-1]
    eligible = [v for v in versions if dt.date.fromisoformat(v) <= as_of]
    return eligible[-1] if eligible else versions[0]


def load_deemed_rules(version: str | None = None, as_of: dt.date | None = None,
                      path: Path | None = None) -> DeemedRules:
    """Load and validate one version of the deemed-export rules.

    Parameters
    ----------
    version
        Version folder name (its effective date, ``YYYY-MM-DD``). None picks by ``as_of``.
    as_of
        Date the rules must be in force on; None means the latest version.
    path
        A rules file to load instead of a bundled version (for testing a correction).

    Returns
    -------
    DeemedRules
        The parsed rules.

    Raises
    ------
    RuleDataError
        When the file is missing, not valid TOML, or a key is missing or of the wrong type;
        the error names the file and the key.
    """
    if path is None:
        root = deemed_rules_root()
        versions = sorted(p.name for p in root.iterdir() if (p / RULES_FILE).is_file()) \
            if root.is_dir() else []
        if not versions:
            raise RuleDataError("no deemed-export rule versions are bundled",
                                Location(file=str(root)),
                                f"add a folder <effective-date>/{RULES_FILE} under {root}")
        if version is None:
            version = _version_in_force(versions, as_of)
        elif version not in versions:
            raise RuleDataError(f"unknown deemed-export rules version {version!r}",
                                Location(file=str(root)),
                                f"use one of {', '.join(versions)}")
        path = root / version / RULES_FILE
    raw_bytes = _read_bytes(path)
    try:
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleDataError(f"not valid UTF-8 TOML: {exc}", Location(file=str(path)),
                            "fix the syntax of the rules file") from None
    return _parse_rules(data, path, hashlib.sha256(raw_bytes).hexdigest())


def _read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise RuleDataError("rules file not found", Location(file=str(path)),
                            "check the path or the bundled datasets") from None


class _Reader:
    """Typed access to nested TOML keys with errors that name the file and the key."""

    def __init__(self, data: dict[str, Any], path: Path):
        self.data = data
        self.path = path

    def get(self, dotted: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is not ...:
                    return default
                raise RuleDataError(f"missing key {dotted!r}", Location(file=str(self.path)),
                                    f"add {dotted} to the rules file")
            node = node[part]
        if not isinstance(node, kind) or (isinstance(node, bool) and kind in (int, float)):
            raise RuleDataError(f"key {dotted!r} has the wrong type ({type(node).__name__})",
                                Location(file=str(self.path)),
                                f"write {dotted} as a {_kind_name(kind)}")
        return node

    def strings(self, dotted: str) -> tuple[str, ...]:
        values = self.get(dotted, list)
        if not all(isinstance(v, str) for v in values):
            raise RuleDataError(f"key {dotted!r} must be a list of strings",
                                Location(file=str(self.path)), f"quote every item of {dotted}")
        return tuple(values)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def _person_column(read: _Reader, dotted: str) -> str:
    """A PERSONS column the rules name (empty: none)."""
    from bulkscreen.columns import PERSONS

    name = read.get(dotted, str, "")
    if name and name not in PERSONS.names:
        raise RuleDataError(f"key {dotted!r} names {name!r}, not a persons column",
                            Location(file=str(read.path)),
                            f"use one of the persons columns, e.g. {PERSONS.names[-1]!r}")
    return name


def _parse_rules(data: dict[str, Any], path: Path, sha256: str) -> DeemedRules:
    read = _Reader(data, path)
    version = read.get("meta.version", str)
    months = read.get("residency.foreign_resident_after_months", int)
    statuses = read.get("residency.non_resident_official_statuses", dict)
    threshold = float(read.get("specific_categories.category_2.income_share_threshold",
                               (int, float)))
    if not 0 < threshold <= 1:
        raise RuleDataError(f"income_share_threshold {threshold} is outside (0, 1]",
                            Location(file=str(path)), "write the share as a fraction, e.g. 0.25")
    red_flags = []
    for i, item in enumerate(read.get("red_flags.countries", list)):
        country = item.get("country") if isinstance(item, dict) else None
        if not isinstance(country, str) or not re.fullmatch(r"[A-Z]{2}", country):
            raise RuleDataError(f"red_flags.countries[{i}].country must be an ISO alpha-2 code",
                                Location(file=str(path)), "write e.g. country = \"IR\"")
        from_date = item.get("from")
        if from_date is not None and not isinstance(from_date, dt.date):
            raise RuleDataError(f"red_flags.countries[{i}].from must be a TOML date",
                                Location(file=str(path)), "write e.g. from = 2014-09-15")
        red_flags.append(RedFlagCountry(country, str(item.get("table", "")), from_date))
    verify = tuple(
        name for name, section in (
            ("residency", data.get("residency", {})),
            ("specific_categories", data.get("specific_categories", {})),
            ("specific_categories.category_2",
             data.get("specific_categories", {}).get("category_2", {})),
            ("red_flags", data.get("red_flags", {})),
        ) if isinstance(section, dict) and section.get("verify") is True
    )
    return DeemedRules(
        version=version,
        path=path,
        sha256=sha256,
        foreign_resident_after_months=months,
        japanese_return_months=read.get("residency.japanese_return_months", int),
        official_statuses={str(k).lower(): str(v) for k, v in statuses.items()},
        categories_from=read.get("specific_categories.effective_from", dt.date),
        category_1_kinds=read.strings("specific_categories.category_1.affiliation_kinds"),
        category_1_exclusion_column=_person_column(
            read, "specific_categories.category_1.exclusion_column"),
        income_share_threshold=threshold,
        government_keywords=read.strings(
            "specific_categories.category_2.government_payer_keywords"),
        government_exclusions=read.strings(
            "specific_categories.category_2.government_payer_exclusions"),
        no_technology_values=tuple(
            v.lower() for v in read.strings("technology.no_technology_values")),
        unlisted_rows=read.strings("technology.unlisted_rows"),
        red_flags=tuple(red_flags),
        party_lists={str(k): str(v) for k, v in read.get("party_lists", dict, {}).items()},
        concern_types={str(k): str(v)
                       for k, v in read.get("concern_types", dict, {}).items()},
        verify=verify,
    )


# --- dates -------------------------------------------------------------------------------------

def date_to_days(value: dt.date) -> int:
    """Return ``value`` as days since 1970-01-01 (the int32 day numbers of Arrow date32)."""
    return (value - _EPOCH).days


def days_to_date(days: int) -> dt.date:
    """Inverse of :func:`date_to_days`."""
    return _EPOCH + dt.timedelta(days=int(days))


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """Add calendar months to day numbers; a missing day rolls to the 1st of the next month.

    Parameters
    ----------
    days
        int32 day numbers (days since 1970-01-01).
    months
        Calendar months to add.

    Returns
    -------
    numpy.ndarray
        int32 day numbers: the same day of the month ``months`` later, or the first day of the
        following month when that day does not exist (31 Aug + 6 months -> 1 Mar).
    """
    as_days = days.astype("datetime64[D]")
    month_start = as_days.astype("datetime64[M]")
    day_offset = as_days - month_start.astype("datetime64[D]")
    target_month = month_start + np.timedelta64(months, "M")
    next_month_first = (target_month + np.timedelta64(1, "M")).astype("datetime64[D]")
    target = np.minimum(target_month.astype("datetime64[D]") + day_offset, next_month_first)
    return target.astype(np.int64).astype(np.int32)


# --- column helpers ----------------------------------------------------------------------------

def clean_text(array: pa.Array) -> pa.Array:
    """Trimmed text with empty strings as null."""
    trimmed = pc.utf8_trim_whitespace(array.cast(pa.string()))
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def to_numpy_bool(array: pa.Array | pa.ChunkedArray, null_as: bool = False) -> np.ndarray:
    """Boolean Arrow array as a NumPy bool array, nulls replaced by ``null_as``."""
    return np.asarray(pc.fill_null(array, null_as).to_numpy(zero_copy_only=False), dtype=bool)


def date_days(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """date32 column -> (int32 day numbers with 0 for null, null mask)."""
    days = pc.fill_null(array.cast(pa.int32()), 0).to_numpy(zero_copy_only=False)
    return np.asarray(days, dtype=np.int32), to_numpy_bool(pc.is_null(array))


def any_per_row(parents: np.ndarray, element_flags: np.ndarray, n_rows: int) -> np.ndarray:
    """Whether any element of each row's list has its flag set."""
    return np.bincount(parents[element_flags], minlength=n_rows) > 0


# --- the rules ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Residency:
    """Residency of each person on one date.

    Attributes
    ----------
    state
        int8: RESIDENT, NON_RESIDENT or RESIDENCY_UNKNOWN.
    why
        int8: one of the WHY_* codes explaining a non-resident or unknown state.
    resident_from
        int32 day number the person becomes resident by the six-month rule (0 if none).
    is_japanese
        Whether any nationality is JP.
    """

    state: np.ndarray
    why: np.ndarray
    resident_from: np.ndarray
    is_japanese: np.ndarray


def judge_residency(persons: pa.RecordBatch, as_of: dt.date, rules: DeemedRules) -> Residency:
    """Decide residency for a batch of persons on ``as_of``.

    A foreign national is resident when working at an office in Japan (from entry) or after the
    six months from entry are complete, unless an official status keeps them non-resident. A
    Japanese national (any nationality JP) is resident, and one returning from abroad is
    resident on return; only a temporary return of under six months keeps a Japanese national
    living abroad non-resident: ``temporary_return`` true, or not given with a ``visit_end``
    before the six months from entry end. Either way a Japanese national working at an office
    in Japan is resident, and one whose entry is still to come is abroad (non-resident). No
    nationality, or a foreign national with neither an entry date nor work in Japan, gives
    RESIDENCY_UNKNOWN.

    Parameters
    ----------
    persons
        A PERSONS batch: nationalities, entry_date, employer_in_japan, official_status, and
        temporary_return and visit_end where the batch has them.
    as_of
        The date judged.
    rules
        The deemed-export rules.

    Returns
    -------
    Residency
    """
    nationalities, entry_date = persons.column("nationalities"), persons.column("entry_date")
    employer_in_japan = persons.column("employer_in_japan")
    official_status = persons.column("official_status")
    names = persons.schema.names
    temporary_return = persons.column("temporary_return") if "temporary_return" in names \
        else None
    visit_end = persons.column("visit_end") if "visit_end" in names else None
    n = len(entry_date)
    today = date_to_days(as_of)
    parents, _, flat = list_parents(nationalities)
    flat_upper = pc.utf8_upper(pc.utf8_trim_whitespace(flat))
    is_japanese = any_per_row(parents, to_numpy_bool(pc.equal(flat_upper, "JP")), n)
    has_nationality = np.bincount(parents, minlength=n) > 0

    entry, entry_missing = date_days(entry_date)
    resident_from = np.where(entry_missing, 0,
                             add_months(entry, rules.foreign_resident_after_months))
    return_ends = np.where(entry_missing, 0, add_months(entry, rules.japanese_return_months))
    employed = to_numpy_bool(pc.is_valid(clean_text(employer_in_japan)))
    status = pc.utf8_lower(clean_text(official_status))
    official = to_numpy_bool(pc.is_in(status, value_set=pa.array(list(rules.official_statuses))))
    arrived = entry_missing | (entry <= today)
    temporary = _temporary_return(temporary_return, visit_end, return_ends, entry_missing, n)

    state = np.full(n, RESIDENT, dtype=np.int8)
    why = np.full(n, WHY_NONE, dtype=np.int8)

    foreign = has_nationality & ~is_japanese
    # Conditions are applied from the weakest to the strongest, so later ones win.
    f_short = foreign & ~entry_missing & (today < resident_from)
    state[f_short] = NON_RESIDENT
    why[f_short] = WHY_UNDER_SIX_MONTHS
    f_unknown = foreign & entry_missing
    state[f_unknown] = RESIDENCY_UNKNOWN
    why[f_unknown] = WHY_NO_ENTRY_DATE
    f_employed = foreign & employed & arrived
    state[f_employed] = RESIDENT
    why[f_employed] = WHY_NONE
    not_entered = has_nationality & ~entry_missing & (today < entry)
    f_not_entered = foreign & not_entered
    state[f_not_entered] = NON_RESIDENT
    why[f_not_entered] = WHY_NOT_YET_ENTERED
    f_official = foreign & official
    state[f_official] = NON_RESIDENT
    why[f_official] = WHY_OFFICIAL_STATUS

    j_temporary = (is_japanese & temporary & ~entry_missing & arrived & (today < return_ends)
                   & ~employed)
    state[j_temporary] = NON_RESIDENT
    why[j_temporary] = WHY_TEMPORARY_RETURN
    j_abroad = is_japanese & not_entered
    state[j_abroad] = NON_RESIDENT
    why[j_abroad] = WHY_NOT_YET_ENTERED

    state[~has_nationality] = RESIDENCY_UNKNOWN
    why[~has_nationality] = WHY_NO_NATIONALITY
    return Residency(state, why, resident_from.astype(np.int32), is_japanese)


def _temporary_return(temporary_return: pa.Array | None, visit_end: pa.Array | None,
                      return_ends: np.ndarray, entry_missing: np.ndarray, n: int) -> np.ndarray:
    """Whether each stay is a temporary return: declared, or planned to end within the months."""
    if temporary_return is None:
        declared, undeclared = np.zeros(n, bool), np.ones(n, bool)
    else:
        declared = to_numpy_bool(temporary_return)
        undeclared = to_numpy_bool(pc.is_null(temporary_return))
    if visit_end is None:
        return declared
    end, end_missing = date_days(visit_end)
    planned_short = ~end_missing & ~entry_missing & (end < return_ends)
    return declared | (undeclared & planned_short)


@dataclass(frozen=True)
class AffiliationFindings:
    """Per-affiliation flags (flat over the batch's affiliation elements).

    ``category_1`` marks the foreign contracts that put the person in specific category 1;
    ``excluded`` those the employer-priority agreement takes out of it. ``agreement`` and
    ``japanese_employer`` are per person.
    """

    parents: np.ndarray
    positions: np.ndarray
    organisation: pa.Array
    country: pa.Array
    kind: pa.Array
    category_1: np.ndarray
    missing_country: np.ndarray
    missing_kind: np.ndarray
    excluded: np.ndarray
    agreement: np.ndarray
    japanese_employer: np.ndarray


def judge_affiliations(affiliations: pa.ListArray, rules: DeemedRules,
                       priority_agreement: pa.Array | None = None,
                       employer_in_japan: pa.Array | None = None) -> AffiliationFindings:
    """Category 1: a contract of a listed kind with a foreign (non-JP) organisation.

    The category does not apply where the person is employed in Japan (``employer_in_japan``
    or an employment affiliation in JP) and has agreed that the Japanese employer's
    instructions and duties take priority over the foreign contract
    (``employer_priority_agreement`` true). An affiliation without a country, or whose kind is
    missing or unknown, cannot be judged and is reported as missing information.
    """
    parents, positions, flat = list_parents(affiliations)
    n = len(affiliations)
    organisation = clean_text(flat.field("organisation"))
    country = pc.utf8_upper(clean_text(flat.field("country")))
    kind = pc.utf8_lower(clean_text(flat.field("kind")))
    foreign = to_numpy_bool(pc.not_equal(country, "JP"))
    kind_listed = to_numpy_bool(pc.is_in(kind, value_set=pa.array(list(rules.category_1_kinds))))
    missing_country = to_numpy_bool(pc.is_null(country))
    # The kind matters only for a foreign organisation.
    missing_kind = foreign & ~kind_listed
    japan_job = to_numpy_bool(pc.equal(country, "JP")) & to_numpy_bool(
        pc.equal(kind, "employment"))
    japanese_employer = any_per_row(parents, japan_job, n)
    if employer_in_japan is not None:
        japanese_employer |= to_numpy_bool(pc.is_valid(clean_text(employer_in_japan)))
    agreement = (np.zeros(n, bool) if priority_agreement is None
                 else to_numpy_bool(priority_agreement))
    in_category = foreign & kind_listed
    excluded = in_category & (agreement & japanese_employer)[parents]
    return AffiliationFindings(parents, positions, organisation, country, kind,
                               in_category & ~excluded, missing_country, missing_kind,
                               excluded, agreement, japanese_employer)


@dataclass(frozen=True)
class FundingFindings:
    """Per-person foreign-government income share and per-funder flags."""

    parents: np.ndarray
    positions: np.ndarray
    payer: pa.Array
    country: pa.Array
    share: np.ndarray
    governmental: np.ndarray
    counted: np.ndarray
    missing_country: np.ndarray
    missing_share: np.ndarray
    foreign_government_share: np.ndarray
    category_2: np.ndarray


def government_payer_pattern(rules: DeemedRules) -> str:
    """The regular expression that recognises a governmental payer name (lower-cased NFKC)."""
    return "|".join(re.escape(k.lower()) for k in rules.government_keywords)


def judge_funding(funding: pa.ListArray, n_rows: int, rules: DeemedRules) -> FundingFindings:
    """Category 2: at least the threshold share of annual income from foreign governments.

    A payer is governmental when its NFKC, lower-cased name contains a keyword from the rules
    and no exclusion; it is foreign when its country is not JP. A governmental payer without a
    country or without a share cannot be judged and is reported as missing information.
    """
    parents, positions, flat = list_parents(funding)
    payer = clean_text(flat.field("payer"))
    folded = pc.utf8_lower(pc.utf8_normalize(pc.fill_null(payer, ""), "NFKC"))
    governmental = to_numpy_bool(pc.match_substring_regex(folded, government_payer_pattern(rules)))
    if rules.government_exclusions:
        excluded = to_numpy_bool(pc.match_substring_regex(
            folded, "|".join(re.escape(k.lower()) for k in rules.government_exclusions)))
        governmental &= ~excluded
    country = pc.utf8_upper(clean_text(flat.field("country")))
    missing_country = to_numpy_bool(pc.is_null(country))
    foreign = to_numpy_bool(pc.not_equal(country, "JP"))
    share_array = flat.field("income_share")
    missing_share = to_numpy_bool(pc.is_null(share_array))
    share = np.asarray(pc.fill_null(share_array, 0.0).to_numpy(zero_copy_only=False),
                       dtype=np.float64)
    counted = governmental & foreign & ~missing_share
    total = np.bincount(parents[counted], weights=share[counted], minlength=n_rows)
    category_2 = total >= rules.income_share_threshold - SHARE_TOLERANCE
    return FundingFindings(parents, positions, payer, country, share, governmental, counted,
                           governmental & missing_country, governmental & foreign & missing_share,
                           total, category_2)
