"""CSV and plain-text readers."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from curation.readers import Location, SourceError, read_rows
from curation.readers.base import opt, req

SCHEMA = pa.schema([req("instruction", pa.string()), opt("input", pa.string()), req("output", pa.string())])
TEXT = pa.schema([req("text", pa.string()), opt("url", pa.string())])


def read(path: Path, schema: pa.Schema = SCHEMA, batch_rows: int = 20_000) -> tuple[list, list, list]:
    batches = list(read_rows(Location(path=str(path)), schema, source="s", batch_rows=batch_rows))
    rows = [r for b in batches for r in b.table.to_pylist()]
    positions = [p for b in batches for p in b.positions.to_pylist()]
    drops = [d for b in batches for d in b.malformed.to_pylist()]
    return rows, positions, drops


def test_csv_columns_by_name_extra_ignored_missing_null(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b'output,extra,instruction\no1,x,i1\n"multi\nline",y,i2\n"",z,i3\n')
    rows, positions, drops = read(path)
    assert rows == [
        {"instruction": "i1", "input": None, "output": "o1"},
        {"instruction": "i2", "input": None, "output": "multi\nline"},
        {"instruction": "i3", "input": None, "output": ""},
    ]
    assert positions == [2, 3, 4] and drops == []


def test_csv_bad_rows_are_dropped_with_their_record_number(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"instruction,output\ni1,o1\ntoo,many,fields\ni3,o\xff3\ni4,o4\n")
    rows, positions, drops = read(path)
    assert [r["instruction"] for r in rows] == ["i1", "i4"]
    assert positions == [2, 5]
    assert [(d["reason"], d["line"], d["detail"]) for d in drops] == [
        ("malformed:csv", 3, "record 3: expected 2 fields, got 3"),
        ("malformed:utf8", 4, "record 4: column 'output': invalid UTF-8 at byte 2"),
    ]
    assert drops[0]["raw"] == "too,many,fields"


def test_csv_typed_columns(tmp_path: Path) -> None:
    schema = pa.schema(
        [req("text", pa.string()), opt("n", pa.int64()), opt("ok", pa.bool_()), opt("p", pa.float64())]
    )
    path = tmp_path / "a.csv"
    path.write_bytes(b"text,n,ok,p\na,1,true,0.5\nb,,false,\nc,x,true,1\n")
    rows, positions, drops = read(path, schema)
    assert rows == [
        {"text": "a", "n": 1, "ok": True, "p": 0.5},
        {"text": "b", "n": None, "ok": False, "p": None},
    ]
    assert [(d["reason"], d["detail"]) for d in drops] == [
        ("malformed:type", "record 4: column 'n': expected int64, got 'x'")
    ]


def test_csv_with_nested_schema_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"conversations\nx\n")
    turn = pa.struct([("from", pa.string()), ("value", pa.string())])
    schema = pa.schema([req("conversations", pa.list_(turn))])
    with pytest.raises(SourceError, match=r"a\.csv: CSV cannot hold the nested field\(s\) conversations"):
        read(path, schema)


def test_csv_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(b"")
    assert read(tmp_path / "e.csv") == ([], [], [])


def test_txt_one_document_per_line(tmp_path: Path) -> None:
    path = tmp_path / "wiki.txt"
    path.write_bytes(b"First article.\r\n\n   \nSecond \xff article.\nThird article.")
    rows, positions, drops = read(path, TEXT)
    assert rows == [{"text": "First article.", "url": None}, {"text": "Third article.", "url": None}]
    assert positions == [1, 5]
    [drop] = drops
    assert (drop["reason"], drop["line"]) == ("malformed:utf8", 4)
    assert drop["detail"] == "line 4: invalid UTF-8 at byte 8"
    assert drop["raw"] == "Second \ufffd article."


def test_txt_needs_one_required_string_field(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"doc\n")
    with pytest.raises(SourceError, match="exactly one required string field"):
        read(path, SCHEMA)
