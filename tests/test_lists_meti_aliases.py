"""METI entity lists: the 'a.k.a., the following N aliases:' preamble is never taken for a name."""

from __future__ import annotations

import re

import pytest

from bulkscreen.lists import load_snapshot

PREAMBLE = re.compile(r"follow(?:ing)?\s+\S+\s+alias|aliases\s*:", re.IGNORECASE)


@pytest.mark.parametrize("list_id", ["jp-meti-ru-tokutei", "jp-meti-by-tokutei",
                                     "jp-meti-third-country-tokutei"])
def test_no_alias_is_the_alias_preamble(list_id):
    entries = load_snapshot(list_id).to_pylist()
    preambles = [(e["entry_id"], a["name"]) for e in entries for a in e["aliases"]
                 if PREAMBLE.search(a["name"])]
    assert preambles == []


def test_wrapped_preamble_keeps_the_real_aliases():
    entries = {e["entry_id"]: e for e in load_snapshot("jp-meti-ru-tokutei", "2025-09-12")
               .to_pylist()}
    names = [a["name"] for a in entries["12"]["aliases"]]
    assert "Russian Quantum Center" in names and "RQC" in names
