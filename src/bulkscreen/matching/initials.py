"""Initials and acronyms: forms of a name that keep only first letters.

- **Initials.** ``J.-C. Juncker`` is ``Jean-Claude JUNCKER`` and ``В. В. Путин`` (``vv putin``)
  is ``PUTIN, Vladimir Vladimirovich``: a query written with initials (a letter and a dot)
  matches a person's list name when every query token matches a list token, the initials by
  as many consecutive list tokens starting with their letters, and no list token is left over.
  The candidates are the person names holding the query's rarest long token as written.
- **Acronyms.** ``PLA`` is ``People's Liberation Army`` and ``IRGC`` is ``Islamic
  Revolutionary Guard Corps``: a query written as one upper-case word of two to eight letters
  (dots allowed) matches an organisation's list name of two words or more whose first letters
  spell it, with or without the short function words (of, the, and ...).

Both are near matches (:data:`INITIALS_SCORE`, :data:`ACRONYM_SCORE`) for a reviewer to
confirm; an acronym names many things, so it stays the weaker of the two.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from bulkscreen.config import MatchConfig
from bulkscreen.matching.extra_rows import (
    KeyedIds,
    PerIndexCache,
    Reading,
    StoredForm,
    distinct_matching,
    extra_rows,
    merge_rows,
    positions_of,
)
from bulkscreen.matching.informative import similar_tokens

INITIALS_SCORE = 0.88
"""Score of a person's list name that the query's initials and other tokens cover."""

ACRONYM_SCORE = 0.86
"""Score of an organisation's list name whose first letters spell the query."""

FUNCTION_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "de", "del", "la", "le",
                            "du", "des", "der", "und", "al", "el"})
"""Words an acronym may leave out ("ISIL": Islamic State of Iraq and the Levant)."""

MAX_CANDIDATES = 2_000
"""List names tested per query with initials (those holding its rarest long token)."""

# A letter followed by a dot, at the start or after a space or hyphen: an initial.
_INITIAL = r"(^|[\s\-])\p{L}\."
# One upper-case word, dots allowed: an acronym.
_ACRONYM = r"^\s*(?:\p{Lu}\.?){2,8}\s*$"
_READINGS = {
    "initials": Reading(INITIALS_SCORE, "initials", (
        "the initials and the other words of the name cover the list name ({listed})")),
    "acronym": Reading(ACRONYM_SCORE, "acronym", (
        "the name is the acronym of the list name ({listed})")),
}


def acronyms_of(tokens: list[str]) -> set[str]:
    """First letters of a name of two words or more, with and without function words.

    Examples
    --------
    >>> sorted(acronyms_of(["islamic", "state", "of", "iraq", "and", "the", "levant"]))
    ['isil', 'isoiatl']
    """
    found = set()
    for words in (tokens, [t for t in tokens if t not in FUNCTION_WORDS]):
        if len(words) >= 2 and all(w[:1].isalpha() for w in words):
            found.add("".join(w[0] for w in words))
    return found


def covers_with_initials(query: list[str], name: list[str]) -> bool:
    """Whether the query's tokens, initials expanded, cover every token of the list name.

    A query token of one to three letters may stand for as many consecutive name tokens
    starting with its letters (``jc`` for ``jean claude``, ``v`` for ``vladimir``); other
    tokens must match a name token (:func:`~bulkscreen.matching.informative.similar_tokens`).
    At least one initial must be used and one long token matched.
    """
    left = list(name)
    initials = [t for t in query if len(t) <= 3 and t.isalpha()]
    words = [t for t in query if t not in initials]
    if not initials or not words:
        return False
    for word in words:
        match = next((n for n in left if similar_tokens(word, n)), None)
        if match is None:
            return False
        left.remove(match)
    for initial in initials:
        width = len(initial)
        for start in range(len(left) - width + 1):
            run = left[start:start + width]
            if all(n.startswith(letter) for n, letter in zip(run, initial, strict=True)):
                del left[start:start + width]
                break
        else:
            return False
    return not left


def _build_lookups(index) -> tuple[KeyedIds, KeyedIds]:
    """(person-name ids by token, organisation-name ids by acronym)."""
    by_token: dict[str, list[int]] = {}
    by_acronym: dict[str, list[int]] = {}
    texts = index.names.column("match_text").to_pylist()
    types = index.names.column("entity_type").to_pylist()
    for name_id, (text, entity) in enumerate(zip(texts, types, strict=True)):
        tokens = (text or "").split(" ")
        if entity == "person":
            for token in set(tokens):
                if len(token) >= 4:
                    by_token.setdefault(token, []).append(name_id)
        else:
            for acronym in acronyms_of(tokens):
                by_acronym.setdefault(acronym, []).append(name_id)
    return KeyedIds.of(by_token), KeyedIds.of(by_acronym)


_lookups: PerIndexCache[tuple[KeyedIds, KeyedIds]] = PerIndexCache(
    _build_lookups, stored=StoredForm(
        "initials",
        save=lambda found: {**found[0].to_arrays("token_"), **found[1].to_arrays("acronym_")},
        load=lambda arrays: (KeyedIds.from_arrays(arrays, "token_"),
                             KeyedIds.from_arrays(arrays, "acronym_"))))


def _lookups_for(index) -> tuple[KeyedIds, KeyedIds]:
    """(person-name ids by token, organisation-name ids by acronym), once per index."""
    return _lookups.get(index)


def _initials_found(index, texts: dict[int, str], by_token: KeyedIds
                    ) -> dict[int, np.ndarray]:
    from bulkscreen.normalize import normalize_names

    name_texts = index.names.column("match_text")
    found: dict[int, np.ndarray] = {}
    for distinct_id, norm in zip(texts, normalize_names(list(texts.values())), strict=True):
        query = list(norm.tokens) if norm is not None else []
        long_tokens = [t for t in query if len(t) >= 4 and t in by_token]
        if not long_tokens:
            continue
        rarest = min(long_tokens, key=lambda t: len(by_token[t]))
        candidates = by_token[rarest][:MAX_CANDIDATES]
        listed = name_texts.take(pa.array(candidates)).to_pylist()
        keep = [c for c, text in zip(candidates.tolist(), listed, strict=True)
                if covers_with_initials(query, text.split(" "))]
        if keep:
            found[distinct_id] = np.array(keep, dtype=np.int64)
    return found


def _acronyms_found(texts: dict[int, str], by_acronym: KeyedIds
                    ) -> dict[int, np.ndarray]:
    found: dict[int, np.ndarray] = {}
    for distinct_id, text in texts.items():
        key = "".join(ch for ch in text if ch.isalpha()).lower()
        if key in by_acronym:
            found[distinct_id] = by_acronym[key]
    return found


def initials_matches(index, names: pa.Array, config: MatchConfig, table: pa.Table,
                     schema: pa.Schema) -> pa.Table:
    """Add initials and acronym matches to a match table.

    Parameters
    ----------
    index
        The :class:`~bulkscreen.lists.name_index.NameIndex` matched against.
    names
        The queries (string array), as given to ``match_names``.
    config
        Its thresholds and ``top_k``.
    table, schema
        The match table found so far, and ``MATCH_SCHEMA``.

    Returns
    -------
    pyarrow.Table
        ``table`` with the new matches merged in (best row per entry, ``top_k`` per query).
    """
    if index.n_names == 0:
        return table
    for kind, pattern in (("initials", _INITIAL), ("acronym", _ACRONYM)):
        reading = _READINGS[kind]
        if config.review_threshold > reading.score:
            continue
        encoded, ids, distinct = distinct_matching(names, pattern)
        if ids.size == 0:
            continue
        texts = dict(zip(ids.tolist(), distinct, strict=True))
        by_token, by_acronym = _lookups_for(index)
        found = (_initials_found(index, texts, by_token) if kind == "initials"
                 else _acronyms_found(texts, by_acronym))
        if found:
            extra = extra_rows(index, positions_of(encoded, found, texts), reading, config,
                               schema)
            table = merge_rows(table, extra, config.top_k)
    return table
