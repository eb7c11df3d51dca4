"""The Dask engine: the same per-batch job, run on Parquet fragments by a Dask cluster.

The caller passes a connected ``distributed.Client``; this module never makes one, except in
:func:`open_client`, which the command line uses when no scheduler address is given. A run:

1. checks the header and splits the input into fragments (:mod:`.fragments`);
2. sends the job, with its compiled list and rule arrays, to every worker once (scatter);
3. submits one task per fragment: read, validate, screen, write its own part files;
4. checks every fragment came back once with ``rows read == results + quarantined``;
5. merges the parts in input order into ``results.parquet``, ``hits.parquet`` and
   ``quarantine.parquet`` (the same files, rows and order as the local engine), and writes
   ``run.json`` last.

A task that raises is retried; a task whose worker dies is re-run by the scheduler. If a
fragment still fails, the run stops with an :class:`~bulkscreen.errors.EngineError` and leaves
no finished outputs.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bulkscreen.engines.fragments import Fragment, InputPlan, plan_input
from bulkscreen.engines.local import BatchTally
from bulkscreen.engines.merge import append_parts
from bulkscreen.engines.tasks import FragmentOutcome, FragmentTask, screen_fragment
from bulkscreen.errors import ConfigError, EngineError, Location
from bulkscreen.io.outdir import (
    OutputPaths,
    open_writers,
    prepare_out_dir,
    publish_run,
    seal_run,
)
from bulkscreen.progress import row_progress
from bulkscreen.run.spec import RunSpec, RunSummary, ScreenBatch

try:
    import distributed
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover - depends on the installed extras
    raise ConfigError("the dask engine needs the 'dask' extra",
                      hint="install it with: pip install 'bulkscreen[dask]'") from None

DEFAULT_FRAGMENT_ROWS = 250_000
WORK_DIR_PREFIX = "_dask-work-"


def numba_cache_dir() -> Path:
    """Return the fallback folder for compiled kernels: ``<bulkscreen cache>/numba``."""
    from bulkscreen.lists.snapshot import cache_dir

    return cache_dir() / "numba"


def ensure_numba_cache() -> str | None:
    """Give numba a cache folder that outlives tasks and workers, on this machine.

    Kept as is: a ``NUMBA_CACHE_DIR`` already set, or a writable ``__pycache__`` beside the
    installed kernels (numba's default, shared with local runs on the machine). Otherwise
    (a read-only install, as in many container images) ``NUMBA_CACHE_DIR`` is set to
    :func:`numba_cache_dir`. Must run before the kernels are imported, as numba picks the
    folder when a kernel is defined.

    Returns
    -------
    str or None
        The folder set, or None when nothing needed setting.
    """
    import importlib.util

    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    spec = importlib.util.find_spec("bulkscreen_kernels")
    if spec is not None and spec.origin is not None:
        package = Path(spec.origin).parent
        in_tree = package / "__pycache__"
        if os.access(in_tree if in_tree.exists() else package, os.W_OK):
            return None
    folder = str(numba_cache_dir())
    os.environ["NUMBA_CACHE_DIR"] = folder
    if "numba" in sys.modules:
        from numba.core import config

        config.reload_config()
    return folder


class NumbaCacheDir(WorkerPlugin):
    """Run :func:`ensure_numba_cache` on every worker, including restarted ones, before it
    receives the job (whose unpickling imports the kernels), so each machine compiles the
    kernels once and every later task and worker loads them from disk."""

    name = "bulkscreen-numba-cache"

    def setup(self, worker: Any) -> None:
        """Runs on the worker when it joins, or when the plugin is registered."""
        ensure_numba_cache()


@contextmanager
def open_client(address: str | None, n_workers: int | None = None
                ) -> Iterator[distributed.Client]:
    """Connect to a scheduler, or start a local cluster on 127.0.0.1 when ``address`` is None.

    For the command line only; library callers pass their own client to
    :class:`DaskEngine`.

    Parameters
    ----------
    address
        Scheduler address such as ``tcp://host:8786``.
    n_workers
        Workers of the local cluster (default: one per CPU core).

    Yields
    ------
    distributed.Client
    """
    if address:
        try:
            client = distributed.Client(address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {address} ({exc})",
                              hint="start it with `dask scheduler` and check the address and "
                              "firewall, or leave out --scheduler for a local "
                              "cluster") from None
        with client:
            yield client
        return
    cluster = distributed.LocalCluster(
        host="127.0.0.1", n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1,
        processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        yield client


class DaskEngine:
    """Run a screening job on the fragments of its input with a Dask cluster.

    Parameters
    ----------
    client
        A connected ``distributed.Client``. Input and output paths must be on storage that
        every worker and the client see.
    fragment_rows
        Rows per fragment (one task each). A Parquet row group is never split.
    retries
        Extra attempts for a fragment whose task raises. A task whose worker dies is re-run
        by the scheduler (``distributed.scheduler.allowed-failures`` times).
    worker_timeout
        Seconds to wait for at least one worker before giving up.
    """

    name = "dask"

    def __init__(self, client: distributed.Client, fragment_rows: int = DEFAULT_FRAGMENT_ROWS,
                 retries: int = 2, worker_timeout: float = 60.0):
        if fragment_rows < 1:
            raise ConfigError(f"fragment_rows must be at least 1 (got {fragment_rows})")
        self.client = client
        self.fragment_rows = fragment_rows
        self.retries = retries
        self.worker_timeout = worker_timeout
        self._code: dict[str, str] = {}

    def run(self, spec: RunSpec, job: ScreenBatch) -> RunSummary:
        """Screen one input on the cluster; same arguments and outputs as
        :meth:`bulkscreen.engines.LocalEngine.run`.

        ``job`` must be picklable (a module-level function, or one bound with
        :func:`functools.partial`): it is sent to every worker once.

        Returns
        -------
        RunSummary

        Raises
        ------
        InputError
            The input cannot be read (nothing is written).
        OutputError
            ``out_dir`` holds a finished run and ``overwrite`` is False.
        EngineError
            A fragment failed on every attempt, workers died repeatedly, or rows were lost;
            no finished outputs are left.
        """
        started = time.perf_counter()
        input_path, out_dir, config = Path(spec.input_path), Path(spec.out_dir), spec.config
        if config.limit is not None:
            # Fragments are read in parallel, so "the first N rows" has no cheap meaning here.
            raise ConfigError("--limit is for trial runs on the local engine",
                              hint="drop --engine dask (or the limit) and run again")
        prepare_out_dir(out_dir, spec.overwrite)
        work_dir = out_dir / f"{WORK_DIR_PREFIX}{uuid.uuid4().hex[:12]}"
        parts_dir = work_dir / "parts"
        try:
            tick = time.perf_counter()
            plan = plan_input(input_path, spec.table, config.column_map, config.encoding,
                              spec.fmt, self.fragment_rows, work_dir / "staging")
            plan_seconds = time.perf_counter() - tick
            parts_dir.mkdir(parents=True, exist_ok=True)
            tasks = [FragmentTask(fragment=f, table=spec.table,
                                  results_table=spec.results_table,
                                  match=plan.match, header=tuple(plan.reading["header"]),
                                  fmt=plan.reading["format"], batch_size=config.batch_size,
                                  input_name=str(input_path), parts_dir=str(parts_dir))
                     for f in plan.fragments]
            outcomes = self._screen(job, tasks, plan, input_path, spec.progress)
            return self._finish(spec, plan, outcomes, parts_dir, started, plan_seconds)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)

    def _screen(self, job: ScreenBatch, tasks: list[FragmentTask], plan: InputPlan,
                input_path: Path, progress: bool) -> list[FragmentOutcome]:
        """Run every fragment's task; return the outcomes in fragment order."""
        if not tasks:
            return []
        try:
            self.client.wait_for_workers(1, timeout=self.worker_timeout)
        except TimeoutError:
            raise EngineError(f"no Dask worker joined within {self.worker_timeout:g} s",
                              hint="start workers with `dask worker <scheduler address>`"
                              ) from None
        self.client.register_plugin(NumbaCacheDir())
        self._code = _check_worker_versions(self.client)
        job_future = self.client.scatter(job, broadcast=True, hash=False)
        run_id = uuid.uuid4().hex[:8]
        futures = {
            self.client.submit(screen_fragment, job_future, task, retries=self.retries,
                               pure=False, key=f"bulkscreen-{run_id}-{task.fragment.index:05d}"
                               ): task.fragment
            for task in tasks}
        outcomes: dict[int, FragmentOutcome] = {}
        total = plan.rows_parsed + plan.rejected_rows
        try:
            with row_progress(input_path.name, total, progress) as bar:
                bar.advance(plan.rejected_rows)
                for future in distributed.as_completed(futures):
                    fragment = futures[future]
                    outcome = _outcome_of(future, fragment, self.retries, input_path)
                    _check_outcome(outcome, fragment, outcomes, input_path)
                    outcomes[fragment.index] = outcome
                    bar.advance(outcome.rows_read)
        finally:
            self.client.cancel([*futures, job_future])
        missing = [t.fragment.index for t in tasks if t.fragment.index not in outcomes]
        if missing:
            raise EngineError(f"fragments {missing} never came back",
                              Location(file=str(input_path)),
                              "report this as a bug; no outputs were kept")
        return [outcomes[t.fragment.index] for t in tasks]

    def _finish(self, spec: RunSpec, plan: InputPlan, outcomes: list[FragmentOutcome],
                parts_dir: Path, started: float, plan_seconds: float) -> RunSummary:
        """Merge the parts in input order, check the row invariant, write the manifest."""
        out_dir = Path(spec.out_dir)
        tally = BatchTally(timings={name: sum(o.timings.get(name, 0.0) for o in outcomes)
                                    for name in ("read", "screen", "write")})
        for outcome in outcomes:
            tally.decisions.update(outcome.decisions)
        rejected = [(plan.reject_part, plan.rejected_rows)] if plan.reject_part else []
        tick = time.perf_counter()
        with ExitStack() as stack:
            writers = open_writers(stack, OutputPaths.of_folder(out_dir), spec.results_table,
                                   raw_quarantine=True)
            append_parts(writers.results, [(parts_dir / o.parts["results"], o.result_rows)
                                           for o in outcomes])
            append_parts(writers.hits, [(parts_dir / o.parts["hits"], o.hit_rows)
                                        for o in outcomes])
            append_parts(writers.quarantine, rejected + [
                (parts_dir / o.parts["quarantine"], o.quarantined_rows) for o in outcomes])
            counts = {"input_rows": plan.rejected_rows + sum(o.rows_read for o in outcomes),
                      "result_rows": writers.results.rows,
                      "quarantined_rows": writers.quarantine.rows,
                      "hit_rows": writers.hits.rows}
            tally.timings |= {"plan": plan_seconds, "merge": time.perf_counter() - tick,
                              "total": time.perf_counter() - started}
            engine = {"name": self.name, "scheduler": self.client.scheduler.address,
                      "workers": len(self.client.scheduler_info()["workers"]),
                      "fragments": len(outcomes), "fragment_rows": self.fragment_rows,
                      "code_sha256": self._code.get("code_sha256")}
            manifest = seal_run(
                writers.all(), out_dir=out_dir, input_path=Path(spec.input_path),
                table=spec.table, config=spec.config, counts=counts,
                decisions=tally.decisions, timings=tally.timings, reading=plan.reading,
                manifest_extra=spec.manifest_extra() | {"engine": engine})
        manifest_path = publish_run(out_dir, manifest)
        return RunSummary.of_run(out_dir, counts, manifest, manifest_path,
                                 time.perf_counter() - started)


def installed_versions() -> dict[str, str]:
    """Versions of the code that decides results, as installed where this runs: the package
    versions and a sha256 of their Python sources (which also catches an edited install)."""
    import hashlib

    import bulkscreen
    import bulkscreen_kernels

    digest = hashlib.sha256()
    for package in (bulkscreen, bulkscreen_kernels):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return {"bulkscreen": bulkscreen.__version__,
            "bulkscreen_kernels": bulkscreen_kernels.__version__,
            "code_sha256": digest.hexdigest()}


def _check_worker_versions(client: distributed.Client) -> dict[str, str]:
    """Refuse workers whose bulkscreen differs from the client's: the manifest records the
    client's versions, so every row must come from the same code."""
    ours = installed_versions()
    try:
        versions = client.run(installed_versions)
    except ImportError as exc:
        raise EngineError(f"a Dask worker cannot import bulkscreen ({exc})",
                          hint="install bulkscreen (with the 'dask' extra) on every worker "
                          "machine, then restart the workers") from None
    for worker, theirs in versions.items():
        if theirs != ours:
            raise EngineError(f"worker {worker} runs other bulkscreen code than this machine "
                              f"(worker: {theirs}; here: {ours})",
                              hint="install the same bulkscreen version on every worker "
                              "machine and restart the workers")
    return ours


def _outcome_of(future: distributed.Future, fragment: Fragment, retries: int,
                input_path: Path) -> FragmentOutcome:
    """The outcome of a finished task, or the EngineError that says why it has none."""
    if future.status == "finished":
        return future.result()
    exc = future.exception()
    if isinstance(exc, distributed.KilledWorker):
        raise EngineError(f"workers died each time they screened {fragment.describe()}",
                          Location(file=str(input_path)),
                          "look at the worker logs; a worker that runs out of memory is "
                          "killed: give workers more memory or lower --batch-size") from None
    raise EngineError(f"{fragment.describe()} failed on all {retries + 1} attempts: "
                      f"{type(exc).__name__}: {exc}", Location(file=str(input_path)),
                      "the error above was raised by the screening function on a worker; "
                      "no outputs were kept") from exc


def _check_outcome(outcome: FragmentOutcome, fragment: Fragment,
                   seen: dict[int, FragmentOutcome], input_path: Path) -> None:
    """Refuse an outcome that carries an error, repeats a fragment or loses rows."""
    if outcome.error is not None:
        raise outcome.error
    where = Location(file=str(input_path))
    if outcome.index != fragment.index or outcome.index in seen:
        raise EngineError(f"{fragment.describe()} came back twice or under another index",
                          where, "report this as a bug; no outputs were kept")
    if outcome.rows_read != fragment.rows:
        raise EngineError(f"{fragment.describe()}: {outcome.rows_read} rows read, "
                          f"{fragment.rows} expected", where,
                          "the input changed during the run, or a worker sees another copy "
                          "of it; run again on a stable input")
    if outcome.rows_read != outcome.result_rows + outcome.quarantined_rows:
        raise EngineError(f"{fragment.describe()}: {outcome.rows_read} rows read, "
                          f"{outcome.result_rows} results + {outcome.quarantined_rows} "
                          "quarantined", where, "report this as a bug; no outputs were kept")


__all__ = ["DaskEngine", "NumbaCacheDir", "ensure_numba_cache", "numba_cache_dir", "open_client"]
