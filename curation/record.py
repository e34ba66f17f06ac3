"""The canonical record: the one Arrow schema every source is mapped to.

Every adapter produces rows of CANONICAL_SCHEMA; every later stage (dedup, filters,
rendering, mixing) reads it. Field descriptions live in the Arrow field metadata so that
`schemas/canonical_record.schema.json` is generated from this module (see jsonschema.py)
and a test keeps the two in sync.
"""

from __future__ import annotations

import pyarrow as pa

KINDS = ("chat", "text")
ROLES = ("system", "user", "assistant", "tool")


def _field(
    name: str, type_: pa.DataType, description: str, nullable: bool = True, enum: tuple[str, ...] = ()
) -> pa.Field:
    metadata = {"description": description}
    if enum:
        metadata["enum"] = ",".join(enum)
    return pa.field(name, type_, nullable=nullable, metadata=metadata)


MESSAGE_TYPE = pa.struct(
    [
        _field("role", pa.string(), "Who speaks the turn.", nullable=False, enum=ROLES),
        _field("content", pa.string(), "The visible text of the turn, never holding <think> markup.", nullable=False),
        _field("reasoning", pa.string(), "Reasoning found in <think>...</think> or a thinking column; null when none."),
        _field("tool_calls", pa.string(), "JSON list of {name, arguments} for an assistant turn that calls tools; null when none."),
    ]
)

META_FIELDS = ("data_source", "domain", "language", "url", "path", "license")

META_TYPE = pa.struct(
    [
        _field("data_source", pa.string(), "The upstream dataset or sub-source a row came from (e.g. Open-Platypus data_source)."),
        _field("domain", pa.string(), "Subject domain (math, code, physics, web, ...)."),
        _field("language", pa.string(), "Language code when the source states it (ISO 639-1 or a programming language for code)."),
        _field("url", pa.string(), "Original URL of a web document."),
        _field("path", pa.string(), "File path of a code document."),
        _field("license", pa.string(), "License of the row when the source states it."),
        _field("extra", pa.string(), "JSON object of further original fields worth keeping (keys sorted); null when none."),
    ]
)

CANONICAL_SCHEMA = pa.schema(
    [
        _field("id", pa.string(), "Stable row id, unique within a source: the source's own id, else 'sha256:' + the SHA-256 (hex) of the row's canonical JSON; '#k' marks the k-th row with an id seen before.", nullable=False),
        _field("source", pa.string(), "Name of the source this row was ingested from (from the manifest or CLI).", nullable=False),
        _field(
            "kind",
            pa.string(),
            "'chat' (messages set, text null) or 'text' (text set, messages null).",
            nullable=False,
            enum=KINDS,
        ),
        _field("messages", pa.list_(pa.field("item", MESSAGE_TYPE, nullable=False)), "Conversation turns for chat rows; null for text rows."),
        _field("text", pa.string(), "Document text for text rows; null for chat rows."),
        _field("meta", META_TYPE, "Original fields that matter downstream.", nullable=False),
    ],
    metadata={"title": "curation canonical record", "version": "1"},
)


def empty_canonical_table() -> pa.Table:
    return CANONICAL_SCHEMA.empty_table()
