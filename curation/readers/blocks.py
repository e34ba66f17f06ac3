"""Cut a byte stream into blocks of whole lines, so line-based formats parse a block at a time.

Memory is bounded by the block size (plus the longest line), not by the file size.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

# Bytes read per block: large enough that pyarrow's per-call overhead vanishes, small
# enough that a worker holds a few of them at most.
# 4 MiB blocks: measured as fast as 16 MiB, with ~150 MiB less peak memory per worker
# (benchmarks/results/ingest_profile.md).
BLOCK_BYTES = 4 << 20

# JSON's whitespace; a line holding only these is blank and is not a row.
WHITESPACE = b" \t\r"

_BOM = b"\xef\xbb\xbf"


def line_blocks(
    stream: pa.NativeFile, block_bytes: int = BLOCK_BYTES, first_line: int = 1, strip_bom: bool = True
) -> Iterator[tuple[bytes, int, np.ndarray]]:
    """Yield (block, number of its first line, offsets of its newlines); a block ends at a newline or EOF.

    Line numbers are 1-based, the stream's first line numbered `first_line` (a piece of a file:
    pieces.py). The newline offsets (bytes, int64) are found once, with numpy, and handed on:
    the JSONL fast path checks every line's shape with them. A UTF-8 byte order mark at the
    start of the stream is dropped (it is not part of the first row) when `strip_bom` (the
    stream starts the file).
    """
    pending: list[bytes | memoryview] = []  # the start of a line that continues in the next chunk
    line = first_line
    first = strip_bom
    while True:
        chunk = stream.read(block_bytes)
        if first:
            first = False
            chunk = chunk.removeprefix(_BOM)
        if not chunk:
            if pending:
                block = b"".join(pending)
                yield block, line, newline_offsets(block)
            return
        cut = chunk.rfind(b"\n")
        if cut < 0:  # a line longer than the block: keep reading until it ends
            pending.append(chunk)
            continue
        if not pending and cut == len(chunk) - 1:
            block = chunk  # the common case: no copy
        else:
            block = b"".join([*pending, memoryview(chunk)[: cut + 1]])
        pending = [memoryview(chunk)[cut + 1:]] if cut < len(chunk) - 1 else []
        newlines = newline_offsets(block)
        yield block, line, newlines
        line += len(newlines)


def newline_offsets(block: bytes) -> np.ndarray:
    """Byte offsets of every newline in the block (int64); a SIMD compare beats bytes.count."""
    return np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 0x0A)


def split_lines(block: bytes) -> list[bytes]:
    """The block's lines without their newline (a final newline does not start a new line)."""
    lines = block.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def is_blank(line: bytes) -> bool:
    return not line.strip(WHITESPACE)
