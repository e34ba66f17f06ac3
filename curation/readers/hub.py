"""Hugging Face Hub datasets, streamed (nothing is downloaded ahead or cached as Arrow).

Rows arrive as Arrow tables and are cast to the adapter's schema as whole columns; a
batch whose columns cannot be cast is conformed row by row instead, so a bad row is a
`malformed:type` drop rather than a failed run. Any failure to reach or resolve the
dataset (offline, not found, no such split, connection lost) is a SourceError naming
the dataset, its revision/subset/split, and the cause.

A split stored in several data files is read as shards (`hub_shards`): contiguous runs of its
files (datasets' `IterableDataset.shard`), one ingest task each, so a cluster reads a
many-file dataset (FineWeb's thousands of Parquet files) in parallel, as it does local files.
Read in turn, the shards give the split's rows in its own order. A shard numbers its records
from 1; ingest adds the records of the shards before it, so a drop names the record's number
in the whole split.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

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


# At most this many shards of one split (each a task; its files are listed again by each): a
# fixed number, never the worker count, so a source's ingested parts are the same on any executor.
MAX_HUB_SHARDS = 1024


@dataclass(frozen=True)
class HubShard:
    """Shard `index` of `count`: the index-th of `count` contiguous runs of the split's data files."""

    index: int
    count: int


def hub_shards(location: Location) -> list[HubShard]:
    """The shards a hub split is read in: one per data file, at most MAX_HUB_SHARDS (then runs
    of several files each). SourceError when the dataset cannot be resolved."""
    count = _guarded(location, lambda: _dataset(location).num_shards)
    count = max(1, min(int(count), MAX_HUB_SHARDS))
    return [HubShard(i, count) for i in range(count)]


def read_hub(location: Location, ctx: FileContext, shard: HubShard | None = None) -> Iterator[RawBatch]:
    """Batches of a hub dataset split, or of one shard of it; positions are 1-based record
    numbers (in the shard)."""
    done = 0
    for table in _tables(location, ctx.batch_rows, shard):
        numbers = pa.array(np.arange(done + 1, done + table.num_rows + 1, dtype=np.int64))
        done += table.num_rows
        try:
            yield from ctx.batches(conform_table(table, ctx.schema), numbers, [])
        except CastError:
            yield from _by_rows(table, numbers, ctx)


def _dataset(location: Location):  # noqa: ANN202 - a datasets.IterableDataset, imported lazily
    import datasets  # imported here: it is slow to import and only the hub needs it

    return datasets.load_dataset(
        location.hub,
        name=location.subset,
        split=location.split,
        revision=location.revision,
        streaming=True,
    )


def _guarded(location: Location, call):  # noqa: ANN001, ANN202
    """call(), with every hub failure a SourceError naming the dataset."""
    try:
        return call()
    except SourceError:
        raise
    except Exception as exc:  # noqa: BLE001 - the hub fails in many ways; all mean "cannot read"
        raise _hub_error(location, exc) from exc


def _hub_error(location: Location, exc: Exception) -> SourceError:
    cause = " ".join(str(exc).split()) or type(exc).__name__
    return SourceError(f"{location.describe()}: cannot read from the Hugging Face Hub: {type(exc).__name__}: {cause}")


def _tables(location: Location, batch_rows: int, shard: HubShard | None = None) -> Iterator[pa.Table]:
    """The split (or `shard` of it) as Arrow tables of batch_rows rows; every hub failure
    becomes a SourceError."""
    try:
        dataset = _dataset(location)
        if shard is not None and shard.count > 1:
            if dataset.num_shards < shard.count:  # the split changed since its reading was planned
                raise SourceError(
                    f"{location.describe()}: the split has {dataset.num_shards} data files now, "
                    f"{shard.count} when its reading was planned; pin a revision"
                )
            dataset = dataset.shard(num_shards=shard.count, index=shard.index, contiguous=True)
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
        raise _hub_error(location, exc) from exc


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
