"""Hugging Face Hub datasets, streamed (nothing is downloaded ahead or cached as Arrow).

Rows arrive as Arrow tables and are cast to the adapter's schema as whole columns; a
batch whose columns cannot be cast is conformed row by row instead, so a bad row is a
`malformed:type` drop rather than a failed run. Any failure to reach or resolve the
dataset (offline, not found, no such split, connection lost) is a SourceError naming
the dataset, its revision/subset/split, and the cause.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import orjson
import pyarrow as pa

from curation.readers.base import RawBatch, SourceError
from curation.readers.conform import CastError, ConformError, conform_table
from curation.readers.context import FileContext
from curation.readers.location import HUB_PREFIX, Location


def hub_file(location: Location) -> str:
    """The `file` of a hub dataset's rows and drops: `hf:<dataset id>`."""
    return f"{HUB_PREFIX}{location.hub}"


def read_hub(location: Location, ctx: FileContext) -> Iterator[RawBatch]:
    """Batches of a hub dataset split; positions are 1-based record numbers."""
    done = 0
    for table in _tables(location, ctx.batch_rows):
        numbers = pa.array(np.arange(done + 1, done + table.num_rows + 1, dtype=np.int64))
        done += table.num_rows
        try:
            yield from ctx.batches(conform_table(table, ctx.schema), numbers, [])
        except CastError:
            yield from _by_rows(table, numbers, ctx)


def _tables(location: Location, batch_rows: int) -> Iterator[pa.Table]:
    """The split as Arrow tables of batch_rows rows; every hub failure becomes a SourceError."""
    try:
        import datasets  # imported here: it is slow to import and only the hub needs it

        dataset = datasets.load_dataset(
            location.hub,
            name=location.subset,
            split=location.split,
            revision=location.revision,
            streaming=True,
        )
        tables = iter(dataset.with_format("arrow").iter(batch_size=batch_rows))
        while True:
            try:
                table = next(tables)
            except StopIteration:
                return
            yield table
    except SourceError:
        raise
    except Exception as exc:  # noqa: BLE001 - the hub fails in many ways; all mean "cannot read"
        cause = " ".join(str(exc).split()) or type(exc).__name__
        raise SourceError(
            f"{location.describe()}: cannot read from the Hugging Face Hub: {type(exc).__name__}: {cause}"
        ) from exc


def _by_rows(table: pa.Table, numbers: pa.Array, ctx: FileContext) -> Iterator[RawBatch]:
    rows, kept, drops = [], [], []
    for number, value in zip(numbers.to_pylist(), table.to_pylist(), strict=True):
        try:
            rows.append(ctx.conform(value))
            kept.append(number)
        except ConformError as exc:
            raw = orjson.dumps(value, default=str).decode()
            drops.append(ctx.drop("malformed:type", f"record {number}: {exc}", number, raw))
    out = pa.Table.from_pylist(rows, schema=ctx.schema) if rows else ctx.empty_table()
    yield from ctx.batches(out, pa.array(kept, pa.int64()), drops)
