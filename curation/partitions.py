"""Partitions of a source: runs of consecutive Parquet row groups of its parts, the unit a
partitioned stage hands to one task.

A partition is planned from the files' metadata alone (row-group sizes), so the plan — and so
every file a stage writes from it — is the same whichever executor runs it and however many
workers it has. A partition never spans two files and holds at most `max_rows` rows unless a
single row group is bigger (it is then a partition of its own).

Stages write their output parts with row groups of ROW_GROUP_ROWS rows, so the next stage can
split a part again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

# Rows per row group of the parts a stage writes: small enough that a later stage can plan
# partitions of a few tens of thousands of rows, large enough to compress well.
ROW_GROUP_ROWS = 10_000


@dataclass(frozen=True)
class Partition:
    """Row groups `row_groups` of the Parquet file `path` (`rows` rows in all)."""

    path: str
    row_groups: tuple[int, ...]
    rows: int

    def read(self, schema: pa.Schema | None = None) -> pa.Table:
        table = pq.ParquetFile(self.path).read_row_groups(list(self.row_groups))
        return _as(table, schema)

    def row_group_tables(self, schema: pa.Schema | None = None) -> Iterator[pa.Table]:
        """The partition one row group at a time: what a task holds stays a row group's rows."""
        file = pq.ParquetFile(self.path)
        for group in self.row_groups:
            yield _as(file.read_row_group(group), schema)


def read_rows(path: str | Path, rows: np.ndarray) -> pa.Table:
    """Rows `rows` (ascending row numbers) of the Parquet file `path`, in that order, read a row
    group at a time: what is held is the rows taken and one row group, not the whole file (a mix
    pick task takes about half of its rendered part)."""
    file = pq.ParquetFile(path)
    rows = np.asarray(rows, dtype=np.int64)
    taken, start = [], 0
    for group in range(file.metadata.num_row_groups):
        n = file.metadata.row_group(group).num_rows
        lo, hi = np.searchsorted(rows, [start, start + n])
        if hi > lo:
            taken.append(file.read_row_group(group).take(pa.array(rows[lo:hi] - start)))
        start += n
    if rows.size and (rows[0] < 0 or rows[-1] >= start):
        raise IndexError(f"{path}: rows {rows[0]}..{rows[-1]} asked of {start} rows")
    return pa.concat_tables(taken) if taken else file.schema_arrow.empty_table()


def _as(table: pa.Table, schema: pa.Schema | None) -> pa.Table:
    return table if schema is None else table.cast(schema) if table.schema != schema else table


def plan_partitions(paths: Sequence[Path], max_rows: int) -> list[Partition]:
    """The partitions of `paths`, in file order then row-group order."""
    if max_rows < 1:
        raise ValueError(f"partition rows must be 1 or more, got {max_rows}")
    out: list[Partition] = []
    for path in paths:
        meta = pq.ParquetFile(path).metadata
        groups: list[int] = []
        rows = 0
        for i in range(meta.num_row_groups):
            n = meta.row_group(i).num_rows
            if groups and rows + n > max_rows:
                out.append(Partition(str(path), tuple(groups), rows))
                groups, rows = [], 0
            groups.append(i)
            rows += n
        if groups:
            out.append(Partition(str(path), tuple(groups), rows))
    return out


def part_starts(paths: Sequence[Path]) -> np.ndarray:
    """The row offset of each file in the concatenation of `paths`, then the total (int64, one
    longer than `paths`), from the files' metadata."""
    return np.concatenate([[0], np.cumsum([pq.read_metadata(p).num_rows for p in paths])]).astype(np.int64)


def take_rows(paths: Sequence[Path], starts: np.ndarray, indices: np.ndarray, columns: list[str] | None = None) -> pa.Table:
    """Rows `indices` (into the concatenation of `paths`, whose offsets are `starts` from
    part_starts; any order, repeats allowed) as one table in that order, reading one file at a
    time and keeping only the wanted rows: memory is one file plus the rows, not all of them."""
    wanted, inverse = np.unique(np.asarray(indices, dtype=np.int64), return_inverse=True)
    pieces = []
    for k, path in enumerate(paths):
        lo, hi = np.searchsorted(wanted, starts[k : k + 2])
        if hi > lo:
            pieces.append(pq.read_table(path, columns=columns).take(pa.array(wanted[lo:hi] - starts[k])))
    return pa.concat_tables(pieces).take(pa.array(inverse.ravel()))
