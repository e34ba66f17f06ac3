"""Ingest: read one source, map it to canonical records, account for every row.

    read (reader) -> adapt (adapter) -> unique ids -> canonical Parquet + dropped-row report

A source's output is built in a temporary directory and renamed into
`RUN_DIR/sources/<name>/` only when complete, so a crash never leaves a source that looks
ingested; a rerun starts that source again.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import polars_hash as plh
import pyarrow as pa
import pyarrow.parquet as pq

from curation.accounting import DROP_SCHEMA, StageCounts, StageResult, drops_table
from curation.adapters import get_adapter
from curation.adapters.base import HASHED_ID_PREFIX, Adapter, adapt
from curation.fileio import atomic_write_text, commit_dir, fresh_tmp_dir
from curation.parts import PartWriter, parquet_options
from curation.readers import read_rows
from curation.readers.base import DEFAULT_BATCH_ROWS
from curation.readers.location import Location
from curation.record import CANONICAL_SCHEMA
from curation.summary import RunSummary, SourceSummary, StageSummary

# Rows per canonical Parquet part: parts stay a few hundred MB for chat rows, and later
# stages map over parts.
ROWS_PER_PART = 250_000


@dataclass(frozen=True)
class SourceSpec:
    """One source to ingest: its name, the adapter for its schema, where it lives."""

    name: str
    adapter: str
    location: Location
    options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name or self.name.startswith("."):
            raise ValueError(f"source name {self.name!r} must be non-empty, without '/' and not start with '.'")


def source_dir(run_dir: Path, name: str) -> Path:
    return run_dir / "sources" / name


class _UniqueIds:
    """Drops rows whose id an earlier row of the same source already has.

    Later stages key everything on ids (dedup survivors, sampling), so ids must be unique
    within a source. Memory: a 16-byte digest of each id in a set, ~80 bytes a row (a
    source of 10M rows holds ~0.8 GB); the cluster issue moves this check into the
    hash-partitioned exact-dedup stage.
    """

    def __init__(self) -> None:
        self.seen: set[bytes] = set()

    def split(self, kept: pa.Table) -> tuple[pa.Table, list[int]]:
        ids = pl.DataFrame({"id": pl.Series(kept.column("id"))})
        digests = ids.select(plh.col("id").chash.sha2_256().str.slice(0, 32).str.decode("hex")).to_series()
        repeated = []
        for i, key in enumerate(digests.to_list()):
            if key in self.seen:
                repeated.append(i)
            else:
                self.seen.add(key)
        if not repeated:
            return kept, []
        mask = np.ones(kept.num_rows, dtype=bool)
        mask[repeated] = False
        return kept.filter(pa.array(mask)), repeated


def ingest_source(
    spec: SourceSpec,
    run_dir: Path,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    rows_per_part: int = ROWS_PER_PART,
    on_batch: Callable[[int], None] | None = None,
    compression: str = "zstd",
) -> SourceSummary:
    """Ingest one source into RUN_DIR/sources/<name>/ and return its counts.

    `on_batch(rows)` is called after each batch with the number of rows read (for progress).
    `compression` is that of the canonical parts: zstd (default), lz4 or none.
    Raises SourceError when the source cannot be read at all, ValueError for an unknown
    adapter or option; nothing is left in the run directory then.
    """
    adapter = get_adapter(spec.adapter, **spec.options)
    parquet_options(compression)  # a bad value fails before any work
    final = source_dir(run_dir, spec.name)
    tmp = fresh_tmp_dir(final)
    try:
        parts = PartWriter(tmp / "data", CANONICAL_SCHEMA, rows_per_part, compression)
        stages = _ingest_into(tmp, spec, adapter, batch_rows, parts, on_batch)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary = SourceSummary(
        name=spec.name, adapter=spec.adapter, location=spec.location.describe(), stages=stages
    )
    atomic_write_text(tmp / "counts.json", summary.model_dump_json(indent=2) + "\n")
    commit_dir(tmp, final)
    return summary


def _ingest_into(
    tmp: Path,
    spec: SourceSpec,
    adapter: Adapter,
    batch_rows: int,
    parts: PartWriter,
    on_batch: Callable[[int], None] | None,
) -> list[StageSummary]:
    read = StageCounts(spec.name, "read")
    adapted = StageCounts(spec.name, "adapt")
    ids = _UniqueIds()
    drops = pq.ParquetWriter(tmp / "dropped.parquet", DROP_SCHEMA, **parquet_options("zstd"))
    try:
        for batch in read_rows(spec.location, adapter.input_schema, source=spec.name, batch_rows=batch_rows):
            rows_seen = batch.table.num_rows + batch.malformed.num_rows
            read.add(rows_seen, batch.table.num_rows, batch.malformed)
            result = adapt(adapter, batch, spec.name)
            kept, repeated = ids.split(result.kept)
            dropped = pa.concat_tables(
                [result.dropped, _duplicate_id_drops(result, repeated, spec.name, batch.file)]
            )
            adapted.add(batch.table.num_rows, kept.num_rows, dropped)
            for table in (batch.malformed, dropped):
                if table.num_rows:
                    drops.write_table(table)
            parts.write(kept)
            if on_batch is not None:
                on_batch(rows_seen)
    finally:
        parts.close()
        drops.close()
    return [StageSummary.of(read), StageSummary.of(adapted)]


def _duplicate_id_drops(result: StageResult, repeated: list[int], source: str, file: str) -> pa.Table:
    """Drop rows for repeated ids: `duplicate_row` where the id is a content hash (the very
    same row again), `duplicate_id` where the source gave two rows the same id."""
    if not repeated:
        return DROP_SCHEMA.empty_table()
    rows = result.kept.take(repeated).to_pylist()
    positions = result.kept_positions
    lines = positions.take(repeated).to_pylist() if positions is not None else [None] * len(rows)
    drops = []
    for row, line in zip(rows, lines, strict=True):
        same_row = row["id"].startswith(HASHED_ID_PREFIX)
        drops.append(
            {
                "source": source,
                "stage": "adapt",
                "reason": "duplicate_row" if same_row else "duplicate_id",
                "detail": "an identical row appears earlier in this source"
                if same_row
                else f"id {row['id']!r} is already used by an earlier row of this source",
                "id": row["id"],
                "file": file,
                "line": line,
                "duplicate_of": row["id"],
                "raw": json.dumps({k: row[k] for k in ("messages", "text")}, ensure_ascii=False),
            }
        )
    return drops_table(drops)


def write_summary(run_dir: Path) -> RunSummary:
    """Merge every ingested source's counts into RUN_DIR/summary.json (checked on the way)."""
    sources = [
        SourceSummary.model_validate_json(p.read_text())
        for p in sorted((run_dir / "sources").glob("*/counts.json"))
    ]
    summary = RunSummary.of(sources)
    summary.write(run_dir / "summary.json")
    return summary
