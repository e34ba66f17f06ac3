"""Locations: files, directories, globs, and the errors for paths that hold nothing to read."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from curation.readers import Location, SourceError, read_rows
from curation.readers.base import req
from curation.readers.discover import discover

SCHEMA = pa.schema([req("text", pa.string())])


def jsonl(path: Path, *texts: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(orjson.dumps({"text": t}) + b"\n" for t in texts))


def texts_by_file(location: Location) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for batch in read_rows(location, SCHEMA, source="s"):
        out.append((Path(batch.file).name, batch.table.column("text").to_pylist()))
    return out


def test_directory_is_walked_in_path_order_skipping_hidden_and_unknown(tmp_path: Path) -> None:
    jsonl(tmp_path / "b" / "2.jsonl", "b2")
    jsonl(tmp_path / "a.jsonl", "a")
    jsonl(tmp_path / "b" / "1.jsonl", "b1")
    jsonl(tmp_path / ".cache" / "x.jsonl", "hidden dir")
    jsonl(tmp_path / ".hidden.jsonl", "hidden file")
    (tmp_path / "README.md").write_text("# not data")
    (tmp_path / "c.txt").write_text("plain text line\n")
    assert texts_by_file(Location(path=str(tmp_path))) == [
        ("a.jsonl", ["a"]),
        ("1.jsonl", ["b1"]),
        ("2.jsonl", ["b2"]),
        ("c.txt", ["plain text line"]),
    ]


def test_glob_is_sorted(tmp_path: Path) -> None:
    for name in ["part-2.jsonl", "part-10.jsonl", "part-1.jsonl", "other.jsonl"]:
        jsonl(tmp_path / name, name)
    got = texts_by_file(Location(path=str(tmp_path / "part-*.jsonl")))
    assert [name for name, _ in got] == ["part-1.jsonl", "part-10.jsonl", "part-2.jsonl"]


def test_recursive_glob_and_mixed_formats(tmp_path: Path) -> None:
    jsonl(tmp_path / "x" / "a.jsonl", "a")
    (tmp_path / "x" / "y").mkdir()
    (tmp_path / "x" / "y" / "b.txt").write_text("b\n")
    got = texts_by_file(Location(path=str(tmp_path / "x" / "**" / "*.*")))
    assert got == [("a.jsonl", ["a"]), ("b.txt", ["b"])]


def test_nonexistent_path_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "data.jsonl"
    with pytest.raises(SourceError, match=f"{missing}: no such file or directory"):
        list(read_rows(Location(path=str(missing)), SCHEMA, source="s"))


def test_glob_matching_nothing_names_it(tmp_path: Path) -> None:
    pattern = str(tmp_path / "*.parquet")
    with pytest.raises(SourceError, match="no file matches this pattern") as info:
        discover(Location(path=pattern))
    assert pattern in str(info.value)


def test_directory_without_data_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("hi")
    with pytest.raises(SourceError, match="no readable data files"):
        discover(Location(path=str(tmp_path)))


def test_file_with_unknown_extension_needs_a_format(tmp_path: Path) -> None:
    (tmp_path / "rows.data").write_text('{"text": "a"}\n')
    with pytest.raises(SourceError, match="set the location's format"):
        discover(Location(path=str(tmp_path / "rows.data")))
    [sf] = discover(Location(path=str(tmp_path / "rows.data"), format="jsonl"))
    assert sf.format == "jsonl" and sf.codec is None


def test_compressed_extensions(tmp_path: Path) -> None:
    for name in ["a.jsonl.gz", "b.parquet.zst", "c.ndjson.zstd", "d.json.GZ"]:
        (tmp_path / name).write_bytes(b"")
    found = [(sf.path.name, sf.format, sf.codec) for sf in discover(Location(path=str(tmp_path)))]
    assert found == [
        ("a.jsonl.gz", "jsonl", "gzip"),
        ("b.parquet.zst", "parquet", "zstd"),
        ("c.ndjson.zstd", "jsonl", "zstd"),
        ("d.json.GZ", "json", "gzip"),
    ]
