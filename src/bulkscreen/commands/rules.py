"""``bulkscreen rules``: show the rule version in force and verify the bundled rule data."""

from __future__ import annotations

import datetime as dt

import click


@click.group("rules")
def rules_group() -> None:
    """Inspect and verify the control-list rules, destination groups and measures."""


_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _version(name: str | None):
    """Return the named rule version, or the newest (it carries every entry's dates)."""
    from bulkscreen.errors import Location, RuleDataError
    from bulkscreen.rules import rules_catalog

    catalog = rules_catalog()
    if name is None:
        return catalog[-1]
    for version in catalog:
        if version.version == name:
            return version
    raise RuleDataError(f"no rule version {name!r}", Location(file=str(catalog[0].path.parent)),
                        f"use one of {', '.join(v.version for v in catalog)}")


@rules_group.command("show")
@click.option("--as-of", "as_of", type=_DATE, default=None,
              help="Date to show the rules for (default: today).")
@click.option("--version", "version_name", default=None,
              help="Rule version folder (default: the newest, which dates every entry).")
def rules_show(as_of: dt.datetime | None, version_name: str | None) -> None:
    """Show the list of a day: destination groups, measures and control entries in force."""
    from bulkscreen.rules import compile_rules, load_rules
    from bulkscreen.rules.catalog import to_day
    from bulkscreen.screen.destinations import CountryCodes, destination_groups

    day = (as_of.date() if as_of else dt.date.today())
    version = _version(version_name)
    ruleset = load_rules(version.version)
    compiled = compile_rules(ruleset)
    click.echo(f"rules {version.regime}/{version.version} (sha256 {version.sha256}) as of {day}")
    import numpy as np
    import pyarrow as pa

    known = sorted({c for timeline in compiled.groups.values() for c in timeline.countries})
    days = np.full(len(known), to_day(day), dtype=np.int32)
    groups = destination_groups(compiled, CountryCodes.encode(pa.array(known)), days)
    labels = {"A": "group A (Appended Table 3)", "B": "group B",
              "D": "group D (Appended Tables 3-2 and 4)", "TABLE_3_2": "  Appended Table 3-2",
              "TABLE_4": "  Appended Table 4"}
    for name, label in labels.items():
        if name in groups:
            members = [c for c, member in zip(known, groups[name], strict=True) if member]
            click.echo(f"{label}: {' '.join(members) or '-'}")
    click.echo("measures in force:")
    for m in ruleset.measures:
        if m.from_date <= day and (m.to_date is None or day <= m.to_date):
            click.echo(f"  {m.id} [{m.reason}] from {m.from_date}: {m.title}")
    entries = [e for e in ruleset.entries if e.in_force(day)]
    click.echo(f"control entries in force: {len(entries)}")
    for e in entries:
        flag = " (verify)" if e.verify else ""
        ordinance = f" [ordinance {e.ordinance}]" if e.ordinance else ""
        dates = ""
        if e.valid_from or e.valid_to:
            dates = f" ({e.valid_from or '...'} to {e.valid_to or '...'})"
        click.echo(f"  row {e.row}{e.item} {e.reference}{ordinance}: {e.title}{dates}{flag}")


@rules_group.command("history")
@click.option("--version", "version_name", default=None,
              help="Rule version folder (default: the newest, which dates every entry).")
@click.option("--since", type=_DATE, default=None,
              help="Only changes on or after this day (default: all).")
def rules_history(version_name: str | None, since: dt.datetime | None) -> None:
    """List the dated control entries: each revision's first day and what it changed.

    Every entry with a valid_from or valid_to is listed under the day it begins or the day after
    it ends, so a threshold change shows its old and its new text under one date.
    """
    from bulkscreen.rules import load_rules

    version = _version(version_name)
    ruleset = load_rules(version.version)
    changes: dict[dt.date, list[str]] = {}
    for e in ruleset.entries:
        where = f"row {e.row}{e.item} {e.reference}" + (
            f" [ordinance {e.ordinance}]" if e.ordinance else "")
        if e.valid_from:
            changes.setdefault(e.valid_from, []).append(f"  + {e.id}: {where}: {e.title}")
        if e.valid_to:
            changes.setdefault(e.valid_to + dt.timedelta(days=1), []).append(
                f"  - {e.id}: {where}: {e.title} (last day {e.valid_to})")
    first = since.date() if since else dt.date.min
    days = sorted(d for d in changes if d >= first)
    click.echo(f"rules {version.regime}/{version.version}: {len(days)} revision days, "
               f"{sum(len(changes[d]) for d in days)} entry changes (+ enters, - leaves)")
    for day in days:
        click.echo(f"{day}:")
        for line in sorted(changes[day], key=lambda text: (text[2], text)):
            click.echo(line)


@rules_group.command("coverage")
@click.option("--as-of", "as_of", type=_DATE, default=None,
              help="Count only the entries in force on this date (default: all entries).")
@click.option("--version", "version_name", default=None,
              help="Rule version folder (default: the newest).")
@click.option("--missing", "show_missing", is_flag=True,
              help="List the ordinance references of the items not yet encoded.")
@click.option("--technology", "technology", is_flag=True,
              help="Count the technology list (ordinance Articles 15-27, Foreign Exchange "
                   "Order rows 2-15) instead of the goods.")
def rules_coverage(as_of: dt.datetime | None, version_name: str | None,
                   show_missing: bool, technology: bool) -> None:
    """Count the ordinance items of rows 2-15 the control list encodes.

    The items are read from the goods ordinance (Articles 1-14, or 15-27 with --technology)
    bundled with the version, down to the sub-items; an item is encoded with numbers when an
    entry tests a parameter for it, as REVIEW text when an entry quotes it as a condition.
    """
    from bulkscreen.rules.coverage import coverage, percent

    day = as_of.date() if as_of else None
    if technology:
        from bulkscreen.rules.technology import REGIME, load_technology

        rules = load_technology(version_name)
        name, part = f"{REGIME}/{rules.version}", "technology"
        what = "goods ordinance Articles 15-27 (Foreign Exchange Order Appended Table rows 2-15)"
    else:
        from bulkscreen.rules import load_rules

        version = _version(version_name)
        rules = load_rules(version.version)
        name, part = f"{version.regime}/{version.version}", "goods"
        what = "goods ordinance Articles 1-14 (Appended Table 1 rows 2-15)"
    result = coverage(rules, day, part=part)
    when = f" as of {day}" if day else ""
    click.echo(f"rules {name}{when}: {what}")
    click.echo(f"{'row':<5} {'found':>6} {'numbers':>8} {'review':>7} {'missing':>8} "
               f"{'has number':>11} {'number encoded':>15}")
    for r in result.rows:
        click.echo(f"{r.row:<5} {r.found:>6} {r.numbers:>8} {r.review:>7} "
                   f"{len(r.missing):>8} {r.with_number:>11} {r.with_number_encoded:>15}")
        if show_missing and r.missing:
            click.echo("      missing: " + " ".join(r.missing))
    for entry_id, ref in result.unknown_refs:
        click.echo(f"entry {entry_id}: ordinance reference {ref} is not in the text")
    click.echo(f"numbers: {result.with_number_encoded} of {result.with_number} items whose "
               f"text holds a number ({percent(result.with_number_encoded, result.with_number)})")
    click.echo(f"coverage: {result.encoded} of {result.found} items "
               f"({percent(result.encoded, result.found)})")


@rules_group.command("verify")
def rules_verify() -> None:
    """Load, validate and compile every bundled rule version; list values still to confirm."""
    from bulkscreen.rules import compile_rules, load_rules, rules_catalog

    for version in rules_catalog():
        ruleset = load_rules(version.version)
        compile_rules(ruleset)
        click.echo(f"ok {version.regime}/{version.version} sha256 {version.sha256}: "
                   f"{len(ruleset.entries)} entries, {len(ruleset.measures)} measures, "
                   f"{len(ruleset.verify_notes)} values marked verify")
        for note in ruleset.verify_notes:
            click.echo(f"  verify: {note}")
    from bulkscreen.rules.technology import REGIME, load_technology, technology_catalog

    for version in technology_catalog():
        tech = load_technology(version.version)
        marked = [e for e in tech.entries if e.verify]
        click.echo(f"ok {REGIME}/{version.version} sha256 {version.sha256}: "
                   f"{len(tech.entries)} entries, {len(marked)} marked verify")
        for entry in marked:
            click.echo(f"  verify: technology entry {entry.id}: {entry.note or 'to confirm'}")


@rules_group.command("draft")
@click.option("--version", "version_name", default=None,
              help="Rule version folder (default: the newest).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder to write the drafts to (default: the version folder).")
@click.option("--technology", "technology", is_flag=True,
              help="Draft the technology list (technology_list_row<NN>.toml) from Articles "
                   "15-27, with the regime numbers of regime_numbers.toml.")
def rules_draft(version_name: str | None, out_dir: str | None, technology: bool) -> None:
    """Draft REVIEW-text entries quoting every ordinance item no entry encodes yet.

    Writes control_list_row<NN>.toml (technology_list_row<NN>.toml with --technology), one
    entry per item number; review the drafts and commit them as data.
    """
    from pathlib import Path

    from bulkscreen.rules.draft import write_drafts
    from bulkscreen.rules.ordinance import load_ordinance

    if technology:
        from bulkscreen.rules.technology import load_technology, read_regime_numbers

        rules = load_technology(version_name)
        source = Path(rules.folder)
        ordinance, numbers = load_ordinance(source, "technology"), read_regime_numbers(source)
    else:
        from bulkscreen.rules import load_rules

        version = _version(version_name)
        rules, source = load_rules(version.version), version.path
        ordinance, numbers = load_ordinance(source), None
    folder = Path(out_dir) if out_dir else source
    folder.mkdir(parents=True, exist_ok=True)
    for path in write_drafts(rules, ordinance, folder, numbers):
        click.echo(f"wrote {path}")


COMMANDS = [rules_group]
