"""The Python entry points: screen a frame or a file, get a polars DataFrame of results back.

Each function runs exactly what its command runs (the same readers, validation, quarantine,
engine, decision step and manifest) on a polars, pandas or Arrow frame, or on a path. A frame
is written to ``input.parquet`` in the run's folder first, so a frame and the same rows in a
file give the same results. Without ``out_dir`` the run's files go to a temporary folder that is
removed afterwards; with it, they stay there (``results.parquet``, ``hits.parquet``,
``quarantine.parquet``, ``run.json``) for the report and review commands.

>>> import polars as pl                                                  # doctest: +SKIP
>>> import bulkscreen
>>> frame = pl.DataFrame({"company": ["Rosoboronexport", "Kyoto Optics KK"]})
>>> results = bulkscreen.screen_parties(frame, names=["company"])
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from bulkscreen.config import RunConfig
from bulkscreen.errors import InputError, Location

if TYPE_CHECKING:
    from bulkscreen.engines import Engine
    from bulkscreen.run.spec import RunSummary

FRAME_FILE = "input.parquet"
"""Where a frame is written in the run's folder before it is screened."""


class QuarantineWarning(UserWarning):
    """Some input rows could not be screened; they are in the quarantine, not the results."""


def screen_parties(  # noqa: PLR0913 - the options of `bulkscreen screen parties`
        data: Any, *, names: Sequence[str], id_column: str | None = None,
        countries: str | Mapping[str, str] | None = None,
        entity_types: str | Mapping[str, str] | None = None,
        birth_dates: str | int | dt.date | Mapping[str, str | int | dt.date] | None = None,
        as_of: dt.date | None = None, config: RunConfig | None = None,
        out_dir: str | Path | None = None, hits: bool = False, engine: Engine | None = None,
        overwrite: bool = False) -> pl.DataFrame | tuple[pl.DataFrame, pl.DataFrame]:
    """Screen the names in any columns of a frame or file; ``bulkscreen screen parties``.

    Parameters
    ----------
    data
        A polars, pandas or Arrow frame, or a path.
    names
        Columns holding names to screen.
    id_column
        Column with each row's key (default: the row number).
    countries
        The country of every party (an ISO 3166-1 code or a name: ``"Iran"``,
        ``"Russian Federation"``), or name column -> column with that party's country (code
        or name), as evidence. An unknown country raises
        :class:`~bulkscreen.errors.ConfigError` naming the nearest names; an unknown value in
        a column sends its row to the quarantine.
    entity_types
        ``"person"`` or ``"organization"`` for every party, or name column -> an entity type
        or the column that holds one.
    birth_dates
        Date or year of birth of every party (``dt.date``, ``1978``, ``"1978-06-01"``), or
        name column -> a date or year, or the column (text) that holds them.
    as_of
        List versions in force on this date (default ``config.as_of``, else today).
    config
        Run configuration (default: the configuration file and environment, as the CLI reads
        them).
    out_dir
        Keep the run's files here (default: a temporary folder, removed afterwards).
    hits
        Also return the findings (the review queue).
    engine
        Where the batches run (default: this process).
    overwrite
        Replace a finished run already in ``out_dir``.

    Returns
    -------
    polars.DataFrame or tuple of polars.DataFrame
        One result row per screened input row; with ``hits``, also one row per finding.
    """
    from bulkscreen.run.screening import run_parties
    from bulkscreen.screen.parties import party_evidence

    names = [names] if isinstance(names, str) else list(names)
    evidence = party_evidence(names, countries=_evidence_pair(countries),
                              entity_types=_evidence_pair(entity_types),
                              birth_dates=_evidence_pair(birth_dates))
    return _run(run_parties, data, config, out_dir, (hits, overwrite), engine, names,
                id_column, evidence, _date(as_of, config))


def _evidence_pair(value: Any) -> tuple[Any, dict[str, Any]]:
    """An evidence argument as (the value for every name, name column -> its own)."""
    if value is None:
        return None, {}
    if isinstance(value, Mapping):
        return None, dict(value)
    return value, {}


def screen_shipments(data: Any, *, as_of: dt.date | None = None,
                     config: RunConfig | None = None, out_dir: str | Path | None = None,
                     hits: bool = False, engine: Engine | None = None,
                     overwrite: bool = False
                     ) -> pl.DataFrame | tuple[pl.DataFrame, pl.DataFrame]:
    """Screen shipment lines on one date; ``bulkscreen screen shipments``.

    Parameters are those of :func:`screen_parties` (``data`` holds the shipments columns of
    ``bulkscreen schemas show shipments``); ``as_of`` is the date whose lists and rules judge
    every line.
    """
    from bulkscreen.run.screening import run_shipments

    return _run(run_shipments, data, config, out_dir, (hits, overwrite), engine,
                _date(as_of, config))


def screen_persons(data: Any, *, as_of: dt.date | None = None,
                   config: RunConfig | None = None, out_dir: str | Path | None = None,
                   hits: bool = False, engine: Engine | None = None,
                   overwrite: bool = False
                   ) -> pl.DataFrame | tuple[pl.DataFrame, pl.DataFrame]:
    """Screen visitors, students and staff for deemed-export control; ``bulkscreen screen
    persons``. Parameters are those of :func:`screen_parties`."""
    from bulkscreen.run.screening import run_persons

    return _run(run_persons, data, config, out_dir, (hits, overwrite), engine,
                _date(as_of, config))


def audit_shipments(data: Any, *, today: dt.date | None = None,
                    config: RunConfig | None = None, out_dir: str | Path | None = None,
                    hits: bool = False, engine: Engine | None = None,
                    overwrite: bool = False
                    ) -> pl.DataFrame | tuple[pl.DataFrame, pl.DataFrame]:
    """Judge each shipment line on its own date and on ``today``; ``bulkscreen audit
    shipments``. Parameters are those of :func:`screen_parties`."""
    from bulkscreen.run.screening import run_audit

    return _run(run_audit, data, config, out_dir, (hits, overwrite), engine,
                _date(today, config))


def _date(value: dt.date | None, config: RunConfig | None) -> dt.date:
    if value is not None:
        return value
    if config is not None and config.as_of is not None:
        return config.as_of
    return dt.date.today()


def _run(runner: Callable[..., RunSummary], data: Any, config: RunConfig | None,
         out_dir: str | Path | None, flags: tuple[bool, bool], engine: Engine | None,
         *args: object) -> pl.DataFrame | tuple[pl.DataFrame, pl.DataFrame]:
    """Run ``runner`` on ``data``; ``flags`` are (return the hits too, overwrite)."""
    with_hits, overwrite = flags
    if config is None:
        from bulkscreen.config import load_config

        config = load_config()
    with _run_folder(out_dir) as folder:
        input_path = _input_path(data, folder)
        summary = runner(input_path, folder, config, *args, engine=engine, progress=False,
                         overwrite=overwrite)
        results = pl.read_parquet(summary.results_path)
        found = pl.read_parquet(summary.hits_path) if with_hits else None
        if summary.quarantined_rows:
            reasons = pl.read_parquet(summary.quarantine_path)["reason"].value_counts(
                sort=True).head(3)
            where = f" ({summary.quarantine_path})" if out_dir is not None else ""
            warnings.warn(
                f"{summary.quarantined_rows} of {summary.input_rows} rows could not be "
                f"screened and are not in the results{where}; most common reasons: "
                + "; ".join(f"{r} ({n})" for r, n in reasons.iter_rows()),
                QuarantineWarning, stacklevel=3)
    return (results, found) if found is not None else results


@contextmanager
def _run_folder(out_dir: str | Path | None) -> Iterator[Path]:
    if out_dir is not None:
        yield Path(out_dir)
        return
    folder = Path(tempfile.mkdtemp(prefix="bulkscreen-"))
    try:
        yield folder / "run"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _input_path(data: Any, folder: Path) -> Path:
    """A path as it is; a frame written as Parquet in the run's folder."""
    if isinstance(data, str | Path):
        return Path(data)
    table = _as_arrow(data)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FRAME_FILE
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial)
    partial.replace(path)
    return path


def _as_arrow(data: Any) -> pa.Table:
    if isinstance(data, pl.DataFrame):
        return data.to_arrow()
    if isinstance(data, pl.LazyFrame):
        return data.collect().to_arrow()
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if type(data).__module__.split(".")[0] == "pandas":
        return pl.from_pandas(data).to_arrow()
    raise InputError(f"cannot screen a {type(data).__name__}", Location(),
                     "pass a polars, pandas or Arrow frame, or the path of a file")
