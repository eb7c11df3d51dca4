"""Hostile and careless input: shared folders, a small list of hostile names, CLI helpers.

Every test here runs against a user data folder and a cache folder of the session's own, so
nothing is written into the home folder or the installed package, and reruns start clean.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from bulkscreen.cli import main
from bulkscreen.lists.catalog import refresh_catalog

try:  # the input format of `screen parties`, where the run layer keeps it
    from bulkscreen.run.screening import parties_table
except ImportError:
    from bulkscreen.screen.jobs import parties_table

__all__ = ["parties_table"]

LIST_ID = "hostile-denied"
"""A small user list, so every screening run here builds its index in moments."""

LIST_ROWS = [
    ("H-1", "Hanshin Dual Use Trading Co Ltd", "HK"),
    ("H-2", "<script>alert(1)</script> Export Bureau", "IR"),
    ("H-3", "=HYPERLINK(\"http://x.invalid\",\"click\") Holdings", "IQ"),
    ("H-4", "+Plus Minus Machinery", "SY"),
    ("H-5", "@Sum Precision Works", "KP"),
    ("H-6", "-Dash Optics Company", "RU"),
]


@pytest.fixture(scope="package")
def hostile_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Point the user data and cache folders at folders of this package's tests and import the
    small list; both are undone after the package, so later tests see the bundled lists only."""
    from bulkscreen.lists.versions import publish_version

    base = tmp_path_factory.mktemp("hostile-env")
    saved = {k: os.environ.get(k) for k in ("BULKSCREEN_DATA_DIR", "BULKSCREEN_CACHE_DIR",
                                            "BULKSCREEN_LISTS_DIR")}
    os.environ["BULKSCREEN_DATA_DIR"] = str(base / "data")
    os.environ["BULKSCREEN_CACHE_DIR"] = str(base / "cache")
    os.environ.pop("BULKSCREEN_LISTS_DIR", None)
    refresh_catalog()
    source = base / "hostile.csv"
    pl.DataFrame({"Ref": [r[0] for r in LIST_ROWS], "Company": [r[1] for r in LIST_ROWS],
                  "Country": [r[2] for r in LIST_ROWS]}).write_csv(source)
    publish_version(base / "data" / "lists", LIST_ID, "2026-01-01", [source],
                    fmt="user-table", metadata={"publisher": "test", "title": "hostile",
                                                "origin": "test", "licence": "test"},
                    column_map={"entry_id": "Ref", "primary_name": "Company",
                                "countries": "Country"})
    refresh_catalog()
    yield {"base": base, "data": base / "data", "cache": base / "cache"}
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    refresh_catalog()


@dataclass
class Ran:
    """Exit code and the text a command printed."""

    code: int
    out: str
    err: str


@pytest.fixture()
def cli(hostile_env: dict[str, Path], capsys: pytest.CaptureFixture[str]):
    """Run ``bulkscreen ARGS`` in this process, as the console script does."""

    def run(*args: object) -> Ran:
        code = 0
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


def screen_args(input_path: Path, out: Path, *extra: object) -> list[object]:
    """Arguments of a quiet ``screen parties`` run against the small list."""
    return ["screen", "parties", input_path, "--name", "company", "--lists", LIST_ID,
            "--out", out, "--quiet", *extra]


def run_counts(out: Path) -> dict[str, int]:
    """The row counts a finished run recorded, checked against its files."""
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    results = pl.read_parquet(out / "results.parquet").height
    quarantined = pl.read_parquet(out / "quarantine.parquet").height
    assert results == counts["result_rows"] and quarantined == counts["quarantined_rows"]
    assert counts["input_rows"] == results + quarantined
    return counts


def quarantine(out: Path) -> list[dict]:
    """The quarantined rows of a run, in input order."""
    return pl.read_parquet(out / "quarantine.parquet").sort("input_row").to_dicts()


def tree(root: Path) -> set[str]:
    """Every path under ``root``, relative, to tell what a command created."""
    return {str(p.relative_to(root)) for p in root.rglob("*")} if root.exists() else set()
