"""`.json` files: a top-level array of row objects, streamed; or JSON Lines under a .json name.

An array is parsed incrementally by ijson (the yajl2_c backend when built), so a 2 GB
array never holds more than one batch of rows in memory. A syntax error inside an array
cannot be skipped (there is no line to resynchronise on): the rows before it are kept and
one drop row says where reading stopped and that the rest of the file was not read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import ijson
import orjson
import pyarrow as pa

from curation.readers.base import RawBatch, SourceError
from curation.readers.compression import open_stream
from curation.readers.conform import ConformError, json_kind
from curation.readers.context import FileContext
from curation.readers.discover import SourceFile
from curation.readers.jsonl import read_jsonl

# Bytes ijson reads per call.
_READ_BYTES = 1 << 20
# Bytes looked at to tell an array from JSON Lines (a first line longer than this is
# read on until it ends).
_SNIFF_BYTES = 64 << 10
_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


def read_json(sf: SourceFile, ctx: FileContext) -> Iterator[RawBatch]:
    """Batches of a `.json` file: an array of objects, or JSON Lines; SourceError otherwise."""
    kind = sniff(sf)
    if kind == "empty":
        return
    if kind == "jsonl":
        yield from read_jsonl(sf, ctx)
        return
    yield from read_array(sf, ctx)


def sniff(sf: SourceFile) -> str:
    """`array`, `jsonl` or `empty`; SourceError for a single object or anything else."""
    with open_stream(sf.path, sf.codec) as stream:
        head = stream.read(_SNIFF_BYTES)
        body = head.removeprefix(_BOM).lstrip(_WHITESPACE)
        if not body:
            if len(head) < _SNIFF_BYTES:
                return "empty"
            return _sniff_long_whitespace(sf)
        if body[:1] == b"[":
            return "array"
        if body[:1] == b"{":
            line = body.split(b"\n", 1)[0]
            while b"\n" not in body and (more := stream.read(_SNIFF_BYTES)):
                body += more
                line = body.split(b"\n", 1)[0]
            try:
                if isinstance(orjson.loads(line), dict):
                    return "jsonl"
            except orjson.JSONDecodeError:
                pass
            raise SourceError(
                f"{sf.path}: holds a single JSON object, not an array of rows or JSON Lines "
                "(point the source at the list of rows inside it, or convert it to JSON Lines)"
            )
    raise SourceError(f"{sf.path}: not a JSON array of rows (the file starts with {body[:20]!r})")


def _sniff_long_whitespace(sf: SourceFile) -> str:
    """Same as sniff, past a long run of leading whitespace (rare: read on until content)."""
    with open_stream(sf.path, sf.codec) as stream:
        while chunk := stream.read(_SNIFF_BYTES):
            rest = chunk.lstrip(_WHITESPACE)
            if rest:
                if rest[:1] == b"[":
                    return "array"
                raise SourceError(f"{sf.path}: not a JSON array of rows (content starts with {rest[:20]!r})")
    return "empty"


def read_array(sf: SourceFile, ctx: FileContext) -> Iterator[RawBatch]:
    """Stream the array's items into batches; record numbers are 1-based."""
    rows: list[dict] = []
    numbers: list[int] = []
    drops: list[dict] = []
    number = 0
    with _open_without_bom(sf) as stream:
        items = ijson.items(stream, "item", use_float=True, buf_size=_READ_BYTES)
        while True:
            try:
                value = next(items)
            except StopIteration:
                break
            except ijson.JSONError as exc:
                number += 1
                message = _first_line(exc)
                utf8 = "UTF8" in message  # yajl checks UTF-8 as it lexes
                what = "invalid UTF-8" if utf8 else "invalid JSON"
                detail = f"record {number}: {what}: {message}; the rest of the file cannot be read"
                drops.append(ctx.drop("malformed:utf8" if utf8 else "malformed:json", detail, number))
                break
            number += 1
            row = _conform(value, number, ctx, drops)
            if row is not None:
                rows.append(row)
                numbers.append(number)
            if len(rows) >= ctx.batch_rows or len(drops) >= ctx.batch_rows:
                yield from _flush(rows, numbers, drops, ctx)
                rows, numbers, drops = [], [], []
    yield from _flush(rows, numbers, drops, ctx)


def _open_without_bom(sf: SourceFile) -> pa.NativeFile:
    """The file's stream past a UTF-8 byte order mark, which yajl refuses."""
    stream = open_stream(sf.path, sf.codec)
    if stream.read(len(_BOM)) == _BOM:
        return stream
    stream.close()
    return open_stream(sf.path, sf.codec)


def _conform(value: object, number: int, ctx: FileContext, drops: list[dict]) -> dict | None:
    if type(value) is not dict:
        raw = _raw(value)
        detail = f"record {number}: a JSON {json_kind(value)}, not an object"
        drops.append(ctx.drop("malformed:not_an_object", detail, number, raw))
        return None
    try:
        return ctx.conform(value)
    except ConformError as exc:
        drops.append(ctx.drop("malformed:type", f"record {number}: {exc}", number, _raw(value)))
        return None


def _flush(rows: list[dict], numbers: list[int], drops: list[dict], ctx: FileContext) -> Iterator[RawBatch]:
    if not rows and not drops:
        return
    table = pa.Table.from_pylist(rows, schema=ctx.schema) if rows else ctx.empty_table()
    yield from ctx.batches(table, pa.array(numbers, pa.int64()), drops)


def _raw(value: object) -> str:
    """The record as JSON text for the report (orjson refuses integers beyond 64 bits)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, default=str)


def _first_line(exc: Exception) -> str:
    """The first line of an error message (yajl's come as bytes, with a caret diagram below)."""
    arg = exc.args[0] if exc.args else ""
    text = (arg.decode("utf-8", errors="replace") if isinstance(arg, bytes) else str(arg)).strip()
    return text.splitlines()[0] if text else type(exc).__name__
