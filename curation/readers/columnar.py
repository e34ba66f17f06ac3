"""Parquet and Arrow IPC files (file or stream format, including Hugging Face `save_to_disk` shards).

These carry their own schema, so types are checked once per file: a column that cannot
be safely cast to the adapter's type is a SourceError naming the file, the column and
both types (a whole file of wrong types is a wrong source, not a few bad rows).
Missing columns are read as nulls. Only the schema's columns are read from disk.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from curation.readers.base import RawBatch, SourceError
from curation.readers.compression import open_stream, seekable_path
from curation.readers.conform import CastError, check_columns, conform_table
from curation.readers.context import FileContext, Rebatcher
from curation.readers.discover import SourceFile

_FILE_MAGIC = b"ARROW1"


def read_parquet(sf: SourceFile, ctx: FileContext) -> Iterator[RawBatch]:
    """Batches of a Parquet file; record numbers are 1-based."""
    with seekable_path(sf.path, sf.codec) as path:
        try:
            parquet = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise SourceError(f"{sf.path}: not a readable Parquet file ({_first_line(exc)})") from None
        with parquet:
            actual = parquet.schema_arrow
            _check(sf, actual, ctx)
            wanted = [f.name for f in ctx.schema if f.name in actual.names]
            piece = sf.piece
            groups = range(piece.start, piece.stop) if piece else None
            batches = parquet.iter_batches(batch_size=ctx.batch_rows, columns=wanted, row_groups=groups)
            yield from _emit((pa.Table.from_batches([b]) for b in batches), sf, ctx, piece.first if piece else 1)


def read_arrow(sf: SourceFile, ctx: FileContext) -> Iterator[RawBatch]:
    """Batches of an Arrow IPC file or stream; record numbers are 1-based."""
    with open_stream(sf.path, sf.codec) as stream:
        is_file_format = stream.read(len(_FILE_MAGIC)) == _FILE_MAGIC
    if is_file_format:
        with seekable_path(sf.path, sf.codec) as path, pa.memory_map(path) as source:
            reader = _open(pa.ipc.open_file, source, sf)
            _check(sf, reader.schema, ctx)
            tables = (pa.Table.from_batches([reader.get_batch(i)]) for i in range(reader.num_record_batches))
            yield from _emit(tables, sf, ctx)
        return
    with open_stream(sf.path, sf.codec) as stream:
        reader = _open(pa.ipc.open_stream, stream, sf)
        _check(sf, reader.schema, ctx)
        yield from _emit((pa.Table.from_batches([b]) for b in reader), sf, ctx)


def _open(opener, source, sf: SourceFile):  # type: ignore[no-untyped-def]
    try:
        return opener(source)
    except (pa.ArrowInvalid, OSError) as exc:
        raise SourceError(
            f"{sf.path}: not a readable Arrow IPC file or stream ({_first_line(exc)})"
        ) from None


def _check(sf: SourceFile, actual: pa.Schema, ctx: FileContext) -> None:
    try:
        check_columns(actual, ctx.schema)
    except CastError as exc:
        raise SourceError(f"{sf.path}: {exc}") from None


def _emit(tables: Iterator[pa.Table], sf: SourceFile, ctx: FileContext, first: int = 1) -> Iterator[RawBatch]:
    """Conform tables to the schema and cut them into batches of batch_rows rows; the first
    record is numbered `first` (1, or a piece's first record)."""
    rebatch = Rebatcher(ctx.batch_rows)
    seen = first - 1  # records conformed so far
    emitted = first - 1  # records handed out so far

    def out(table: pa.Table) -> Iterator[RawBatch]:
        nonlocal emitted
        positions = np.arange(emitted + 1, emitted + table.num_rows + 1, dtype=np.int64)
        emitted += table.num_rows
        yield from ctx.batches(table, positions, [])

    for table in tables:
        # Conform before gathering: the schema's null columns also keep row counts of
        # files holding none of its columns (Arrow drops those of zero-column tables).
        try:
            conformed = conform_table(table, ctx.schema)
        except CastError as exc:
            raise SourceError(f"{sf.path}: records {seen + 1}-{seen + table.num_rows}: {exc}") from None
        seen += table.num_rows
        for full in rebatch.add(conformed):
            yield from out(full)
    for rest in rebatch.flush():
        yield from out(rest)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
