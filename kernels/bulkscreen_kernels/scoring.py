"""Pair features, their weighted combination, secondary evidence and top-k per query.

A *text* is a ``(codes, offsets)`` string column plus its token-sorted twin and the weight of
each token (tokens are single-space separated, weights parallel to them in CSR order):
``texts = (codes, offsets, sorted_codes, sorted_offsets, token_ptr, token_weight)``.

Features of a (query, list name) pair, each in [0, 1], in ``FEATURES`` order:

``jaro_winkler``
    Jaro-Winkler of the two names, the better of as-written and token-sorted order.
``levenshtein``
    ``1 - distance / longer length`` of the names with spaces removed, the better of
    as-written and token-sorted order (bounded distance), so a token split or joined
    ("rosoboron export") costs nothing.
``query_cover``
    Weighted share of the query's tokens that have a close token in the list name, each
    counted by that token similarity. Token similarity is the mean of Jaro-Winkler and
    ``1 - OSA / longer length`` (a transposed pair is one edit; Jaro-Winkler alone rewards
    shared prefixes such as ivan/ivanov); one edit in tokens of at
    least ``TYPO_MIN_LENGTH`` characters counts ``ONE_EDIT_SIMILARITY`` at least. Tokens under
    ``TOKEN_MATCH_FLOOR`` count as unmatched.
``name_cover``
    The same share from the list name's side (a dropped middle name lowers only this one).
``token_order``
    Share of consecutive matched query tokens whose partners keep their order.

The score is the weighted sum of the features, raised by the keep rules (see
:func:`pair_features_scratch`): to the ``jaro_winkler`` feature where the names are one
typo apart with spaces removed, or where one name's tokens are all in the other in order;
to the as-written Jaro-Winkler where both names are at least ``jw_min_length`` characters
long (long strings rarely reach a high Jaro-Winkler by chance).

Evidence, applied per query row where both sides have it, as signed score deltas:
country (query country among the entry's), birth year (equal, or more than one year apart),
entity type (a person against a non-person).
"""

from __future__ import annotations

import numba
import numpy as np

from bulkscreen_kernels._jit import jit, jit_inline, jit_parallel
from bulkscreen_kernels.strings import (
    MAX_PREFIX,
    jaro_winkler_scratch,
    levenshtein_bounded_scratch,
    osa_bounded_scratch,
    within_one_edit,
)

FEATURES = ("jaro_winkler", "levenshtein", "query_cover", "name_cover", "token_order")
EVIDENCE = ("country", "birth_year", "entity_type")
N_FEATURES = 5
N_EVIDENCE = 3
TOKEN_MATCH_FLOOR = 0.8
TYPO_MIN_LENGTH = 4
ONE_EDIT_SIMILARITY = 0.95
PREFIX_WEIGHT = 0.1
SPACE = 32
ENTITY_PERSON = 0
ENTITY_UNKNOWN = -1
# Feature slots in the features array.
JW, LEV, QUERY_COVER, NAME_COVER, TOKEN_ORDER = 0, 1, 2, 3, 4


@jit
def _token_spans(text, starts, stops):
    """Write the [start, stop) of each space-separated token; return their number."""
    n = 0
    in_token = False
    for p in range(text.shape[0]):
        if text[p] == SPACE:
            if in_token:
                stops[n] = p
                n += 1
            in_token = False
        elif not in_token:
            in_token = True
            starts[n] = p
    if in_token:
        stops[n] = text.shape[0]
        n += 1
    return n


@jit
def make_scratch(longest, query_tokens, name_tokens):
    """Buffers for :func:`pair_features_scratch`.

    (a_flags, b_flags, rows, spans, floats, joined, masks, may): rows holds three DP rows,
    joined the names with spaces removed (query, name, and their token-sorted forms), masks
    the character masks of the query's and the name's tokens, may which token pairs may
    reach the token floor (sized by the most tokens of any query and any name).
    """
    size = longest + 2
    return (np.zeros(size, np.bool_), np.zeros(size, np.bool_), np.empty((3, size), np.int64),
            np.empty((4, size), np.int64), np.empty((2, size), np.float64),
            np.empty((4, size), np.uint32), np.empty((2, size), np.uint64),
            np.empty((query_tokens + 1, name_tokens + 1), np.bool_))


@jit
def _char_bit(code):
    """Bit of a character in a 64-bit character mask (letters and digits exact, others hashed)."""
    if 97 <= code <= 122:
        return code - 97
    if 48 <= code <= 57:
        return code - 48 + 26
    return code % 28 + 36


@jit
def char_mask(token):
    """64-bit mask of the characters a token holds."""
    mask = np.uint64(0)
    for p in range(token.shape[0]):
        mask |= np.uint64(1) << np.uint64(_char_bit(token[p]))
    return mask


@jit
def _bit_count(mask):
    """Set bits of a 64-bit mask (branch-free SWAR count)."""
    mask = mask - ((mask >> np.uint64(1)) & np.uint64(0x5555555555555555))
    mask = (mask & np.uint64(0x3333333333333333)) + (
        (mask >> np.uint64(2)) & np.uint64(0x3333333333333333))
    mask = (mask + (mask >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((mask * np.uint64(0x0101010101010101)) >> np.uint64(56))


@jit
def _chars_in(token, mask):
    """How many characters of ``token`` are in ``mask``: a bound on Jaro's matches."""
    count = 0
    for p in range(token.shape[0]):
        if (mask >> np.uint64(_char_bit(token[p]))) & np.uint64(1):
            count += 1
    return count


@jit_inline
def _token_bound_verdict(a_len, a_mask, b_len, b_mask):
    """What lengths and character masks alone say of a token pair against the floor.

    Returns 1 (may reach it: the one-edit floor may apply), 0 (surely under it) or -1
    (undecided: the characters themselves are needed). An edit changes at most two bits of
    the masks' difference and the length by one.
    """
    longer = max(a_len, b_len)
    shorter = min(a_len, b_len)
    if shorter == 0:
        return 1
    min_distance = max(longer - shorter, (_bit_count(a_mask ^ b_mask) + 1) // 2)
    if min_distance <= 1:
        return 1
    # Even a perfect Jaro-Winkler leaves the mean at 1 - min_distance / (2 * longer).
    if 1.0 - 0.5 * min_distance / longer < TOKEN_MATCH_FLOOR - 1e-9:
        return 0
    return -1


@jit
def token_may_match(a, a_mask, b, b_mask):
    """False only when :func:`token_similarity` of the tokens is surely under the floor.

    Bounds, from lengths and character masks alone (:func:`_token_bound_verdict`), then
    from the characters: Jaro matches only characters both tokens hold.
    """
    verdict = _token_bound_verdict(a.shape[0], a_mask, b.shape[0], b_mask)
    if verdict >= 0:
        return verdict == 1
    longer = max(a.shape[0], b.shape[0])
    shorter = min(a.shape[0], b.shape[0])
    min_distance = max(longer - shorter, (_bit_count(a_mask ^ b_mask) + 1) // 2)
    matches = min(_chars_in(a, b_mask), _chars_in(b, a_mask))
    jaro = (matches / a.shape[0] + matches / b.shape[0] + 1.0) / 3.0 if matches else 0.0
    prefix = min(MAX_PREFIX, shorter) * PREFIX_WEIGHT
    most = 0.5 * (jaro + prefix * (1.0 - jaro) + 1.0 - min_distance / longer)
    return most >= TOKEN_MATCH_FLOOR - 1e-9


@jit
def token_similarity(a, b, a_flags, b_flags, rows):
    """Mean of Jaro-Winkler and ``1 - OSA / longer length`` of two tokens.

    One edit between tokens of at least ``TYPO_MIN_LENGTH`` characters scores at least
    ``ONE_EDIT_SIMILARITY``. Below ``TOKEN_MATCH_FLOOR`` the value is not exact (an edit
    distance that cannot lift the pair over the floor is capped, not finished), only known
    to be under the floor.
    """
    jw = jaro_winkler_scratch(a, b, PREFIX_WEIGHT, a_flags, b_flags)
    longer = max(a.shape[0], b.shape[0])
    if longer == 0:
        return 1.0
    # The mean reaches the floor only within 2 * (1 - floor) * longer edits.
    bound = max(np.int64(2.0 * (1.0 - TOKEN_MATCH_FLOOR) * longer), 1)
    distance = osa_bounded_scratch(a, b, bound, rows)
    sim = 0.5 * (jw + 1.0 - distance / longer)
    if distance == 1 and min(a.shape[0], b.shape[0]) >= TYPO_MIN_LENGTH:
        sim = max(sim, ONE_EDIT_SIMILARITY)
    return sim


@jit
def _load_tokens(text, side, scratch):
    """Token spans and character masks of ``text`` into the scratch (side 0: query, 1: name).

    Returns the number of tokens.
    """
    _, _, _, spans, _, _, masks, _ = scratch
    n = _token_spans(text, spans[2 * side], spans[2 * side + 1])
    for t in range(n):
        masks[side, t] = char_mask(text[spans[2 * side, t]:spans[2 * side + 1, t]])
    return n


@jit
def token_table(codes, offsets):
    """Token spans and character masks of every text, for :func:`score_candidates`.

    Splitting each list name once per index, instead of once per candidate pair, takes the
    splitting out of the scoring loop.

    Parameters
    ----------
    codes, offsets
        Texts as code points (tokens separated by single spaces).

    Returns
    -------
    tuple of numpy.ndarray
        ``(token_ptr, starts, stops, masks)``: CSR pointer (int64) over the tokens of every
        text, each token's [start, stop) within its text (int32) and its 64-bit
        character mask (uint64).
    """
    n_texts = offsets.shape[0] - 1
    counts = np.zeros(n_texts, dtype=np.int64)
    for i in range(n_texts):
        in_token = False
        for p in range(offsets[i], offsets[i + 1]):
            starts_here = codes[p] != SPACE and not in_token
            counts[i] += starts_here
            in_token = codes[p] != SPACE
    token_ptr = np.zeros(n_texts + 1, dtype=np.int64)
    for i in range(n_texts):
        token_ptr[i + 1] = token_ptr[i] + counts[i]
    starts = np.empty(token_ptr[n_texts], dtype=np.int32)
    stops = np.empty(token_ptr[n_texts], dtype=np.int32)
    masks = np.empty(token_ptr[n_texts], dtype=np.uint64)
    for i in range(n_texts):
        text = codes[offsets[i]:offsets[i + 1]]
        at = token_ptr[i]
        p = 0
        while p < text.shape[0]:
            if text[p] == SPACE:
                p += 1
                continue
            stop = p
            while stop < text.shape[0] and text[stop] != SPACE:
                stop += 1
            starts[at] = p
            stops[at] = stop
            masks[at] = char_mask(text[p:stop])
            at += 1
            p = stop
    return token_ptr, starts, stops, masks


@jit_inline
def _copy_tokens(table, i, side, scratch):
    """Load text ``i``'s tokens from a :func:`token_table` into the scratch; return their number."""
    token_ptr, starts, stops, masks = table
    _, _, _, spans, _, _, scratch_masks, _ = scratch
    n = token_ptr[i + 1] - token_ptr[i]
    for t in range(n):
        spans[2 * side, t] = starts[token_ptr[i] + t]
        spans[2 * side + 1, t] = stops[token_ptr[i] + t]
        scratch_masks[side, t] = masks[token_ptr[i] + t]
    return n


@jit_inline
def _cover_bounds(query, query_token_weight, name, name_token_weight, n_q, n_n, scratch):
    """Upper bounds of ``query_cover`` and ``name_cover`` from lengths and character masks.

    Needs both sides' tokens loaded (:func:`_load_tokens`). Marks in the scratch which token
    pairs may reach the token floor (``may``) for :func:`_cover_order`.
    """
    _, _, _, spans, floats, _, masks, may = scratch
    query_total = 0.0
    query_most = 0.0
    for i in range(n_q):
        weight = query_token_weight[i] if i < query_token_weight.shape[0] else 1.0
        query_total += weight
        any_partner = False
        query_length = spans[1, i] - spans[0, i]
        for j in range(n_n):
            # Lengths and masks settle most pairs without slicing the tokens.
            verdict = _token_bound_verdict(query_length, masks[0, i], spans[3, j] - spans[2, j],
                                           masks[1, j])
            if verdict < 0:
                verdict = token_may_match(query[spans[0, i]:spans[1, i]], masks[0, i],
                                          name[spans[2, j]:spans[3, j]], masks[1, j])
            may[i, j] = verdict == 1
            any_partner |= may[i, j]
        if any_partner:
            query_most += weight
    name_total = 0.0
    name_most = 0.0
    for j in range(n_n):
        weight = name_token_weight[j] if j < name_token_weight.shape[0] else 1.0
        name_total += weight
        for i in range(n_q):
            if may[i, j]:
                name_most += weight
                break
    floats[0, 0] = n_q
    floats[0, 1] = n_n
    return (query_most / query_total if query_total > 0 else 0.0,
            name_most / name_total if name_total > 0 else 0.0)


@jit_inline
def _cover_order(query, query_token_weight, name, name_token_weight, scratch, out):
    """Fill ``out[QUERY_COVER]``, ``out[NAME_COVER]``, ``out[TOKEN_ORDER]``.

    Runs after :func:`_cover_bounds` on the same pair; pairs it ruled out count as unmatched.
    """
    a_flags, b_flags, rows, spans, floats, _, _, may = scratch
    n_q = np.int64(floats[0, 0])
    n_n = np.int64(floats[0, 1])
    name_best = floats[1]
    for j in range(n_n):
        name_best[j] = 0.0
    query_total = 0.0
    query_covered = 0.0
    matched = 0
    in_order = 0
    last_partner = -1
    for i in range(n_q):
        token = query[spans[0, i]:spans[1, i]]
        best = 0.0
        partner = -1
        for j in range(n_n):
            # Pairs surely under the floor count as unmatched whatever their exact value.
            if not may[i, j]:
                continue
            sim = token_similarity(token, name[spans[2, j]:spans[3, j]], a_flags, b_flags,
                                   rows)
            if sim > best:
                best = sim
                partner = j
            if sim > name_best[j]:
                name_best[j] = sim
        weight = query_token_weight[i] if i < query_token_weight.shape[0] else 1.0
        query_total += weight
        if best >= TOKEN_MATCH_FLOOR:
            query_covered += weight * best
            if matched > 0 and partner > last_partner:
                in_order += 1
            matched += 1
            last_partner = partner
    name_total = 0.0
    name_covered = 0.0
    for j in range(n_n):
        weight = name_token_weight[j] if j < name_token_weight.shape[0] else 1.0
        name_total += weight
        if name_best[j] >= TOKEN_MATCH_FLOOR:
            name_covered += weight * name_best[j]
    out[QUERY_COVER] = query_covered / query_total if query_total > 0 else 0.0
    out[NAME_COVER] = name_covered / name_total if name_total > 0 else 0.0
    out[TOKEN_ORDER] = in_order / (matched - 1) if matched > 1 else 1.0


@jit
def _without_spaces(text, out):
    """Copy ``text`` without its spaces into ``out``; return the copied length."""
    n = 0
    for p in range(text.shape[0]):
        if text[p] != SPACE:
            out[n] = text[p]
            n += 1
    return n


@jit
def _joined_similarity(a, b, weight, reachable, floor, rows):
    """``1 - Levenshtein / longer length``, bounded by what can still lift the pair."""
    longer = max(a.shape[0], b.shape[0])
    if longer == 0:
        return 1.0
    # Only distances that can still lift the pair over the floor need computing.
    slack = (reachable - floor) / weight if weight > 0 else 1.0
    bound = np.int64(min(1.0, slack) * longer) + 1
    distance = levenshtein_bounded_scratch(a, b, bound, rows[0])
    return max(0.0, 1.0 - distance / longer)


@jit
def _levenshtein_feature(query, query_sorted, name, name_sorted, weight, reachable, floor,
                         scratch):
    """Edit similarity of the names without spaces, the better of written and sorted order."""
    _, _, rows, _, _, joined, _, _ = scratch
    q_len = _without_spaces(query, joined[0])
    n_len = _without_spaces(name, joined[1])
    written = _joined_similarity(joined[0, :q_len], joined[1, :n_len], weight, reachable,
                                 floor, rows)
    _without_spaces(query_sorted, joined[2])
    _without_spaces(name_sorted, joined[3])
    # Same characters in another order: only a different order can score differently.
    sorted_sim = _joined_similarity(joined[2, :q_len], joined[3, :n_len], weight, reachable,
                                    floor, rows)
    return max(written, sorted_sim)


@jit_inline
def _jaro_winkler_bound(a, b):
    """An upper bound of the Jaro-Winkler of ``a`` and ``b`` from character masks alone.

    Jaro matches only characters both strings hold, so ``min(chars of a in b, chars of b
    in a)`` bounds the matches; the Winkler prefix bonus is taken at its largest.
    """
    if a.shape[0] == 0 or b.shape[0] == 0:
        return 1.0
    matches = min(_chars_in(a, char_mask(b)), _chars_in(b, char_mask(a)))
    if matches == 0:
        return 0.0
    jaro = (matches / a.shape[0] + matches / b.shape[0] + 1.0) / 3.0
    return jaro + min(MAX_PREFIX, a.shape[0], b.shape[0]) * PREFIX_WEIGHT * (1.0 - jaro)


@jit_inline
def _contained(query_cover, name_cover, token_order, contain):
    """One name's tokens all found, in order, in the other, which is mostly covered too."""
    most_cover, least_cover = contain
    return (max(query_cover, name_cover) >= most_cover
            and min(query_cover, name_cover) >= least_cover and token_order >= 1.0)


@jit
def _one_edit_apart(query, name, n_q, n_n, min_length, scratch):
    """1 if the names, spaces removed, are at most one edit (OSA) apart and long enough, else 0.

    Token lengths (loaded in the scratch) give the lengths without spaces, so most pairs
    are settled before any copy.
    """
    _, _, _, spans, _, joined, _, _ = scratch
    q_len = 0
    for i in range(n_q):
        q_len += spans[1, i] - spans[0, i]
    n_len = 0
    for j in range(n_n):
        n_len += spans[3, j] - spans[2, j]
    if min(q_len, n_len) < min_length or abs(q_len - n_len) > 1:
        return 0
    _without_spaces(query, joined[0])
    _without_spaces(name, joined[1])
    return 1 if within_one_edit(joined[0, :q_len], joined[1, :n_len]) else 0


@jit_inline
def pair_features_scratch(query, query_sorted, query_token_weight, name, name_sorted,
                          name_token_weight, weights, keep_rules, floor, scratch, out,
                          n_q, n_n):
    """Fill ``out`` with the features of one pair and return its score.

    Both names' tokens must be in the scratch already (:func:`_load_tokens`; ``n_q`` and
    ``n_n`` tokens), so a query's tokens are split once for all its candidates.

    ``keep_rules`` is ``(jw_min_length, one_edit_min_length, contain_most, contain_least)``:
    the score is at least the Jaro-Winkler feature where one name is the other plus one
    typo (spaces aside, both at least ``one_edit_min_length`` long), or where one name's
    tokens are all in the other in order (covers ``contain_most`` and ``contain_least``),
    and at least the as-written Jaro-Winkler where both are ``jw_min_length`` long.
    Features are computed cheapest-first; once the best score still reachable falls under
    ``floor`` the remaining features are left at 0 and a value under ``floor`` is returned
    (or the exact score, where a keep rule lifts it to ``floor`` or more): a return value
    under ``floor`` means "cannot reach the floor", not an exact score. With a zero
    ``levenshtein`` weight and a finite floor, that feature is left at 0.
    """
    jw_min_length, one_edit_min_length, contain_most, contain_least = keep_rules
    contain = (contain_most, contain_least)
    a_flags, b_flags, _, _, _, _, _, _ = scratch
    for f in range(N_FEATURES):
        out[f] = 0.0
    long_names = min(query.shape[0], name.shape[0]) >= jw_min_length
    # Cheapest first: token bounds (no Jaro-Winkler yet) can rule most candidates out.
    query_most, name_most = _cover_bounds(query, query_token_weight, name, name_token_weight,
                                          n_q, n_n, scratch)
    most = 1.0 - weights[QUERY_COVER] * (1.0 - query_most) - weights[NAME_COVER] * (
        1.0 - name_most)
    # Under the floor only a keep rule can lift the pair, and every keep rule needs the
    # Jaro-Winkler feature at the floor: free checks first, then that feature's bound.
    one_edit = -1  # unknown until needed: 0 or 1
    jw_most = -1.0  # the Jaro-Winkler feature's character bound, once needed
    if most >= floor:
        # The Jaro-Winkler feature's bound too, before any token similarity.
        jw_most = _jaro_winkler_bound(query, name)
        most -= weights[JW] * (1.0 - jw_most)
    if most < floor:
        rule = long_names or _contained(query_most, name_most, 1.0, contain)
        if not rule:
            one_edit = _one_edit_apart(query, name, n_q, n_n, one_edit_min_length, scratch)
            rule = one_edit == 1
        if not rule:
            return most
        if jw_most < 0.0:
            jw_most = _jaro_winkler_bound(query, name)
        if jw_most < floor:
            return most
    # Exact token features next: a few token pairs cost less than two whole-name
    # Jaro-Winklers, and they settle most of the remaining candidates.
    _cover_order(query, query_token_weight, name, name_token_weight, scratch, out)
    contained = _contained(out[QUERY_COVER], out[NAME_COVER], out[TOKEN_ORDER], contain)
    most = 1.0 - weights[JW] * (1.0 - jw_most)
    for f in (QUERY_COVER, NAME_COVER, TOKEN_ORDER):
        most -= weights[f] * (1.0 - out[f])
    if most < floor:
        if jw_most < floor:
            return most
        rule = long_names or contained
        if not rule:
            if one_edit < 0:
                one_edit = _one_edit_apart(query, name, n_q, n_n, one_edit_min_length, scratch)
            rule = one_edit == 1
        if not rule:
            return most
    jw = jaro_winkler_scratch(query, name, PREFIX_WEIGHT, a_flags, b_flags)
    jw_sorted = jaro_winkler_scratch(query_sorted, name_sorted, PREFIX_WEIGHT, a_flags, b_flags)
    out[JW] = max(jw, jw_sorted)
    # Long names keep at least their as-written Jaro-Winkler.
    keep = jw if long_names else 0.0
    # One typo anywhere (short tokens, token splits) keeps the whole-name similarity.
    if out[JW] > keep and out[JW] >= floor:
        if one_edit < 0:
            one_edit = _one_edit_apart(query, name, n_q, n_n, one_edit_min_length, scratch)
        if one_edit == 1:
            keep = out[JW]
    if contained:
        keep = max(keep, out[JW])
    reachable = 1.0
    for f in (JW, QUERY_COVER, NAME_COVER, TOKEN_ORDER):
        reachable -= weights[f] * (1.0 - out[f])
    if reachable < floor:
        return max(reachable, keep)
    if weights[LEV] == 0.0 and floor > -np.inf:
        # An unweighted feature cannot move the score; explanations (no floor) still get it.
        return max(reachable, keep)
    out[LEV] = _levenshtein_feature(query, query_sorted, name, name_sorted, weights[LEV],
                                    reachable, floor, scratch)
    total = 0.0
    for f in range(N_FEATURES):
        total += weights[f] * out[f]
    return max(total, keep)


@jit
def _string(codes, offsets, i):
    return codes[offsets[i]:offsets[i + 1]]


@jit
def _most_tokens(codes, offsets):
    """Most space-separated tokens in any one text (spaces + 1, an upper bound)."""
    most = 1
    for i in range(offsets.shape[0] - 1):
        spaces = 0
        for p in range(offsets[i], offsets[i + 1]):
            spaces += codes[p] == SPACE
        most = max(most, spaces + 1)
    return most


@jit
def _float32_under(value):
    """The largest float32 under ``value``: a score under the floor must stay under it when
    stored as float32 (0.4999999 would round up to a floor of 0.5)."""
    if not np.isfinite(value):
        return np.float32(value)
    below = np.float32(value)
    while np.float64(below) >= value:
        below = np.nextafter(below, np.float32(-np.inf))
    return below


@jit
def _longest(offsets):
    longest = 1
    for i in range(offsets.shape[0] - 1):
        longest = max(longest, offsets[i + 1] - offsets[i])
    return longest


@jit_inline
def _pair_score(queries, q, names, n, weights, keep_rules, floor, scratch, out, n_q, n_n):
    """Score of query ``q`` against name ``n``; their ``n_q`` and ``n_n`` tokens are loaded."""
    q_codes, q_offsets, q_sorted_codes, q_sorted_offsets, q_token_ptr, q_token_weight = queries
    n_codes, n_offsets, n_sorted_codes, n_sorted_offsets, n_token_ptr, n_token_weight = names
    name = _string(n_codes, n_offsets, n)
    return pair_features_scratch(
        _string(q_codes, q_offsets, q), _string(q_sorted_codes, q_sorted_offsets, q),
        q_token_weight[q_token_ptr[q]:q_token_ptr[q + 1]],
        name, _string(n_sorted_codes, n_sorted_offsets, n),
        n_token_weight[n_token_ptr[n]:n_token_ptr[n + 1]],
        weights, keep_rules, floor, scratch, out, n_q, n_n)


@jit_parallel
def score_candidates(queries, names, name_tokens, same_text, cand_idx, weights, keep_rules,
                     floor, n_chunks):
    """Combined score of every (query, candidate) pair.

    Parameters
    ----------
    queries, names
        Texts as described in the module docstring.
    name_tokens
        :func:`token_table` of the names (built once per list index).
    same_text
        int32 per name: the first name with the same text and token weights (itself
        where none comes before). A query scores such names once: the same name is often
        on several lists.
    cand_idx
        int32 ``(n_queries, k)`` candidate name ids, ``-1`` for none.
    weights
        float64 feature weights in ``FEATURES`` order, summing to 1.
    keep_rules
        ``(jw_min_length, one_edit_min_length, contain_most, contain_least)``, floats:
        when a score is at least a Jaro-Winkler value (see
        :func:`pair_features_scratch`).
    floor
        Pairs that cannot reach this score stop early and score below it.
    n_chunks
        Work chunks spread over the threads (a few per thread).

    Returns
    -------
    scores : numpy.ndarray
        float32 ``(n_queries, k)`` scores; exact where ``>= floor``, under ``floor`` (also
        as float32) where the pair cannot reach it, ``-1`` for no candidate.
    features : numpy.ndarray
        float32 ``(n_queries, k, N_FEATURES)``: where the score is ``>= floor``, the exact
        features other than ``levenshtein`` (see :func:`edit_similarities`); else 0.
    """
    n_queries, k = cand_idx.shape
    scores = np.full((n_queries, k), -1.0, dtype=np.float32)
    pair_features_out = np.zeros((n_queries, k, N_FEATURES), dtype=np.float32)
    longest = max(_longest(queries[1]), _longest(names[1]))
    query_tokens = _most_tokens(queries[0], queries[1])
    most_name_tokens = _longest(name_tokens[0])  # the most tokens of any name
    under_floor = _float32_under(floor)
    n_chunks = min(n_queries, max(1, n_chunks))
    for chunk in numba.prange(n_chunks):
        scratch = make_scratch(longest, query_tokens, most_name_tokens)
        features = np.empty(N_FEATURES, dtype=np.float64)
        for q in range(chunk, n_queries, n_chunks):
            n_q = _load_tokens(_string(queries[0], queries[1], q), 0, scratch)
            for c in range(k):
                n = cand_idx[q, c]
                if n < 0:
                    break
                twin = -1
                for d in range(c):
                    if same_text[cand_idx[q, d]] == same_text[n]:
                        twin = d
                        break
                if twin >= 0:
                    scores[q, c] = scores[q, twin]
                    for f in range(N_FEATURES):
                        pair_features_out[q, c, f] = pair_features_out[q, twin, f]
                    continue
                n_n = _copy_tokens(name_tokens, n, 1, scratch)
                score = _pair_score(queries, q, names, n, weights, keep_rules, floor,
                                    scratch, features, n_q, n_n)
                if score >= floor:
                    scores[q, c] = score
                    # Kept for explanations, which then need only the edit similarity.
                    for f in range(N_FEATURES):
                        pair_features_out[q, c, f] = features[f] if f != LEV else 0.0
                else:
                    scores[q, c] = min(score, under_floor)
    return scores, pair_features_out


@jit_parallel
def pair_features(queries, query_rows, names, name_rows, weights, keep_rules):
    """Full feature vectors and scores of chosen (query, name) pairs, for explanations.

    Returns
    -------
    features : numpy.ndarray
        float32 ``(n_pairs, N_FEATURES)``.
    scores : numpy.ndarray
        float64 ``(n_pairs,)`` exact scores (as :func:`score_candidates` above its floor).
    """
    n_pairs = query_rows.shape[0]
    out = np.zeros((n_pairs, N_FEATURES), dtype=np.float32)
    scores = np.zeros(n_pairs, dtype=np.float64)
    longest = max(_longest(queries[1]), _longest(names[1]))
    query_tokens = _most_tokens(queries[0], queries[1])
    name_tokens = _most_tokens(names[0], names[1])
    # Every feature is computed here (no floor): worth both threads even for a few pairs.
    # Contiguous blocks, so threads do not write to the same cache lines.
    n_blocks = min(n_pairs, 64)
    for block in numba.prange(n_blocks):
        scratch = make_scratch(longest, query_tokens, name_tokens)
        features = np.empty(N_FEATURES, dtype=np.float64)
        for p in range(block * n_pairs // n_blocks, (block + 1) * n_pairs // n_blocks):
            n_q = _load_tokens(_string(queries[0], queries[1], query_rows[p]), 0, scratch)
            n_n = _load_tokens(_string(names[0], names[1], name_rows[p]), 1, scratch)
            scores[p] = _pair_score(queries, query_rows[p], names, name_rows[p], weights,
                                    keep_rules, -np.inf, scratch, features, n_q, n_n)
            for f in range(N_FEATURES):
                out[p, f] = features[f]
    return out, scores


@jit
def edit_similarities(queries, query_rows, names, name_rows):
    """The exact ``levenshtein`` feature of chosen (query, name) pairs, for explanations.

    Returns
    -------
    numpy.ndarray
        float32 ``(n_pairs,)``.
    """
    n_pairs = query_rows.shape[0]
    out = np.zeros(n_pairs, dtype=np.float32)
    longest = max(_longest(queries[1]), _longest(names[1]))
    n_blocks = min(n_pairs, 64)
    for block in range(n_blocks):
        scratch = make_scratch(longest, 1, 1)
        for p in range(block * n_pairs // n_blocks, (block + 1) * n_pairs // n_blocks):
            q = query_rows[p]
            n = name_rows[p]
            # No floor: every distance is computed in full.
            out[p] = _levenshtein_feature(
                _string(queries[0], queries[1], q), _string(queries[2], queries[3], q),
                _string(names[0], names[1], n), _string(names[2], names[3], n), 1.0, 1.0,
                -np.inf, scratch)
    return out


@jit
def _evidence(query_country, query_year, query_type, entry, entries, evidence_weights, out):
    """Signed score deltas from country, birth year and entity type; returns their sum."""
    entry_type, country_ptr, country_codes, year_ptr, year_values = entries
    country_bonus, country_penalty, year_bonus, year_penalty, type_penalty = evidence_weights
    out[0] = 0.0
    out[1] = 0.0
    out[2] = 0.0
    if query_country >= 0 and country_ptr[entry + 1] > country_ptr[entry]:
        out[0] = -country_penalty
        for p in range(country_ptr[entry], country_ptr[entry + 1]):
            if country_codes[p] == query_country:
                out[0] = country_bonus
                break
    if query_year > 0 and year_ptr[entry + 1] > year_ptr[entry]:
        nearest = 10_000
        for p in range(year_ptr[entry], year_ptr[entry + 1]):
            nearest = min(nearest, abs(np.int64(year_values[p]) - np.int64(query_year)))
        if nearest == 0:
            out[1] = year_bonus
        elif nearest > 1:
            out[1] = -year_penalty
    other = entry_type[entry]
    if (query_type != ENTITY_UNKNOWN and other != ENTITY_UNKNOWN
            and (query_type == ENTITY_PERSON) != (other == ENTITY_PERSON)):
        out[2] = -type_penalty
    return out[0] + out[1] + out[2]


@jit
def select_matches(row_query, cand_idx, cand_score, name_entry, row_evidence, entries,
                   evidence_weights, threshold, top_k, n_chunks):
    """Per input row: add evidence, keep the best alias per entry, threshold, top-k.

    Parameters
    ----------
    row_query
        int64 unique-query id of every input row (``-1``: nothing to screen).
    cand_idx, cand_score
        ``(n_queries, k)`` from candidate generation and :func:`score_candidates`.
    name_entry
        int32 entry id of every list name.
    row_evidence
        ``(country, birth_year, entity_type)`` per row: int16 country code (``-1`` none),
        int16 year (``0`` none), int8 type code (``-1`` none or unknown).
    entries
        ``(entry_type, country_ptr, country_codes, year_ptr, year_values)`` per entry.
    evidence_weights
        ``(country_bonus, country_penalty, year_bonus, year_penalty, type_penalty)``.
    threshold
        Least final score kept.
    top_k
        Most entries kept per row.
    n_chunks
        Rows are visited in this many interleaved chunks; any value gives the same rows.

    Returns
    -------
    count : numpy.ndarray
        int32 matches per row.
    match_name, match_score : numpy.ndarray
        ``(n_rows, top_k)`` name ids (int32) and final scores (float32), best first.
    """
    row_country, row_year, row_type = row_evidence
    n_rows = row_query.shape[0]
    k = cand_idx.shape[1]
    count = np.zeros(n_rows, dtype=np.int32)
    match_name = np.full((n_rows, top_k), -1, dtype=np.int32)
    match_score = np.zeros((n_rows, top_k), dtype=np.float32)
    most_bonus = max(evidence_weights[0], 0.0) + max(evidence_weights[2], 0.0)
    n_chunks = min(n_rows, max(1, n_chunks))
    for chunk in range(n_chunks):
        adjusted = np.empty(k, dtype=np.float64)
        used = np.empty(k, dtype=np.bool_)
        deltas = np.empty(N_EVIDENCE, dtype=np.float64)
        for r in range(chunk, n_rows, n_chunks):
            q = row_query[r]
            if q < 0:
                continue
            for c in range(k):
                used[c] = True
                adjusted[c] = -1.0
                n = cand_idx[q, c]
                # No evidence lifts a score by more than both bonuses together.
                if n < 0 or cand_score[q, c] < 0.0 or min(
                        1.0, max(0.0, cand_score[q, c] + most_bonus)) < threshold:
                    continue
                delta = _evidence(row_country[r], row_year[r], row_type[r], name_entry[n],
                                  entries, evidence_weights, deltas)
                adjusted[c] = min(1.0, max(0.0, cand_score[q, c] + delta))
                used[c] = adjusted[c] < threshold
            kept = 0
            while kept < top_k:
                best = -1
                for c in range(k):
                    if used[c]:
                        continue
                    if best < 0 or adjusted[c] > adjusted[best] or (
                            adjusted[c] == adjusted[best] and cand_idx[q, c] < cand_idx[q, best]):
                        best = c
                if best < 0:
                    break
                entry = name_entry[cand_idx[q, best]]
                for c in range(k):
                    if not used[c] and name_entry[cand_idx[q, c]] == entry:
                        used[c] = True
                match_name[r, kept] = cand_idx[q, best]
                match_score[r, kept] = adjusted[best]
                kept += 1
            count[r] = kept
    return count, match_name, match_score


@jit
def row_evidence_deltas(match_row, match_name, name_entry, row_evidence, entries,
                        evidence_weights):
    """Evidence deltas of chosen (row, name) pairs, for explanations.

    Returns
    -------
    numpy.ndarray
        float32 ``(n_pairs, N_EVIDENCE)`` signed deltas in ``EVIDENCE`` order.
    """
    row_country, row_year, row_type = row_evidence
    out = np.zeros((match_row.shape[0], N_EVIDENCE), dtype=np.float32)
    deltas = np.empty(N_EVIDENCE, dtype=np.float64)
    for p in range(match_row.shape[0]):
        r = match_row[p]
        _evidence(row_country[r], row_year[r], row_type[r], name_entry[match_name[p]], entries,
                  evidence_weights, deltas)
        for e in range(N_EVIDENCE):
            out[p, e] = deltas[e]
    return out
