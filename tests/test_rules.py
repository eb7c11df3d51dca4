"""Rule data: bundled versions load, match their JSON Schemas, and bad data fails clearly."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import shutil
import tomllib

import jsonschema
import pytest

from bulkscreen._data import datasets_dir, schemas_dir
from bulkscreen.errors import RuleDataError
from bulkscreen.rules import compile_rules, load_rules, rules_catalog, rules_in_force
from bulkscreen.rules.units import UnitError, conversion, input_conversion, to_si

VERSION = "2025-10-09"
FILES = ("source", "control_list", "destinations", "measures", "catch_all", "exemptions")


def _version_dir():
    return datasets_dir() / "rules" / "jp" / VERSION


def _as_json(value):
    # TOML dates become ISO strings, as the schemas describe them.
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("name", FILES)
def test_rule_file_matches_its_json_schema(name):
    schema = json.loads((schemas_dir() / f"rules_{name}.v1.json").read_text(encoding="utf-8"))
    data = tomllib.loads((_version_dir() / f"{name}.toml").read_text(encoding="utf-8"))
    jsonschema.validate(_as_json(data), schema)


def test_bundled_rules_load_with_at_least_thirty_real_entries():
    ruleset = load_rules(VERSION)
    assert len(ruleset.entries) >= 30
    rows = {e.row for e in ruleset.entries}
    assert {"1", "2", "4", "5", "6", "7", "8", "9", "10", "11", "13"} <= rows
    assert any(note.startswith("control entry") for note in ruleset.verify_notes)


def test_catalog_hash_is_stable_and_in_force_picks_by_date():
    first, second = rules_catalog(), rules_catalog()
    assert first[0].sha256 == second[0].sha256 and len(first[0].sha256) == 64
    assert rules_in_force(dt.date(2030, 1, 1)).version == first[-1].version
    # Before the first publication the first version answers (it carries per-rule dates).
    assert rules_in_force(dt.date(2010, 1, 1)).version == first[0].version


def test_catalog_hash_changes_with_content_and_new_version_wins(tmp_path):
    root = tmp_path / "jp"
    shutil.copytree(_version_dir(), root / VERSION)
    shutil.copytree(_version_dir(), root / f"{VERSION}-r2")
    path = root / f"{VERSION}-r2" / "source.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# correction\n", encoding="utf-8")
    catalog = rules_catalog(root=root)
    assert [v.version for v in catalog] == [VERSION, f"{VERSION}-r2"]
    assert catalog[0].sha256 != catalog[1].sha256
    assert rules_in_force(dt.date(2026, 1, 1), root=root).version == f"{VERSION}-r2"


def _broken_copy(tmp_path, file_name, old, new):
    root = tmp_path / "jp"
    shutil.copytree(_version_dir(), root / VERSION)
    path = root / VERSION / file_name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


@pytest.mark.parametrize(("file_name", "old", "new", "expected"), [
    ("control_list.toml", 'op = ">", value = 5, unit = "m" }', 'op = "=>", value = 5, unit = "m" }',
     "op"),
    ("control_list.toml", 'param = "drilling_depth"', 'param = "driling_depth"',
     "unknown parameter"),
    ("control_list.toml", 'value = 5, unit = "m" }', 'value = 5, unit = "deg/h" }', "does not fit"),
    ("destinations.toml", 'from = "2014-09-15"', 'from = "15.09.2014"', "not a date"),
    ("measures.toml", 'scope = "all"\ncountries', 'scope = "everything"\ncountries', "scope"),
])
def test_malformed_rule_data_names_file_key_and_fix(tmp_path, file_name, old, new, expected):
    root = _broken_copy(tmp_path, file_name, old, new)
    with pytest.raises(RuleDataError) as info:
        load_rules(VERSION, root=root)
    text = info.value.render()
    assert file_name in text and expected in text and "fix:" in text


def test_error_points_at_the_entry_line(tmp_path):
    root = _broken_copy(tmp_path, "control_list.toml", 'param = "drilling_depth"',
                        'param = "driling_depth"')
    with pytest.raises(RuleDataError) as info:
        load_rules(VERSION, root=root)
    lines = (root / VERSION / "control_list.toml").read_text(encoding="utf-8").splitlines()
    assert lines[info.value.where.line - 1].strip() == 'id = "2B001.f"'


def test_unknown_version_lists_the_known_ones():
    with pytest.raises(RuleDataError, match=VERSION):
        load_rules("1999-01-01")


def test_compiled_rules_are_picklable_and_thresholds_in_si():
    compiled = compile_rules(load_rules(VERSION))
    again = pickle.loads(pickle.dumps(compiled))
    assert again.version == VERSION
    texts = list(again.nodes.text)
    node = texts.index("repeatability <= 0.9 um")
    assert again.nodes.threshold[node] == pytest.approx(0.9e-6)


@pytest.mark.parametrize(("value", "unit", "si"), [
    (0.9, "µm", 0.9e-6), (1.3, "GSPS", 1.3e9), (600, "MSPS", 6e8), (2.0, "GB/s", 1.6e10),
    (500, "Gbit/s", 5e11), (200, "degC", 473.15), (5e3, "Gy(Si)", 5e3), (30, "min", 1800),
    (46.3, "km/h", 46.3 / 3.6), (2000, "cc", 2e-3), (70, "WT", 70),
])
def test_units_convert_to_si(value, unit, si):
    assert to_si(value, unit) == pytest.approx(si)


def test_units_refuse_missing_and_incompatible_units():
    with pytest.raises(UnitError, match="unit missing"):
        input_conversion("", "um")
    with pytest.raises(UnitError, match="not"):
        input_conversion("mm", "deg/h")
    with pytest.raises(UnitError, match="unknown unit"):
        conversion("florps")
    assert input_conversion("", "1").scale == 1.0  # counts need no unit


def test_cli_rules_show_and_verify():
    from click.testing import CliRunner

    from bulkscreen.cli import cli

    runner = CliRunner()
    shown = runner.invoke(cli, ["rules", "show", "--as-of", "2019-08-28"])
    assert shown.exit_code == 0, shown.output
    assert "group B: KR" in shown.output and "kp-export-ban" in shown.output
    verified = runner.invoke(cli, ["rules", "verify"])
    assert verified.exit_code == 0 and f"ok jp/{VERSION}" in verified.output
