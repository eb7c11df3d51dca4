"""Locate bundled data (datasets/ and schemas/) in an installed wheel or a source checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _package_dir(name: str) -> Path:
    """Return the folder of bundled data, preferring the installed copy beside this file."""
    installed = _HERE / name
    if installed.is_dir():
        return installed
    # A source checkout keeps datasets/ and schemas/ at the repository root.
    return _HERE.parents[2] / name


def datasets_dir() -> Path:
    """Return the root of the bundled ``datasets/`` folder."""
    return _package_dir("datasets")


def schemas_dir() -> Path:
    """Return the folder of the bundled JSON Schemas."""
    return _package_dir("schemas")
