"""Normalise names: the one entry point the matcher uses, per name and per batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa

from bulkscreen.normalize.chars import ASCII_LETTER, dominant_script
from bulkscreen.normalize.tables import StripTable, load_tables
from bulkscreen.normalize.tokens import fold_characters, join_initials, split_tokens

NORMALIZATION_VERSION = "names-norm-v2"
"""Id of this normalisation; bump when any output changes (tables included)."""

KANJI_NORMALIZATION_VERSION = f"{NORMALIZATION_VERSION}+kanji-cutlet"
"""Id of the same normalisation with kanji read as romaji (the ``kanji`` extra)."""

# Entity types as lists and input files spell them -> what is stripped from the name.
_PERSON, _ORGANISATION, _UNKNOWN = "person", "organisation", "unknown"
_ENTITY_KINDS = {
    "person": _PERSON, "individual": _PERSON,
    "organisation": _ORGANISATION, "organization": _ORGANISATION, "entity": _ORGANISATION,
    "company": _ORGANISATION, "vessel": _ORGANISATION, "aircraft": _ORGANISATION,
    "unknown": _UNKNOWN, "": _UNKNOWN,
}


@dataclass(frozen=True)
class NormalizedName:
    """A name folded for matching.

    Attributes
    ----------
    text
        Folded, transliterated tokens joined by single spaces, legal forms and honorifics
        removed (``"admiralty shipyard"``). A name that is nothing but a legal form keeps it.
    tokens
        The tokens of ``text``, in the original order.
    legal_forms
        Canonical legal forms found and removed (``("jsc",)``), in order of removal.
    script
        Dominant ISO 15924 script of the input: Latn, Cyrl, Jpan, Hani, Hang, Arab, Grek ...
    honorifics
        Canonical honorifics and titles found and removed (``("dr",)``).
    """

    text: str
    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...]
    script: str
    honorifics: tuple[str, ...] = ()


def entity_kind(entity_type: str | None) -> str:
    """Map an entity type to what normalisation strips: person, organisation or unknown.

    Parameters
    ----------
    entity_type
        ``person``, ``organisation``, ``vessel``, ``aircraft``, ``unknown`` or None
        (also ``individual``, ``entity``, ``organization``, ``company``; any case).

    Returns
    -------
    str
        ``'person'`` (honorifics stripped), ``'organisation'`` (legal forms stripped) or
        ``'unknown'`` (legal forms and unambiguous honorifics such as Mr, Dr, 様 stripped).

    Raises
    ------
    ValueError
        For any other entity type.
    """
    if entity_type is None:
        return _UNKNOWN
    kind = _ENTITY_KINDS.get(entity_type.strip().lower())
    if kind is None:
        raise ValueError(
            f"unknown entity type {entity_type!r}; use person, organisation, vessel, "
            "aircraft or unknown"
        )
    return kind


def normalize_name(
    text: str, entity_type: str | None = None, *, kanji_romaji: bool = False
) -> NormalizedName:
    """Normalise one name for matching.

    Parameters
    ----------
    text
        The name as written, in any script.
    entity_type
        Decides what is stripped: legal forms for organisations, vessels and aircraft;
        honorifics and titles for persons; legal forms and unambiguous honorifics when
        None or ``unknown``. See :func:`entity_kind`.
    kanji_romaji
        Read kanji as romaji with the optional ``kanji`` extra (cutlet) instead of keeping
        them as kanji tokens; the result then belongs to ``KANJI_NORMALIZATION_VERSION``.

    Returns
    -------
    NormalizedName
        The same input always gives the same (shared, immutable) result.

    Examples
    --------
    >>> normalize_name("株式会社アドミラルティ造船所").text
    'adomiraruti 造船所'
    >>> normalize_name("Admiralty Shipyard JSC").legal_forms
    ('jsc',)
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize_name expects a str, got {type(text).__name__}")
    return _normalize(text, entity_kind(entity_type), kanji_romaji)


@dataclass(frozen=True)
class _Plan:
    """What one entity kind strips, with the words that can start or end a strippable form."""

    legal: StripTable | None
    titles: StripTable | None
    first_words: frozenset[str]
    last_words: frozenset[str]
    inner_words: frozenset[str]


@lru_cache(maxsize=4)
def _plan(kind: str) -> _Plan:
    tables = load_tables()
    legal = None if kind == _PERSON else tables.legal_forms
    if kind == _ORGANISATION:
        titles = None
    else:
        titles = tables.honorifics_person if kind == _PERSON else tables.honorifics_any
    used = [table for table in (legal, titles) if table is not None]
    return _Plan(
        legal=legal,
        titles=titles,
        first_words=frozenset().union(*(t.leading_first for t in used)),
        last_words=frozenset().union(*(t.trailing_last for t in used)),
        inner_words=frozenset().union(*(t.inner_first for t in used)),
    )


@lru_cache(maxsize=1 << 17)
def _normalize(text: str, kind: str, kanji_romaji: bool) -> NormalizedName:
    plan = _plan(kind)
    folded = fold_characters(text)
    if folded.isascii():
        tokens = split_tokens(folded)
        if not tokens or not (
            tokens[0] in plan.first_words
            or tokens[-1] in plan.last_words
            or not plan.inner_words.isdisjoint(tokens)
            or (plan.legal is not None and plan.legal.may_strip_misspelt(tokens))
        ):
            # The common case: plain ASCII with nothing to strip.
            script = "Latn" if ASCII_LETTER.search(folded) else "Zyyy"
            return _new_name(" ".join(tokens), tuple(tokens), (), script, ())
    legal: list[str] = []
    titles: list[str] = []
    # Stage 1: forms inside words of scripts written without spaces (株式会社, 様).
    stripped = folded
    if not folded.isascii():
        stripped = _strip_unspaced(stripped, plan, legal, titles)
    tokens = split_tokens(stripped, kanji_romaji=kanji_romaji)
    if plan.legal is not None:
        # A misspelt legal-form word ("limited liability cmpany") is read as the word.
        tokens = plan.legal.read_misspelt(tokens)
    # Stage 2: whole-word forms; a removal can leave single letters side by side to join.
    while tokens:
        count = len(tokens)
        if plan.legal is not None and plan.legal.may_strip(tokens):
            tokens = plan.legal.strip_tokens(tokens, legal)
        if plan.titles is not None and plan.titles.may_strip(tokens):
            tokens = plan.titles.strip_tokens(tokens, titles)
        if len(tokens) == count:
            break  # nothing removed: initials are already joined
        if not (tokens[0].isascii() and tokens[-1].isascii()):
            # The removal may bare a form at the edge of a kanji word: 山田太郎様 Ltd.
            text_left = _strip_unspaced(" ".join(tokens), plan, legal, titles)
            tokens = split_tokens(text_left, kanji_romaji=kanji_romaji)
        else:
            tokens = join_initials(tokens)
    return _new_name(
        " ".join(tokens), tuple(tokens), tuple(legal), dominant_script(folded), tuple(titles)
    )


def _strip_unspaced(text: str, plan: _Plan, legal: list[str], titles: list[str]) -> str:
    """Strip unspaced legal forms and titles until neither finds more (公司様 needs both)."""
    while True:
        before = text
        if plan.legal is not None:
            text = plan.legal.strip_unspaced(text, legal)
        if plan.titles is not None:
            text = plan.titles.strip_unspaced(text, titles)
        if text == before:
            return text


def _new_name(
    text: str, tokens: tuple[str, ...], legal_forms: tuple[str, ...], script: str,
    honorifics: tuple[str, ...],
) -> NormalizedName:
    """Build a NormalizedName without the frozen-dataclass ``__init__``.

    The generated ``__init__`` of a frozen dataclass costs more than the rest of normalising
    a short Latin name; filling ``__dict__`` directly gives the same object.
    """
    name = object.__new__(NormalizedName)
    fields = name.__dict__
    fields["text"] = text
    fields["tokens"] = tokens
    fields["legal_forms"] = legal_forms
    fields["script"] = script
    fields["honorifics"] = honorifics
    return name


def clear_name_cache() -> None:
    """Forget cached results (for benchmarks that time normalisation itself)."""
    _normalize.cache_clear()
    load_tables().legal_forms.forget_near_words()


def normalize_names(
    texts: Sequence[str | None] | pa.Array | pa.ChunkedArray,
    entity_types: Sequence[str | None] | pa.Array | pa.ChunkedArray | str | None = None,
    *,
    kanji_romaji: bool = False,
) -> list[NormalizedName | None]:
    """Normalise a batch of names; repeated (name, entity type) pairs are done once.

    Parameters
    ----------
    texts
        Names, or an Arrow string array; None (null) stays None.
    entity_types
        One entity type for all names, or one per name (same length), or None.
    kanji_romaji
        As in :func:`normalize_name`.

    Returns
    -------
    list of NormalizedName or None
        One result per input, in order; equal inputs share one result object.

    Raises
    ------
    ValueError
        When ``entity_types`` is a sequence of another length, or holds an unknown type.
    """
    values = _to_list(texts)
    if entity_types is None or isinstance(entity_types, str):
        kinds = [entity_kind(entity_types)] * len(values)
    else:
        type_values = _to_list(entity_types)
        if len(type_values) != len(values):
            raise ValueError(
                f"entity_types has {len(type_values)} values for {len(values)} names; "
                "give one per name, a single type, or None"
            )
        kinds = [entity_kind(value) for value in type_values]
    seen: dict[tuple[str, str], NormalizedName] = {}
    results: list[NormalizedName | None] = []
    for text, kind in zip(values, kinds, strict=True):
        if text is None:
            results.append(None)
            continue
        result = seen.get((text, kind))
        if result is None:
            result = seen[(text, kind)] = _normalize(text, kind, kanji_romaji)
        results.append(result)
    return results


def _to_list(values: Sequence[str | None] | pa.Array | pa.ChunkedArray) -> list[str | None]:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.to_pylist()
    return list(values)


def name_order_variants(tokens: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Return the orders a person's name may be written in, the given order first.

    Lists write "FAMILY Given" and "Given FAMILY" alike (and Japanese, Chinese and Korean
    names put the family name first). Order-insensitive features of the matcher cover most
    of this; these variants serve order-sensitive scorers: as given, last token moved to
    the front, first token moved to the end. Duplicates are dropped.

    Parameters
    ----------
    tokens
        Tokens of a normalised person name.

    Returns
    -------
    tuple of tuple of str
        One to three distinct token orders.

    Examples
    --------
    >>> name_order_variants(("kim", "jong", "un"))
    (('kim', 'jong', 'un'), ('un', 'kim', 'jong'), ('jong', 'un', 'kim'))
    """
    given = tuple(tokens)
    variants = [given]
    if len(given) > 1:
        for variant in (given[-1:] + given[:-1], given[1:] + given[:1]):
            if variant not in variants:
                variants.append(variant)
    return tuple(variants)
