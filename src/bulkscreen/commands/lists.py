"""``bulkscreen lists``: import, show, verify and diff restricted-party list versions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from bulkscreen.lists.catalog import Catalog


@click.group("lists")
def lists_group() -> None:
    """Restricted-party lists: versions, sources, snapshots and what changed."""


def _catalog(data_dir: Path | None) -> Catalog:
    from bulkscreen.lists.catalog import Catalog, bundled_catalog

    return Catalog.from_dir(data_dir) if data_dir else bundled_catalog()


_DATA_DIR = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
                         default=None, help="Folder of <list-id>/<version>/ (default: the "
                         "bundled lists and your own: $BULKSCREEN_LISTS_DIR, else lists/ in "
                         "the user data folder).")


@lists_group.command("show")
@click.argument("list_id", required=False)
@click.option("--version", "version", default=None, help="Version to show (default: latest).")
@click.option("--limit", default=5, show_default=True, help="Entries to print.")
@_DATA_DIR
def show(list_id: str | None, version: str | None, limit: int, data_dir: Path | None) -> None:
    """List every list and version, or show one version's source and first entries."""
    from bulkscreen.lists.snapshot import snapshot_for

    catalog = _catalog(data_dir)
    if list_id is None:
        for lid in catalog.list_ids():
            versions = catalog.versions(lid)
            screened = "" if versions[-1].default_screening else "  (not screened by default)"
            click.echo(f"{lid}: {', '.join(v.version for v in versions)}{screened}")
        return
    entry = catalog.get(list_id, version)
    table = snapshot_for(entry, catalog)
    aliases = sum(len(a) for a in table.column("aliases").to_pylist())
    click.echo(f"{entry.key}  {entry.title}")
    click.echo(f"  publisher: {entry.publisher}\n  licence:   {entry.licence}")
    click.echo(f"  origin:    {entry.origin}\n  effective: {entry.effective_date}")
    click.echo(f"  sha256:    {entry.sha256}\n  format:    {entry.format}")
    if entry.notes:
        click.echo(f"  notes:     {entry.notes}")
    click.echo(f"  entries:   {table.num_rows}  aliases: {aliases}")
    for row in table.slice(0, limit).to_pylist():
        names = ", ".join(a["name"] for a in row["aliases"][:3])
        click.echo(f"  {row['entry_id']}: {row['primary_name']} [{row['entity_type']}]"
                   + (f" aka {names}" if names else ""))


@lists_group.command("verify")
@click.option("--import/--no-import", "do_import", default=False,
              help="Also import every version, to check that each file parses.")
@_DATA_DIR
def verify(do_import: bool, data_dir: Path | None) -> None:
    """Check every list file against the sha256 in its source.toml (exit 4 on a mismatch)."""
    from bulkscreen.errors import ListDataError, Location
    from bulkscreen.lists.snapshot import build_snapshot

    catalog = _catalog(data_dir)
    problems = catalog.verify()
    for problem in problems:
        click.echo(f"FAIL {problem}", err=True)
    if problems:
        raise ListDataError(f"{len(problems)} list file(s) do not match their source record",
                            Location(file=str(catalog.root)),
                            hint="restore the files, or add a new version with its own "
                            "source.toml (versions are immutable)")
    count = 0
    for list_id in catalog.list_ids():
        for version in catalog.versions(list_id):
            count += 1
            if do_import:
                table = build_snapshot(version, catalog)
                click.echo(f"ok {version.key}: {table.num_rows} entries")
    click.echo(f"ok: {count} versions of {len(catalog.list_ids())} lists match their sha256")


@lists_group.command("diff")
@click.argument("list_id")
@click.argument("old_version")
@click.argument("new_version")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every change to this Parquet file.")
@click.option("--limit", default=20, show_default=True, help="Changes to print.")
@_DATA_DIR
def diff(list_id: str, old_version: str, new_version: str, out: Path | None, limit: int,
         data_dir: Path | None) -> None:
    """Entries added, removed and changed between two versions of a list."""
    import pyarrow.compute as pc

    from bulkscreen.lists.diff import diff_snapshots
    from bulkscreen.lists.snapshot import snapshot_for, write_parquet_atomic

    catalog = _catalog(data_dir)
    old = snapshot_for(catalog.get(list_id, old_version), catalog)
    new = snapshot_for(catalog.get(list_id, new_version), catalog)
    changes = diff_snapshots(old, new)
    counts = {kind: pc.sum(pc.equal(changes.column("change"), kind)).as_py() or 0
              for kind in ("added", "removed", "changed")}
    click.echo(f"{list_id} {old_version} ({old.num_rows} entries) -> {new_version} "
               f"({new.num_rows} entries): {counts['added']} added, {counts['removed']} "
               f"removed, {counts['changed']} changed")
    for row in changes.slice(0, limit).to_pylist():
        click.echo(f"  {row['change']:8s} {row['entry_id']}: {row['detail'][:160]}")
    if out is not None:
        write_parquet_atomic(changes, out)
        click.echo(f"wrote {changes.num_rows} changes to {out}")


@lists_group.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--list-id", required=True, help="List id, e.g. 'acme-internal-denied'.")
@click.option("--version", "version", required=True, help="Version: its effective date.")
@click.option("--format", "fmt", default="user-table", show_default=True,
              help="Importer format (see `source.toml` of the bundled lists).")
@click.option("--map", "column_map", multiple=True, metavar="COLUMN=SOURCE",
              help="For user-table: snapshot column = file column (repeat).")
@click.option("--publisher", default="user", show_default=True)
@click.option("--title", default=None)
@click.option("--origin", default="supplied by the user", show_default=True)
@click.option("--licence", default="internal", show_default=True)
@click.option("--replace", is_flag=True, help="Replace an existing version folder.")
@_DATA_DIR
def import_list(files: tuple[Path, ...], list_id: str, version: str, fmt: str,
                column_map: tuple[str, ...], publisher: str, title: str | None, origin: str,
                licence: str, replace: bool, data_dir: Path | None) -> None:
    """Add a list version: copy FILES, write source.toml, import to check, then publish.

    Nothing half-imported replaces a good version: the folder is built under a temporary
    name and renamed only after the import succeeds. The version goes into --data-dir, else
    the first folder of $BULKSCREEN_LISTS_DIR, else lists/ in the user data folder
    ($BULKSCREEN_DATA_DIR or the platform's), never into the installed package.
    """
    from bulkscreen.errors import ConfigError
    from bulkscreen.lists.catalog import import_root, refresh_catalog
    from bulkscreen.lists.versions import publish_version

    mapping = {}
    for item in column_map:
        target, sep, source = item.partition("=")
        if not sep:
            raise ConfigError(f"--map {item!r} is not COLUMN=SOURCE",
                              hint="e.g. --map primary_name=Company")
        mapping[target.strip()] = source.strip()
    root = import_root(data_dir)
    version_dir, table = publish_version(
        root, list_id, version, files, fmt=fmt, column_map=mapping, replace=replace,
        metadata={"publisher": publisher, "title": title or f"{list_id} {version}",
                  "origin": origin, "licence": licence})
    refresh_catalog()
    click.echo(f"imported {list_id}/{version}: {table.num_rows} entries -> {version_dir}")


COMMANDS: list = [lists_group]
