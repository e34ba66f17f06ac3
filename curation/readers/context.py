"""What every format reader shares: the file being read, its drop rows and batch slicing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from curation.accounting import drops_table, empty_drops
from curation.readers.base import RawBatch
from curation.readers.conform import RowConformer, json_fields
from curation.work_store_task import driver_path

STAGE = "read"


@dataclass
class FileContext:
    """One file (or hub dataset) being read into one adapter's input schema."""

    schema: pa.Schema
    source: str
    file: str
    batch_rows: int
    conform: RowConformer = field(init=False)
    json_fields: list[str] = field(init=False)  # coerce=json fields: any JSON value, kept as text

    def __post_init__(self) -> None:
        self.file = driver_path(self.file)  # reports name the file as the user gave it (work_store_task.py)
        self.conform = RowConformer(self.schema)
        self.json_fields = json_fields(self.schema)

    def drop(self, reason: str, detail: str, line: int | None, raw: str | None = None) -> dict:
        """One malformed-row record (a DROP_SCHEMA row as a dict), stage `read`."""
        return {
            "source": self.source,
            "stage": STAGE,
            "reason": reason,
            "detail": detail,
            "file": self.file,
            "line": line,
            "raw": raw,
        }

    def empty_table(self) -> pa.Table:
        return self.schema.empty_table()

    def batches(
        self, table: pa.Table, positions: np.ndarray | pa.Array, drops: list[dict]
    ) -> Iterator[RawBatch]:
        """Slice rows into RawBatches of at most batch_rows rows; drops ride on the first.

        A piece of input whose rows all failed still yields one batch (empty table) so
        that its drop rows reach the report.
        """
        positions = pa.array(positions, pa.int64()) if not isinstance(positions, pa.Array) else positions
        malformed = drops_table(drops) if drops else empty_drops()
        if table.num_rows == 0:
            if malformed.num_rows:
                yield RawBatch(table=table, file=self.file, positions=positions, malformed=malformed)
            return
        for start in range(0, table.num_rows, self.batch_rows):
            yield RawBatch(
                table=table.slice(start, self.batch_rows),
                file=self.file,
                positions=positions.slice(start, self.batch_rows),
                malformed=malformed if start == 0 else empty_drops(),
            )


class Rebatcher:
    """Gathers small tables (Arrow record batches, hub batches) into tables of batch_rows rows."""

    def __init__(self, batch_rows: int) -> None:
        self.batch_rows = batch_rows
        self._pending: list[pa.Table] = []
        self._rows = 0

    def add(self, table: pa.Table) -> Iterator[pa.Table]:
        """Add rows; yield every full table of batch_rows rows now available."""
        if table.num_rows:
            self._pending.append(table)
            self._rows += table.num_rows
        while self._rows >= self.batch_rows:
            whole = pa.concat_tables(self._pending)
            yield whole.slice(0, self.batch_rows)
            rest = whole.slice(self.batch_rows)
            self._pending, self._rows = ([rest], rest.num_rows) if rest.num_rows else ([], 0)

    def flush(self) -> Iterator[pa.Table]:
        """Yield what is left (fewer than batch_rows rows), if anything."""
        if self._rows:
            yield pa.concat_tables(self._pending)
        self._pending, self._rows = [], 0
