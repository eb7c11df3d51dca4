"""Shared data for the name-matching benchmarks: the full bundled lists and query sets.

Plain functions (usable from the benchmark scripts' ``__main__`` mode) plus session fixtures.
Every random choice comes from a seeded ``numpy.random.Generator``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pytest

SEED = 20260227
TRAIN_SEED = SEED + 1
"""Seed of the training query sets (weights are fitted on them, never on the test sets)."""


def entry_split(list_id: str, entry_id: str) -> str:
    """``train`` or ``test``: a fixed half of the list entries each, by hash of the key.

    Weights are fitted on queries whose true entry is in ``train``; the accuracy benchmark
    reports on ``test`` entries only, so no reported figure comes from a fitted-on entry.
    """
    digest = hashlib.sha256(f"{list_id}\0{entry_id}".encode()).digest()
    return "train" if digest[0] % 2 == 0 else "test"


@dataclass(frozen=True)
class Queries:
    """Query names with the list entry each should find (None: not listed)."""

    names: list[str]
    truth: list[tuple[str, str] | None]  # (list_id, entry_id)
    kinds: list[str]
    targets: list[tuple[str, str]] = field(default_factory=list)
    """Per query, the list name it was made from or held out against, and its entity type:
    the true pair of a pairwise comparison."""


def full_flat_names() -> pa.Table:
    """Every name (primary and aliases) of the latest version of every bundled list."""
    from bulkscreen.lists import flatten_names, load_snapshots

    return pa.concat_tables([flatten_names(s) for s in load_snapshots()])


def unlisted_names(n: int, rng: np.random.Generator, listed_texts: set[str]) -> list[str]:
    """Distinct generated company and person names (half each) whose normalised form is not
    listed.

    Generic generated names sometimes *are* listed ("Allied Trading Co.", "Ali KARIMI" for
    "KARIMI, Ali"); those collisions (the same tokens in any order) are real matches, not
    false positives, and are left out. Each name counts once: a name drawn again in other
    capitals or with another legal form ("Youssef HASSAN", "YOUSSEF HASSAN"; "Alpha Trading
    Ltd", "Alpha Trading Inc.") has the same tokens, and is left out too.
    """
    from bulkscreen.lists.name_index import match_tokens
    from bulkscreen.normalize import normalize_names
    from bulkscreen.tools.generate.geography import ALL_CODES
    from bulkscreen.tools.generate.names import company_name_pools, person_name_pools

    listed_token_sets = {" ".join(sorted(text.split())) for text in listed_texts}
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        countries = rng.integers(0, len(ALL_CODES), n)
        drawn = (company_name_pools().draw(countries, rng).to_pylist()
                 + person_name_pools().draw(countries, rng).full_name.to_pylist())
        rng.shuffle(drawn)
        for name, norm in zip(drawn, normalize_names(drawn), strict=True):
            tokens = match_tokens(norm)
            key = " ".join(sorted(tokens))
            if tokens and key not in listed_token_sets and key not in seen:
                seen.add(key)
                out.append(name)
    return out[:n]


def unlisted_script_names(n: int, rng: np.random.Generator, listed_texts: set[str]
                          ) -> tuple[list[str], list[str], list[str]]:
    """Generated person names written in their own script, none of them listed: ``n``, or
    every distinct one the pools can make when they make fewer.

    The names are the native-script forms of the generators' person pools (Han, kana and
    kanji, Hangul, Cyrillic, Arabic and Persian, Devanagari, Bengali, Thai), drawn evenly over
    the countries that have them. A name whose normalised tokens (transliterated), or those
    of its romanised form in the pools, are a listed name's in any order (``何静`` is ``HE,
    Jing``, ``علی کریمی`` is ``KARIMI, Ali``) is left out, as in :func:`unlisted_names`.

    Returns
    -------
    names, scripts, romanised : list of str
        The names, the dominant script of each (ISO 15924: ``Hani``, ``Arab`` ...), and the
        romanised form the pools give each (``علی کریمی``: ``Ali Karimi``).
    """
    from bulkscreen.lists.name_index import match_tokens
    from bulkscreen.normalize import normalize_names
    from bulkscreen.normalize.chars import dominant_script
    from bulkscreen.tools.generate.geography import ALL_CODES
    from bulkscreen.tools.generate.names import person_name_pools

    pools = person_name_pools()
    with_native = np.array([i for i, code in enumerate(ALL_CODES) if code in NATIVE_COUNTRIES])
    listed_token_sets = {" ".join(sorted(text.split())) for text in listed_texts}
    out: list[str] = []
    romanised: list[str] = []
    seen: set[str] = set()
    # The pools hold a few thousand distinct native names: stop when a draw finds no new one.
    while len(out) < n:
        people = pools.draw(rng.choice(with_native, n), rng, native_rate=1.0)
        pairs = [(native, latin) for native, latin in zip(
            people.native_alias.to_pylist(), people.full_name.to_pylist(), strict=True)
            if native and native not in seen]
        if not pairs:
            break
        natives = [native for native, _ in pairs]
        latins = normalize_names([latin for _, latin in pairs])
        for (name, written), norm, latin in zip(pairs, normalize_names(natives), latins,
                                                strict=True):
            if name in seen:
                continue
            seen.add(name)
            tokens = match_tokens(norm)
            # The name in either script: علی کریمی is Ali Karimi, listed as KARIMI, Ali.
            if tokens and not any(" ".join(sorted(t)) in listed_token_sets
                                  for t in (tokens, match_tokens(latin))):
                out.append(name)
                romanised.append(written)
    out = out[:n]
    return out, [dominant_script(name) for name in out], romanised[:n]


NATIVE_COUNTRIES = ("CN", "TW", "JP", "KR", "RU", "UA", "IR", "EG", "PK", "IN", "BD", "TH")
"""Countries whose pooled person names have a native-script form."""


def variant_queries(flat: pa.Table, per_kind: int, rng: np.random.Generator,
                    split: str | None = None) -> Queries:
    """Generated variants (typo, token order, ...) of randomly chosen list names.

    With ``split`` (``train`` or ``test``), only names of that half of the entries are used.
    """
    from bulkscreen.tools.generate.variants import VARIANT_KINDS, make_variant

    rows = flat.select(["list_id", "entry_id", "entity_type", "name"]).to_pylist()
    if split is not None:
        rows = [r for r in rows if entry_split(r["list_id"], r["entry_id"]) == split]
    names, truth, kinds, targets = [], [], [], []
    for kind in VARIANT_KINDS:
        made = 0
        for i in rng.permutation(len(rows)):
            row = rows[i]
            entity = row["entity_type"] if row["entity_type"] in ("person",
                                                                   "organisation") else None
            variant = make_variant(row["name"], kind, rng, entity_type=entity)
            if variant is None or variant == row["name"]:
                continue
            names.append(variant)
            truth.append((row["list_id"], row["entry_id"]))
            kinds.append(kind)
            targets.append((row["name"], row["entity_type"]))
            made += 1
            if made == per_kind:
                break
    return Queries(names, truth, kinds, targets)


@pytest.fixture(scope="session")
def flat_names() -> pa.Table:
    return full_flat_names()


@pytest.fixture(scope="session")
def full_index():
    from bulkscreen.lists import load_snapshots
    from bulkscreen.lists.name_index import build_name_index

    return build_name_index(load_snapshots())
