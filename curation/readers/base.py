"""The reader contract: a location in, batches of parsed rows out.

A reader streams a source in record batches, never loading the whole file: each
RawBatch holds the rows that parsed, conformed to the adapter's input schema, their
positions in the file, and a DROP_SCHEMA table of the rows that could not be read
(stage `read`, reasons `malformed:json`, `malformed:utf8`, `malformed:type`, ...).
For every file: rows seen = table.num_rows + malformed.num_rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

# Rows per batch handed to adapters: big enough to amortise per-batch overhead,
# small enough that memory is bounded by the batch, not the file.
DEFAULT_BATCH_ROWS = 20_000


class SourceError(Exception):
    """A source cannot be read at all (missing path, unreachable hub, not an array ...).

    The message names the file or dataset and what is wrong with it.
    """


@dataclass
class RawBatch:
    """Rows read from one file, conformed to the adapter's input schema."""

    table: pa.Table  # columns exactly the input schema's fields, in its order
    file: str  # the file path, or `hf:<dataset id>` for the hub
    positions: pa.Array  # int64, 1-based line (JSONL, CSV) or record number (others) per row
    malformed: pa.Table  # DROP_SCHEMA rows, stage "read"


def required_fields(schema: pa.Schema) -> list[str]:
    """Names of the fields an adapter cannot do without (metadata required=true)."""
    return [f.name for f in schema if f.metadata and f.metadata.get(b"required") == b"true"]


def req(name: str, type_: pa.DataType) -> pa.Field:
    """A required input field of an adapter's input schema."""
    return pa.field(name, type_, metadata={"required": "true"})


def opt(name: str, type_: pa.DataType) -> pa.Field:
    """An optional input field of an adapter's input schema."""
    return pa.field(name, type_)
