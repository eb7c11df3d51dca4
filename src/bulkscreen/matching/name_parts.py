"""Whether a match covers the parts of a list name that say *who* it is.

Rules keep common names from alerting on a listed name they only half share:

- **Family name.** Lists write a person as ``FAMILY, Given Patronymic`` ("SHVED, Andrey
  Ivanovich"). A query that matches the given name and the patronymic but not the family name
  ("Andrey Ivanov") is another person with a common given name: the family name is what
  identifies. Such a match is capped under the review threshold.
- **One-word list names.** A list name of one word ("PIONEER", the vessel "LINDA", the alias
  "BILAL") is reached by any longer name holding that word. A query of several words that is
  not that word alone ("Pioneer Manufacturing LLC", "Linda Taylor") is capped likewise; a
  one-word query (the word itself with a typo) stays a near match. A generic word that is
  also part of some legal form ("Industrial", "International") counts as another word. A
  vessel's or aircraft's name inside a longer name ("Ever Glory Components Co., Ltd." against
  the ship EVER GLORY) is capped the same way: the other words name a company, not the craft.
- **Short tokens.** In a name a short token that differs in a consonant is
  another name, not a typo, when its first letter differs: "Ming" is not "Jing", "Li" is
  not "Qi", "Yong" is not "Dong". A query token of four letters or fewer that is close only
  to such a short token of the list name caps the match. Tokens that differ only in vowels,
  an inner h, or the letters romanisations swap (k/g, p/b, t/d, ch/j, r/l, sh/s, v/w) are the
  same name ("Hyun" ~ "Hyon", "Jong" ~ "Chong", "Vang" ~ "Wang", "Jon" ~ "John").
- **Common names** (since party-names-v6). A person match of one or two tokens that many
  list entries hold (:data:`COMMON_NAME_ENTRIES`: "mohammad", "ali", "hassan") and that is
  not the same tokens ("Omar Mohamed" ~ "OMAR, Mohammed") is capped: it is as likely
  another person of a common name as a spelling of the listed one.
- **Other known names** (since party-names-v6). A query token that the list name does not
  hold, that is itself a token of the lists' person names, and whose closest token in the
  list name has other consonants, transliterations aside, is another name, not a typo:
  "Javad Rahimi" is not "JAVAD RAHIQI", "Shakil" is not "SHAMIL".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import JaroWinkler

from bulkscreen.matching.extra_rows import PerIndexCache, StoredForm, pack_texts, unpack_texts
from bulkscreen.matching.informative import similar_tokens

SHORT_TOKEN_LENGTH = 4
"""Tokens this long or shorter must agree in their consonants (see the module text)."""

# Letters that romanisations of one name swap, folded to one letter (v/w, k/g, p/b ...).
_ROMANISATION_PAIRS = (("ch", "j"), ("sh", "s"), ("g", "k"), ("b", "p"), ("d", "t"),
                       ("r", "l"), ("v", "w"))
_VOWELS_AND_GLIDES = re.compile(r"[aeiouyw]")
_INNER_H = re.compile(r"(?<=.)h")


@lru_cache(maxsize=1 << 14)
def folded_letters(token: str) -> str:
    """A token with the letters romanisations swap folded: ``"vang"`` -> ``"wang"``."""
    for written, folded in _ROMANISATION_PAIRS:
        token = token.replace(written, folded)
    return token


@lru_cache(maxsize=1 << 14)
def consonant_skeleton(token: str) -> str:
    """The consonants of a token, romanisation pairs folded, an inner ``h`` dropped:
    ``"hyun"`` and ``"hyon"`` -> ``"hn"``, ``"john"`` and ``"jon"`` -> ``"jn"``.

    Parameters
    ----------
    token
        A normalised (lower-case ASCII) token.
    """
    return _VOWELS_AND_GLIDES.sub("", _INNER_H.sub("", folded_letters(token)))


def _is_short(token: str) -> bool:
    return len(token) <= SHORT_TOKEN_LENGTH and token.isalpha() and token.isascii()


CONFLICT_JW = 0.6
"""A short query token's closest name token must be this close to count as matched to it."""


@lru_cache(maxsize=1)
def legal_form_words() -> frozenset[str]:
    """Tokens of the legal forms normalisation strips (``co``, ``ltd``, ``kk`` ...)."""
    from bulkscreen.normalize.tables import load_tables

    return load_tables().legal_forms.vocabulary


def _same_consonants(a: str, b: str) -> bool:
    """The same consonants, romanisation pairs or transliterated spellings folded."""
    return ((folded_letters(a)[:1] == folded_letters(b)[:1]
             and consonant_skeleton(a) == consonant_skeleton(b))
            or variant_skeleton(a) == variant_skeleton(b))


def same_name_token(a: str, b: str) -> bool:
    """Whether two tokens are one name: similar (:func:`similar_tokens`), or the same
    consonants and first letter once romanisation pairs are folded (``"vol"`` ~ ``"wol"``)."""
    return similar_tokens(a, b) or (
        folded_letters(a)[:1] == folded_letters(b)[:1]
        and consonant_skeleton(a) == consonant_skeleton(b))


@lru_cache(maxsize=1 << 16)
def short_token_conflict(query_text: str, name_text: str) -> bool:
    """Whether a short query token is matched to a different short name of the list name.

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).

    Returns
    -------
    bool
        True when a query token of two to :data:`SHORT_TOKEN_LENGTH` letters has no token of
        the name with the same consonant skeleton, and its closest name token that the query
        does not hold as written (Jaro-Winkler, at least :data:`CONFLICT_JW`) is short too and
        starts with another letter ("ming" and "jing"). A typo past the first letter ("bamk"
        for "bank"), a dropped first letter ("ride" for "pride") and legal-form words ("kk",
        "co") are not conflicts.
    """
    query = [t for t in query_text.split(" ") if t]
    name = [t for t in name_text.split(" ") if t]
    # A token of vowels and glides alone ("wu", "wei", "yi") has an empty skeleton, which
    # says nothing about which name it is: it never counts as the same consonants.
    skeletons = {consonant_skeleton(t) for t in name} - {""}
    # Name tokens the query has as written are matched already: "in" is not "and" when the
    # query holds "and" too.
    left = [t for t in name if t not in query]
    if not left:
        return False
    skip = legal_form_words()
    for q in query:
        if (len(q) < 2 or not _is_short(q) or q in skip or q in name
                or consonant_skeleton(q) in skeletons):
            continue
        best = max(left, key=lambda n, q=q: JaroWinkler.similarity(q, n))
        if (_is_short(best) and best not in skip
                and JaroWinkler.similarity(q, best) >= CONFLICT_JW
                and folded_letters(best)[0] != folded_letters(q)[0]
                and best[1:] != q and q[1:] != best):
            return True
    return False


@lru_cache(maxsize=1 << 16)
def family_tokens(raw_name: str) -> tuple[str, ...]:
    """Normalised tokens of the family name of a ``FAMILY, Given`` person name.

    Parameters
    ----------
    raw_name
        A person's list name as published.

    Returns
    -------
    tuple of str
        The tokens before the first comma, normalised like any name; empty when the name has
        no comma, or nothing on either side of it.
    """
    family, comma, given = raw_name.partition(",")
    if not comma or not family.strip() or not given.strip():
        return ()
    from bulkscreen.lists.name_index import match_tokens
    from bulkscreen.normalize import normalize_name

    return tuple(match_tokens(normalize_name(family, "person")))


def covers_family_name(query_text: str, family: Sequence[str]) -> bool:
    """Whether a family-name token has a similar token in the query.

    Parameters
    ----------
    query_text
        The query's normalised match text (tokens joined by single spaces).
    family
        :func:`family_tokens` of the list name; an empty family name is always covered.
    """
    if not family:
        return True
    query = [t for t in query_text.split(" ") if t]
    # A family name written joined or split ("Abdel Rahman" / "Abdelrahman") still counts.
    joined = "".join(query)
    # One token is enough: a double surname is often written with its first part alone
    # ("GONZALEZ ANGUIANO, Moises" as "Moises Gonzalez").
    return any(any(same_name_token(q, f) for q in query) or f in joined for f in family)


def misses_name_part(query_texts: Sequence[str], name_texts: Sequence[str],
                     raw_names: Sequence[str], person: np.ndarray,
                     checked: np.ndarray) -> np.ndarray:
    """Where ``checked``, whether the query holds a short token that is another name
    (:func:`short_token_conflict`) or, for a person, leaves the family name unmatched.

    Parameters
    ----------
    query_texts, name_texts, raw_names
        One normalised query text, normalised list name and published list name per match.
    person
        Whether each list name is a person's (only then is the family name checked).
    checked
        Matches to test (those whose tokens differ from the query's).

    Returns
    -------
    numpy.ndarray
        Boolean, False where not checked.
    """
    out = np.zeros(len(query_texts), dtype=bool)
    for k in np.flatnonzero(checked):
        out[k] = short_token_conflict(query_texts[k], name_texts[k]) or (
            bool(person[k])
            and not covers_family_name(query_texts[k], family_tokens(raw_names[k])))
    return out


COMMON_NAME_ENTRIES = 50
"""A person-name token that this many list entries or more hold ("mohammad", "ali",
"hassan", "sergey") is a common name: it says little about *which* person a name is."""

COMMON_NAME_TOKENS = 2
"""At most this many matched common tokens: more of them together do say who it is."""

KNOWN_NAME_MIN_LENGTH = 3
"""Shortest query token read as another known name (:func:`other_known_name`)."""

_VARIANT_FOLDS = (("ph", "f"), ("ck", "k"), ("x", "ks"), ("tz", "ts"), ("zh", "j"),
                  ("sch", "sh"), ("kh", "h"), ("c", "k"), ("q", "k"), ("z", "s"))
_DOUBLED = re.compile(r"(.)\1+")


@dataclass(frozen=True)
class NameTokenStats:
    """How often each token occurs in the list names of one index.

    Attributes
    ----------
    person_entries
        Token -> number of list entries (list, entry) whose person names hold it.
    """

    person_entries: dict[str, int]


def _build_token_stats(index) -> NameTokenStats:
    columns = index.names.select(["list_id", "entry_id", "entity_type", "match_text"])
    holders: dict[str, set[tuple[str, str]]] = {}
    for list_id, entry_id, entity, text in zip(
            *(columns.column(c).to_pylist() for c in columns.column_names), strict=True):
        if entity == "person":
            for token in (text or "").split(" "):
                holders.setdefault(token, set()).add((list_id, entry_id))
    holders.pop("", None)
    return NameTokenStats({t: len(e) for t, e in holders.items()})


def _save_token_stats(stats: NameTokenStats) -> dict[str, np.ndarray]:
    counts = stats.person_entries
    return {**pack_texts(list(counts), "tokens"),
            "entries": np.fromiter(counts.values(), dtype=np.int64, count=len(counts))}


def _load_token_stats(arrays: dict[str, np.ndarray]) -> NameTokenStats:
    tokens = unpack_texts(arrays, "tokens")
    return NameTokenStats(dict(zip(tokens, arrays["entries"].tolist(), strict=True)))


_token_stats: PerIndexCache[NameTokenStats] = PerIndexCache(
    _build_token_stats, stored=StoredForm("token-stats", _save_token_stats, _load_token_stats))


def name_token_stats(index) -> NameTokenStats:
    """:class:`NameTokenStats` of a name index, built once per index."""
    return _token_stats.get(index)


@lru_cache(maxsize=1 << 14)
def variant_skeleton(token: str) -> str:
    """:func:`consonant_skeleton` after the spellings transliterations trade (ph/f, kh/h,
    x/ks, tz/ts, zh/j, c/k/q, z/s, dj/j/y), doubled letters collapsed:
    ``"yusuf"`` and ``"jusuf"``, ``"andrej"`` and ``"andrey"``, ``"khalid"`` and ``"halid"``
    are one name."""
    token = token.replace("dj", "j").replace("j", "y")
    for written, folded in _VARIANT_FOLDS:
        token = token.replace(written, folded)
    return _DOUBLED.sub(r"\1", consonant_skeleton(token))


def _matched_pairs(query: list[str], name: list[str]) -> list[tuple[str, str]]:
    """(query token, its closest similar name token) for each query token that has one."""
    pairs = []
    for q in query:
        close = [n for n in name if similar_tokens(q, n)]
        if close:
            pairs.append((q, max(close, key=lambda n, q=q: JaroWinkler.similarity(q, n))))
    return pairs


def rests_on_common_names(query_text: str, name_text: str, entries: dict[str, int]) -> bool:
    """Whether every list-name token the query matches is a common name.

    A person match of common names alone ("Omar Mohamed" ~ "OMAR, Mohammed", "Ahmed
    Hassan" ~ "AHMED MAHMOUD HASSAN") that is not the same tokens is as likely another
    person of that name as a spelling of the listed one: it goes to review only as the same
    tokens, or with a birth date or identifier that confirms it.

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).
    entries
        :attr:`NameTokenStats.person_entries`.
    """
    query = [t for t in query_text.split(" ") if t]
    name = [t for t in name_text.split(" ") if t]
    matched = {n for _, n in _matched_pairs(query, name)}
    return (0 < len(matched) <= COMMON_NAME_TOKENS
            and all(entries.get(n, 0) >= COMMON_NAME_ENTRIES for n in matched))


def other_known_name(query_text: str, name_text: str, known: dict[str, int] | frozenset[str],
                     skip: frozenset[str] = frozenset()) -> bool:
    """Whether a query token is another name the lists know, not a spelling of its match.

    True when a query token of :data:`KNOWN_NAME_MIN_LENGTH` letters or more that the list
    name does not hold is itself a token of the lists' names (``known``), and its closest
    similar token of the list name has other consonants, transliterations aside
    (:func:`consonant_skeleton`, :func:`variant_skeleton`): "rahimi" is a listed name, so
    "Javad Rahimi" is not "JAVAD RAHIQI" with a typo; "Shakil" is not "SHAMIL".

    Parameters
    ----------
    query_text, name_text
        Normalised match texts.
    known
        Tokens of the list names of the same kind (person or organisation).
    skip
        Tokens never read so (generic words, place names, legal forms).
    """
    query = [t for t in query_text.split(" ") if t]
    name = [t for t in name_text.split(" ") if t]
    left = [n for n in name if n not in query]
    for q, n in _matched_pairs([q for q in query if q not in name], left):
        if (len(q) >= KNOWN_NAME_MIN_LENGTH and q in known and q not in skip
                and n not in skip and not _same_consonants(q, n)):
            return True
    return False



def other_or_common_names(query_texts: Sequence[str], name_texts: Sequence[str],
                          person: np.ndarray, stats: NameTokenStats) -> np.ndarray:
    """Per match, whether a person match rests on common names (:func:`rests_on_common_names`)
    or a query token is another name the lists know (:func:`other_known_name`).

    Parameters
    ----------
    query_texts, name_texts
        One normalised query text and list name per match (not the same tokens).
    person
        Whether each list name is a person's; other names are never read so (an
        organisation's words are tested by :mod:`bulkscreen.matching.informative`).
    stats
        :func:`name_token_stats` of the index.
    """
    out = np.zeros(len(query_texts), dtype=bool)
    entries = stats.person_entries
    for k in np.flatnonzero(person):
        out[k] = (rests_on_common_names(query_texts[k], name_texts[k], entries)
                  or other_known_name(query_texts[k], name_texts[k], entries))
    return out
