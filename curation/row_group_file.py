"""One Parquet file written a batch at a time with the row groups, and so the bytes, that writing
all its rows at once with `pq.write_table(table, row_group_size=N)` gives.

A stage task handed a partition of 250,000 rows passes it through its stages one input row group
(10,000-20,000 rows) at a time: what it holds is then a row group's rows and their stage results,
whatever the partition's size (benchmarks/results/part_memory.md measured a filters task holding
~9x its partition's text when it took the partition whole). Its output must stay the same bytes,
since the next stage's partitions are cut by this file's row groups: so the rows are written in
row groups of exactly N, the last one shorter, as one write of them all would cut them.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


class RowGroupFile:
    """Tables of one schema appended to the Parquet file `path` in row groups of `rows_per_group`
    rows. Holds at most one row group's rows; the file is created at the first row, with that
    table's schema as pq.write_table would take it (none if no row is ever written), and finished
    by close()."""

    def __init__(self, path: Path, rows_per_group: int, **options) -> None:
        if rows_per_group < 1:
            raise ValueError(f"rows_per_group must be 1 or more, got {rows_per_group}")
        self.path = Path(path)
        self.rows_per_group = rows_per_group
        self.options = options
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._writer: pq.ParquetWriter | None = None

    def write(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self._pending.append(table)
        self._pending_rows += table.num_rows
        while self._pending_rows >= self.rows_per_group:
            self._flush(self.rows_per_group)

    def close(self) -> None:
        if self._pending_rows:
            self._flush(self._pending_rows)
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> RowGroupFile:
        return self

    def __exit__(self, exc_type: type | None, *_: object) -> None:
        if exc_type is None:
            self.close()
            return
        # A task that failed half way leaves no file that looks finished.
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._pending, self._pending_rows = [], 0
        self.path.unlink(missing_ok=True)

    def _flush(self, n: int) -> None:
        """Write the first `n` pending rows as one row group."""
        pending = pa.concat_tables(self._pending)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, pending.schema, **self.options)
        # one chunk a column: the pages are cut by the rows alone, not by how the batches came
        self._writer.write_table(pending.slice(0, n).combine_chunks(), row_group_size=n)
        rest = pending.slice(n)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows
