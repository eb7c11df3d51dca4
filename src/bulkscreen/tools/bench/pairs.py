"""Build the labelled name pairs of the accuracy benchmark from the bundled real lists.

Four sources of pairs, all from pinned list versions so a rebuild is byte-identical:

- ``list_alias`` (match): two names of the same entry, both written by the list's publisher
  (an alias against another alias or the primary name; across scripts where the list gives
  an original-script name). Weak aliases (the UN's "low quality" a.k.a.) are left out.
- one kind per ``VARIANT_KINDS`` (match): a list name against a variant of it made by
  :func:`bulkscreen.tools.generate.variants.make_variant`.
- ``hard_negative`` (no match): a list name against the most similar name of a *different*
  entry of the same list (cosine of character 3-gram TF-IDF vectors, a measure none of the
  benchmarked scorers uses). Pairs whose names are equal but for case, spaces and
  punctuation are left out: no name matcher can tell them apart.
- ``random_negative`` (no match): two names of different entries drawn at random.

The TF-IDF neighbour search needs the ``bench`` extra (scikit-learn).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from bulkscreen.columns import LABELLED_PAIRS

PAIRS_VERSION = "v2"
PAIRS_FILE = "pairs.parquet"
SOURCE_FILE = "source.toml"
DEFAULT_SEED = 20251001
NEGATIVE_KINDS = ("hard_negative", "random_negative")

LIST_GROUPS: dict[str, dict[str, str]] = {
    "eul": {"jp-meti-eul": "2025-09-29"},
    "meti_tokutei": {"jp-meti-ru-tokutei": "2025-09-12",
                     "jp-meti-third-country-tokutei": "2025-09-12",
                     "jp-meti-by-tokutei": "2022-07-05"},
    "un": {"un-consolidated": "2026-02-27"},
    "ofac": {"us-ofac-sdn": "2025-12-24", "us-ofac-consolidated": "2025-12-19"},
}
"""Pinned list versions the pairs come from, grouped so each group gets the same quotas."""


@dataclass(frozen=True)
class PairQuotas:
    """Pairs wanted per list group and kind (fewer when a group runs out of candidates)."""

    list_alias: int = 300
    per_variant_kind: int = 60
    hard_negative: int = 250
    random_negative: int = 200


@dataclass(frozen=True)
class _Name:
    list_id: str
    entry_id: str
    name: str
    alias_kind: str
    entity_type: str
    plain: str


def labelled_pairs_dir() -> Path:
    """Folder of the shipped labelled pairs (``datasets/labelled_pairs/v2``)."""
    from bulkscreen._data import datasets_dir

    return datasets_dir() / "labelled_pairs" / PAIRS_VERSION


def hand_made_pairs_path() -> Path:
    """The hand-made pairs (``datasets/reference/name_pairs/v1/pairs.csv``; see its README)."""
    from bulkscreen._data import datasets_dir

    return datasets_dir() / "reference" / "name_pairs" / "v1" / "pairs.csv"


def shipped_pairs_path() -> Path:
    """The shipped ``pairs.parquet``."""
    return labelled_pairs_dir() / PAIRS_FILE


def _plain(name: str) -> str:
    """Letters and digits only, case-folded: equal plain forms are the same written name.

    Kept independent of the matcher's normaliser, so a change there does not change the
    shipped pairs.
    """
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _group_names(versions: dict[str, str]) -> list[_Name]:
    from bulkscreen.lists import flatten_names, load_snapshot

    names: list[_Name] = []
    for list_id, version in versions.items():
        flat = flatten_names(load_snapshot(list_id, version))
        for r in flat.select(["list_id", "entry_id", "name", "alias_kind",
                              "entity_type"]).to_pylist():
            plain = _plain(r["name"])
            if plain:
                names.append(_Name(r["list_id"], r["entry_id"], r["name"].strip(),
                                   r["alias_kind"] or "primary", r["entity_type"] or "unknown",
                                   plain))
    return names


def _by_entry(names: list[_Name]) -> dict[tuple[str, str], list[_Name]]:
    entries: dict[tuple[str, str], list[_Name]] = {}
    for name in names:
        entries.setdefault((name.list_id, name.entry_id), []).append(name)
    return entries


def _alias_pairs(names: list[_Name], quota: int, rng: np.random.Generator
                 ) -> list[tuple[str, str]]:
    entries = [group for group in _by_entry([n for n in names if n.alias_kind != "weak"]
                                            ).values() if len(group) >= 2]
    pairs: list[tuple[str, str]] = []
    for i in rng.permutation(len(entries)):
        group = entries[int(i)]
        a, b = rng.choice(len(group), size=2, replace=False)
        query, listed = group[int(a)].name, group[int(b)].name
        if group[int(a)].plain == group[int(b)].plain:
            continue
        pairs.append((query, listed))
        if len(pairs) == quota:
            break
    return pairs


def _variant_pairs(names: list[_Name], kind: str, quota: int, rng: np.random.Generator
                   ) -> list[tuple[str, str]]:
    from bulkscreen.tools.generate.variants import make_variant

    pairs: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for i in rng.permutation(len(names)):
        listed = names[int(i)]
        variant = make_variant(listed.name, kind, rng, entity_type=listed.entity_type)
        if variant is None or (variant, listed.name) in seen:
            continue
        seen.add((variant, listed.name))
        pairs.append((variant, listed.name))
        if len(pairs) == quota:
            break
    return pairs


def _tfidf_rows(texts: list[str]):
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        raise ImportError("building labelled pairs needs scikit-learn: "
                          "pip install 'bulkscreen[bench]'") from None
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), lowercase=True,
                                 dtype=np.float32)
    return vectorizer.fit_transform(texts)


def _hard_negative_pairs(names: list[_Name], quota: int, rng: np.random.Generator,
                         block: int = 64) -> list[tuple[str, str]]:
    """Each sampled name against its most similar name among the other entries of its list."""
    pairs: list[tuple[str, str]] = []
    for list_id in sorted({n.list_id for n in names}):
        pool = [n for n in names if n.list_id == list_id]
        if len(pool) < 2:
            continue
        share = max(1, round(quota * len(pool) / len(names)))
        vectors = _tfidf_rows([n.name for n in pool])
        order = rng.permutation(len(pool))
        found = 0
        for start in range(0, len(order), block):
            queries = order[start:start + block]
            similarity = (vectors[queries] @ vectors.T).toarray()
            for row, q in enumerate(queries):
                query = pool[int(q)]
                for j in np.argsort(-similarity[row], kind="stable")[:20]:
                    other = pool[int(j)]
                    if other.entry_id == query.entry_id or other.plain == query.plain:
                        continue
                    pairs.append((query.name, other.name))
                    found += 1
                    break
                if found == share:
                    break
            if found == share:
                break
    return pairs[:quota]


def _random_negative_pairs(names: list[_Name], everyone: list[_Name], quota: int,
                           rng: np.random.Generator) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for _ in range(quota * 4):
        query = names[int(rng.integers(len(names)))]
        other = everyone[int(rng.integers(len(everyone)))]
        if ((query.list_id, query.entry_id) == (other.list_id, other.entry_id)
                or query.plain == other.plain):
            continue
        pairs.append((query.name, other.name))
        if len(pairs) == quota:
            break
    return pairs


def build_labelled_pairs(seed: int = DEFAULT_SEED, quotas: PairQuotas | None = None,
                         groups: dict[str, dict[str, str]] | None = None) -> pa.Table:
    """Build the labelled pairs from the bundled lists.

    Parameters
    ----------
    seed
        Seed of every random choice; the same seed and list versions give the same table.
    quotas
        Pairs per list group and kind (default :class:`PairQuotas`).
    groups
        List group -> {list id: version} (default :data:`LIST_GROUPS`).

    Returns
    -------
    pyarrow.Table
        ``LABELLED_PAIRS`` schema (name_a is the query, name_b the list name), ordered by
        kind in a fixed order, then by list group.
    """
    from bulkscreen.tools.generate.variants import VARIANT_KINDS

    quotas = quotas or PairQuotas()
    groups = groups or LIST_GROUPS
    rng = np.random.default_rng(seed)
    group_names = {group: _group_names(versions) for group, versions in groups.items()}
    everyone = [n for names in group_names.values() for n in names]
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for names in group_names.values():
        by_kind.setdefault("list_alias", []).extend(
            _alias_pairs(names, quotas.list_alias, rng))
        for kind in VARIANT_KINDS:
            by_kind.setdefault(kind, []).extend(
                _variant_pairs(names, kind, quotas.per_variant_kind, rng))
        by_kind.setdefault("hard_negative", []).extend(
            _hard_negative_pairs(names, quotas.hard_negative, rng))
        by_kind.setdefault("random_negative", []).extend(
            _random_negative_pairs(names, everyone, quotas.random_negative, rng))
    rows = [(a, b, kind not in NEGATIVE_KINDS, kind) for kind, pairs in by_kind.items()
            for a, b in pairs]
    return pa.table({
        "name_a": pa.array([r[0] for r in rows], pa.string()),
        "name_b": pa.array([r[1] for r in rows], pa.string()),
        "is_match": pa.array([r[2] for r in rows], pa.bool_()),
        "kind": pa.array([r[3] for r in rows], pa.string()),
    }, schema=LABELLED_PAIRS.arrow_schema())


def write_labelled_pairs(table: pa.Table, out: Path, seed: int,
                         groups: dict[str, dict[str, str]] | None = None) -> Path:
    """Write ``pairs.parquet`` and its ``source.toml`` record beside it.

    Parameters
    ----------
    table
        Pairs from :func:`build_labelled_pairs`.
    out
        The Parquet file to write.
    seed
        The seed they were built with (recorded).
    groups
        The list versions they were built from (recorded; default :data:`LIST_GROUPS`).

    Returns
    -------
    pathlib.Path
        The ``source.toml`` written.
    """
    import pyarrow.parquet as pq
    import tomli_w

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out, compression="zstd", compression_level=19)
    counts = kind_counts(table.column("kind").to_pylist())
    record = {
        "table": {"id": "labelled_pairs", "version": PAIRS_VERSION, "file": out.name,
                  "schema": f"labelled_pairs.v{LABELLED_PAIRS.version}.json",
                  "rows": table.num_rows, "sha256": _sha256(out)},
        "built_by": {"command": f"bulkscreen bench pairs --out {out.name} --seed {seed}",
                     "module": "bulkscreen.tools.bench.pairs", "seed": seed},
        "lists": {lid: version for versions in (groups or LIST_GROUPS).values()
                  for lid, version in versions.items()},
        "counts": counts,
        "semantics": {
            "name_a": "the query (an alias, or a variant of a list name)",
            "name_b": "the list name as published",
            "list_alias": "two names of the same list entry, both as published (weak "
                          "aliases and names equal but for case and punctuation left out)",
            "variants": "typo, token_order, dropped_part, transliteration, legal_form, "
                        "homoglyph: bulkscreen.tools.generate.variants.make_variant of a list name",
            "dropped_part": "a middle name left out; a FAMILY, Given Middle name keeps its "
                            "family and first given name (since v2)",
            "hard_negative": "a list name and the most similar name (character 3-gram "
                             "TF-IDF cosine) of another entry of the same list; names "
                             "equal but for case, spaces and punctuation left out",
            "random_negative": "names of two different entries drawn at random",
        },
    }
    source = out.with_name(SOURCE_FILE)
    header = ("# Labelled name pairs of the matcher accuracy benchmark, built from the bundled "
              "real lists.\n")
    source.write_text(header + tomli_w.dumps(record), encoding="utf-8")
    return source


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def kind_counts(kinds: Iterable[str]) -> dict[str, int]:
    """Pairs per kind, in first-seen order."""
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    return counts
