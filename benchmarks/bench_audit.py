"""Throughput and peak memory of a shipment-history audit, beside a screening of the same file.

Each line is judged by the lists and rules in force on its own shipment date and again by
today's: party matching against every list epoch's index, control-list parameters, destination
groups, country measures and catch-all. Run (10 million lines by default)::

    BULKSCREEN_BENCH_ROWS=10000000 pytest benchmarks/bench_audit.py --benchmark-only -s

or as a script: ``python benchmarks/bench_audit.py --rows 200000 1000000``, which also screens
the same file as of "today" and prints lines/s, peak memory and the audit/screen time ratio per
size, with CPU seconds (user + system) beside wall time. The input is generated once per size
and seed (``bulkscreen generate shipments``) and kept in ``$TMPDIR``. Each run is a child
process, so its peak resident memory is its own (``ru_maxrss`` of a fresh child of a fresh
process per size).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
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
    figures = _run_child(["audit", "shipments", str(input_path), "--as-of", TODAY], out_dir)
    figures["changed"] = _changed(out_dir)
    return figures


def run_screen_child(input_path: Path, out_dir: Path) -> dict[str, float]:
    """Run ``bulkscreen screen shipments`` (as of today) in a child process."""
    return _run_child(["screen", "shipments", str(input_path), "--as-of", TODAY], out_dir)


def _run_child(command: list[str], out_dir: Path) -> dict[str, float]:
    # A wrapper process per run, so RUSAGE_CHILDREN's peak is this run's alone.
    # CPU seconds (user + system) beside wall time: on a shared machine wall time moves
    # with the load, CPU time much less.
    measure = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "subprocess.run(sys.argv[1:], check=True); "
               "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
               "print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "bulkscreen",
                           *command, "--out", str(out_dir), "--overwrite", "--quiet"],
                          check=True, capture_output=True, text=True)
    seconds, cpu_seconds, peak_kb = done.stdout.split()[-3:]
    manifest = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    rows = manifest["counts"]["input_rows"]
    return {"rows": rows, "seconds": float(seconds), "cpu_seconds": float(cpu_seconds),
            "rows_per_s": rows / float(seconds), "peak_mb": int(peak_kb) / 1024,
            "timings": manifest["timings"]}


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
    screen = run_screen_child(input_path, folder / "screen-out")
    figures["screen"] = screen
    figures["audit_over_screen"] = figures["seconds"] / screen["seconds"]
    figures["audit_over_screen_cpu"] = figures["cpu_seconds"] / screen["cpu_seconds"]
    benchmark.extra_info.update(figures)
    print(json.dumps(figures, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[ROWS])
    parser.add_argument("--folder", type=Path,
                        default=Path(tempfile.gettempdir()) / "bulkscreen-bench")
    args = parser.parse_args()
    args.folder.mkdir(exist_ok=True)
    print(f"{'lines':>10} {'screen s':>9} {'cpu s':>7} {'lines/s':>8} {'peak MB':>8} "
          f"{'audit s':>8} {'cpu s':>7} {'lines/s':>8} {'peak MB':>8} {'audit/screen':>12} "
          f"{'cpu ratio':>9}")
    for rows in args.rows:
        input_path = generated_input(rows, args.folder)
        screen = run_screen_child(input_path, args.folder / "screen-out")
        audit = run_audit_child(input_path, args.folder / "audit-out")
        print(f"{rows:>10,} {screen['seconds']:>9.1f} {screen['cpu_seconds']:>7.1f} "
              f"{screen['rows_per_s']:>8,.0f} {screen['peak_mb']:>8,.0f} "
              f"{audit['seconds']:>8.1f} {audit['cpu_seconds']:>7.1f} "
              f"{audit['rows_per_s']:>8,.0f} {audit['peak_mb']:>8,.0f} "
              f"{audit['seconds'] / screen['seconds']:>12.2f} "
              f"{audit['cpu_seconds'] / screen['cpu_seconds']:>9.2f}")


if __name__ == "__main__":
    main()
