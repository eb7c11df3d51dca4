"""One error tree. Each error says what is wrong, where (file, row, column) and how to fix it.

Every error carries the process exit code the CLI returns for it, so scripts can tell
a bad input file from a bad list file from a bad configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

# Exit codes, documented in the README. 2 is click's own code for usage errors.
EXIT_OK = 0
EXIT_HITS_FOUND = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_DATA = 4
EXIT_CONFIG = 5
EXIT_INTERNAL = 6


@dataclass(frozen=True)
class Location:
    """Where a problem is: any of file, row (1-based data row), column and line."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


class BulkscreenError(Exception):
    """Base of every error the tool reports to a user.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    where
        Where it is wrong, if known.
    hint
        How to fix it.
    """

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, where: Location | None = None, hint: str | None = None):
        self.message = message
        self.where = where or Location()
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """Return the full human-readable text: what, where, and the fix."""
        text = self.message
        where = str(self.where)
        if where:
            text = f"{where}: {text}"
        if self.hint:
            text = f"{text}\n  fix: {self.hint}"
        return text


class InputError(BulkscreenError):
    """The input file cannot be read as a whole (missing, empty, wrong format, truncated)."""

    exit_code = EXIT_INPUT


class InputSchemaError(InputError):
    """The input's columns do not fit the expected schema (missing or unknown column)."""


class InputEncodingError(InputError):
    """The input's text encoding is wrong or could not be detected."""


class ListDataError(BulkscreenError):
    """A restricted-party list file is malformed or its catalog entry does not match."""

    exit_code = EXIT_DATA


class RuleDataError(BulkscreenError):
    """A rule file (control list, destination groups, measures) is malformed."""

    exit_code = EXIT_DATA


class ConfigError(BulkscreenError):
    """The run configuration (TOML, flags, environment) is invalid."""

    exit_code = EXIT_CONFIG


class OutputError(BulkscreenError):
    """Results could not be written (target exists, disk full, interrupted)."""

    exit_code = EXIT_INPUT


class EngineError(BulkscreenError):
    """An execution engine failed and the run cannot guarantee complete results."""

    exit_code = EXIT_INTERNAL
