"""The mix selection computed over partitions: thresholds from per-partition statistics, then
each partition selects its own rows. It gives exactly the picks of `select` (select.py, the
reference it is tested against), while this process never holds a row's id: only the counts,
histograms and, at the end, the picked rows as integers. The mix build stops before that end:
it takes `plan_selection` (everything up to the last map) and has each partition write its own
picks into ranges of the final order (split_ranges.py), so its caller holds no picked row.

`select` takes, per pool, every row of `full` whole epochs and then the rows of one partial
epoch in key order up to the row where the running token count reaches the remainder (the
stopping rule in sample.py); curriculum parts are cut at the rows where the running count
reaches each part's goal. Each such "goal" is one row of one epoch in key order, found here
without sorting the pool:

    map over rendered parts: each pool's rows and tokens                      (pool_sums)
    here: targets, reachability (same errors as `select`), whole epochs and remainders: the goals
    repeat while a goal's key interval holds more than FETCH_ROWS rows:
        map: 256-bin token histograms of each goal's interval              (interval_histograms)
        here: narrow the interval to the bin where the goal's running count falls (8 bits a round)
    map: the few rows of each interval: key, id, tokens                       (interval_rows)
    here: order them as take_tokens does, find the goal's row -> a Boundary (epoch, key, id)
    (plan_selection ends here: a PoolPlan per pool)
    map: each partition's picked rows (row, epoch, key, part, n_tokens, shuffle key)   (pick_rows)
    here: concatenate and order by (epoch, key), ties by id: the Picks of `select`

Rounds: 3 + ceil(log256(pool rows / FETCH_ROWS)) maps, e.g. 4 for a pool of 16M rows; each
task reads only the (id, n_tokens) columns of its part.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from curation.executor import Executor
from curation.mix.manifest_budget import MixPart
from curation.mix.sample import allocate
from curation.mix.sample_hash import order_by_key
from curation.mix.select import EVAL, TRAIN, Pick, SourceStats, check_pool_targets, tally
from curation.mix.select_tasks import (
    BINS,
    Boundary,
    Interval,
    PoolPlan,
    PoolSpec,
    empty_picks,
    interval_histograms,
    interval_rows,
    pick_rows,
    pool_sums,
)
from curation.partitions import part_starts, take_rows
from curation.source_stages import source_parts

FETCH_ROWS = 65_536  # a goal's interval is fetched row by row once it holds this many rows or fewer


class RunIds:
    """Ids of rendered rows by (source, row in the concatenation of its parts), read on demand:
    only for the rare equal 64-bit keys whose order the ids decide."""

    def __init__(self, run: Path, names: list[str]):
        self.paths = {name: source_parts(run, name) for name in names}
        self.starts = {name: part_starts(paths) for name, paths in self.paths.items()}

    def ids(self, source: str, rows: np.ndarray) -> list[str]:
        return take_rows(self.paths[source], self.starts[source], rows, ["id"]).column("id").to_pylist()


@dataclass
class _Goal:
    """Find the row of `pool`'s epoch `epoch` (key order) where the running tokens first reach
    `tokens`; the search narrows the key interval (depth, prefix), `before` = tokens ahead of it."""

    pool: PoolSpec
    epoch: int
    tokens: int
    rows: int
    depth: int = 0
    prefix: int = 0
    before: int = 0
    key: int = 0
    id: str = ""
    prev: int = 0  # running tokens before the goal's row, within the epoch
    reach: int = 0  # running tokens through the goal's row

    def interval(self) -> Interval:
        return Interval(self.pool, self.epoch, self.depth, self.prefix)

    def at(self, inclusive: bool) -> Boundary:
        return Boundary(self.epoch, self.key, self.id, inclusive)


@dataclass
class _Pool:
    """One take_tokens call of `select`: its pool, target, and where it is cut into parts."""

    spec: PoolSpec
    target: int
    max_epochs: float
    parts: list[tuple[str, int]]  # (part name, target), in order; one for own and eval pools
    allow_shortfall: bool = False
    available: int = 0
    rows: int = 0  # rows with tokens > 0
    cap: int = 0
    full: int = 0
    take: _Goal | None = None
    cuts: list[_Goal] | None = None


@dataclass
class SelectionPlan:
    """Everything the partitioned selection decides before its last map: per pool what each
    partition takes (`plans`, in `pools` order: train pools, then eval pools from `evals_at`),
    the stats so far (rows and tokens available) and each source's train-pool tokens."""

    ids: RunIds
    seed: int
    eval_fraction: float
    pools: list[_Pool]
    plans: list[PoolPlan]
    evals_at: int
    stats: dict[str, SourceStats]
    trained: dict[str, int]

    def split_of(self, k: int) -> str:
        """The split pool k's picks go to: train, or eval for the pools from `evals_at` on."""
        return TRAIN if k < self.evals_at else EVAL

    def train_picks(self) -> int:
        """How many of the picks, one per pool and part in pool order, are train picks."""
        return sum(len(p.parts) for p in self.pools[: self.evals_at])


def select_partitioned(
    run: Path,
    names: list[str],
    parts: list[MixPart],
    seed: int,
    max_epochs: dict[str, float],
    eval_fraction: float,
    executor: Executor,
) -> tuple[list[Pick], list[Pick], dict[str, SourceStats]]:
    """`select` over the rendered run `run` (sources `names`), on `executor`; the same result."""
    plan = plan_selection(run, names, parts, seed, max_epochs, eval_fraction, executor)
    picks = _pick(plan, executor)
    cut = plan.train_picks()
    train, evals = picks[:cut], picks[cut:]
    tally(plan.stats, train, evals, plan.trained)
    return train, evals, plan.stats


def plan_selection(
    run: Path,
    names: list[str],
    parts: list[MixPart],
    seed: int,
    max_epochs: dict[str, float],
    eval_fraction: float,
    executor: Executor,
) -> SelectionPlan:
    """The selection up to its last map (the picked rows themselves): targets, reachability
    (raises ValueError as `select` does), and each pool's plan. Its picks: `select_partitioned`
    gathers them here; the mix writer has each partition write its own (split_ranges.py)."""
    ids = RunIds(run, names)
    targets = {p.name: allocate(p.budget_tokens, p.weights) for p in parts}
    shared = [p for p in parts if p.min_doc_tokens is None]
    own_pool = [p for p in parts if p.min_doc_tokens is not None]
    totals: dict[str, int] = {}
    for p in shared:
        for source, t in targets[p.name].items():
            totals[source] = totals.get(source, 0) + t

    train_spec = {name: PoolSpec(name, name, "train") for name in names}
    own_spec = {
        (p.name, s): PoolSpec(f"{s}/{p.name}", s, "train", p.min_doc_tokens) for p in own_pool for s in targets[p.name]
    }
    eval_spec = {s: PoolSpec(f"{s}/{EVAL}", s, "eval") for s in totals} if eval_fraction > 0 else {}
    specs = list(train_spec.values()) + list(own_spec.values()) + list(eval_spec.values())
    stats, sums = _pool_sums(ids, names, specs, seed, eval_fraction, executor)

    check_pool_targets(totals, {s: sums[train_spec[s]][2] for s in totals}, max_epochs, None)
    for p in own_pool:
        available = {s: sums[own_spec[(p.name, s)]][2] for s in targets[p.name]}
        check_pool_targets(targets[p.name], available, max_epochs, p)

    pools: list[_Pool] = []
    for source in sorted(totals):
        if totals[source]:
            cut = [(p.name, targets[p.name][source]) for p in shared if targets[p.name].get(source, 0)]
            pools.append(_Pool(train_spec[source], totals[source], max_epochs[source], cut))
    for p in own_pool:
        for source, t in sorted(targets[p.name].items()):
            if t:
                pools.append(_Pool(own_spec[(p.name, source)], t, max_epochs[source], [(p.name, t)]))
    evals_at = len(pools)
    for source, total in sorted(totals.items()):
        if eval_fraction > 0:
            want = round(total * eval_fraction / (1 - eval_fraction))
            if want and sums[eval_spec[source]][0]:
                pools.append(_Pool(eval_spec[source], want, 1.0, [(EVAL, want)], allow_shortfall=True))

    for pool in pools:
        _plan_goals(pool, sums[pool.spec])
    _locate([g for pool in pools for g in ([pool.take] if pool.take else []) + pool.cuts], ids, seed, eval_fraction,
            executor)
    plans = [_plan(pool) for pool in pools]
    trained = {name: sums[train_spec[name]][2] for name in names}
    return SelectionPlan(ids, seed, eval_fraction, pools, plans, evals_at, stats, trained)


def _pool_sums(ids: RunIds, names, specs, seed, eval_fraction, executor):
    """SourceStats with rows/tokens available, and per spec (rows, rows with tokens > 0, tokens)."""
    by_source = {name: [s for s in specs if s.source == name] for name in names}
    items = [(str(path), seed, eval_fraction, by_source[name]) for name in names for path in ids.paths[name]]
    results = iter(executor.map(pool_sums, items))
    stats, sums = {}, {spec: (0, 0, 0) for spec in specs}
    for name in names:
        rows = tokens = 0
        for _ in ids.paths[name]:
            part_rows, part_tokens, per_pool = next(results)
            rows, tokens = rows + part_rows, tokens + part_tokens
            for spec, counts in zip(by_source[name], per_pool, strict=True):
                sums[spec] = tuple(a + b for a, b in zip(sums[spec], counts, strict=True))
        stats[name] = SourceStats(name, rows, tokens)
    return stats, sums


def _plan_goals(pool: _Pool, counts: tuple[int, int, int]) -> None:
    """take_tokens' arithmetic (sample.py rules 1-2) and the goals its rule 3 and `_cut` need."""
    _, rows, available = counts
    cap = math.floor(Fraction(pool.max_epochs) * available)
    if pool.target > cap and not pool.allow_shortfall:
        raise ValueError(
            f"source {pool.spec.label!r}: target {pool.target} tokens exceeds max_epochs ({pool.max_epochs}) x "
            f"available ({available} tokens in {rows} rows) = {cap} tokens; raise max_epochs or lower its weight"
        )
    goal = min(pool.target, cap)
    full, rest = divmod(goal, available) if available else (0, 0)
    pool.available, pool.rows, pool.cap, pool.full = available, rows, cap, full
    pool.take = _Goal(pool.spec, full, rest, rows) if rest else None
    pool.cuts, running = [], 0
    for _, target in pool.parts[:-1]:
        running += target
        epoch = (running - 1) // available
        pool.cuts.append(_Goal(pool.spec, epoch, running - epoch * available, rows))


def _locate(goals: list[_Goal], ids: RunIds, seed: int, eval_fraction: float, executor: Executor) -> None:
    """Fill each goal's row (key, id, prev, reach) by narrowing its key interval, then reading it."""
    while coarse := [g for g in goals if g.rows > FETCH_ROWS and g.depth < 64]:
        for goal, results in zip(coarse, _map_goals(coarse, interval_histograms, ids, seed, eval_fraction, executor),
                                 strict=True):
            counts = np.sum([r[0] for r in results], axis=0) if results else np.zeros(BINS, np.int64)
            running = goal.before + np.cumsum(np.sum([r[1] for r in results], axis=0))
            b = int(np.searchsorted(running, goal.tokens, side="left"))
            goal.before = int(running[b - 1]) if b else goal.before
            goal.rows, goal.prefix, goal.depth = int(counts[b]), (goal.prefix << 8) | b, goal.depth + 8
    for goal, results in zip(goals, _map_goals(goals, interval_rows, ids, seed, eval_fraction, executor), strict=True):
        keys = np.concatenate([r[0] for r in results]) if results else np.zeros(0, np.uint64)
        row_ids = [i for r in results for i in r[1]]
        tokens = np.concatenate([r[2] for r in results]) if results else np.zeros(0, np.int64)
        order = order_by_key(keys, lambda rows, ids=row_ids: [ids[i] for i in rows], f"id in source {goal.pool.label!r}")
        running = goal.before + np.cumsum(tokens[order])
        j = int(np.searchsorted(running, goal.tokens, side="left"))
        goal.key, goal.id = int(keys[order[j]]), row_ids[order[j]]
        goal.prev, goal.reach = int(running[j - 1]) if j else goal.before, int(running[j])


def _map_goals(goals: list[_Goal], fn: Callable, ids: RunIds, seed, eval_fraction, executor) -> list[list]:
    """fn over every part of the goals' sources with the goals' intervals; per goal, its results."""
    sources = sorted({g.pool.source for g in goals})
    mine = {s: [g for g in goals if g.pool.source == s] for s in sources}
    items = [
        (str(path), seed, eval_fraction, [g.interval() for g in mine[s]]) for s in sources for path in ids.paths[s]
    ]
    results = iter(executor.map(fn, items))
    per_goal: dict[int, list] = {id(g): [] for g in goals}
    for s in sources:
        for _ in ids.paths[s]:
            for goal, result in zip(mine[s], next(results), strict=True):
                per_goal[id(goal)].append(result)
    return [per_goal[id(g)] for g in goals]


def _picked(pool: _Pool, at: _Goal) -> bool:
    """Whether the goal's row is among the pool's picks."""
    if at.epoch != pool.full:
        return at.epoch < pool.full
    take = pool.take
    if take is None:
        return False
    return (at.key, at.id) < (take.key, take.id) or ((at.key, at.id) == (take.key, take.id) and _takes_row(pool))


def _takes_row(pool: _Pool) -> bool:
    """sample.py rule 3: the partial epoch takes its crossing row iff it lands exactly, or lands
    closer above than below without passing the cap."""
    take = pool.take
    over, under = take.reach - take.tokens, take.tokens - take.prev
    return over == 0 or (over < under and pool.full * pool.available + take.reach <= pool.cap)


def _plan(pool: _Pool) -> PoolPlan:
    partial = pool.take.at(_takes_row(pool)) if pool.take else None
    cuts = []
    for cut in pool.cuts:
        if not _picked(pool, cut):
            cuts.append(None)  # `_cut`: a goal past the last pick ends the part at the last pick
            continue
        goal = cut.epoch * pool.available + cut.tokens
        reach, before = cut.epoch * pool.available + cut.reach, cut.epoch * pool.available + cut.prev
        cuts.append(cut.at(reach - goal < goal - before))
    return PoolPlan(pool.spec, pool.full, partial, tuple(cuts))


def plans_by_source(plan: SelectionPlan) -> dict[str, list[int]]:
    """source -> the indices of its pools' plans, sources in name order."""
    sources = sorted({p.pool.source for p in plan.plans})
    return {s: [k for k, p in enumerate(plan.plans) if p.pool.source == s] for s in sources}


def _pick(plan: SelectionPlan, executor: Executor) -> list[Pick]:
    plans, pools, ids = plan.plans, plan.pools, plan.ids
    mine = plans_by_source(plan)
    items = [
        (str(path), plan.seed, plan.eval_fraction, [plans[k] for k in mine[s]]) for s in mine for path in ids.paths[s]
    ]
    results = iter(executor.map(pick_rows, items))
    sources = list(mine)
    gathered: list[list[dict]] = [[] for _ in plans]
    for s in sources:
        for part_index in range(len(ids.paths[s])):
            for k, found in zip(mine[s], next(results), strict=True):
                found = dict(found, row=found["row"] + ids.starts[s][part_index])
                gathered[k].append(found)
    picks = []
    for pool, plan, found in zip(pools, plans, gathered, strict=True):
        rows = {name: np.concatenate([f[name] for f in found]) for name in empty_picks()} if found else empty_picks()
        order = _pick_order(rows, lambda r, s=pool.spec.source: ids.ids(s, r), plan.pool.label)
        rows = {name: values[order] for name, values in rows.items()}
        for k, (part, target) in enumerate(pool.parts):
            sel = rows["part"] == k
            n_tokens = rows["n_tokens"][sel]
            picks.append(
                Pick(
                    pool.spec.source, part, rows["row"][sel], rows["epoch"][sel], target, int(n_tokens.sum()),
                    n_tokens=n_tokens, shuffle_keys=rows["shuffle_key"][sel],
                )
            )
    return picks


def _pick_order(rows: dict[str, np.ndarray], ids_of: Callable[[np.ndarray], list[str]], label: str) -> np.ndarray:
    """take_tokens' pick order: epoch, then key, equal keys by id."""
    order = []
    for epoch in np.unique(rows["epoch"]):
        members = np.flatnonzero(rows["epoch"] == epoch)
        within = order_by_key(rows["key"][members], lambda r, m=members: ids_of(rows["row"][m[r]]),
                              f"id in source {label!r}")
        order.append(members[within])
    return np.concatenate(order) if order else np.zeros(0, np.int64)

