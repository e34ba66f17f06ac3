"""The dedup stage over a run directory: IN_RUN -> OUT_RUN, every row accounted for.

    for each scope (one source, or all sources for scope "mix"):
        keys of every canonical part (id, source, hash, length) -> exact decisions (who is dropped)
        the rows exact dedup keeps -> MinHash LSH -> near decisions (near_stage.py), when asked
    for each source: parts -> kept parts + dropped.parquet (input drops + new ones) + counts.json

OUT_RUN has the layout of an ingested run (sources/<name>/{data, dropped.parquet,
counts.json}, summary.json), with the stages "dedup_exact" (and "dedup_near") appended to each source's stages,
so every later stage and `curate report` read it like any run. A cross-source drop (scope
"mix") is charged to the source of the dropped row. Each source is built in a temporary
directory and renamed into place when complete.

Memory: one scope's dedup keys (id, source, 64-char hash, length; ~150 bytes a row) are held
at once, never the rows themselves; rows are read and written one part at a time. (The
scale-out version partitions the keys by hash prefix; see issue 3.)
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from curation.accounting import DROP_SCHEMA, StageCounts
from curation.dedup import keys
from curation.dedup.exact import STAGE, ExactOptions, exact_decisions, exact_keys, split_rows
from curation.dedup.near import STAGE as NEAR_STAGE
from curation.dedup.near_stage import NearOptions, near_decisions, split_near
from curation.fileio import atomic_write_text, commit_dir, fresh_tmp_dir
from curation.ingest import ROWS_PER_PART, source_dir, write_summary
from curation.parts import PartWriter, parquet_options
from curation.record import CANONICAL_SCHEMA
from curation.report import RunDirError, load_summary
from curation.summary import RunSummary, SourceSummary, StageSummary


def _parts(run_dir: Path, name: str) -> list[Path]:
    return sorted((source_dir(run_dir, name) / "data").glob("part-*.parquet"))


def _keys_of(run_dir: Path, names: list[str], options: ExactOptions) -> pl.DataFrame:
    paths = [p for name in names for p in _parts(run_dir, name)]
    if not paths:
        return pl.DataFrame(schema={"id": pl.String, "source": pl.String, "hash": pl.String, "length": pl.UInt32})
    rows = pl.scan_parquet(paths)
    kinds = set(rows.select(pl.col("kind").unique()).collect().to_series().to_list())
    keys.check_key_for_kinds(options.key, kinds)
    return exact_keys(rows, options).collect()


def dedup_run(
    in_run_dir: Path,
    out_run_dir: Path,
    exact: ExactOptions | None = None,
    near: NearOptions | None = None,
    priorities: Mapping[str, int] | None = None,
    rows_per_part: int = ROWS_PER_PART,
) -> RunSummary:
    """Deduplicate every source of IN_RUN into OUT_RUN and return OUT_RUN's summary.

    `priorities`: source name -> priority number for the survivor rule (lower wins;
    default 0). `near`: near dedup as a second stage "dedup_near" over the rows exact dedup
    kept, within the same scope (None: exact dedup only).
    Raises RunDirError when IN_RUN is not a run directory, ValueError for bad options.
    """
    exact = exact or ExactOptions()
    summary = load_summary(in_run_dir)
    if out_run_dir.resolve() == in_run_dir.resolve():
        raise ValueError(f"the output run directory must differ from the input {in_run_dir}")
    names = [s.name for s in summary.sources]
    unknown = sorted(set(priorities or {}) - set(names))
    if unknown:
        raise ValueError(f"--priority names unknown source {unknown[0]!r}; {in_run_dir} has {', '.join(names)}")
    stale = sorted(
        p.name for p in (out_run_dir / "sources").glob("*") if p.is_dir() and not p.name.startswith(".") and p.name not in names
    ) if (out_run_dir / "sources").is_dir() else []
    if stale:
        raise ValueError(f"{out_run_dir} holds sources that {in_run_dir} does not ({', '.join(stale)}); use a new directory")
    for src in summary.sources:
        if not (source_dir(in_run_dir, src.name) / "counts.json").is_file():
            raise RunDirError(f"{in_run_dir} lists source {src.name!r} but has no sources/{src.name}/counts.json")

    scopes = [names] if exact.scope == "mix" else [[n] for n in names]
    decisions: dict[str, list[pl.DataFrame]] = {}
    for scope in scopes:
        found = exact_decisions(_keys_of(in_run_dir, scope, exact), exact.scope, priorities)
        near_found = _near_of(in_run_dir, scope, found, near, priorities) if near is not None else None
        for name in scope:
            decisions[name] = [d.filter(pl.col("source") == name) for d in (found, near_found) if d is not None]
    for name in names:
        _write_source(in_run_dir, out_run_dir, name, decisions[name], exact, rows_per_part)
    return write_summary(out_run_dir)


def _near_of(
    run_dir: Path,
    names: list[str],
    exact_dropped: pl.DataFrame,
    near: NearOptions,
    priorities: Mapping[str, int] | None,
) -> pl.DataFrame:
    """Near-dedup decisions for a scope, over the rows exact dedup kept."""
    paths = [p for name in names for p in _parts(run_dir, name)]
    if not paths:
        return near_decisions(pl.LazyFrame(schema=pl.from_arrow(CANONICAL_SCHEMA.empty_table()).schema), near)
    rows = pl.scan_parquet(paths).join(exact_dropped.lazy().select("source", "id"), on=["source", "id"], how="anti")
    kinds = set(rows.select(pl.col("kind").unique()).collect().to_series().to_list())
    keys.check_key_for_kinds(near.key, kinds)
    return near_decisions(rows, near, priorities)


def _write_source(
    in_run_dir: Path,
    out_run_dir: Path,
    name: str,
    decisions: list[pl.DataFrame],
    exact: ExactOptions,
    rows_per_part: int,
) -> None:
    """decisions: the exact-dedup drops, then (when near dedup runs) the near-dedup drops."""
    src_in = source_dir(in_run_dir, name)
    before = SourceSummary.model_validate_json((src_in / "counts.json").read_text())
    stages = [StageCounts(name, STAGE), StageCounts(name, NEAR_STAGE)][: len(decisions)]
    splitters = [lambda t, d: split_rows(t, d, exact), split_near]
    final = source_dir(out_run_dir, name)
    tmp = fresh_tmp_dir(final)
    try:
        parts = PartWriter(tmp / "data", CANONICAL_SCHEMA, rows_per_part)
        drops = pq.ParquetWriter(tmp / "dropped.parquet", DROP_SCHEMA, **parquet_options("zstd"))
        try:
            if (src_in / "dropped.parquet").is_file():
                for batch in pq.ParquetFile(src_in / "dropped.parquet").iter_batches():
                    drops.write_table(pa.Table.from_batches([batch], DROP_SCHEMA))
            for path in _parts(in_run_dir, name):
                table = pq.read_table(path, schema=CANONICAL_SCHEMA)
                for counts, split, decided in zip(stages, splitters, decisions, strict=False):
                    kept, dropped = split(table, decided)
                    counts.add(table.num_rows, kept.num_rows, dropped)
                    if dropped.num_rows:
                        drops.write_table(dropped)
                    table = kept
                parts.write(table)
        finally:
            parts.close()
            drops.close()
        if stages[0].input != before.kept_rows:
            raise RunDirError(
                f"{src_in}: its parts hold {stages[0].input} rows but counts.json says {before.kept_rows} kept"
            )
        after = before.model_copy(update={"stages": [*before.stages, *(StageSummary.of(c) for c in stages)]})
        atomic_write_text(tmp / "counts.json", after.model_dump_json(indent=2) + "\n")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    commit_dir(tmp, final)
