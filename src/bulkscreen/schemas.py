"""JSON Schemas of the file formats, generated from the column registry.

One schema per table, versioned in the file name (``shipments.v1.json``). The schema
describes one row as a JSON object, which is how JSONL input is written and how a row
looks after reading any other format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from bulkscreen.columns import TABLES, Table

_BASE_URI = "https://bulkscreen.dev/schemas"


def arrow_to_json_schema(dtype: pa.DataType) -> dict[str, Any]:
    """Return the JSON Schema fragment for one Arrow type."""
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return {"type": "string"}
    if pa.types.is_boolean(dtype):
        return {"type": "boolean"}
    if pa.types.is_integer(dtype):
        return {"type": "integer"}
    if pa.types.is_floating(dtype):
        return {"type": "number"}
    if pa.types.is_date(dtype):
        return {"type": "string", "format": "date"}
    if pa.types.is_list(dtype):
        return {"type": "array", "items": arrow_to_json_schema(dtype.value_type)}
    if pa.types.is_struct(dtype):
        return {
            "type": "object",
            "properties": {
                dtype.field(i).name: _nullable(arrow_to_json_schema(dtype.field(i).type))
                for i in range(dtype.num_fields)
            },
            "additionalProperties": False,
        }
    raise TypeError(f"no JSON Schema mapping for Arrow type {dtype}")


def _nullable(fragment: dict[str, Any]) -> dict[str, Any]:
    out = dict(fragment)
    out["type"] = [fragment["type"], "null"]
    return out


def table_json_schema(table: Table) -> dict[str, Any]:
    """Return the JSON Schema of one row of ``table``."""
    properties: dict[str, Any] = {}
    for col in table.columns:
        fragment = arrow_to_json_schema(col.type)
        if not col.required:
            fragment = _nullable(fragment)
        fragment["description"] = col.meaning
        fragment["x-arrow-type"] = str(col.type)
        if col.text_form:
            fragment["x-text-form"] = col.text_form
        properties[col.name] = fragment
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{_BASE_URI}/{schema_file_name(table)}",
        "title": table.name,
        "description": table.description,
        "type": "object",
        "properties": properties,
        "required": table.required,
    }


def schema_file_name(table: Table) -> str:
    """Return the versioned file name of a table's schema, e.g. ``shipments.v1.json``."""
    return f"{table.name}.v{table.version}.json"


def render_schema(table: Table) -> str:
    """Return the schema file text exactly as it is written to disk."""
    return json.dumps(table_json_schema(table), indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every table's schema into ``folder`` and return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES.values():
        path = folder / schema_file_name(table)
        path.write_text(render_schema(table), encoding="utf-8")
        written.append(path)
    return written
