"""Run one source of a run directory through batch stages into a new run directory.

Every stage after ingest has the same shape: read the source's parts one at a time, pass
each batch through a chain of stages (each splits a batch into kept rows and DROP_SCHEMA
rows), write the kept rows as new parts, the dropped and the rewritten rows as report files
under reports/ (after the input run's, hard-linked), and the stage counts to counts.json. The
source is built in a temporary directory and renamed into place only when complete, so a
crash leaves no half-written source that looks finished, and a rerun starts it over.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from curation.accounting import DROP_SCHEMA, StageCounts
from curation.executor import SERIAL, Executor
from curation.fileio import atomic_write_text, commit_dir, fresh_tmp_dir
from curation.ingest import source_dir
from curation.partitions import ROW_GROUP_ROWS, Partition, plan_partitions
from curation.parts import WORK_COMPRESSION, parquet_options
from curation.record import CANONICAL_SCHEMA
from curation.report import RunDirError, load_summary
from curation.report_files import add_reports, link_reports
from curation.row_group_file import RowGroupFile
from curation.summary import SourceSummary, StageSummary
from curation.work_paths import OutputDir

# One stage over one batch: (kept rows, DROP_SCHEMA rows of the dropped ones), optionally
# followed by DROP_SCHEMA rows of the kept rows it rewrote (reason = the rewrite code). An object
# with a `for_partition(partition)` method giving that function is also a stage (run_partition).
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


def run_source_stages(
    in_run_dir: Path,
    out_run_dir: Path,
    name: str,
    stages: Sequence[tuple[str, BatchStage]],
    rows_per_part: int,
    out_schema: pa.Schema = CANONICAL_SCHEMA,
    executor: Executor = SERIAL,
) -> None:
    """`run_sources_stages` for one source."""
    run_sources_stages(in_run_dir, out_run_dir, {name: stages}, rows_per_part, out_schema, executor)


def run_sources_stages(
    in_run_dir: Path,
    out_run_dir: Path,
    stages: Mapping[str, Sequence[tuple[str, BatchStage]]],
    rows_per_part: int,
    out_schema: pa.Schema = CANONICAL_SCHEMA,
    executor: Executor = SERIAL,
) -> None:
    """Pass every partition of each source (partitions.py: at most `rows_per_part` rows of one
    part) through that source's `stages` (stage name, batch function), in order, and write the
    sources into out_run_dir with those stages' counts appended: one output part per partition,
    holding the last stage's kept rows as `out_schema` (the render stage writes rendered rows,
    every other stage canonical ones).

    The partitions of all the sources run in one `executor.map` (executor.py), so small sources
    do not leave workers idle; for any executor but the serial one the stages must pickle
    (module-level functions, functools.partial over picklable options). Each partition writes
    its own part and report files; they are merged here in partition order, so the files are
    the same bytes for every executor."""
    tmps: dict[str, Path] = {}
    try:
        items = []
        for name, source_stages in stages.items():
            tmp = tmps[name] = fresh_tmp_dir(source_dir(out_run_dir, name))
            (tmp / "data").mkdir()
            (tmp / PIECES).mkdir()
            partitions = plan_partitions(source_parts(in_run_dir, name), rows_per_part)
            items += [(p, i, OutputDir(tmp), list(source_stages), out_schema, name) for i, p in enumerate(partitions)]
        results = executor.map(run_partition, items)
        for name, source_stages in stages.items():
            counts = [StageCounts(name, stage) for stage, _ in source_stages]
            for item, per_stage in zip(items, results, strict=True):
                if item[-1] == name:
                    for total, part in zip(counts, per_stage, strict=True):
                        total.merge(part)
            _finish_source(in_run_dir, out_run_dir, name, tmps[name], counts)
    except BaseException:
        for tmp in tmps.values():
            shutil.rmtree(tmp, ignore_errors=True)
        raise


def move_source_through(in_run_dir: Path, out_run_dir: Path, name: str, stage: str, rows_per_part: int) -> bool:
    """What `run_sources_stages` writes for source `name` through one `stage` that keeps every
    row as it is, made by moving IN_RUN's parts instead of reading and rewriting them (so only
    for a scratch IN_RUN: its parts are gone after). The same parts (renumbered as the pass
    numbers its partitions), report files and counts.json (the stage with input = kept = the
    rows); returns False, moving nothing, where the pass would split a part in several."""
    parts = source_parts(in_run_dir, name)
    if len(plan_partitions(parts, rows_per_part)) != len(parts):
        return False
    tmp = fresh_tmp_dir(source_dir(out_run_dir, name))
    try:
        (tmp / "data").mkdir()
        (tmp / PIECES).mkdir()
        rows = sum(pq.read_metadata(p).num_rows for p in parts)
        for index, part in enumerate(parts):
            part.rename(tmp / "data" / f"part-{index:05d}.parquet")
        _finish_source(in_run_dir, out_run_dir, name, tmp, [StageCounts(name, stage, input=rows, kept=rows)])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


def _finish_source(in_run_dir: Path, out_run_dir: Path, name: str, tmp: Path, counts: list[StageCounts]) -> None:
    """Add the partitions' report files in order, write counts.json and commit the source."""
    src_in = source_dir(in_run_dir, name)
    before = SourceSummary.model_validate_json((src_in / "counts.json").read_text())
    add_reports(tmp, link_reports(src_in, tmp), tmp / PIECES)
    shutil.rmtree(tmp / PIECES)
    if counts and counts[0].input != before.kept_rows:
        raise RunDirError(
            f"{src_in}: its parts hold {counts[0].input} rows but counts.json says {before.kept_rows} kept"
        )
    after = before.model_copy(update={"stages": [*before.stages, *(StageSummary.of(c) for c in counts)]})
    atomic_write_text(tmp / "counts.json", after.model_dump_json(indent=2) + "\n")
    commit_dir(tmp, source_dir(out_run_dir, name))


# Per-partition report files inside the source's temporary directory, merged and removed
# before the directory is committed.
PIECES = ".pieces"


def run_partition(
    partition: Partition,
    index: int,
    tmp_dir: str,
    stages: Sequence[tuple[str, BatchStage]],
    out_schema: pa.Schema,
    source: str,
) -> list[StageCounts]:
    """One partition through `stages`, one input row group at a time (a task holds a row
    group's rows, not the partition's: row_group_file.py): writes TMP/data/part-INDEX.parquet
    (when any row is kept) and TMP/.pieces/{dropped,rewritten}-INDEX.parquet (when non-empty);
    returns the partition's counts per stage. Every stage treats each row on its own, so the
    rows, the row groups and the reports' order are those of the partition passed through whole."""
    tmp = Path(tmp_dir)
    counts = [StageCounts(source, stage) for stage, _ in stages]
    # A stage whose work depends on the partition (dedup's decisions, filed per partition) is
    # made for this one here, in the task: the caller never loads what every task needs.
    splits = [split.for_partition(partition) if hasattr(split, "for_partition") else split for _, split in stages]
    # the report rows stage by stage, each stage's in row order, as for the partition whole
    drops: list[list[pa.Table]] = [[] for _ in stages]
    rewrites: list[list[pa.Table]] = [[] for _ in stages]
    path = tmp / "data" / f"part-{index:05d}.parquet"
    with RowGroupFile(path, ROW_GROUP_ROWS, **parquet_options(WORK_COMPRESSION)) as out:
        for table in partition.row_group_tables(CANONICAL_SCHEMA):
            for k, (stage_counts, split) in enumerate(zip(counts, splits, strict=True)):
                kept, dropped, *rewritten = split(table)
                stage_counts.add(table.num_rows, kept.num_rows, dropped)
                drops[k].append(dropped)
                if rewritten:
                    stage_counts.add_rewrites(rewritten[0])
                    rewrites[k].append(rewritten[0])
                table = kept
            out.write(table.cast(out_schema))
    for report, per_stage in (("dropped", drops), ("rewritten", rewrites)):
        rows = [t.cast(DROP_SCHEMA) for tables in per_stage for t in tables if t.num_rows]
        if rows:
            pq.write_table(pa.concat_tables(rows), tmp / PIECES / f"{report}-{index:05d}.parquet", **parquet_options("zstd"))
    return counts
