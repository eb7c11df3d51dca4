"""Throughput and peak memory of a full shipment-history audit on generated data.

Each line is judged by the lists and rules in force on its own shipment date and again by
today's: party matching against every list epoch's index, control-list parameters, destination
groups, country measures and catch-all. Run (10 million lines by default)::

    BULKSCREEN_BENCH_ROWS=10000000 pytest benchmarks/bench_audit.py --benchmark-only -s

or as a script: ``python benchmarks/bench_audit.py --rows 10000000``. The input is generated
once per size and seed (``bulkscreen generate shipments``) and kept in ``$TMPDIR``. The audit runs
in a child process so its peak resident memory (``ru_maxrss``) is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("BULKSCREEN_BENCH_ROWS", "1000000"))
SEED = 1
END_DATE = "2025-06-30"
TODAY = "2026-01-15"


def generated_input(rows: int, folder: Path) -> Path:
    """Generate (once) ``rows`` shipment lines with 1 % planted list names."""
    path = folder / f"audit-{rows}-{SEED}.parquet"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "bulkscreen", "generate", "shipments",
                        "--rows", str(rows), "--seed", str(SEED), "--out", str(path),
                        "--end-date", END_DATE], check=True)
    return path


def run_audit_child(input_path: Path, out_dir: Path) -> dict[str, float]:
    """Run ``bulkscreen audit shipments`` in a child process; return its figures."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bulkscreen", "audit", "shipments",
                    str(input_path), "--out", str(out_dir), "--today", TODAY, "--overwrite",
                    "--quiet"], check=True)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    manifest = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    rows = manifest["counts"]["input_rows"]
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds,
            "peak_mb": max(peak_kb, before) / 1024,
            "changed": _changed(out_dir), "timings": manifest["timings"]}


def _changed(out_dir: Path) -> int:
    import polars as pl

    return int(pl.scan_parquet(out_dir / "results.parquet").filter(pl.col("decision_changed"))
               .select(pl.len()).collect().item())


def test_audit_throughput_and_memory(benchmark):
    folder = Path(tempfile.gettempdir()) / "bulkscreen-bench"
    folder.mkdir(exist_ok=True)
    input_path = generated_input(ROWS, folder)
    figures = benchmark.pedantic(run_audit_child, args=(input_path, folder / "audit-out"),
                                 rounds=1, iterations=1)
    benchmark.extra_info.update(figures)
    print(json.dumps(figures, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--folder", type=Path,
                        default=Path(tempfile.gettempdir()) / "bulkscreen-bench")
    args = parser.parse_args()
    args.folder.mkdir(exist_ok=True)
    input_path = generated_input(args.rows, args.folder)
    print(json.dumps(run_audit_child(input_path, args.folder / "audit-out"), indent=2))


if __name__ == "__main__":
    main()
