"""``bulkscreen bench``: the matcher accuracy benchmark and its labelled pairs."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("bench")
def bench_group() -> None:
    """Measure the name matcher against labelled pairs, beside rapidfuzz baselines."""


@bench_group.command("pairs")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Parquet file to write; source.toml is written beside it.")
@click.option("--seed", type=int, default=None,
              help="Random seed [default: the seed of the shipped pairs].")
def pairs(out: Path, seed: int | None) -> None:
    """Rebuild the labelled pairs from the bundled lists (deterministic for a seed)."""
    from bulkscreen.tools.bench.pairs import (
        DEFAULT_SEED,
        build_labelled_pairs,
        kind_counts,
        write_labelled_pairs,
    )

    seed = DEFAULT_SEED if seed is None else seed
    table = build_labelled_pairs(seed)
    source = write_labelled_pairs(table, out, seed)
    counts = ", ".join(f"{k} {n}" for k, n in kind_counts(table.column("kind").to_pylist())
                       .items())
    click.echo(f"wrote {table.num_rows} pairs to {out} ({counts}); record in {source}")


@bench_group.command("accuracy")
@click.option("--pairs", "pairs_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Labelled pairs, Parquet or CSV with name_a, name_b, "
              "is_match, kind [default: the shipped pairs].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for metrics.parquet, kinds.parquet, metrics.json "
              "and accuracy.html [default: print only]; the hand-made pairs' go to "
              "hand_made/ inside it.")
@click.option("--html/--no-html", default=True, show_default=True,
              help="Also write accuracy.html with the precision-recall curves.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML configuration file (hit and review thresholds, lists).")
@click.option("--hand-made/--no-hand-made", default=True, show_default=True,
              help="Also score the hand-made pairs (cross-script, initials, acronyms, "
              "ordinals, generic-token negatives) as a separate table.")
@click.option("--peers/--no-peers", default=True, show_default=True,
              help="Score nomenklatura's logic-v2 and name-based matchers too, when the "
              "peers extra is installed.")
def accuracy(pairs_path: Path | None, out_dir: Path | None, html: bool,
             config_path: Path | None, hand_made: bool, peers: bool) -> None:
    """Precision, recall and F1 of our matcher, peer matchers and rapidfuzz baselines.

    Every scorer sees the same pairs. Each is reported at its own threshold (ours: the hit
    threshold; nomenklatura's: 0.70, yente's default; rapidfuzz: 0.90), at its best F1 over
    the thresholds, and by average precision. Our matcher's token weights come from the
    lists the configuration screens against (all bundled lists by default).
    """
    from rich.console import Console

    from bulkscreen.config import load_config
    from bulkscreen.lists import load_snapshots
    from bulkscreen.lists.name_index import build_name_index
    from bulkscreen.tools.bench.accuracy import evaluate, print_report, read_pairs, write_report
    from bulkscreen.tools.bench.pairs import hand_made_pairs_path, shipped_pairs_path
    from bulkscreen.tools.bench.scorers import (
        PEERS_MISSING,
        all_scorers,
        own_thresholds,
        peers_available,
    )

    config = load_config(config_path)
    # Wide enough for one column per scorer, also when the output is piped.
    console = Console(width=max(Console().width, 132))
    if peers and not peers_available():
        console.print(PEERS_MISSING)
    index = build_name_index(load_snapshots(config.lists or None))
    scorers = all_scorers(index, peers=peers)
    thresholds = own_thresholds(config.match.hit_threshold, config.match.review_threshold)
    runs = [(pairs_path or shipped_pairs_path(), out_dir, "operating points")]
    if hand_made:
        runs.append((hand_made_pairs_path(),
                     None if out_dir is None else out_dir / "hand_made",
                     "hand-made pairs: operating points"))
    for path, run_out, title in runs:
        report = evaluate(read_pairs(path), scorers, config.match.hit_threshold,
                          config.match.review_threshold, pairs_file=path.name,
                          thresholds=thresholds)
        print_report(report, console, title=title)
        if run_out is not None:
            for name, written in write_report(report, run_out, html=html).items():
                console.print(f"{name}: {written}")


COMMANDS = [bench_group]
