"""`.json` files: streamed arrays, JSON Lines under a .json name, and what is refused."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from curation.readers import Location, SourceError, json_array, read_rows
from curation.readers.base import opt, req

SCHEMA = pa.schema([req("instruction", pa.string()), opt("input", pa.string()), req("output", pa.string())])


def read(path: Path, batch_rows: int = 20_000) -> list:
    return list(read_rows(Location(path=str(path)), SCHEMA, source="s", batch_rows=batch_rows))


def row(i: int) -> dict:
    return {"instruction": f"i{i}", "input": "", "output": f"o{i}"}


def test_array_records_are_numbered_from_one(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    body = orjson.dumps([row(i) for i in range(5)], option=orjson.OPT_INDENT_2)
    path.write_bytes(b"\xef\xbb\xbf \n" + body)
    batches = read(path, batch_rows=2)
    assert [b.table.num_rows for b in batches] == [2, 2, 1]
    assert [p for b in batches for p in b.positions.to_pylist()] == [1, 2, 3, 4, 5]
    assert [r for b in batches for r in b.table.to_pylist()] == [row(i) for i in range(5)]


def test_array_items_that_are_not_objects_or_have_wrong_types(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(orjson.dumps([row(1), [1, 2], "x", {"instruction": "i", "output": 3}, row(5)]))
    batches = read(path)
    assert [p for b in batches for p in b.positions.to_pylist()] == [1, 5]
    drops = [d for b in batches for d in b.malformed.to_pylist()]
    assert [(d["reason"], d["line"], d["detail"]) for d in drops] == [
        ("malformed:not_an_object", 2, "record 2: a JSON array, not an object"),
        ("malformed:not_an_object", 3, "record 3: a JSON string, not an object"),
        ("malformed:type", 4, "record 4: column 'output': expected string, got int"),
    ]
    assert drops[2]["raw"] == '{"instruction":"i","output":3}'


def test_truncated_array_keeps_rows_before_and_says_where_it_stopped(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(orjson.dumps([row(i) for i in range(10)])[:-30])
    batches = read(path)
    rows = [r for b in batches for r in b.table.to_pylist()]
    drops = [d for b in batches for d in b.malformed.to_pylist()]
    assert rows == [row(i) for i in range(len(rows))] and len(rows) >= 8
    [drop] = drops
    assert drop["reason"] == "malformed:json" and drop["line"] == len(rows) + 1
    assert "the rest of the file cannot be read" in drop["detail"]


def test_json_lines_under_a_json_name(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b"".join(orjson.dumps(row(i)) + b"\n" for i in range(3)))
    batches = read(path)
    assert [p for b in batches for p in b.positions.to_pylist()] == [1, 2, 3]


@pytest.mark.parametrize(
    "content", [b'{\n  "data": [{"instruction": "i", "output": "o"}]\n}\n', b'{"data": [1, 2']
)
def test_single_object_is_a_source_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "obj.json"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=r"obj\.json: holds a single JSON object"):
        read(path)


def test_scalar_json_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "num.json"
    path.write_bytes(b"42")
    with pytest.raises(SourceError, match=r"num\.json: not a JSON array"):
        read(path)


def test_empty_json_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_bytes(b"  \n")
    assert read(path) == []


def test_large_array_is_streamed_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """200k records arrive in several batches, the first before most of the file is read."""
    path = tmp_path / "big.json"
    path.write_bytes(orjson.dumps([{"instruction": f"i{i}", "output": "o"} for i in range(200_000)]))
    size = path.stat().st_size
    streams = []
    real_open = json_array.open_stream

    def spy(p, codec):  # type: ignore[no-untyped-def]
        stream = real_open(p, codec)
        streams.append(stream)
        return stream

    monkeypatch.setattr(json_array, "open_stream", spy)
    batches = read_rows(Location(path=str(path)), SCHEMA, source="s", batch_rows=10_000)
    first = next(batches)
    assert first.table.num_rows == 10_000
    consumed_at_first_batch = streams[-1].tell()
    assert consumed_at_first_batch < size / 4, "the array was read whole before the first batch"
    rest = list(batches)
    assert len(rest) == 19 and sum(b.table.num_rows for b in rest) == 190_000
    assert rest[-1].positions.to_pylist()[-1] == 200_000


def test_invalid_utf8_inside_an_array(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b'[{"instruction": "i", "output": "o"}, {"instruction": "\xff", "output": "o"}]')
    batches = read(path)
    assert sum(b.table.num_rows for b in batches) == 1
    [drop] = [d for b in batches for d in b.malformed.to_pylist()]
    assert drop["reason"] == "malformed:utf8" and drop["line"] == 2
    assert drop["detail"].startswith("record 2: invalid UTF-8: lexical error: invalid bytes in UTF8 string.;")
