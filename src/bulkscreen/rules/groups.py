"""Destination-group members on a day, read from the rule version a run loads.

The deemed-export red flags ask which countries are in Group D (Appended Tables 3-2 and 4)
on the screening date; they read the same dated memberships as the shipment screen, parsed
from ``destinations.toml`` alone so that a persons run does not load the control list.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from bulkscreen.rules.model import Membership

TABLE_LABELS = {"TABLE_4": "Appended Table 4", "TABLE_3_2": "Appended Table 3-2"}


@lru_cache(maxsize=8)
def _memberships(regime: str, version: str) -> tuple[Membership, ...]:
    from bulkscreen.rules.catalog import rules_catalog
    from bulkscreen.rules.load import _destinations, _File

    folder = next(v.path for v in rules_catalog(regime) if v.version == version)
    return _destinations(_File(folder / "destinations.toml"))


@lru_cache(maxsize=8)
def _version_today(today: dt.date, regime: str) -> str:
    from bulkscreen.rules.catalog import rules_in_force

    return rules_in_force(today, regime).version


def group_d_tables(day: dt.date, regime: str = "jp") -> tuple[str, dict[str, str]]:
    """Return the rule version and the Group D countries on ``day`` with their tables.

    Parameters
    ----------
    day
        The screening date.
    regime
        Rule regime (``'jp'``).

    Returns
    -------
    version : str
        The rule version read (``'2025-10-09-r3'``).
    countries : dict
        ISO alpha-2 code -> the tables that list it that day (``'Appended Table 4 /
        Appended Table 3-2'``).
    """
    # The version in force today, as a run loads it: it dates every membership back to its
    # covers_from, so one version answers for every screening date.
    version = _version_today(dt.date.today(), regime)
    tables: dict[str, list[str]] = {}
    for m in _memberships(regime, version):
        if m.group not in TABLE_LABELS:
            continue
        if (m.from_date and day < m.from_date) or (m.to_date and day > m.to_date):
            continue
        for country in m.countries:
            tables.setdefault(country, []).append(TABLE_LABELS[m.group])
    return version, {c: " / ".join(sorted(set(t), reverse=True)) for c, t in tables.items()}
