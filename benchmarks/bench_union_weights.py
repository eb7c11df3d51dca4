"""What one union name index with fixed token weights would change in an audit's epoch matches.

An audit matches each distinct party name against every list epoch's own index (its own names
and IDF weights) plus today's. Issue 17 asks for one index over every list version, each name
with its validity interval, so a name is matched once. Selecting the names in force *before*
the top-k cut keeps entries not in force from crowding the cut; what is left is the weights:
one index has one IDF vector, over the union of the versions' names.

This script isolates that one change. For each epoch it builds the epoch's own names with the
union's vocabulary and IDF (:func:`union_weighted`): exactly what a union index that selects
the names in force before the top-k cut would match for that epoch. It then matches the
distinct (name, country) queries of the lines dated in the epoch both ways and counts the
matches kept, lost and gained, the hit/near-match flips and the score changes. Run::

    python benchmarks/bench_union_weights.py shipments.parquet --as-of 2026-01-15

(``bulkscreen generate shipments --rows 200000 --seed 1 --end-date 2025-06-30``) and it prints
one JSON object per epoch, then the totals. With ``--audit-out DIR --reference DIR`` it also
runs the audit with every epoch's index so reweighted (today's judgement untouched) into the
first folder and counts the lines whose determinations differ from a plain audit's (the
second folder, ``bulkscreen audit shipments ... --out DIR``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bulkscreen.config import RunConfig
from bulkscreen.lists.name_index import NameIndex, encode_texts, index_flat_names
from bulkscreen.matching.match import MatchTexts, match_names
from bulkscreen.run.data import load_audit_data

PARTY_COLUMNS = {"consignee_name": "consignee_country", "end_user_name": "end_user_country"}
"""Party name column -> its country column (as the audit matches them)."""

_UNION_KEY = ("list_id", "entry_id", "alias_kind", "name")
"""A union name: the same name of the same entry in two list versions is one name."""


def union_index(starts: list[dt.date], list_ids: list[str] | None = None) -> NameIndex:
    """One index over every list version in force on any of ``starts``: each name of an
    entry once (its first version's row), however many versions repeat it."""
    from bulkscreen.lists import flatten_names, load_snapshots

    snapshots: dict[tuple[str, str], pa.Table] = {}
    for start in starts:
        for snapshot in load_snapshots(list_ids, as_of=start):
            if snapshot.num_rows:
                key = (snapshot.column("list_id")[0].as_py(),
                       snapshot.column("list_version")[0].as_py())
                snapshots.setdefault(key, snapshot)
    flat = pa.concat_tables([flatten_names(s) for s in snapshots.values()])
    numbered = flat.append_column("_at", pa.array(np.arange(flat.num_rows), pa.int64()))
    first = numbered.group_by(list(_UNION_KEY), use_threads=False).aggregate([("_at", "min")])
    return index_flat_names(flat.take(pa.array(np.sort(first.column("_at_min").to_numpy()))))


def union_weighted(index: NameIndex, union: dict[str, np.ndarray]) -> NameIndex:
    """``index``'s names with the union's key space and IDF weights.

    The postings hold only ``index``'s names (the names in force), so candidate selection
    and its posting budget see the epoch's names alone; every weight (query keys, name
    weights, token weights, the unseen-gram weight) is the union's.
    """
    from bulkscreen.lists.name_index import _concat_rows, _unique_per_row
    from bulkscreen_kernels.index import build_postings, gram_keys, token_keys

    texts = index.names.column("match_text").to_pylist()
    codes, offsets = encode_texts(texts)
    gram_ptr, grams = gram_keys(codes, offsets)
    token_ptr, tokens = token_keys(codes, offsets)
    gram_dict, token_dict = union["gram_dict"], union["token_dict"]
    n_grams = gram_dict.shape[0]
    # Every key of a union name is in the union's dictionaries.
    key_ptr, key_ids = _unique_per_row(
        *_concat_rows(gram_ptr, np.searchsorted(gram_dict, grams),
                      token_ptr, np.searchsorted(token_dict, tokens) + n_grams))
    key_idf = union["key_idf"]
    post_ptr, post_names = build_postings(key_ptr, key_ids.astype(np.int32), key_idf.shape[0])
    rows = np.repeat(np.arange(len(texts)), np.diff(key_ptr))
    arrays = dict(index.arrays)
    arrays.update({
        "gram_dict": gram_dict, "token_dict": token_dict, "key_idf": key_idf,
        "unseen_idf": union["unseen_idf"], "post_ptr": post_ptr, "post_names": post_names,
        "name_weight": np.bincount(rows, weights=key_idf[key_ids],
                                   minlength=len(texts)).astype(np.float32),
        "name_token_weight": key_idf[np.searchsorted(token_dict, tokens) + n_grams
                                     ].astype(np.float64),
    })
    return NameIndex(key=f"{index.key}-union", algorithm_id=index.algorithm_id,
                     normalization_version=index.normalization_version,
                     list_versions=index.list_versions, names=index.names, arrays=arrays)


def epoch_queries(table: pa.Table, starts: np.ndarray) -> dict[int, tuple[pa.Array, pa.Array]]:
    """Distinct (name, country) party queries of the lines of each epoch (by epoch id)."""
    from bulkscreen_kernels.asof import version_index

    days = pc.cast(table.column("shipment_date").combine_chunks(), pa.int32()).to_numpy(
        zero_copy_only=False)
    epoch = version_index(np.ascontiguousarray(days, dtype=np.int32), starts)
    out = {}
    for epoch_id in np.unique(epoch):
        if epoch_id < 0:
            continue
        rows = table.take(pa.array(np.flatnonzero(epoch == epoch_id)))
        parts = [pa.table({"name": rows.column(n).cast(pa.string()),
                           "country": rows.column(c).cast(pa.string())})
                 for n, c in PARTY_COLUMNS.items()]
        distinct = pa.concat_tables(parts).group_by(["name", "country"]).aggregate([])
        out[int(epoch_id)] = (distinct.column("name").combine_chunks(),
                              distinct.column("country").combine_chunks())
    return out


def compare(own: pa.Table, union: pa.Table) -> dict[str, float]:
    """Counts of matches kept, lost, gained, hit flips and score changes between two runs."""
    def keyed(table: pa.Table) -> dict[tuple, tuple[float, bool]]:
        return {(q, lst, ver, entry): (score, hit) for q, lst, ver, entry, score, hit in zip(
            *(table.column(c).to_pylist() for c in ("query_pos", "list_id", "list_version",
                                                   "entry_id", "score", "is_hit")),
            strict=True)}

    a, b = keyed(own), keyed(union)
    both = a.keys() & b.keys()
    deltas = [abs(a[k][0] - b[k][0]) for k in both]
    return {
        "matches_own": len(a), "matches_union": len(b), "kept": len(both),
        "lost": len(a.keys() - b.keys()), "gained": len(b.keys() - a.keys()),
        "hit_flips": sum(a[k][1] != b[k][1] for k in both),
        "score_changed": sum(d > 0 for d in deltas),
        "max_score_delta": max(deltas, default=0.0),
        "queries_with_any_difference": len({k[0] for k in (a.keys() ^ b.keys())}
                                           | {k[0] for k in both if a[k] != b[k]}),
    }


def audit_with_union_weights(input_path: Path, out: Path, as_of: dt.date) -> None:
    """Run ``bulkscreen audit shipments`` with each epoch's index reweighted by the union
    (:func:`union_weighted`); today's index, and so the ``*_today`` columns, stay as they are.
    """
    import bulkscreen.run.screening as screening
    from bulkscreen.cli import main as cli_main

    plain = screening.load_audit_data

    def reweighted(config: RunConfig, today: dt.date):
        data = plain(config, today)
        union = union_index([epoch.as_of for epoch in data.epochs], config.lists or None)
        for epoch in data.epochs:
            epoch.index = union_weighted(epoch.index, union.arrays)
        return data

    screening.load_audit_data = reweighted
    try:
        cli_main(["audit", "shipments", str(input_path), "--as-of", as_of.isoformat(),
                  "--out", str(out), "--overwrite", "--quiet"])
    finally:
        screening.load_audit_data = plain


def determination_differences(reference: Path, union: Path) -> dict[str, int]:
    """Lines whose then-judgement differs between two audits' results, and party hits lost
    and gained (by row, date, field and entry)."""
    import polars as pl

    a = pl.read_parquet(reference / "results.parquet")
    b = pl.read_parquet(union / "results.parquet")
    joined = a.join(b, on="input_row", suffix="_union")
    out = {f"lines_{c}_differ": joined.filter(pl.col(c).ne_missing(pl.col(f"{c}_union"))).height
           for c in ("decision", "reason_codes", "explanation", "decision_today")}
    for was, now, n in joined.filter(pl.col("decision") != pl.col("decision_union")).group_by(
            "decision", "decision_union").len().iter_rows():
        out[f"lines_{was}_to_{now}"] = n
    key = ["input_row", "as_of_date", "field", "list_id", "list_version", "entry_id"]
    hits_a, hits_b = (pl.read_parquet(folder / "hits.parquet").filter(
        pl.col("finding") == "party") for folder in (reference, union))
    both = hits_a.join(hits_b, on=key, suffix="_union")
    out.update({"party_hits": hits_a.height,
                "party_hits_lost": hits_a.join(hits_b, on=key, how="anti").height,
                "party_hits_gained": hits_b.join(hits_a, on=key, how="anti").height,
                "party_hit_scores_differ": both.filter(
                    pl.col("score") != pl.col("score_union")).height})
    return out


def main() -> None:
    """Print per-epoch and total differences between own-epoch and union weights."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 1, 15))
    parser.add_argument("--audit-out", type=Path, help="also audit with union weights here")
    parser.add_argument("--reference", type=Path, help="a plain audit's folder to compare with")
    args = parser.parse_args()
    config = RunConfig()
    data = load_audit_data(config, args.as_of)
    union_names = union_index([epoch.as_of for epoch in data.epochs], config.lists or None)
    union = union_names.arrays
    print(json.dumps({"union_names": union_names.n_names,
                      "epoch_names": [epoch.index.n_names for epoch in data.epochs]}))
    table = pq.read_table(args.input, columns=["shipment_date", *PARTY_COLUMNS,
                                               *PARTY_COLUMNS.values()])
    queries = epoch_queries(table, data.epoch_starts)
    # Today's lines are every line: today's queries are all distinct queries.
    all_names = pa.concat_arrays([q[0] for q in queries.values()])
    all_countries = pa.concat_arrays([q[1] for q in queries.values()])
    today = pa.table({"name": all_names, "country": all_countries}).group_by(
        ["name", "country"]).aggregate([])
    work = [(f"{data.epochs[e].as_of}", data.epochs[e].index, *queries[e]) for e in queries]
    work.append(("today", data.today.index, today.column("name").combine_chunks(),
                 today.column("country").combine_chunks()))
    # What one match per distinct epoch query against the whole union costs (no in-force
    # selection: a lower bound on the single-pass design's matching time).
    epoch_names = pa.concat_arrays([q[0] for q in queries.values()])
    epoch_countries = pa.concat_arrays([q[1] for q in queries.values()])
    distinct = pa.table({"name": epoch_names, "country": epoch_countries}).group_by(
        ["name", "country"]).aggregate([])
    # Every timed call reads names normalised once beforehand, from warm kernels.
    texts = MatchTexts(max_names=10 * distinct.num_rows)
    texts.of([n for n in distinct.column("name").to_pylist() if n is not None])
    # A listed name reaches every lookup an index builds on first use.
    warm_up = pa.array([union_names.names.column("name")[0].as_py(), "Warm Up Trading Co."])
    match_names(union_names, warm_up, config.match, texts=texts)
    tick = time.perf_counter()
    match_names(union_names, distinct.column("name").combine_chunks(), config.match,
                countries=distinct.column("country").combine_chunks(), texts=texts)
    print(json.dumps({"union_pass_queries": distinct.num_rows,
                      "union_pass_seconds": round(time.perf_counter() - tick, 2)}))
    totals: dict[str, float] = {}
    for label, index, names, countries in work:
        weighted = union_weighted(index, union)
        match_names(index, warm_up, config.match, texts=texts)
        tick = time.perf_counter()
        own = match_names(index, names, config.match, countries=countries, texts=texts)
        own_seconds = time.perf_counter() - tick
        union_matches = match_names(weighted, names, config.match, countries=countries,
                                    texts=texts)
        figures = compare(own, union_matches)
        print(json.dumps({"epoch": label, "queries": len(names),
                          "own_seconds": round(own_seconds, 2), **figures}))
        for key, value in figures.items():
            totals[key] = (max(totals.get(key, 0.0), value) if key.startswith("max")
                           else totals.get(key, 0) + value)
        totals["queries"] = totals.get("queries", 0) + len(names)
        if label != "today":
            totals["epoch_own_seconds"] = totals.get("epoch_own_seconds", 0.0) + own_seconds
    print(json.dumps({"epoch": "total", **{k: (round(v, 6) if isinstance(v, float)
                                               and not math.isnan(v) else v)
                                           for k, v in totals.items()}}))
    if args.audit_out is not None:
        audit_with_union_weights(args.input, args.audit_out, args.as_of)
        if args.reference is not None:
            print(json.dumps({"audit": "union weights",
                              **determination_differences(args.reference, args.audit_out)}))


if __name__ == "__main__":
    main()
