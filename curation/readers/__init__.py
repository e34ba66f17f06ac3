"""Readers: a Location in, batches of rows in the adapter's input schema out.

    from curation.readers import read_rows
    for batch in read_rows(location, adapter.input_schema, source="alpaca"):
        ...  # batch.table, batch.positions, batch.malformed (see base.RawBatch)

Formats: JSON Lines (.jsonl, .ndjson), JSON (.json: an array of rows, or JSON Lines),
Parquet, Arrow IPC (file or stream; Hugging Face save_to_disk directories), CSV and
plain text (.txt, one document per line); each plain, .gz or .zst. A location is a
file, a directory (read recursively in path order), a glob, or a Hub dataset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pyarrow as pa

from curation.readers.base import DEFAULT_BATCH_ROWS, RawBatch, SourceError, opt, req, required_fields
from curation.readers.columnar import read_arrow, read_parquet
from curation.readers.conform import check_schema
from curation.readers.context import FileContext
from curation.readers.csv_reader import read_csv
from curation.readers.discover import SourceFile, discover
from curation.readers.hub import HubShard, hub_file, read_hub
from curation.readers.json_array import read_json
from curation.readers.jsonl import read_jsonl
from curation.readers.location import Location
from curation.readers.pieces import FilePiece
from curation.readers.remote import is_url, list_urls, local_copy
from curation.readers.text import read_text

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "Location",
    "RawBatch",
    "SourceError",
    "opt",
    "read_rows",
    "req",
    "required_fields",
]

Reader = Callable[[SourceFile, FileContext], Iterator[RawBatch]]

READERS: dict[str, Reader] = {
    "jsonl": read_jsonl,
    "json": read_json,
    "parquet": read_parquet,
    "arrow": read_arrow,
    "csv": read_csv,
    "txt": read_text,
}


def read_rows(
    location: Location,
    input_schema: pa.Schema,
    source: str,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    piece: FilePiece | HubShard | None = None,
) -> Iterator[RawBatch]:
    """Stream a location's rows as RawBatches of at most batch_rows rows, file by file; with
    `piece`, only that piece of the location's one local file (pieces.py), or that shard of a
    hub split (hub.py).

    Every table has exactly the input schema (missing fields null, others ignored);
    rows that cannot be read are in each batch's `malformed` table. Raises SourceError
    when the location cannot be read at all (checked before the first batch for
    missing paths; while reading for broken files).
    """
    if batch_rows < 1:
        raise ValueError(f"batch_rows must be at least 1, got {batch_rows}")
    check_schema(input_schema)
    if location.hub is not None:
        shard = piece if isinstance(piece, HubShard) else None
        yield from read_hub(location, FileContext(input_schema, source, hub_file(location), batch_rows), shard)
        return
    if is_url(location.path):
        for url in list_urls(location.path, location.format):
            with local_copy(url) as local:  # the readers seek and memory-map: give them a local file
                try:
                    (sf,) = discover(Location(path=str(local), format=location.format))
                    yield from _read_file(sf, FileContext(input_schema, source, url, batch_rows))
                except SourceError as exc:  # name the URL, not the temporary copy
                    raise SourceError(str(exc).replace(str(local), url)) from None
        return
    for sf in discover(location):
        sf = dataclasses.replace(sf, piece=piece) if piece is not None else sf
        yield from _read_file(sf, FileContext(input_schema, source, str(sf.path), batch_rows))


def _read_file(sf: SourceFile, ctx: FileContext) -> Iterator[RawBatch]:
    try:
        yield from READERS[sf.format](sf, ctx)
    except (OSError, pa.ArrowException) as exc:  # I/O, decompression (a truncated .gz), a broken CSV
        raise SourceError(f"{ctx.file}: cannot read: {' '.join(str(exc).split())}") from exc


def local_file(location: Location) -> SourceFile | None:
    """The one local file a location names (a path from `input_paths`), or None (a hub dataset,
    a URL, several files)."""
    if location.hub is not None or is_url(location.path):
        return None
    files = discover(location)
    return files[0] if len(files) == 1 else None


def input_paths(location: Location) -> list[str]:
    """The files a local path or a URL location names, in read order (paths or URLs); the
    partitions of ingest. SourceError when there are none."""
    if is_url(location.path):
        return list_urls(location.path, location.format)
    return [str(f.path) for f in discover(location)]
