"""A large file read in pieces (readers/pieces.py) gives the rows, line / record numbers and
drop rows of reading it whole, wherever the cuts fall; ingest reads it in pieces the same."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.executor import SERIAL, Processes
from curation.readers import Location, local_file, read_rows
from curation.readers import pieces as pieces_module
from curation.readers.base import opt, req
from curation.readers.pieces import PieceStream, split_files

ALPACA = pa.schema([req("instruction", pa.string()), opt("input", pa.string()), req("output", pa.string())])


def _jsonl(path: Path) -> Path:
    """Rows of varied length with a BOM, blank and CRLF lines, a malformed line, a line longer
    than the small pieces below, and no newline at the end."""
    lines = []
    for i in range(40):
        row = {"instruction": f"task {i} " + "x" * (i * 7 % 50), "output": f"answer {i}"}
        lines.append(json.dumps(row))
        if i % 9 == 3:
            lines.append("")  # a blank line: numbered, not a row
        if i == 17:
            lines.append('{"instruction": "broken", ')  # malformed
        if i == 25:
            lines.append(json.dumps({"instruction": "long " + "y" * 300, "output": "z"}))
    text = "\ufeff" + "\n".join(lines[:30]) + "\n" + "\r\n".join(lines[30:])  # CRLF from line 31 on, no final newline
    path.write_bytes(text.encode())
    return path


def _read(path: Path, piece=None):
    batches = list(read_rows(Location(path=str(path)), ALPACA, source="s", batch_rows=7, piece=piece))
    return (
        [r for b in batches for r in b.table.to_pylist()],
        [p for b in batches for p in b.positions.to_pylist()],
        [d for b in batches for d in b.malformed.to_pylist()],
    )


def _read_in_pieces(path: Path, piece_bytes: int, executor=SERIAL):
    (cut,) = split_files([local_file(Location(path=str(path)))], executor, piece_bytes)
    assert cut is not None and len(cut) > 1
    got = [_read(path, p) for p in cut]
    return [x for g in got for x in g[0]], [x for g in got for x in g[1]], [x for g in got for x in g[2]], cut


@pytest.mark.parametrize("piece_bytes", [1, 7, 50, 123, 400, 1000])
def test_jsonl_pieces_read_as_the_whole_file(tmp_path, piece_bytes):
    path = _jsonl(tmp_path / "a.jsonl")
    whole = _read(path)
    assert len(whole[0]) == 41 and len(whole[2]) == 1  # the malformed line is a drop row
    rows, positions, drops, cut = _read_in_pieces(path, piece_bytes)
    assert (rows, positions, drops) == whole
    assert cut[0].start == 0 and cut[-1].stop == path.stat().st_size


def test_piece_stream_owns_the_lines_that_start_in_its_range(tmp_path):
    path = tmp_path / "l.txt"
    path.write_bytes(b"aa\nbbbb\n\ncc\n")  # lines start at 0, 3, 8, 9
    def owned(start, stop):
        with PieceStream(path, start, stop) as s:
            out = b""
            while chunk := s.read(2):
                out += chunk
        return out
    assert owned(0, 3) == b"aa\n"
    assert owned(3, 4) == b"bbbb\n"  # starts in range, read to its end
    assert owned(4, 8) == b""  # no line starts in 4..7
    assert owned(8, 9) == b"\n"  # the blank line
    assert owned(1, 12) == b"bbbb\n\ncc\n"
    assert b"".join(owned(a, b) for a, b in ((0, 2), (2, 5), (5, 9), (9, 12))) == path.read_bytes()


def test_parquet_pieces_are_runs_of_row_groups_with_their_record_numbers(tmp_path):
    path = tmp_path / "p.parquet"
    table = pa.table({"instruction": [f"t{i}" for i in range(23)], "output": [f"o{i}" for i in range(23)]})
    pq.write_table(table, path, row_group_size=5)
    whole = _read(path)
    for piece_bytes in (1, 300):
        rows, positions, drops, cut = _read_in_pieces(path, piece_bytes)
        assert (rows, positions, drops) == whole and positions == list(range(1, 24))
        assert cut[0].start == 0 and cut[-1].stop == 5
    (small,) = split_files([local_file(Location(path=str(path)))], SERIAL, 10**9)
    assert small is None  # one piece: read whole


def test_compressed_and_small_files_are_read_whole(tmp_path):
    import gzip

    path = _jsonl(tmp_path / "a.jsonl")
    gz = tmp_path / "b.jsonl.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    files = [local_file(Location(path=str(p))) for p in (gz, path)]
    assert split_files(files, SERIAL, 1)[0] is None
    assert split_files(files, SERIAL, 10**9) == [None, None]
    assert local_file(Location(hub="org/name")) is None


def test_ingest_reads_a_large_file_in_pieces_with_the_same_rows_and_reports(tmp_path, monkeypatch):
    from curation.ingest import SourceSpec, ingest_source
    from curation.report import load_drops
    from curation.source_stages import source_parts

    rows = []
    for i in range(300):
        k = i - i % 6 if i % 6 == 5 else i  # repeats: the same row again, same content id
        rows.append(json.dumps({"messages": [{"role": "user", "content": f"q{k}"},
                                             {"role": "assistant", "content": f"a{k} " * (k % 13)}]}))
        if i % 50 == 7:
            rows.append("not json")
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(rows) + "\n")
    spec = SourceSpec("chat", "openai_messages", Location(path=str(path)))
    whole = ingest_source(spec, tmp_path / "whole")
    monkeypatch.setattr(pieces_module, "PIECE_BYTES", 2000)
    cut = ingest_source(spec, tmp_path / "cut", executor=Processes(2))
    assert len(source_parts(tmp_path / "cut", "chat")) > 5  # a part per piece
    assert cut.stages == whole.stages and cut.repeated_ids == whole.repeated_ids > 0

    def kept(run):
        return pa.concat_tables(pq.read_table(p) for p in source_parts(run, "chat"))

    assert kept(tmp_path / "cut").equals(kept(tmp_path / "whole"))
    assert load_drops(tmp_path / "cut").collect().equals(load_drops(tmp_path / "whole").collect())
