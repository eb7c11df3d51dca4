"""Name matching and party screening on real bundled lists: hits, bands, evidence, HITS rows."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkscreen.columns import HITS
from bulkscreen.config import MatchConfig, RunConfig
from bulkscreen.errors import InputSchemaError
from bulkscreen.lists import load_snapshots
from bulkscreen.lists.name_index import build_name_index
from bulkscreen.matching.match import MATCH_SCHEMA, match_names
from bulkscreen.screen.parties import screen_parties_batch

CONFIG = MatchConfig(hit_threshold=0.90, review_threshold=0.80, top_k=3)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    snapshots = load_snapshots(["un-consolidated", "jp-meti-by-tokutei"])
    return build_name_index(snapshots, cache_dir=tmp_path_factory.mktemp("idx"))


def entries_of(table: pa.Table, position: int) -> list[str]:
    return [r["entry_id"] for r in table.to_pylist() if r["query_pos"] == position]


def test_listed_name_and_its_variants_hit_the_entry(index):
    queries = [
        "Korea Mining Development Trading Corporation",       # as listed
        "Trading Corp. Korea Mining Development",              # tokens reordered, legal form
        "KOREA MINNING DEVELOPMENT TRADING CORPORATION",       # typo
        "Kоrea Mining Development Trading Cоrporation",        # Cyrillic о homoglyphs
        "GERMAIN KATANGA", "Katanga, Germain",                 # person, family name first
    ]
    result = match_names(index, queries, CONFIG)
    assert result.schema == MATCH_SCHEMA
    for position in range(4):
        assert entries_of(result, position)[:1] == ["KPe.001"], queries[position]
    for position in (4, 5):
        assert entries_of(result, position)[:1] == ["CDi.006"], queries[position]
    top = result.filter(pa.compute.equal(result["query_pos"], 0)).to_pylist()[0]
    assert top["is_hit"] and top["score"] == pytest.approx(1.0)
    assert top["explanation"].startswith(
        "'Korea Mining Development Trading Corporation' ~ 'KOREA MINING DEVELOPMENT TRADING "
        "CORPORATION' (primary) on un-consolidated 2026-02-27 entry KPe.001: score 1.00 [")
    features = json.loads(top["features"])
    assert features["query_cover"] == 1.0 and features["name_cover"] == 1.0


def test_unlisted_and_empty_names_match_nothing(index):
    result = match_names(index, ["Kyoto Precision Optics", None, "", "株式会社"], CONFIG)
    assert result.num_rows == 0


def test_rows_are_thresholded_one_per_entry_and_top_k(index):
    result = match_names(index, ["Mohamed Hassan", "Mohammed Ali"], CONFIG)
    for position in (0, 1):
        rows = [r for r in result.to_pylist() if r["query_pos"] == position]
        assert len(rows) <= CONFIG.top_k
        assert len({(r["list_id"], r["entry_id"]) for r in rows}) == len(rows)
        scores = [r["score"] for r in rows]
        assert scores == sorted(scores, reverse=True)
        assert all(s >= CONFIG.review_threshold for s in scores)
        assert all(r["is_hit"] == (r["score"] >= CONFIG.hit_threshold) for r in rows)


def test_repeated_names_give_identical_rows_and_arrow_input_is_accepted(index):
    names = ["GERMAIN KATANGA", "Someone Else", "GERMAIN KATANGA"]
    result = match_names(index, pa.array(names), CONFIG)
    first = [{k: v for k, v in r.items() if k != "query_pos"}
             for r in result.to_pylist() if r["query_pos"] == 0]
    third = [{k: v for k, v in r.items() if k != "query_pos"}
             for r in result.to_pylist() if r["query_pos"] == 2]
    assert first and first == third
    assert match_names(index, names, CONFIG).equals(result)


def test_birth_year_and_country_evidence_move_the_score(index):
    names = ["GERMAIN KATANGA"] * 4
    result = match_names(index, names, CONFIG, countries=[None, "CD", "FR", None],
                         birth_years=[None, 1978, None, 1950])
    score = {r["query_pos"]: r for r in result.to_pylist() if r["entry_id"] == "CDi.006"}
    base = score[0]["score"]
    assert score[1]["score"] == pytest.approx(min(1.0, base + 0.05))
    assert score[2]["score"] == pytest.approx(base - 0.05)
    assert score[3]["score"] == pytest.approx(base - 0.10)
    assert json.loads(score[3]["features"])["birth_year"] == pytest.approx(-0.10)
    assert "birth_year" not in json.loads(score[0]["features"])


def test_evidence_length_must_match_names(index):
    with pytest.raises(ValueError, match="countries has 1 values for 2 names"):
        match_names(index, ["a", "b"], CONFIG, countries=["JP"])


def test_screen_parties_batch_returns_hits_rows(index):
    batch = pa.RecordBatch.from_pydict({
        "input_row": pa.array([1, 2, 3], pa.int64()),
        "shipment_id": ["S1", "S2", "S3"],
        "consignee_name": ["Acme Optics", "Korea Mining Development Trading Corp", None],
        "consignee_country": ["JP", "KP", "JP"],
        "end_user_name": ["GERMAIN KATANGA", None, "Nobody Known"],
    })
    config = RunConfig(match=CONFIG)
    out = screen_parties_batch(batch, index, config, ["consignee_name", "end_user_name"],
                               {"consignee_name": "consignee_country"}, dt.date(2026, 3, 1))
    assert out.schema == HITS.arrow_schema()
    rows = out.to_pylist()
    assert [(r["input_row"], r["field"]) for r in rows][:1] == [(1, "end_user_name")]
    komid = [r for r in rows if r["input_row"] == 2]
    assert komid[0]["entry_id"] == "KPe.001" and komid[0]["record_id"] == "S2"
    assert komid[0]["reason_code"] == "PARTY_HIT" and komid[0]["decision"] == "REVIEW"
    assert json.loads(komid[0]["features"])["country"] == pytest.approx(0.02)
    assert all(r["finding"] == "party" and r["as_of_date"] == dt.date(2026, 3, 1) for r in rows)
    assert {r["reason_code"] for r in rows} <= {"PARTY_HIT", "PARTY_NEAR_MATCH"}
    assert [r["input_row"] for r in rows] == sorted(r["input_row"] for r in rows)


def test_screen_parties_batch_reads_alias_lists_and_names_missing_columns(index):
    batch = pa.RecordBatch.from_pydict({
        "input_row": pa.array([7], pa.int64()), "person_id": ["P7"],
        "full_name": ["Jane Roe"], "aliases": [["Someone", "Katanga Germain"]],
    })
    out = screen_parties_batch(batch, index, RunConfig(match=CONFIG), ["full_name", "aliases"],
                               None, dt.date(2026, 3, 1))
    rows = out.to_pylist()
    assert rows and rows[0]["field"] == "aliases" and rows[0]["entry_id"] == "CDi.006"
    assert rows[0]["query_value"] == "Katanga Germain"
    with pytest.raises(InputSchemaError, match="end_user_name"):
        screen_parties_batch(batch, index, RunConfig(), ["end_user_name"], None,
                             dt.date(2026, 3, 1))


def test_features_and_explanation_text_is_pinned_on_real_names(index):
    result = match_names(index, ["Korea Mining Development Trading Corporation",
                                 "Katanga, Germain", "GERMAIN KATANGA"], CONFIG,
                         countries=[None, "CD", "FR"], birth_years=[None, 1978, 1950],
                         entity_types=[None, "person", None])
    top = {r["query_pos"]: r for r in reversed(result.to_pylist())}
    ones = '"jaro_winkler":1.0,"levenshtein":1.0,"query_cover":1.0,"name_cover":1.0'
    listed = "jaro_winkler 1.00, levenshtein 1.00, query_cover 1.00, name_cover 1.00"
    entry = "on un-consolidated 2026-02-27 entry"
    assert top[0]["features"] == "{" + ones + ',"token_order":1.0}'
    assert top[0]["explanation"] == (
        "'Korea Mining Development Trading Corporation' ~ 'KOREA MINING DEVELOPMENT TRADING "
        f"CORPORATION' (primary) {entry} KPe.001: score 1.00 [{listed}, token_order 1.00]")
    assert top[1]["features"] == "{" + ones + ',"token_order":0.0,"country":0.02,"birth_year":0.03}'
    assert top[1]["explanation"] == (
        f"'Katanga, Germain' ~ 'GERMAIN KATANGA' (primary) {entry} CDi.006: score "
        f"{top[1]['score']:.2f} [{listed}, token_order 0.00, country +0.02, birth_year +0.03]")
    assert top[2]["features"] == (
        "{" + ones + ',"token_order":1.0,"country":-0.05,"birth_year":-0.1}')
    assert top[2]["explanation"].endswith(
        f"score {top[2]['score']:.2f} [{listed}, token_order 1.00, country -0.05, "
        "birth_year -0.10]")
    near = result.filter(pa.compute.equal(result["entry_id"], "KPe.033")).to_pylist()[0]
    assert re.fullmatch(r'\{("[a-z_]+":(1\.0|0\.\d{1,4}),?){5}\}', near["features"])


def _naive_informative(query_text: str, name_text: str, uninformative) -> bool:
    from rapidfuzz.distance import JaroWinkler, Levenshtein

    def similar(q: str, n: str) -> bool:
        return (q == n or (min(len(q), len(n)) >= 4 and Levenshtein.distance(q, n) <= 1)
                or JaroWinkler.similarity(q, n) >= 0.9)

    query, name = query_text.split(" "), name_text.split(" ")
    if any(similar(q, n) for q in query if q not in uninformative
           for n in name if n not in uninformative):
        return True
    if all(t in uninformative for t in query + name):
        return False
    return (all(any(similar(q, n) for n in name) for q in query)
            and all(any(similar(q, n) for q in query) for n in name))


def per_row_table(index, names, config, pieces) -> pa.Table:
    """The per-row assembly the vectorised one replaced: the reference for its output."""
    from bulkscreen.matching.abjad import ABJAD_LETTER
    from bulkscreen.matching.algorithm import (
        EVIDENCE_WEIGHTS,
        FEATURE_WEIGHTS,
        KEEP_RULES,
        UNINFORMATIVE_CAP,
    )
    from bulkscreen.matching.explain import (
        COMMON_NAME_NOTE,
        PARTIAL_NAME_NOTE,
        SHORT_OR_WEAK_NOTE,
        UNINFORMATIVE_NOTE,
    )
    from bulkscreen.matching.informative import generic_tokens, uninformative_tokens
    from bulkscreen.matching.name_parts import (
        abjad_name_words,
        covers_family_name,
        derived_surname,
        family_tokens,
        legal_form_words,
        misses_first_or_last_name,
        name_token_stats,
        one_shared_brand_word,
        other_abjad_word,
        other_chinese_brand,
        other_chinese_syllable,
        other_known_name,
        other_longer_brand,
        other_short_brand,
        other_words_each_side,
        rests_on_common_names,
        short_token_conflict,
        splits_compound_name,
        unit_of_query,
        untyped_person_name,
        written_as_person,
    )
    from bulkscreen_kernels.scoring import EVIDENCE, FEATURES, pair_features, row_evidence_deltas

    entries = name_token_stats(index).person_entries

    uninformative = uninformative_tokens()
    tables = []
    for rows, rank, name_ids, scores, query_ids, local_rows, queries, row_evidence, *_ in pieces:
        features, _ = pair_features(queries, query_ids, index.name_texts(), name_ids,
                                    np.array(FEATURE_WEIGHTS, dtype=np.float64), KEEP_RULES)
        deltas = row_evidence_deltas(local_rows, name_ids, index.arrays["name_entry"],
                                     row_evidence, index.entry_evidence(), EVIDENCE_WEIGHTS)
        matched = index.names.take(pa.array(name_ids))
        query_values = names.take(pa.array(rows)).to_pylist()
        codes, offsets = queries[0], queries[1]
        out = {key: [] for key in ("row", "rank", "name", "score", "features", "explanation",
                                   "same", "hit")}
        for i, row in enumerate(matched.to_pylist()):
            q = int(query_ids[i])
            query_text = "".join(map(chr, codes[offsets[q]:offsets[q + 1]]))
            same = sorted(query_text.split(" ")) == sorted(row["match_text"].split(" "))
            score = float(scores[i])
            capped = (not same and row["entity_type"] != "person"
                      and score > UNINFORMATIVE_CAP
                      and not _naive_informative(query_text, row["match_text"], uninformative))
            if capped:
                score = float(np.float32(UNINFORMATIVE_CAP))
            # Compared in float32, as the run does: a capped score is not over the cap.
            over_cap = np.float32(score) > np.float32(UNINFORMATIVE_CAP)
            partial = (not same and over_cap
                       and ((len(row["match_text"].split(" ")) == 1
                             and sum(t not in legal_form_words()
                                     for t in query_text.split(" ")) > 1)
                            or short_token_conflict(query_text, row["match_text"])
                            or (bool(re.search(ABJAD_LETTER, query_values[i] or ""))
                                and bool(re.search(ABJAD_LETTER, row["name"] or ""))
                                and abjad_name_words(row["name"])
                                == 1 < abjad_name_words(query_values[i]))
                            or ((row["entity_type"] == "person"
                                 or (row["entity_type"] in ("unknown", "", None)
                                     and (written_as_person(row["name"] or "")
                                          or untyped_person_name(row["match_text"],
                                                                 row["name"] or "", entries))))
                                and (not covers_family_name(query_text,
                                                            family_tokens(row["name"]))
                                     or misses_first_or_last_name(
                                         query_text, row["match_text"], row["name"])))))
            common = (not same and not partial and over_cap
                      and ((row["entity_type"] in ("person", "unknown", None)
                            and (rests_on_common_names(query_text, row["match_text"], entries)
                                 or other_known_name(query_text, row["match_text"], entries)
                                 or derived_surname(query_text, row["match_text"])
                                 or splits_compound_name(query_values[i] or "",
                                                         row["match_text"])))
                           or (row["entity_type"] != "person" and (other_chinese_brand(
                               query_text, row["match_text"],
                               uninformative | legal_form_words()) or other_short_brand(
                               query_text, row["match_text"],
                               generic_tokens() | legal_form_words()) or other_words_each_side(
                               query_text, row["match_text"], legal_form_words())
                               or other_longer_brand(query_text, row["match_text"],
                                                     generic_tokens() | legal_form_words())
                               or one_shared_brand_word(query_text, row["match_text"],
                                                        uninformative | legal_form_words())
                               or unit_of_query(query_text, row["match_text"])))
                           or other_chinese_syllable(
                               query_text, row["match_text"],
                               row["entity_type"] in ("person", "unknown", None))
                           or (bool(re.search(ABJAD_LETTER, query_values[i] or ""))
                               and bool(re.search(ABJAD_LETTER, row["name"] or ""))
                               and other_abjad_word(query_text, row["match_text"]))))
            if partial or common:
                score = float(np.float32(UNINFORMATIVE_CAP))
            if score < np.float32(config.review_threshold):
                continue
            short_or_weak = len(row["match_text"].split(" ")) == 1 or row["alias_kind"] == "weak"
            strong = bool(np.float32(score) >= np.float32(config.hit_threshold))
            held_back = strong and short_or_weak and not same
            detail = {f: round(float(features[i, j]), 4) for j, f in enumerate(FEATURES)}
            detail.update({e: round(float(deltas[i, j]), 4) for j, e in enumerate(EVIDENCE)
                           if deltas[i, j] != 0})
            listed = ", ".join(f"{k} {v:+.2f}" if k in EVIDENCE else f"{k} {v:.2f}"
                               for k, v in detail.items())
            out["explanation"].append(
                f"'{query_values[i]}' ~ '{row['name']}' ({row['alias_kind']}) on "
                f"{row['list_id']} {row['list_version']} entry {row['entry_id']}: "
                f"score {np.float32(score):.2f} [{listed}]"
                + (UNINFORMATIVE_NOTE if capped else "")
                + (PARTIAL_NAME_NOTE if partial else "")
                + (COMMON_NAME_NOTE if common else "")
                + (SHORT_OR_WEAK_NOTE if held_back else ""))
            out["features"].append(json.dumps(detail, sort_keys=False, separators=(",", ":")))
            out["row"].append(int(rows[i]))
            out["rank"].append(int(rank[i]))
            out["name"].append(row)
            out["score"].append(score)
            out["same"].append(same)
            out["hit"].append(strong and not held_back)
        if not out["row"]:
            continue
        order = np.lexsort((np.array(out["rank"]), np.array(out["row"])))
        kept = out["name"]
        tables.append(pa.table({
            "query_pos": pa.array(np.array(out["row"], dtype=np.int32)),
            "list_id": pa.array([r["list_id"] for r in kept], pa.string()),
            "list_version": pa.array([r["list_version"] for r in kept], pa.string()),
            "entry_id": pa.array([r["entry_id"] for r in kept], pa.string()),
            "matched_name": pa.array([r["name"] for r in kept], pa.string()),
            "alias_kind": pa.array([r["alias_kind"] for r in kept], pa.string()),
            "score": pa.array(np.array(out["score"], dtype=np.float32)),
            "features": pa.array(out["features"], pa.string()),
            "is_hit": pa.array(out["hit"], pa.bool_()),
            "same_tokens": pa.array(out["same"], pa.bool_()),
            "explanation": pa.array(out["explanation"], pa.string()),
        }, schema=MATCH_SCHEMA).take(pa.array(order)))
    result = pa.concat_tables(tables)
    return result.take(pa.compute.sort_indices(result, [("query_pos", "ascending")]))


def mixed_queries(index, n_listed: int, seed: int) -> list[str]:
    """Listed names, typo and token-order variants of them, unlisted names, repeats."""
    rng = np.random.default_rng(seed)
    listed = index.names.column("name").to_pylist()
    picked = [listed[i] for i in rng.choice(len(listed), n_listed, replace=False)]
    variants = []
    for name in picked:
        tokens = name.split()
        cut = int(rng.integers(0, len(name)))
        variants += [" ".join(tokens[::-1]), name[:cut] + name[cut + 1:]]
    unlisted = ["Kyoto Precision Optics", "Hanami Trading KK", "Maria Garcia Lopez", None, "",
                "Minsk Industrial Trading Works", "Belarus National Technology Group"]
    queries = picked + variants + unlisted
    return queries + [queries[i] for i in rng.integers(0, len(queries), len(queries) // 4)]


def test_vectorised_assembly_equals_the_per_row_formulation(index):
    from bulkscreen.matching.explain import match_table as _match_table
    from bulkscreen.matching.match import _match_pieces, _row_evidence

    names = pa.array(mixed_queries(index, 120, seed=7), pa.string())
    rng = np.random.default_rng(8)
    n = len(names)
    evidence = _row_evidence(
        n, [[None, "CD", "KP", "FR", "ir"][i] for i in rng.integers(0, 5, n)],
        [[None, 1950, 1978, 1962][i] for i in rng.integers(0, 4, n)],
        [[None, "person", "organisation", "vessel"][i] for i in rng.integers(0, 4, n)])
    config = MatchConfig(hit_threshold=0.90, review_threshold=0.75, top_k=5)
    pieces = _match_pieces(index, names, config, evidence)
    expected = per_row_table(index, names, config, pieces)
    assert expected.num_rows >= 300
    assert len(set(expected.column("features").to_pylist())) >= 100
    assert any('"country":-' in f for f in expected.column("features").to_pylist())
    assert 0 < sum(expected.column("same_tokens").to_pylist()) < expected.num_rows
    assert any("only generic words or place names" in e
               for e in expected.column("explanation").to_pylist())
    assert _match_table(index, names, config, pieces).equals(expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(
    st.lists(st.sampled_from([0.0, -0.0, 1.0, 0.5, 0.885, 0.03125, 0.00015, 0.99995, 1e-05])
             | st.floats(0, 1, width=32), min_size=5, max_size=5),
    st.lists(st.sampled_from([0.0, 0.02, -0.05, 0.03, -0.1, -0.15, 0.05]) | st.floats(
        -0.25, 0.25, width=32), min_size=3, max_size=3)), min_size=1, max_size=40))
def test_detail_text_matches_json_dumps_of_rounded_values(rows):
    from bulkscreen.matching.explain import _detail_parts, _join
    from bulkscreen_kernels.scoring import EVIDENCE, FEATURES

    features = np.array([r[0] for r in rows], dtype=np.float32)
    deltas = np.array([r[1] for r in rows], dtype=np.float32)
    json_parts, text_parts = _detail_parts(features, deltas)
    for i, (got_json, got_text) in enumerate(zip(
            _join(*json_parts, skip_nulls=True).to_pylist(),
            _join(*text_parts, skip_nulls=True).to_pylist(), strict=True)):
        detail = {f: round(float(features[i, j]), 4) for j, f in enumerate(FEATURES)}
        detail.update({e: round(float(deltas[i, j]), 4) for j, e in enumerate(EVIDENCE)
                       if deltas[i, j] != 0})
        assert got_json == json.dumps(detail, separators=(",", ":"))
        assert got_text == ", ".join(f"{k} {v:+.2f}" if k in EVIDENCE else f"{k} {v:.2f}"
                                     for k, v in detail.items())


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    from bulkscreen.lists.records import Entry, entries_to_table

    entries = [
        Entry("1", "PIONEER", entity_type="organisation"),
        Entry("2", "Orion Heavy Machinery Works", entity_type="organisation",
              aliases=[("Orion Machinery", "weak", None)]),
        Entry("3", "Tianhe Precision Instruments", entity_type="organisation"),
    ]
    snapshot = entries_to_table("test-list", "2025-01-01", entries)
    return build_name_index([snapshot], cache_dir=tmp_path_factory.mktemp("small"))


def test_same_tokens_marks_only_matches_with_the_listed_tokens(small_index):
    config = MatchConfig(hit_threshold=0.90, review_threshold=0.70, top_k=3)
    queries = ["Precision Instruments Tianhe", "Tianhe Precision Instrument",
               "TIANHE PRECISION INSTRUMENTS"]
    result = match_names(small_index, queries, config).to_pylist()
    by_query = {r["query_pos"]: r for r in result if r["entry_id"] == "3"}
    assert by_query[0]["same_tokens"] and by_query[2]["same_tokens"]
    assert not by_query[1]["same_tokens"]


def test_one_word_names_and_weak_aliases_hit_only_when_exact(small_index):
    config = MatchConfig(hit_threshold=0.80, review_threshold=0.50, top_k=3)
    queries = ["Pioneer", "Pioneer Manufacturing LLC", "Orion Machinery Co",
               "Orion Machinery Trading"]
    result = match_names(small_index, queries, config).to_pylist()
    found = {(r["query_pos"], r["entry_id"]): r for r in result}
    assert found[(0, "1")]["is_hit"] and found[(0, "1")]["same_tokens"]
    assert found[(2, "2")]["is_hit"] and found[(2, "2")]["same_tokens"]  # "Co" is a legal form
    for key in ((1, "1"), (3, "2")):  # scores over the hit threshold, held in the review band
        assert found[key]["score"] >= config.hit_threshold
        assert not found[key]["is_hit"] and not found[key]["same_tokens"]
        assert "one-word list name or a weak alias" in found[key]["explanation"]
