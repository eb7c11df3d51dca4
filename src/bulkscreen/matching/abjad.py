"""Vowel-tolerant matching of names written in Arabic or Hebrew script.

Arabic and Hebrew writing leaves most short vowels out: ``عمر البشير`` reads ``amr al bshir``
letter by letter, where the lists write ``Omar al-Bashir``. Character n-grams of the two share
little, so the index does not even offer the listed name as a candidate. This module compares
consonant skeletons instead: the consonants of the whole name, letters that romanisations swap
folded (``c``/``k``/``q``, ``v``/``w`` ...), doubled consonants collapsed (``mhmd`` for both
``محمد`` and ``Mohammed``). A list name with the same skeleton as an Arabic- or Hebrew-script
query, in the same token order or sorted, is a near match at :data:`ABJAD_SKELETON_SCORE`:
under the hit threshold, so a reviewer confirms it.
"""

from __future__ import annotations

import re
from functools import lru_cache

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

ABJAD_SCRIPTS = frozenset({"Arab", "Hebr"})
"""Scripts whose names are compared by consonant skeleton as well."""

ABJAD_SKELETON_SCORE = 0.88
"""Score of a list name whose consonant skeleton equals the query's (a near match)."""

MIN_SKELETON_LENGTH = 5
"""Skeletons shorter than this (``mr`` for Omar, Amir, Emir, Mir) are too common to match."""

_FOLDS = (("ch", "j"), ("sh", "s"), ("ph", "f"), ("c", "k"), ("q", "k"), ("g", "k"),
          ("b", "p"), ("d", "t"), ("v", "w"), ("z", "s"), ("e", "a"), ("o", "a"), ("u", "a"),
          ("i", "a"), ("y", "a"), ("w", "a"))
_VOWEL = re.compile("a")
_DOUBLED = re.compile(r"(.)\1+")
_ABJAD_LETTER = "[\u0590-\u05FF\u0600-\u06FF\u0750-\u077F]"
_READING = Reading(ABJAD_SKELETON_SCORE, "consonant_skeleton", (
    "the consonants of the Arabic- or Hebrew-script name equal the list name's ({listed}); "
    "its vowels are not written, so this is a near match for review"))


@lru_cache(maxsize=1 << 16)
def _token_skeleton(token: str) -> str:
    for written, folded in _FOLDS:
        token = token.replace(written, folded)
    return _VOWEL.sub("", token)


def skeleton_keys(text: str) -> tuple[str, str]:
    """Consonant skeletons of a normalised name: in token order, and with tokens sorted.

    Parameters
    ----------
    text
        A normalised match text (tokens joined by single spaces).

    Returns
    -------
    tuple of str
        ``(in_order, sorted)``; both empty when the skeleton is shorter than
        :data:`MIN_SKELETON_LENGTH`.

    Examples
    --------
    >>> skeleton_keys("amr al bshir") == skeleton_keys("omar al bashir")
    True
    """
    tokens = [_token_skeleton(t) for t in text.split(" ") if t]
    in_order = _DOUBLED.sub(r"\1", "".join(tokens))
    if len(in_order) < MIN_SKELETON_LENGTH:
        return "", ""
    return in_order, _DOUBLED.sub(r"\1", "".join(sorted(tokens)))


def _build_lookup(index) -> KeyedIds:
    """List-name ids by skeleton key (both keys of each name)."""
    by_key: dict[str, list[int]] = {}
    for name_id, text in enumerate(index.names.column("match_text").to_pylist()):
        for key in set(skeleton_keys(text or "")):
            if key:
                by_key.setdefault(key, []).append(name_id)
    return KeyedIds.of(by_key)


_lookups: PerIndexCache[KeyedIds] = PerIndexCache(_build_lookup, stored=StoredForm(
    "abjad", save=lambda found: found.to_arrays(""),
    load=lambda arrays: KeyedIds.from_arrays(arrays, "")))


def _lookup(index) -> KeyedIds:
    """List-name ids by skeleton key, built once per index."""
    return _lookups.get(index)


def skeleton_matches(index, names: pa.Array, config: MatchConfig, table: pa.Table,
                     schema: pa.Schema) -> pa.Table:
    """Add skeleton matches of Arabic- and Hebrew-script names to a match table.

    Parameters
    ----------
    index
        The :class:`~bulkscreen.lists.name_index.NameIndex` matched against.
    names
        The queries (string array), as given to ``match_names``.
    config
        Its thresholds and ``top_k``.
    table
        The match table found by the usual path (``MATCH_SCHEMA``).
    schema
        ``MATCH_SCHEMA``.

    Returns
    -------
    pyarrow.Table
        ``table`` with a row for every list entry whose name has the query's skeleton and that
        the table did not already hold at a higher score; per query still the best
        ``config.top_k`` entries, ordered by position then best first.
    """
    if config.review_threshold > ABJAD_SKELETON_SCORE or index.n_names == 0:
        return table
    encoded, ids, distinct = distinct_matching(names, _ABJAD_LETTER)
    if ids.size == 0:
        return table
    from bulkscreen.normalize import normalize_names

    # Only distinct names with an Arabic or Hebrew letter are normalised again (from cache).
    wanted = {int(i): norm for i, norm in zip(ids, normalize_names(distinct), strict=True)
              if norm is not None and norm.script in ABJAD_SCRIPTS and norm.text}
    lookup = _lookup(index)
    found_ids: dict[int, np.ndarray] = {}
    for i, norm in wanted.items():
        hits = [lookup[key] for key in dict.fromkeys(skeleton_keys(norm.text)) if key in lookup]
        if hits:
            found_ids[i] = np.unique(np.concatenate(hits))
    if not found_ids:
        return table
    rows, name_ids, queries = positions_of(encoded, found_ids,
                                           dict(zip(ids.tolist(), distinct, strict=True)))
    extra = extra_rows(index, (rows, name_ids, queries), _READING, config, schema)
    return merge_rows(table, extra, config.top_k)
