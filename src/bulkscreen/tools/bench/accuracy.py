"""Accuracy of pair scorers on labelled pairs: precision, recall and F1 per threshold.

A pair counts as predicted-match when its score is at or above the threshold, compared in
float32 as the matcher compares its own scores (``score >= float32(threshold)``), so a score
of exactly 0.90 is a hit at 0.90. Precision is undefined (NaN) where nothing is predicted.

:func:`evaluate` runs every scorer on the same pairs and returns a :class:`AccuracyReport`:
the threshold sweep, the full precision-recall curve, the best-F1 operating point, the
metrics at the configured hit and review thresholds, and per-kind recall (match kinds) or
false-positive rate (non-match kinds).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from bulkscreen.columns import LABELLED_PAIRS
from bulkscreen.errors import InputError, InputSchemaError, Location

THRESHOLDS = np.round(np.arange(50, 101) / 100.0, 2)
"""The threshold grid: 0.50 to 1.00 in steps of 0.01."""

SWEEP_SCHEMA = pa.schema([
    ("scorer", pa.string()), ("threshold", pa.float64()), ("tp", pa.int64()),
    ("fp", pa.int64()), ("fn", pa.int64()), ("tn", pa.int64()), ("precision", pa.float64()),
    ("recall", pa.float64()), ("f1", pa.float64()),
])
KIND_SCHEMA = pa.schema([
    ("scorer", pa.string()), ("kind", pa.string()), ("is_match", pa.bool_()),
    ("pairs", pa.int64()), ("threshold_name", pa.string()), ("threshold", pa.float64()),
    ("rate", pa.float64()), ("metric", pa.string()),
])


@dataclass(frozen=True)
class Confusion:
    """Counts at one threshold, with the derived rates (precision NaN when undefined)."""

    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        """TP / (TP + FP); NaN when nothing is predicted a match."""
        predicted = self.tp + self.fp
        return self.tp / predicted if predicted else math.nan

    @property
    def recall(self) -> float:
        """TP / (TP + FN); NaN when there are no matches."""
        actual = self.tp + self.fn
        return self.tp / actual if actual else math.nan

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall; 0 when either is 0 or undefined."""
        p, r = self.precision, self.recall
        if math.isnan(p) or math.isnan(r) or p + r == 0:
            return 0.0
        return 2 * p * r / (p + r)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready counts and rates (NaN written as None)."""
        return {"threshold": self.threshold, "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "tn": self.tn, "precision": _json_float(self.precision),
                "recall": _json_float(self.recall), "f1": _json_float(self.f1)}


def _json_float(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 6)


def _checked(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=np.float32)
    labels = np.asarray(labels, dtype=bool)
    if scores.shape != labels.shape or scores.ndim != 1:
        raise ValueError(f"scores {scores.shape} and labels {labels.shape} must be 1-D and "
                         "of the same length")
    return scores, labels


def confusion_at(scores: np.ndarray, labels: np.ndarray, threshold: float) -> Confusion:
    """Confusion counts of ``scores >= float32(threshold)`` against ``labels``.

    Parameters
    ----------
    scores
        Pair scores (compared in float32).
    labels
        True where the pair is a match.
    threshold
        Least score predicted a match.

    Returns
    -------
    Confusion
    """
    scores, labels = _checked(scores, labels)
    predicted = scores >= np.float32(threshold)
    tp = int(np.count_nonzero(predicted & labels))
    fp = int(np.count_nonzero(predicted & ~labels))
    fn = int(np.count_nonzero(~predicted & labels))
    tn = int(np.count_nonzero(~predicted & ~labels))
    return Confusion(float(threshold), tp, fp, fn, tn)


def threshold_sweep(scores: np.ndarray, labels: np.ndarray,
                    thresholds: Sequence[float] = tuple(THRESHOLDS)) -> list[Confusion]:
    """Confusion counts at each threshold (default :data:`THRESHOLDS`)."""
    return [confusion_at(scores, labels, t) for t in thresholds]


def best_operating_point(sweep: Sequence[Confusion]) -> Confusion:
    """The threshold with the highest F1; among equal F1, the highest threshold."""
    if not sweep:
        raise ValueError("the sweep is empty")
    return max(sweep, key=lambda c: (c.f1, c.threshold))


def precision_recall_curve(scores: np.ndarray, labels: np.ndarray
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact precision-recall curve: one point per distinct score, highest first.

    Returns
    -------
    thresholds, precision, recall : numpy.ndarray
        At threshold ``thresholds[i]`` (a distinct score), the precision and recall of
        ``scores >= thresholds[i]``. Empty arrays when there are no scores.
    """
    scores, labels = _checked(scores, labels)
    if scores.shape[0] == 0:
        empty = np.empty(0, dtype=np.float64)
        return empty, empty, empty
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_labels = scores[order], labels[order]
    tp = np.cumsum(sorted_labels)
    predicted = np.arange(1, scores.shape[0] + 1)
    # Keep the last position of each run of equal scores: ties are predicted together.
    last = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    positives = max(int(labels.sum()), 1)
    return (sorted_scores[last].astype(np.float64), tp[last] / predicted[last],
            tp[last] / positives)


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the precision-recall step curve (sum of precision x recall gained)."""
    _, precision, recall = precision_recall_curve(scores, labels)
    if recall.shape[0] == 0:
        return math.nan
    gained = np.diff(np.r_[0.0, recall])
    return float(np.sum(precision * gained))


def false_alerts_per_10k(confusion: Confusion) -> float:
    """False positives per 10,000 non-matches (NaN when there are none)."""
    negatives = confusion.fp + confusion.tn
    return 10_000 * confusion.fp / negatives if negatives else math.nan


def kind_rates(scores: np.ndarray, labels: np.ndarray, kinds: Sequence[str],
               threshold: float) -> dict[str, dict[str, Any]]:
    """Per kind: recall (match kinds) or false-positive rate (non-match kinds) at a threshold.

    Returns
    -------
    dict
        kind -> ``{"is_match", "pairs", "metric" ("recall" or "false_positive_rate"),
        "rate"}``, kinds in first-seen order.
    """
    scores, labels = _checked(scores, labels)
    kinds_array = np.asarray(list(kinds), dtype=object)
    predicted = scores >= np.float32(threshold)
    out: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(kinds_array.tolist()):
        rows = kinds_array == kind
        match_rows = rows & labels
        other_rows = rows & ~labels
        is_match = bool(match_rows.sum() >= other_rows.sum())
        chosen = match_rows if is_match else other_rows
        n = int(chosen.sum())
        rate = float(np.count_nonzero(predicted & chosen) / n) if n else math.nan
        out[kind] = {"is_match": is_match, "pairs": n,
                     "metric": "recall" if is_match else "false_positive_rate", "rate": rate}
    return out


@dataclass
class ScorerResult:
    """Everything measured for one scorer."""

    scorer: str
    scores: np.ndarray
    sweep: list[Confusion]
    best: Confusion
    at_hit: Confusion
    at_review: Confusion
    average_precision: float
    kinds_at_hit: dict[str, dict[str, Any]]
    kinds_at_best: dict[str, dict[str, Any]]
    seconds: float
    at_own: Confusion | None = None
    """At the scorer's own operating point (see ``evaluate``'s ``thresholds``)."""
    kinds_at_own: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def own(self) -> Confusion:
        """The own operating point, or the hit threshold's when the scorer has none."""
        return self.at_own if self.at_own is not None else self.at_hit

    @property
    def false_alerts_per_10k(self) -> float:
        """Non-matches at or above the own threshold, per 10,000 non-matches."""
        return false_alerts_per_10k(self.own)


@dataclass
class AccuracyReport:
    """Results of every scorer on one set of labelled pairs."""

    pairs_file: str | None
    pairs: int
    matches: int
    hit_threshold: float
    review_threshold: float
    labels: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, dtype=bool))
    results: list[ScorerResult] = field(default_factory=list)

    def sweep_table(self) -> pa.Table:
        """One row per (scorer, threshold): counts, precision, recall, F1."""
        rows = [{"scorer": r.scorer, **c.as_dict()} for r in self.results for c in r.sweep]
        for row in rows:
            for key in ("precision", "recall", "f1"):
                row[key] = math.nan if row[key] is None else row[key]
        return pa.Table.from_pylist(rows, schema=SWEEP_SCHEMA)

    def kind_table(self) -> pa.Table:
        """One row per (scorer, kind, threshold used): recall or false-positive rate."""
        rows = []
        for r in self.results:
            for name, threshold, kinds in (("hit", self.hit_threshold, r.kinds_at_hit),
                                           ("best_f1", r.best.threshold, r.kinds_at_best),
                                           ("own", r.own.threshold, r.kinds_at_own)):
                rows.extend({"scorer": r.scorer, "kind": kind, "is_match": v["is_match"],
                             "pairs": v["pairs"], "threshold_name": name,
                             "threshold": threshold, "rate": v["rate"], "metric": v["metric"]}
                            for kind, v in kinds.items())
        return pa.Table.from_pylist(rows, schema=KIND_SCHEMA)

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary: per scorer the best point, the configured points, AP, kinds."""
        def kinds(values: dict[str, dict[str, Any]]) -> dict[str, Any]:
            return {k: {**v, "rate": _json_float(v["rate"])} for k, v in values.items()}

        return {
            "pairs_file": self.pairs_file, "pairs": self.pairs, "matches": self.matches,
            "non_matches": self.pairs - self.matches,
            "hit_threshold": self.hit_threshold, "review_threshold": self.review_threshold,
            "scorers": {
                r.scorer: {
                    "best_f1": r.best.as_dict(), "at_hit_threshold": r.at_hit.as_dict(),
                    "at_review_threshold": r.at_review.as_dict(),
                    "at_own_threshold": r.own.as_dict(),
                    "false_alerts_per_10k": _json_float(r.false_alerts_per_10k),
                    "average_precision": _json_float(r.average_precision),
                    "kinds_at_hit_threshold": kinds(r.kinds_at_hit),
                    "kinds_at_best_f1": kinds(r.kinds_at_best),
                    "kinds_at_own_threshold": kinds(r.kinds_at_own),
                    "seconds": round(r.seconds, 3),
                } for r in self.results
            },
        }


def read_pairs(path: Path) -> pa.Table:
    """Read and validate a labelled-pairs Parquet or CSV file (``schemas/labelled_pairs``).

    Raises
    ------
    InputError
        The file is missing or unreadable, or holds no pairs.
    InputSchemaError
        A column is missing, or a required value is empty (named with its row).
    """
    import polars as pl

    path = Path(path)
    if not path.is_file():
        raise InputError("labelled pairs file not found", Location(file=str(path)),
                         "give a Parquet or CSV file with name_a, name_b, is_match, kind; "
                         "`bulkscreen bench pairs` builds one")
    try:
        if path.suffix.lower() == ".csv":
            frame = pl.read_csv(path, infer_schema_length=0)
        else:
            frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for a damaged file
        raise InputError(f"cannot read the labelled pairs ({exc})", Location(file=str(path)),
                         "give a Parquet or UTF-8 CSV file") from None
    for column in LABELLED_PAIRS.names:
        if column not in frame.columns:
            raise InputSchemaError(f"missing column {column!r}",
                                   Location(file=str(path), column=column),
                                   "columns: name_a, name_b, is_match (true/false), kind")
    if frame.height == 0:
        raise InputError("the labelled pairs file holds no pairs", Location(file=str(path)),
                         "add pairs, or use the shipped pairs (omit --pairs)")
    if frame.schema["is_match"] != pl.Boolean:
        text = pl.col("is_match").cast(pl.String).str.strip_chars().str.to_lowercase()
        frame = frame.with_columns(
            pl.when(text.is_in(["true", "1", "yes"])).then(True)
            .when(text.is_in(["false", "0", "no"])).then(False)
            .otherwise(None).alias("is_match"))
    frame = frame.with_row_index("_row", offset=1)
    for column in LABELLED_PAIRS.names:
        bad = frame.filter(pl.col(column).is_null())
        if bad.height:
            raise InputSchemaError(f"empty or invalid {column}",
                                   Location(file=str(path), row=int(bad["_row"][0]),
                                            column=column),
                                   "every pair needs name_a, name_b, is_match (true or "
                                   "false) and kind")
    return frame.drop("_row").select(LABELLED_PAIRS.names).to_arrow().cast(
        LABELLED_PAIRS.arrow_schema())


def evaluate(pairs: pa.Table, scorers: Mapping[str, Any], hit_threshold: float,
             review_threshold: float, pairs_file: str | None = None,
             thresholds: Mapping[str, float] | None = None) -> AccuracyReport:
    """Score the pairs with every scorer and measure each.

    Parameters
    ----------
    pairs
        ``LABELLED_PAIRS`` rows.
    scorers
        Name -> ``(names_a, names_b) -> float32 scores`` (see ``bulkscreen.tools.bench.scorers``).
    hit_threshold, review_threshold
        The configured thresholds, reported for every scorer.
    pairs_file
        Where the pairs came from (recorded).
    thresholds
        Scorer name -> its own operating point (a peer's threshold differs from ours); a
        scorer not named is measured at ``hit_threshold``.

    Returns
    -------
    AccuracyReport
    """
    import time

    names_a = pairs.column("name_a").to_pylist()
    names_b = pairs.column("name_b").to_pylist()
    labels = np.asarray(pairs.column("is_match").to_pylist(), dtype=bool)
    kinds = pairs.column("kind").to_pylist()
    report = AccuracyReport(pairs_file, len(labels), int(labels.sum()), hit_threshold,
                            review_threshold, labels)
    for name, scorer in scorers.items():
        started = time.perf_counter()
        scores = np.asarray(scorer(names_a, names_b), dtype=np.float32)
        seconds = time.perf_counter() - started
        sweep = threshold_sweep(scores, labels)
        best = best_operating_point(sweep)
        own = (thresholds or {}).get(name, hit_threshold)
        report.results.append(ScorerResult(
            scorer=name, scores=scores, sweep=sweep, best=best,
            at_hit=confusion_at(scores, labels, hit_threshold),
            at_review=confusion_at(scores, labels, review_threshold),
            average_precision=average_precision(scores, labels),
            kinds_at_hit=kind_rates(scores, labels, kinds, hit_threshold),
            kinds_at_best=kind_rates(scores, labels, kinds, best.threshold),
            seconds=seconds,
            at_own=confusion_at(scores, labels, own),
            kinds_at_own=kind_rates(scores, labels, kinds, own)))
    return report


def write_report(report: AccuracyReport, out_dir: Path, html: bool = True) -> dict[str, Path]:
    """Write metrics.parquet (sweep), kinds.parquet, metrics.json and, optionally, the
    precision-recall page accuracy.html.

    Returns
    -------
    dict
        Output name -> path.
    """
    import pyarrow.parquet as pq

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"metrics": out_dir / "metrics.parquet", "kinds": out_dir / "kinds.parquet",
             "summary": out_dir / "metrics.json"}
    pq.write_table(report.sweep_table(), paths["metrics"], compression="zstd")
    pq.write_table(report.kind_table(), paths["kinds"], compression="zstd")
    paths["summary"].write_text(json.dumps(report.summary(), indent=2, ensure_ascii=False)
                                + "\n", encoding="utf-8")
    if html:
        from bulkscreen.tools.bench.charts import write_accuracy_html

        paths["html"] = write_accuracy_html(report, out_dir / "accuracy.html")
    return paths


def _fmt(value: float | None) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.3f}"


def print_report(report: AccuracyReport, console: Any = None, kinds: bool = True,
                 title: str = "operating points") -> None:
    """Print the operating points (each scorer at its own threshold, and at its best F1) and,
    with ``kinds``, the per-kind rates as rich tables."""
    from rich.console import Console
    from rich.table import Table as RichTable

    console = console or Console()
    console.print(f"{report.pairs} labelled pairs ({report.matches} matches, "
                  f"{report.pairs - report.matches} non-matches)"
                  + (f" from {report.pairs_file}" if report.pairs_file else "")
                  + "; rf-* are rapidfuzz baselines")
    points = RichTable(title=title, show_header=True)
    for column in ("scorer", "threshold", "precision", "recall", "F1", "false alerts/10k",
                   "best F1", "best F1 at", "avg precision", "seconds"):
        points.add_column(column, justify="left" if column == "scorer" else "right")
    for r in report.results:
        own = r.own
        alerts = r.false_alerts_per_10k
        points.add_row(r.scorer, f"{own.threshold:.2f}", _fmt(own.precision),
                       _fmt(own.recall), _fmt(own.f1),
                       "n/a" if math.isnan(alerts) else f"{alerts:.0f}", _fmt(r.best.f1),
                       f"{r.best.threshold:.2f}", _fmt(r.average_precision),
                       f"{r.seconds:.2f}")
    console.print(points)
    if not kinds:
        return
    for kind_title, attribute in (("by kind at each scorer's own threshold", "kinds_at_own"),
                             ("by kind at each scorer's best-F1 threshold", "kinds_at_best")):
        by_kind = RichTable(title=kind_title, show_header=True)
        by_kind.add_column("kind", no_wrap=True)
        by_kind.add_column("pairs", justify="right")
        by_kind.add_column("metric")
        for r in report.results:
            by_kind.add_column(r.scorer, justify="right")
        first = getattr(report.results[0], attribute) if report.results else {}
        for kind, values in first.items():
            by_kind.add_row(kind, str(values["pairs"]),
                            "recall" if values["is_match"] else "FP rate",
                            *(_fmt(getattr(r, attribute)[kind]["rate"])
                              for r in report.results))
        console.print(by_kind)
