"""Annual re-screening of one million persons against every bundled list: throughput and memory.

Run (one million persons by default; set BULKSCREEN_BENCH_PERSONS for a smaller file)::

    pytest benchmarks/bench_persons.py --benchmark-only -s

Persons are generated with real list names planted (``generate_persons``). A child process
builds the name index from all bundled lists, screens the file through the batch pipeline as
of last year and as of this year, and re-screens (carrying reviews forward and writing the
changes). The child's peak resident memory (``ru_maxrss``) is measured alone; ``extra_info``
records persons, persons/s of each stage and peak MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PERSONS = int(os.environ.get("BULKSCREEN_BENCH_PERSONS", "1000000"))
SEED = 11

CHILD = """
import json, resource, sys, time
import datetime as dt
from pathlib import Path
from bulkscreen import columns
from bulkscreen.config import RunConfig
from bulkscreen.lists import load_snapshots
from bulkscreen.lists.name_index import build_name_index
from bulkscreen.engines import LocalEngine
from bulkscreen.run import RunSpec
from bulkscreen.rescreen import rescreen_persons
from bulkscreen.rules.deemed import load_deemed_rules
from bulkscreen.screen.persons import list_entry_notes, screen_persons_batch

source, work = Path(sys.argv[1]), Path(sys.argv[2])
timings = {}
start = time.perf_counter()
snapshots = load_snapshots()
index = build_name_index(snapshots)
notes = list_entry_notes(snapshots)
timings["index_seconds"] = time.perf_counter() - start
config = RunConfig()
summaries = {}
for label, as_of in (("previous", dt.date(2024, 6, 1)), ("current", dt.date(2025, 6, 1))):
    rules = load_deemed_rules(as_of=as_of)

    def screen(batch, as_of=as_of, rules=rules):
        return screen_persons_batch(batch, index, config, as_of, rules, entry_notes=notes)

    start = time.perf_counter()
    summary = LocalEngine().run(
        RunSpec(source, work / label, config, columns.PERSONS, progress=False, overwrite=True),
        screen)
    timings[f"screen_{label}_seconds"] = time.perf_counter() - start
    summaries[label] = {"rows": summary.result_rows, "hits": summary.hit_rows,
                        "decisions": summary.decisions}
start = time.perf_counter()
report = rescreen_persons(work / "current", work / "previous")
timings["rescreen_seconds"] = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"timings": timings, "runs": summaries, "changes": report.summary["changes"],
                  "peak_mb": peak_mb}))
"""


@pytest.fixture(scope="module")
def persons_file(tmp_path_factory) -> Path:
    from bulkscreen.tools.generate.listnames import load_list_names
    from bulkscreen.tools.generate.persons import generate_persons

    path = tmp_path_factory.mktemp("persons") / "persons.parquet"
    generate_persons(PERSONS, SEED, path, load_list_names())
    return path


def test_rescreen_one_million_persons(benchmark, persons_file, tmp_path):
    def run() -> dict:
        done = subprocess.run([sys.executable, "-c", CHILD, str(persons_file), str(tmp_path)],
                              check=True, capture_output=True, text=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    figures = benchmark.pedantic(run, rounds=1, iterations=1)
    timings = figures["timings"]
    screen_s = timings["screen_current_seconds"]
    benchmark.extra_info.update({
        "persons": PERSONS,
        "index_seconds": round(timings["index_seconds"], 2),
        "screen_persons_per_s": round(PERSONS / screen_s),
        "rescreen_seconds": round(timings["rescreen_seconds"], 2),
        "screen_plus_rescreen_persons_per_s": round(
            PERSONS / (screen_s + timings["rescreen_seconds"])),
        "peak_mb": round(figures["peak_mb"]),
        "decisions": figures["runs"]["current"]["decisions"],
        "changes": figures["changes"],
    })
    print(json.dumps(benchmark.extra_info, indent=2))
    assert figures["runs"]["current"]["rows"] == PERSONS
