"""Examine only the rows a mix can reach: the sampling frontier (`examine: needed`).

`take_tokens` (sample.py) takes a pool's rows in key order until its target is met, so a row
whose key lies past that point is never picked, whatever the filters say about it and however
many tokens it renders to. A 12M-token mix drawn from 100M tokens of sources reaches about a
fifth of each source; filtering and rendering the rest is most of the build's time.

With `examine="needed"` a build whose manifest has filters runs their first pass over every
row (filters/stage.py: the dedup, the reasoning step, then the pattern cap's plan over the whole
source, so the dedup and the cap decide exactly what they decide in a whole build), then
estimates that point per pool (the train pool and the eval pool of each source) from the rows'
text bytes (the cap's drops left out); a frontier is a 16-bit prefix of the sampling key, with a
margin to spare. Tokens per byte are measured per source: the train rows of the first 1/128 of
the key space (rows any pick takes first) go through the checks after the cap and are rendered
and counted (CALIBRATION_PREFIXES), and with at least CALIBRATION_ROWS of them the estimate is
their tokens (kept rows only) per byte (every row) with CALIBRATED_MARGIN; else BYTES_PER_TOKEN
(an under-estimate of the tokens a row renders to, so the frontier errs towards more rows) with
MARGIN. On the distill bench the fixed rate rendered 1.5-2x the tokens the picks took; the
measured one ~1.2x.
The filters' second pass applies the cap's drops, then `FrontierStage` sets the rows past the
frontier aside with reason `beyond_budget` (a report row each: id, no text), and only the rows
before it go through the checks (identity, PII, chat quality, ...: most of the filters' time)
and are rendered (tokenizing: the build's largest step). A build without filters (or the flows,
which filter each source whole) puts `FrontierStage` first in the render pass instead.

After rendering, `check_frontiers` proves each frontier safe: the rendered train rows before it
hold MORE tokens than the pool's target (strictly: then the whole pool holds more too, so the
pick takes no whole epoch and stops at a row before the frontier, and every row before the
frontier is there). The picks, and so the shards, are then the ones an `examine="all"` build
writes, byte for byte. A source whose check fails is filtered and rendered again with every row
examined (that source alone).

Sources the frontier cannot shortcut are always rendered whole:
- a source named by a part with `min_doc_tokens` (that pool samples by rendered length);
- max_epochs < 1 (the cap floor(max_epochs x available) needs every row's tokens);
- a source whose estimate says the target needs (almost) every row anyway.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curation.accounting import DROP_SCHEMA
from curation.executor import Executor
from curation.mix.manifest import MixManifest
from curation.mix.sample import allocate
from curation.mix.sample_hash import row_keys
from curation.mix.sample_order import split_eval
from curation.mix.select import EVAL
from curation.mix.select_tasks import PoolSpec, pool_sums
from curation.render.stage import RenderOptions, render_table
from curation.source_stages import BatchStage, source_parts

if TYPE_CHECKING:
    from curation.filters.stage import FirstPass

EXAMINE_MODES = ("all", "needed")
STAGE = "budget_frontier"
REASON = "beyond_budget"
DETAIL = (
    "deduplicated and capped, but neither checked by the later filters nor rendered: its sampling key lies "
    "past the point where the source's target is met (curate mix build --examine needed); an --examine all "
    "build would not pick it either"
)
PREFIX_BITS = 16  # a frontier is a prefix of the 64-bit sampling key
BYTES_PER_TOKEN = 5.0  # qwen3 renders 3-4.5 bytes of English, code or math per token: fewer tokens estimated, more rows
MARGIN = 1.5  # estimated tokens before the frontier / target: room for filtered rows and the estimate's error
CALIBRATION_PREFIXES = 1 << (PREFIX_BITS - 7)  # train rows whose key prefix is below: rendered to measure tokens per byte
CALIBRATION_ROWS = 64  # fewer rendered rows measure too little: BYTES_PER_TOKEN and MARGIN then
# The margin over a measured rate: the rate of ~1/128 of a source's rows (the bench's sources:
# 117-420 rows) misses by a few percent, and rows the render step drops count as 0 tokens in it.
CALIBRATED_MARGIN = 1.2


@dataclass(frozen=True)
class Frontier:
    """Which rows of one source are examined: train rows whose key prefix (pool `source`) is
    <= train_prefix, eval rows whose key prefix (pool `source/eval`) is <= eval_prefix. None:
    every row of that side; -1: none. `train_target` / `eval_target`: the tokens the check needs."""

    source: str
    seed: int
    eval_fraction: float
    train_prefix: int | None
    eval_prefix: int | None
    train_target: int
    eval_target: int

    @property
    def everything(self) -> bool:
        return self.train_prefix is None and self.eval_prefix is None

    def whole(self) -> Frontier:
        return replace(self, train_prefix=None, eval_prefix=None)

    def examined(self, ids: pa.Array) -> np.ndarray:
        """Mask of the rows (by id) before the frontier."""
        held = split_eval(ids, self.eval_fraction, self.seed) if self.eval_fraction > 0 else np.zeros(len(ids), bool)
        keep = np.zeros(len(ids), dtype=bool)
        for side, prefix, label in ((~held, self.train_prefix, self.source), (held, self.eval_prefix, f"{self.source}/{EVAL}")):
            rows = np.flatnonzero(side)
            if prefix is None:
                keep[rows] = True
            elif prefix >= 0 and rows.size:
                keep[rows] = _prefixes(row_keys(ids.take(pa.array(rows)), self.seed, label, 0)) <= prefix
        return keep


def _prefixes(keys: np.ndarray) -> np.ndarray:
    return (keys >> np.uint64(64 - PREFIX_BITS)).astype(np.int64)


@dataclass(frozen=True)
class FrontierStage:
    """The render pass's first step (a source_stages BatchStage): rows past the frontier go to
    the report as `beyond_budget` (id only: the text of a row nobody examined tells nothing)."""

    frontier: Frontier

    def __call__(self, table: pa.Table) -> tuple[pa.Table, pa.Table]:
        ids = table.column("id").combine_chunks()
        keep = self.frontier.examined(ids)
        if keep.all():
            return table, DROP_SCHEMA.empty_table()
        gone = pa.array(~keep)
        n = int((~keep).sum())
        report = pa.table(
            {
                "source": table.column("source").filter(gone),
                "stage": pa.repeat(pa.scalar(STAGE), n),
                "reason": pa.repeat(pa.scalar(REASON), n),
                "detail": pa.repeat(pa.scalar(DETAIL), n),
                "id": ids.filter(gone),
                **{name: pa.nulls(n, DROP_SCHEMA.field(name).type) for name in DROP_SCHEMA.names[5:]},
            }
        ).cast(DROP_SCHEMA)
        return table.filter(pa.array(keep)), report


def source_targets(manifest: MixManifest) -> tuple[dict[str, int], dict[str, int]]:
    """(train target, eval target) per source, as plan_selection computes them; sources named by a
    part with min_doc_tokens are left out (their own pools sample by rendered length)."""
    parts = manifest.parts()
    own = {s for p in parts if p.min_doc_tokens is not None for s, w in p.weights.items()}
    train: dict[str, int] = {}
    for p in parts:
        if p.min_doc_tokens is None:
            for source, t in allocate(p.budget_tokens, p.weights).items():
                train[source] = train.get(source, 0) + t
    f = manifest.split.eval_fraction
    evals = {s: round(t * f / (1 - f)) if f > 0 else 0 for s, t in train.items()}
    return {s: t for s, t in train.items() if s not in own}, evals


def plan_frontiers(manifest: MixManifest, run: Path | FirstPass, executor: Executor) -> dict[str, Frontier]:
    """The frontier of every source of `run` (Frontier.everything where it cannot shortcut): a
    filtered run, or the first pass of the filters (filters/stage.py), whose cap drops are left
    out of the counts and whose later checks the calibration rows go through before they are
    rendered (so the measured rate is of tokens kept per byte before the checks). One map over
    the parts: per part and pool, estimated tokens per key prefix."""
    from curation.filters.stage import FirstPass

    first = run if isinstance(run, FirstPass) else None
    seed, f = manifest.seed, manifest.split.eval_fraction
    train, evals = source_targets(manifest)
    frontiers = {
        s.name: Frontier(s.name, seed, f, None, None, train.get(s.name, 0), evals.get(s.name, 0)) for s in manifest.sources
    }
    planned = [s.name for s in manifest.sources if train.get(s.name, 0) > 0 and s.max_epochs >= 1]
    from curation.mix.build import render_options  # build imports this module

    options = render_options(manifest)
    runs = {n: first.runs[n] if first else run for n in planned}
    parts = {n: source_parts(runs[n], n) for n in planned}
    items = [(str(p), seed, f, n, first.cap[n] if first else []) for n in planned for p in parts[n]]
    found = iter(executor.map(prefix_bytes, items))
    totals, samples = {}, {}
    for name in planned:
        totals[name], tables = PrefixBytes.empty(), []
        for _ in parts[name]:
            counts, sample = next(found)
            totals[name] = totals[name].plus(counts)
            tables.append(sample)
        samples[name] = pa.concat_tables(tables) if tables else None
    # The calibration rows of a source in one task (the checks and the renderer pay a fixed cost
    # per call: ~0.2 s for the identity filter's patterns), sources side by side.
    measured = [n for n in planned if totals[n].sample_rows >= CALIBRATION_ROWS]
    jobs = [(samples[n], options, first.later[n] if first else []) for n in measured]
    for name, tokens in zip(measured, executor.map(calibration_tokens, jobs), strict=True):
        totals[name] = replace(totals[name], sample_tokens=tokens)
    for name in planned:
        total = totals[name]
        per_byte, margin = total.rate()
        fr = frontiers[name]
        frontiers[name] = replace(
            fr,
            train_prefix=_prefix_for(total.train_bytes * per_byte + total.train_rows, fr.train_target, margin),
            eval_prefix=_prefix_for(total.eval_bytes * per_byte + total.eval_rows, fr.eval_target, margin) if f > 0 else None,
        )
    return frontiers


def _prefix_for(estimate: np.ndarray, target: int, margin: float) -> int | None:
    """The smallest key prefix whose estimated tokens (per prefix) reach margin x target; None
    (every row) where the estimate never gets there; -1 (no row) for a target of 0."""
    if target == 0:
        return -1
    reached = np.flatnonzero(np.cumsum(estimate) >= math.ceil(margin * target))
    return int(reached[0]) if reached.size and reached[0] < len(estimate) - 1 else None


@dataclass(frozen=True)
class PrefixBytes:
    """Text bytes and rows per key prefix of a source's train and eval rows, and the bytes and
    rendered tokens of its calibration rows (integers: sums over parts in any order agree)."""

    train_bytes: np.ndarray
    train_rows: np.ndarray
    eval_bytes: np.ndarray
    eval_rows: np.ndarray
    sample_rows: int
    sample_bytes: int
    sample_tokens: int

    @staticmethod
    def empty() -> PrefixBytes:
        zeros = [np.zeros(1 << PREFIX_BITS, dtype=np.int64) for _ in range(4)]
        return PrefixBytes(*zeros, 0, 0, 0)

    def plus(self, other: PrefixBytes) -> PrefixBytes:
        return PrefixBytes(*(a + b for a, b in zip(vars(self).values(), vars(other).values(), strict=True)))

    def rate(self) -> tuple[float, float]:
        """(estimated tokens per text byte, margin): measured where enough rows were rendered."""
        if self.sample_rows >= CALIBRATION_ROWS and self.sample_bytes > 0:
            return self.sample_tokens / self.sample_bytes, CALIBRATED_MARGIN
        return 1 / BYTES_PER_TOKEN, MARGIN


def prefix_bytes(
    path: str, seed: int, eval_fraction: float, source: str, drops: Sequence[tuple[str, BatchStage]] = ()
) -> tuple[PrefixBytes, pa.Table]:
    """Task: one part's PrefixBytes (no tokens yet), without the rows `drops` drop, and its
    calibration rows (calibration_tokens renders them)."""
    table = pq.read_table(path)
    for _, stage in drops:
        table = stage(table)[0]
    ids = table.column("id").combine_chunks()
    size = _text_bytes(table)
    held = split_eval(ids, eval_fraction, seed) if eval_fraction > 0 else np.zeros(len(ids), bool)
    hists, sample = [], np.zeros(0, np.int64)
    for side, label in ((~held, source), (held, f"{source}/{EVAL}")):
        rows = np.flatnonzero(side)
        prefixes = _prefixes(row_keys(ids.take(pa.array(rows)), seed, label, 0)) if rows.size else np.zeros(0, np.int64)
        hists += [_bincount(prefixes, size[rows]), _bincount(prefixes, np.ones(rows.size, np.int64))]
        if label == source:
            sample = rows[prefixes < CALIBRATION_PREFIXES]
    counts = PrefixBytes(*hists, int(sample.size), int(size[sample].sum()), 0)
    return counts, table.take(pa.array(sample, pa.int64()))


def calibration_tokens(rows: pa.Table, options: RenderOptions, checks: Sequence[tuple[str, BatchStage]] = ()) -> int:
    """Task: the tokens calibration rows render to with `options`, after `checks` (the filters
    after the cap): a row they drop, or the render step drops, counts 0."""
    for _, stage in checks:
        rows = stage(rows)[0]
    rendered, _ = render_table(rows, options)
    return int(pc.sum(rendered.column("n_tokens")).as_py() or 0)


def _bincount(prefixes: np.ndarray, weights: np.ndarray) -> np.ndarray:
    # integer sums per prefix (bincount's weights are float64: exact below 2^53)
    return np.bincount(prefixes, weights=weights, minlength=1 << PREFIX_BITS).astype(np.int64)


def _text_bytes(table: pa.Table) -> np.ndarray:
    """UTF-8 bytes of each row's text, or of its messages' contents (reasoning left out: it may
    not be rendered, and a low estimate only examines more rows)."""
    text = pc.binary_length(table.column("text").combine_chunks()).fill_null(0).to_numpy(zero_copy_only=False)
    messages = table.column("messages").combine_chunks()
    contents = pc.binary_length(pc.struct_field(pc.list_flatten(messages), "content")).fill_null(0)
    sums = np.concatenate([[0], np.cumsum(contents.to_numpy(zero_copy_only=False), dtype=np.int64)])
    offsets = messages.offsets.to_numpy()
    if messages.offset:  # a sliced array's offsets count from the start of its values
        offsets = offsets - offsets[0]
    lengths = sums[offsets[1:]] - sums[offsets[:-1]]
    return text.astype(np.int64) + lengths


def check_frontiers(frontiers: dict[str, Frontier], rendered: Path, executor: Executor) -> list[str]:
    """The sources whose frontier is not proven safe by the rendered run: their rendered train
    (eval) rows hold no more tokens than the train (eval) target. One map over the parts."""
    narrowed = [fr for fr in frontiers.values() if not fr.everything]
    items, owners = [], []
    for fr in narrowed:
        specs = [PoolSpec(fr.source, fr.source, "train"), PoolSpec(f"{fr.source}/{EVAL}", fr.source, "eval")]
        for path in source_parts(rendered, fr.source):
            items.append((str(path), fr.seed, fr.eval_fraction, specs))
            owners.append(fr.source)
    sums: dict[str, list[int]] = {fr.source: [0, 0] for fr in narrowed}
    for owner, (_, _, per_pool) in zip(owners, executor.map(pool_sums, items), strict=True):
        sums[owner][0] += per_pool[0][2]
        sums[owner][1] += per_pool[1][2]
    unsafe = []
    for fr in narrowed:
        train_ok = fr.train_prefix is None or sums[fr.source][0] > fr.train_target
        eval_ok = fr.eval_prefix is None or fr.eval_target == 0 or sums[fr.source][1] > fr.eval_target
        if not (train_ok and eval_ok):
            unsafe.append(fr.source)
    return unsafe
