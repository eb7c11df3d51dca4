"""Read one rule version folder (TOML files) into a validated :class:`RuleSet`.

Every problem raises :class:`~bulkscreen.errors.RuleDataError` naming the file, the line of
the offending entry where it can be found, the key, and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

from bulkscreen.errors import Location, RuleDataError
from bulkscreen.rules.law_text import appended_table, table_names
from bulkscreen.rules.model import (
    OPS,
    CatchAll,
    ControlEntry,
    Derived,
    Measure,
    Membership,
    Parameter,
    Requirement,
    RuleSet,
    SmallValue,
    Table33Item,
    Tree,
)
from bulkscreen.rules.units import UnitError, conversion

RULE_FILES = ("source", "control_list", "destinations", "measures", "catch_all", "exemptions")
GROUPS = ("A", "B", "D", "TABLE_4", "TABLE_3_2")
MEASURE_SCOPES = ("all", "controlled", "hs")
TRIGGERS = ("end_user_list", "wmd_end_use", "conventional_end_use")
REQUIREMENT_DESTINATIONS = ("outside_group_a", "table_3_2")
DECISIONS = ("REVIEW", "LICENSE_REQUIRED", "PROHIBITED")
_HS_RE = re.compile(r"^[0-9]{2,10}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class _File:
    """One TOML file of a rule version, with helpers that fail with a precise location."""

    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            raise RuleDataError(f"not valid TOML: {exc}", Location(file=str(path)),
                                "fix the syntax at the line named") from None

    def line_of(self, record_id: str | None) -> int | None:
        """Return the line where ``id = "<record_id>"`` is written, if any."""
        if not record_id:
            return None
        needle = re.compile(r'^\s*id\s*=\s*"' + re.escape(record_id) + '"', re.MULTILINE)
        match = needle.search(self.text)
        return self.text.count("\n", 0, match.start()) + 1 if match else None

    def fail(self, message: str, key: str, hint: str, record_id: str | None = None):
        raise RuleDataError(message, Location(file=str(self.path), column=key,
                                              line=self.line_of(record_id)), hint)

    def get(self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str,
            record_id: str | None = None, default: Any = ..., hint: str | None = None) -> Any:
        if key not in table:
            if default is not ...:
                return default
            self.fail(f"missing key {key!r}", f"{where}.{key}",
                      hint or f"add {key} = ... to {where}", record_id)
        value = table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            self.fail(f"{where}.{key} must be {_kind_name(kind)}, got {value!r}",
                      f"{where}.{key}", hint or f"write {key} as {_kind_name(kind)}", record_id)
        return value

    def strings(self, table, key, where, record_id=None, default=..., pattern=None,
                what="text") -> tuple[str, ...]:
        values = self.get(table, key, list, where, record_id, default)
        for value in values:
            if not isinstance(value, str) or (pattern is not None and not pattern.match(value)):
                self.fail(f"{where}.{key} holds {value!r}, not {what}", f"{where}.{key}",
                          f"write every element of {key} as {what}", record_id)
        return tuple(values)

    def date(self, table, key, where, record_id=None, required=False) -> dt.date | None:
        if key not in table:
            if required:
                self.fail(f"missing key {key!r}", f"{where}.{key}",
                          f"add {key} = \"YYYY-MM-DD\"", record_id)
            return None
        value = table[key]
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(f"{where}.{key} is not a date: {value!r}", f"{where}.{key}",
                  "write dates as \"YYYY-MM-DD\"", record_id)
        return None


def _as_tuple(kind) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind) -> str:
    names = {str: "text", int: "an integer", float: "a number", list: "a list",
             dict: "a table", bool: "true or false"}
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))


def load_ruleset(folder: Path, regime: str, version: str, sha256: str) -> RuleSet:
    """Parse and validate the rule files of one version folder.

    Parameters
    ----------
    folder
        The version folder holding the six TOML files.
    regime, version, sha256
        Identity of the version (from the catalog).

    Returns
    -------
    RuleSet
        The validated rules.

    Raises
    ------
    RuleDataError
        For a missing file or any malformed value, naming file, key and fix.
    """
    files: dict[str, _File] = {}
    for name in RULE_FILES:
        path = folder / f"{name}.toml"
        if not path.is_file():
            raise RuleDataError(f"rule file {path.name} is missing", Location(file=str(path)),
                                f"every rule version needs {', '.join(RULE_FILES)} (.toml)")
        files[name] = _File(path)

    source = files["source"]
    src = source.data
    title = source.get(src, "title", str, "source")
    covers_from = source.date(src, "covers_from", "source", required=True)
    parameters, derived, entries = _control_list(files["control_list"])
    for path in sorted(folder.glob("control_list_*.toml")):
        entries += _entries(_File(path), parameters, {e.id for e in entries})
    memberships = _destinations(files["destinations"])
    measures = _measures(files["measures"], parameters)
    catch_all = _catch_all(files["catch_all"])
    small_value = _small_value(files["exemptions"], {e.id for e in entries})
    verify_notes = tuple(
        [f"control entry {e.id}: {e.note or 'values to confirm'}" for e in entries if e.verify]
        + [f"destination group {m.group} {','.join(m.countries)}: {m.note or 'to confirm'}"
           for m in memberships if m.verify]
        + [f"measure {m.id}: {m.note or 'item list to confirm'}" for m in measures if m.verify]
    )
    return RuleSet(
        regime=regime, version=version, sha256=sha256, title=title, covers_from=covers_from,
        parameters=parameters, derived=derived, entries=entries, memberships=memberships,
        measures=measures, catch_all=catch_all, small_value=small_value,
        sources=tuple(src.get("source", [])), not_encoded=tuple(src.get("not_encoded", [])),
        verify_notes=verify_notes, folder=str(folder),
    )


def _control_list(f: _File) -> tuple[dict[str, Parameter], dict[str, Derived],
                                     tuple[ControlEntry, ...]]:
    parameters: dict[str, Parameter] = {}
    for name, spec in f.get(f.data, "parameter", dict, "control_list").items():
        where = f"parameter.{name}"
        if not isinstance(spec, dict):
            f.fail(f"{where} must be a table", where, f"write [parameter.{name}] with unit = ...")
        unit = f.get(spec, "unit", str, where)
        try:
            conversion(unit)
        except UnitError as exc:
            f.fail(f"{where}.unit: {exc}", f"{where}.unit",
                   "use a unit pint knows, e.g. 'um', 'MPa', 'MSPS', or '1' for counts")
        parameters[name] = Parameter(name, unit, f.get(spec, "meaning", str, where, default=""))

    derived: dict[str, Derived] = {}
    for name, spec in f.get(f.data, "derived", dict, "control_list", default={}).items():
        where = f"derived.{name}"
        inputs = f.strings(spec, "inputs", where)
        if name not in parameters:
            f.fail(f"derived parameter {name!r} is not in the parameter vocabulary", where,
                   f"add [parameter.{name}] with its unit")
        for item in inputs:
            if item not in parameters and item not in ("value_jpy", "quantity"):
                f.fail(f"{where}.inputs names unknown parameter {item!r}", f"{where}.inputs",
                       "declare it under [parameter.<name>]")
        derived[name] = Derived(name, inputs, f.get(spec, "formula", str, where))

    return parameters, derived, _entries(f, parameters, set())


def _entries(f: _File, parameters: dict[str, Parameter], seen: set[str]
             ) -> tuple[ControlEntry, ...]:
    """Parse the ``[[entry]]`` tables of one control-list file."""
    entries: list[ControlEntry] = []
    for index, spec in enumerate(f.get(f.data, "entry", list, f.path.stem)):
        where = f"entry[{index}]"
        entry_id = f.get(spec, "id", str, where)
        if entry_id in seen:
            f.fail(f"duplicate entry id {entry_id!r}", f"{where}.id",
                   "give every entry its own id; a correction goes into a new version folder",
                   entry_id)
        seen.add(entry_id)
        effect = f.get(spec, "effect", str, where, entry_id, default="licence")
        if effect not in ("licence", "review"):
            f.fail(f"{where}.effect is {effect!r}", f"{where}.effect",
                   "use effect = \"licence\" or \"review\"", entry_id)
        when = f.get(spec, "when", dict, where, entry_id)
        ordinance = f.get(spec, "ordinance", str, where, entry_id, default="")
        refs: list[tuple[str, bool]] = []
        tree = parse_tree(f, when, f"{where}.when", entry_id, parameters, refs)
        if ordinance:
            refs.insert(0, (ordinance, _has_test(tree)))
        valid_from = f.date(spec, "valid_from", where, entry_id)
        valid_to = f.date(spec, "valid_to", where, entry_id)
        if valid_from and valid_to and valid_to < valid_from:
            f.fail(f"{where}: valid_to {valid_to} is before valid_from {valid_from}",
                   f"{where}.valid_to", "swap or correct the dates", entry_id)
        entries.append(ControlEntry(
            id=entry_id,
            row=f.get(spec, "row", str, where, entry_id),
            item=f.get(spec, "item", str, where, entry_id, default=""),
            reference=f.get(spec, "reference", str, where, entry_id),
            title=f.get(spec, "title", str, where, entry_id),
            hs_prefixes=f.strings(spec, "hs_prefixes", where, entry_id, default=[],
                                  pattern=_HS_RE, what="an HS code prefix of 2-10 digits"),
            declared=f.strings(spec, "declared", where, entry_id, default=[]),
            tree=tree,
            effect=effect,
            verify=f.get(spec, "verify", bool, where, entry_id, default=False),
            note=f.get(spec, "note", str, where, entry_id, default=""),
            ordinance=ordinance,
            regime_number=f.get(spec, "regime_number", str, where, entry_id, default=""),
            quote=f.get(spec, "quote", str, where, entry_id, default=""),
            valid_from=valid_from, valid_to=valid_to,
            exclusions=f.strings(spec, "exclusions", where, entry_id, default=[]),
            refs=tuple(refs),
            source_file=f.path.name,
            cas=_cas_numbers(f, spec, where, entry_id),
        ))
    return tuple(entries)


_CAS_RE = re.compile(r"^([0-9]{2,7})-([0-9]{2})-([0-9])$")


def _cas_numbers(f: _File, spec: dict[str, Any], where: str, entry_id: str) -> tuple[str, ...]:
    """Read an entry's CAS numbers, refusing one whose check digit does not fit."""
    numbers = f.strings(spec, "cas", where, entry_id, default=[], pattern=_CAS_RE,
                        what="a CAS registry number (NNNNNNN-NN-N)")
    for number in numbers:
        head, middle, check = _CAS_RE.match(number).groups()
        digits = (head + middle)[::-1]
        if sum(i * int(d) for i, d in enumerate(digits, start=1)) % 10 != int(check):
            f.fail(f"{where}.cas {number} fails the CAS check digit", f"{where}.cas",
                   "copy the CAS number again from its source", entry_id)
    return numbers


def _has_test(tree: Tree) -> bool:
    if tree[0] == "test":
        return True
    return tree[0] in ("all", "any") and any(_has_test(child) for child in tree[1])


def parse_tree(f: _File, node: Any, where: str, record_id: str,
               parameters: dict[str, Parameter],
               refs: list[tuple[str, bool]] | None = None) -> Tree:
    """Parse one ``when`` / ``condition`` table into a tree tuple, expanding bands.

    A node may carry ``ref = "<ordinance reference>"``: the item of the text it encodes.
    Such references are appended to ``refs`` with whether a number decides the node.
    """
    if not isinstance(node, dict):
        f.fail(f"{where} must be a table", where, "write a test, all, any, band, condition or "
               "listed table", record_id)
    if "ref" in node:
        node = dict(node)
        ref = f.get(node, "ref", str, where, record_id)
        del node["ref"]
        tree = parse_tree(f, node, where, record_id, parameters, refs)
        if refs is not None:
            refs.append((ref, _has_test(tree)))
        return tree
    keys = set(node)
    if "all" in keys or "any" in keys:
        kind = "all" if "all" in keys else "any"
        children = f.get(node, kind, list, where, record_id)
        if not children:
            f.fail(f"{where}.{kind} is empty", f"{where}.{kind}", "give it at least one child",
                   record_id)
        return (kind, tuple(parse_tree(f, child, f"{where}.{kind}[{i}]", record_id, parameters,
                                       refs) for i, child in enumerate(children)))
    if "condition" in keys:
        return ("unknown", f.get(node, "condition", str, where, record_id))
    if "listed" in keys:
        return ("true", f.get(node, "listed", str, where, record_id))
    if "band" in keys:
        return _parse_band(f, node, where, record_id, parameters, refs)
    if "param" in keys:
        return _parse_test(f, node, where, record_id, parameters)
    f.fail(f"{where} is neither a test nor a combination: keys {sorted(keys)}", where,
           "use one of: param/op/value/unit, all, any, band/bands, condition, listed", record_id)
    raise AssertionError  # unreachable: fail raises


def _parse_test(f: _File, node, where, record_id, parameters) -> Tree:
    param = f.get(node, "param", str, where, record_id)
    if param not in parameters:
        f.fail(f"{where}.param names unknown parameter {param!r}", f"{where}.param",
               f"declare [parameter.{param}] in control_list.toml or fix the spelling", record_id)
    op = f.get(node, "op", str, where, record_id)
    if op not in OPS:
        f.fail(f"{where}.op is {op!r}", f"{where}.op", f"use one of {', '.join(OPS)}", record_id)
    value = f.get(node, "value", (int, float), where, record_id)
    unit = f.get(node, "unit", str, where, record_id, hint="give the threshold's unit, "
                 "'1' for counts")
    _check_unit(f, unit, parameters[param].unit, f"{where}.unit", record_id)
    return ("test", param, op, float(value), unit)


def _check_unit(f: _File, unit: str, expected: str, key: str, record_id: str) -> None:
    try:
        got, want = conversion(unit), conversion(expected)
    except UnitError as exc:
        f.fail(f"{key}: {exc}", key, "use a unit pint knows", record_id)
        return
    if got.dimensionality != want.dimensionality:
        f.fail(f"{key}: unit {unit!r} does not fit the parameter's unit {expected!r}", key,
               f"write the threshold in a unit of {want.dimensionality}", record_id)


def _parse_band(f: _File, node, where, record_id, parameters, refs=None) -> Tree:
    band_param = f.get(node, "band", str, where, record_id)
    if band_param not in parameters:
        f.fail(f"{where}.band names unknown parameter {band_param!r}", f"{where}.band",
               f"declare [parameter.{band_param}]", record_id)
    bands = f.get(node, "bands", list, where, record_id)
    options = []
    for i, band in enumerate(bands):
        bwhere = f"{where}.bands[{i}]"
        unit = f.get(band, "unit", str, bwhere, record_id)
        _check_unit(f, unit, parameters[band_param].unit, f"{bwhere}.unit", record_id)
        tests: list[Tree] = []
        if "from" in band:
            low = f.get(band, "from", (int, float), bwhere, record_id)
            tests.append(("test", band_param, ">=", float(low), unit))
        if "below" in band:
            high = f.get(band, "below", (int, float), bwhere, record_id)
            tests.append(("test", band_param, "<", float(high), unit))
        if not tests:
            f.fail(f"{bwhere} has neither from nor below", bwhere,
                   "give the band a range: from = <low>, below = <high>", record_id)
        tests.append(parse_tree(f, f.get(band, "test", dict, bwhere, record_id),
                                f"{bwhere}.test", record_id, parameters, refs))
        options.append(("all", tuple(tests)))
    return ("any", tuple(options))


def _destinations(f: _File) -> tuple[Membership, ...]:
    out = []
    spans: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
    for index, spec in enumerate(f.get(f.data, "membership", list, "destinations")):
        where = f"membership[{index}]"
        group = f.get(spec, "group", str, where)
        if group not in GROUPS:
            f.fail(f"{where}.group is {group!r}", f"{where}.group",
                   f"use one of {', '.join(GROUPS)} (group C is everything else)")
        countries = f.strings(spec, "countries", where, pattern=_COUNTRY_RE,
                              what="an ISO 3166-1 alpha-2 code in capitals")
        start = f.date(spec, "from", where)
        end = f.date(spec, "to", where)
        if start and end and end < start:
            f.fail(f"{where}: to {end} is before from {start}", f"{where}.to",
                   "swap or correct the dates")
        for country in countries:
            lo, hi = start or dt.date.min, end or dt.date.max
            for other_lo, other_hi in spans.setdefault((group, country), []):
                if lo <= other_hi and other_lo <= hi:
                    f.fail(f"{where}: {country} is in group {group} twice on overlapping dates",
                           f"{where}.countries", "make the date ranges of one country and group "
                           "disjoint")
            spans[(group, country)].append((lo, hi))
        table, names, source = _membership_quote(f, spec, where, index, countries)
        out.append(Membership(group, countries, start, end,
                              f.get(spec, "verify", bool, where, default=False),
                              f.get(spec, "note", str, where, default=""),
                              table=table, names=names, source=source))
    return tuple(out)


def _membership_quote(f: _File, spec: dict[str, Any], where: str, index: int,
                      countries: tuple[str, ...]) -> tuple[str, tuple[str, ...], str]:
    """Check that a membership's quoted names stand in the table of its source text."""
    table = f.get(spec, "table", str, where, default="")
    names = f.strings(spec, "names", where, default=[])
    source = f.get(spec, "source", str, where, default="")
    if not names:
        return table, names, source
    line = _nth_table_line(f, "membership", index)
    if len(names) != len(countries):
        raise RuleDataError(f"{where} has {len(countries)} countries but {len(names)} names",
                            Location(file=str(f.path), line=line, column=f"{where}.names"),
                            "give one name per country code, in the same order")
    path = f.path.parent / source
    if not table or not source or not path.is_file():
        raise RuleDataError(f"{where} quotes names without a table and an existing source file",
                            Location(file=str(f.path), line=line, column=f"{where}.source"),
                            "set table = \"別表第...\" and source = \"law/<file>.md\" of this "
                            "folder")
    section = appended_table(path, table)
    if section is None:
        raise RuleDataError(f"{where}: {source} has no table {table}",
                            Location(file=str(f.path), line=line, column=f"{where}.table"),
                            "name the table as the law text heads it, e.g. 別表第三の二")
    missing = [n for n in names if n not in table_names(section)]
    if missing:
        raise RuleDataError(f"{where}: {', '.join(missing)} not in {table} of {source}",
                            Location(file=str(f.path), line=line, column=f"{where}.names"),
                            "quote the names exactly as the table writes them, or cite the "
                            "revision excerpt that holds them")
    return table, names, source


def _nth_table_line(f: _File, name: str, index: int) -> int | None:
    """Return the line of the ``index``-th ``[[name]]`` header of a file, if any."""
    found = [m.start() for m in re.finditer(r"^\[\[" + re.escape(name) + r"\]\]", f.text,
                                             re.MULTILINE)]
    return f.text.count("\n", 0, found[index]) + 1 if index < len(found) else None


def _measures(f: _File, parameters: dict[str, Parameter]) -> tuple[Measure, ...]:
    out = []
    for index, spec in enumerate(f.get(f.data, "measure", list, "measures")):
        where = f"measure[{index}]"
        mid = f.get(spec, "id", str, where)
        scope = f.get(spec, "scope", str, where, mid)
        if scope not in MEASURE_SCOPES:
            f.fail(f"{where}.scope is {scope!r}", f"{where}.scope",
                   f"use one of {', '.join(MEASURE_SCOPES)}", mid)
        hs = f.strings(spec, "hs_prefixes", where, mid, default=[], pattern=_HS_RE,
                       what="an HS code prefix of 2-10 digits")
        if scope == "hs" and not hs:
            f.fail(f"{where} has scope 'hs' but no hs_prefixes", f"{where}.hs_prefixes",
                   "list the HS code prefixes the measure covers", mid)
        countries = f.strings(spec, "countries", where, mid, default=[], pattern=_COUNTRY_RE,
                              what="an ISO 3166-1 alpha-2 code in capitals")
        regions = f.strings(spec, "regions", where, mid, default=[])
        region_names = f.strings(spec, "region_names", where, mid, default=[])
        if not countries and not regions and not region_names:
            f.fail(f"{where} names no countries or regions", f"{where}.countries",
                   "add countries = [\"XX\"], regions = [\"XX-NN\"] or region_names", mid)
        decision = f.get(spec, "decision", str, where, mid, default="PROHIBITED")
        if decision not in ("PROHIBITED", "REVIEW"):
            f.fail(f"{where}.decision is {decision!r}", f"{where}.decision",
                   "use decision = \"PROHIBITED\" or \"REVIEW\"", mid)
        table, item, quote = _measure_quote(f, spec, where, mid)
        condition = None
        if "condition" in spec:
            condition = parse_tree(f, spec["condition"], f"{where}.condition", mid, parameters)
        out.append(Measure(
            id=mid, reason=f.get(spec, "reason", str, where, mid), scope=scope,
            countries=countries, regions=regions,
            region_names=region_names,
            from_date=f.date(spec, "from", where, mid, required=True),
            to_date=f.date(spec, "to", where, mid), hs_prefixes=hs, condition=condition,
            title=f.get(spec, "title", str, where, mid),
            legal_basis=f.get(spec, "legal_basis", str, where, mid, default=""),
            verify=f.get(spec, "verify", bool, where, mid, default=False),
            note=f.get(spec, "note", str, where, mid, default=""),
            table=table, item=item, quote=quote, decision=decision,
        ))
    return tuple(out)


ORDER_TEXT = "law/export-trade-control-order.md"


def _measure_quote(f: _File, spec: dict[str, Any], where: str, mid: str
                   ) -> tuple[str, str, str]:
    """Check that a measure's quote stands in the bundled order text (table or article)."""
    table = f.get(spec, "table", str, where, mid, default="")
    item = f.get(spec, "item", str, where, mid, default="")
    quote = f.get(spec, "quote", str, where, mid, default="")
    if not quote:
        return table, item, quote
    path = f.path.parent / ORDER_TEXT
    text = appended_table(path, table) if table else None
    if text is None and path.is_file():
        text = path.read_text(encoding="utf-8") if not table else None
    if text is None:
        f.fail(f"{where}: the order text {ORDER_TEXT} has no table {table!r}", f"{where}.table",
               "name the table as the order heads it (別表第二の三) and bundle the order text",
               mid)
    if quote not in text:
        f.fail(f"{where}.quote is not in {table or 'the text'} of {ORDER_TEXT}: {quote[:40]!r}",
               f"{where}.quote", "quote the item exactly as the order writes it", mid)
    return table, item, quote


def _catch_all(f: _File) -> CatchAll:
    row16 = f.get(f.data, "row16", dict, "catch_all")
    row16_1 = f.get(f.data, "row16_1", dict, "catch_all")
    end_use = f.get(f.data, "end_use", dict, "catch_all")
    requirements = []
    for index, spec in enumerate(f.get(f.data, "requirement", list, "catch_all")):
        where = f"requirement[{index}]"
        rid = f.get(spec, "id", str, where)
        trigger = f.get(spec, "trigger", str, where, rid)
        if trigger not in TRIGGERS:
            f.fail(f"{where}.trigger is {trigger!r}", f"{where}.trigger",
                   f"use one of {', '.join(TRIGGERS)}", rid)
        destinations = f.get(spec, "destinations", str, where, rid)
        if destinations not in REQUIREMENT_DESTINATIONS:
            f.fail(f"{where}.destinations is {destinations!r}", f"{where}.destinations",
                   f"use one of {', '.join(REQUIREMENT_DESTINATIONS)}", rid)
        hs_scope = f.get(spec, "hs_scope", str, where, rid, default=None)
        if hs_scope not in (None, "row16_1"):
            f.fail(f"{where}.hs_scope is {hs_scope!r}", f"{where}.hs_scope",
                   "use hs_scope = \"row16_1\" or leave it out", rid)
        decision = f.get(spec, "decision", str, where, rid, default="LICENSE_REQUIRED")
        if decision not in DECISIONS:
            f.fail(f"{where}.decision is {decision!r}", f"{where}.decision",
                   f"use one of {', '.join(DECISIONS)}", rid)
        requirements.append(Requirement(
            id=rid, reason=f.get(spec, "reason", str, where, rid), trigger=trigger,
            destinations=destinations, hs_scope=hs_scope,
            from_date=f.date(spec, "from", where, rid, required=True),
            to_date=f.date(spec, "to", where, rid), decision=decision,
            text=f.get(spec, "text", str, where, rid),
        ))
    return CatchAll(
        hs_chapters=f.strings(row16, "hs_chapters", "row16", pattern=re.compile(r"^[0-9]{2}$"),
                              what="a two-digit HS chapter"),
        row16_1_prefixes=f.strings(row16_1, "hs_prefixes", "row16_1", pattern=_HS_RE,
                                   what="an HS code prefix"),
        wmd_keywords=f.strings(end_use, "wmd_keywords", "end_use"),
        conventional_keywords=f.strings(end_use, "conventional_keywords", "end_use"),
        requirements=tuple(requirements),
        group_a_note=f.get(f.data.get("group_a", {}), "note", str, "group_a", default=""),
    )


def _small_value(f: _File, entry_ids: set[str]) -> SmallValue:
    spec = f.get(f.data, "small_value", dict, "exemptions")
    where = "small_value"
    entries = f.strings(spec, "table_3_3_entries", where, default=[])
    for entry_id in entries:
        if entry_id not in entry_ids:
            f.fail(f"{where}.table_3_3_entries names unknown entry {entry_id!r}",
                   f"{where}.table_3_3_entries", "use ids of entries in control_list.toml")
    return SmallValue(
        rows=f.strings(spec, "rows", where),
        limit_jpy=float(f.get(spec, "limit_jpy", (int, float), where)),
        table_3_3_limit_jpy=float(f.get(spec, "table_3_3_limit_jpy", (int, float), where)),
        table_3_3_rows=f.strings(spec, "table_3_3_rows", where, default=[]),
        table_3_3_entries=entries,
        never_countries=f.strings(spec, "never_countries", where, pattern=_COUNTRY_RE,
                                  what="an ISO 3166-1 alpha-2 code"),
        not_when_concern_outside_group_a=f.get(spec, "not_when_concern_outside_group_a", bool,
                                               where, default=True),
        from_date=f.date(spec, "from", where, required=True),
        legal_basis=f.get(spec, "legal_basis", str, where, default=""),
        table_3_3=_table_3_3(f, spec),
    )


def _table_3_3(f: _File, spec: dict[str, Any]) -> tuple[Table33Item, ...]:
    """Read the dated Appended Table 3-3 records, each quoting the table of its source."""
    out = []
    for index, item in enumerate(f.get(spec, "table_3_3_item", list, "small_value", default=[])):
        where = f"small_value.table_3_3_item[{index}]"
        quote = f.get(item, "quote", str, where)
        source = f.get(item, "source", str, where)
        section = (appended_table(f.path.parent / source, "別表第三の三")
                   if (f.path.parent / source).is_file() else None)
        if section is None or quote not in section:
            f.fail(f"{where}.quote {quote!r} is not in 別表第三の三 of {source}", f"{where}.quote",
                   "quote the table exactly, from a law text of this folder that holds it")
        start, end = f.date(item, "from", where), f.date(item, "to", where)
        out.append(Table33Item(
            row=f.get(item, "row", str, where),
            items=f.strings(item, "items", where, default=[]),
            notified=f.get(item, "notified", bool, where),
            from_date=start, to_date=end, quote=quote, source=source))
    return tuple(out)
