"""The dedup stage over a run directory: IN_RUN -> OUT_RUN, every row accounted for.

    for each scope (one source, or all sources for scope "mix"):
        keys of every canonical part (id, source, hash, length) -> exact decisions (who is dropped)
        the rows exact dedup keeps -> MinHash LSH -> near decisions (near_stage.py), when asked
    for each source: parts -> kept parts + report files (reports/: input's linked, new ones added) + counts.json

OUT_RUN has the layout of an ingested run (sources/<name>/{data, reports,
counts.json}, summary.json), with the stages "dedup_exact" (and "dedup_near") appended to each source's stages,
so every later stage and `curate report` read it like any run. A cross-source drop (scope
"mix") is charged to the source of the dropped row. Each source is built in a temporary
directory and renamed into place when complete.

Partitioned (executor.py: serial, local processes or Ray tasks; the same bytes for any):
exact dedup computes keys per partition into hash buckets and decides each bucket on its own
(exact_buckets.py: ~150 bytes a row in a bucket task, KEYS_PER_BUCKET rows a bucket); near dedup
computes signatures per partition, sorts the survivor order and bands the keys in tasks, and
clusters the verified edges here (near_partitioned.py: the caller holds the edges, never a thing
per row); both file their decisions by dedup partition (partition_decisions.py), and writing maps
over the sources' partitions, each task reading the decisions of its own row groups.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import polars as pl

from curation.dedup import exact_buckets, keys
from curation.dedup.exact import STAGE, ExactOptions, split_rows
from curation.dedup.exact_buckets import no_exact_decisions, partitioned_exact_decisions, scope_partitions
from curation.dedup.near import STAGE as NEAR_STAGE
from curation.dedup.near_partitioned import near_decisions_partitioned
from curation.dedup.near_stage import NearOptions, no_decisions, split_near
from curation.dedup.partition_decisions import PartitionDecisions, write_index
from curation.executor import SERIAL, Executor, Processes, parse_executor
from curation.fileio import scratch_dir
from curation.ingest import ROWS_PER_PART, write_summary
from curation.report import load_summary
from curation.source_stages import check_run_dirs, run_sources_stages, source_parts
from curation.summary import RunSummary

# Scratch space of the exact-dedup buckets inside the output run (removed when done).
EXACT_KEYS_DIR = ".exact-keys"
NEAR_DIR = ".near"  # near dedup's signatures, rows and LSH files (removed when done)
# Both stages' decisions filed by dedup partition, for near dedup's tasks and the writing tasks.
DECISIONS_DIR = ".decisions"


def _check_kinds(run_dir: Path, names: list[str], key: str) -> None:
    """Fail before any hashing when `key` does not apply to a kind of row in the scope."""
    paths = [p for name in names for p in source_parts(run_dir, name)]
    if paths:
        kinds = set(pl.scan_parquet(paths).select(pl.col("kind").unique()).collect().to_series().to_list())
        keys.check_key_for_kinds(key, kinds)


def dedup_run(
    in_run_dir: Path,
    out_run_dir: Path,
    exact: ExactOptions | None = None,
    near: NearOptions | None = None,
    priorities: Mapping[str, int] | None = None,
    rows_per_part: int = ROWS_PER_PART,
    executor: Executor | int | str | None = None,
) -> RunSummary:
    """Deduplicate every source of IN_RUN into OUT_RUN and return OUT_RUN's summary.

    `priorities`: source name -> priority number for the survivor rule (lower wins;
    default 0). `near`: near dedup as a second stage "dedup_near" over the rows exact dedup
    kept, within the same scope (None: exact dedup only).
    Raises RunDirError when IN_RUN is not a run directory, ValueError for bad options.
    """
    executor = parse_executor(executor)
    names = check_run_dirs(in_run_dir, out_run_dir)
    with dedup_stages(in_run_dir, out_run_dir, exact, near, priorities, executor) as stages:
        run_sources_stages(in_run_dir, out_run_dir, {name: stages[name] for name in names}, rows_per_part, executor=executor)
    return write_summary(out_run_dir)


@contextmanager
def dedup_stages(
    in_run_dir: Path,
    scratch: Path,
    exact: ExactOptions | None = None,
    near: NearOptions | None = None,
    priorities: Mapping[str, int] | None = None,
    executor: Executor | int | str | None = None,
) -> Iterator[dict[str, list[tuple[str, PartitionDecisions]]]]:
    """Decide which rows of IN_RUN's sources are duplicates, and yield, per source, the batch
    stages ("dedup_exact", then "dedup_near" when asked) that drop them: for a pass over IN_RUN's
    partitions (source_stages.run_sources_stages), on their own (dedup_run) or followed by other
    stages in the same pass (the mix build's filters: one read and write of the rows fewer). The
    decisions, filed by partition under SCRATCH, are removed when the block ends."""
    exact = exact or ExactOptions()
    executor = parse_executor(executor)
    names = [s.name for s in load_summary(in_run_dir).sources]
    unknown = sorted(set(priorities or {}) - set(names))
    if unknown:
        raise ValueError(f"--priority names unknown source {unknown[0]!r}; {in_run_dir} has {', '.join(names)}")

    scopes = [names] if exact.scope == "mix" else [[n] for n in names]
    stages: dict[str, list] = {}
    # The decisions stay on disk, filed by dedup partition, until the sources are written: the
    # writing tasks each read those of their own rows (partition_decisions.py).
    partition_rows = exact_buckets.DEDUP_PARTITION_ROWS  # read now: tests make it small
    with scratch_dir(scratch / DECISIONS_DIR) as decided:
        for k, scope in enumerate(scopes):
            _check_kinds(in_run_dir, scope, exact.key)
            filed = decided / f"scope-{k:05d}"
            filed.mkdir()
            index = str(filed / "index.parquet")
            write_index(scope_partitions(in_run_dir, scope, partition_rows), Path(index))
            partitioned_exact_decisions(
                in_run_dir, scope, exact, priorities, executor, scratch / EXACT_KEYS_DIR,
                partition_rows=partition_rows, drops_dir=filed / "exact", collect=False,
            )
            split_exact = partial(split_rows, options=exact)
            scope_stages = [(STAGE, PartitionDecisions(index, str(filed / "exact"), split_exact, no_exact_decisions()))]
            if near is not None:
                _near_of(in_run_dir, scope, filed, near, priorities, executor, scratch / NEAR_DIR, partition_rows)
                scope_stages.append((NEAR_STAGE, PartitionDecisions(index, str(filed / "near"), split_near, no_decisions())))
            stages.update({name: scope_stages for name in scope})
        yield stages


def _near_of(
    run_dir: Path,
    names: list[str],
    filed: Path,
    near: NearOptions,
    priorities: Mapping[str, int] | None,
    executor: Executor,
    work: Path,
    partition_rows: int,
) -> None:
    """Near-dedup decisions for a scope, over the rows exact dedup kept (its decisions filed in
    FILED/exact; partitioned: near_partitioned.py), filed by partition in FILED/near. With
    workers set in the near options and the serial executor, the band partitions still run in
    that many local processes (the CLI's --workers)."""
    _check_kinds(run_dir, names, near.key)
    if executor is SERIAL and near.workers > 1:
        executor = Processes(near.workers)
    near_decisions_partitioned(
        run_dir, names, filed / "exact", near, priorities, executor, work, partition_rows, filed / "near"
    )
