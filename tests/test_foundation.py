"""The package's contracts: kernel import purity, schemas equal to the column registry, config."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import bulkscreen_kernels
from bulkscreen.columns import TABLES
from bulkscreen.config import RunConfig, config_template, load_config
from bulkscreen.errors import ConfigError
from bulkscreen.schemas import render_schema, schema_file_name

REPO = Path(__file__).resolve().parents[1]
ALLOWED_KERNEL_IMPORTS = {"numpy", "numba", "__future__", "math", "bulkscreen_kernels"}


def _imported_roots(source: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_kernels_import_numpy_and_numba_only():
    folder = Path(bulkscreen_kernels.__file__).parent
    files = sorted(folder.rglob("*.py"))
    assert files, "no kernel modules found"
    for path in files:
        extra = _imported_roots(path.read_text(encoding="utf-8")) - ALLOWED_KERNEL_IMPORTS
        assert not extra, f"{path.name} imports {sorted(extra)}"


@pytest.mark.parametrize("table_name", sorted(TABLES))
def test_checked_in_schema_equals_column_registry(table_name):
    table = TABLES[table_name]
    path = REPO / "schemas" / schema_file_name(table)
    assert path.exists(), f"run `bulkscreen schemas write schemas` to create {path.name}"
    assert path.read_text(encoding="utf-8") == render_schema(table), (
        f"{path.name} differs from columns.py; run `bulkscreen schemas write schemas`"
    )
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert list(schema["properties"]) == table.names


def test_config_precedence_file_env_flags(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("batch_size = 10\n[match]\ntop_k = 4\n", encoding="utf-8")
    env = {"BULKSCREEN_BATCH_SIZE": "20", "BULKSCREEN_MATCH__HIT_THRESHOLD": "0.95"}
    config = load_config(path, flags={"batch_size": 30, "as_of": None}, environ=env)
    assert config.batch_size == 30
    assert config.match.top_k == 4
    assert config.match.hit_threshold == 0.95


def test_config_collects_every_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('batch_size = 0\nas_of = "soon"\n[match]\ntop_k = 0\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    text = info.value.render()
    for key in ("batch_size", "as_of", "match.top_k"):
        assert key in text
    assert str(path) in text


def test_config_template_round_trips(tmp_path):
    path = tmp_path / "template.toml"
    path.write_text(config_template(), encoding="utf-8")
    assert load_config(path, environ={}) == RunConfig()


def test_config_hash_is_canonical():
    a = RunConfig(lists=["a"], batch_size=5)
    b = RunConfig.model_validate({"batch_size": 5, "lists": ["a"]})
    assert a.hash() == b.hash()
    assert a.hash() != RunConfig(lists=["b"], batch_size=5).hash()


def test_bundled_data_is_found_where_the_package_is_installed():
    from bulkscreen._data import datasets_dir, schemas_dir

    assert (datasets_dir() / "lists").is_dir()
    assert (datasets_dir() / "rules").is_dir()
    assert (schemas_dir() / "shipments.v1.json").is_file()
