"""Name pools: invented company names and common person names, drawn a batch at a time.

The pools are the project's curated CSV files in ``datasets/reference/name_pools/``. Every
draw is vectorised: a batch of country codes in, an Arrow string array out, so a batch of
100,000 names costs a few NumPy draws and Arrow ``take``/``join`` calls, never a Python loop.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen._data import datasets_dir
from bulkscreen.tools.generate.geography import ALL_CODES, code_index
from bulkscreen.tools.generate.sampling import WeightedChoice

FORM_TABLE_SIZE = 1024

FALLBACK_COUNTRY = "*"
"""Country key of the pools used for countries without their own words or legal forms."""

NATIVE_FAMILY_FIRST = frozenset({"JP", "CN", "TW", "KR"})
"""Countries whose native-script names are written family name first, without a space."""

FAMILY_FIRST_ROMANISED = frozenset({"JP", "CN", "TW", "KR", "VN"})
"""Countries where romanised names are often written family name first as well."""


def name_pools_dir() -> Path:
    """Return the folder of the curated name pools."""
    return datasets_dir() / "reference" / "name_pools"


def _read_csv(name: str) -> list[dict[str, str]]:
    with (name_pools_dir() / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class _Segments:
    """Strings grouped by key, laid out one group after another for vectorised draws."""

    keys: tuple[str, ...]
    values: pa.StringArray
    offsets: np.ndarray  # start of each key's group in ``values``
    sizes: np.ndarray  # size of each key's group (0 if the key has none)

    @classmethod
    def build(cls, keys: tuple[str, ...], groups: dict[str, list[str]]) -> _Segments:
        values: list[str] = []
        offsets = np.zeros(len(keys), dtype=np.int64)
        sizes = np.zeros(len(keys), dtype=np.int64)
        for i, key in enumerate(keys):
            offsets[i] = len(values)
            sizes[i] = len(groups.get(key, ()))
            values.extend(groups.get(key, ()))
        return cls(keys, pa.array(values, type=pa.string()), offsets, sizes)

    def draw(self, key_index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Return, per row, an index into ``values`` within the row's group (-1 if empty)."""
        sizes = self.sizes[key_index]
        picks = self.offsets[key_index] + (rng.random(len(key_index)) * sizes).astype(np.int64)
        return np.where(sizes > 0, picks, -1)


def _take(values: pa.Array, indices: np.ndarray) -> pa.Array:
    """``values.take(indices)`` where a negative index gives null."""
    mask = indices < 0
    safe = np.where(mask, 0, indices)
    taken = values.take(pa.array(safe))
    if mask.any():
        taken = pc.if_else(pa.array(mask), pa.nulls(len(taken), taken.type), taken)
    return taken


def join_words(parts: list[pa.Array], separator: str = " ") -> pa.Array:
    """Join string arrays element-wise with ``separator``, skipping nulls."""
    return pc.binary_join_element_wise(*parts, separator, null_handling="skip")


class CompanyNamePools:
    """Invented company names per country: ``[place] brand core legal-form``."""

    def __init__(self) -> None:
        words: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in _read_csv("company_words.csv"):
            words[row["slot"]][row["country"]].append(row["word"])
        forms: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
        for row in _read_csv("legal_forms.csv"):
            forms[row["country"]].append((row["form"], row["position"], float(row["weight"])))
        countries = sorted(set(words["brand"]) | set(forms))
        if FALLBACK_COUNTRY not in countries:
            raise ValueError("company_words.csv needs words for the fallback country '*'")
        self.countries: tuple[str, ...] = tuple(countries)
        self._country_index = {c: i for i, c in enumerate(self.countries)}
        fallback_words = {slot: words[slot][FALLBACK_COUNTRY] for slot in ("brand", "core")}
        self._place = _Segments.build(self.countries, words["place"])
        self._brand = _Segments.build(
            self.countries, {c: words["brand"].get(c) or fallback_words["brand"] for c in countries}
        )
        self._core = _Segments.build(
            self.countries, {c: words["core"].get(c) or fallback_words["core"] for c in countries}
        )
        # Legal forms: one look-up table row per country, so a single fancy index draws
        # each row's form from its own country's weights.
        form_names: list[str] = []
        form_prefix: list[bool] = []
        tables: list[np.ndarray] = []
        for country in self.countries:
            entries = forms.get(country) or forms[FALLBACK_COUNTRY]
            choice = WeightedChoice([weight for _, _, weight in entries], FORM_TABLE_SIZE)
            tables.append(choice.table + len(form_names))
            form_names.extend(form for form, _, _ in entries)
            form_prefix.extend(position == "prefix" for _, position, _ in entries)
        self._forms = pa.array(form_names, type=pa.string())
        self._form_is_prefix = np.array(form_prefix)
        self._form_table = np.stack(tables)
        fallback = self._country_index[FALLBACK_COUNTRY]
        self._pool_of_code = np.array(
            [self._country_index.get(code, fallback) for code in ALL_CODES], dtype=np.int64
        )

    def country_index(self, countries: np.ndarray) -> np.ndarray:
        """Map country indices (``geography.ALL_CODES``) to pool indices (fallback pool if
        the country has no words of its own)."""
        return self._pool_of_code[countries]

    def draw(self, countries: np.ndarray, rng: np.random.Generator) -> pa.StringArray:
        """Return one invented company name per country code.

        Parameters
        ----------
        countries
            Country indices (``geography.ALL_CODES``), one per name to draw.
        rng
            Source of randomness.

        Returns
        -------
        pyarrow.StringArray
            Names such as ``"Shenzhen Huaxin Electronics Co., Ltd."``.
        """
        key = self.country_index(countries)
        n = len(key)
        place = self._place.draw(key, rng)
        place = np.where(rng.random(n) < 0.45, place, -1)
        brand = self._brand.draw(key, rng)
        core = self._core.draw(key, rng)
        form = self._form_table[key, rng.integers(0, FORM_TABLE_SIZE, n)]
        prefix = self._form_is_prefix[form]
        form_text = self._forms.take(pa.array(form))
        no_form = pa.nulls(n, pa.string())
        return join_words(
            [
                pc.if_else(pa.array(prefix), form_text, no_form),
                _take(self._place.values, place),
                _take(self._brand.values, brand),
                _take(self._core.values, core),
                pc.if_else(pa.array(~prefix), form_text, no_form),
            ]
        )


@dataclass(frozen=True)
class PersonNames:
    """A batch of person names: the name as written in records, and a native-script alias."""

    full_name: pa.StringArray
    native_alias: pa.StringArray  # null where the country has no other script or by chance


class PersonNamePools:
    """Common given and family names per country, with native script where it differs."""

    def __init__(self) -> None:
        given: dict[str, list[str]] = defaultdict(list)
        given_native: dict[str, list[str]] = defaultdict(list)
        family: dict[str, list[str]] = defaultdict(list)
        family_native: dict[str, list[str]] = defaultdict(list)
        for row in _read_csv("given_names.csv"):
            key = f"{row['country']}/{row['sex']}"
            given[key].append(row["latin"])
            given_native[key].append(row["native"])
        for row in _read_csv("family_names.csv"):
            family[row["country"]].append(row["latin"])
            family_native[row["country"]].append(row["native"])
        self.countries: tuple[str, ...] = tuple(sorted(family))
        given_keys = tuple(f"{c}/{s}" for c in self.countries for s in ("F", "M"))
        self._given = _Segments.build(given_keys, given)
        self._given_native = _Segments.build(given_keys, given_native)
        self._family = _Segments.build(self.countries, family)
        self._family_native = _Segments.build(self.countries, family_native)
        self._native_family_first = np.array([c in NATIVE_FAMILY_FIRST for c in self.countries])
        self._pool_of_code = np.full(len(ALL_CODES), -1, dtype=np.int64)
        for i, country in enumerate(self.countries):
            self._pool_of_code[code_index(country)] = i
        self._family_first = np.array([c in FAMILY_FIRST_ROMANISED for c in self.countries])

    def country_index(self, countries: np.ndarray) -> np.ndarray:
        """Map country indices (``geography.ALL_CODES``) to pool indices (-1: no pool)."""
        return self._pool_of_code[countries]

    def draw(
        self, countries: np.ndarray, rng: np.random.Generator, native_rate: float = 0.4
    ) -> PersonNames:
        """Return one person name per country code.

        Parameters
        ----------
        countries
            Country indices (``geography.ALL_CODES``) of the persons' first nationality; a
            country without a pool of its own draws from a random pool.
        rng
            Source of randomness.
        native_rate
            Share of persons from countries with another script who get a native-script alias
            (漢字, 한글, Cyrillic).

        Returns
        -------
        PersonNames
            Romanised full names in one of three styles ("Given Family", "FAMILY Given",
            "GIVEN FAMILY") and the native-script alias or null.
        """
        n = len(countries)
        key = self.country_index(countries)
        missing = key < 0
        if missing.any():
            key = np.where(missing, rng.integers(0, len(self.countries), n), key)
        sex = (rng.random(n) < 0.5).astype(np.int64)
        given_key = key * 2 + sex
        # Draw native and Latin from the same position so the alias is the same name.
        given_pick = self._given.draw(given_key, rng)
        family_pick = self._family.draw(key, rng)
        given = _take(self._given.values, given_pick)
        family = _take(self._family.values, family_pick)

        style = rng.random(n)
        family_first = self._family_first[key] & (style < 0.45)
        upper_family = (style >= 0.45) & (style < 0.6)
        all_upper = (style >= 0.6) & (style < 0.7)
        family_upper = pc.utf8_upper(family)
        given_family = join_words([given, pc.if_else(pa.array(upper_family), family_upper,
                                                     family)])
        family_given = join_words([family_upper, given])
        full = pc.if_else(pa.array(family_first), family_given, given_family)
        full = pc.if_else(pa.array(all_upper), pc.utf8_upper(full), full)

        given_native = _take(self._given_native.values, given_pick)
        family_native = _take(self._family_native.values, family_pick)
        has_native = pc.and_(
            pc.greater(pc.utf8_length(given_native), 0),
            pc.greater(pc.utf8_length(family_native), 0),
        )
        wanted = pa.array(rng.random(n) < native_rate)
        native = pc.if_else(
            pa.array(self._native_family_first[key]),
            pc.binary_join_element_wise(family_native, given_native, ""),
            join_words([given_native, family_native]),
        )
        native = pc.if_else(pc.and_(has_native, wanted), native, pa.nulls(n, pa.string()))
        return PersonNames(full_name=full, native_alias=native)


@dataclass(frozen=True)
class Organisation:
    """A real organisation from the curated pool."""

    country: str
    kind: str
    name: str


@cache
def load_organisations() -> tuple[Organisation, ...]:
    """Return the curated real organisations (universities, institutes, funders, companies)."""
    return tuple(
        Organisation(row["country"], row["kind"], row["name"])
        for row in _read_csv("organisations.csv")
    )


@cache
def company_name_pools() -> CompanyNamePools:
    """Return the company-name pools, read once per process."""
    return CompanyNamePools()


@cache
def person_name_pools() -> PersonNamePools:
    """Return the person-name pools, read once per process."""
    return PersonNamePools()
