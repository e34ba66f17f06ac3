"""The filter stage over a run directory: IN_RUN -> OUT_RUN through a chain of filters.

Each filter is one stage (its name in the funnel and on every report row it writes), applied
batch by batch (one canonical part at a time) in chain order, so a row dropped by an earlier
filter is never seen by a later one and each drop is charged to exactly one stage. Rows a
filter rewrites (identity, PII redaction, reasoning strip, C4 line removal) are kept and
reported in the source's rewritten.parquet with the row as it was before.

OUT_RUN has the layout of an ingested run, so `curate report` and every later stage read it
like any run. The pattern cap needs the whole source (a share is over all kept rows): the
chain writes the source into a scratch run (OUT_RUN/.precap), the cap plans its drops over
those rows, and a last pass applies them, so the cap is the final stage in the funnel.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl
import pyarrow as pa

from curation.filters.base import Filter, Verdicts, apply_verdicts, rewrite_rows
from curation.filters.config import PATTERN_CAP, FilterConfig, keep_everything
from curation.filters.pattern_cap import PatternCap
from curation.ingest import ROWS_PER_PART, source_dir, write_summary
from curation.source_stages import check_run_dirs, map_sources, run_source_stages, source_parts
from curation.summary import RunSummary

Chain = Sequence[tuple[str, Filter]]
PRECAP_DIR = ".precap"


def filter_run(
    in_run_dir: Path,
    out_run_dir: Path,
    chain: Chain | Callable[[str], Chain],
    rows_per_part: int = ROWS_PER_PART,
    pattern_cap: PatternCap | Callable[[str], PatternCap | None] | None = None,
) -> RunSummary:
    """Filter every source of IN_RUN into OUT_RUN through `chain` (stage name, filter), or
    `chain(source)` per source, then the pattern cap where one is given, and return OUT_RUN's
    summary. Raises RunDirError when IN_RUN is not a run directory and ValueError for a bad
    chain or output directory."""
    chain_for = chain if callable(chain) else (lambda _name, c=chain: c)
    cap_for = pattern_cap if callable(pattern_cap) else (lambda _name, c=pattern_cap: c)
    names = check_run_dirs(in_run_dir, out_run_dir)
    for name in names:
        filter_source(in_run_dir, name, out_run_dir, list(chain_for(name)), cap_for(name), rows_per_part)
    shutil.rmtree(out_run_dir / PRECAP_DIR, ignore_errors=True)
    return write_summary(out_run_dir)


def filter_source(
    in_run_dir: Path, name: str, out_run_dir: Path, chain: Chain, cap: PatternCap | None, rows_per_part: int
) -> None:
    """Source `name` of IN_RUN through `chain`, then the pattern cap, into OUT_RUN (no summary)."""
    _check_chain(chain, cap)
    batch_stages = [(stage, lambda t, f=f, stage=stage: split_batch(t, f, stage)) for stage, f in chain]
    if cap is None:
        run_source_stages(in_run_dir, out_run_dir, name, batch_stages, rows_per_part)
        return
    scratch = out_run_dir / PRECAP_DIR
    if batch_stages:
        run_source_stages(in_run_dir, scratch, name, batch_stages, rows_per_part)
        capped_from = scratch
    else:
        capped_from = in_run_dir
    parts = source_parts(capped_from, name)
    cap_filter = planned_drops(cap.plan(pl.scan_parquet(parts))) if parts else keep_everything
    cap_stage = [(PATTERN_CAP, lambda t, f=cap_filter: split_batch(t, f, PATTERN_CAP))]
    run_source_stages(capped_from, out_run_dir, name, cap_stage, rows_per_part)
    shutil.rmtree(source_dir(scratch, name), ignore_errors=True)


def run_filters(
    in_run_dir: Path, out_run_dir: Path, config: FilterConfig, rows_per_part: int = ROWS_PER_PART, workers: int = 1
) -> RunSummary:
    """filter_run with the chain a FilterConfig describes (per-source settings applied).

    Every source gets the same stages (the union of what any source runs), a filter a source
    does not run passing all its rows, so the funnel lines up across sources. workers > 1
    filters that many sources at once, each in its own process (the same bytes either way)."""
    if not config.stages():
        raise ValueError("the filter config enables no filter: name at least one")
    names = check_run_dirs(in_run_dir, out_run_dir)
    map_sources(_filter_configured_source, in_run_dir, names, workers, out_run_dir, config, rows_per_part)
    shutil.rmtree(out_run_dir / PRECAP_DIR, ignore_errors=True)
    return write_summary(out_run_dir)


def _filter_configured_source(
    in_run_dir: Path, name: str, out_run_dir: Path, config: FilterConfig, rows_per_part: int
) -> None:
    settings = config.for_source(name)
    stages = [s for s in config.stages() if s != PATTERN_CAP]
    chain = [(stage, settings.filter(stage) or keep_everything) for stage in stages]
    cap = settings.pattern_cap if PATTERN_CAP in config.stages() else None
    filter_source(in_run_dir, name, out_run_dir, chain, cap, rows_per_part)


def split_batch(table: pa.Table, filt: Filter, stage: str) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(kept rows, dropped-row report, rewritten-row report) of one filter over one batch."""
    verdicts: Verdicts = filt(table)
    kept, dropped = apply_verdicts(table, verdicts, stage)
    return kept, dropped, rewrite_rows(table, verdicts, stage)


def planned_drops(plan: pl.DataFrame) -> Filter:
    """A filter that drops the rows a whole-source plan named (columns id, reason, detail)."""
    decided = plan.select("id", "reason", "detail").unique("id", keep="first")

    def apply(table: pa.Table) -> Verdicts:
        ids = pl.DataFrame({"id": pl.Series(table.column("id"), dtype=pl.String)})
        joined = ids.join(decided, on="id", how="left", maintain_order="left")
        return Verdicts(joined["reason"].to_arrow().cast(pa.string()), joined["detail"].to_arrow().cast(pa.string()))

    return apply


def _check_chain(chain: Chain, cap: PatternCap | None) -> None:
    stages = [stage for stage, _ in chain]
    if not chain and cap is None:
        raise ValueError("the filter chain is empty: name at least one filter")
    if len(set(stages)) != len(stages) or (cap is not None and PATTERN_CAP in stages):
        raise ValueError(f"stage names must be unique in a chain, got {stages}")
