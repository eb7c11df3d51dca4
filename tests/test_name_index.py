"""The compiled name index: content-hash cache, pickling, postings that cover every name."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from bulkscreen.lists import load_snapshots
from bulkscreen.lists.name_index import (
    NameIndex,
    birth_year,
    build_name_index,
    content_key,
    country_code,
)
from bulkscreen.matching.algorithm import ALGORITHM_ID

LISTS = ["jp-meti-by-tokutei", "us-csl-sample"]


@pytest.fixture(scope="module")
def snapshots():
    return load_snapshots(LISTS)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("name-index")


@pytest.fixture(scope="module")
def index(snapshots, cache_dir) -> NameIndex:
    return build_name_index(snapshots, cache_dir=cache_dir)


def test_second_build_loads_the_same_arrays_from_the_cache(snapshots, cache_dir, index):
    assert not index.from_cache
    assert index.algorithm_id == ALGORITHM_ID
    again = build_name_index(snapshots, cache_dir=cache_dir)
    assert again.from_cache and again.key == index.key
    assert again.names.equals(index.names)
    assert sorted(again.arrays) == sorted(index.arrays)
    for name, array in index.arrays.items():
        np.testing.assert_array_equal(again.arrays[name], array, err_msg=name)


def test_changed_list_content_gets_a_new_key(snapshots):
    trimmed = [snapshots[0].slice(1), *snapshots[1:]]
    assert content_key(trimmed) != content_key(snapshots)
    assert content_key(list(snapshots)) == content_key(snapshots)


def test_unreadable_cache_file_is_rebuilt(snapshots, tmp_path):
    first = build_name_index(snapshots, cache_dir=tmp_path)
    (cached,) = tmp_path.glob("*.npz")
    cached.write_bytes(b"not an index")
    rebuilt = build_name_index(snapshots, cache_dir=tmp_path)
    assert not rebuilt.from_cache
    assert rebuilt.names.equals(first.names)


def test_index_pickles_small_and_whole(index):
    payload = pickle.dumps(index)
    clone = pickle.loads(payload)
    assert clone.key == index.key and clone.n_names == index.n_names
    assert len(payload) < 2 * index.nbytes() + 100_000


def test_every_name_is_in_the_postings_of_its_keys(index):
    a = index.arrays
    post_ptr, post_names = a["post_ptr"], a["post_names"]
    n_keys = post_ptr.shape[0] - 1
    owners = np.repeat(np.arange(n_keys), np.diff(post_ptr))
    keys_of = {}
    for key, name in zip(owners.tolist(), post_names.tolist(), strict=True):
        keys_of.setdefault(name, set()).add(key)
    assert set(keys_of) == set(range(index.n_names))
    # Each name's postings weight is its Dice denominator.
    weights = np.array([a["key_idf"][sorted(keys_of[n])].sum() for n in range(index.n_names)])
    np.testing.assert_allclose(weights, a["name_weight"], rtol=1e-5)


def test_names_map_to_their_entries_and_evidence(index):
    names = index.names.to_pylist()
    entry = index.arrays["name_entry"]
    assert len(names) == entry.shape[0]
    # Names of the same (list, version, entry) share one entry id and no other.
    seen = {}
    for row, e in zip(names, entry.tolist(), strict=True):
        key = (row["list_id"], row["list_version"], row["entry_id"])
        assert seen.setdefault(key, e) == e
    assert len(set(seen.values())) == len(seen) == index.n_entries
    assert all(row["match_text"] and "  " not in row["match_text"] for row in names)


@pytest.mark.parametrize(("text", "expected"), [
    ("JP", 9 * 26 + 15), ("jp", 9 * 26 + 15), ("JPN", -1), ("", -1), (None, -1), ("1A", -1)])
def test_country_code(text, expected):
    assert country_code(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("1971", 1971), ("1978-04-28", 1978), ("1965-03", 1965), ("circa 1960", 0), ("19711", 0),
    (None, 0)])
def test_birth_year(text, expected):
    assert birth_year(text) == expected
