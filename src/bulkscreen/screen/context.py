"""The compiled data a screening run needs, loaded once: lists in force, name index, rules.

A run loads its lists (the versions in force on its date), compiles the name index (cached on
disk by content hash) and the rules, then passes this bundle to the pure per-batch functions.
The bundle also describes itself for the manifest: every list and rule version with its sha256.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from bulkscreen.config import RunConfig
from bulkscreen.errors import ConfigError


@dataclass
class ScreeningData:
    """Everything the per-batch functions read, compiled once per run (picklable)."""

    as_of: dt.date
    list_versions: list[dict[str, Any]]
    index: Any
    rules: Any = None
    rule_versions: list[dict[str, Any]] = field(default_factory=list)
    algorithms: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    entry_notes: dict[tuple[str, str], str] = field(default_factory=dict)

    def manifest_extra(self) -> dict[str, Any]:
        """Return the manifest sections this data contributes (lists, rules, algorithms)."""
        return {
            "algorithms": dict(self.algorithms),
            "lists": list(self.list_versions),
            "rules": list(self.rule_versions),
            "as_of": self.as_of.isoformat(),
            "compile_seconds": dict(self.timings),
        }


def _list_versions(snapshots: list[pa.Table]) -> list[dict[str, Any]]:
    from bulkscreen.lists import bundled_catalog

    catalog = bundled_catalog()
    described = []
    for snapshot in snapshots:
        if snapshot.num_rows == 0:
            continue
        list_id = snapshot.column("list_id")[0].as_py()
        version = snapshot.column("list_version")[0].as_py()
        entry = {"list_id": list_id, "version": version, "entries": snapshot.num_rows}
        entry["sha256"] = catalog.get(list_id, version).sha256
        described.append(entry)
    return described


def check_list_ids(list_ids: list[str]) -> None:
    """Raise a ConfigError naming unknown list ids and the known ones."""
    from bulkscreen.lists import bundled_catalog

    known = set(bundled_catalog().list_ids())
    unknown = [list_id for list_id in list_ids if list_id not in known]
    if unknown:
        raise ConfigError(f"unknown list id(s): {', '.join(unknown)}",
                          hint=f"use one of: {', '.join(sorted(known))} "
                          "(see `bulkscreen lists show`)")


def load_screening_data(config: RunConfig, as_of: dt.date, with_rules: bool = False,
                        with_entry_notes: bool = False) -> ScreeningData:
    """Load the lists in force on ``as_of``, compile the name index and, if asked, the rules.

    Parameters
    ----------
    config
        Run configuration; ``config.lists`` selects lists (empty = every bundled list).
    as_of
        Date whose list versions (and rules) apply.
    with_rules
        Also load and compile the control-list and destination rules.
    with_entry_notes
        Also collect each entry's concern types or programmes, for person explanations.

    Returns
    -------
    ScreeningData
    """
    from bulkscreen.lists import load_snapshots
    from bulkscreen.lists.name_index import ALGORITHM_ID, build_name_index
    from bulkscreen.normalize import NORMALIZATION_VERSION

    timings: dict[str, float] = {}
    if config.lists:
        check_list_ids(config.lists)
    tick = time.perf_counter()
    snapshots = load_snapshots(config.lists or None, as_of=as_of)
    timings["load_lists"] = time.perf_counter() - tick
    tick = time.perf_counter()
    index = build_name_index(snapshots)
    timings["build_name_index"] = time.perf_counter() - tick
    data = ScreeningData(
        as_of=as_of,
        list_versions=_list_versions(snapshots),
        index=index,
        algorithms={"party_names": ALGORITHM_ID, "normalization": NORMALIZATION_VERSION},
        timings=timings,
    )
    if with_entry_notes:
        from bulkscreen.screen.persons import list_entry_notes

        data.entry_notes = list_entry_notes(snapshots)
    if with_rules:
        from bulkscreen.rules import compile_rules, load_rules, rules_catalog

        tick = time.perf_counter()
        ruleset = load_rules()
        data.rules = compile_rules(ruleset)
        data.rule_versions = [_describe(v) for v in rules_catalog()]
        timings["compile_rules"] = time.perf_counter() - tick
    return data


def _describe(version: Any) -> dict[str, Any]:
    if isinstance(version, dict):
        return version
    fields = ("regime", "version", "sha256", "effective_date")
    return {name: str(getattr(version, name)) for name in fields if hasattr(version, name)}
