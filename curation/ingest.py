"""Ingest: read one source, map it to canonical records, account for every row.

    read (reader) -> adapt (adapter) -> unique ids -> canonical Parquet + dropped-row report

A source's output is built in a temporary directory and renamed into
`RUN_DIR/sources/<name>/` only when complete, so a crash never leaves a source that looks
ingested; a rerun starts that source again.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from curation.accounting import DROP_SCHEMA, StageCounts
from curation.adapters import get_adapter
from curation.adapters.base import adapt
from curation.executor import SERIAL, Executor, parse_executor
from curation.fileio import TMP_PREFIX, atomic_write_text, commit_dir, fresh_tmp_dir
from curation.parts import PartWriter, parquet_options
from curation.readers import input_paths, local_file, read_rows
from curation.readers.base import DEFAULT_BATCH_ROWS
from curation.readers.hub import HubShard, hub_shards
from curation.readers.location import Location
from curation.readers.pieces import FilePiece, split_files
from curation.record import CANONICAL_SCHEMA
from curation.report_files import add_reports
from curation.summary import RunSummary, SourceSummary, StageSummary
from curation.unique_ids import make_ids_unique_all
from curation.work_paths import OutputDir

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


def ingest_source(
    spec: SourceSpec,
    run_dir: Path,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    rows_per_part: int = ROWS_PER_PART,
    on_batch: Callable[[int], None] | None = None,
    compression: str = "zstd",
    executor: Executor | int | str | None = None,
) -> SourceSummary:
    """Ingest one source into RUN_DIR/sources/<name>/ and return its counts.

    The source's input files are the partitions: one task per file on `executor` (executor.py;
    default serial), each writing its own parts (part-FILE-K.parquet) and drops; then ids are
    made unique over the whole source in read order. The files are the same bytes for any
    executor. `on_batch(rows)` is called with the rows read (for progress): after each batch
    with the serial executor, after each file otherwise. `compression` is that of the
    canonical parts: zstd (default), lz4 or none.
    Raises SourceError when the source cannot be read at all, ValueError for an unknown
    adapter or option; nothing is left in the run directory then.
    """
    return ingest_sources([spec], run_dir, batch_rows, rows_per_part, on_batch, compression, executor)[0]


def ingest_sources(
    specs: list[SourceSpec],
    run_dir: Path,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    rows_per_part: int = ROWS_PER_PART,
    on_batch: Callable[[int], None] | None = None,
    compression: str = "zstd",
    executor: Executor | int | str | None = None,
) -> list[SourceSummary]:
    """`ingest_source` for several sources with one map over all their input files, so sources of
    one file each still run side by side. Each source is committed only when every source has
    been read: on any error nothing of any of them is left in the run directory."""
    for spec in specs:  # an unknown adapter or option fails before any work
        get_adapter(spec.adapter, **spec.options)
    parquet_options(compression)
    executor = parse_executor(executor)
    progress = on_batch if executor is SERIAL else None
    tmps: dict[str, Path] = {}
    summaries = []
    try:
        items, owner = [], []
        for spec in specs:
            tmp = tmps[spec.name] = fresh_tmp_dir(source_dir(run_dir, spec.name))
            if spec.location.hub is not None:  # a hub split: its shards, a task each (readers/hub.py)
                reads = [(spec.location, shard) for shard in hub_shards(spec.location)]
            else:
                files = [Location(path=p, format=spec.location.format) for p in input_paths(spec.location)]
                # A large local file is read in pieces, a task each (readers/pieces.py), in file order.
                pieces = split_files([local_file(loc) for loc in files], executor)
                reads = [(loc, piece) for loc, cut in zip(files, pieces, strict=True) for piece in (cut or [None])]
            for k, (loc, piece) in enumerate(reads):
                # the task's spec names its own file: a directory location would be downloaded whole
                # for each task through an object-store work directory (work_store.py)
                mine = dataclasses.replace(spec, location=loc)
                items.append((mine, loc, k, OutputDir(tmp), batch_rows, rows_per_part, compression, progress, piece))
                owner.append(spec.name)
        results = list(zip(owner, executor.map(ingest_file, items), strict=True))
        repeated = make_ids_unique_all([tmps[spec.name] / "data" for spec in specs], compression, executor)
        for spec, repeated_ids in zip(specs, repeated, strict=True):
            tmp = tmps[spec.name]
            read, adapted = StageCounts(spec.name, "read"), StageCounts(spec.name, "adapt")
            if spec.location.hub is not None:
                number_in_split(tmp / PIECES, [r[0] for name, r in results if name == spec.name])
            for file_read, file_adapted in (r for name, r in results if name == spec.name):
                read.merge(file_read)
                adapted.merge(file_adapted)
                if on_batch is not None and progress is None:
                    on_batch(file_read.input)
            add_reports(tmp, {}, tmp / PIECES)  # the files' drops, in file order
            shutil.rmtree(tmp / PIECES, ignore_errors=True)
            summary = SourceSummary(
                name=spec.name,
                adapter=spec.adapter,
                location=spec.location.describe(),
                stages=[StageSummary.of(read), StageSummary.of(adapted)],
                repeated_ids=repeated_ids,
            )
            atomic_write_text(tmp / "counts.json", summary.model_dump_json(indent=2) + "\n")
            summaries.append(summary)
    except BaseException:
        for tmp in tmps.values():
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    for spec in specs:
        commit_dir(tmps[spec.name], source_dir(run_dir, spec.name))
    return summaries


# Per-file drop reports inside the source's temporary directory, renamed into reports/ in file order.
PIECES = ".pieces"


def ingest_file(
    spec: SourceSpec,
    location: Location,
    index: int,
    tmp_dir: str,
    batch_rows: int,
    rows_per_part: int,
    compression: str,
    on_batch: Callable[[int], None] | None,
    piece: FilePiece | HubShard | None = None,
) -> tuple[StageCounts, StageCounts]:
    """Read and adapt one input file (or a shard of a hub split; or a piece of a file) of the source into
    TMP/data/part-INDEX-K.parquet and TMP/.pieces/dropped-INDEX.parquet (INDEX: its place in
    read order); return its (read, adapt) counts."""
    tmp = Path(tmp_dir)
    adapter = get_adapter(spec.adapter, **spec.options)
    read = StageCounts(spec.name, "read")
    adapted = StageCounts(spec.name, "adapt")
    # 8 digits: parts and report pieces sort in read order up to 10^8 files and pieces of files
    parts = PartWriter(tmp / "data", CANONICAL_SCHEMA, rows_per_part, compression, prefix=f"part-{index:08d}-")
    (tmp / PIECES).mkdir(exist_ok=True)
    drops: pq.ParquetWriter | None = None
    try:
        for batch in read_rows(location, adapter.input_schema, source=spec.name, batch_rows=batch_rows, piece=piece):
            rows_seen = batch.table.num_rows + batch.malformed.num_rows
            read.add(rows_seen, batch.table.num_rows, batch.malformed)
            result = adapt(adapter, batch, spec.name)
            adapted.add(batch.table.num_rows, result.kept.num_rows, result.dropped)
            for table in (batch.malformed, result.dropped):
                if table.num_rows:
                    if drops is None:
                        path = tmp / PIECES / f"dropped-{index:08d}.parquet"
                        drops = pq.ParquetWriter(path, DROP_SCHEMA, **parquet_options("zstd"))
                    drops.write_table(table)
            parts.write(result.kept)
            if on_batch is not None:
                on_batch(rows_seen)
    finally:
        parts.close()
        if drops is not None:
            drops.close()
    return read, adapted


def number_in_split(pieces: Path, reads: list[StageCounts]) -> None:
    """A hub shard numbers its records from 1 (readers/hub.py): add the records the shards before
    it read to the `line` of its drops (PIECES/dropped-K.parquet for shard K), so each names its
    record's number in the whole split, as an unsharded read would."""
    before = 0
    for k, read in enumerate(reads):
        path = pieces / f"dropped-{k:08d}.parquet"
        if before and path.exists():
            table = pq.read_table(path)
            line = table.schema.get_field_index("line")
            table = table.set_column(line, DROP_SCHEMA.field("line"), pc.add(table.column(line), before))
            staged = path.with_name(f"{TMP_PREFIX}{path.name}")
            pq.write_table(table, staged, **parquet_options("zstd"))
            staged.replace(path)
        before += read.input


def write_summary(run_dir: Path) -> RunSummary:
    """Merge every ingested source's counts into RUN_DIR/summary.json (checked on the way)."""
    sources = [
        SourceSummary.model_validate_json(p.read_text())
        for p in sorted((run_dir / "sources").glob("*/counts.json"))
    ]
    summary = RunSummary.of(sources)
    summary.write(run_dir / "summary.json")
    return summary
