"""Locate bundled data (datasets/ and schemas/) in a source checkout or an installed wheel."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _package_dir(name: str, checkout_folder: str) -> Path:
    """Return the folder of bundled data, preferring the installed copy."""
    try:
        path = Path(str(resources.files(f"bulkscreen._data.{name}")))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    # Running from a source checkout without installation.
    return Path(__file__).resolve().parents[3] / checkout_folder


def datasets_dir() -> Path:
    """Return the root of the bundled ``datasets/`` folder."""
    return _package_dir("datasets", "datasets")


def schemas_dir() -> Path:
    """Return the folder of the bundled JSON Schemas."""
    return _package_dir("schemas", "schemas")
