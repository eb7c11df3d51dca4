"""The accuracy page: precision-recall curves and F1 by threshold, one self-contained HTML."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from bulkscreen.tools.bench.accuracy import AccuracyReport

CHART_WIDTH = 460


def _curve_frame(report: AccuracyReport) -> pl.DataFrame:
    from bulkscreen.tools.bench.accuracy import precision_recall_curve

    frames = []
    for result in report.results:
        thresholds, precision, recall = precision_recall_curve(result.scores, report.labels)
        curve = pl.DataFrame({"scorer": result.scorer, "threshold": thresholds,
                              "precision": precision, "recall": recall})
        # Exact curve points, at most one per 0.001 of score: small enough to inline.
        frames.append(curve.with_columns(pl.col("threshold").round(3).alias("_bucket"))
                      .unique("_bucket", keep="last", maintain_order=True).drop("_bucket"))
    return pl.concat(frames)


def pr_curve_chart(report: AccuracyReport) -> Any:
    """Precision against recall for every scorer (step curve over distinct scores)."""
    import altair as alt

    return alt.Chart(_curve_frame(report), title="Precision-recall curves",
                     width=CHART_WIDTH, height=CHART_WIDTH).mark_line(
        interpolate="step-after").encode(
        alt.X("recall:Q", scale=alt.Scale(domain=[0, 1])),
        alt.Y("precision:Q", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("scorer:N", sort=[r.scorer for r in report.results]),
        tooltip=["scorer", "threshold", "precision", "recall"],
    )


def f1_chart(report: AccuracyReport) -> Any:
    """F1 by threshold for every scorer, with the configured hit threshold marked."""
    import altair as alt

    sweep = pl.from_arrow(report.sweep_table()).select("scorer", "threshold", "f1")
    lines = alt.Chart(sweep, title="F1 by threshold", width=CHART_WIDTH).mark_line().encode(
        alt.X("threshold:Q", scale=alt.Scale(domain=[0.5, 1.0])),
        alt.Y("f1:Q", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("scorer:N", sort=[r.scorer for r in report.results]),
        tooltip=["scorer", "threshold", "f1"],
    )
    rule = alt.Chart(pl.DataFrame({"threshold": [report.hit_threshold]})).mark_rule(
        color="#b2182b", strokeDash=[4, 3]).encode(x="threshold:Q")
    return lines + rule


def write_accuracy_html(report: AccuracyReport, path: Path) -> Path:
    """Write the accuracy page (charts inlined as SVG; no script, no network)."""
    from markupsafe import Markup

    from bulkscreen.report.html import render_svg, render_template, write_text_atomic

    summary = report.summary()
    kinds = list(report.results[0].kinds_at_hit) if report.results else []
    page = render_template(
        "accuracy.html.j2", title="bulkscreen matcher accuracy", summary=summary,
        kinds=kinds, charts=[Markup(render_svg(pr_curve_chart(report))),
                             Markup(render_svg(f1_chart(report)))])
    return write_text_atomic(page, Path(path))
