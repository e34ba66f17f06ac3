"""Plain text: one document per line (e.g. a Wikipedia dump with one article a line).

Each non-blank line is a row whose single required string field (`text` for the text
adapters) holds the line without its line break; other fields are null. A line that is
not UTF-8 is a `malformed:utf8` drop.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.types as pat

from curation.readers import blocks
from curation.readers.base import RawBatch, SourceError, required_fields
from curation.readers.compression import open_stream
from curation.readers.context import FileContext
from curation.readers.discover import SourceFile


def text_field(schema: pa.Schema) -> str:
    """The field a line of text goes into: the one required string field (or the one string field)."""
    strings = [f.name for f in schema if pat.is_string(f.type) or pat.is_large_string(f.type)]
    required = [name for name in required_fields(schema) if name in strings]
    if len(required) == 1:
        return required[0]
    if not required and len(strings) == 1:
        return strings[0]
    raise SourceError(
        f"plain text needs an adapter with exactly one required string field for the line; "
        f"this one has {', '.join(required or strings) or 'none'}"
    )


def read_text(sf: SourceFile, ctx: FileContext) -> Iterator[RawBatch]:
    """Batches of a text file, one row per non-blank line; positions are line numbers."""
    try:
        target = text_field(ctx.schema)
    except SourceError as exc:
        raise SourceError(f"{sf.path}: {exc}") from None
    with open_stream(sf.path, sf.codec) as stream:
        for block, first_line, _ in blocks.line_blocks(stream, blocks.BLOCK_BYTES):
            texts: list[str] = []
            numbers: list[int] = []
            drops: list[dict] = []
            for i, line in enumerate(blocks.split_lines(block)):
                if blocks.is_blank(line):
                    continue
                number = first_line + i
                line = line.removesuffix(b"\r")
                try:
                    texts.append(line.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    raw = line.decode("utf-8", errors="replace")
                    detail = f"line {number}: invalid UTF-8 at byte {exc.start + 1}"
                    drops.append(ctx.drop("malformed:utf8", detail, number, raw))
                    continue
                numbers.append(number)
            column = pa.array(texts, ctx.schema.field(target).type)
            columns = [column if f.name == target else pa.nulls(len(texts), f.type) for f in ctx.schema]
            table = pa.Table.from_arrays(columns, schema=ctx.schema)
            yield from ctx.batches(table, np.array(numbers, dtype=np.int64), drops)
