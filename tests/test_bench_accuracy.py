"""The accuracy benchmark: metrics on known sets, the shipped pairs, pair scoring, the CLI."""

from __future__ import annotations

import hashlib
import json
import math
import tomllib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from bulkscreen.cli import cli
from bulkscreen.columns import LABELLED_PAIRS, LIST_ENTRIES
from bulkscreen.errors import InputError, InputSchemaError
from bulkscreen.tools.bench.accuracy import (
    THRESHOLDS,
    average_precision,
    best_operating_point,
    confusion_at,
    evaluate,
    false_alerts_per_10k,
    kind_rates,
    precision_recall_curve,
    read_pairs,
    threshold_sweep,
    write_report,
)
from bulkscreen.tools.bench.pairs import (
    PairQuotas,
    build_labelled_pairs,
    hand_made_pairs_path,
    shipped_pairs_path,
)
from bulkscreen.tools.bench.scorers import (
    OURS,
    OURS_AT_REVIEW,
    PEERS,
    first_candidates,
    nomenklatura_scores,
    own_thresholds,
    party_names_scores,
    peers_available,
    rapidfuzz_scores,
)

# Five pairs: three matches (0.95, 0.90, 0.60) and two non-matches (0.85, 0.30).
SCORES = np.array([0.95, 0.90, 0.85, 0.60, 0.30], dtype=np.float32)
LABELS = np.array([True, True, False, True, False])
KINDS = ["typo", "typo", "hard_negative", "list_alias", "random_negative"]


def test_confusion_counts_and_rates_are_exact():
    at_90 = confusion_at(SCORES, LABELS, 0.90)
    assert (at_90.tp, at_90.fp, at_90.fn, at_90.tn) == (2, 0, 1, 2)
    assert at_90.precision == 1.0
    assert at_90.recall == pytest.approx(2 / 3)
    assert at_90.f1 == pytest.approx(0.8)
    at_85 = confusion_at(SCORES, LABELS, 0.85)
    assert (at_85.tp, at_85.fp) == (2, 1)
    assert at_85.precision == pytest.approx(2 / 3)
    at_50 = confusion_at(SCORES, LABELS, 0.50)
    assert at_50.recall == 1.0
    assert at_50.precision == pytest.approx(3 / 4)


def test_a_float32_score_equal_to_the_threshold_is_a_hit():
    # float32(0.9) < float64 0.9: the comparison must be made in float32, as the matcher does.
    assert confusion_at(np.array([0.9], np.float32), np.array([True]), 0.9).tp == 1


def test_precision_is_undefined_when_nothing_is_predicted():
    nothing = confusion_at(SCORES, LABELS, 1.0)
    assert nothing.tp + nothing.fp == 0
    assert math.isnan(nothing.precision)
    assert nothing.f1 == 0.0
    assert nothing.as_dict()["precision"] is None


def test_sweep_covers_the_grid_and_the_best_point_has_the_highest_f1():
    sweep = threshold_sweep(SCORES, LABELS)
    assert [c.threshold for c in sweep] == list(THRESHOLDS)
    assert THRESHOLDS[0] == 0.5 and THRESHOLDS[-1] == 1.0 and len(THRESHOLDS) == 51
    best = best_operating_point(sweep)
    # At 0.51..0.60 all three matches and one non-match are in: F1 = 2*0.75*1/(1.75).
    assert best.f1 == pytest.approx(2 * 0.75 / 1.75)
    assert best.threshold == pytest.approx(0.60)  # the highest threshold with that F1
    assert all(c.f1 <= best.f1 for c in sweep)


def test_precision_recall_curve_groups_tied_scores():
    scores = np.array([0.9, 0.9, 0.5, 0.2], np.float32)
    labels = np.array([True, False, True, False])
    thresholds, precision, recall = precision_recall_curve(scores, labels)
    np.testing.assert_allclose(thresholds, [0.9, 0.5, 0.2], rtol=1e-6)
    np.testing.assert_allclose(precision, [0.5, 2 / 3, 0.5])
    np.testing.assert_allclose(recall, [0.5, 1.0, 1.0])


def test_average_precision_agrees_with_scikit_learn():
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(5)
    labels = rng.random(300) < 0.4
    scores = np.round(np.clip(labels * 0.3 + rng.random(300) * 0.7, 0, 1), 2).astype(np.float32)
    assert average_precision(scores, labels) == pytest.approx(
        average_precision_score(labels, scores), abs=1e-9)


def test_average_precision_best_f1_and_false_alerts_against_hand_computed_values():
    # Ranked: match 0.9, non-match 0.8, match 0.7, non-match 0.6.
    scores = np.array([0.6, 0.9, 0.7, 0.8], np.float32)
    labels = np.array([False, True, True, False])
    # Recall steps of 1/2 at precision 1 (0.9) and at precision 2/3 (0.7).
    assert average_precision(scores, labels) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    # F1 on the grid: 2/3 up to 0.60 (P 1/2, R 1), 0.8 at 0.61..0.70 (P 2/3, R 1),
    # 1/2 at 0.71..0.80, 2/3 at 0.81..0.90, 0 above: the best is 0.8, at its top, 0.70.
    best = best_operating_point(threshold_sweep(scores, labels))
    assert best.f1 == pytest.approx(0.8)
    assert best.threshold == pytest.approx(0.70)
    assert (best.tp, best.fp, best.fn, best.tn) == (2, 1, 0, 1)
    # One of the two non-matches is at or above 0.75: 5,000 per 10,000.
    assert false_alerts_per_10k(confusion_at(scores, labels, 0.75)) == pytest.approx(5000)
    assert false_alerts_per_10k(confusion_at(scores, labels, 0.95)) == 0
    assert math.isnan(false_alerts_per_10k(confusion_at(scores[labels], labels[labels], 0.5)))


def test_evaluate_measures_each_scorer_at_its_own_threshold():
    pairs = _pairs_table([("a", "a", True, "typo"), ("b", "c", False, "hard_negative")])
    scores = {"low": lambda a, b: np.array([0.75, 0.72], np.float32)}
    at_own = evaluate(pairs, scores, 0.9, 0.85, thresholds={"low": 0.70}).results[0]
    assert (at_own.own.threshold, at_own.own.tp, at_own.own.fp) == (0.70, 1, 1)
    assert at_own.false_alerts_per_10k == 10_000
    at_hit = evaluate(pairs, scores, 0.9, 0.85).results[0]
    assert (at_hit.own.tp, at_hit.own.fp) == (0, 0)
    thresholds = own_thresholds(0.9)
    assert thresholds[OURS] == 0.9 and thresholds["rf-wratio"] == 0.9
    assert thresholds[OURS_AT_REVIEW] == 0.85
    assert all(thresholds[peer] == 0.7 for peer in PEERS)


def test_kind_rates_give_recall_for_matches_and_fp_rate_for_non_matches():
    rates = kind_rates(SCORES, LABELS, KINDS, 0.90)
    assert rates["typo"] == {"is_match": True, "pairs": 2, "metric": "recall", "rate": 1.0}
    assert rates["list_alias"]["rate"] == 0.0
    assert rates["hard_negative"]["metric"] == "false_positive_rate"
    assert rates["hard_negative"]["rate"] == 0.0
    assert kind_rates(SCORES, LABELS, KINDS, 0.80)["hard_negative"]["rate"] == 1.0


def _pairs_table(rows):
    return pa.table({name: [r[i] for r in rows] for i, name in enumerate(LABELLED_PAIRS.names)},
                    schema=LABELLED_PAIRS.arrow_schema())


def test_evaluate_runs_every_scorer_and_writes_the_outputs(tmp_path):
    pairs = _pairs_table([("a", "a", True, "typo"), ("b", "c", False, "hard_negative"),
                          ("d", "d", True, "list_alias")])
    scorers = {"perfect": lambda a, b: np.array([1.0, 0.0, 1.0], np.float32),
               "always": lambda a, b: np.ones(len(a), np.float32)}
    report = evaluate(pairs, scorers, 0.9, 0.8, pairs_file="tiny")
    perfect, always = report.results
    assert (perfect.best.precision, perfect.best.recall) == (1.0, 1.0)
    assert always.at_hit.precision == pytest.approx(2 / 3)
    assert always.kinds_at_hit["hard_negative"]["rate"] == 1.0

    paths = write_report(report, tmp_path / "out", html=True)
    sweep = pq.read_table(paths["metrics"])
    assert sweep.num_rows == 2 * len(THRESHOLDS)
    assert set(sweep.column("scorer").to_pylist()) == {"perfect", "always"}
    summary = json.loads(paths["summary"].read_text())
    assert summary["scorers"]["perfect"]["at_hit_threshold"]["f1"] == 1.0
    assert summary["pairs"] == 3 and summary["matches"] == 2
    # (scorer, threshold: hit, best F1, own, kind)
    assert pq.read_table(paths["kinds"]).num_rows == 2 * 3 * 3
    page = paths["html"].read_text()
    assert "<svg" in page and "<script" not in page


def test_read_pairs_reports_a_missing_column_and_an_empty_value(tmp_path):
    missing = tmp_path / "missing.csv"
    missing.write_text("name_a,name_b,kind\nx,y,typo\n")
    with pytest.raises(InputSchemaError, match="is_match"):
        read_pairs(missing)
    bad = tmp_path / "bad.csv"
    bad.write_text("name_a,name_b,is_match,kind\nx,y,true,typo\nx,y,maybe,typo\n")
    with pytest.raises(InputSchemaError) as info:
        read_pairs(bad)
    assert info.value.where.row == 2 and info.value.where.column == "is_match"
    with pytest.raises(InputError, match="not found"):
        read_pairs(tmp_path / "nothing.parquet")


def test_the_shipped_pairs_are_valid_small_and_recorded():
    path = shipped_pairs_path()
    assert path.stat().st_size < 2_000_000
    table = read_pairs(path)
    assert table.schema.equals(LABELLED_PAIRS.arrow_schema())
    assert 2_000 <= table.num_rows <= 10_000
    kinds = dict(zip(table.column("kind").to_pylist(), table.column("is_match").to_pylist(),
                     strict=True))
    expected = {"list_alias", "typo", "token_order", "dropped_part", "transliteration",
                "legal_form", "homoglyph", "hard_negative", "random_negative"}
    assert set(kinds) == expected
    assert all(kinds[k] is False for k in ("hard_negative", "random_negative"))
    record = tomllib.loads(path.with_name("source.toml").read_text())
    assert record["table"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["table"]["rows"] == table.num_rows
    assert sum(record["counts"].values()) == table.num_rows


def test_pair_building_is_deterministic_and_labels_follow_the_kind():
    groups = {"eul": {"jp-meti-eul": "2025-09-29"}}
    quotas = PairQuotas(list_alias=20, per_variant_kind=5, hard_negative=15, random_negative=10)
    first = build_labelled_pairs(7, quotas, groups)
    assert first.equals(build_labelled_pairs(7, quotas, groups))
    assert not first.equals(build_labelled_pairs(8, quotas, groups))
    rows = first.to_pylist()
    assert sum(r["kind"] == "list_alias" for r in rows) == 20
    assert sum(r["kind"] == "hard_negative" for r in rows) == 15
    for row in rows:
        assert row["is_match"] == (row["kind"] not in ("hard_negative", "random_negative"))
        assert row["name_a"] != row["name_b"]


def _tiny_index(tmp_path):
    from bulkscreen.lists.name_index import build_name_index

    entries = [("1", "organisation", "Rosoboronexport JSC", ["ROSOBORONEXPORT OAO"]),
               ("2", "organisation", "Admiralty Shipyard", []),
               ("3", "person", "IVANOV, Ivan Petrovich", ["Ivan IVANOV"])]
    rows = [{"list_id": "test-list", "list_version": "2025-01-01", "entry_id": e, "entity_type": t,
             "primary_name": n, "aliases": [{"name": a, "kind": "aka", "script": "Latn"}
                                            for a in aliases],
             "countries": ["RU"], "addresses": [], "birth_dates": [], "identifiers": [],
             "programs": [], "listed_from": None, "listed_to": None, "remarks": None}
            for e, t, n, aliases in entries]
    snapshot = pa.Table.from_pylist(rows, schema=LIST_ENTRIES.arrow_schema())
    return build_name_index([snapshot], cache_dir=tmp_path / "index")


def test_our_pair_scores_equal_the_matcher_scores(tmp_path):
    from bulkscreen.config import MatchConfig
    from bulkscreen.matching.match import match_names

    index = _tiny_index(tmp_path)
    queries = ["Rosoboronexprot", "Admirality Shipyards", "Ivan Ivanov"]
    matches = match_names(index, queries, MatchConfig(review_threshold=0.3, hit_threshold=0.9,
                                                      top_k=3)).to_pylist()
    assert matches
    pair_scores = party_names_scores([queries[m["query_pos"]] for m in matches],
                                     [m["matched_name"] for m in matches], index)
    np.testing.assert_allclose(pair_scores, [m["score"] for m in matches], atol=1e-6)


def test_pair_scores_are_bounded_and_empty_names_score_zero(tmp_path):
    index = _tiny_index(tmp_path)
    scores = party_names_scores(["Admiralty Shipyard", "", "Zzyzx"],
                                ["ADMIRALTY SHIPYARD", "Admiralty", "Admiralty Shipyard"], index)
    assert scores.dtype == np.float32
    assert scores[0] == pytest.approx(1.0) and scores[1] == 0.0
    assert 0.0 <= scores[2] < 0.5
    with pytest.raises(ValueError, match="per pair"):
        party_names_scores(["a"], [], index)


def test_first_candidate_is_the_index_s_best_ranked_list_name(tmp_path):
    index = _tiny_index(tmp_path)
    names, types = first_candidates(index, ["Rosoboronexprot", "", "Admiralty Shipyards"])
    assert names[0] in {"Rosoboronexport JSC", "ROSOBORONEXPORT OAO"}
    assert (names[1], types[1]) == ("", None)
    assert (names[2], types[2]) == ("Admiralty Shipyard", "organisation")


def test_pair_scores_cap_a_match_on_generic_words_only(tmp_path):
    index = _tiny_index(tmp_path)
    scores = party_names_scores(
        ["Shenzhen Tianhe Technology Limited", "Shenzhen Tianhe Technology Limited"],
        ["Shenzhen Yitai Technology Co Ltd", "Shenzhen Tianhe Technology Co., Ltd."], index)
    assert scores[0] <= 0.80 < 0.85 <= scores[1]
    # Person names are left alone, as in a run: the cap is not applied.
    person = party_names_scores(["Shenzhen Tianhe Technology"], ["Shenzhen Yitai Technology"],
                                index, entity_types=["person"])
    assert person[0] >= scores[0]


@pytest.mark.skipif(not peers_available(), reason="nomenklatura (the peers extra) is missing")
def test_peer_scorers_score_three_pairs_independently_of_their_order():
    names_a = ["Vladimir Putin", "Admiralty Shipyard", "Apple Inc"]
    names_b = ["Vladimir Vladimirovich Putin", "Admiralty Shipyard JSC", "Banana Ltd"]
    for algorithm in PEERS.values():
        scores = nomenklatura_scores(algorithm, names_a, names_b)
        assert scores.dtype == np.float32 and scores.shape == (3,)
        assert np.all((scores >= 0) & (scores <= 1))
        assert scores[0] > scores[2] and scores[1] > scores[2]
        # nomenklatura memoises by entity id: a pair must score the same alone and reversed.
        alone = nomenklatura_scores(algorithm, names_a[2:], names_b[2:])
        reversed_ = nomenklatura_scores(algorithm, names_a[::-1], names_b[::-1])[::-1]
        np.testing.assert_allclose(alone, scores[2:])
        np.testing.assert_allclose(reversed_, scores)
    with pytest.raises(ValueError, match="no algorithm"):
        nomenklatura_scores("no-such-algorithm", ["a"], ["b"])


def test_the_hand_made_pairs_are_valid_and_cover_each_capability():
    table = read_pairs(hand_made_pairs_path())
    assert table.num_rows >= 60
    kinds = set(table.column("kind").to_pylist())
    assert {"cross_script", "initials", "acronym", "ordinal",
            "generic_token_negative"} <= kinds
    rows = table.to_pylist()
    # Each kind is all matches or all non-matches, so its rate is one of recall or FP rate.
    for kind in kinds:
        assert len({r["is_match"] for r in rows if r["kind"] == kind}) == 1
    assert len({(r["name_a"], r["name_b"]) for r in rows}) == len(rows)
    assert (hand_made_pairs_path().parent / "README.md").is_file()


def test_baselines_match_rapidfuzz_directly():
    from rapidfuzz import fuzz, utils
    from rapidfuzz.distance import JaroWinkler

    a, b = ["Ivan Petrov", "ACME Corp"], ["PETROV, Ivan", "Acme Corporation"]
    jw = rapidfuzz_scores("rf-jaro-winkler", a, b)
    assert jw[0] == pytest.approx(JaroWinkler.normalized_similarity("ivan petrov",
                                                                    "petrov, ivan"))
    sort = rapidfuzz_scores("rf-token-sort-ratio", a, b)
    assert sort[0] == pytest.approx(fuzz.token_sort_ratio(a[0], b[0],
                                                          processor=utils.default_process) / 100)
    assert rapidfuzz_scores("rf-wratio", a, b)[1] == pytest.approx(
        fuzz.WRatio(a[1], b[1], processor=utils.default_process) / 100)
    with pytest.raises(ValueError, match="unknown baseline"):
        rapidfuzz_scores("nope", a, b)


def test_bench_accuracy_command_prints_and_writes(tmp_path, monkeypatch):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("name_a,name_b,is_match,kind\n"
                     "Admirality Shipyards,Admiralty Shipyard JSC,true,typo\n"
                     "Admiralty Shipyard,Admiralty Bank,false,hard_negative\n"
                     "Ivan Petrov,Zhang Wei,false,random_negative\n")
    monkeypatch.setenv("BULKSCREEN_LISTS", '["jp-meti-eul"]')
    result = CliRunner().invoke(cli, ["bench", "accuracy", "--pairs", str(pairs), "--out",
                                      str(tmp_path / "out"), "--no-html", "--no-peers"])
    assert result.exit_code == 0, result.output
    assert OURS in result.output and "rf-wratio" in result.output
    assert "hand-made pairs" in result.output
    summary = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert list(summary["scorers"]) == [OURS, OURS_AT_REVIEW, "rf-jaro-winkler",
                                        "rf-token-sort-ratio", "rf-wratio"]
    assert summary["scorers"][OURS_AT_REVIEW]["at_own_threshold"]["threshold"] == 0.85
    assert summary["scorers"][OURS]["at_hit_threshold"]["tp"] == 1
    assert summary["scorers"]["rf-wratio"]["at_own_threshold"]["threshold"] == 0.9
    assert not (tmp_path / "out" / "accuracy.html").exists()
    hand = json.loads((tmp_path / "out" / "hand_made" / "metrics.json").read_text())
    assert hand["pairs_file"] == "pairs.csv" and hand["pairs"] >= 60


@pytest.mark.slow
def test_bench_pairs_rebuilds_the_shipped_file_byte_for_byte(tmp_path):
    out = tmp_path / "pairs.parquet"
    result = CliRunner().invoke(cli, ["bench", "pairs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == shipped_pairs_path().read_bytes()
