"""JSON Lines: one object per line, parsed a block (~16 MB) at a time.

Fast path: pyarrow's JSON reader parses a whole block straight into Arrow with the
adapter's schema (no Python per row). It is used only when every non-blank line of the
block looks like one object (`{` ... `}`), the block is valid UTF-8 and pyarrow returns
one row per such line; then row i is the i-th non-blank line. Anything else (bad JSON, a
value of the wrong type, invalid UTF-8, a line that is not an object) sends the block
down: it is halved and each half tried again, down to SLOW_PATH_BYTES, and a piece that
still fails is read line by line (slow path: orjson + the row conformer). A bad line
thus costs the slow path only for its neighbourhood, and every good line around it is
kept. Both paths give identical tables for the same good lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.json as pj

from curation.readers import blocks
from curation.readers.base import RawBatch
from curation.readers.compression import open_stream
from curation.readers.conform import ConformError, json_kind, json_text
from curation.readers.context import FileContext
from curation.readers.discover import SourceFile
from curation.readers.pieces import PieceStream

# Pieces of a failing block at most this big are read line by line (bytes). Small, because
# the slow path costs far more per byte than a halving does (numpy shape checks, and a
# pyarrow parse only of halves that look like objects): at 256 KiB the scattered bad lines
# of the mix benchmark's sources cost 0.1-0.3 CPU-s of slow path, at 16 KiB ~0.02.
SLOW_PATH_BYTES = 16 << 10

_OPEN, _CLOSE, _CR = 0x7B, 0x7D, 0x0D


@dataclass
class Parsed:
    """Rows of one piece of a file: the table, each row's line number, and the drop rows."""

    table: pa.Table
    lines: np.ndarray  # int64, 1-based
    drops: list[dict]


def read_jsonl(sf: SourceFile, ctx: FileContext) -> Iterator[RawBatch]:
    """Batches of a JSON Lines file (plain or compressed), or of the piece of it `sf.piece` names."""
    piece = sf.piece
    opened = PieceStream(sf.path, piece.start, piece.stop) if piece else open_stream(sf.path, sf.codec)
    first, whole = (piece.first, piece.start == 0) if piece else (1, True)
    with opened as stream:
        for block, first_line, newlines in blocks.line_blocks(stream, blocks.BLOCK_BYTES, first, whole):
            parsed = parse_block(block, first_line, ctx, newlines)
            yield from ctx.batches(parsed.table, parsed.lines, parsed.drops)


def parse_block(
    block: bytes, first_line: int, ctx: FileContext, newlines: np.ndarray | None = None
) -> Parsed:
    """Parse a block of whole lines: fast path, else halves, else line by line."""
    if newlines is None:
        newlines = blocks.newline_offsets(block)
    fast = parse_fast(block, first_line, ctx, newlines)
    if fast is not None:
        return fast
    if len(block) <= SLOW_PATH_BYTES or len(newlines) < 2:
        return parse_slow(block, first_line, ctx)
    # Split at the newline nearest the middle (never the block's final newline).
    k = min(int(np.searchsorted(newlines, len(block) // 2)), len(newlines) - 2)
    cut = int(newlines[k]) + 1
    left = parse_block(block[:cut], first_line, ctx, newlines[: k + 1])
    right = parse_block(block[cut:], first_line + k + 1, ctx, newlines[k + 1:] - cut)
    return Parsed(
        pa.concat_tables([left.table, right.table]),
        np.concatenate([left.lines, right.lines]),
        left.drops + right.drops,
    )


# --- fast path ------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _parse_options(schema: pa.Schema) -> pj.ParseOptions:
    plain = pa.schema([f.remove_metadata() for f in schema])
    return pj.ParseOptions(explicit_schema=plain, unexpected_field_behavior="ignore")


def _read_options(size: int) -> pj.ReadOptions:
    # One pyarrow block for the whole piece: pyarrow's own chunking would need every
    # line to fit its block, and one thread per reader keeps the cost per core honest.
    return pj.ReadOptions(use_threads=False, block_size=max(size, 1) + 1)


def object_lines(block: bytes, newlines: np.ndarray) -> np.ndarray | None:
    """0-based indices of the block's non-blank lines if each looks like one object, else None.

    "Looks like an object": first byte `{`, last byte `}` (before an optional CR), after
    stripping blanks. Together with pyarrow returning one row per such line this proves
    row i is line i: a value cannot span lines whose every line starts with `{` and ends
    with `}`, and two values on a line give an extra row. It also keeps pyarrow away
    from a `null` line, which it reads as a row of nulls (or, first in a block, crashes on:
    pyarrow 26).
    """
    buf = np.frombuffer(block, dtype=np.uint8)
    size = len(buf)
    starts = np.concatenate([[0], newlines + 1])
    stops = np.concatenate([newlines, [size]])
    if starts[-1] == size:  # nothing after the final newline
        starts, stops = starts[:-1], stops[:-1]
    if len(starts) == 0:
        return np.empty(0, np.int64)
    nonempty = stops > starts
    first = np.zeros(len(starts), np.uint8)
    last = np.zeros(len(starts), np.uint8)
    first[nonempty] = buf[starts[nonempty]]
    last_at = stops - 1
    last[nonempty] = buf[last_at[nonempty]]
    crlf = nonempty & (last == _CR) & (stops - starts >= 2)
    last[crlf] = buf[last_at[crlf] - 1]
    plain = (first == _OPEN) & (last == _CLOSE)
    if plain.all():
        return np.arange(len(starts), dtype=np.int64)
    keep = plain.copy()
    for i in np.flatnonzero(~plain):  # blank, indented or padded lines: rare, checked one by one
        line = block[starts[i]: stops[i]].strip(blocks.WHITESPACE)
        if not line:
            continue
        if line[0] != _OPEN or line[-1] != _CLOSE:
            return None
        keep[i] = True
    return np.flatnonzero(keep).astype(np.int64)


def _arrow_read(data: bytes, schema: pa.Schema) -> pa.Table | None:
    """pyarrow's JSON reader over `data` with the schema; None when it refuses the input."""
    try:
        return pj.read_json(
            pa.BufferReader(data), read_options=_read_options(len(data)), parse_options=_parse_options(schema)
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _valid_utf8(block: bytes) -> bool:
    """Whether the whole block is UTF-8 (pyarrow's JSON reader does not check; Arrow's validator is SIMD)."""
    offsets = pa.py_buffer(np.array([0, len(block)], dtype=np.int64).tobytes())
    as_binary = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(block)])
    try:
        as_binary.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def parse_fast(
    block: bytes, first_line: int, ctx: FileContext, newlines: np.ndarray | None = None
) -> Parsed | None:
    """The block parsed by pyarrow in one call, or None when any line needs the slow path."""
    if newlines is None:
        newlines = blocks.newline_offsets(block)
    lines = object_lines(block, newlines)
    if lines is None or not _valid_utf8(block):
        return None
    if len(lines) == 0:
        return Parsed(ctx.empty_table(), lines, [])
    table = _arrow_read(block, ctx.schema)
    if table is None and ctx.json_fields:
        table = _read_with_json_text(block, newlines, lines, ctx)
    if table is None or table.num_rows != len(lines):
        return None
    return Parsed(pa.Table.from_arrays(table.columns, schema=ctx.schema), lines + first_line, [])


def _read_with_json_text(
    block: bytes, newlines: np.ndarray, lines: np.ndarray, ctx: FileContext
) -> pa.Table | None:
    """The fast path for blocks whose coerce=json fields hold objects, lists or numbers.

    pyarrow reads every other field; the JSON fields come from orjson per line (it has no
    "raw JSON" type), written by the same `json_text` as the slow path. Costs one orjson
    parse per line, still far less than the slow path's per-row conform and from_pylist.
    """
    names = set(ctx.json_fields)
    others = pa.schema([f for f in ctx.schema if f.name not in names])
    table = _arrow_read(block, others) if len(others) else None
    if len(others) and (table is None or table.num_rows != len(lines)):
        return None
    assert table is not None or not len(others)
    starts = np.concatenate([[0], newlines + 1])[lines]
    stops = np.concatenate([newlines, [len(block)]])[lines]
    view = memoryview(block)
    texts: dict[str, list[str | None]] = {name: [] for name in ctx.json_fields}
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        try:
            value = orjson.loads(view[start:stop])
        except orjson.JSONDecodeError:  # NaN and friends: let the slow path decide
            return None
        if type(value) is not dict:
            return None
        for name, out in texts.items():
            try:
                out.append(json_text(value.get(name)))
            except (TypeError, orjson.JSONEncodeError):
                return None
    columns = [
        pa.array(texts[f.name], f.type) if f.name in names else table.column(f.name)
        for f in ctx.schema
    ]
    return pa.Table.from_arrays(columns, schema=ctx.schema)


# --- slow path ------------------------------------------------------------------------


def parse_slow(block: bytes, first_line: int, ctx: FileContext) -> Parsed:
    """Line by line: every non-blank line becomes a row or a drop row saying why."""
    rows: list[dict] = []
    lines: list[int] = []
    drops: list[dict] = []
    for i, line in enumerate(blocks.split_lines(block)):
        if blocks.is_blank(line):
            continue
        number = first_line + i
        row = parse_line(line, number, ctx, drops)
        if row is not None:
            rows.append(row)
            lines.append(number)
    table = pa.Table.from_pylist(rows, schema=ctx.schema) if rows else ctx.empty_table()
    return Parsed(table, np.array(lines, dtype=np.int64), drops)


def parse_line(line: bytes, number: int, ctx: FileContext, drops: list[dict]) -> dict | None:
    """One line -> a conformed row, or None after appending a drop row to `drops`."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as bad:
            raw = line.decode("utf-8", errors="replace").rstrip("\r")
            detail = f"line {number}: invalid UTF-8 at byte {bad.start + 1}"
            drops.append(ctx.drop("malformed:utf8", detail, number, raw))
            return None
        row = _arrow_opinion(line, ctx)
        if row is not None:
            return row
        detail = f"line {number}: invalid JSON: {exc.msg} at column {exc.colno}"
        drops.append(ctx.drop("malformed:json", detail, number, text.rstrip("\r")))
        return None
    if type(value) is not dict:
        text = line.decode("utf-8").rstrip("\r")
        detail = f"line {number}: a JSON {json_kind(value)}, not an object"
        drops.append(ctx.drop("malformed:not_an_object", detail, number, text))
        return None
    try:
        return ctx.conform(value)
    except ConformError as exc:
        text = line.decode("utf-8").rstrip("\r")
        drops.append(ctx.drop("malformed:type", f"line {number}: {exc}", number, text))
        return None


def _arrow_opinion(line: bytes, ctx: FileContext) -> dict | None:
    """The row as pyarrow reads it, for an object-looking line orjson refused.

    pyarrow accepts NaN, Infinity and out-of-range floats that orjson refuses; asking it
    keeps such a row whichever path its block took. Only `{...}` lines are asked, so a
    file of garbage does not pay a pyarrow call per line.
    """
    stripped = line.strip(blocks.WHITESPACE)
    if not (stripped.startswith(b"{") and stripped.endswith(b"}")):
        return None
    table = _arrow_read(stripped, ctx.schema)
    return table.to_pylist()[0] if table is not None and table.num_rows == 1 else None
