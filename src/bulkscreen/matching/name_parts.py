"""Whether a match covers the parts of a list name that say *who* it is.

Two rules keep common names from alerting on a listed name they only half share:

- **Family name.** Lists write a person as ``FAMILY, Given Patronymic`` ("SHVED, Andrey
  Ivanovich"). A query that matches the given name and the patronymic but not the family name
  ("Andrey Ivanov") is another person with a common given name: the family name is what
  identifies. Such a match is capped under the review threshold.
- **One-word list names.** A list name of one word ("PIONEER", the vessel "LINDA", the alias
  "BILAL") is reached by any longer name holding that word. A query of several words that is
  not that word alone ("Pioneer Manufacturing LLC", "Linda Taylor") is capped likewise; a
  one-word query (the word itself with a typo) stays a near match.
- **Short tokens.** In a name a short token that differs in a consonant is
  another name, not a typo, when its first letter differs: "Ming" is not "Jing", "Li" is
  not "Qi", "Yong" is not "Dong". A query token of four letters or fewer that is close only
  to such a short token of the list name caps the match. Tokens that differ only in vowels,
  an inner h, or the letters romanisations swap (k/g, p/b, t/d, ch/j, r/l, sh/s, v/w) are the
  same name ("Hyun" ~ "Hyon", "Jong" ~ "Chong", "Vang" ~ "Wang", "Jon" ~ "John").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import JaroWinkler

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
