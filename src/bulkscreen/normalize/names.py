"""Normalise names: the one entry point the matcher uses, per name and per batch."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import pyarrow as pa

from bulkscreen.normalize.chars import ASCII_LETTER, dominant_script
from bulkscreen.normalize.tables import NEAR_INNER, NEAR_TRAILING, StripTable, load_tables
from bulkscreen.normalize.tokens import (
    fold_characters,
    join_initials,
    split_ascii_names,
    split_tokens,
)

_WORD = re.compile(r"\w+")

NORMALIZATION_VERSION = "names-norm-v6"
"""Id of this normalisation; bump when any output changes (tables included)."""

KANJI_NORMALIZATION_VERSION = f"{NORMALIZATION_VERSION}+kanji-cutlet"
"""Id of the same normalisation with kanji read as romaji (the ``kanji`` extra)."""

LEADING_ARTICLE = "the"
"""Dropped from the start of a name that is not a person's, when other words follow."""

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
    """What one entity kind strips, with the tokens that can start or end a strippable form.

    ``first_words`` and ``inner_words`` include the misspellings of legal-form words that
    may be read as a word starting a form (see ``StripTable.misspelt_first_and_inner``),
    so that only a misspelt last token needs a lookup of its own.
    """

    legal: StripTable | None
    titles: StripTable | None
    first_words: frozenset[str]
    last_words: frozenset[str]
    inner_words: frozenset[str]

    def may_strip(self, tokens: list[str]) -> bool:
        """Say cheaply whether any form may be stripped from these (lower-case) tokens."""
        return bool(tokens) and (
            tokens[0] in self.first_words
            or tokens[-1] in self.last_words
            or not self.inner_words.isdisjoint(tokens)
            or self.misspelt_last(tokens[-1])
        )

    def misspelt_last(self, token: str) -> bool:
        """Say whether a last token may be read as a word ending a form, or starting one
        allowed anywhere."""
        return self.legal is not None and bool(self.legal.near_words(token)[0] & _NEAR_LAST)


@lru_cache(maxsize=4)
def _plan(kind: str) -> _Plan:
    tables = load_tables()
    legal = None if kind == _PERSON else tables.legal_forms
    if kind == _ORGANISATION:
        titles = None
    else:
        titles = tables.honorifics_person if kind == _PERSON else tables.honorifics_any
    used = [table for table in (legal, titles) if table is not None]
    misspelt_first, misspelt_inner = (
        legal.misspelt_first_and_inner() if legal is not None else (frozenset(), frozenset())
    )
    leading_article = frozenset({LEADING_ARTICLE}) if legal is not None else frozenset()
    return _Plan(
        legal=legal,
        titles=titles,
        first_words=misspelt_first.union(leading_article, *(t.leading_first for t in used)),
        last_words=frozenset().union(*(t.trailing_last for t in used)),
        inner_words=misspelt_inner.union(*(t.inner_first for t in used)),
    )


# Roles of a misspelt last token that may let a form be stripped.
_NEAR_LAST = NEAR_TRAILING | NEAR_INNER

_CACHE_LIMIT = 1 << 17
# Results by text, one cache per (kind, kanji_romaji); all emptied when they hold the limit.
_caches: dict[tuple[str, bool], dict[str, NormalizedName]] = {}


def _cache_for(kind: str, kanji_romaji: bool) -> dict[str, NormalizedName]:
    return _caches.setdefault((kind, kanji_romaji), {})


def _remember(cache: dict[str, NormalizedName], new: dict[str, NormalizedName]) -> None:
    if sum(map(len, _caches.values())) + len(new) > _CACHE_LIMIT:
        for each in _caches.values():
            each.clear()
    if len(new) <= _CACHE_LIMIT:
        cache.update(new)


def _normalize(text: str, kind: str, kanji_romaji: bool) -> NormalizedName:
    cache = _cache_for(kind, kanji_romaji)
    name = cache.get(text)
    if name is None:
        name = _normalize_text(text, kind, kanji_romaji)
        _remember(cache, {text: name})
    return name


def _normalize_distinct(
    texts: list[str], kind: str, kanji_romaji: bool
) -> dict[str, NormalizedName]:
    """Normalise distinct names of one kind; those not cached, the ASCII ones as one batch.

    A name that folds to ASCII (zero-width characters, Cyrillic look-alikes in a Latin
    name) joins the batch with its folded text, which is what ``_normalize_text`` would
    go on with.
    """
    cache = _cache_for(kind, kanji_romaji)
    found = {text: cache[text] for text in texts if text in cache} if cache else {}
    missing = [text for text in texts if text not in found] if found else texts
    ascii_texts = [text for text in missing if text.isascii()]
    batch_texts, batch_inputs = ascii_texts, ascii_texts
    others: list[tuple[str, str, frozenset[str]]] = []
    if len(ascii_texts) < len(missing):
        plan = _plan(kind)
        batch_texts, batch_inputs = list(ascii_texts), list(ascii_texts)
        for text in missing:
            if not text.isascii():
                folded = fold_characters(text)
                # A word written with a diacritic that folds to a one-word legal form
                # ("Sá") is a name, not the form: such a name leaves the batch.
                keep = _accented_words(text, plan)
                if folded.isascii() and not keep:
                    batch_texts.append(text)
                    batch_inputs.append(folded)
                else:
                    others.append((text, folded, keep))
    new = dict(zip(batch_texts, _normalize_ascii(batch_inputs, kind), strict=True))
    new.update((text, _normalize_folded(folded, kind, kanji_romaji, keep))
               for text, folded, keep in others)
    _remember(cache, new)
    found.update(new)
    return found


_NONE: frozenset[str] = frozenset()


def _accented_words(text: str, plan: _Plan) -> frozenset[str]:
    """Latin words of ``text`` written with a diacritic that fold to a one-word legal form.

    The Portuguese surname ``Sá`` folds to ``sa``, the form ``S.A.``: as written, it is the
    name. The forms' own surfaces carry no diacritic.
    """
    if plan.legal is None or text.isascii():
        return _NONE
    found = set()
    words = _accented_words_memo
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        key = words.get(word, _UNSEEN)
        if key is _UNSEEN:
            key = _one_word_key(word)
            if len(words) >= _CACHE_LIMIT:
                words.clear()
            words[word] = key
        if key is not None and (key in plan.legal.trailing or key in plan.legal.leading):
            found.add(key[0])
    return frozenset(found)


_UNSEEN = object()
# Word -> _one_word_key(word): the same words (given names) recur across a batch's names.
_accented_words_memo: dict[str, tuple[str] | None] = {}


def _one_word_key(word: str) -> tuple[str] | None:
    """The one folded token of a non-ASCII Latin word, None for any other word."""
    if not all(_is_latin(ch) for ch in word if ch.isalpha()):
        return None
    key = tuple(split_tokens(fold_characters(word)))
    return key if len(key) == 1 else None


@lru_cache(maxsize=1 << 14)
def _is_latin(character: str) -> bool:
    return unicodedata.name(character, "").startswith("LATIN")


def _normalize_text(text: str, kind: str, kanji_romaji: bool) -> NormalizedName:
    """Normalise one name (no cache)."""
    return _normalize_folded(fold_characters(text), kind, kanji_romaji,
                             _accented_words(text, _plan(kind)))


def _normalize_folded(folded: str, kind: str, kanji_romaji: bool,
                      keep: frozenset[str] = _NONE) -> NormalizedName:
    """Normalise one name from its folded characters (no cache); ``keep`` are tokens never
    stripped as a one-word form (:func:`_accented_words`)."""
    plan = _plan(kind)
    if folded.isascii():
        return _from_ascii_tokens(split_tokens(folded), folded, plan, keep)
    legal: list[str] = []
    titles: list[str] = []
    # Stage 1: forms inside words of scripts written without spaces (株式会社, 様).
    stripped = _strip_unspaced(folded, plan, legal, titles)
    tokens = split_tokens(stripped, kanji_romaji=kanji_romaji)
    if plan.may_strip(tokens):
        tokens = _strip_word_forms(tokens, plan, kanji_romaji, legal, titles, keep)
    return _new_name(
        " ".join(tokens), tuple(tokens), tuple(legal), dominant_script(folded), tuple(titles)
    )


def _normalize_ascii(texts: list[str], kind: str) -> list[NormalizedName]:
    """Normalise many ASCII names (no cache): one tokenising pass over the whole batch."""
    plan = _plan(kind)
    token_lists = split_ascii_names(texts)
    first_words, last_words, inner_words = plan.first_words, plan.last_words, plan.inner_words
    if plan.legal is not None and plan.legal.near_by_deletion:
        # The misspelt last tokens, looked up with every token of the batch at once (so
        # that read_misspelt then settles most names with one set comparison), join the
        # last words: the check below is then _Plan.may_strip.
        last_words = last_words | plan.legal.tokens_near(
            chain.from_iterable(token_lists), _NEAR_LAST
        )
    has_letter = ASCII_LETTER.search
    new_name = object.__new__
    set_field = object.__setattr__
    names = []
    for text, tokens in zip(texts, token_lists, strict=True):
        if tokens and (
            tokens[0] in first_words
            or tokens[-1] in last_words
            or not inner_words.isdisjoint(tokens)
        ):
            names.append(_stripped_ascii_name(tokens, text, plan))
            continue
        # The common case, no form to strip, built inline as _new_name does.
        name = new_name(NormalizedName)
        set_field(name, "__dict__", {
            "text": " ".join(tokens), "tokens": tuple(tokens), "legal_forms": (),
            "script": "Latn" if has_letter(text) else "Zyyy", "honorifics": (),
        })
        names.append(name)
    return names


def _from_ascii_tokens(tokens: list[str], folded: str, plan: _Plan,
                      keep: frozenset[str] = _NONE) -> NormalizedName:
    """Finish a name whose folded text (or the name itself) is ASCII, from its tokens."""
    if plan.may_strip(tokens):
        return _stripped_ascii_name(tokens, folded, plan, keep)
    script = "Latn" if ASCII_LETTER.search(folded) else "Zyyy"
    return _new_name(" ".join(tokens), tuple(tokens), (), script, ())


def _stripped_ascii_name(tokens: list[str], folded: str, plan: _Plan,
                         keep: frozenset[str] = _NONE) -> NormalizedName:
    """Finish an ASCII name some form may be stripped from."""
    legal: list[str] = []
    titles: list[str] = []
    tokens = _strip_word_forms(tokens, plan, False, legal, titles, keep)
    script = "Latn" if ASCII_LETTER.search(folded) else "Zyyy"
    return _new_name(" ".join(tokens), tuple(tokens), tuple(legal), script, tuple(titles))


def _strip_word_forms(
    tokens: list[str], plan: _Plan, kanji_romaji: bool, legal: list[str], titles: list[str],
    keep: frozenset[str] = _NONE,
) -> list[str]:
    """Stage 2: strip whole-word forms, reading misspelt legal-form words first."""
    if plan.legal is not None and len(tokens) > 1 and tokens[0] == LEADING_ARTICLE:
        # "The World Bank" is "World Bank", as a leading legal form goes like a trailing one.
        tokens = tokens[1:]
    if plan.legal is not None:
        # A misspelt legal-form word ("limited liability cmpany") is read as the word.
        tokens = plan.legal.read_misspelt(tokens)
    # A removal can leave single letters side by side to join.
    while tokens:
        count = len(tokens)
        if plan.legal is not None and plan.legal.may_strip(tokens):
            tokens = plan.legal.strip_tokens(tokens, legal, keep)
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
    return tokens


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
    object.__setattr__(name, "__dict__", {
        "text": text, "tokens": tokens, "legal_forms": legal_forms, "script": script,
        "honorifics": honorifics,
    })
    return name


def clear_name_cache() -> None:
    """Forget cached results (for benchmarks that time normalisation itself)."""
    _caches.clear()
    _accented_words_memo.clear()
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
        # One kind for all (the usual call): results are looked up by text alone.
        found = _normalize_distinct(
            [text for text in dict.fromkeys(values) if text is not None],
            entity_kind(entity_types), kanji_romaji,
        )
        return [None if text is None else found[text] for text in values]
    type_values = _to_list(entity_types)
    if len(type_values) != len(values):
        raise ValueError(
            f"entity_types has {len(type_values)} values for {len(values)} names; "
            "give one per name, a single type, or None"
        )
    kinds = [entity_kind(value) for value in type_values]
    texts_by_kind: dict[str, dict[str, None]] = {}
    for text, kind in zip(values, kinds, strict=True):
        if text is not None:
            texts_by_kind.setdefault(kind, {})[text] = None
    found_by_kind = {kind: _normalize_distinct(list(texts), kind, kanji_romaji)
                     for kind, texts in texts_by_kind.items()}
    return [None if text is None else found_by_kind[kind][text]
            for text, kind in zip(values, kinds, strict=True)]


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
