"""The filter stage over a run directory: IN_RUN -> OUT_RUN through a chain of filters.

Each filter is one stage (its name in the funnel and on every report row it writes), applied
batch by batch (one canonical part at a time) in chain order, so a row dropped by an earlier
filter is never seen by a later one and each drop is charged to exactly one stage. Rows a
filter rewrites (identity, PII redaction, reasoning strip, C4 line removal) are kept and
reported in the source's rewritten report files (reports/) with the row as it was before.

OUT_RUN has the layout of an ingested run, so `curate report` and every later stage read it
like any run. The pattern cap needs the whole source (a share is over all the rows that reach
it): a capped source takes two passes. The first runs the chain's stages before the cap
(filters/config.py: BEFORE_PATTERN_CAP) into a scratch run (OUT_RUN/.precap), the cap plans its
drops over those rows, and the second applies them, then the rest of the chain. A mix build
puts its sampling frontier between the cap and the rest (mix/frontier.py), so the checks read
only the rows its sampling can reach.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import polars as pl
import pyarrow as pa

from curation.executor import Executor, parse_executor
from curation.fileio import scratch_dir
from curation.filters.base import Filter, Verdicts, apply_verdicts, rewrite_rows
from curation.filters.config import BEFORE_PATTERN_CAP, PATTERN_CAP, FilterConfig, keep_everything
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
    """Each source `name` of IN_RUN through its chain, with its pattern cap where it has one,
    into OUT_RUN (no summary). plans: source -> (chain, cap or None). A source without a cap
    takes one pass; a capped one two (first_pass, second_pass), its scratch run removed after.
    The partitions of every source run in one executor map per pass. `lead`: see run_filters."""
    for chain, cap in plans.values():
        _check_chain(chain, cap)
    direct = {
        name: [*(lead or {}).get(name, []), *_batch_stages(chain)] for name, (chain, cap) in plans.items() if cap is None
    }
    if direct:
        run_sources_stages(in_run_dir, out_run_dir, direct, rows_per_part, executor=executor)
    capped = {name: plan for name, plan in plans.items() if plan[1] is not None}
    if capped:
        with scratch_dir(out_run_dir / PRECAP_DIR) as scratch:
            first = first_pass(in_run_dir, scratch, capped, rows_per_part, executor, lead)
            second_pass(first, out_run_dir, rows_per_part, executor)


@dataclass(frozen=True)
class FirstPass:
    """What the first of a two-pass filter leaves for the second, per source: the run holding
    its rows so far (the scratch run, or IN_RUN where the first pass had nothing to do), the cap
    stage (its drops planned over those rows; none for a source without a cap) and the chain's
    stages after the cap. `in_run`: the first pass's input run."""

    in_run: Path
    runs: dict[str, Path]
    cap: dict[str, list[tuple[str, BatchStage]]]
    later: dict[str, list[tuple[str, BatchStage]]]
    drops_any: dict[str, bool]


def first_pass(
    in_run_dir: Path,
    scratch: Path,
    plans: dict[str, tuple[Chain, PatternCap | None]],
    rows_per_part: int,
    executor: Executor,
    lead: Lead | None = None,
) -> FirstPass:
    """The lead stages and the chain's stages of BEFORE_PATTERN_CAP over every source of
    `plans` into the `scratch` run, then the caps' plans over those rows (every part's openings
    in one map, sources side by side; a plan needs (source, id, opening) only)."""
    before = {
        name: [*(lead or {}).get(name, []), *_batch_stages(s for s in chain if s[0] in BEFORE_PATTERN_CAP)]
        for name, (chain, _) in plans.items()
    }
    ran = {name: stages for name, stages in before.items() if stages}
    if ran:
        run_sources_stages(in_run_dir, scratch, ran, rows_per_part, executor=executor)
    runs = {name: scratch if name in ran else in_run_dir for name in plans}
    parts_of = {name: source_parts(runs[name], name) for name, (_, cap) in plans.items() if cap is not None}
    items = [(plans[name][1], str(p)) for name, parts in parts_of.items() for p in parts]
    found = iter(executor.map(part_openings, items))
    cap, drops_any = {}, {}
    for name in plans:
        cap[name], drops_any[name] = [], False
        if name in parts_of:
            parts = parts_of[name]
            drops = plans[name][1].plan_openings(pl.concat([next(found) for _ in parts])) if parts else None
            drops_any[name] = drops is not None and not drops.is_empty()
            filt = PlannedDrops.of(drops) if drops_any[name] else keep_everything
            cap[name] = [(PATTERN_CAP, partial(split_batch, filt=filt, stage=PATTERN_CAP))]
    later = {name: _batch_stages(s for s in chain if s[0] not in BEFORE_PATTERN_CAP) for name, (chain, _) in plans.items()}
    return FirstPass(in_run_dir, runs, cap, later, drops_any)


def second_pass(
    first: FirstPass,
    out_run_dir: Path,
    rows_per_part: int,
    executor: Executor,
    names: Sequence[str] | None = None,
    front: Mapping[str, tuple[str, BatchStage]] | None = None,
) -> None:
    """Sources `names` (default: all) of a first pass through their cap stage, then `front`'s
    stage for that source where it has one (the mix build's sampling frontier: the rows past it
    skip the checks), then the chain's later stages, into OUT_RUN (a source there is replaced)."""
    names = list(first.runs) if names is None else list(names)
    front = front or {}
    for run in dict.fromkeys(first.runs[name] for name in names):
        stages = {}
        for name in (n for n in names if first.runs[n] == run):
            stages[name] = [*first.cap[name], *([front[name]] if name in front else []), *first.later[name]]
            # Only a cap that drops nothing, over scratch parts: the pass would rewrite them as
            # they are, so move them into OUT_RUN with the same counts and reports instead (a
            # source read from IN_RUN keeps the pass: IN_RUN's parts must stay).
            if (
                run == first.in_run or name in front or first.later[name] or first.drops_any[name]
                or not first.cap[name]
            ):
                continue
            if move_source_through(run, out_run_dir, name, PATTERN_CAP, rows_per_part):
                del stages[name]
        if stages:
            run_sources_stages(run, out_run_dir, stages, rows_per_part, executor=executor)


def _batch_stages(chain: Iterable[tuple[str, Filter]]) -> list[tuple[str, BatchStage]]:
    return [(stage, partial(split_batch, filt=f, stage=stage)) for stage, f in chain]


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
    filter_sources(in_run_dir, out_run_dir, config_plans(config, names), rows_per_part, parse_executor(workers), lead)
    return write_summary(out_run_dir)


def config_plans(config: FilterConfig, names: Sequence[str]) -> dict[str, tuple[Chain, PatternCap | None]]:
    """Per source (chain, cap or None) of a FilterConfig: every source gets the same stages, a
    filter a source does not run passing all its rows (run_filters)."""
    stages = [s for s in config.stages() if s != PATTERN_CAP]
    plans = {}
    for name in names:
        settings = config.for_source(name)
        chain = [(stage, settings.filter(stage) or keep_everything) for stage in stages]
        plans[name] = (chain, settings.pattern_cap if PATTERN_CAP in config.stages() else None)
    return plans


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
