"""The technology list: Foreign Exchange Order Appended Table rows 1-15 as versioned data.

A version is a folder ``datasets/rules/jp-technology/<YYYY-MM-DD>[-rN]/`` holding
``source.toml`` (title, ``covers_from``, the law text's source and sha256), the entries in
``technology_list.toml`` (written by hand: technology the Order defines itself) and
``technology_list_row<NN>.toml`` (drafted from the ordinance's Articles 15-27 by
``bulkscreen rules draft --technology``), ``regime_numbers.toml`` (the regime number of each
item number, the input of the drafts) and ``law/goods-ordinance.md``. Entries have the shape of
the goods list's (:class:`~bulkscreen.rules.model.ControlEntry`): row, item, ordinance
reference, regime number, verbatim quote, and a tree of REVIEW conditions quoting the items.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bulkscreen.errors import Location, RuleDataError
from bulkscreen.rules.catalog import RuleVersion, rules_catalog, rules_in_force, rules_root
from bulkscreen.rules.model import ControlEntry

REGIME = "jp-technology"
SOURCE_FILE = "source.toml"
ENTRY_GLOB = "technology_list*.toml"
REGIME_NUMBERS_FILE = "regime_numbers.toml"
ROWS = (*(str(n) for n in range(1, 16)), "3-2")


@dataclass(frozen=True)
class TechnologyList:
    """One validated version of the technology list."""

    version: str
    sha256: str
    title: str
    covers_from: dt.date
    entries: tuple[ControlEntry, ...]
    folder: str
    sources: tuple[dict[str, str], ...] = ()
    not_encoded: tuple[dict[str, str], ...] = ()

    @property
    def rule_version(self) -> str:
        """Version string recorded in findings: ``jp-technology/<version>``."""
        return f"{REGIME}/{self.version}"

    def on(self, day: dt.date) -> tuple[ControlEntry, ...]:
        """The entries in force on ``day``."""
        return tuple(e for e in self.entries if e.in_force(day))


def technology_catalog(root: Path | None = None) -> list[RuleVersion]:
    """Return the bundled technology list versions, oldest first, with their sha256."""
    return rules_catalog(REGIME, root or rules_root(REGIME))


def load_technology(version: str | None = None, as_of: dt.date | None = None,
                    root: Path | None = None) -> TechnologyList:
    """Load and validate one version of the technology list.

    Parameters
    ----------
    version
        Version folder name; None picks the version in force on ``as_of``.
    as_of
        Screening date (default today); dates before the first version get the first, whose
        entries carry their own dates.
    root
        Folder of version folders (default: the bundled data).

    Returns
    -------
    TechnologyList

    Raises
    ------
    RuleDataError
        When the version does not exist or a file is malformed; the message names the file,
        the key and the fix.
    """
    from bulkscreen.rules.load import _entries, _File

    root = root or rules_root(REGIME)
    if version is None:
        chosen = rules_in_force(as_of or dt.date.today(), REGIME, root)
    else:
        by_name = {v.version: v for v in technology_catalog(root)}
        if version not in by_name:
            raise RuleDataError(f"no technology list version {version!r}",
                                Location(file=str(root)), f"use one of {', '.join(by_name)}")
        chosen = by_name[version]
    folder = chosen.path
    source_path = folder / SOURCE_FILE
    if not source_path.is_file():
        raise RuleDataError(f"{SOURCE_FILE} is missing", Location(file=str(source_path)),
                            "every technology list version needs source.toml")
    source = _File(source_path)
    title = source.get(source.data, "title", str, "source")
    covers_from = source.date(source.data, "covers_from", "source", required=True)
    entries: tuple[ControlEntry, ...] = ()
    for path in sorted(folder.glob(ENTRY_GLOB)):
        entries += _entries(_File(path), {}, {e.id for e in entries})
    if not entries:
        raise RuleDataError("no technology entries", Location(file=str(folder)),
                            "add technology_list*.toml files with [[entry]] tables")
    for entry in entries:
        if entry.row not in ROWS:
            raise RuleDataError(f"entry {entry.id}: row {entry.row!r} is not a row 1-15",
                                Location(file=str(folder / entry.source_file), column="row"),
                                f"use one of {', '.join(ROWS)}")
    return TechnologyList(
        version=chosen.version, sha256=chosen.sha256, title=title, covers_from=covers_from,
        entries=entries, folder=str(folder),
        sources=tuple(source.data.get("source", [])),
        not_encoded=tuple(source.data.get("not_encoded", [])))


@dataclass(frozen=True)
class RegimeNumbers:
    """``regime_numbers.toml``: the regime number of each item number, and whether to verify."""

    numbers: dict[str, str]
    verify: bool = False


def read_regime_numbers(folder: Path) -> RegimeNumbers:
    """Read ``regime_numbers.toml``: ordinance reference of an item number -> regime number."""
    path = folder / REGIME_NUMBERS_FILE
    if not path.is_file():
        return RegimeNumbers({})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleDataError(f"not valid TOML: {exc}", Location(file=str(path)),
                            "fix the syntax at the line named") from None
    numbers = data.get("numbers", {})
    if not isinstance(numbers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in numbers.items()):
        raise RuleDataError("[numbers] must map ordinance references to regime numbers",
                            Location(file=str(path), column="numbers"),
                            'write e.g. "22-p1.1" = "6E001"')
    return RegimeNumbers(dict(numbers), data.get("verify") is True)
