"""Throughput of the party-name matcher against two baselines, same queries, same full lists.

Run (figures land in ``extra_info``; script mode prints them and can run the 10M-name scale)::

    pytest benchmarks/bench_names_speed.py --benchmark-only -s
    python benchmarks/bench_names_speed.py [--scale 20000000 --shipments ships.parquet]

Queries: generated company and person names (they repeat, as names in real files do) with
10% planted variants of list names. Baselines: (a) RapidFuzz ``process.cdist`` Jaro-Winkler
over every list name on all cores (brute force; timed on a slice, it is linear in queries);
(b) character 3-gram TF-IDF (scikit-learn) with sparse top-10 (``sp_matmul_topn``,
``n_threads=2``) then Jaro-Winkler rescoring of the 10. Index build and vectoriser fit are
timed apart. Recall: planted variants whose true entry each method reports (ours: a hit at
0.90; baselines: Jaro-Winkler >= 0.90). The name-normalisation cache is cleared before every
timed round of ours, so each round pays normalisation as a fresh batch would.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

try:
    from conftest import SEED, full_flat_names, variant_queries
except ImportError:  # pragma: no cover
    from benchmarks.conftest import SEED, full_flat_names, variant_queries

N_QUERIES = int(os.environ.get("BULKSCREEN_BENCH_NAME_QUERIES", "20000"))
CDIST_SLICE = 2000
ROUNDS = 7
"""Timed rounds of ours and TF-IDF (a shared machine is noisy: the median of more rounds is
steadier); brute force takes seconds a round and gets 3."""
RESULTS: dict[str, dict] = {}


def make_queries(flat, n: int, seed: int = SEED):
    """``n`` names: 90% generated unlisted names drawn with repeats, 10% planted variants."""
    from bulkscreen.tools.generate.geography import ALL_CODES
    from bulkscreen.tools.generate.names import company_name_pools, person_name_pools

    rng = np.random.default_rng(seed)
    planted = variant_queries(flat, max(1, n // 60), rng)
    countries = rng.integers(0, len(ALL_CODES), n // 2)
    names = (company_name_pools().draw(countries, rng).to_pylist()
             + person_name_pools().draw(countries, rng).full_name.to_pylist())
    names = names[: n - len(planted.names)] + planted.names
    truth = [None] * (len(names) - len(planted.names)) + planted.truth
    order = rng.permutation(len(names))
    return [names[i] for i in order], [truth[i] for i in order]


def planted_recall(found: list[set | frozenset], truth: list) -> float:
    pairs = [(f, t) for f, t in zip(found, truth, strict=True) if t is not None]
    return float(np.mean([t in f for f, t in pairs])) if pairs else float("nan")


def run_ours(index, names):
    from bulkscreen.config import MatchConfig
    from bulkscreen.matching.match import match_names

    result = match_names(index, names, MatchConfig())
    hits = result.filter(result.column("is_hit"))
    nothing: frozenset = frozenset()
    found: list[set | frozenset] = [nothing] * len(names)
    for pos, list_id, entry_id in zip(hits.column("query_pos").to_pylist(),
                                      hits.column("list_id").to_pylist(),
                                      hits.column("entry_id").to_pylist(), strict=True):
        if found[pos] is nothing:
            found[pos] = set()
        found[pos].add((list_id, entry_id))
    return found


def fresh_normalisation() -> None:
    """Forget cached normalisations, so a timed round normalises its names again."""
    from bulkscreen.normalize.names import clear_name_cache

    clear_name_cache()


@contextmanager
def phase_timer() -> Iterator[dict[str, float]]:
    """Seconds spent per matcher phase while the block runs (wraps what match_names calls).

    The functions are looked up at call time by ``match_names``, so wrapping the module
    attributes times the real path; they are restored on exit.
    """
    import bulkscreen_kernels.index as kernel_index
    import bulkscreen_kernels.scoring as kernel_scoring
    from bulkscreen.matching import match

    spent: dict[str, float] = defaultdict(float)
    phases = [(match, "_distinct_queries", "normalise+dedupe"),
              (match, "_query_texts", "normalise+dedupe"),
              (match, "text_keys", "candidates"),
              (kernel_index, "top_candidates", "candidates"),
              (kernel_scoring, "score_candidates", "scoring"),
              (kernel_scoring, "select_matches", "selection"),
              (match, "match_table", "output assembly")]
    originals = [(module, name, getattr(module, name)) for module, name, _ in phases]

    def timed(function, phase):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[phase] += time.perf_counter() - started
        return wrapper

    for (module, name, function), (_, _, phase) in zip(originals, phases, strict=True):
        setattr(module, name, timed(function, phase))
    try:
        yield spent
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


def time_split(index, names) -> dict[str, float]:
    """Seconds per phase of one fresh round of ours, plus ``other`` and ``total``."""
    fresh_normalisation()
    with phase_timer() as spent:
        started = time.perf_counter()
        run_ours(index, names)
        total = time.perf_counter() - started
    split = dict(spent)
    split["other"] = total - sum(split.values())
    split["total"] = total
    return split


def run_cdist(choices, keys, names):
    from rapidfuzz import process, utils
    from rapidfuzz.distance import JaroWinkler

    queries = [utils.default_process(n) for n in names]
    matrix = process.cdist(queries, choices, scorer=JaroWinkler.normalized_similarity,
                           dtype=np.float32, workers=-1, score_cutoff=0.9)
    return [{keys[j] for j in np.nonzero(row >= 0.9)[0]} for row in matrix]


def fit_tfidf(choices):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), dtype=np.float32)
    matrix = vectorizer.fit_transform(choices)
    return vectorizer, matrix.T.tocsr()


def run_tfidf(model, choices, keys, names):
    from rapidfuzz import utils
    from rapidfuzz.distance import JaroWinkler
    from sparse_dot_topn import sp_matmul_topn

    vectorizer, list_matrix_t = model
    queries = [utils.default_process(n) for n in names]
    top = sp_matmul_topn(vectorizer.transform(queries), list_matrix_t, top_n=10, n_threads=2)
    found = []
    for i, query in enumerate(queries):
        cols = top.indices[top.indptr[i]:top.indptr[i + 1]]
        found.append({keys[j] for j in cols
                      if JaroWinkler.normalized_similarity(query, choices[j]) >= 0.9})
    return found


@pytest.fixture(scope="module")
def workload(flat_names):
    from rapidfuzz import utils

    names, truth = make_queries(flat_names, N_QUERIES)
    choices = [utils.default_process(n) for n in flat_names.column("name").to_pylist()]
    keys = list(zip(flat_names.column("list_id").to_pylist(),
                    flat_names.column("entry_id").to_pylist(), strict=True))
    return names, truth, choices, keys


def _record(benchmark, label: str, n_names: int, found, truth) -> None:
    seconds = benchmark.stats.stats.median
    RESULTS[label] = {"names_per_s": n_names / seconds, "recall": planted_recall(found, truth)}
    benchmark.extra_info.update({"names": n_names, "median_s": seconds, **RESULTS[label]})


def test_baseline_rapidfuzz_cdist(benchmark, workload):
    names, truth, choices, keys = workload
    found = benchmark.pedantic(run_cdist, args=(choices, keys, names[:CDIST_SLICE]),
                               rounds=3, iterations=1)
    _record(benchmark, "cdist", CDIST_SLICE, found, truth[:CDIST_SLICE])


def test_baseline_tfidf_topn(benchmark, workload):
    names, truth, choices, keys = workload
    started = time.perf_counter()
    model = fit_tfidf(choices)
    fit_seconds = time.perf_counter() - started
    found = benchmark.pedantic(run_tfidf, args=(model, choices, keys, names), rounds=ROUNDS,
                               iterations=1)
    _record(benchmark, "tfidf", len(names), found, truth)
    benchmark.extra_info["fit_s"] = fit_seconds


def test_ours(benchmark, workload, full_index):
    names, truth, _, _ = workload
    run_ours(full_index, names[:1000])  # compile or load the cached kernels outside timing
    found = benchmark.pedantic(run_ours, args=(full_index, names), setup=fresh_normalisation,
                               rounds=ROUNDS, iterations=1)
    _record(benchmark, "ours", len(names), found, truth)
    benchmark.extra_info["split_s"] = time_split(full_index, names)
    ours = RESULTS["ours"]["names_per_s"]
    benchmark.extra_info.update({
        "distinct_names": len(set(names)), "index_build_s": full_index.build_seconds,
        "index_from_cache": full_index.from_cache,
        "ratio_vs_cdist": ours / RESULTS["cdist"]["names_per_s"] if "cdist" in RESULTS else None,
        "ratio_vs_tfidf": ours / RESULTS["tfidf"]["names_per_s"] if "tfidf" in RESULTS else None,
    })


def _generated_batches(total: int, batch: int):
    """Batches of names drawn with repeats from a pool of generated and planted names."""
    pool, _ = make_queries(full_flat_names(), 200_000, seed=SEED + 1)
    rng = np.random.default_rng(SEED + 2)
    for start in range(0, total, batch):
        yield [pool[i] for i in rng.integers(0, len(pool), min(batch, total - start))]


def _shipment_batches(path: str, total: int, batch: int,
                      columns: tuple[str, ...] = ("consignee_name", "end_user_name")):
    """Name cells of a shipments Parquet file, column after column per row batch."""
    import pyarrow.parquet as pq

    done = 0
    for record_batch in pq.ParquetFile(path).iter_batches(batch_size=batch // len(columns),
                                                          columns=list(columns)):
        for column in columns:
            names = record_batch.column(column)
            if done + len(names) > total:
                names = names.slice(0, total - done)
            done += len(names)
            yield names
            if done >= total:
                return


def scale_run(total: int, shipments: str | None = None, batch: int = 1_000_000) -> dict:
    """Screen ``total`` names in batches against the full default index.

    Parameters
    ----------
    total
        Name cells to screen.
    shipments
        A shipments Parquet file (``bulkscreen generate shipments``): its consignee and
        end-user names are screened, streamed in row batches. Without it, names are drawn
        from a pool of generated names.
    batch
        Names per ``match_names`` call (bounds memory).

    Returns
    -------
    dict
        names, seconds, names_per_s, hits, peak_rss_mb.
    """
    from bulkscreen.config import MatchConfig
    from bulkscreen.lists import load_snapshots
    from bulkscreen.lists.name_index import build_name_index
    from bulkscreen.matching.match import match_names

    index = build_name_index(load_snapshots())
    print(f"index: {index.n_names} names, {index.build_seconds:.2f} s "
          f"({'cache' if index.from_cache else 'built'})")
    config = MatchConfig()
    match_names(index, ["Rosoboronexport", "Ivan Petrov"], config)  # compile outside timing
    batches = (_shipment_batches(shipments, total, batch) if shipments
               else _generated_batches(total, batch))
    started = time.perf_counter()
    done = hits = 0
    for names in batches:
        result = match_names(index, names, config)
        hits += int(np.sum(result.column("is_hit").to_numpy(zero_copy_only=False)))
        done += len(names)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{done:,} names in {seconds:.1f} s = {done / seconds:,.0f} names/s; "
          f"{hits:,} hits at {config.hit_threshold}; peak RSS {peak_mb:.0f} MB")
    return {"names": done, "seconds": seconds, "names_per_s": done / seconds, "hits": hits,
            "peak_rss_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=0, help="also screen this many names")
    parser.add_argument("--shipments", help="for --scale: screen the consignee and end-user "
                        "names of this shipments Parquet file")
    parser.add_argument("--scale-only", action="store_true", help="skip the comparison")
    args = parser.parse_args()
    if args.scale_only:
        scale_run(args.scale, args.shipments)
        return
    from rapidfuzz import utils

    from bulkscreen.lists import load_snapshots
    from bulkscreen.lists.name_index import build_name_index

    flat = full_flat_names()
    index = build_name_index(load_snapshots())
    names, truth = make_queries(flat, N_QUERIES)
    choices = [utils.default_process(n) for n in flat.column("name").to_pylist()]
    keys = list(zip(flat.column("list_id").to_pylist(), flat.column("entry_id").to_pylist(),
                    strict=True))
    model = fit_tfidf(choices)
    run_ours(index, names[:1000])
    runs = {"ours": lambda: run_ours(index, names),
            "tfidf": lambda: run_tfidf(model, choices, keys, names),
            "cdist": lambda: run_cdist(choices, keys, names[:CDIST_SLICE])}
    sizes = {"ours": len(names), "tfidf": len(names), "cdist": CDIST_SLICE}
    for label, run in runs.items():
        times, found = [], None
        for _ in range(3 if label == "cdist" else ROUNDS):
            if label == "ours":
                fresh_normalisation()
            started = time.perf_counter()
            found = run()
            times.append(time.perf_counter() - started)
        RESULTS[label] = {"names_per_s": sizes[label] / float(np.median(times)),
                          "recall": planted_recall(found, truth[:sizes[label]])}
        print(f"{label:>6}: {RESULTS[label]['names_per_s']:>10,.0f} names/s (median of "
              f"{len(times)}), "
              f"planted recall {RESULTS[label]['recall']:.3f}")
    split = time_split(index, names)
    print("ours, one fresh round: " + ", ".join(f"{phase} {seconds:.3f} s"
                                                for phase, seconds in split.items()))
    print(f"distinct names {len(set(names))} of {len(names)}; index build "
          f"{index.build_seconds:.2f} s")
    ours = RESULTS["ours"]["names_per_s"]
    print(f"ours / cdist = {ours / RESULTS['cdist']['names_per_s']:.1f}x; "
          f"ours / tfidf = {ours / RESULTS['tfidf']['names_per_s']:.2f}x")
    if args.scale:
        scale_run(args.scale, args.shipments)


if __name__ == "__main__":
    main()
