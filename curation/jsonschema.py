"""JSON Schemas of the project's data, generated from the code.

The Arrow schemas (canonical record, dropped-row report) are converted field by field,
descriptions taken from their field metadata; pydantic models (run summary, later the
manifest) use pydantic's own export. `curate schemas` writes them to schemas/ and a test
fails when the files and the code disagree.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from curation.accounting import DROP_SCHEMA
from curation.record import CANONICAL_SCHEMA
from curation.summary import RunSummary

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _type_schema(type_: pa.DataType) -> dict:
    if pa.types.is_string(type_) or pa.types.is_large_string(type_):
        return {"type": "string"}
    if pa.types.is_integer(type_):
        return {"type": "integer"}
    if pa.types.is_floating(type_):
        return {"type": "number"}
    if pa.types.is_boolean(type_):
        return {"type": "boolean"}
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return {"type": "array", "items": _field_schema(type_.value_field)}
    if pa.types.is_struct(type_):
        return _object_schema(list(type_))
    raise TypeError(f"no JSON Schema mapping for Arrow type {type_}")


def _field_schema(field: pa.Field) -> dict:
    schema = _type_schema(field.type)
    if field.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    meta = field.metadata or {}
    if b"enum" in meta:
        schema["enum"] = meta[b"enum"].decode().split(",")
    if b"description" in meta:
        schema["description"] = meta[b"description"].decode()
    return schema


def _object_schema(fields: list[pa.Field]) -> dict:
    return {
        "type": "object",
        "properties": {f.name: _field_schema(f) for f in fields},
        "required": [f.name for f in fields],
        "additionalProperties": False,
    }


def arrow_json_schema(schema: pa.Schema, schema_id: str) -> dict:
    """A JSON Schema (draft 2020-12) for one row of an Arrow schema."""
    meta = schema.metadata or {}
    return {
        "$schema": DRAFT,
        "$id": schema_id,
        "title": meta.get(b"title", b"").decode(),
        **_object_schema(list(schema)),
    }


def all_schemas() -> dict[str, dict]:
    """File name in schemas/ -> its JSON Schema."""
    from curation.mix.manifest import MixManifest  # heavy import (adapters, filters): only when asked

    summary = RunSummary.model_json_schema()
    summary = {"$schema": DRAFT, "$id": "run_summary.schema.json", **summary}
    manifest = {"$schema": DRAFT, "$id": "mix_manifest.schema.json", **MixManifest.model_json_schema()}
    return {
        "canonical_record.schema.json": arrow_json_schema(CANONICAL_SCHEMA, "canonical_record.schema.json"),
        "dropped_row.schema.json": arrow_json_schema(DROP_SCHEMA, "dropped_row.schema.json"),
        "run_summary.schema.json": summary,
        "mix_manifest.schema.json": manifest,
    }


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in all_schemas().items():
        path = directory / name
        path.write_text(render(schema))
        written.append(path)
    return written


def stale_schemas(directory: Path = SCHEMA_DIR) -> list[str]:
    """Names of schema files that are missing or differ from what the code generates."""
    return [
        name
        for name, schema in all_schemas().items()
        if not (directory / name).is_file() or (directory / name).read_text() != render(schema)
    ]
