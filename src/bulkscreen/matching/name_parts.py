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
- **Chinese syllables** (since party-names-v7). In a name written wholly in pinyin
  syllables, each syllable is a name: "Zheng" is not "Zhang", "Liu" is not "Li Wu", "He" is
  not "Hu", though their consonants agree. A query whose syllables differ from the list
  name's, beyond syllables one side has and the other lacks, is another person. Syllables
  split, joined or in another order ("Xi Jinping" ~ "XI Jin Ping") are the same name.
  Since party-names-v9 a person's syllable one side lacks is another name too: a Chinese
  name has no middle name, so "Wang Xue" is not "WANG, Xue Qing".
  A Chinese company's pinyin brand likewise ("Guoxin" is not "Huaguang").
- **Arabic and Hebrew words** (since party-names-v7). Between two names written in these
  scripts, which write every consonant and long vowel, a word with a letter more or less is
  another name (محمد is not محمود).
- **First given name** (since party-names-v8). A dropped middle name is a form of the same
  name; a dropped first given name is another person who shares the rest: "Bilal Ali" is
  not "BILAL, Ghassan Ali". An untyped list name written "FAMILY, Given" is a person's, and
  since party-names-v9 so is one of three names or more that the lists' people hold
  ("WILLIAM MICHAEL JOHNSON": "Michael Johnson" is another person).
- **Derived surnames** (since party-names-v8). A surname made of a name ("Mohammadi" of
  "Mohammad", "Mikhailov" of "Mikhail"; since party-names-v9 also of another spelling,
  "Mohammadi" of "Muhammad", and the Ukrainian "Melnychuk" of "Melnyk") is another name.
- **Hyphenated given names** (since party-names-v8). "Min-seo" is one name, not "Min".
- **Short brands** (since party-names-v8). A company's short brand with another vowel is
  another company: "Nova Electronics" is not "NEVA ELECTRONICS".
- **Longer brands** (since party-names-v9). A brand word two letters longer or shorter is
  another word, not a typo: "Granite Instruments" is not "GRANT INSTRUMENT".
- **Units** (since party-names-v9). A list entry for an institute of a body does not list
  the body: "Russian Academy of Sciences" is not "INSTITUTE OF SPECTROSCOPY OF THE RUSSIAN
  ACADEMY OF SCIENCES".
- **One shared brand word** (since party-names-v9). A company query that shares one
  distinctive word with the list name and adds another is another company: "Golden Dragon
  Trading" is not "DRAGON TRADING".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from rapidfuzz.distance import JaroWinkler, Levenshtein

from bulkscreen.matching.extra_rows import PerIndexCache, StoredForm, pack_texts, unpack_texts
from bulkscreen.matching.informative import (
    generic_tokens,
    similar_tokens,
    uninformative_tokens,
)
from bulkscreen.normalize.tokens import split_tokens

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


@lru_cache(maxsize=1 << 16)
def written_as_person(raw_name: str) -> bool:
    """Whether a list name of unknown type is written ``FAMILY, Given``: a comma with a
    name, not a legal form, after it ("SALIMI, Amir Hosein", not "TIGRIS TRADING, INC.").

    Lists that leave some entries untyped still write their people so; the family-name rule
    reads those names as a person's.
    """
    family, comma, given = raw_name.partition(",")
    if not comma or not family.strip():
        return False
    from bulkscreen.lists.name_index import match_tokens
    from bulkscreen.normalize import normalize_name

    given_name = normalize_name(given, "person")
    whole = normalize_name(raw_name)
    return (given_name is not None and bool(match_tokens(given_name))
            and whole is not None and not whole.legal_forms)


@lru_cache(maxsize=1)
def _business_words() -> frozenset[str]:
    """Legal forms and generic business words; places are left out, as many given names
    name a place too (Michael, Edward)."""
    return legal_form_words() | generic_tokens()


@lru_cache(maxsize=1)
def _brand_skip_words() -> frozenset[str]:
    """Legal forms, generic business words and places: words that never name a company."""
    return legal_form_words() | uninformative_tokens()


UNTYPED_PERSON_MIN_TOKENS = 3
"""Fewest tokens of an untyped list name without a comma that :func:`untyped_person_name`
reads as a person's: the first-given-name rule needs a first given name, a later one and a
family name."""


def untyped_person_name(name_text: str, raw_name: str, known: dict[str, int]) -> bool:
    """Whether an untyped list name written without a comma reads as a person's name.

    Lists that leave entries untyped write some people given names first ("WILLIAM MICHAEL
    JOHNSON", "STEPHEN EDWARD SMITH"). Since party-names-v9 such a name is a person's to
    the first-given-name rule (:func:`misses_first_or_last_name`) when it has
    :data:`UNTYPED_PERSON_MIN_TOKENS` tokens or more, all letters, none a legal form or a
    generic business word, and its first token and another are tokens of the
    lists' person names (``known``).

    Parameters
    ----------
    name_text
        Normalised match text of the list name.
    raw_name
        The list name as published.
    known
        :attr:`NameTokenStats.person_entries`.
    """
    tokens = [t for t in name_text.split(" ") if t]
    if "," in raw_name or len(tokens) < UNTYPED_PERSON_MIN_TOKENS:
        return False
    skip = _business_words()
    if any(not t.isalpha() or t in skip for t in tokens):
        return False
    return known.get(tokens[0], 0) > 0 and any(known.get(t, 0) > 0 for t in tokens[1:])


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


@lru_cache(maxsize=1 << 16)
def given_tokens(raw_name: str) -> tuple[str, ...]:
    """Normalised tokens of the given names of a ``FAMILY, Given Middle`` person name
    (after the first comma); empty when the name has no comma."""
    family, comma, given = raw_name.partition(",")
    if not comma or not family.strip():
        return ()
    from bulkscreen.lists.name_index import match_tokens
    from bulkscreen.normalize import normalize_name

    normalized = normalize_name(given, "person")
    return tuple(match_tokens(normalized)) if normalized is not None else ()


def _one_name(a: str, b: str) -> bool:
    """Similar tokens, or the same consonants transliterations aside (aleksey, alexey)."""
    return same_name_token(a, b) or _same_consonants(a, b)


def _holds(query: Sequence[str], joined: str, token: str) -> bool:
    return any(_one_name(q, token) for q in query) or token in joined


def misses_first_or_last_name(query_text: str, name_text: str, raw_name: str) -> bool:
    """Whether the query matches a later given name of a person but not the first, or
    leaves out the last name of a name written without a comma.

    A dropped middle name is a form of the same name ("Ali Mohammadi" ~ "ALI KHANAMAN
    MOHAMMADI"); a dropped *first* name is another person who shares the rest ("Michael
    Johnson" is not "WILLIAM MICHAEL JOHNSON", "Bilal Ali" is not "BILAL, Ghassan Ali").
    True when the list name holds two given names or more (after the comma of
    ``FAMILY, Given Middle``; for a name without a comma, of three tokens or more, its
    first token is read as the first given name and its last must be matched) and the query
    has no token for the first but has one for a later one. Since party-names-v9 a name
    without a comma whose first token the query holds but whose last it lacks is another
    person too: the last name says which family ("Omar Mahmoud" is not "OMAR MAHMOUD
    OTHMAN", "Nour Mohammad" is not "NOOR MOHAMMAD SAQIB").

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).
    raw_name
        The list name as published.
    """
    query = [t for t in query_text.split(" ") if t]
    joined = "".join(query)
    given = given_tokens(raw_name)
    if not given:
        if "," in raw_name:
            return False
        name = [t for t in name_text.split(" ") if t]
        if len(name) < 3:
            return False
        if not _holds(query, joined, name[-1]):
            return _holds(query, joined, name[0])
        given = tuple(name[:-1])
    if len(given) < 2 or _holds(query, joined, given[0]):
        return False
    return any(_holds(query, joined, t) for t in given[1:])


def misses_name_part(query_texts: Sequence[str], name_texts: Sequence[str],
                     raw_names: Sequence[str], person: np.ndarray,
                     checked: np.ndarray) -> np.ndarray:
    """Where ``checked``, whether the query holds a short token that is another name
    (:func:`short_token_conflict`) or, for a person, leaves the family name or the first
    given name unmatched (:func:`misses_first_or_last_name`).

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
            and (not covers_family_name(query_texts[k], family_tokens(raw_names[k]))
                 or misses_first_or_last_name(query_texts[k], name_texts[k], raw_names[k])))
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


_HAN_FIRST, _HAN_LAST = 0x4E00, 0x9FA5
"""The CJK Unified Ideographs block, whose readings are the syllables of Mandarin."""

LONGEST_SYLLABLE = 6
"""Letters in the longest pinyin syllable ("zhuang", "shuang")."""

MOST_SYLLABLES = 3
"""Syllables in the longest token read as pinyin: a Chinese name or brand has one to three;
longer runs are Han or kana text transliterated whole ("dandongfudimaoyi")."""


@lru_cache(maxsize=1)
def chinese_syllables() -> frozenset[str]:
    """The syllables of Mandarin as a name token reads them after normalisation.

    Every Han character's pinyin reading (anyascii, toneless), normalised like a token of a
    name (``"zhou"`` -> ``"zho"``, as long vowels are folded), so that it compares with
    normalised match texts. Readings of no vowel but ``y`` or ``w`` are left out.
    """
    from anyascii import anyascii

    syllables = set()
    for code in range(_HAN_FIRST, _HAN_LAST + 1):
        tokens = split_tokens(anyascii(chr(code)).lower())
        # Readings without a vowel ("ng", "hm") are interjections, never names.
        if len(tokens) == 1 and tokens[0].isalpha() and _VOWELS_AND_GLIDES.search(tokens[0]):
            syllables.add(tokens[0])
    return frozenset(syllables)


@lru_cache(maxsize=1 << 14)
def pinyin_syllables(token: str) -> tuple[str, ...] | None:
    """A token read as pinyin syllables, fewest first (``"jinping"`` -> ``("jin", "ping")``);
    None when it is not pinyin or holds more than :data:`MOST_SYLLABLES` syllables. Only the
    first syllable may start with a vowel.

    Parameters
    ----------
    token
        A normalised (lower-case ASCII) token.
    """
    syllables = chinese_syllables()
    # best[i]: the fewest syllables that spell token[:i], or None.
    best: list[tuple[str, ...] | None] = [()] + [None] * len(token)
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - LONGEST_SYLLABLE), end):
            head = best[start]
            part = token[start:end]
            # Inside a word a syllable starts with a consonant: pinyin marks any other
            # ("Xi'an"), so "pioneer" is not pi-o-ne-er.
            if head is not None and part in syllables and (start == 0 or part[0] not in "aeo") \
                    and (best[end] is None or len(head) + 1 < len(best[end])):
                best[end] = (*head, part)
    found = best[len(token)]
    # A longer run is text of another script read out (Han or kana), not one name.
    return found if found is not None and len(found) <= MOST_SYLLABLES else None


def _unshared(query: list[str], name: list[str]) -> tuple[list[str], list[str]]:
    """The tokens each side has that the other lacks, counted as multisets."""
    query_left, name_left = list(query), []
    for token in name:
        if token in query_left:
            query_left.remove(token)
        else:
            name_left.append(token)
    return query_left, name_left


def other_chinese_syllable(query_text: str, name_text: str, person: bool = False) -> bool:
    """Whether two names written in pinyin differ in a syllable.

    True when every token of both names is pinyin (:func:`pinyin_syllables`), and the
    tokens the query has but the list name lacks, and those the list name has but the query
    lacks, are both present and spell other syllables ("lei zheng" against "lei zhang",
    "fang liu" against "fang liwu"). Syllables split or joined ("xi jinping" against "xi jin
    ping") are not. For a person (since party-names-v9) a syllable one side lacks is
    another name too: a Chinese name has no middle names, its given name of one or two
    syllables is one name, so "Wang Xue" is not "WANG, Xue Qing" and "Li He" is not "LI
    Cheng He". An organisation's name may leave a word out.

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).
    person
        Whether the list name may be a person's.
    """
    query = [t for t in query_text.split(" ") if t]
    name = [t for t in name_text.split(" ") if t]
    read = {t: pinyin_syllables(t) for t in (*query, *name)}
    if not query or not name or any(syllables is None for syllables in read.values()):
        return False
    query_left, name_left = _unshared(query, name)
    if not query_left and not name_left:
        return False
    if not person and (not query_left or not name_left):
        return False
    return (sorted(s for t in query_left for s in read[t])
            != sorted(s for t in name_left for s in read[t]))


def other_chinese_brand(query_text: str, name_text: str, skip: frozenset[str]) -> bool:
    """Whether two organisation names differ in the pinyin word that says which company.

    A Chinese company is named place, brand, trade, form ("Shenzhen Guoxin Optoelectronics
    Co., Ltd."): the brand is the word that tells it from its neighbours. True when the
    words of each name that are pinyin (:func:`pinyin_syllables`) and not in ``skip``, less
    those both names hold, are left on both sides and spell other syllables ("guoxin"
    against "huaguang", "ruida" against "jia ruide").

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).
    skip
        Tokens that never name the company (generic words, place names, legal forms).
    """
    query = [t for t in query_text.split(" ") if t and t not in skip and pinyin_syllables(t)]
    name = [t for t in name_text.split(" ") if t and t not in skip and pinyin_syllables(t)]
    query_left = [t for t in query if t not in name]
    name_left = [t for t in name if t not in query]
    if not query_left or not name_left:
        return False
    return (sorted(s for t in query_left for s in pinyin_syllables(t))
            != sorted(s for t in name_left for s in pinyin_syllables(t)))


SHORT_BRAND_LENGTH = 5
"""A company's distinctive word this short with another vowel names another company
(:func:`other_short_brand`)."""


def _other_vowel(a: str, b: str) -> bool:
    """Same length, one letter apart, and that letter a vowel on both sides."""
    if len(a) != len(b):
        return False
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(differ) == 1 and differ[0][0] in "aeiou" and differ[0][1] in "aeiou"


def _brand_pairs(query_text: str, name_text: str, skip: frozenset[str]
                 ) -> list[tuple[str, str]]:
    """(query word, its closest list-name word) for the distinctive words (not in ``skip``)
    of two organisation names that share none as written; empty when they share one."""
    query = [t for t in query_text.split(" ") if t and t not in skip]
    name = [t for t in name_text.split(" ") if t and t not in skip]
    if not query or not name or set(query) & set(name):
        return []
    return _matched_pairs(query, name)


def other_short_brand(query_text: str, name_text: str, skip: frozenset[str]) -> bool:
    """Whether two organisation names share only generic words and a short brand word
    with another vowel.

    "Nova Electronics" is not "NEVA ELECTRONICS", "Prime Systems" is not "PRIMA SYSTEMS":
    in a short word another vowel is another word, and the generic words say what a company
    does, not which one it is. True when the names hold no distinctive word (one not in
    ``skip``) in common as written, and each distinctive query word close to one of the
    list name's (:func:`similar_tokens`) is, at :data:`SHORT_BRAND_LENGTH` letters or
    fewer, that word with one vowel changed. A typo that adds, drops or swaps letters
    ("Tams" for "Tamas"), or changes a consonant ("NIILA" for "NIIPA"), is not read so.

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).
    skip
        Tokens that never name the company (generic words and legal forms; not place
        names, whose words may be brands).
    """
    pairs = _brand_pairs(query_text, name_text, skip)
    return bool(pairs) and all(len(q) <= SHORT_BRAND_LENGTH and _other_vowel(q, n)
                               for q, n in pairs)


BRAND_LENGTH_APART = 2
"""Letters by which a company's brand word and its list-name counterpart differ in length
when they are two words, not one spelt otherwise (:func:`other_longer_brand`)."""

BRAND_WORD_LENGTH = 8
"""Longest brand word :func:`other_longer_brand` reads: longer words are often a name
transliterated whole or words joined ("Promtekhnologiya", "Silverstar"), whose spellings
differ by more letters."""


def other_longer_brand(query_text: str, name_text: str, skip: frozenset[str]) -> bool:
    """Whether two organisation names share only generic words and a brand word that is
    another word, longer or shorter by two letters or more.

    "Granite Instruments" is not "GRANT INSTRUMENT", "Orient Engineering" is not "ORIENTAL
    ENGINEERS" (since party-names-v9): a typo or another transliteration adds or drops one
    letter of a word, not two. True when the names hold no distinctive word (one not in
    ``skip``) in common as written, and each distinctive query word close to one of the
    list name's (:func:`similar_tokens`) differs from it in length by
    :data:`BRAND_LENGTH_APART` letters or more, both at most :data:`BRAND_WORD_LENGTH`
    letters long, other than by a surname ending (:func:`derived_name`).

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).
    skip
        Tokens that never name the company (generic words and legal forms).
    """
    pairs = _brand_pairs(query_text, name_text, skip)
    return bool(pairs) and all(abs(len(q) - len(n)) >= BRAND_LENGTH_APART
                               and max(len(q), len(n)) <= BRAND_WORD_LENGTH
                               and not derived_name(q, n) for q, n in pairs)


JOINING_WORDS = frozenset({"and", "of", "the", "for", "de", "del", "la", "le", "y", "et",
                           "und", "i", "e", "da", "do", "di", "du"})
"""Words that join a company's name ("Science and Technology", "Plant of ..."), not words
that say which company it is."""


WORD_MIN_LENGTH = 4
"""Shortest unpaired word that makes two company names two companies
(:func:`other_words_each_side`); shorter ones are often a letter or syllable spelt apart."""


OTHER_WORDS_MIN = 2
"""Fewest unpaired words each side must keep (:func:`other_words_each_side`): one word
apart is as often a word translated otherwise ("Laser" / "Lazer Tekhnolodzhi")."""


def other_words_each_side(query_text: str, name_text: str, skip: frozenset[str]) -> bool:
    """Whether two organisation names that share a word each hold a word the other lacks.

    "Huaxin Science and Technology" is not "HUAXIN SHIPPING HONGKONG": a company is its
    brand *and* its trade, and two names that share the brand but each name another trade
    or place are two companies. A word left out on one side only ("Crown Trading" ~ "CROWN
    AUTO TRADING") is a dropped part, and a word spelt otherwise (a typo, another
    transliteration) pairs with its twin and does not count. True when the names share a
    word as written, and, once each word is paired with one of the other name that is
    similar or has its consonants (:func:`similar_tokens`, :func:`variant_skeleton`), each
    name keeps as many unpaired words of :data:`WORD_MIN_LENGTH` letters or more as the
    names share, and at least :data:`OTHER_WORDS_MIN`. Names that share more than they
    differ in are one company written two ways, its trade translated otherwise ("Lebanese
    Company for Media and Studies" ~ "LEBANESE COMPANY FOR INFORMATION AND STUDIES").

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).
    skip
        Tokens never counted (legal forms); :data:`JOINING_WORDS` are never counted either.
    """
    ignore = _with_joining_words(skip)
    query = [t for t in query_text.split(" ") if t and t not in ignore]
    name = [t for t in name_text.split(" ") if t and t not in ignore]
    query_left, name_left = _unshared(query, name)
    if len(query_left) == len(query) or not query_left or not name_left:
        return False
    shared = len(query) - len(query_left)
    unpaired = list(name_left)
    query_unpaired = 0
    for q in query_left:
        twin = next((n for n in unpaired if _one_name(q, n)), None)
        if twin is None:
            query_unpaired += len(q) >= WORD_MIN_LENGTH
        else:
            unpaired.remove(twin)
    name_unpaired = sum(len(n) >= WORD_MIN_LENGTH for n in unpaired)
    # Names that share more than they differ in are one company written two ways
    # ("Zhoushan Jinrun Oil Staging" ~ "ZHOUSHAN JINRUN OIL TRANSSHIPMENT").
    return min(query_unpaired, name_unpaired) >= max(shared, OTHER_WORDS_MIN)


@lru_cache(maxsize=8)
def _with_joining_words(skip: frozenset[str]) -> frozenset[str]:
    """``skip`` and :data:`JOINING_WORDS`, built once per word set. The lookup is cheap for
    the same set object (a frozenset keeps its hash and is found by identity), which is why
    :func:`other_or_common_names` passes the cached sets; an equal but new set is compared
    word by word, as costly as the union of some 12,000 words itself."""
    return skip | JOINING_WORDS


def one_shared_brand_word(query_text: str, name_text: str, skip: frozenset[str]) -> bool:
    """Whether an organisation query shares one distinctive word with the list name and
    holds another that the list name lacks.

    "Golden Dragon Trading" is not "DRAGON TRADING", "Atlantic Summit Aerospace" is not
    "ATLANTIC SHIP MANAGEMENT": the query names a company by the listed word *with* another
    (since party-names-v9). True when exactly one distinctive word (not in ``skip``, not a
    :data:`JOINING_WORDS` word) of the list name has a similar word in the query
    (:func:`similar_tokens`), and the query keeps a distinctive word of
    :data:`WORD_MIN_LENGTH` letters or more that no word of the list name is, or spells,
    or holds (a typo, another transliteration, words joined). A place before the brand
    ("Tabriz Zagros Electronics" ~ "ZAGROS ELECTRONIC") is not read so, nor a word the
    query leaves out ("Setareh Co." ~ "SETAREH SHARGH CO."): a dropped word is how a name
    is shortened.

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).
    skip
        Tokens that never name the company (generic words, place names, legal forms).
    """
    ignore = _with_joining_words(skip)
    query_all = [t for t in query_text.split(" ") if t]
    name_all = [t for t in name_text.split(" ") if t]
    name = [t for t in name_all if t not in ignore]
    matched = [n for n in name if any(similar_tokens(q, n) for q in query_all)]
    if len(matched) != 1:
        return False
    joined = "".join(name_all)
    return any(len(q) >= WORD_MIN_LENGTH and q not in ignore and q not in joined
               and not any(_one_name(q, n) for n in name_all) for q in query_all)


UNIT_WORDS = ("institute", "institution", "laboratory", "center", "centre", "department",
              "branch", "division", "plant", "factory", "works", "bureau", "office", "school",
              "faculty", "college", "station", "observatory", "hospital", "museum", "library")
"""Words that name a unit of a larger organisation ("Institute of Spectroscopy of the
Russian Academy of Sciences"), as written; compared normalised."""


@lru_cache(maxsize=1)
def unit_words() -> frozenset[str]:
    """:data:`UNIT_WORDS`, normalised like a name's tokens (``"school"`` -> ``"schol"``)."""
    from bulkscreen.lists.name_index import match_tokens
    from bulkscreen.normalize import normalize_names

    return frozenset(t for n in normalize_names(list(UNIT_WORDS)) if n is not None
                     for t in match_tokens(n))


def unit_of_query(query_text: str, name_text: str) -> bool:
    """Whether the list name is a unit of the organisation the query names.

    "Russian Academy of Sciences" is not "INSTITUTE OF SPECTROSCOPY OF THE RUSSIAN ACADEMY OF
    SCIENCES" nor "SPACE RESEARCH INSTITUTE RUSSIAN ACADEMY OF SCIENCES": a list entry for
    one institute of a body does not list the body (since party-names-v9). True when the
    query's tokens are, in order, the list name's last tokens (each similar,
    :func:`similar_tokens`) and the tokens before them hold a word that names a unit
    (:func:`unit_words`: institute, laboratory, plant, bureau ...).

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).
    """
    query = [t for t in query_text.split(" ") if t]
    name = [t for t in name_text.split(" ") if t]
    if not query or len(name) <= len(query):
        return False
    tail = name[len(name) - len(query):]
    if not all(similar_tokens(q, n) for q, n in zip(query, tail, strict=True)):
        return False
    return any(t in unit_words() for t in name[:len(name) - len(query)])


DERIVED_SUFFIXES = frozenset({"i", "ian", "yan", "ov", "ev", "ow", "zadeh", "pour", "chuk",
                              "enko"})
"""Endings that make a surname of a name: the Persian and Arabic ``-i`` (Mohammad,
Mohammadi), the Armenian ``-ian``, the Slavic ``-ov`` / ``-ev`` (Mikhail, Mikhailov), the
Persian ``-zadeh`` and ``-pour``, the Ukrainian ``-chuk`` and ``-enko`` (Melnyk,
Melnychuk; Koval, Kovalenko; since party-names-v9). The feminine ``-a`` is not one:
Smirnova is Smirnov's."""

LONG_SUFFIX = 4
"""Endings this long replace the name's last letter as well (Melnyk, Melnychuk; Petro,
Petrenko)."""


def _vowel_spelling(a: str, b: str) -> bool:
    """The same letters but for inner vowels, position by position (``mohammed``,
    ``mohammad``); the last letter agrees, so ``-sky`` is not ``-ski`` with an ending."""
    return len(a) == len(b) and a[-1:] == b[-1:] and all(
        x == y or (x in "aeiouy" and y in "aeiouy") for x, y in zip(a, b, strict=True))


def derived_name(a: str, b: str) -> bool:
    """Whether one token is the other with a surname ending (:data:`DERIVED_SUFFIXES`),
    its final vowel dropped or not: ``mohammad`` / ``mohammadi``, ``aleksey`` /
    ``alekseev``, ``omar`` / ``omarow``. Since party-names-v9 the name may be spelt with
    other vowels (``mohammed`` / ``mohammadi``), and a long ending may replace its last
    letter (``melnyk`` / ``melnychuk``)."""
    short, long = sorted((a, b), key=len)
    if len(short) < KNOWN_NAME_MIN_LENGTH or len(long) == len(short):
        return False
    for suffix in DERIVED_SUFFIXES:
        if not long.endswith(suffix):
            continue
        base = long[:-len(suffix)]
        stems = [short]
        if short[-1] in "aeiouy" or len(suffix) >= LONG_SUFFIX:
            stems.append(short[:-1])
        if any(len(stem) >= KNOWN_NAME_MIN_LENGTH and stem[:1] == base[:1]
               and _vowel_spelling(stem, base) for stem in stems):
            return True
    return False


def derived_surname(query_text: str, name_text: str) -> bool:
    """Whether a query token is a surname made of the list name's token, or the reverse.

    "Saeed Mohammadi" is not "SAEED, Mohammad Ali", "Aleksey Mikhailov" is not "ALEKSEEV,
    Mikhail": a name and the surname made of it (:func:`derived_name`) are one letter or two
    apart, yet they name other people. True when a query token the list name lacks is
    similar only to list-name tokens it is so derived from or that derive from it.

    Parameters
    ----------
    query_text, name_text
        Normalised match texts (tokens joined by single spaces).
    """
    query_left, name_left = _unshared([t for t in query_text.split(" ") if t],
                                      [t for t in name_text.split(" ") if t])
    for q in query_left:
        # A name spelt otherwise may be too far for similar_tokens ("mohammadi", "muhammad").
        close = [n for n in name_left if similar_tokens(q, n) or derived_name(q, n)]
        if close and all(derived_name(q, n) for n in close):
            return True
    return False


_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")

COMPOUND_PART_LENGTHS = (2, 5)
"""Letters in each part of a hyphenated given name read as one name: syllables ("Min-seo",
"Yi-Chen") and short names ("Hans-Peter"), not longer words a hyphen joins."""

NAME_PREFIXES = frozenset({"al", "el", "ul", "ad", "ud", "ar", "as", "at", "az", "ash",
                           "bin", "ibn", "bint", "ben", "abd", "abdul", "abu", "da", "de",
                           "di", "du", "la", "le", "van", "von"})
"""Articles and kinship words that a hyphen ties to a name ("al-Bashir", "Abdul-Hamid"):
the name after them is the part that counts, not a syllable of a given name."""


_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")


def _holds_part(part: str, token: str) -> bool:
    """Whether a list-name token is a part of a compound given name: :func:`_one_name`,
    where a part of vowels and glides alone ("ji" read "yi", "woo") must be similar, having
    no consonants to agree on."""
    if similar_tokens(part, token):
        return True
    return bool(variant_skeleton(part)) and _one_name(part, token)


def _hangul_given_names(raw_query: str) -> list[str]:
    """Two-syllable given names of a name in Hangul: the last two syllables of a word of
    three (강민서: surname 강, given name 민서), or a two-syllable word after the first."""
    words = _HANGUL_WORD.findall(raw_query)
    return [w[1:] if len(w) == 3 else w for i, w in enumerate(words)
            if len(w) == 3 or (len(w) == 2 and i > 0)]


@lru_cache(maxsize=1 << 14)
def _compound_parts(word: str) -> tuple[str, ...]:
    from bulkscreen.normalize import normalize_names

    normalized = normalize_names([word])[0]
    return normalized.tokens if normalized is not None else ()


def splits_compound_name(raw_query: str, name_text: str) -> bool:
    """Whether the list name holds only part of a given name the query hyphenates.

    A hyphenated given name is one name: "Min-seo" is not "Min", "Yi-Chen" is not "Chen",
    "Sung-min" is not "Song". So is a Korean given name written in Hangul, two syllables
    after the surname: 강민서 is not "KANG, Min". True when, for such a given name or a
    hyphenated word of the query as written of two short parts
    (:data:`COMPOUND_PART_LENGTHS`, the first not a :data:`NAME_PREFIXES` word), the list
    name holds (or has a similar token for) one part but not the other,
    and does not hold the parts joined ("minseo").

    Parameters
    ----------
    raw_query
        The query as written.
    name_text
        Normalised match text of the list name.
    """
    name = [t for t in name_text.split(" ") if t]
    compounds = [_compound_parts(word) for word in _HYPHENATED.findall(raw_query)]
    compounds += [tuple(t for syllable in given for t in _compound_parts(syllable))
                  for given in _hangul_given_names(raw_query)]
    query = list(_compound_parts(raw_query))
    for parts in compounds:
        if (len(parts) != 2 or "".join(parts) in name or parts[0] in NAME_PREFIXES
                or not all(COMPOUND_PART_LENGTHS[0] <= len(p) <= COMPOUND_PART_LENGTHS[1]
                           for p in parts)):
            continue
        # The list name's tokens that the query's other words already match (its family
        # name) do not hold a part: in "CHO Ji-woo" against "Cho Il Woo", "ji" is not "cho".
        others = list(query)
        for part in parts:
            twin = part if part in others else next(
                (t for t in others if _holds_part(part, t)), None)
            if twin is not None:
                others.remove(twin)
        _, free = _unshared(others, name)
        held = sum(any(_holds_part(p, n) for n in free) for p in parts)
        if 0 < held < len(parts):
            return True
    return False


ABJAD_TYPO_LENGTH = 5
"""Words of Arabic or Hebrew script this long, one letter apart, are one word mistyped."""


ABJAD_NAME_PREFIXES = frozenset({"عبد", "ابو", "أبو", "عبيد"})
"""Words that make one name with the word after them: عبد الرحمن (Abd al-Rahman) is one
given name written as two words, like ابو بكر (Abu Bakr)."""


def abjad_name_words(raw_name: str) -> int:
    """Names in a name written in Arabic script: its words, a word of
    :data:`ABJAD_NAME_PREFIXES` and the word after it counted once."""
    words = raw_name.split()
    joined = sum(1 for word, _ in pairwise(words) if word in ABJAD_NAME_PREFIXES)
    return len(words) - joined


def other_abjad_word(query_text: str, name_text: str) -> bool:
    """Whether two names written in Arabic or Hebrew script differ in a word.

    The script writes every consonant and every long vowel, so one letter more or less is
    another name (محمد Mohammad, محمود Mahmoud, احمد Ahmad, احمدی Ahmadi), not a spelling of
    it. True when each name has a word the other lacks, other than a long word one letter
    off (:data:`ABJAD_TYPO_LENGTH`); a word one of them leaves out (محمد رحیمی against
    یار محمد رحیمی) is not read so.

    Parameters
    ----------
    query_text, name_text
        Normalised match texts of two names written in Arabic or Hebrew script.
    """
    query = [t for t in query_text.split(" ") if t]
    name = [t for t in name_text.split(" ") if t]
    query_left, name_left = _unshared(query, name)
    # A longer word one letter off is a typo (jmaih, amaih); names are short words (mhmd).
    typos = [q for q in query_left if any(
        min(len(q), len(n)) >= ABJAD_TYPO_LENGTH and Levenshtein.distance(q, n) <= 1
        for n in name_left)]
    return bool(name_left) and len(typos) < len(query_left)


def other_or_common_names(query_texts: Sequence[str], name_texts: Sequence[str],
                          person: np.ndarray, stats: NameTokenStats,
                          company: np.ndarray | None = None) -> np.ndarray:
    """Per match, whether a person match rests on common names (:func:`rests_on_common_names`)
    or a query token is another name the lists know (:func:`other_known_name`) or a surname
    made of the list name's (:func:`derived_surname`); whether a company's pinyin brand
    differs (:func:`other_chinese_brand`) or its short brand has another vowel
    (:func:`other_short_brand`); or, for any match, whether a pinyin name has other
    syllables (:func:`other_chinese_syllable`).

    Parameters
    ----------
    query_texts, name_texts
        One normalised query text and list name per match (not the same tokens).
    person
        Whether each list name may be a person's (the person rules read it).
    stats
        :func:`name_token_stats` of the index.
    company
        Whether each list name may be an organisation's (the brand rule reads it); default
        where ``person`` is False.
    """
    out = np.zeros(len(query_texts), dtype=bool)
    entries = stats.person_entries
    company = ~np.asarray(person, dtype=bool) if company is None else company
    # The same set objects every call: the rules' caches keyed on them then hit by identity.
    skip = _brand_skip_words()
    forms = legal_form_words()
    generic = _business_words()
    for k in range(len(query_texts)):
        query, name = query_texts[k], name_texts[k]
        out[k] = ((bool(person[k]) and (rests_on_common_names(query, name, entries)
                                       or other_known_name(query, name, entries)
                                       or derived_surname(query, name)))
                  or (bool(company[k]) and (other_chinese_brand(query, name, skip)
                                            or other_short_brand(query, name, generic)
                                            or other_longer_brand(query, name, generic)
                                            or one_shared_brand_word(query, name, skip)
                                            or unit_of_query(query, name)
                                            or other_words_each_side(query, name, forms)))
                  or other_chinese_syllable(query, name, bool(person[k])))
    return out
