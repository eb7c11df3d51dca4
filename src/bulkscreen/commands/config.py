"""``bulkscreen config``: write and check run configuration files."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("config")
def config_group() -> None:
    """Write and check run configuration files."""


@config_group.command("init")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="bulkscreen.toml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def config_init(path: Path, force: bool) -> None:
    """Write a commented configuration template to PATH (default bulkscreen.toml)."""
    from bulkscreen.config import config_template
    from bulkscreen.errors import ConfigError, Location
    from bulkscreen.io.paths import check_no_nul

    check_no_nul(path, "configuration file")
    if path.exists() and not force:
        raise ConfigError("file exists", Location(file=str(path)), "pass --force to overwrite")
    try:
        path.write_text(config_template(), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the file ({exc.strerror})", Location(file=str(path)),
                          "write it into an existing folder you may write to") from None
    click.echo(f"wrote {path}")


@config_group.command("show")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
def config_show(config_path: Path | None) -> None:
    """Print the resolved configuration (file + environment) and its hash."""
    import json

    from bulkscreen.config import load_config

    config = load_config(config_path)
    click.echo(json.dumps(config.model_dump(mode="json"), indent=2))
    click.echo(f"config_hash = {config.hash()}")


COMMANDS = [config_group]
