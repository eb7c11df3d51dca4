"""Engines: where the pure per-batch screening functions run.

Every engine has ``run(spec, job) -> RunSummary``: it reads ``spec.input_path``, runs the pure
per-batch ``job`` on every validated batch and writes the output folder of
:mod:`bulkscreen.io.outdir`, with the same result rows whatever the engine.
:class:`LocalEngine` runs the batch loop in this process;
:class:`~bulkscreen.engines.dask.DaskEngine` runs it on Parquet fragments with a Dask cluster
whose client the caller passes in. The engine is always passed in, never picked inside.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from bulkscreen.engines.local import LocalEngine
from bulkscreen.errors import ConfigError

if TYPE_CHECKING:
    from bulkscreen.config import RunConfig
    from bulkscreen.run.spec import RunSpec, RunSummary, ScreenBatch


class Engine(Protocol):
    """Runs a per-batch screening job over one input and writes the run's outputs."""

    name: str

    def run(self, spec: RunSpec, job: ScreenBatch) -> RunSummary:
        """Screen ``spec.input_path`` and write results, hits, quarantine and run.json."""
        ...


@contextmanager
def open_engine(config: RunConfig) -> Iterator[Engine]:
    """The engine ``config`` asks for, for the command line.

    ``engine = "dask"`` connects to ``config.scheduler``, or starts a local cluster on
    127.0.0.1 when no address is given, and closes it afterwards.

    Raises
    ------
    ConfigError
        A scheduler address is set while the engine is local.

    Parameters
    ----------
    config
        Run configuration (``engine`` and ``scheduler``).

    Yields
    ------
    Engine
    """
    if config.engine == "local":
        if config.scheduler:
            raise ConfigError(f"a Dask scheduler ({config.scheduler}) is set but the engine is "
                              "local", hint="add --engine dask (or engine = \"dask\" in the "
                              "configuration file), or leave out --scheduler")
        yield LocalEngine()
        return
    from bulkscreen.engines.dask import DaskEngine, open_client

    with open_client(config.scheduler) as client:
        yield DaskEngine(client)


__all__ = ["Engine", "LocalEngine", "open_engine"]
