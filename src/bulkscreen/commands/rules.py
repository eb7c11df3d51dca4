"""``bulkscreen rules``: show the rule version in force and verify the bundled rule data."""

from __future__ import annotations

import datetime as dt

import click


@click.group("rules")
def rules_group() -> None:
    """Inspect and verify the control-list rules, destination groups and measures."""


@rules_group.command("show")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date to show the rules for (default: today).")
def rules_show(as_of: dt.datetime | None) -> None:
    """Show the rule version in force on a date, its groups, measures and entries."""
    from bulkscreen.rules import compile_rules, load_rules, rules_in_force
    from bulkscreen.rules.catalog import to_day
    from bulkscreen.screen.destinations import CountryCodes, destination_groups

    day = (as_of.date() if as_of else dt.date.today())
    version = rules_in_force(day)
    ruleset = load_rules(version.version)
    compiled = compile_rules(ruleset)
    click.echo(f"rules {version.regime}/{version.version} (sha256 {version.sha256}) as of {day}")
    import numpy as np
    import pyarrow as pa

    known = sorted({c for timeline in compiled.groups.values() for c in timeline.countries})
    days = np.full(len(known), to_day(day), dtype=np.int32)
    groups = destination_groups(compiled, CountryCodes.encode(pa.array(known)), days)
    for name in ("A", "B", "D"):
        members = [c for c, member in zip(known, groups[name], strict=True) if member]
        click.echo(f"group {name}: {' '.join(members) or '-'}")
    click.echo("measures in force:")
    for m in ruleset.measures:
        if m.from_date <= day and (m.to_date is None or day <= m.to_date):
            click.echo(f"  {m.id} [{m.reason}] from {m.from_date}: {m.title}")
    click.echo(f"control entries: {len(ruleset.entries)}")
    for e in ruleset.entries:
        flag = " (verify)" if e.verify else ""
        click.echo(f"  row {e.row}{e.item} {e.reference}: {e.title}{flag}")


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


COMMANDS = [rules_group]
