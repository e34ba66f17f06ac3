"""The filter stage over a run directory: IN_RUN -> OUT_RUN through a chain of filters.

Each filter is one stage (its name in the funnel and on every report row it writes), applied
batch by batch (one canonical part at a time) in chain order, so a row dropped by an earlier
filter is never seen by a later one and each drop is charged to exactly one stage. Rows a
filter rewrites (identity, PII redaction, reasoning strip, C4 line removal) are kept and
reported in the source's rewritten report files (reports/) with the row as it was before.

OUT_RUN has the layout of an ingested run, so `curate report` and every later stage read it
like any run. The pattern cap needs the whole source (a share is over all kept rows): the
chain writes the source into a scratch run (OUT_RUN/.precap), the cap plans its drops over
those rows, and a last pass applies them, so the cap is the final stage in the funnel (a
source the cap drops nothing from is moved into OUT_RUN instead of passed again).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import polars as pl
import pyarrow as pa

from curation.executor import Executor, parse_executor
from curation.filters.base import Filter, Verdicts, apply_verdicts, rewrite_rows
from curation.filters.config import PATTERN_CAP, FilterConfig, keep_everything
from curation.filters.pattern_cap import PatternCap
from curation.ingest import ROWS_PER_PART, write_summary
from curation.source_stages import (
    BatchStage,
    check_run_dirs,
    move_source_through,
    run_sources_stages,
    source_parts,
)
from curation.summary import RunSummary

Chain = Sequence[tuple[str, Filter]]
Lead = Mapping[str, Sequence[tuple[str, BatchStage]]]
PRECAP_DIR = ".precap"


def filter_run(
    in_run_dir: Path,
    out_run_dir: Path,
    chain: Chain | Callable[[str], Chain],
    rows_per_part: int = ROWS_PER_PART,
    pattern_cap: PatternCap | Callable[[str], PatternCap | None] | None = None,
    executor: Executor | int | str | None = None,
) -> RunSummary:
    """Filter every source of IN_RUN into OUT_RUN through `chain` (stage name, filter), or
    `chain(source)` per source, then the pattern cap where one is given, and return OUT_RUN's
    summary. `executor` (executor.py; default serial) runs the partitions; for any but the
    serial one the filters must pickle. Raises RunDirError when IN_RUN is not a run directory
    and ValueError for a bad chain or output directory."""
    chain_for = chain if callable(chain) else (lambda _name, c=chain: c)
    cap_for = pattern_cap if callable(pattern_cap) else (lambda _name, c=pattern_cap: c)
    names = check_run_dirs(in_run_dir, out_run_dir)
    plans = {name: (list(chain_for(name)), cap_for(name)) for name in names}
    filter_sources(in_run_dir, out_run_dir, plans, rows_per_part, parse_executor(executor))
    return write_summary(out_run_dir)


def filter_sources(
    in_run_dir: Path,
    out_run_dir: Path,
    plans: dict[str, tuple[Chain, PatternCap | None]],
    rows_per_part: int,
    executor: Executor,
    lead: Lead | None = None,
) -> None:
    """Each source `name` of IN_RUN through its chain, then its pattern cap, into OUT_RUN (no
    summary). plans: source -> (chain, cap or None). The partitions of every source run in one
    executor map per pass (the chain, then the cap). `lead`: see run_filters."""
    for chain, cap in plans.values():
        _check_chain(chain, cap)
    stages = {
        name: [*(lead or {}).get(name, []), *((stage, partial(split_batch, filt=f, stage=stage)) for stage, f in chain)]
        for name, (chain, _) in plans.items()
    }
    direct = {name: stages[name] for name, (_, cap) in plans.items() if cap is None}
    precap = {name: stages[name] for name, (_, cap) in plans.items() if cap is not None and stages[name]}
    scratch = out_run_dir / PRECAP_DIR
    if direct:
        run_sources_stages(in_run_dir, out_run_dir, direct, rows_per_part, executor=executor)
    if precap:
        run_sources_stages(in_run_dir, scratch, precap, rows_per_part, executor=executor)
    capped = [name for name, (_, cap) in plans.items() if cap is not None]
    for capped_from in (scratch, in_run_dir):
        parts_of = {
            name: source_parts(capped_from, name) for name in capped if (name in precap) == (capped_from == scratch)
        }
        # Every part's openings in one map (the rows are read in tasks, sources side by side);
        # the plan over them here needs (source, id, opening) only.
        items = [(plans[name][1], str(p)) for name, parts in parts_of.items() for p in parts]
        found = iter(executor.map(part_openings, items))
        cap_stages = {}
        for name, parts in parts_of.items():
            drops = plans[name][1].plan_openings(pl.concat([next(found) for _ in parts])) if parts else None
            # A cap that drops no row (most sources of a mix): the pass would only rewrite the
            # scratch parts as they are, so move them into OUT_RUN with the same counts and
            # reports instead. A source with no chain is capped from IN_RUN, whose parts must
            # stay: it keeps the pass (rare: a config of the cap alone).
            if (
                capped_from == scratch
                and (drops is None or drops.is_empty())
                and move_source_through(scratch, out_run_dir, name, PATTERN_CAP, rows_per_part)
            ):
                continue
            cap_filter = PlannedDrops.of(drops) if drops is not None else keep_everything
            cap_stages[name] = [(PATTERN_CAP, partial(split_batch, filt=cap_filter, stage=PATTERN_CAP))]
        if cap_stages:
            run_sources_stages(capped_from, out_run_dir, cap_stages, rows_per_part, executor=executor)
    shutil.rmtree(scratch, ignore_errors=True)


def part_openings(cap: PatternCap, path: str) -> pl.DataFrame:
    """Task: the openings of one part's rows, for the cap's plan."""
    return cap.openings(pl.scan_parquet(path))


def run_filters(
    in_run_dir: Path,
    out_run_dir: Path,
    config: FilterConfig,
    rows_per_part: int = ROWS_PER_PART,
    workers: Executor | int | str | None = None,
    lead: Lead | None = None,
) -> RunSummary:
    """filter_run with the chain a FilterConfig describes (per-source settings applied).

    Every source gets the same stages (the union of what any source runs), a filter a source
    does not run passing all its rows, so the funnel lines up across sources. `workers`: an
    executor or its spec (executor.py: N processes, "ray", ...); the same bytes for any.
    `lead`: per source, batch stages run before the filters in the same pass over IN_RUN (the
    mix build's dedup: dedup.stage.dedup_stages), counted before them in the funnel: the rows
    they keep are the filters' input, as from a run those stages wrote, with one pass fewer."""
    if not config.stages():
        raise ValueError("the filter config enables no filter: name at least one")
    names = check_run_dirs(in_run_dir, out_run_dir)
    stages = [s for s in config.stages() if s != PATTERN_CAP]
    plans = {}
    for name in names:
        settings = config.for_source(name)
        chain = [(stage, settings.filter(stage) or keep_everything) for stage in stages]
        plans[name] = (chain, settings.pattern_cap if PATTERN_CAP in config.stages() else None)
    filter_sources(in_run_dir, out_run_dir, plans, rows_per_part, parse_executor(workers), lead)
    return write_summary(out_run_dir)


def split_batch(table: pa.Table, filt: Filter, stage: str) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(kept rows, dropped-row report, rewritten-row report) of one filter over one batch."""
    verdicts: Verdicts = filt(table)
    kept, dropped = apply_verdicts(table, verdicts, stage)
    return kept, dropped, rewrite_rows(table, verdicts, stage)


@dataclass(frozen=True)
class PlannedDrops:
    """A filter that drops the rows a whole-source plan named (columns id, reason, detail);
    a dataclass, not a closure, so it pickles to the partitions' workers."""

    decided: pl.DataFrame

    @classmethod
    def of(cls, plan: pl.DataFrame) -> PlannedDrops:
        return cls(plan.select("id", "reason", "detail").unique("id", keep="first"))

    def __call__(self, table: pa.Table) -> Verdicts:
        ids = pl.DataFrame({"id": pl.Series(table.column("id"), dtype=pl.String)})
        joined = ids.join(self.decided, on="id", how="left", maintain_order="left")
        return Verdicts(joined["reason"].to_arrow().cast(pa.string()), joined["detail"].to_arrow().cast(pa.string()))


def _check_chain(chain: Chain, cap: PatternCap | None) -> None:
    stages = [stage for stage, _ in chain]
    if not chain and cap is None:
        raise ValueError("the filter chain is empty: name at least one filter")
    if len(set(stages)) != len(stages) or (cap is not None and PATTERN_CAP in stages):
        raise ValueError(f"stage names must be unique in a chain, got {stages}")
