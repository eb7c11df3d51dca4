"""Every command the README shows runs as written, in order, on small inputs of the names it uses.

The two set-up commands (a virtual environment and an install) are what CI itself runs; the
demo they end with runs here as written. The input files the examples name (customers.csv,
shipments.csv, history.parquet, visitors.xlsx, export.csv in cp932, denied.csv) are made small.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import polars as pl
import pytest
from cli_run import run_cli

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    """The ``bulkscreen`` commands of the README's bash blocks, continuations joined."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #")[0].strip()
            if "&&" in line:  # the two set-up commands: keep the bulkscreen part of each
                line = line.split("&&")[-1].strip().removeprefix(".venv/bin/")
            if line.startswith("bulkscreen "):
                commands.append(line)
    return commands


def _inputs(folder: Path) -> None:
    from bulkscreen.tools.generate.listnames import load_list_names
    from bulkscreen.tools.generate.persons import generate_persons
    from bulkscreen.tools.generate.shipments import generate_shipments

    names = load_list_names()
    generate_shipments(300, 3, folder / "shipments.csv", names, listed_rate=0.05, fmt="csv")
    generate_shipments(300, 4, folder / "history.parquet", names, listed_rate=0.05)
    generate_persons(120, 5, folder / "visitors.csv", names, listed_rate=0.05, fmt="csv")
    pl.read_csv(folder / "visitors.csv", infer_schema_length=0).write_excel(
        folder / "visitors.xlsx")
    pl.DataFrame({
        "customer_no": ["C-1", "C-2"], "company": ["Argut OOO", "Kyoto Optics KK"],
        "contact": ["Ivan Petrov", "Hanako Sato"], "country": ["RU", "JP"],
        "contact_born": ["1961-03-02", "1990"],
    }).write_csv(folder / "customers.csv")
    export = ("shipment_id,Date,Buyer,consignee_country,destination_country,hs_code,value_jpy\n"
              "E-1,2025-05-01,株式会社京都光学,JP,JP,901380,120000\n"
              "E-2,2025-05-02,Argut OOO,RU,RU,847130,300000\n")
    (folder / "export.csv").write_bytes(export.encode("cp932"))
    pl.DataFrame({"Ref": ["D-1", "D-2"], "Company": ["Acme Dual Use Trading", "Zenith Optics"]}
                 ).write_csv(folder / "denied.csv")


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    commands = readme_commands()
    assert any(c.startswith("bulkscreen demo") for c in commands)
    assert any(c.startswith("bulkscreen lists import") for c in commands)
    _inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    for command in commands:
        code = run_cli(*shlex.split(command)[1:])
        assert code == 0, f"README command failed with exit {code}: {command}"
    assert (tmp_path / "runs" / "shipments" / "review.xlsx").is_file()
    assert (tmp_path / "runs" / "export" / "run.json").is_file()
