"""Rules as versioned data: control-list entries, destination groups, measures, catch-all.

``load_rules`` parses and validates one version folder of ``datasets/rules/<regime>/``;
``compile_rules`` turns it into flat arrays for the kernels; ``rules_catalog`` lists the
versions with their sha256 and ``rules_in_force`` picks the one for a date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bulkscreen.errors import Location, RuleDataError
from bulkscreen.rules.catalog import RuleVersion, rules_catalog, rules_in_force
from bulkscreen.rules.compile import CompiledRules, compile_rules
from bulkscreen.rules.model import RuleSet

__all__ = [
    "CompiledRules",
    "RuleSet",
    "RuleVersion",
    "compile_rules",
    "load_rules",
    "rules_catalog",
    "rules_in_force",
]


def load_rules(version: str | None = None, *, regime: str = "jp",
               root: Path | None = None) -> RuleSet:
    """Load, parse and validate one rule version.

    Parameters
    ----------
    version
        Version folder name (``'2025-10-09'``); None = the version in force today.
    regime
        Rule regime (``'jp'``).
    root
        Folder of version folders (default: the bundled data).

    Returns
    -------
    RuleSet
        The validated rules.

    Raises
    ------
    RuleDataError
        When the version does not exist or a rule file is malformed; the message names the
        file, the key and the fix.
    """
    from bulkscreen.rules.derived import DERIVED_FUNCTIONS
    from bulkscreen.rules.load import load_ruleset

    if version is None:
        chosen = rules_in_force(dt.date.today(), regime, root)
    else:
        by_name = {v.version: v for v in rules_catalog(regime, root)}
        if version not in by_name:
            raise RuleDataError(f"no rule version {version!r} for regime {regime!r}",
                                Location(file=str(next(iter(by_name.values())).path.parent)),
                                f"use one of {', '.join(sorted(by_name))}")
        chosen = by_name[version]
    ruleset = load_ruleset(chosen.path, regime, chosen.version, chosen.sha256)
    for name in ruleset.derived:
        if name not in DERIVED_FUNCTIONS:
            raise RuleDataError(
                f"derived parameter {name!r} has no implementation",
                Location(file=str(chosen.path / "control_list.toml"), column=f"derived.{name}"),
                f"implement it in bulkscreen.rules.derived or remove [derived.{name}]")
    return ruleset
