"""Every format reads the same rows, plain, gzip- and zstd-compressed."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from curation.readers import Location, read_rows
from curation.readers.base import opt, req

SCHEMA = pa.schema([req("instruction", pa.string()), opt("input", pa.string()), req("output", pa.string())])
TEXT = pa.schema([req("text", pa.string()), opt("url", pa.string())])

ROWS = [
    {"instruction": f"instr {i} ünï", "input": None if i % 2 else f"in {i}", "output": f"out {i}\nline two"}
    for i in range(1, 41)
]


def encode(fmt: str, rows: list[dict]) -> bytes:
    if fmt == "jsonl":
        return b"".join(orjson.dumps(r) + b"\n" for r in rows)
    if fmt == "json":
        return orjson.dumps(rows, option=orjson.OPT_INDENT_2)
    if fmt == "txt":
        return "".join(r["instruction"] + "\n" for r in rows).encode()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["instruction", "input", "output"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode()
    table = pa.Table.from_pylist(rows, schema=pa.schema([f.remove_metadata() for f in SCHEMA]))
    sink = pa.BufferOutputStream()
    if fmt == "parquet":
        pq.write_table(table, sink, row_group_size=7)
    elif fmt == "arrow-file":
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=9)
    elif fmt == "arrow-stream":
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=9)
    return sink.getvalue().to_pybytes()


def compress(data: bytes, codec: str) -> bytes:
    if codec == "gz":
        return gzip.compress(data)
    if codec == "zst":
        return zstandard.ZstdCompressor().compress(data)
    return data


EXT = {"jsonl": ".jsonl", "json": ".json", "txt": ".txt", "csv": ".csv", "parquet": ".parquet",
       "arrow-file": ".arrow", "arrow-stream": ".arrow"}


@pytest.mark.parametrize("codec", ["", "gz", "zst"])
@pytest.mark.parametrize("fmt", list(EXT))
def test_each_format_plain_and_compressed(tmp_path: Path, fmt: str, codec: str) -> None:
    name = "data" + EXT[fmt] + (f".{codec}" if codec else "")
    path = tmp_path / name
    path.write_bytes(compress(encode(fmt, ROWS), codec))
    schema = TEXT if fmt == "txt" else SCHEMA
    batches = list(read_rows(Location(path=str(path)), schema, source="s", batch_rows=16))
    rows = [r for b in batches for r in b.table.to_pylist()]
    positions = [p for b in batches for p in b.positions.to_pylist()]
    assert all(b.table.schema == schema for b in batches)
    assert all(b.table.num_rows <= 16 for b in batches)
    assert sum(b.malformed.num_rows for b in batches) == 0
    if fmt == "txt":
        assert rows == [{"text": r["instruction"], "url": None} for r in ROWS]
    else:
        assert rows == ROWS  # CSV: an unquoted empty cell reads as null
    # Line numbers for JSONL/txt, record numbers elsewhere; CSV counts its header as record 1.
    first = 2 if fmt == "csv" else 1
    assert positions == list(range(first, first + len(ROWS)))


def test_format_override_reads_an_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "rows.data"
    path.write_bytes(encode("jsonl", ROWS))
    batches = list(read_rows(Location(path=str(path), format="jsonl"), SCHEMA, source="s"))
    assert sum(b.table.num_rows for b in batches) == len(ROWS)


def test_format_override_beats_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "rows.txt.gz"
    path.write_bytes(gzip.compress(encode("jsonl", ROWS)))
    batches = list(read_rows(Location(path=str(path), format="jsonl"), SCHEMA, source="s"))
    assert [r for b in batches for r in b.table.to_pylist()] == ROWS


def test_truncated_gzip_is_a_source_error(tmp_path: Path) -> None:
    from curation.readers import SourceError

    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(encode("jsonl", ROWS * 50))[:-40])
    with pytest.raises(SourceError, match="cut.jsonl.gz"):
        list(read_rows(Location(path=str(path)), SCHEMA, source="s"))
