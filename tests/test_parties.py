"""Name matching and party screening on real bundled lists: hits, bands, evidence, HITS rows."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from bulkscreen.columns import HITS
from bulkscreen.config import MatchConfig, RunConfig
from bulkscreen.errors import InputSchemaError
from bulkscreen.lists import load_snapshots
from bulkscreen.lists.name_index import build_name_index
from bulkscreen.screen.parties import MATCH_SCHEMA, match_names, screen_parties_batch

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
