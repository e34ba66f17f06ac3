"""Pieces of one large input file, so that ingest reads it in several tasks.

Ingest maps over input files; one file of many GB would be one task, and the tasks of a mix of
unequal files end unevenly. A plain (uncompressed) JSON Lines file larger than PIECE_BYTES is cut
into byte ranges, a Parquet file into runs of row groups: each piece is read by its own task, in
file order, and the rows, their line (record) numbers and so the report rows are those of
reading the file whole (tests/test_readers_pieces.py).

    JSON Lines: a piece owns the lines that *start* in its byte range [start, stop). Its first
                line number comes from counting the newlines before it (a map of
                `count_newlines` over the pieces first: bytes only, ~GB/s).
    Parquet:    a piece is row groups [start, stop); its first record number is the rows of
                the groups before it (from the footer).

A compressed file is never cut (its bytes cannot be sought), nor is any other format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

# About this many bytes a piece (a JSON Lines file is cut at these offsets, a Parquet file after
# the row group that reaches them): ~50-100k chat rows, a few seconds of one core.
PIECE_BYTES = 64 << 20
_COUNT_BYTES = 16 << 20


@dataclass(frozen=True)
class FilePiece:
    """Bytes (JSON Lines) or row groups (Parquet) start .. stop-1 of a file; `first` is the
    number of its first line or record (1-based)."""

    start: int
    stop: int
    first: int = 1


def cut_points(size: int, piece_bytes: int) -> list[int]:
    """Offsets 0 = c0 < c1 < ... < cn = size cutting `size` bytes into pieces of ~piece_bytes."""
    n = max(1, -(-size // piece_bytes))
    return [size * k // n for k in range(n + 1)]


def jsonl_ranges(path: str, piece_bytes: int | None = None) -> list[tuple[int, int]]:
    """The byte ranges of a plain JSON Lines file's pieces (one for a small file)."""
    size = Path(path).stat().st_size
    cuts = cut_points(size, piece_bytes or PIECE_BYTES)
    return list(zip(cuts[:-1], cuts[1:], strict=True)) or [(0, 0)]


def count_newlines(path: str, start: int, stop: int) -> int:
    """Task: newlines in bytes start .. stop-1 of the file."""
    count = 0
    with open(path, "rb") as f:
        f.seek(start)
        left = stop - start
        while left > 0:
            chunk = f.read(min(_COUNT_BYTES, left))
            if not chunk:
                break
            count += int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == 0x0A))
            left -= len(chunk)
    return count


def jsonl_pieces(ranges: list[tuple[int, int]], newlines_before: list[int]) -> list[FilePiece]:
    """Pieces of the ranges, given for each range the newlines in bytes [0, start - 1): a piece
    after the first begins after the newline at or past start - 1, so its first line is the
    one after those newlines and that one."""
    return [
        FilePiece(start, stop, 1 if start == 0 else 2 + before)
        for (start, stop), before in zip(ranges, newlines_before, strict=True)
    ]


def parquet_pieces(path: str, piece_bytes: int | None = None) -> list[FilePiece]:
    """Runs of whole row groups of about piece_bytes (compressed) each, with their first record."""
    meta = pq.ParquetFile(path).metadata
    limit = piece_bytes or PIECE_BYTES
    pieces, start, first, rows, size = [], 0, 1, 0, 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        if g > start and size + group.total_byte_size > limit:
            pieces.append(FilePiece(start, g, first))
            start, first, rows, size = g, first + rows, 0, 0
        rows += group.num_rows
        size += group.total_byte_size
    pieces.append(FilePiece(start, meta.num_row_groups, first))
    return pieces


class PieceStream:
    """The bytes of the lines that start in [start, stop) of a plain file, as a stream
    (`read(n)`): the last such line is read to its end, past stop."""

    def __init__(self, path: str | Path, start: int, stop: int) -> None:
        self.file = open(path, "rb")  # noqa: SIM115 (closed by close() / the context manager)
        self.stop = stop
        self.done = False
        if start > 0:
            # The line holding byte start - 1 belongs to the piece before (a line starting at
            # start is preceded by its newline there): skip to just past that line's end.
            self.file.seek(start - 1)
            while True:
                chunk = self.file.read(1 << 16)
                cut = chunk.find(b"\n")
                if not chunk or cut >= 0:
                    break
            pos = self.file.seek(self.file.tell() - len(chunk) + cut + 1) if chunk else self.file.tell()
            self.done = pos >= stop or not chunk
        self.pos = self.file.tell()

    def read(self, n: int) -> bytes:
        if self.done:
            return b""
        chunk = self.file.read(n)
        at, self.pos = self.pos, self.pos + len(chunk)
        if not chunk:
            self.done = True
        elif self.pos >= self.stop:
            # The chunk reaches stop: it ends with the line that holds byte stop - 1 (if its
            # newline is in the chunk; else that line goes on into the next read).
            cut = chunk.find(b"\n", max(self.stop - 1 - at, 0))
            if cut >= 0:
                self.done = True
                return chunk[: cut + 1]
        return chunk

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> PieceStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def split_files(files: list, executor, piece_bytes: int | None = None) -> list[list[FilePiece] | None]:
    """Per file (a discover.SourceFile, or None: not a local file), its pieces, or None to read it
    whole: a plain JSON Lines
    file of more than piece_bytes, a plain Parquet file of several row groups past it. The newline
    counts of every cut JSON Lines file run in one map on `executor`."""
    limit = piece_bytes or PIECE_BYTES
    out: list[list[FilePiece] | None] = [None] * len(files)
    ranges: dict[int, list[tuple[int, int]]] = {}
    for i, sf in enumerate(files):
        if sf is None or sf.codec is not None:
            continue
        if sf.format == "jsonl" and Path(sf.path).stat().st_size > limit:
            ranges[i] = jsonl_ranges(str(sf.path), limit)
        elif sf.format == "parquet":
            pieces = parquet_pieces(str(sf.path), limit)
            out[i] = pieces if len(pieces) > 1 else None
    # Newlines of bytes [start - 1, stop - 1) of each range but the last: summed, those before
    # each piece's start - 1.
    items = [
        (str(files[i].path), max(start - 1, 0), stop - 1) for i, rs in ranges.items() for start, stop in rs[:-1]
    ]
    counts = iter(executor.map(count_newlines, items))
    for i, rs in ranges.items():
        before = np.concatenate([[0], np.cumsum([next(counts) for _ in rs[:-1]])]).astype(int).tolist()
        out[i] = jsonl_pieces(rs, before)
    return out
