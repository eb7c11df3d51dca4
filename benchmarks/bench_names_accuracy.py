"""Accuracy of the party-name matcher against brute-force Jaro-Winkler on the full bundled lists.

Run as a benchmark (figures land in ``extra_info``) or as a script that prints a table::

    pytest benchmarks/bench_names_accuracy.py --benchmark-only -s
    python benchmarks/bench_names_accuracy.py

Positives (true entries from the held-out ``test`` half of the entries; weights are fitted on
the ``train`` half by ``bench_names_fit.py``): real alias pairs (one alias of a list entry held
out of the index and used as the query; the other names of the entry, written by the list's
publisher, must find it) and generated variants of list names (typo, token order, dropped
part, transliteration, legal form, homoglyph). Negatives: generated company and person names
that are not listed, and, as a table of their own, generated person names written in their own
script (Han, kana, Hangul, Cyrillic, Arabic, Devanagari, Bengali, Thai).
A positive is recalled when its true (list, entry) scores at or above the threshold; a
negative is a false positive when anything does. The baseline is brute-force Jaro-Winkler
(RapidFuzz, ``default_process``: lower case, punctuation to spaces) over every list name.

Pairwise, every method scores the same (query, candidate) pairs: ours, nomenklatura's
``logic-v2`` and ``name-based`` (the ``peers`` extra; skipped with a message when it is not
installed) and the rapidfuzz baselines. Positives are the true pairs (a held-out alias against
its entry's primary name, a variant against the name it was made from); negatives are each
unlisted name against the list name our candidate index ranks first, so every method sees the
hardest candidate. Each method is reported at its own threshold (P, R, F1, false alerts per
10,000 unlisted names), at its best F1 over thresholds, and by average precision. The
hand-made pairs (``datasets/reference/name_pairs``) are scored in the same run, as a separate
table.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

try:
    from conftest import (
        SEED,
        Queries,
        entry_split,
        full_flat_names,
        unlisted_names,
        unlisted_script_names,
        variant_queries,
    )
except ImportError:  # pragma: no cover - imported as benchmarks.conftest by some runners
    from benchmarks.conftest import (
        SEED,
        Queries,
        entry_split,
        full_flat_names,
        unlisted_names,
        unlisted_script_names,
        variant_queries,
    )

ALIAS_PAIRS = int(os.environ.get("BULKSCREEN_BENCH_ALIAS_PAIRS", "1500"))
VARIANTS_PER_KIND = int(os.environ.get("BULKSCREEN_BENCH_VARIANTS", "400"))
NEGATIVES = int(os.environ.get("BULKSCREEN_BENCH_NEGATIVES", "10000"))
SCRIPT_NEGATIVES = int(os.environ.get("BULKSCREEN_BENCH_SCRIPT_NEGATIVES", "3000"))
BASELINE_THRESHOLD = 0.90
REVIEW_THRESHOLD = 0.85
"""The matcher's default review threshold (``MatchConfig.review_threshold``)."""
THRESHOLDS = np.round(np.arange(0.50, 1.0001, 0.005), 3)


def alias_pair_queries(flat: pa.Table, n: int, rng: np.random.Generator,
                       split: str | None = None) -> tuple[pa.Table, Queries]:
    """Hold one alias out of ``n`` entries with several names; the alias becomes the query.

    With ``split``, the entries are drawn from that half only (see ``entry_split``).
    """
    list_ids = flat.column("list_id").to_pylist()
    entry_ids = flat.column("entry_id").to_pylist()
    kinds = flat.column("alias_kind").to_pylist()
    names = flat.column("name").to_pylist()
    types = flat.column("entity_type").to_pylist()
    rows_of: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(list_ids, entry_ids, strict=True)):
        rows_of.setdefault(key, []).append(i)
    candidates = [key for key, rows in rows_of.items()
                  if len(rows) >= 2 and any(kinds[r] != "primary" for r in rows)
                  and (split is None or entry_split(*key) == split)]
    chosen = [candidates[i] for i in rng.permutation(len(candidates))[:n]]
    held_out, targets = [], []
    for key in chosen:
        aliases = [r for r in rows_of[key] if kinds[r] != "primary"]
        held = aliases[int(rng.integers(len(aliases)))]
        held_out.append(held)
        # The true pair: the held-out alias against the entry's primary name (or, when the
        # held-out alias is all there is besides another alias, the first other name).
        others = [r for r in rows_of[key] if r != held]
        target = next((r for r in others if kinds[r] == "primary"), others[0])
        targets.append((names[target], types[target]))
    keep = np.ones(flat.num_rows, dtype=bool)
    keep[held_out] = False
    queries = Queries([names[r] for r in held_out], list(chosen), ["list_alias"] * len(chosen),
                      targets)
    return flat.filter(pa.array(keep)), queries


def our_scores(index, names: list[str], truth: list
               ) -> tuple[np.ndarray, np.ndarray, float, list[str]]:
    """Best score of the true entry and of anything, per query; the seconds taken; and the
    list name of each query's best match ("" where none)."""
    from bulkscreen.config import MatchConfig
    from bulkscreen.matching.match import match_names

    config = MatchConfig(hit_threshold=0.9, review_threshold=float(THRESHOLDS[0]), top_k=50)
    started = time.perf_counter()
    result = match_names(index, names, config)
    seconds = time.perf_counter() - started
    true_best = np.zeros(len(names))
    any_best = np.zeros(len(names))
    best_names = [""] * len(names)
    for pos, list_id, entry_id, score, matched in zip(
            result.column("query_pos").to_pylist(), result.column("list_id").to_pylist(),
            result.column("entry_id").to_pylist(), result.column("score").to_pylist(),
            result.column("matched_name").to_pylist(), strict=True):
        if score > any_best[pos]:
            any_best[pos], best_names[pos] = score, matched
        if truth[pos] == (list_id, entry_id):
            true_best[pos] = max(true_best[pos], score)
    return true_best, any_best, seconds, best_names


FALSE_ALERT_KINDS = ("same name", "part left out", "other")


def false_alert_kinds(queries: list[str], matched: list[str]) -> list[str] | None:
    """What each false alert is, read against OpenSanctions' name table (rigour, installed
    with the ``peers`` extra; None without it).

    ``same name``: each part of the query is a part of the list name in another spelling
    (the same part, or parts sharing a Wikidata name symbol: Sergey and Sergei), and the
    reverse; name screening must show such a name, and only a birth date or nationality
    tells the two people apart. ``part left out``: each part of the query is so a part of
    the list name, which has more (a middle name dropped). ``other``: anything else.
    """
    try:
        from rigour.names import analyze_names, tokenize_name
        from rigour.names.tag import NameTypeTag
    except ImportError:
        return None
    symbols: dict[str, frozenset[str]] = {}

    def symbols_of(part: str) -> frozenset[str]:
        if part not in symbols:
            symbols[part] = frozenset(
                s.id for name in analyze_names(NameTypeTag.PER, [part]) for s in name.symbols
                if str(s.category).endswith("NAME"))
        return symbols[part]

    def parts(name: str) -> list[str]:
        return [t for t in tokenize_name(name.lower()) if t]

    def matched_parts(query: list[str], name: list[str]) -> int:
        # Largest one-to-one pairing of parts that are one name (names are a few parts).
        def best(i: int, used: frozenset[int]) -> int:
            if i == len(query):
                return 0
            options = [best(i + 1, used)]
            options += [1 + best(i + 1, used | {j}) for j, part in enumerate(name)
                        if j not in used and (part == query[i]
                                              or symbols_of(part) & symbols_of(query[i]))]
            return max(options)
        return best(0, frozenset())

    kinds = []
    for query_name, list_name in zip(queries, matched, strict=True):
        query, name = parts(query_name), parts(list_name)
        paired = matched_parts(query, name) if query and name else 0
        if paired == len(query) == len(name):
            kinds.append("same name")
        elif paired == len(query) and len(name) > len(query):
            kinds.append("part left out")
        else:
            kinds.append("other")
    return kinds


def jaro_winkler_scores(flat: pa.Table, names: list[str], truth: list
                        ) -> tuple[np.ndarray, np.ndarray, float]:
    """The same, by brute-force Jaro-Winkler over every list name (all cores)."""
    from rapidfuzz import process, utils
    from rapidfuzz.distance import JaroWinkler

    choices = [utils.default_process(n) for n in flat.column("name").to_pylist()]
    columns_of: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(flat.column("list_id").to_pylist(),
                                flat.column("entry_id").to_pylist(), strict=True)):
        columns_of.setdefault(key, []).append(i)
    true_best = np.zeros(len(names))
    any_best = np.zeros(len(names))
    started = time.perf_counter()
    for start in range(0, len(names), 1000):
        block = [utils.default_process(n) for n in names[start:start + 1000]]
        matrix = process.cdist(block, choices, scorer=JaroWinkler.normalized_similarity,
                               dtype=np.float32, workers=-1)
        any_best[start:start + len(block)] = matrix.max(axis=1)
        for i in range(len(block)):
            key = truth[start + i]
            if key is not None and key in columns_of:
                true_best[start + i] = matrix[i, columns_of[key]].max()
    return true_best, any_best, time.perf_counter() - started


def pairwise_table(queries: list[Queries], negatives: list[str], index) -> tuple:
    """The pairwise benchmark's pairs and the entity type of each pair's list name.

    Returns
    -------
    pairs : pyarrow.Table
        ``LABELLED_PAIRS`` rows: every query against its true list name, then every unlisted
        name against our candidate index's first candidate (kind ``unlisted``).
    list_types : list
        Entity type of each ``name_b`` (None where unknown).
    """
    from bulkscreen.columns import LABELLED_PAIRS
    from bulkscreen.tools.bench.scorers import first_candidates

    names_a, names_b, labels, kinds, types = [], [], [], [], []
    for query_set in queries:
        names_a += query_set.names
        names_b += [name for name, _ in query_set.targets]
        types += [entity for _, entity in query_set.targets]
        labels += [True] * len(query_set.names)
        kinds += query_set.kinds
    candidates, candidate_types = first_candidates(index, negatives)
    names_a += negatives
    names_b += candidates
    types += candidate_types
    labels += [False] * len(negatives)
    kinds += ["unlisted"] * len(negatives)
    pairs = pa.table({"name_a": names_a, "name_b": names_b, "is_match": labels, "kind": kinds},
                     schema=LABELLED_PAIRS.arrow_schema())
    return pairs, types


def pairwise_reports(index, queries: list[Queries], negatives: list[str]) -> tuple:
    """Every method on the pairwise pairs, then on the hand-made pairs (two reports)."""
    from bulkscreen.tools.bench.accuracy import evaluate as evaluate_pairs
    from bulkscreen.tools.bench.accuracy import read_pairs
    from bulkscreen.tools.bench.pairs import hand_made_pairs_path
    from bulkscreen.tools.bench.scorers import (
        OURS,
        OURS_AT_REVIEW,
        PEERS_MISSING,
        all_scorers,
        own_thresholds,
        party_names_scores,
        peers_available,
    )

    if not peers_available():
        print(PEERS_MISSING)
    thresholds = own_thresholds(0.90, REVIEW_THRESHOLD)
    pairs, types = pairwise_table(queries, negatives, index)
    scorers = all_scorers(index)
    # The list name's entity type is known here, so ours caps as a screening run would.
    def ours_typed(a, b):
        return party_names_scores(a, b, index, types)

    pairwise_scorers = {**scorers, OURS: ours_typed, OURS_AT_REVIEW: ours_typed}
    pairwise = evaluate_pairs(pairs, pairwise_scorers, 0.90, REVIEW_THRESHOLD,
                              pairs_file="pairwise", thresholds=thresholds)
    hand_path = hand_made_pairs_path()
    hand_made = evaluate_pairs(read_pairs(hand_path), scorers, 0.90, REVIEW_THRESHOLD,
                               pairs_file=hand_path.name, thresholds=thresholds)
    return pairwise, hand_made


def _method_rows(report) -> dict:
    return {r.scorer: {"threshold": r.own.threshold, "precision": r.own.precision,
                       "recall": r.own.recall, "f1": r.own.f1,
                       "false_alerts_per_10k": r.false_alerts_per_10k,
                       "best_f1": r.best.f1, "best_f1_threshold": r.best.threshold,
                       "average_precision": r.average_precision,
                       "seconds": round(r.seconds, 2)} for r in report.results}


def evaluate(seed: int = SEED) -> dict:
    """Build the query sets, score them both ways, return every figure."""
    from bulkscreen.lists import load_snapshots
    from bulkscreen.lists.name_index import build_name_index, index_flat_names

    rng = np.random.default_rng(seed)
    flat = full_flat_names()
    index = build_name_index(load_snapshots())
    # Held-out entries only: the weights were fitted on the other half (bench_names_fit.py).
    held_flat, aliases = alias_pair_queries(flat, ALIAS_PAIRS, rng, split="test")
    held_index = index_flat_names(held_flat)
    variants = variant_queries(flat, VARIANTS_PER_KIND, rng, split="test")
    listed = set(pc.unique(index.names.column("match_text")).to_pylist())
    negatives = unlisted_names(NEGATIVES, rng, listed)

    ours_alias = our_scores(held_index, aliases.names, aliases.truth)
    ours_var = our_scores(index, variants.names, variants.truth)
    ours_neg = our_scores(index, negatives, [None] * len(negatives))
    jw_alias = jaro_winkler_scores(held_flat, aliases.names, aliases.truth)
    jw_var = jaro_winkler_scores(flat, variants.names, variants.truth)
    jw_neg = jaro_winkler_scores(flat, negatives, [None] * len(negatives))

    kinds = np.array(aliases.kinds + variants.kinds)
    ours_true = np.concatenate([ours_alias[0], ours_var[0]])
    jw_true = np.concatenate([jw_alias[0], jw_var[0]])

    def recall(scores, threshold, mask=None):
        scores = scores if mask is None else scores[mask]
        return float(np.mean(scores >= threshold)) if scores.size else float("nan")

    def fp_per_10k(any_best, threshold):
        return float(10_000 * np.mean(any_best >= threshold))

    figures: dict = {"positives": int(kinds.size), "negatives": len(negatives),
                     "list_names": flat.num_rows, "index_names": index.n_names,
                     "index_build_seconds": round(index.build_seconds, 2)}
    for kind in ["list_alias", *sorted(set(variants.kinds))]:
        mask = kinds == kind
        figures[f"recall_{kind}"] = {
            "ours_at_0.90": recall(ours_true, 0.90, mask),
            "ours_at_review": recall(ours_true, REVIEW_THRESHOLD, mask),
            "jw_at_0.90": recall(jw_true, BASELINE_THRESHOLD, mask),
            "jw_found_ours_missed_at_0.90": int(np.sum(
                mask & (jw_true >= BASELINE_THRESHOLD) & (ours_true < 0.90))),
            "n": int(mask.sum())}
    base_recall = recall(jw_true, BASELINE_THRESHOLD)
    base_fp = fp_per_10k(jw_neg[1], BASELINE_THRESHOLD)
    # Our highest threshold whose recall is at least the baseline's: FP there.
    ours_recall = np.array([recall(ours_true, t) for t in THRESHOLDS])
    ok = np.nonzero(ours_recall >= base_recall)[0]
    equal_t = float(THRESHOLDS[ok[-1]]) if ok.size else float("nan")
    figures.update({
        "recall_all": {"ours_at_0.90": recall(ours_true, 0.90),
                       "ours_at_review": recall(ours_true, REVIEW_THRESHOLD),
                       "jw_at_0.90": base_recall},
        "fp_per_10k": {"ours_at_0.90": fp_per_10k(ours_neg[1], 0.90),
                       "ours_at_review": fp_per_10k(ours_neg[1], REVIEW_THRESHOLD),
                       "jw_at_0.90": base_fp},
        "equal_recall": {"ours_threshold": equal_t,
                         "ours_recall": float(ours_recall[ok[-1]]) if ok.size else None,
                         "ours_fp_per_10k": fp_per_10k(ours_neg[1], equal_t),
                         "jw_recall": base_recall, "jw_fp_per_10k": base_fp},
        "seconds": {"ours": round(ours_alias[2] + ours_var[2] + ours_neg[2], 2),
                    "jw_bruteforce": round(jw_alias[2] + jw_var[2] + jw_neg[2], 2)},
    })
    alerted = np.flatnonzero(ours_neg[1] >= REVIEW_THRESHOLD)
    kinds_of = false_alert_kinds([negatives[i] for i in alerted],
                                 [ours_neg[3][i] for i in alerted])
    figures["fp_per_10k_by_kind"] = None if kinds_of is None else {
        kind: 10_000 * kinds_of.count(kind) / len(negatives) for kind in FALSE_ALERT_KINDS}
    figures["fp_per_10k_scripts"] = script_false_alerts(index, flat, listed, seed)
    pairwise, hand_made = pairwise_reports(index, [aliases, variants], negatives)
    figures["pairwise"] = {"pairs": pairwise.pairs, "matches": pairwise.matches,
                           "methods": _method_rows(pairwise)}
    figures["hand_made"] = {"pairs": hand_made.pairs, "matches": hand_made.matches,
                            "methods": _method_rows(hand_made)}
    return figures


def script_false_alerts(index, flat: pa.Table, listed: set[str], seed: int) -> dict:
    """False alerts per 10,000 unlisted names written in their own script, by script.

    Drawn with a generator of their own, so the other query sets stay as they were.
    """
    names, scripts, romanised = unlisted_script_names(
        SCRIPT_NEGATIVES, np.random.default_rng(seed + 2), listed)
    _, ours, _, matched = our_scores(index, names, [None] * len(names))
    jw = jaro_winkler_scores(flat, names, [None] * len(names))[1]
    labels = np.array(scripts)
    # Each alert read as in the Latin table, through the pools' romanised form of the name.
    alerted = np.flatnonzero(ours >= REVIEW_THRESHOLD)
    kinds = false_alert_kinds([romanised[i] for i in alerted], [matched[i] for i in alerted])
    kind_of = dict(zip(alerted.tolist(), kinds or [], strict=False))
    out = {}
    for script in [*sorted(set(scripts)), "all"]:
        mask = np.ones(len(names), dtype=bool) if script == "all" else labels == script
        out[script] = {"n": int(mask.sum()),
                       "ours_at_0.90": float(10_000 * np.mean(ours[mask] >= 0.90)),
                       "ours_at_review": float(10_000 * np.mean(ours[mask] >= REVIEW_THRESHOLD)),
                       "jw_at_0.90": float(10_000 * np.mean(jw[mask] >= BASELINE_THRESHOLD))}
        if kinds is not None:
            held = [kind_of[i] for i in np.flatnonzero(mask & (ours >= REVIEW_THRESHOLD))]
            out[script]["same_name_at_review"] = float(
                10_000 * held.count("same name") / max(int(mask.sum()), 1))
    return out


def _print_methods(title: str, section: dict) -> None:
    print(f"{title}: {section['pairs']} pairs, {section['matches']} matches")
    print(f"{'method':<22}{'thr':>6}{'P':>7}{'R':>7}{'F1':>7}{'FA/10k':>8}{'best F1':>9}"
          f"{'at':>6}{'AP':>7}")
    for name, m in section["methods"].items():
        print(f"{name:<22}{m['threshold']:>6.2f}{m['precision']:>7.3f}{m['recall']:>7.3f}"
              f"{m['f1']:>7.3f}{m['false_alerts_per_10k']:>8.0f}{m['best_f1']:>9.3f}"
              f"{m['best_f1_threshold']:>6.2f}{m['average_precision']:>7.3f}")


def print_figures(figures: dict) -> None:
    print(f"positives {figures['positives']}, negatives {figures['negatives']}, "
          f"list names {figures['list_names']}")
    print(f"{'set':<18}{'n':>6}{'ours>=0.90':>12}{f'ours>={REVIEW_THRESHOLD:.2f}':>12}{'JW>=0.90':>10}"
          f"{'JW-only':>9}")
    for key, value in figures.items():
        if key.startswith("recall_") and key != "recall_all":
            print(f"{key[7:]:<18}{value['n']:>6}{value['ours_at_0.90']:>12.3f}"
                  f"{value['ours_at_review']:>12.3f}{value['jw_at_0.90']:>10.3f}"
                  f"{value['jw_found_ours_missed_at_0.90']:>9}")
    r, f, e = figures["recall_all"], figures["fp_per_10k"], figures["equal_recall"]
    print(f"{'all positives':<18}{figures['positives']:>6}{r['ours_at_0.90']:>12.3f}"
          f"{r['ours_at_review']:>12.3f}{r['jw_at_0.90']:>10.3f}")
    print(f"{'FP per 10k':<24}{f['ours_at_0.90']:>12.1f}{f['ours_at_review']:>12.1f}"
          f"{f['jw_at_0.90']:>10.1f}")
    print(f"equal recall: ours threshold {e['ours_threshold']} recall {e['ours_recall']:.3f} "
          f"FP/10k {e['ours_fp_per_10k']:.1f}  vs JW>=0.90 recall {e['jw_recall']:.3f} "
          f"FP/10k {e['jw_fp_per_10k']:.1f}")
    by_kind = figures["fp_per_10k_by_kind"]
    if by_kind is None:
        print("false alerts by kind: install the peers extra (rigour) for the breakdown")
    else:
        print(f"false alerts per 10k at {REVIEW_THRESHOLD:.2f} by kind (rigour name symbols): "
              + ", ".join(f"{kind} {value:.0f}" for kind, value in by_kind.items()))
    print(f"seconds: {figures['seconds']}, index build {figures['index_build_seconds']} s")
    print("unlisted names in their own script: false alerts per 10k")
    print(f"{'script':<10}{'n':>6}{'ours>=0.90':>12}{f'ours>={REVIEW_THRESHOLD:.2f}':>12}"
          f"{'JW>=0.90':>10}{'same name':>11}")
    for script, row in figures["fp_per_10k_scripts"].items():
        same = row.get("same_name_at_review")
        print(f"{script:<10}{row['n']:>6}{row['ours_at_0.90']:>12.1f}"
              f"{row['ours_at_review']:>12.1f}{row['jw_at_0.90']:>10.1f}"
              + (f"{same:>11.1f}" if same is not None else ""))
    _print_methods("pairwise (each method at its own threshold; FA/10k: false alerts per "
                   "10,000 unlisted names)", figures["pairwise"])
    _print_methods("hand-made pairs (FA/10k: per 10,000 non-matching pairs)",
                   figures["hand_made"])


def test_name_matching_accuracy(benchmark):
    figures = benchmark.pedantic(evaluate, rounds=1, iterations=1)
    benchmark.extra_info.update(figures)
    print_figures(figures)
    equal = figures["equal_recall"]
    assert figures["recall_all"]["ours_at_0.90"] >= figures["recall_all"]["jw_at_0.90"]
    assert equal["ours_fp_per_10k"] < equal["jw_fp_per_10k"]


if __name__ == "__main__":
    print_figures(evaluate())
