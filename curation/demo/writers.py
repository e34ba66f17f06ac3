"""Deterministic, atomic-ish file writers for the demo corpora.

Byte-identical output for the same rows is the point: gzip without a timestamp, zstd at a
fixed level, Parquet with fixed options, JSON with a fixed layout. Each file is written
under a temporary name and renamed, so a reader never sees half a corpus.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

ZSTD_LEVEL = 3


@dataclass(frozen=True)
class Raw:
    """A JSONL line written as these exact bytes (no newline): malformed JSON, bad UTF-8."""

    data: bytes


Row = dict | Raw


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def json_line(row: dict) -> bytes:
    return json.dumps(row, ensure_ascii=False).encode("utf-8")


def jsonl_bytes(rows: list[Row]) -> bytes:
    return b"".join((r.data if isinstance(r, Raw) else json_line(r)) + b"\n" for r in rows)


def json_array_bytes(rows: list[dict]) -> bytes:
    """A JSON array file laid out like alpaca-cleaned's (indent 4)."""
    if any(isinstance(r, Raw) for r in rows):
        raise ValueError("a JSON array file cannot hold a raw malformed line")
    return (json.dumps(rows, ensure_ascii=False, indent=4) + "\n").encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    # mtime=0 and no file name in the header: the same input gives the same bytes.
    return gzip.compress(data, compresslevel=6, mtime=0)


def zstd_bytes(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(data)


def parquet_bytes(rows: list[dict], schema: pa.Schema) -> bytes:
    table = pa.Table.from_pylist(rows, schema=schema)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", compression_level=ZSTD_LEVEL, use_dictionary=False,
                   write_statistics=False, row_group_size=len(rows) or 1)
    return buf.getvalue()


def write_rows(path: Path, rows: list[Row], fmt: str, schema: pa.Schema | None = None) -> None:
    """Write `rows` to `path` as fmt: jsonl, jsonl.gz, jsonl.zst, json (array) or parquet."""
    if fmt == "jsonl":
        data = jsonl_bytes(rows)
    elif fmt == "jsonl.gz":
        data = gzip_bytes(jsonl_bytes(rows))
    elif fmt == "jsonl.zst":
        data = zstd_bytes(jsonl_bytes(rows))
    elif fmt == "json":
        data = json_array_bytes(rows)  # type: ignore[arg-type]
    elif fmt == "parquet":
        if schema is None:
            raise ValueError("parquet needs a schema")
        data = parquet_bytes(rows, schema)  # type: ignore[arg-type]
    else:
        raise ValueError(f"unknown demo format {fmt!r}")
    atomic_write(path, data)
