"""Throughput and peak memory of a shipment-history audit, beside a screening of the same file.

Each line is judged by the lists and rules in force on its own shipment date and again by
today's: party matching against every list epoch's index, control-list parameters, destination
groups, country measures and catch-all. Run (10 million lines by default)::

    BULKSCREEN_BENCH_ROWS=10000000 pytest benchmarks/bench_audit.py --benchmark-only -s

or as a script: ``python benchmarks/bench_audit.py --rows 200000 1000000``, which also screens
the same file as of "today" and prints lines/s, peak memory and the audit/screen time ratio per
size, with CPU seconds (user + system) beside wall time; ``--dask`` adds the same audit on a
local Dask cluster of one worker process per core (``--engine dask``). The input is generated
once per size and seed (``bulkscreen generate shipments``) and kept in ``$TMPDIR``. Each run is
a child process, so its peak resident memory is its own (``ru_maxrss`` of a fresh child of a
fresh process per size). A run of several processes (Dask's scheduler and workers) is also
measured as a whole: ``tree_mb`` is the peak of the summed proportional set size (PSS) of every
process of the run, sampled four times a second, so memory two processes share counts once.
"""

from __future__ import annotations

import argparse
import json
import os
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


def run_audit_child(input_path: Path, out_dir: Path, engine: str = "local"
                    ) -> dict[str, float]:
    """Run ``bulkscreen audit shipments`` in a child process; return its figures."""
    figures = _run_child(["audit", "shipments", str(input_path), "--as-of", TODAY,
                          "--engine", engine], out_dir)
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
    with subprocess.Popen([sys.executable, "-c", measure, sys.executable, "-m", "bulkscreen",
                           *command, "--out", str(out_dir), "--overwrite", "--quiet"],
                          stdout=subprocess.PIPE, text=True) as child:
        tree_peak = _peak_tree_pss(child)
        stdout = child.stdout.read() if child.stdout else ""
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command)
    seconds, cpu_seconds, peak_kb = stdout.split()[-3:]
    manifest = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    rows = manifest["counts"]["input_rows"]
    return {"rows": rows, "seconds": float(seconds), "cpu_seconds": float(cpu_seconds),
            "rows_per_s": rows / float(seconds), "peak_mb": int(peak_kb) / 1024,
            "tree_mb": tree_peak / 2**20, "timings": manifest["timings"]}


def _peak_tree_pss(child: subprocess.Popen, every_s: float = 0.25) -> int:
    """Sample the summed PSS (bytes) of ``child``'s processes until it ends; return the peak.

    CPU seconds of a multi-process run add up over its processes (``RUSAGE_CHILDREN``), but
    ``ru_maxrss`` is the largest single process: the whole run's memory is sampled instead.
    """
    import psutil

    peak = 0
    root = psutil.Process(child.pid)
    while child.poll() is None:
        total = 0
        try:
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for process in processes:
            try:
                total += process.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        peak = max(peak, total)
        time.sleep(every_s)
    child.wait()
    return peak


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
    parser.add_argument("--dask", action="store_true",
                        help="also audit on a local Dask cluster (needs the dask extra)")
    args = parser.parse_args()
    args.folder.mkdir(exist_ok=True)
    print(f"{'lines':>10} {'run':>12} {'wall s':>8} {'cpu s':>7} {'lines/s':>8} "
          f"{'peak MB':>8} {'tree MB':>8} {'/ screen':>8} {'cpu ratio':>9}")
    for rows in args.rows:
        input_path = generated_input(rows, args.folder)
        screen = run_screen_child(input_path, args.folder / "screen-out")
        runs = {"screen": screen,
                "audit": run_audit_child(input_path, args.folder / "audit-out")}
        if args.dask:
            runs["audit (dask)"] = run_audit_child(input_path, args.folder / "audit-dask-out",
                                                   engine="dask")
        for name, run in runs.items():
            print(f"{rows:>10,} {name:>12} {run['seconds']:>8.1f} {run['cpu_seconds']:>7.1f} "
                  f"{run['rows_per_s']:>8,.0f} {run['peak_mb']:>8,.0f} {run['tree_mb']:>8,.0f} "
                  f"{run['seconds'] / screen['seconds']:>8.2f} "
                  f"{run['cpu_seconds'] / screen['cpu_seconds']:>9.2f}")


if __name__ == "__main__":
    main()
