"""Features and explanations of the matches a batch returns, built column-wise.

Numbers are formatted once per distinct value with the same Python formatting a per-row loop
would use, and the strings are joined by Arrow, so the text is exact and costs little.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bulkscreen.config import MatchConfig
from bulkscreen.lists.name_index import NameIndex
from bulkscreen.matching.abjad import ABJAD_LETTER
from bulkscreen.matching.algorithm import EVIDENCE_WEIGHTS, UNINFORMATIVE_CAP
from bulkscreen.matching.informative import informative_matches, uninformative_tokens
from bulkscreen.matching.name_parts import (
    abjad_name_words,
    legal_form_words,
    misses_name_part,
    name_token_stats,
    other_abjad_word,
    other_or_common_names,
    splits_compound_name,
    untyped_person_name,
    written_as_person,
)

MATCH_SCHEMA = pa.schema([
    ("query_pos", pa.int32()), ("list_id", pa.string()), ("list_version", pa.string()),
    ("entry_id", pa.string()), ("matched_name", pa.string()), ("alias_kind", pa.string()),
    ("score", pa.float32()), ("features", pa.string()), ("is_hit", pa.bool_()),
    ("same_tokens", pa.bool_()), ("explanation", pa.string()),
])
"""One row per (query position, matched entry). ``same_tokens``: the normalised query and the
matched name have the same tokens (in any order), the only kind of match that may decide on
its own; ``is_hit``: the score reaches the hit threshold, and a one-word list name or a weak
alias is the query exactly."""

UNINFORMATIVE_NOTE = (f"; only generic words or place names in common with the list name, so "
                      f"the score is capped at {UNINFORMATIVE_CAP:.2f}")
PARTIAL_NAME_NOTE = (f"; the list name's family name or its one word is not matched, or a short "
                     f"name differs, so the score is capped at {UNINFORMATIVE_CAP:.2f}")
COMMON_NAME_NOTE = (f"; the match rests on common names, or a word of the name is another "
                    f"name the lists know, so the score is capped at {UNINFORMATIVE_CAP:.2f}")
SHORT_OR_WEAK_NOTE = ("; a one-word list name or a weak alias is a hit only when the name is "
                      "exactly that")

def _format_once(values: np.ndarray, *formats: Callable[[float], str]
                 ) -> tuple[list[pa.Array], np.ndarray]:
    """Python's formatting of float values, computed once per distinct value.

    Going through the same Python functions as a per-row loop keeps the text identical to
    it, while the calls are bounded by the distinct values (scores and features repeat).

    Returns
    -------
    texts : list of pyarrow.Array
        Per format, the string of every distinct value.
    positions : numpy.ndarray
        Index into ``texts`` of every value, shaped like ``values``.
    """
    # Distinct by bit pattern: -0.0 and 0.0 compare equal but print differently.
    values = np.ascontiguousarray(values)
    distinct, inverse = np.unique(values.view(f"u{values.dtype.itemsize}"), return_inverse=True)
    python_values = distinct.view(values.dtype).tolist()
    texts = [pa.array([fmt(v) for v in python_values], pa.string()) for fmt in formats]
    return texts, inverse.reshape(values.shape)


def _json_number(value: float) -> str:
    """``json.dumps`` of ``round(value, 4)`` (a finite float prints as its repr)."""
    rounded = round(value, 4)
    return repr(rounded) if math.isfinite(rounded) else json.dumps(rounded)


def _fixed(value: float) -> str:
    return f"{round(value, 4):.2f}"


def _signed(value: float) -> str:
    return f"{round(value, 4):+.2f}"


def _score_text(value: float) -> str:
    return f"{value:.2f}"


@lru_cache(maxsize=256)
def _text_scalar(text: str) -> pa.StringScalar:
    """A constant string as an Arrow scalar, made once.

    Arrow converts a Python string argument on every call, and each conversion looks for an
    optional date library; the literals of the explanation text repeat for every batch.
    """
    return pa.scalar(text, pa.string())


def _join(*parts: pa.Array | str, skip_nulls: bool = False) -> pa.Array:
    """Element-wise concatenation of string arrays and strings; a null part either nulls
    the row or, with ``skip_nulls``, is left out."""
    options = pc.JoinOptions(null_handling="skip" if skip_nulls else "emit_null")
    arrow_parts = [_text_scalar(part) if isinstance(part, str) else part for part in parts]
    return pc.binary_join_element_wise(*arrow_parts, _text_scalar(""), options=options)


def _detail_parts(features: np.ndarray, deltas: np.ndarray
                  ) -> tuple[list[pa.Array | str], list[pa.Array | str]]:
    """Parts of the ``features`` JSON and of an explanation's bracketed list.

    The text is what ``json.dumps`` prints for a dict of ``round(x, 4)`` values (features
    in order, then the non-zero evidence deltas) and ``f"{v:.2f}"`` / ``f"{v:+.2f}"`` on the
    same values. A zero delta's parts are null, so a join skipping nulls leaves it out.
    """
    from bulkscreen_kernels.scoring import EVIDENCE, FEATURES

    (feature_json, feature_text), feature_at = _format_once(features, _json_number, _fixed)
    (delta_json, delta_text), delta_at = _format_once(deltas, _json_number, _signed)
    json_parts: list[pa.Array | str] = ["{"]
    text_parts: list[pa.Array | str] = []
    for j, key in enumerate(FEATURES):
        at = pa.array(feature_at[:, j])
        json_parts += [("," if j else "") + f'"{key}":', feature_json.take(at)]
        text_parts += [(", " if j else "") + f"{key} ", feature_text.take(at)]
    null = pa.scalar(None, pa.string())
    for j, key in enumerate(EVIDENCE):
        at = pa.array(delta_at[:, j])
        absent = pa.array(deltas[:, j] == 0)
        json_parts.append(pc.if_else(absent, null, _join(f',"{key}":', delta_json.take(at))))
        text_parts.append(pc.if_else(absent, null, _join(f", {key} ", delta_text.take(at))))
    return [*json_parts, "}"], text_parts


def _explanation_parts(query_values: pa.Array, matched: pa.Table, score_text: pa.Array
                       ) -> list[pa.Array | str]:
    """``'query' ~ 'name' (kind) on list version entry id: score s [`` per row."""
    def text(column: str) -> pa.Array:
        # An f-string prints a missing value as None; keep that.
        return pc.fill_null(matched.column(column).combine_chunks(), _text_scalar("None"))

    return ["'", pc.fill_null(query_values, _text_scalar("None")), "' ~ '", text("name"), "' (",
            text("alias_kind"), ") on ", text("list_id"), " ", text("list_version"), " entry ",
            text("entry_id"), ": score ", score_text, " ["]


def _pair_features_once(queries, query_ids: np.ndarray, index: NameIndex, name_ids: np.ndarray,
                        cand_idx: np.ndarray, cand_features: np.ndarray) -> np.ndarray:
    """Feature vectors of matched (query, name) pairs.

    Scoring kept every feature of these pairs but the unweighted edit similarity, which is
    computed here once per distinct pair.
    """
    from bulkscreen_kernels.scoring import FEATURES, edit_similarities

    at = np.argmax(cand_idx[query_ids] == name_ids[:, None], axis=1)
    features = cand_features[query_ids, at]
    # Names of one match text (the same name on several lists) have the same edit
    # similarity to a query: each (query, text) pair is computed once.
    pair_key = (query_ids.astype(np.int64) * max(index.n_names, 1)
                + index.same_text()[name_ids])
    _, first, inverse = np.unique(pair_key, return_index=True, return_inverse=True)
    edit = edit_similarities(queries, query_ids[first], index.name_texts(), name_ids[first])
    features[:, FEATURES.index("levenshtein")] = edit[inverse.ravel()]
    return features


def _note_where(mask: np.ndarray, note: str) -> pa.Array:
    """``note`` on the rows of ``mask``, null (left out of a join) elsewhere."""
    return pc.if_else(pa.array(mask), _text_scalar(note), pa.scalar(None, pa.string()))


def _decode(codes: np.ndarray, offsets: np.ndarray, ids: np.ndarray) -> list[str]:
    """Texts ``ids`` of a (code points, offsets) pair."""
    # One decode of the whole column, then string slices: a code point is one character,
    # so offsets index the decoded text as they index the codes (one numpy slice and
    # decode per text cost ten times more).
    whole = codes.astype("<u4", copy=False).tobytes().decode("utf-32-le")
    bounds = offsets.tolist()
    return [whole[bounds[i]:bounds[i + 1]] for i in ids.tolist()]


def _cap_uninformative(queries: tuple[np.ndarray, ...], query_ids: np.ndarray,
                       index: NameIndex, name_ids: np.ndarray, scores: np.ndarray,
                       same: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cap the scores of organisation matches that share no informative token.

    Returns the scores and the mask of capped rows (see :mod:`bulkscreen.matching.informative`).
    """
    entity = index.names.column("entity_type").take(pa.array(name_ids)).to_pylist()
    checked = ~same & np.array([e != "person" for e in entity], dtype=bool)
    if not checked.any():
        return scores, np.zeros(len(scores), dtype=bool)
    name_texts = index.names.column("match_text").take(pa.array(name_ids)).to_pylist()
    query_texts = _decode(queries[0], queries[1], query_ids)
    capped = ~informative_matches(query_texts, name_texts, checked)
    capped &= scores > np.float32(UNINFORMATIVE_CAP)
    return np.where(capped, np.float32(UNINFORMATIVE_CAP), scores).astype(np.float32), capped


CRAFT_TYPES = pa.array(["vessel", "aircraft"])
"""List entity types whose names are craft, not parties that trade."""


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def _has_abjad_letter(values: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.match_substring_regex(values, ABJAD_LETTER), False).to_numpy(
        zero_copy_only=False)


def _cap_partial_names(queries: tuple[np.ndarray, ...], query_ids: np.ndarray,
                       index: NameIndex, name_ids: np.ndarray, scores: np.ndarray,
                       same: np.ndarray, raw_queries: pa.Array | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Cap matches that leave a person's family name, or a one-word list name, unmatched.

    ``raw_queries`` holds the query as written for each match, so that two names written in
    Arabic or Hebrew script are compared word for word.

    Returns the scores and the mask of capped rows (see :mod:`bulkscreen.matching.name_parts`).
    """
    over = np.flatnonzero(~same & (scores > np.float32(UNINFORMATIVE_CAP)))
    capped = np.zeros(len(scores), dtype=bool)
    common = np.zeros(len(scores), dtype=bool)
    if over.size == 0:
        return scores, capped, common
    # Token counts from the CSR pointers: no text is decoded for the one-word rule.
    query_words = np.diff(queries[4])[query_ids[over]]
    name_words = np.diff(index.arrays["name_token_ptr"])[name_ids[over]]
    craft = pc.fill_null(pc.is_in(index.names.column("entity_type").take(pa.array(name_ids[over])),
                                  value_set=CRAFT_TYPES), False).to_numpy(zero_copy_only=False)
    # A one-word list name, or a vessel's or aircraft's name, inside a longer name: the other
    # words say it is another party ("Pioneer Manufacturing" is not PIONEER, "Ever Glory
    # Components Co., Ltd." is not the ship EVER GLORY).
    longer = (query_words > 1) & ((name_words == 1) | craft) & (query_words > name_words)
    one_in_many = over[longer]
    if one_in_many.size:
        # A legal form the normaliser left in place ("LIMITED CNOOC") is not another word; a
        # generic word that is also part of some legal form ("Industrial", "International",
        # "Enterprise") is one.
        forms = legal_form_words() - uninformative_tokens()
        texts = _decode(queries[0], queries[1], query_ids[one_in_many])
        words = np.array([sum(t not in forms for t in text.split(" ")) for text in texts])
        capped[one_in_many[words > name_words[longer]]] = True
    rest = over[~capped[over]]
    if rest.size:
        query_texts = _decode(queries[0], queries[1], query_ids[rest])
        taken = index.names.select(["name", "match_text", "entity_type"]).take(
            pa.array(name_ids[rest]))
        entity = taken.column("entity_type").to_pylist()
        person = np.array([e == "person" for e in entity], dtype=bool)
        # A name of unknown type may be a person's: the common-name rules read it as one.
        maybe_person = person | np.array([e in (None, "", "unknown") for e in entity],
                                         dtype=bool)
        name_texts = taken.column("match_text").to_pylist()
        raw_names = taken.column("name").to_pylist()
        stats = name_token_stats(index)
        # An untyped name written FAMILY, Given is a person's to the family-name rule, and
        # one of given names and a family name to the first-given-name rule.
        written_person = person | np.array(
            [bool(u) and (written_as_person(n or "")
                          or untyped_person_name(t or "", n or "", stats.person_entries))
             for u, n, t in zip(maybe_person & ~person, raw_names, name_texts, strict=True)],
            dtype=bool)
        at, inverse = _distinct_keys(query_texts, name_texts, raw_names,
                                     written_person.tolist())
        capped[rest] = misses_name_part(
            [query_texts[k] for k in at], [name_texts[k] for k in at],
            [raw_names[k] for k in at], written_person[at], np.ones(len(at), dtype=bool)
        )[inverse]
        # The common-name rules only add to rows the family-name rule left uncapped.
        uncapped = np.flatnonzero(~capped[rest])
        if uncapped.size:
            company = ~person
            at, inverse = _distinct_keys([query_texts[k] for k in uncapped.tolist()],
                                         [name_texts[k] for k in uncapped.tolist()],
                                         maybe_person[uncapped].tolist(),
                                         company[uncapped].tolist())
            at = uncapped[at]
            common[rest[uncapped]] = other_or_common_names(
                [query_texts[k] for k in at.tolist()], [name_texts[k] for k in at.tolist()],
                maybe_person[at], stats, company[at])[inverse]
        if raw_queries is not None:
            both_abjad = (_has_abjad_letter(raw_queries.take(pa.array(rest)))
                          & _has_abjad_letter(taken.column("name")))
            raw = raw_queries.take(pa.array(rest)).to_pylist()
            for k in np.flatnonzero(both_abjad & ~capped[rest]):
                # A list name of one name (عبد الرحمن) inside a longer query: the one-word
                # rule, with the compound counted as the one word it is.
                if abjad_name_words(raw_names[k]) == 1 < abjad_name_words(raw[k]):
                    capped[rest[k]] = True
                elif not common[rest[k]]:
                    common[rest[k]] = other_abjad_word(query_texts[k], name_texts[k])
            for k in np.flatnonzero(maybe_person & ~capped[rest] & ~common[rest]):
                if raw[k] and ("-" in raw[k] or _has_hangul(raw[k])):
                    common[rest[k]] = splits_compound_name(raw[k], name_texts[k])
    capped |= common
    return (np.where(capped, np.float32(UNINFORMATIVE_CAP), scores).astype(np.float32),
            capped & ~common, common)


def _distinct_keys(*columns: list) -> tuple[np.ndarray, np.ndarray]:
    """First row of every distinct tuple of values across ``columns``, and each row's one.

    The per-row name rules depend on their arguments alone; the same (query text, list
    name) pair recurs (a name on several lists, a name written in two cases), and each
    distinct pair is then read once.

    Returns
    -------
    at : numpy.ndarray
        Row of the first occurrence of every distinct tuple, in order of appearance.
    inverse : numpy.ndarray
        For every row, the position in ``at`` of its tuple.
    """
    slot: dict[tuple, int] = {}
    first: list[int] = []
    inverse = np.empty(len(columns[0]), dtype=np.int64)
    for row, key in enumerate(zip(*columns, strict=True)):
        found = slot.setdefault(key, len(first))
        if found == len(first):
            first.append(row)
        inverse[row] = found
    return np.array(first, dtype=np.int64), inverse


def same_tokens(queries: tuple[np.ndarray, ...], query_ids: np.ndarray, index: NameIndex,
                name_ids: np.ndarray) -> np.ndarray:
    """Whether each (query, list name) pair has the same normalised tokens, in any order.

    Compares the token-sorted code points of both sides: equal texts mean equal token
    multisets. Only returned matches are compared, so a loop over them costs little.
    """
    _, _, query_sorted, query_offsets = queries[:4]
    name_sorted, name_offsets = index.arrays["name_sorted_codes"], \
        index.arrays["name_sorted_offsets"]
    query_len = query_offsets[query_ids + 1] - query_offsets[query_ids]
    name_len = name_offsets[name_ids + 1] - name_offsets[name_ids]
    same = query_len == name_len
    # Equal lengths and dtypes: equal bytes are equal code points (cheaper than
    # np.array_equal per pair).
    name_sorted = name_sorted.astype(query_sorted.dtype, copy=False)
    for k in np.flatnonzero(same).tolist():
        q, n = int(query_ids[k]), int(name_ids[k])
        same[k] = (query_sorted[query_offsets[q]:query_offsets[q + 1]].tobytes()
                   == name_sorted[name_offsets[n]:name_offsets[n + 1]].tobytes())
    return same


def _distinct_rows(raw_codes: np.ndarray, rank: np.ndarray, local_rows: np.ndarray,
                   row_evidence: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
    """First of every distinct (name as written, evidence, rank) match row, and each row's one.

    Positions with the same name as written and the same evidence select the same matches
    (one selection serves them all), and every output column of a match row but
    ``query_pos`` is a function of those: their rows are built once.

    Returns
    -------
    first : numpy.ndarray
        Index of one match row per distinct combination.
    inverse : numpy.ndarray
        For every match row, the position in ``first`` of its combination.
    """
    country, year, entity = (e[local_rows] for e in row_evidence)
    # Dictionary codes < 2**31, country codes < 26 * 26, years < 4096 and entity codes < 8
    # once shifted: one int64 key per position, as in match._distinct_selections.
    position = (((raw_codes.astype(np.int64) * 1024 + (country.astype(np.int64) + 1)) * 4096
                 + year.astype(np.int64)) * 8 + (entity.astype(np.int64) + 1))
    _, group = np.unique(position, return_inverse=True)
    key = group.ravel().astype(np.int64) * (int(rank.max(initial=0)) + 1) + rank
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def match_table(index: NameIndex, names: pa.Array, config: MatchConfig, pieces) -> pa.Table:
    """Assemble output rows column-wise; features and explanations only for these rows.

    Each distinct (name as written, evidence, rank) row is built once and then copied to
    every position that repeats it (:func:`_distinct_rows`).
    """
    tables = []
    raw_codes = None
    for (rows, rank, name_ids, scores, query_ids, local_rows, queries, row_evidence, cand_idx,
         cand_features) in pieces:
        if rows.shape[0] == 0:
            continue
        if raw_codes is None:
            raw_codes = pc.dictionary_encode(names).indices.fill_null(-1).to_numpy(
                zero_copy_only=False)
        first, inverse = _distinct_rows(raw_codes[rows], rank, local_rows, row_evidence)
        body, kept = _distinct_table(index, names, config, rows[first], rank[first],
                                     name_ids[first], scores[first], query_ids[first],
                                     local_rows[first], queries, row_evidence, cand_idx,
                                     cand_features)
        # Each kept row reads its distinct row's place among the kept distinct rows.
        place = np.cumsum(kept) - 1
        keep = kept[inverse]
        rows, rank, at = rows[keep], rank[keep], place[inverse[keep]]
        if rows.shape[0] == 0:
            continue
        order = np.lexsort((rank, rows))
        tables.append(body.take(pa.array(at[order])).add_column(
            0, MATCH_SCHEMA.field("query_pos"), pa.array(rows[order].astype(np.int32))))
    if not tables:
        return MATCH_SCHEMA.empty_table()
    result = pa.concat_tables(tables)
    # Blocks hold disjoint positions; one stable sort restores position order overall.
    return result.take(pc.sort_indices(result, [("query_pos", "ascending")]))


_BODY_SCHEMA = pa.schema([f for f in MATCH_SCHEMA if f.name != "query_pos"])


def _distinct_table(index: NameIndex, names: pa.Array, config: MatchConfig,  # noqa: PLR0913 - one piece's arrays
                    rows: np.ndarray, rank: np.ndarray, name_ids: np.ndarray,
                    scores: np.ndarray, query_ids: np.ndarray, local_rows: np.ndarray,
                    queries: tuple[np.ndarray, ...], row_evidence: tuple[np.ndarray, ...],
                    cand_idx: np.ndarray, cand_features: np.ndarray
                    ) -> tuple[pa.Table, np.ndarray]:
    """Output columns but ``query_pos`` of distinct match rows, for those kept, and the mask
    of the rows kept (scores at the review threshold or more after the caps)."""
    from bulkscreen_kernels.scoring import row_evidence_deltas

    same = same_tokens(queries, query_ids, index, name_ids)
    scores, capped = _cap_uninformative(queries, query_ids, index, name_ids, scores, same)
    scores, partial, common = _cap_partial_names(queries, query_ids, index, name_ids,
                                                 scores, same, names.take(pa.array(rows)))
    kept = scores >= np.float32(config.review_threshold)
    if not kept.all():
        rows, rank, name_ids, scores, query_ids, local_rows, same, capped, partial, common = (
            a[kept] for a in (rows, rank, name_ids, scores, query_ids, local_rows, same,
                              capped, partial, common))
        if rows.shape[0] == 0:
            return _BODY_SCHEMA.empty_table(), kept
    features = _pair_features_once(queries, query_ids, index, name_ids, cand_idx,
                                   cand_features)
    deltas = row_evidence_deltas(local_rows, name_ids, index.arrays["name_entry"],
                                 row_evidence, index.entry_evidence(), EVIDENCE_WEIGHTS)
    matched = index.names.select(["list_id", "list_version", "entry_id", "name",
                                  "alias_kind"]).take(pa.array(name_ids))
    json_parts, text_parts = _detail_parts(features, deltas)
    (score_text,), score_at = _format_once(scores, _score_text)
    head = _explanation_parts(names.take(pa.array(rows)), matched,
                              score_text.take(pa.array(score_at)))
    one_word = np.diff(index.arrays["name_token_ptr"])[name_ids] == 1
    weak = np.asarray(pc.equal(matched.column("alias_kind"), "weak").fill_null(False)
                      .to_numpy(zero_copy_only=False), dtype=bool)
    strong_enough = scores >= np.float32(config.hit_threshold)
    held_back = strong_enough & (one_word | weak) & ~same
    return pa.table({
        "list_id": matched.column("list_id"), "list_version": matched.column("list_version"),
        "entry_id": matched.column("entry_id"), "matched_name": matched.column("name"),
        "alias_kind": matched.column("alias_kind"),
        "score": pa.array(scores.astype(np.float32)),
        "features": _join(*json_parts, skip_nulls=True),
        "is_hit": pa.array(strong_enough & ~held_back),
        "same_tokens": pa.array(same),
        "explanation": _join(*head, *text_parts, "]",
                             _note_where(capped, UNINFORMATIVE_NOTE),
                             _note_where(partial, PARTIAL_NAME_NOTE),
                             _note_where(common, COMMON_NAME_NOTE),
                             _note_where(held_back, SHORT_OR_WEAK_NOTE), skip_nulls=True),
    }, schema=_BODY_SCHEMA), kept
