"""Run one source of a run directory through batch stages into a new run directory.

Every stage after ingest has the same shape: read the source's parts one at a time, pass
each batch through a chain of stages (each splits a batch into kept rows and DROP_SCHEMA
rows), write the kept rows as new parts, append the drops to the source's dropped.parquet
(after the drops of earlier stages, copied over), the rows a stage rewrote to rewritten.parquet
(likewise), and the stage counts to counts.json. The
source is built in a temporary directory and renamed into place only when complete, so a
crash leaves no half-written source that looks finished, and a rerun starts it over.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from curation.accounting import DROP_SCHEMA, StageCounts
from curation.fileio import atomic_write_text, commit_dir, fresh_tmp_dir
from curation.ingest import source_dir
from curation.parts import PartWriter, parquet_options
from curation.record import CANONICAL_SCHEMA
from curation.report import RunDirError, load_summary
from curation.summary import SourceSummary, StageSummary

# One stage over one batch: (kept rows, DROP_SCHEMA rows of the dropped ones), optionally
# followed by DROP_SCHEMA rows of the kept rows it rewrote (reason = the rewrite code).
BatchStage = Callable[[pa.Table], tuple[pa.Table, pa.Table] | tuple[pa.Table, pa.Table, pa.Table]]


def check_run_dirs(in_run_dir: Path, out_run_dir: Path) -> list[str]:
    """The source names of run IN_RUN, after checking that OUT_RUN can receive them: it is not
    IN_RUN and holds no source IN_RUN lacks (a stale run). Raises RunDirError / ValueError."""
    summary = load_summary(in_run_dir)
    if out_run_dir.resolve() == in_run_dir.resolve():
        raise ValueError(f"the output run directory must differ from the input {in_run_dir}")
    names = [s.name for s in summary.sources]
    out_sources = out_run_dir / "sources"
    stale = sorted(
        p.name for p in out_sources.glob("*") if p.is_dir() and not p.name.startswith(".") and p.name not in names
    ) if out_sources.is_dir() else []
    if stale:
        raise ValueError(f"{out_run_dir} holds sources that {in_run_dir} does not ({', '.join(stale)}); use a new directory")
    for name in names:
        if not (source_dir(in_run_dir, name) / "counts.json").is_file():
            raise RunDirError(f"{in_run_dir} lists source {name!r} but has no sources/{name}/counts.json")
    return names


def source_parts(run_dir: Path, name: str) -> list[Path]:
    """The canonical parts of source `name`, in order."""
    return sorted((source_dir(run_dir, name) / "data").glob("part-*.parquet"))


def map_sources(fn: Callable[..., None], in_run_dir: Path, names: Sequence[str], workers: int, *args) -> None:
    """fn(in_run_dir, name, *args) for every source: here, or with workers > 1 in that many
    processes, largest source first (so the last to finish is a small one). Every source is
    written by its own call, so the files are the same bytes either way. "spawn": forking a
    process whose Arrow / polars / tokenizer thread pools run can deadlock. fn must be a
    module-level function and args picklable."""
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers}")
    if workers == 1 or len(names) <= 1:
        for name in names:
            fn(in_run_dir, name, *args)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    def size(name: str) -> int:
        return sum(p.stat().st_size for p in source_parts(in_run_dir, name))

    ordered = sorted(names, key=lambda n: (-size(n), n))
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(workers, len(names)), mp_context=ctx) as pool:
        for job in [pool.submit(fn, in_run_dir, name, *args) for name in ordered]:
            job.result()


def run_source_stages(
    in_run_dir: Path,
    out_run_dir: Path,
    name: str,
    stages: Sequence[tuple[str, BatchStage]],
    rows_per_part: int,
    out_schema: pa.Schema = CANONICAL_SCHEMA,
) -> None:
    """Pass every part of source `name` through `stages` (stage name, batch function), in
    order, and write the source into out_run_dir with those stages' counts appended. The
    last stage's kept rows are written as parts of `out_schema` (the render stage writes
    rendered rows, every other stage canonical ones)."""
    src_in = source_dir(in_run_dir, name)
    before = SourceSummary.model_validate_json((src_in / "counts.json").read_text())
    counts = [StageCounts(name, stage) for stage, _ in stages]
    final = source_dir(out_run_dir, name)
    tmp = fresh_tmp_dir(final)
    try:
        parts = PartWriter(tmp / "data", out_schema, rows_per_part)
        # dropped.parquet always exists, even empty (readers expect it); rewritten.parquet only
        # where a stage rewrote something.
        drops = _ReportWriter(src_in / "dropped.parquet", tmp / "dropped.parquet", always=True)
        rewrites = _ReportWriter(src_in / "rewritten.parquet", tmp / "rewritten.parquet", always=False)
        try:
            for path in source_parts(in_run_dir, name):
                table = pq.read_table(path, schema=CANONICAL_SCHEMA)
                for stage_counts, (_, split) in zip(counts, stages, strict=True):
                    kept, dropped, *rewritten = split(table)
                    stage_counts.add(table.num_rows, kept.num_rows, dropped)
                    drops.write(dropped)
                    if rewritten:
                        stage_counts.add_rewrites(rewritten[0])
                        rewrites.write(rewritten[0])
                    table = kept
                parts.write(table)
        finally:
            parts.close()
            drops.close()
            rewrites.close()
        if counts and counts[0].input != before.kept_rows:
            raise RunDirError(
                f"{src_in}: its parts hold {counts[0].input} rows but counts.json says {before.kept_rows} kept"
            )
        after = before.model_copy(update={"stages": [*before.stages, *(StageSummary.of(c) for c in counts)]})
        atomic_write_text(tmp / "counts.json", after.model_dump_json(indent=2) + "\n")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    commit_dir(tmp, final)


class _ReportWriter:
    """A source's DROP_SCHEMA report file in the new run: the earlier stages' rows copied from
    the input run, then this run's. With always=False the file is written only when it has rows."""

    def __init__(self, previous: Path, path: Path, always: bool) -> None:
        self.path = path
        self.writer: pq.ParquetWriter | None = None
        if always:
            self._open()
        if previous.is_file():
            for batch in pq.ParquetFile(previous).iter_batches():
                self.write(pa.Table.from_batches([batch], DROP_SCHEMA))

    def _open(self) -> pq.ParquetWriter:
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, DROP_SCHEMA, **parquet_options("zstd"))
        return self.writer

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._open().write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
