"""Naive twin of ``bulkscreen_kernels.scoring``: features, evidence and per-row selection."""

from __future__ import annotations

import itertools

from reference.naive_strings import jaro_winkler, levenshtein, osa

TOKEN_MATCH_FLOOR = 0.8
TYPO_MIN_LENGTH = 4
ONE_EDIT_SIMILARITY = 0.95
FEATURE_ORDER = ("jaro_winkler", "levenshtein", "query_cover", "name_cover", "token_order")


def token_similarity(a: str, b: str) -> float:
    """Mean of Jaro-Winkler and ``1 - OSA / longer length``; one edit in long tokens."""
    longer = max(len(a), len(b))
    if longer == 0:
        return 1.0
    distance = osa(a, b)
    sim = 0.5 * (jaro_winkler(a, b) + 1.0 - distance / longer)
    if distance == 1 and min(len(a), len(b)) >= TYPO_MIN_LENGTH:
        sim = max(sim, ONE_EDIT_SIMILARITY)
    return sim


def _edit_similarity(a: str, b: str) -> float:
    longer = max(len(a), len(b))
    return 1.0 - levenshtein(a, b) / longer if longer else 1.0


def features(query: str, name: str, query_weights: list[float], name_weights: list[float]
             ) -> dict[str, float]:
    """All pair features, by their definitions in the kernel module's docstring."""
    q_tokens = [t for t in query.split(" ") if t]
    n_tokens = [t for t in name.split(" ") if t]
    q_sorted = " ".join(sorted(q_tokens))
    n_sorted = " ".join(sorted(n_tokens))
    sims = [[token_similarity(q, n) for n in n_tokens] for q in q_tokens]

    def share(bests: list[float], weights: list[float]) -> float:
        total = sum(weights)
        covered = sum(w * b for w, b in zip(weights, bests, strict=True)
                      if b >= TOKEN_MATCH_FLOOR)
        return covered / total if total > 0 else 0.0

    q_best = [max(row, default=0.0) for row in sims]
    n_best = [max((sims[i][j] for i in range(len(q_tokens))), default=0.0)
              for j in range(len(n_tokens))]
    # Partner: first name token with the best similarity.
    partners = []
    for row, best in zip(sims, q_best, strict=True):
        if best >= TOKEN_MATCH_FLOOR:
            partners.append(row.index(best))
    in_order = sum(b > a for a, b in itertools.pairwise(partners))
    return {
        "jaro_winkler": max(jaro_winkler(query, name), jaro_winkler(q_sorted, n_sorted)),
        "levenshtein": max(_edit_similarity(query.replace(" ", ""), name.replace(" ", "")),
                           _edit_similarity(q_sorted.replace(" ", ""),
                                            n_sorted.replace(" ", ""))),
        "query_cover": share(q_best, query_weights),
        "name_cover": share(n_best, name_weights),
        "token_order": in_order / (len(partners) - 1) if len(partners) > 1 else 1.0,
    }


def combined(feature_values: dict[str, float], weights: tuple[float, ...], query: str = "",
             name: str = "", keep_rules: tuple[float, ...] = (1e9, 1e9, 2.0, 2.0)) -> float:
    """Weighted sum in ``FEATURE_ORDER``, raised by the keep rules
    ``(jw_min_length, one_edit_min_length, contain_most, contain_least)``: names both at
    least ``jw_min_length`` long score at least their as-written Jaro-Winkler; names one OSA
    edit apart with spaces removed (both at least ``one_edit_min_length`` long), and names
    whose covers are at least ``contain_most`` / ``contain_least`` with tokens in order, score
    at least the Jaro-Winkler feature."""
    jw_min_length, one_edit_min_length, contain_most, contain_least = keep_rules
    total = sum(w * feature_values[f] for w, f in zip(weights, FEATURE_ORDER, strict=True))
    keep = 0.0
    if min(len(query), len(name)) >= jw_min_length:
        keep = jaro_winkler(query, name)
    joined_query, joined_name = query.replace(" ", ""), name.replace(" ", "")
    if (min(len(joined_query), len(joined_name)) >= one_edit_min_length
            and osa(joined_query, joined_name) <= 1):
        keep = max(keep, feature_values["jaro_winkler"])
    covers = (feature_values["query_cover"], feature_values["name_cover"])
    if (max(covers) >= contain_most and min(covers) >= contain_least
            and feature_values["token_order"] >= 1.0):
        keep = max(keep, feature_values["jaro_winkler"])
    return max(total, keep)


def evidence(query_country: int, query_year: int, query_type: int, entry_type: int,
             entry_countries: list[int], entry_years: list[int],
             weights: tuple[float, ...]) -> tuple[float, float, float]:
    """Signed deltas (country, birth_year, entity_type); -1 / 0 mean "not known"."""
    country_bonus, country_penalty, year_bonus, year_penalty, type_penalty = weights
    country = 0.0
    if query_country >= 0 and entry_countries:
        country = country_bonus if query_country in entry_countries else -country_penalty
    year = 0.0
    if query_year > 0 and entry_years:
        nearest = min(abs(y - query_year) for y in entry_years)
        year = year_bonus if nearest == 0 else (-year_penalty if nearest > 1 else 0.0)
    kind = 0.0
    if query_type != -1 and entry_type != -1 and (query_type == 0) != (entry_type == 0):
        kind = -type_penalty
    return country, year, kind


def select(candidates: list[tuple[int, float]], name_entry: list[int], deltas: list[float],
           threshold: float, top_k: int) -> list[tuple[int, float]]:
    """Best alias per entry after evidence, at or above ``threshold``, best first, top-k.

    ``candidates`` are (name id, base score); ``deltas`` the evidence sum of each.
    """
    adjusted = [(name, min(1.0, max(0.0, score + delta)))
                for (name, score), delta in zip(candidates, deltas, strict=True)]
    adjusted = [(n, s) for n, s in adjusted if s >= threshold]
    adjusted.sort(key=lambda item: (-item[1], item[0]))
    seen: set[int] = set()
    kept = []
    for name, score in adjusted:
        if name_entry[name] in seen:
            continue
        seen.add(name_entry[name])
        kept.append((name, score))
    return kept[:top_k]
