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

import json
import re
from collections import OrderedDict
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.config import MatchConfig

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
_INDEXES_KEPT = 4
_lookups: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()


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


def _lookup(index) -> dict[str, np.ndarray]:
    """List-name ids by skeleton key (both keys of each name), built once per index."""
    found = _lookups.get(index.key)
    if found is not None:
        _lookups.move_to_end(index.key)
        return found
    by_key: dict[str, list[int]] = {}
    for name_id, text in enumerate(index.names.column("match_text").to_pylist()):
        for key in set(skeleton_keys(text or "")):
            if key:
                by_key.setdefault(key, []).append(name_id)
    found = {key: np.array(ids, dtype=np.int64) for key, ids in by_key.items()}
    _lookups[index.key] = found
    while len(_lookups) > _INDEXES_KEPT:
        _lookups.popitem(last=False)
    return found


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
    encoded = pc.dictionary_encode(names)
    # Only distinct names with an Arabic or Hebrew letter are normalised again (from cache).
    has_letter = pc.match_substring_regex(encoded.dictionary, _ABJAD_LETTER)
    ids = np.flatnonzero(has_letter.fill_null(False).to_numpy(zero_copy_only=False))
    if ids.size == 0:
        return table
    from bulkscreen.normalize import normalize_names

    distinct = encoded.dictionary.take(pa.array(ids)).to_pylist()
    wanted = {int(i): norm for i, norm in zip(ids, normalize_names(distinct), strict=True)
              if norm is not None and norm.script in ABJAD_SCRIPTS and norm.text}
    distinct_text = dict(zip(ids.tolist(), distinct, strict=True))
    if not wanted:
        return table
    lookup = _lookup(index)
    found_ids: dict[int, np.ndarray] = {}
    for i, norm in wanted.items():
        hits = [lookup[key] for key in dict.fromkeys(skeleton_keys(norm.text)) if key in lookup]
        if hits:
            found_ids[i] = np.unique(np.concatenate(hits))
    if not found_ids:
        return table
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    valid = encoded.indices.is_valid().to_numpy(zero_copy_only=False)
    rows, name_ids, queries = [], [], []
    for position in np.flatnonzero(valid & np.isin(indices, list(found_ids))):
        listed = found_ids[int(indices[position])]
        rows.extend([int(position)] * len(listed))
        name_ids.extend(listed.tolist())
        queries.extend([distinct_text[int(indices[position])]] * len(listed))
    return _merge(table, _skeleton_rows(index, rows, name_ids, queries, config, schema),
                  config.top_k)


def _skeleton_rows(index, rows: list[int], name_ids: list[int], queries: list[str],
                   config: MatchConfig, schema: pa.Schema) -> pa.Table:
    matched = index.names.take(pa.array(name_ids, pa.int64())).to_pylist()
    score = float(np.float32(ABJAD_SKELETON_SCORE))
    features = json.dumps({"consonant_skeleton": 1.0}, separators=(",", ":"))
    explanations = [
        f"'{query}' ~ '{row['name']}' ({row['alias_kind']}) on {row['list_id']} "
        f"{row['list_version']} entry {row['entry_id']}: score {score:.2f} [the consonants "
        f"of the Arabic- or Hebrew-script name equal the list name's "
        f"({skeleton_keys(row['match_text'])[0]}); its vowels are not written, so this is a "
        f"near match for review]"
        for query, row in zip(queries, matched, strict=True)
    ]
    n = len(rows)
    return pa.table({
        "query_pos": pa.array(rows, pa.int32()),
        "list_id": pa.array([r["list_id"] for r in matched], pa.string()),
        "list_version": pa.array([r["list_version"] for r in matched], pa.string()),
        "entry_id": pa.array([r["entry_id"] for r in matched], pa.string()),
        "matched_name": pa.array([r["name"] for r in matched], pa.string()),
        "alias_kind": pa.array([r["alias_kind"] for r in matched], pa.string()),
        "score": pa.array(np.full(n, score, dtype=np.float32)),
        "features": pa.array([features] * n, pa.string()),
        "is_hit": pa.array(np.full(n, score >= config.hit_threshold, dtype=bool)),
        "same_tokens": pa.array(np.zeros(n, dtype=bool)),
        "explanation": pa.array(explanations, pa.string()),
    }, schema=schema)


def _merge(table: pa.Table, extra: pa.Table, top_k: int) -> pa.Table:
    """Best row per (position, list, entry), best ``top_k`` per position, sorted.

    Only the positions ``extra`` adds to are re-ranked; the others keep their rows as found.
    """
    touched = pc.is_in(table.column("query_pos"), value_set=pc.unique(extra.column("query_pos")))
    untouched = table.filter(pc.invert(touched))
    both = pa.concat_tables([table.filter(touched), extra])
    order = pc.sort_indices(both, [("query_pos", "ascending"), ("score", "descending")])
    both = both.take(order)
    seen: set[tuple[int, str, str]] = set()
    per_position: dict[int, int] = {}
    keep = np.zeros(both.num_rows, dtype=bool)
    for i, key in enumerate(zip(both.column("query_pos").to_pylist(),
                                both.column("list_id").to_pylist(),
                                both.column("entry_id").to_pylist(), strict=True)):
        if key in seen or per_position.get(key[0], 0) >= top_k:
            continue
        seen.add(key)
        per_position[key[0]] = per_position.get(key[0], 0) + 1
        keep[i] = True
    merged = pa.concat_tables([untouched, both.filter(pa.array(keep))])
    # Stable: rows of one position keep their order.
    return merged.take(pc.sort_indices(merged, [("query_pos", "ascending")]))
