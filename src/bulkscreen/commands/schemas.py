"""``bulkscreen schemas``: write or check the JSON Schemas generated from the column registry."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("schemas")
def schemas_group() -> None:
    """Write or check the JSON Schemas of every file format."""


@schemas_group.command("write")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default="schemas")
def schemas_write(folder: Path) -> None:
    """Write one versioned JSON Schema per file format into FOLDER."""
    from bulkscreen.schemas import write_schemas

    for path in write_schemas(folder):
        click.echo(f"wrote {path}")


COMMANDS = [schemas_group]
