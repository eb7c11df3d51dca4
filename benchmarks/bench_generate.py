"""Generator throughput and peak memory: shipments and persons with real list names planted.

Run (one million rows each by default; set BULKSCREEN_BENCH_GENERATE_ROWS to change)::

    pytest benchmarks/bench_generate.py --benchmark-only -s

Each generation runs in a child process so its peak resident memory (``ru_maxrss``) is
measured alone; ``extra_info`` records rows, rows/s and peak MB. Memory stays bounded by the
batch size, so the peak should not grow with the row count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROWS = int(os.environ.get("BULKSCREEN_BENCH_GENERATE_ROWS", "1000000"))

CHILD = """
import json, resource, sys, time
from datetime import date
from pathlib import Path
from bulkscreen.tools.generate.listnames import load_list_names
from bulkscreen.tools.generate.persons import generate_persons
from bulkscreen.tools.generate.shipments import generate_shipments

kind, rows, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
names = load_list_names()
generate = generate_shipments if kind == "shipments" else generate_persons
started = time.perf_counter()
generate(rows, 1, out, names, listed_rate=0.01, end_date=date(2025, 6, 30))
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds,
                  "peak_mb": peak_mb}))
"""


def _run_child(kind: str, out: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, kind, str(ROWS), str(out)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind", ["shipments", "persons"])
def test_generate_throughput(benchmark, tmp_path, kind):
    out = tmp_path / f"{kind}.parquet"
    result = benchmark.pedantic(_run_child, args=(kind, out), rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    print(f"\n{kind}: {result['rows']:,} rows in {result['seconds']:.1f} s "
          f"({result['rows_per_s']:,.0f} rows/s), peak {result['peak_mb']:.0f} MB")
