"""The ``bulkscreen`` command line: a click group of thin commands.

Each command lives in ``bulkscreen.commands.<area>`` and imports its heavy dependencies
inside its body, so ``bulkscreen --help`` stays instant. Errors from the error tree are
printed with their location and fix, and the process exits with the error's code.
"""

from __future__ import annotations

import sys

import click

from bulkscreen import __version__
from bulkscreen.commands import COMMAND_MODULES
from bulkscreen.errors import BulkscreenError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bulkscreen")
def cli() -> None:
    """Batch screening for security export control.

    Exit codes: 0 done, 1 rows not CLEAR with --fail-on-hit, 2 usage error, 3 input error,
    4 list or rule data error, 5 configuration error, 6 internal or engine error.
    """


def _register() -> None:
    import importlib

    for module_name in COMMAND_MODULES:
        module = importlib.import_module(f"bulkscreen.commands.{module_name}")
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning tool errors into a clear message and their exit code."""
    try:
        cli.main(args=argv, prog_name="bulkscreen", standalone_mode=False)
    except BulkscreenError as exc:
        click.echo(f"error: {exc.render()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        # Ctrl-C that lands inside a compiled kernel comes back wrapped (numba raises
        # SystemError with the KeyboardInterrupt as its cause); it is still an interruption.
        if not _interrupted(exc):
            raise
        click.echo("aborted", err=True)
        sys.exit(130)


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` was caused, however indirectly, by a KeyboardInterrupt."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
