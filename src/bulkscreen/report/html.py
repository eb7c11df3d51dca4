"""The HTML report of a finished run: one self-contained file that opens with no network.

:func:`write_run_report` reads a run folder (``results.parquet``, ``hits.parquet``,
``run.json``, and ``quarantine.parquet`` when present) and writes one HTML page: a banner of
every list version used (its age, whether it is a sample); counts by decision; for persons,
people per category; a findings table over every finding (search, filters, sort, pages, and a
detail panel with the evidence, the listed entry and the input row); charts by list, country,
year and score, a threshold sweep, what drives REVIEW; the run manifest. Charts are Vega-Lite
specs built with altair and rendered to SVG by vl-convert, then inlined. The table is one
inline script over JSON embedded in the page (``templates/findings.js``): the page fetches
nothing and opens with no network.

Country and year come from the run's input file (destination country of a shipment, each
nationality of a person; shipment date, or visit start of a person) when it can still be read;
otherwise the year falls back to the date each row was judged on and the country chart says
why it is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from bulkscreen.columns import DECISION_SEVERITY, DECISIONS
from bulkscreen.errors import InputError, InputSchemaError, Location, OutputError
from bulkscreen.io.outdir import HITS_FILE, MANIFEST_FILE, QUARANTINE_FILE, RESULTS_FILE

DEFAULT_REPORT = "report.html"

DECISION_ORDER = tuple(reversed(DECISIONS))
DECISION_COLOURS = ("#b2182b", "#ef8a62", "#fddb6d", "#9ecae1")
TOP_COUNTRIES = 25
CHART_WIDTH = 520

# Input columns that give a row's country and year, per input table.
_COUNTRY_COLUMNS = {"shipments": "destination_country", "persons": "nationalities"}
_YEAR_COLUMNS = {"shipments": "shipment_date", "persons": "visit_start"}


@dataclass
class RunData:
    """A finished run read back: its tables, manifest and per-row country and year."""

    run_dir: Path
    results: pl.DataFrame
    hits: pl.DataFrame
    manifest: dict[str, Any]
    quarantined: int
    context: pl.DataFrame
    notes: list[str] = field(default_factory=list)


def _read_parquet(path: Path, required: tuple[str, ...]) -> pl.DataFrame:
    if not path.is_file():
        raise InputError(f"{path.name} not found in the run folder", Location(file=str(path)),
                         "point to the output folder of a finished screening run")
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for a damaged file
        raise InputError(f"cannot read the Parquet file ({exc})", Location(file=str(path)),
                         "re-run the screening that produced it") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputSchemaError(f"missing column {missing[0]!r}",
                               Location(file=str(path), column=missing[0]),
                               "the file is not a results or hits file of bulkscreen")
    return frame


def read_run(run_dir: Path) -> RunData:
    """Read a run folder for reporting.

    Parameters
    ----------
    run_dir
        Output folder of ``bulkscreen screen ...``, ``audit`` or one part of ``demo``.

    Returns
    -------
    RunData

    Raises
    ------
    InputError
        A file is missing or unreadable, or run.json is not JSON.
    InputSchemaError
        A results or hits file lacks a column the report needs.
    """
    run_dir = Path(run_dir)
    results = _read_parquet(run_dir / RESULTS_FILE,
                            ("input_row", "record_id", "as_of_date", "decision", "top_score"))
    hits = _read_parquet(run_dir / HITS_FILE, ("record_id", "finding", "decision",
                                               "reason_code", "score", "explanation"))
    manifest_path = run_dir / MANIFEST_FILE
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("run.json not found in the run folder",
                         Location(file=str(manifest_path)),
                         "point to the output folder of a finished screening run") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"run.json is not valid JSON ({exc})",
                         Location(file=str(manifest_path)),
                         "re-run the screening that produced it") from None
    quarantined = 0
    if (run_dir / QUARANTINE_FILE).is_file():
        quarantined = pl.read_parquet(run_dir / QUARANTINE_FILE, columns=["input_row"]).height
    notes: list[str] = []
    context = _row_context(results, manifest, notes)
    return RunData(run_dir, results, hits, manifest, quarantined, context, notes)


def _row_context(results: pl.DataFrame, manifest: dict[str, Any],
                 notes: list[str]) -> pl.DataFrame:
    """input_row, country (one row per country) and year of every screened row."""
    fallback_year = results.select("input_row", pl.col("as_of_date").dt.year().alias("year"))
    table_name = (manifest.get("table") or {}).get("name")
    inputs = manifest.get("inputs") or []
    country_column = _COUNTRY_COLUMNS.get(table_name or "")
    if country_column is None or not inputs:
        notes.append("country: the run's input table records no country")
        return fallback_year.with_columns(pl.lit(None, pl.String).alias("country"))
    try:
        frame = _read_input_columns(Path(inputs[0]["path"]), table_name, manifest,
                                    [country_column, _YEAR_COLUMNS[table_name]])
    except (OSError, InputError, KeyError) as exc:
        reason = exc.message if isinstance(exc, InputError) else str(exc)
        notes.append(f"country: the input file could not be read again ({reason}); "
                     "years are the dates rows were judged on")
        return fallback_year.with_columns(pl.lit(None, pl.String).alias("country"))
    date_column = _YEAR_COLUMNS[table_name]
    frame = frame.rename({country_column: "country"})
    if frame.schema["country"] == pl.List(pl.String):
        frame = frame.explode("country")
    joined = fallback_year.join(frame, on="input_row", how="left")
    return joined.select(
        "input_row", "country",
        pl.coalesce(pl.col(date_column).dt.year(), pl.col("year")).alias("year"))


def _read_input_columns(path: Path, table_name: str, manifest: dict[str, Any],
                        wanted: list[str]) -> pl.DataFrame:
    """Read the input again through the screening reader; bad rows are set aside, as in the
    run, so input_row numbers agree with results."""
    import tempfile

    from bulkscreen.columns import TABLES
    from bulkscreen.io.quarantine import QuarantineSink
    from bulkscreen.io.readers import open_batches

    settings = (manifest.get("config") or {}).get("settings") or {}
    reading = manifest.get("reading") or {}
    parts = []
    with tempfile.TemporaryDirectory() as scratch, \
            QuarantineSink(Path(scratch) / "quarantine.parquet") as sink:
        stream = open_batches(path, TABLES[table_name],
                              column_map=settings.get("column_map") or None,
                              encoding=reading.get("encoding"), quarantine=sink,
                              fmt=reading.get("format"))
        for batch in stream:
            parts.append(pl.from_arrow(batch.select(["input_row", *wanted])))
    if not parts:
        raise InputError("the input file has no readable rows", Location(file=str(path)))
    return pl.concat(parts)


# --- charts ------------------------------------------------------------------------------------

def render_svg(chart: Any) -> str:
    """Render an altair chart to an SVG string (vl-convert; no browser, no network)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_json())


def _decision_scale() -> Any:
    import altair as alt

    return alt.Scale(domain=list(DECISION_ORDER), range=list(DECISION_COLOURS))


def _stacked_bars(frame: pl.DataFrame, category: str, title: str, sort: list[str] | None,
                  horizontal: bool = True) -> Any:
    import altair as alt

    cat = alt.Y if horizontal else alt.X
    val = alt.X if horizontal else alt.Y
    return alt.Chart(frame, title=title, width=CHART_WIDTH).mark_bar().encode(
        cat(f"{category}:N", sort=sort, title=None),
        val("rows:Q", title="rows"),
        color=alt.Color("decision:N", scale=_decision_scale(), title="decision"),
        order=alt.Order("severity:Q", sort="descending"),
        tooltip=[category, "decision", "rows"],
    )


def decision_chart(results: pl.DataFrame) -> Any:
    """Rows per decision."""
    import altair as alt

    counts = results.group_by("decision").agg(pl.len().alias("rows"))
    counts = pl.DataFrame({"decision": list(DECISION_ORDER)}).join(
        counts, on="decision", how="left").fill_null(0)
    return alt.Chart(counts, title="Rows by decision", width=CHART_WIDTH).mark_bar().encode(
        alt.Y("decision:N", sort=list(DECISION_ORDER), title=None),
        alt.X("rows:Q", title="rows"),
        color=alt.Color("decision:N", scale=_decision_scale(), legend=None),
        tooltip=["decision", "rows"],
    )


def _with_severity(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("decision").replace_strict(DECISION_SEVERITY, default=0)
                              .alias("severity"))


def list_chart(hits: pl.DataFrame) -> Any | None:
    """Findings that name a list entry, per list, split by reason."""
    import altair as alt

    if "list_id" not in hits.columns:
        return None
    party = hits.filter(pl.col("list_id").is_not_null())
    if party.height == 0:
        return None
    counts = party.group_by("list_id", "reason_code").agg(pl.len().alias("findings"))
    order = (party.group_by("list_id").agg(pl.len().alias("n"))
             .sort(["n", "list_id"], descending=[True, False])["list_id"].to_list())
    return alt.Chart(counts, title="Findings by list",
                     width=CHART_WIDTH).mark_bar().encode(
        alt.Y("list_id:N", sort=order, title=None),
        alt.X("findings:Q", title="findings"),
        color=alt.Color("reason_code:N", title="reason"),
        tooltip=["list_id", "reason_code", "findings"],
    )


def country_chart(results: pl.DataFrame, context: pl.DataFrame) -> Any | None:
    """Rows per country (the most frequent countries), stacked by decision."""
    rows = context.filter(pl.col("country").is_not_null()).join(
        results.select("input_row", "decision"), on="input_row", how="inner")
    if rows.height == 0:
        return None
    top = (rows.group_by("country").agg(pl.len().alias("n"))
           .sort(["n", "country"], descending=[True, False]).head(TOP_COUNTRIES))
    counts = _with_severity(rows.filter(pl.col("country").is_in(top["country"].implode()))
                            .group_by("country", "decision").agg(pl.len().alias("rows")))
    title = f"Rows by country (top {min(TOP_COUNTRIES, top.height)})"
    return _stacked_bars(counts, "country", title, top["country"].to_list())


def year_chart(results: pl.DataFrame, context: pl.DataFrame) -> Any | None:
    """Rows per year, stacked by decision."""
    years = context.unique("input_row", keep="first").select("input_row", "year")
    rows = years.join(results.select("input_row", "decision"), on="input_row", how="inner")
    if rows.height == 0:
        return None
    counts = _with_severity(rows.with_columns(pl.col("year").cast(pl.String))
                            .group_by("year", "decision").agg(pl.len().alias("rows")))
    order = sorted(counts["year"].unique().to_list())
    return _stacked_bars(counts, "year", "Rows by year", order, horizontal=False)


def score_histogram(hits: pl.DataFrame, hit_threshold: float) -> Any | None:
    """Histogram of name-match scores (0.01 bins) with the hit threshold marked."""
    import altair as alt

    scores = hits.filter(pl.col("score").is_not_null() & (pl.col("finding") == "party"))
    if scores.height == 0:
        return None
    values = scores["score"].to_numpy().astype(np.float64)
    low = math.floor(values.min() * 100) / 100
    edges = np.round(np.arange(low, 1.0 + 0.0101, 0.01), 2)
    counts, _ = np.histogram(values, bins=edges)
    bins = pl.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:],
                         "findings": counts.astype(np.int64)})
    bars = alt.Chart(bins, title="Name-match score histogram",
                     width=CHART_WIDTH).mark_bar(color="#4c78a8").encode(
        alt.X("bin_start:Q", bin="binned", title="score"),
        alt.X2("bin_end:Q"),
        alt.Y("findings:Q", title="findings"),
        tooltip=["bin_start", "bin_end", "findings"],
    )
    rule = alt.Chart(pl.DataFrame({"threshold": [hit_threshold]})).mark_rule(
        color="#b2182b", strokeDash=[4, 3]).encode(x="threshold:Q")
    return bars + rule


def threshold_sweep(results: pl.DataFrame, low: float) -> pl.DataFrame:
    """Rows whose best name-match score is at or above each threshold, from ``low`` to 1.

    Scores under the review threshold are not kept in a run, so the sweep starts there.
    """
    best = results["top_score"].to_numpy().astype(np.float32)
    thresholds = np.round(np.arange(round(low * 100), 101) / 100.0, 2)
    rows = [int(np.count_nonzero(best >= np.float32(t))) for t in thresholds]
    return pl.DataFrame({"threshold": thresholds, "rows": rows})


def sweep_chart(sweep: pl.DataFrame, hit_threshold: float) -> Any | None:
    """Rows that would be name hits at each threshold, with the configured one marked."""
    import altair as alt

    if sweep.height == 0:
        return None
    line = alt.Chart(sweep, title="Threshold sweep: rows with a name match at or above",
                     width=CHART_WIDTH).mark_line(point=True, color="#4c78a8").encode(
        alt.X("threshold:Q", scale=alt.Scale(zero=False), title="threshold"),
        alt.Y("rows:Q", title="rows"),
        tooltip=["threshold", "rows"],
    )
    rule = alt.Chart(pl.DataFrame({"threshold": [hit_threshold]})).mark_rule(
        color="#b2182b", strokeDash=[4, 3]).encode(x="threshold:Q")
    return line + rule


def review_drivers_chart(hits: pl.DataFrame) -> Any | None:
    """Findings that make rows REVIEW, by reason (item findings and person categories too)."""
    import altair as alt

    review = hits.filter(pl.col("decision") == "REVIEW")
    if review.height == 0:
        return None
    counts = (review.group_by("reason_code", "finding").agg(pl.len().alias("findings"))
              .sort(["findings", "reason_code"], descending=[True, False]))
    order = (counts.group_by("reason_code").agg(pl.col("findings").sum())
             .sort(["findings", "reason_code"], descending=[True, False])["reason_code"]
             .to_list())
    return alt.Chart(counts, title="What drives REVIEW: findings by reason",
                     width=CHART_WIDTH).mark_bar().encode(
        alt.Y("reason_code:N", sort=order, title=None),
        alt.X("findings:Q", title="findings"),
        color=alt.Color("finding:N", title="finding"),
        tooltip=["reason_code", "finding", "findings"],
    )


# --- the findings table ------------------------------------------------------------------------

TABLE_PAGE_ROWS = 25
TABLE_MAX_FINDINGS = 50_000
"""Findings embedded in the page; past this the page would be too heavy to open."""

_TABLE_SHOWN = ("record_id", "decision", "finding", "reason_code", "query_value",
                "matched_name", "list_id", "entry_id", "rule_id", "score", "explanation")
_TABLE_FILTERS = ("decision", "finding", "reason_code", "list_id")
_TABLE_DETAIL = ("input_row", "as_of_date", "field", "list_version", "alias_kind",
                 "match_basis", "value", "threshold", "rule_version", "features")


def findings_table(run: RunData, limit: int = TABLE_MAX_FINDINGS) -> dict[str, Any]:
    """Every finding of the run, with the listed entry's details and the input row's context,
    as the column-wise JSON the page's table reads.

    Parameters
    ----------
    run
        The run read back.
    limit
        Most findings embedded (the most severe first); the page says when some are left out.

    Returns
    -------
    dict
        ``columns``, ``rows`` (lists of values), ``shown_columns``, ``filter_columns``,
        ``page_size``, ``total`` and ``embedded``.
    """
    from bulkscreen.report.context import input_context
    from bulkscreen.report.review import listed_details

    hits = _with_severity(run.hits).sort(
        ["severity", "score", "record_id"], descending=[True, True, False], nulls_last=True)
    embedded = hits.head(limit)
    if embedded.height and "list_id" in embedded.columns:
        details = listed_details(embedded)
        embedded = embedded.join(details, on=["list_id", "list_version", "entry_id"],
                                 how="left")
    context, _ = (input_context(run.run_dir, embedded["input_row"].to_list())
                  if embedded.height else (None, ""))
    if context is not None:
        embedded = embedded.join(context, on="input_row", how="left")
    wanted = [c for c in (*_TABLE_SHOWN, *_TABLE_DETAIL) if c in embedded.columns]
    extra = [c for c in embedded.columns
             if c.startswith(("listed_", "list_publisher", "input_")) and c != "input_row"]
    frame = embedded.select(*wanted, *extra)
    frame = frame.with_columns([pl.col(c).cast(pl.String) for c, t in frame.schema.items()
                                if t not in (pl.String, pl.Float32, pl.Float64, pl.Int64)])
    frame = frame.with_columns([pl.col(c).fill_nan(None).round(4)
                                for c, t in frame.schema.items() if t in (pl.Float32, pl.Float64)])
    return {"columns": frame.columns, "rows": [list(r) for r in frame.iter_rows()],
            "shown_columns": [c for c in _TABLE_SHOWN if c in frame.columns],
            "filter_columns": [c for c in _TABLE_FILTERS if c in frame.columns],
            "page_size": TABLE_PAGE_ROWS, "total": hits.height, "embedded": frame.height}


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` appear raw,
    so no value can close the element or open another."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=str)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _script(name: str) -> str:
    from importlib.resources import files

    return files("bulkscreen.report").joinpath("templates", name).read_text(encoding="utf-8")


# --- list freshness ----------------------------------------------------------------------------

def list_banner(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every list version the run used, with its date, its age on the screening date and
    whether it is a sample; an audit adds the versions of each epoch."""
    from bulkscreen.report.console import _age

    data = manifest.get("data") or {}
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for version in data.get("lists") or []:
        key = (version.get("list_id", ""), version.get("version", ""))
        seen[key] = {"list_id": key[0], "version": key[1],
                     "entries": version.get("entries"),
                     "effective_date": version.get("effective_date", ""),
                     "age": _age(version["age_days"]) if "age_days" in version else "",
                     "sample": bool(version.get("sample")), "used_for": "screening date"}
    for epoch in (manifest.get("extra") or {}).get("audit_epochs") or []:
        for version in epoch.get("lists") or []:
            key = (version.get("list_id", ""), version.get("version", ""))
            if key not in seen:
                seen[key] = {"list_id": key[0], "version": key[1],
                             "entries": version.get("entries"),
                             "effective_date": version.get("effective_date", ""), "age": "",
                             "sample": bool(version.get("sample")),
                             "used_for": f"lines from {epoch.get('from')}"}
    return sorted(seen.values(), key=lambda v: (v["list_id"], v["version"]))


# --- persons -----------------------------------------------------------------------------------

PERSON_CODES = ("SPECIFIC_CATEGORY_1", "CATEGORY_1_EXCLUDED", "SPECIFIC_CATEGORY_2",
                "SPECIFIC_CATEGORY_3", "NON_RESIDENT", "TECH_ACCESS", "TECH_UNCONFIRMED",
                "RED_FLAG_NATIONALITY", "MISSING_INFO", "PARTY_HIT", "PARTY_NEAR_MATCH")


def persons_summary(run: RunData) -> dict[str, Any] | None:
    """The persons part of the report: people per category and residency finding, and visit
    starts per month; None for runs of other inputs."""
    if (run.manifest.get("table") or {}).get("name") != "persons":
        return None
    codes = run.results.select("record_id", "reason_codes").explode("reason_codes").drop_nulls()
    per_code = codes.unique().group_by("reason_codes").agg(pl.len().alias("persons"))
    counts = dict(zip(per_code["reason_codes"].to_list(), per_code["persons"].to_list(),
                      strict=True))
    categories = [(code, counts.get(code, 0)) for code in PERSON_CODES]
    return {"categories": categories, "visits_chart": _visits_chart(run)}


def _visits_chart(run: RunData) -> Any | None:

    context = run.context.unique("input_row", keep="first")
    if context.height == 0 or context["year"].null_count() == context.height:
        return None
    rows = context.join(run.results.select("input_row", "decision"), on="input_row")
    counts = _with_severity(rows.group_by("year", "decision").agg(pl.len().alias("rows"))
                            .with_columns(pl.col("year").cast(pl.String)))
    return _stacked_bars(counts, "year", "Persons by year of visit start",
                         sorted(counts["year"].unique().to_list()), horizontal=False)


# --- the page ----------------------------------------------------------------------------------

def _thresholds(manifest: dict[str, Any]) -> tuple[float, float]:
    from bulkscreen.config import MatchConfig

    match = ((manifest.get("config") or {}).get("settings") or {}).get("match") or {}
    defaults = MatchConfig()
    return (float(match.get("hit_threshold", defaults.hit_threshold)),
            float(match.get("review_threshold", defaults.review_threshold)))


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("bulkscreen.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_template(name: str, **values: Any) -> str:
    """Render one of the report templates (autoescaped)."""
    return _environment().get_template(name).render(**values)


def build_run_report(run: RunData) -> str:
    """The report page of a run as an HTML string."""
    from markupsafe import Markup

    hit_threshold, review_threshold = _thresholds(run.manifest)
    sweep = threshold_sweep(run.results, review_threshold)
    sections = [
        ("Rows by decision", decision_chart(run.results), None),
        ("Findings by list", list_chart(run.hits), "no name-match findings"),
        ("Rows by country", country_chart(run.results, run.context),
         "; ".join(n for n in run.notes if n.startswith("country")) or "no country data"),
        ("Rows by year", year_chart(run.results, run.context), "no rows"),
        ("Score histogram", score_histogram(run.hits, hit_threshold),
         "no name-match findings"),
        ("Threshold sweep", sweep_chart(sweep, hit_threshold), "no rows"),
        ("What drives REVIEW", review_drivers_chart(run.hits), "no REVIEW findings"),
    ]
    charts = [{"title": title, "svg": Markup(render_svg(chart)) if chart is not None else None,
               "missing": missing} for title, chart, missing in sections]
    persons = persons_summary(run)
    if persons is not None:
        chart = persons.pop("visits_chart")
        persons["visits_svg"] = Markup(render_svg(chart)) if chart is not None else None
    table = findings_table(run)
    counts = run.manifest.get("counts") or {}
    decisions = run.results.group_by("decision").agg(pl.len().alias("n"))
    by_decision = dict(zip(decisions["decision"].to_list(), decisions["n"].to_list(),
                           strict=True))
    return render_template(
        "run_report.html.j2",
        title=f"bulkscreen report: {run.run_dir.name}",
        run_dir=run.run_dir.name,
        created_at=run.manifest.get("created_at", ""),
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        table=(run.manifest.get("table") or {}).get("name", ""),
        rows=run.results.height, quarantined=run.quarantined, findings=run.hits.height,
        input_rows=counts.get("input_rows", run.results.height + run.quarantined),
        decisions=[(d, by_decision.get(d, 0)) for d in DECISION_ORDER],
        hit_threshold=hit_threshold, review_threshold=review_threshold,
        charts=charts, sweep=sweep.to_dicts(), notes=run.notes, lists=list_banner(run.manifest),
        persons=persons, findings_json=Markup(script_json(table)),
        findings_total=table["total"], findings_embedded=table["embedded"],
        table_columns=table["shown_columns"], table_filters=table["filter_columns"],
        findings_script=Markup(_script("findings.js")),
        manifest_json=json.dumps(run.manifest, indent=2, ensure_ascii=False, sort_keys=False),
    )


def write_run_report(run_dir: Path, out: Path | None = None) -> Path:
    """Write the HTML report of a finished run.

    Parameters
    ----------
    run_dir
        The run's output folder.
    out
        The HTML file (default ``<run_dir>/report.html``).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputError, InputSchemaError
        The run folder is incomplete or damaged (see :func:`read_run`).
    OutputError
        The file cannot be written.
    """
    run = read_run(Path(run_dir))
    page = build_run_report(run)
    return write_text_atomic(page, Path(out) if out else Path(run_dir) / DEFAULT_REPORT)


def write_text_atomic(text: str, path: Path) -> Path:
    """Write UTF-8 text through a temporary file and a rename."""
    import os

    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path.name} ({exc.strerror})",
                          Location(file=str(path)), "check the folder is writable") from None
    return path
