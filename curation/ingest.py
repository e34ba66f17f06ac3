"""Ingest: read one source, map it to canonical records, account for every row.

    read (reader) -> adapt (adapter) -> unique ids -> canonical Parquet + dropped-row report

A source's output is built in a temporary directory and renamed into
`RUN_DIR/sources/<name>/` only when complete, so a crash never leaves a source that looks
ingested; a rerun starts that source again.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import polars_hash as plh
import pyarrow as pa
import pyarrow.parquet as pq

from curation.accounting import DROP_SCHEMA, StageCounts
from curation.adapters import get_adapter
from curation.adapters.base import Adapter, adapt
from curation.fileio import atomic_write_text, commit_dir, fresh_tmp_dir
from curation.parts import PartWriter, parquet_options
from curation.readers import read_rows
from curation.readers.base import DEFAULT_BATCH_ROWS
from curation.readers.location import Location
from curation.record import CANONICAL_SCHEMA
from curation.summary import RunSummary, SourceSummary, StageSummary

# Separates a repeated id from its occurrence number: `abc#2` is the second row with id abc.
REPEAT_SEPARATOR = "#"

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
    """Makes ids unique within a source without dropping anything.

    Later stages key everything on ids (dedup survivors, sampling). A row whose id an
    earlier row of the source already has (the very same row again when the id is a
    content hash; or a source that reuses its ids) gets the suffix `#k` for its k-th
    occurrence, in read order: no valid row is lost, and exact dedup then reports the
    identical copies with `duplicate_of`. Memory: a 16-byte digest of each id and a
    count, ~100 bytes a row (the cluster issue moves this into the hash-partitioned
    exact-dedup stage).
    """

    def __init__(self) -> None:
        self.seen: dict[bytes, int] = {}
        self.repeated = 0

    def assign(self, kept: pa.Table) -> pa.Table:
        ids = pl.DataFrame({"id": pl.Series(kept.column("id"))})
        digests = ids.select(plh.col("id").chash.sha2_256().str.slice(0, 32).str.decode("hex")).to_series()
        renamed: dict[int, int] = {}
        for i, key in enumerate(digests.to_list()):
            count = self.seen.get(key, 0) + 1
            self.seen[key] = count
            if count > 1:
                renamed[i] = count
        if not renamed:
            return kept
        self.repeated += len(renamed)
        new_ids = kept.column("id").to_pylist()
        for i, count in renamed.items():
            new_ids[i] = f"{new_ids[i]}{REPEAT_SEPARATOR}{count}"
        return kept.set_column(0, CANONICAL_SCHEMA.field("id"), pa.array(new_ids, pa.string()))


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
        stages, repeated_ids = _ingest_into(tmp, spec, adapter, batch_rows, parts, on_batch)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary = SourceSummary(
        name=spec.name,
        adapter=spec.adapter,
        location=spec.location.describe(),
        stages=stages,
        repeated_ids=repeated_ids,
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
) -> tuple[list[StageSummary], int]:
    read = StageCounts(spec.name, "read")
    adapted = StageCounts(spec.name, "adapt")
    ids = _UniqueIds()
    drops = pq.ParquetWriter(tmp / "dropped.parquet", DROP_SCHEMA, **parquet_options("zstd"))
    try:
        for batch in read_rows(spec.location, adapter.input_schema, source=spec.name, batch_rows=batch_rows):
            rows_seen = batch.table.num_rows + batch.malformed.num_rows
            read.add(rows_seen, batch.table.num_rows, batch.malformed)
            result = adapt(adapter, batch, spec.name)
            kept = ids.assign(result.kept)
            adapted.add(batch.table.num_rows, kept.num_rows, result.dropped)
            for table in (batch.malformed, result.dropped):
                if table.num_rows:
                    drops.write_table(table)
            parts.write(kept)
            if on_batch is not None:
                on_batch(rows_seen)
    finally:
        parts.close()
        drops.close()
    return [StageSummary.of(read), StageSummary.of(adapted)], ids.repeated


def write_summary(run_dir: Path) -> RunSummary:
    """Merge every ingested source's counts into RUN_DIR/summary.json (checked on the way)."""
    sources = [
        SourceSummary.model_validate_json(p.read_text())
        for p in sorted((run_dir / "sources").glob("*/counts.json"))
    ]
    summary = RunSummary.of(sources)
    summary.write(run_dir / "summary.json")
    return summary
