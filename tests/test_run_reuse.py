"""Work a run does once and reuses: names matched once per run, items classified in chunks.

Both must give exactly the rows of doing the work afresh for every batch in one piece.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from cli_run import run_cli

from bulkscreen.columns import HITS, SHIPMENTS
from bulkscreen.config import RunConfig
from bulkscreen.io.readers import open_batches
from bulkscreen.matching.cache import MatchCache
from bulkscreen.matching.match import match_names
from bulkscreen.run.data import load_screening_data
from bulkscreen.run.jobs import SHIPMENT_PARTY_COLUMNS, screen_in_chunks
from bulkscreen.screen.parties import screen_parties_batch
from bulkscreen.screen.shipments import screen_shipments_batch

AS_OF = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def lines(tmp_path_factory) -> pa.RecordBatch:
    path = tmp_path_factory.mktemp("reuse") / "lines.parquet"
    assert run_cli("generate", "shipments", "--rows", "900", "--seed", "21", "--out", path,
                   "--listed-rate", "0.15", "--end-date", AS_OF.isoformat()) == 0
    return next(iter(open_batches(Path(path), SHIPMENTS, batch_size=1000)))


@pytest.fixture(scope="module")
def data():
    return load_screening_data(RunConfig(), AS_OF, with_rules=True)


def _sorted(table: pa.Table, keys: list[str]) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in keys])


def test_cached_matches_are_the_fresh_matches(lines, data):
    names = lines.column("consignee_name")
    countries = lines.column("consignee_country")
    config = RunConfig().match
    cache = MatchCache(max_queries=150)
    fresh = match_names(data.index, names, config, countries=countries)
    # Two passes over the same names in halves: the second pass is answered from the cache,
    # and the small bound forces evictions on the way.
    for _ in range(2):
        first = cache.match(data.index, names.slice(0, 450), config,
                            countries=countries.slice(0, 450))
        second = cache.match(data.index, names.slice(450), config,
                             countries=countries.slice(450))
    assert cache.hits > 0 and cache.evictions > 0 and len(cache) <= 150
    shifted = second.set_column(0, "query_pos",
                                pa.array([p + 450 for p in second.column("query_pos")
                                          .to_pylist()], pa.int32()))
    assert pa.concat_tables([first, shifted]).equals(fresh)


def test_chunked_item_checks_give_the_rows_of_one_pass(lines, data):
    config = RunConfig()
    party = pa.Table.from_batches([screen_parties_batch(
        lines, data.index, config, list(SHIPMENT_PARTY_COLUMNS), SHIPMENT_PARTY_COLUMNS,
        AS_OF)], schema=HITS.arrow_schema())
    whole = screen_shipments_batch(lines, data.rules, party, None)
    chunked = screen_in_chunks(screen_shipments_batch, lines, data.rules, party, None,
                               chunk_rows=128)
    assert chunked[0].equals(whole[0])
    keys = ["input_row", "finding", "reason_code", "rule_id", "list_id", "entry_id",
            "explanation"]
    assert _sorted(pa.Table.from_batches([chunked[1]]), keys).equals(
        _sorted(pa.Table.from_batches([whole[1]]), keys))


def test_cache_groups_queries_by_name_and_evidence(data):
    from bulkscreen.matching.cache import _distinct_positions

    names = pa.array(["Acme", "Acme", None, "Acme", None, "Bolt"])
    countries = pa.array(["IR", None, None, "IR", None, "IR"])
    first, inverse, last = _distinct_positions([names, countries, None, [1970] * 6])
    # Groups numbered by first appearance: (Acme, IR), (Acme, -), (-, -), (Bolt, IR).
    assert first.tolist() == [0, 1, 2, 5]
    assert inverse.tolist() == [0, 1, 2, 0, 2, 3]
    assert last.tolist() == [3, 1, 4, 5]


def test_repeated_queries_are_matched_once_and_kept_by_last_use(lines, data):
    config = RunConfig().match
    names = lines.column("consignee_name").slice(0, 40)
    countries = lines.column("consignee_country").slice(0, 40)
    # Every query three times over, the second copy with no country: each a query of its own.
    twice = pa.concat_arrays([names, names, names])
    evidence = pa.concat_arrays([countries, pa.nulls(40, pa.string()), countries])
    cache = MatchCache()
    got = cache.match(data.index, twice, config, countries=evidence)
    assert got.equals(match_names(data.index, twice, config, countries=evidence))
    distinct = {(n, c) for n, c in zip(twice.to_pylist(), evidence.to_pylist(), strict=True)}
    assert cache.misses == len(distinct) == len(cache) and cache.hits == 0
    # A second batch uses one of them last: it becomes the most recently used.
    cache.match(data.index, names.slice(5, 1), config, countries=countries.slice(5, 1))
    assert cache.hits == 1
    assert list(cache._store)[-1][1:3] == (names[5].as_py(), countries[5].as_py())
