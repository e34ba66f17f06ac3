"""Rows to Parquet parts (part-00000.parquet, part-00001.parquet, ...) of a fixed row count.

Compression is most of the cost of writing (zstd-1: ~1 s of a 4 s ingest per 256 MiB,
benchmarks/results/ingest_profile.md), so one background thread writes the parts while
the caller reads and maps the next batch: on two cores the two overlap. At most
`max_pending` tables wait in the queue, so memory stays bounded by a few batches.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# zstd level 1: as small as level 3 within ~16% and ~35% faster to write.
COMPRESSIONS = {
    "zstd": {"compression": "zstd", "compression_level": 1},
    "lz4": {"compression": "lz4"},
    "none": {"compression": "none"},
}


# The data parts of a work directory (ingest's in a mix build or a flow, every later stage's) are
# read back by the next stage or two: lz4 decodes ~3x and encodes ~1.3x as fast as zstd-1, for ~1.6x
# the bytes (the bench's filtered parts, 169 MB of Arrow: written in 0.47 s vs 0.60 s, read in
# 0.14 s vs 0.41 s, 110 MB vs 70 MB). Drop reports, which users keep and read, stay zstd.
WORK_COMPRESSION = "lz4"


def parquet_options(compression: str) -> dict:
    if compression not in COMPRESSIONS:
        raise ValueError(f"unknown compression {compression!r}; choose one of {', '.join(COMPRESSIONS)}")
    return COMPRESSIONS[compression]


class PartWriter:
    """Writes tables of `schema` into `directory` as parts of `rows_per_part` rows (the last
    part may be shorter), in the order they were given."""

    def __init__(
        self,
        directory: Path,
        schema: pa.Schema,
        rows_per_part: int,
        compression: str = "zstd",
        max_pending: int = 2,
        prefix: str = "part-",
    ) -> None:
        self.directory = directory
        self.schema = schema
        self.rows_per_part = rows_per_part
        self.options = parquet_options(compression)
        self.max_pending = max_pending
        self.prefix = prefix
        self.parts = 0
        self.rows_in_part = 0
        self.writer: pq.ParquetWriter | None = None
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parts")
        self.pending: list[Future] = []
        directory.mkdir(parents=True, exist_ok=True)

    def write(self, table: pa.Table) -> None:
        """Queue `table` for writing; raises the error of an earlier write, if any."""
        while len(self.pending) >= self.max_pending:
            self.pending.pop(0).result()
        if table.num_rows:
            self.pending.append(self.pool.submit(self._write_now, table))

    def close(self) -> None:
        """Finish every queued write and close the last part."""
        try:
            for future in self.pending:
                future.result()
        finally:
            self.pending = []
            self.pool.shutdown(wait=True)
            self._close_part()

    # Runs on the writer thread only: one worker, so parts are written in order.
    def _write_now(self, table: pa.Table) -> None:
        while table.num_rows:
            if self.writer is None:
                path = self.directory / f"{self.prefix}{self.parts:05d}.parquet"
                self.writer = pq.ParquetWriter(path, self.schema, **self.options)
            take = min(table.num_rows, self.rows_per_part - self.rows_in_part)
            self.writer.write_table(table.slice(0, take))
            self.rows_in_part += take
            table = table.slice(take)
            if self.rows_in_part == self.rows_per_part:
                self._close_part()

    def _close_part(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
            self.parts += 1
            self.rows_in_part = 0
