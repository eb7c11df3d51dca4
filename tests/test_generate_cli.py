"""``bulkscreen generate``: the command a user runs, against the bundled real lists."""

from __future__ import annotations

import pyarrow.compute as pc
import pyarrow.parquet as pq
from click.testing import CliRunner

from bulkscreen.cli import cli
from bulkscreen.tools.generate.listnames import load_list_names


def _generate(tmp_path, kind: str, out: str, *extra: str):
    args = ["generate", kind, "--rows", "400", "--seed", "9", "--out", str(tmp_path / out),
            "--end-date", "2025-06-30", *extra]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_generate_shipments_plants_real_list_names(tmp_path):
    result = _generate(tmp_path, "shipments", "ship.csv", "--listed-rate", "0.2",
                       "--lists", "jp-meti-eul")
    assert result.exit_code == 0, result.output
    assert "400 shipments, csv" in result.output
    truth = pq.read_table(tmp_path / "ship.truth.parquet")
    planted = truth.filter(pc.equal(truth["source"], "list"))
    assert planted.num_rows > 40
    real = {(n.entry_id, n.name) for n in load_list_names(["jp-meti-eul"])}
    assert set(planted["list_id"].to_pylist()) == {"jp-meti-eul"}
    assert {(r["entry_id"], r["original_name"]) for r in planted.to_pylist()} <= real


def test_generate_is_byte_identical_for_the_same_seed(tmp_path):
    for out in ("a.parquet", "b.parquet"):
        result = _generate(tmp_path, "persons", out, "--listed-rate", "0")
        assert result.exit_code == 0, result.output
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert (tmp_path / "a.truth.parquet").exists()


def test_generate_with_dirty_rows_reports_them(tmp_path):
    result = _generate(tmp_path, "persons", "p.csv", "--listed-rate", "0", "--dirty-rate",
                       "0.1")
    assert result.exit_code == 0, result.output
    assert "dirty rows" in result.output
    assert pq.read_table(tmp_path / "p.dirty.parquet").num_rows > 10


def test_generate_rejects_a_bad_rate(tmp_path):
    result = _generate(tmp_path, "shipments", "s.parquet", "--listed-rate", "1.5")
    assert result.exit_code == 2
    assert "listed-rate" in result.output
    assert not list(tmp_path.iterdir())
