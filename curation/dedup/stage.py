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
computes signatures per partition, bands them in band-range tasks and clusters the verified
edges here (near_partitioned.py: ~100 bytes a row of (id, source, length) plus the edges; never
the texts or the signatures); writing maps over the sources' partitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path

import polars as pl

from curation.dedup import keys
from curation.dedup.exact import STAGE, ExactOptions, split_rows
from curation.dedup.exact_buckets import partitioned_exact_decisions
from curation.dedup.near import STAGE as NEAR_STAGE
from curation.dedup.near_partitioned import near_decisions_partitioned
from curation.dedup.near_stage import NearOptions, split_near
from curation.executor import SERIAL, Executor, Processes, parse_executor
from curation.fileio import scratch_dir
from curation.ingest import ROWS_PER_PART, write_summary
from curation.source_stages import check_run_dirs, run_sources_stages, source_parts
from curation.summary import RunSummary

# Scratch space of the exact-dedup buckets inside the output run (removed when done).
EXACT_KEYS_DIR = ".exact-keys"
NEAR_DIR = ".near"
EXACT_DROPS_DIR = ".exact-drops"  # exact dedup's drops per partition, for near dedup's tasks  # near dedup's signatures, texts and LSH files (removed when done)


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
    exact = exact or ExactOptions()
    executor = parse_executor(executor)
    names = check_run_dirs(in_run_dir, out_run_dir)
    unknown = sorted(set(priorities or {}) - set(names))
    if unknown:
        raise ValueError(f"--priority names unknown source {unknown[0]!r}; {in_run_dir} has {', '.join(names)}")

    scopes = [names] if exact.scope == "mix" else [[n] for n in names]
    decisions: dict[str, list[pl.DataFrame]] = {}
    for scope in scopes:
        _check_kinds(in_run_dir, scope, exact.key)
        with scratch_dir(out_run_dir / EXACT_DROPS_DIR) as drops:
            found = partitioned_exact_decisions(
                in_run_dir, scope, exact, priorities, executor, out_run_dir / EXACT_KEYS_DIR, drops_dir=drops
            )
            near_found = (
                _near_of(in_run_dir, scope, drops, near, priorities, executor, out_run_dir / NEAR_DIR)
                if near is not None
                else None
            )
        for name in scope:
            decisions[name] = [d.filter(pl.col("source") == name) for d in (found, near_found) if d is not None]
    stages = {name: _stages(decisions[name], exact) for name in names}
    run_sources_stages(in_run_dir, out_run_dir, stages, rows_per_part, executor=executor)
    return write_summary(out_run_dir)


def _near_of(
    run_dir: Path,
    names: list[str],
    drops: Path,
    near: NearOptions,
    priorities: Mapping[str, int] | None,
    executor: Executor,
    work: Path,
) -> pl.DataFrame:
    """Near-dedup decisions for a scope, over the rows exact dedup kept (partitioned:
    near_partitioned.py). With workers set in the near options and the serial executor, the band
    partitions still run in that many local processes (the CLI's --workers)."""
    _check_kinds(run_dir, names, near.key)
    if executor is SERIAL and near.workers > 1:
        executor = Processes(near.workers)
    return near_decisions_partitioned(run_dir, names, drops, near, priorities, executor, work)


def _stages(decisions: list[pl.DataFrame], exact: ExactOptions) -> list:
    """decisions: the exact-dedup drops, then (when near dedup runs) the near-dedup drops."""
    stages = [(STAGE, partial(split_rows, decisions=decisions[0], options=exact))]
    if len(decisions) > 1:
        stages.append((NEAR_STAGE, partial(split_near, decisions=decisions[1])))
    return stages
