"""Lookups derived from a name index, kept on disk beside it: the same as built, built once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkscreen.matching.extra_rows import KeyedIds, PerIndexCache, StoredForm


@dataclass
class _Index:
    key: str
    cache_path: Path | None


def _stored() -> StoredForm[KeyedIds]:
    return StoredForm("test", save=lambda found: found.to_arrays("x_"),
                      load=lambda arrays: KeyedIds.from_arrays(arrays, "x_"))


def _as_dict(lookup: KeyedIds) -> dict[str, list[int]]:
    return {key: lookup[key].tolist() for key in lookup}


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.text(min_size=0, max_size=6),
                       st.lists(st.integers(0, 10**9), max_size=5), max_size=20))
def test_keyed_ids_read_like_the_dict_and_round_trip(groups):
    lookup = KeyedIds.of(groups)
    assert list(lookup) == list(groups) and len(lookup) == len(groups)
    assert _as_dict(lookup) == groups
    assert all(lookup[key].dtype == np.int64 for key in lookup)
    assert "\0absent" not in lookup
    back = KeyedIds.from_arrays(lookup.to_arrays("x_"), "x_")
    assert _as_dict(back) == groups and list(back) == list(groups)


def test_a_stored_lookup_is_loaded_not_rebuilt(tmp_path):
    calls = []

    def build(index):
        calls.append(index.key)
        return KeyedIds.of({"omar": [3, 7], "أحمد": [1], "": []})

    index = _Index("k1", tmp_path / "name-index" / "party-names-k1.npz")
    first = PerIndexCache(build, stored=_stored()).get(index)
    path = PerIndexCache(build, stored=_stored()).stored_path(index)
    assert path is not None and path.exists() and path.parent == index.cache_path.parent
    again = PerIndexCache(build, stored=_stored()).get(index)  # a later run: a fresh cache
    assert calls == ["k1"]
    assert _as_dict(again) == _as_dict(first)

    path.write_bytes(b"not an npz")  # unreadable: built again and overwritten
    assert _as_dict(PerIndexCache(build, stored=_stored()).get(index)) == _as_dict(first)
    assert calls == ["k1", "k1"]
    PerIndexCache(build, stored=_stored()).get(index)
    assert calls == ["k1", "k1"]


def test_an_index_without_a_cache_file_keeps_its_lookup_in_memory(tmp_path):
    calls = []

    def build(index):
        calls.append(index.key)
        return KeyedIds.of({"a": [1]})

    index = _Index("k2", None)
    cache = PerIndexCache(build, stored=_stored())
    assert cache.stored_path(index) is None
    cache.get(index)
    cache.get(index)
    PerIndexCache(build, stored=_stored()).get(index)
    assert calls == ["k2", "k2"]
    assert not any(tmp_path.iterdir())
