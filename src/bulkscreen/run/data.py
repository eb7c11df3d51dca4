"""The compiled data a screening run needs, loaded once: lists in force, name index, rules.

A run loads its lists (the versions in force on its date), compiles the name index (cached on
disk by content hash) and the rules, then passes this bundle to the pure per-batch jobs. The
bundle also describes itself for the run's spec and manifest: every list and rule version with
its sha256. An audit loads one bundle per list epoch, plus today's (:class:`AuditData`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from bulkscreen.config import RunConfig
from bulkscreen.errors import ConfigError
from bulkscreen.lists.name_index import NameIndex
from bulkscreen.matching.cache import MatchCache
from bulkscreen.rules.compile import CompiledRules

_EPOCH = dt.date(1970, 1, 1)


@dataclass
class ScreeningData:
    """Everything the per-batch functions read, compiled once per run (picklable)."""

    as_of: dt.date
    list_versions: list[dict[str, Any]]
    index: NameIndex
    rules: CompiledRules | None = None
    rule_versions: list[dict[str, Any]] = field(default_factory=list)
    algorithms: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    entry_notes: dict[tuple[str, str], str] = field(default_factory=dict)
    match_cache: MatchCache = field(default_factory=MatchCache)

    def spec_fields(self) -> dict[str, Any]:
        """The :class:`~bulkscreen.run.spec.RunSpec` fields this data decides: the date, the
        list and rule versions, the algorithms and the compile timings."""
        return {"as_of": self.as_of, "lists": tuple(self.list_versions),
                "rules": tuple(self.rule_versions), "algorithms": dict(self.algorithms),
                "extra": {"compile_seconds": dict(self.timings)}}


@dataclass
class AuditData:
    """Compiled data of an audit: one screening bundle per list epoch, plus today's."""

    today: ScreeningData
    epoch_starts: np.ndarray
    epochs: list[ScreeningData]

    def spec_fields(self) -> dict[str, Any]:
        """Today's spec fields, and every epoch's list versions under ``extra``."""
        fields = self.today.spec_fields()
        fields["extra"]["audit_epochs"] = [
            {"from": epoch.as_of.isoformat(), "lists": epoch.list_versions}
            for epoch in self.epochs]
        return fields


SAMPLE_MARK = "-sample"
"""List ids ending so are excerpts of a list, not the list: runs say so beside them."""


def _list_versions(snapshots: list[pa.Table], as_of: dt.date) -> list[dict[str, Any]]:
    """Each list version in use as the manifest records it, with its age on ``as_of``."""
    from bulkscreen.lists import bundled_catalog

    catalog = bundled_catalog()
    described = []
    for snapshot in snapshots:
        if snapshot.num_rows == 0:
            continue
        list_id = snapshot.column("list_id")[0].as_py()
        version = snapshot.column("list_version")[0].as_py()
        listed = catalog.get(list_id, version)
        described.append({
            "id": list_id, "list_id": list_id, "version": version,
            "entries": snapshot.num_rows, "sha256": listed.sha256,
            "effective_date": listed.effective_date.isoformat(),
            "age_days": (as_of - listed.effective_date).days,
            "sample": list_id.endswith(SAMPLE_MARK),
        })
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
    from bulkscreen.lists.name_index import build_name_index
    from bulkscreen.matching import ALGORITHM_ID
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
        list_versions=_list_versions(snapshots, as_of),
        index=index,
        algorithms={"party_names": ALGORITHM_ID, "normalization": NORMALIZATION_VERSION},
        timings=timings,
        match_cache=MatchCache(config.match_cache_queries, config.match_cache_mb << 20),
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


def list_epoch_starts(config: RunConfig) -> list[dt.date]:
    """Return the days on which the set of list versions in force changes."""
    from bulkscreen.lists import bundled_catalog

    catalog = bundled_catalog()
    list_ids = config.lists or catalog.default_list_ids()
    days = {version.effective_date for list_id in list_ids
            for version in catalog.versions(list_id)}
    return sorted(days)


def load_audit_data(config: RunConfig, today: dt.date) -> AuditData:
    """Compile today's lists and rules and one name index per list epoch."""
    today_data = load_screening_data(config, today, with_rules=True)
    starts = [day for day in list_epoch_starts(config) if day <= today]
    epochs = []
    today_versions = _version_keys(today_data)
    for start in starts:
        epoch = load_screening_data(config, start)
        epoch.rules = today_data.rules
        # One cache for every epoch (keyed by index), so the audit's memory has one bound.
        epoch.match_cache = today_data.match_cache
        if _version_keys(epoch) == today_versions:
            # The latest epoch holds today's lists: its lines and today's judgement share one
            # index, so each of their names is matched once.
            epoch.index = today_data.index
        epochs.append(epoch)
    start_days = np.array([(d - _EPOCH).days for d in starts], dtype=np.int32)
    return AuditData(today=today_data, epoch_starts=start_days, epochs=epochs)


def _version_keys(data: ScreeningData) -> list[tuple[str, str]]:
    return sorted((v["list_id"], v["version"]) for v in data.list_versions)


def _describe(version: Any) -> dict[str, Any]:
    if isinstance(version, dict):
        return version
    fields = ("regime", "version", "sha256", "effective_date")
    return {name: str(getattr(version, name)) for name in fields if hasattr(version, name)}
