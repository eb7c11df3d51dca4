"""Runs as separate processes: two sharing one empty cache, and runs stopped midway.

These start the console script itself, as a user or a scheduler would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from bulkscreen.errors import EXIT_INPUT

from .conftest import run_counts

# The issue asks for a 1M-row file; on a shared 2-core machine one full 1M-row run takes
# about a minute, and this test finishes two full runs, so it uses 100,000 rows. The same
# test with BULKSCREEN_HOSTILE_ROWS=1000000 checks the full size.
ROWS = int(os.environ.get("BULKSCREEN_HOSTILE_ROWS", "100000"))
FINAL = ("results.parquet", "hits.parquet", "quarantine.parquet", "run.json")


def _bulkscreen(env: dict[str, str], *args: object, **kwargs) -> subprocess.Popen:
    script = Path(sys.executable).with_name("bulkscreen")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bulkscreen"]
    return subprocess.Popen([*command, *map(str, args)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def _env(hostile_env: dict[str, Path], cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["BULKSCREEN_DATA_DIR"] = str(hostile_env["data"])
    env["BULKSCREEN_CACHE_DIR"] = str(cache)
    return env


def _results(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "results.parquet").drop("explanation").sort("input_row")


def test_two_runs_sharing_one_empty_cache_agree(hostile_env, tmp_path):
    path = tmp_path / "parties.csv"
    pl.DataFrame({"company": ["Hanshin Dual Use Trading Co Ltd", "Acme", "Al-Qaida"] * 50,
                  "Country": ["HK", "IR", "AF"] * 50}).write_csv(path)
    cache = tmp_path / "empty-cache"
    env = _env(hostile_env, cache)
    runs = [_bulkscreen(env, "screen", "parties", path, "--name", "company", "--country",
                        "company=Country", "--lists", "un-consolidated", "--lists",
                        "jp-meti-eul", "--out", tmp_path / f"run{i}", "--quiet")
            for i in (1, 2)]
    for run in runs:
        _, err = run.communicate(timeout=240)
        assert run.returncode == 0, err
    first, second = (_results(tmp_path / f"run{i}") for i in (1, 2))
    assert first.equals(second)
    hits = [pl.read_parquet(tmp_path / f"run{i}" / "hits.parquet").sort("input_row", "entry_id")
            .drop("explanation") for i in (1, 2)]
    assert hits[0].height > 0 and hits[0].equals(hits[1])
    # The cache holds finished files only: no temporary file is left behind.
    leftovers = [p for p in cache.rglob("*") if p.is_file() and p.suffix in (".tmp", ".partial")]
    assert leftovers == []


@pytest.fixture(scope="module")
def large_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(19)
    words = np.array(["Acme", "Beta", "Nordwind", "Hanshin", "Trading", "Logistik", "Optics",
                      "Precision", "Holdings", "Marine"])
    names = np.char.add(np.char.add(words[rng.integers(0, 10, ROWS)], " "),
                        np.char.add(words[rng.integers(0, 10, ROWS)],
                                    rng.integers(0, 10**6, ROWS).astype(str)))
    path = tmp_path_factory.mktemp("large") / "parties.csv"
    pl.DataFrame({"ref": np.arange(ROWS).astype(str), "company": names}).write_csv(path)
    return path


def _stop_midway(env, large_input: Path, out: Path, how: signal.Signals,
                 later: float = 0.0) -> tuple[int, str]:
    run = _bulkscreen(env, "screen", "parties", large_input, "--name", "company", "--id",
                      "ref", "--lists", "hostile-denied", "--out", out, "--quiet",
                      "--batch-size", "10000", start_new_session=True)
    partial = out / "results.parquet.partial"
    deadline = time.monotonic() + 120
    # Midway: results are being written (the partial file has row groups in it).
    while not (partial.exists() and partial.stat().st_size > 50_000):
        assert run.poll() is None, run.communicate()[1]
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.05)
    time.sleep(later)
    os.kill(run.pid, how)
    _, stderr = run.communicate(timeout=60)
    return run.returncode, stderr


def test_interrupted_runs_leave_no_final_output_and_rerun(hostile_env, tmp_path, large_input):
    env = _env(hostile_env, hostile_env["cache"])
    out = tmp_path / "run"
    # Ctrl-C lands in Python code or inside a compiled kernel, depending on the moment.
    for later in (0.0, 0.7):
        code, stderr = _stop_midway(env, large_input, out, signal.SIGINT, later)
        assert code == 130 and "aborted" in stderr, stderr
        assert [n for n in FINAL if (out / n).exists()] == []
        # An interrupted run removes its partial files.
        assert not list(out.glob("*.partial")), sorted(p.name for p in out.iterdir())
    code, stderr = _stop_midway(env, large_input, out, signal.SIGKILL)
    assert code == -signal.SIGKILL, stderr
    assert [n for n in FINAL if (out / n).exists()] == []

    def finish(*extra: str) -> subprocess.CompletedProcess:
        run = _bulkscreen(env, "screen", "parties", large_input, "--name", "company", "--id",
                          "ref", "--lists", "hostile-denied", "--out", out, "--quiet", *extra)
        stdout, stderr = run.communicate(timeout=300)
        return subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr)

    # Partial files of a killed run are not a finished run: no --overwrite is needed.
    done = finish()
    assert done.returncode == 0, done.stderr
    assert run_counts(out)["input_rows"] == ROWS
    assert not list(out.glob("*.partial"))
    refused = finish()
    assert refused.returncode == EXIT_INPUT and "--overwrite" in refused.stderr
    again = finish("--overwrite")
    assert again.returncode == 0, again.stderr
    assert run_counts(out)["input_rows"] == ROWS
