"""Run the command line in this process, as the console script does, for the tests."""

from __future__ import annotations

from bulkscreen.cli import main


def run_cli(*args: object) -> int:
    """Run ``bulkscreen ARGS`` in-process and return its exit code."""
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        if isinstance(exc.code, int) or exc.code is None:
            return int(exc.code or 0)
        return 1
    return 0
