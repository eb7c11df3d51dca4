"""Vowel-tolerant matching of names written in Arabic or Hebrew script.

Arabic and Hebrew writing leaves most short vowels out: ``عمر البشير`` reads ``amr al bshir``
letter by letter, where the lists write ``Omar al-Bashir``. Character n-grams of the two share
little, so the index does not even offer the listed name as a candidate. This module compares
consonant skeletons instead: the consonants of the whole name, letters that romanisations swap
folded (``c``/``k``/``q``, ``v``/``w`` ...), doubled consonants collapsed (``mhmd`` for both
``محمد`` and ``Mohammed``). A list name with the same skeleton as an Arabic- or Hebrew-script
query, in the same token order or sorted, is a near match at :data:`ABJAD_SKELETON_SCORE`:
under the hit threshold, so a reviewer confirms it.

Only the short vowels go unwritten (since party-names-v7). The long ones are letters (ا, و,
ی), and so is a vowel that starts or ends a word (علی "Ali", فاطمه "Fatemeh"). A Latin name
whose skeleton agrees is still another name when its vowels disagree with the written ones
(:func:`written_vowels_agree`): ``حسین`` (Hossein, with a written long i) is not ``Hassan``,
``محمد حسین`` is not ``MOHAMMADI, Ehsan`` (Mohammadi ends in a vowel, Ehsan starts with one).
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
ABJAD_LETTER = "[\u0590-\u05FF\u0600-\u06FF\u0750-\u077F]"
"""A letter of the Arabic or Hebrew script (a regular expression)."""
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


# Consonant spellings folded before the vowels are compared (both sides are normalised text).
_CONSONANT_FOLDS = (("kh", "h"), ("gh", "k"), ("sh", "s"), ("ch", "j"), ("th", "s"),
                    ("dh", "s"), ("ph", "f"), ("zh", "j"), ("c", "k"), ("q", "k"), ("g", "k"),
                    ("b", "p"), ("d", "t"), ("v", "w"), ("z", "s"))
# As for the skeletons, w and y count with the vowels: و and ی write both.
_LATIN_VOWELS = frozenset("aeiouwy")
_ARABIC_VOWELS = frozenset("aiuwy")
# The Latin vowels that may write each long-vowel letter; an alif or ayn (read "a") may be
# written with any vowel ("Omar" for عمر).
_WRITTEN_AS = {"i": frozenset("iey"), "y": frozenset("iey"), "u": frozenset("ouw"),
               "w": frozenset("ouw")}


def _slots(token: str, arabic: bool) -> tuple[str, list[str]] | None:
    """A token as its consonants and the vowels before, between and after them.

    Returns ``(consonants, vowels)`` with ``len(vowels) == len(consonants) + 1``; a doubled
    consonant counts once. A final ``h`` after the last consonant of an Arabic-script word
    (ه, ة) writes a vowel (فاطمه "Fatemeh"), as does a Latin ``h`` after a final vowel.
    """
    for written, folded in _CONSONANT_FOLDS:
        token = token.replace(written, folded)
    if arabic and len(token) > 1 and token.endswith("h") and token[-2] not in _ARABIC_VOWELS:
        token = token[:-1] + "a"
    elif not arabic and len(token) > 1 and token.endswith("h") and token[-2] in _LATIN_VOWELS:
        token = token[:-1]
    consonants, vowels, run = [], [], []
    for letter in token:
        vowel = letter in (_ARABIC_VOWELS if arabic else _LATIN_VOWELS)
        if vowel:
            run.append(letter)
        elif consonants and consonants[-1] == letter and not run:
            continue
        else:
            consonants.append(letter)
            vowels.append("".join(run))
            run = []
    vowels.append("".join(run))
    return "".join(consonants), vowels


def _token_vowels_agree(arabic: str, latin: str) -> bool:
    """Whether a Latin token may write an Arabic-script one, vowels included.

    Where the consonants line up: a vowel that starts or ends one word starts or ends the
    other, and every long vowel the Arabic script writes between consonants has a Latin vowel
    that writes it. Consonants that do not line up say nothing here (True).
    """
    a_consonants, a_vowels = _slots(arabic, True)
    l_consonants, l_vowels = _slots(latin, False)
    if a_consonants != l_consonants:
        return True
    last = len(a_vowels) - 1
    for slot, (written, latin_run) in enumerate(zip(a_vowels, l_vowels, strict=True)):
        if slot in (0, last) and bool(written) != bool(latin_run):
            return False
        if written and not latin_run:
            return False
        # Two Latin vowels together ("Hossein", "Yousef") write a long vowel: a letter.
        if len(latin_run) > 1 and not written and 0 < slot < last:
            return False
        for letter in written:
            if letter in _WRITTEN_AS and not _WRITTEN_AS[letter] & set(latin_run):
                return False
        # A final alif or ha (رضا, سلمى, فاطمه) is written a or e, not i ("Salma", "Salimi").
        if slot == last and written.endswith("a") and not set(latin_run) & set("ae"):
            return False
    return True


def written_vowels_agree(query_text: str, name_text: str) -> bool:
    """Whether a Latin list name may write an Arabic-script query, its written vowels included.

    Tokens are paired in order, or sorted by consonants, when both names have as many, and
    each pair must have the same consonant skeleton; otherwise the names must have the same
    consonants in order and are compared as one word each (``"lithiumion"`` is not
    ``"athman ali"``, whose sorted skeletons agree).

    Parameters
    ----------
    query_text
        The normalised text of the Arabic-script query (``"mhmd hsin"``).
    name_text
        The normalised text of a Latin-script list name (``"mohammadi ehsan"``).

    Examples
    --------
    >>> written_vowels_agree("mhmd hsin", "mohammad hossein")
    True
    >>> written_vowels_agree("mhmd hsin", "mohammadi ehsan")
    False
    """
    query = [t for t in query_text.split(" ") if t]
    name = [t for t in name_text.split(" ") if t]
    if len(query) != len(name):
        # Words joined or split ("abd al rhmn", "abdul rahman"): the same consonants in order,
        # word by word ("prs stk" is not "proistok" though doubled letters would join so).
        return (_joined_skeleton(query) == _joined_skeleton(name)
                and _token_vowels_agree("".join(query), "".join(name)))
    pairings = (zip(query, name, strict=True),
                zip(sorted(query, key=_word_skeleton), sorted(name, key=_word_skeleton),
                    strict=True))
    return any(all(_word_skeleton(q) == _word_skeleton(n) and _token_vowels_agree(q, n)
                   for q, n in pairs) for pairs in pairings)


def _word_skeleton(token: str) -> str:
    return _DOUBLED.sub(r"\1", _token_skeleton(token))


def _joined_skeleton(tokens: list[str]) -> str:
    return "".join(_word_skeleton(t) for t in tokens)


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


def _vowels_agree(index, query_text: str, name_ids: np.ndarray) -> np.ndarray:
    """:func:`written_vowels_agree` for each list name in Latin script. A list name written
    in Arabic or Hebrew script writes the same letters as the query, so a skeleton match says
    nothing the letters do not: it is left to the usual path (False)."""
    taken = index.names.select(["name", "match_text"]).take(pa.array(name_ids))
    return np.array([not re.search(ABJAD_LETTER, raw or "")
                     and written_vowels_agree(query_text, text or "")
                     for raw, text in zip(taken.column("name").to_pylist(),
                                          taken.column("match_text").to_pylist(),
                                          strict=True)], dtype=bool)


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
    encoded, ids, distinct = distinct_matching(names, ABJAD_LETTER)
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
            candidates = np.unique(np.concatenate(hits))
            kept = candidates[_vowels_agree(index, norm.text, candidates)]
            if kept.size:
                found_ids[i] = kept
    if not found_ids:
        return table
    rows, name_ids, queries = positions_of(encoded, found_ids,
                                           dict(zip(ids.tolist(), distinct, strict=True)))
    extra = extra_rows(index, (rows, name_ids, queries), _READING, config, schema)
    return merge_rows(table, extra, config.top_k)
