"""The manifest: a real run.json validates against schemas/manifest.v1.json."""

from __future__ import annotations

import hashlib
import json

import jsonschema
import pytest
from test_pipeline import _input, clear_all

from bulkscreen import _data
from bulkscreen.columns import SHIPMENTS
from bulkscreen.config import RunConfig
from bulkscreen.engines import LocalEngine
from bulkscreen.manifest import fingerprint_file
from bulkscreen.run import RunSpec


@pytest.fixture(scope="module")
def manifest_schema():
    return json.loads((_data.schemas_dir() / "manifest.v1.json").read_text(encoding="utf-8"))


def test_run_json_validates_against_the_schema(tmp_path, manifest_schema):
    spec = RunSpec(_input(tmp_path), tmp_path / "out", RunConfig(), SHIPMENTS,
                   algorithms={"party_names": "party-names-v1"},
                   lists=({"id": "jp-meti-eul", "version": "2025-09-29", "sha256": "0" * 64},),
                   extra={"note": "test"}, progress=False)
    summary = LocalEngine().run(spec, clear_all)
    manifest = json.loads(summary.manifest_path.read_text())
    jsonschema.validate(manifest, manifest_schema)
    assert manifest["algorithms"] == {"party_names": "party-names-v1"}
    assert manifest["data"]["lists"][0]["id"] == "jp-meti-eul"
    assert manifest["extra"] == {"note": "test", "engine": {"name": "local"}}
    assert manifest["libraries"]["pyarrow"]
    assert set(manifest["timings"]) >= {"read", "screen", "write", "total"}
    assert manifest["reading"]["encoding"] == "utf-8"


def test_schema_rejects_a_manifest_without_counts(tmp_path, manifest_schema):
    summary = LocalEngine().run(
        RunSpec(_input(tmp_path), tmp_path / "out", RunConfig(), SHIPMENTS, progress=False),
        clear_all)
    broken = dict(summary.manifest)
    del broken["counts"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, manifest_schema)


def test_input_fingerprint_is_the_file_sha256(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc" * 1000)
    fp = fingerprint_file(path)
    assert fp == {"path": str(path), "size": 3000, "method": "sha256",
                  "sha256": hashlib.sha256(b"abc" * 1000).hexdigest()}
