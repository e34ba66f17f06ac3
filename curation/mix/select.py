"""Which rendered rows a mix takes: per source, per part (stage or phase), train and eval.

Per source the build sums the targets of every part (stage / phase / the whole mix) that
names it and takes them in one `take_tokens` over its train pool, so max_epochs bounds the
whole build and a row is used again only once the source is exhausted; the selection is
then cut in part order (the first part gets the first picks, within one row of its target).
A part with `min_doc_tokens` (a long-context phase) samples its own pool of long rows.

Eval: with `eval_fraction` f > 0, each source's rows are split by a keyed hash of the row id
(`split_eval`) before any sampling, so no eval row can reach train in any epoch; the eval
split then takes f/(1-f) of the source's train target from the eval pool (one epoch at
most, short if the pool is), i.e. about f of the mix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from curation.mix.manifest_budget import MixPart, check_reachable
from curation.mix.sample import allocate, split_eval, take_tokens

TRAIN = "train"
EVAL = "eval"


@dataclass(frozen=True)
class Pick:
    """Rows of one source for one part: indices into the source's rendered rows, their epochs."""

    source: str
    part: str
    indices: np.ndarray
    epochs: np.ndarray
    target: int
    tokens: int
    # Filled by select_partitioned, so the writer needs no ids: each pick's n_tokens and the key
    # shuffle_order gives it.
    n_tokens: np.ndarray | None = None
    shuffle_keys: np.ndarray | None = None

    @property
    def rows(self) -> int:
        return len(self.indices)


@dataclass(frozen=True)
class PickTotal:
    """How many rows and tokens one source gives one part, without the rows (what `tally`
    needs; the mix writer's partitions write the rows themselves)."""

    source: str
    part: str
    target: int
    rows: int
    tokens: int


@dataclass
class SourceStats:
    """What the build did with one source (rows, tokens)."""

    name: str
    rows_available: int
    tokens_available: int
    target_tokens: int = 0
    rows: int = 0
    tokens: int = 0
    epochs: float = 0.0
    shortfall: int = 0
    eval_rows: int = 0
    eval_tokens: int = 0
    parts: dict[str, int] = field(default_factory=dict)  # part -> tokens


def select(
    pools: dict[str, tuple[pa.Array, np.ndarray]],
    parts: list[MixPart],
    seed: int,
    max_epochs: dict[str, float],
    eval_fraction: float = 0.0,
) -> tuple[list[Pick], list[Pick], dict[str, SourceStats]]:
    """(train picks, eval picks, stats per source). pools: source -> (ids, n_tokens per row).

    Raises ValueError naming every source whose targets exceed max_epochs x its train tokens.
    """
    targets = {p.name: allocate(p.budget_tokens, p.weights) for p in parts}
    stats = {name: SourceStats(name, len(ids), int(tokens.sum())) for name, (ids, tokens) in pools.items()}
    train_mask = {}
    for name, (ids, _) in pools.items():
        held = split_eval(ids, eval_fraction, seed) if eval_fraction > 0 else np.zeros(len(ids), dtype=bool)
        train_mask[name] = ~held

    shared = [p for p in parts if p.min_doc_tokens is None]
    own_pool = [p for p in parts if p.min_doc_tokens is not None]
    totals: dict[str, int] = {}
    for p in shared:
        for source, t in targets[p.name].items():
            totals[source] = totals.get(source, 0) + t
    _check(totals, pools, train_mask, max_epochs, None)
    for p in own_pool:
        _check(targets[p.name], pools, train_mask, max_epochs, p)

    train: list[Pick] = []
    for source in sorted(totals):
        if totals[source] == 0:
            continue
        ids, tokens = pools[source]
        pool = np.flatnonzero(train_mask[source])
        sel = take_tokens(ids.take(pa.array(pool)), tokens[pool], totals[source], seed, source, max_epochs[source])
        indices, epochs = pool[sel.indices], sel.epochs
        train += _cut(source, [p for p in shared if targets[p.name].get(source, 0)], targets, indices, epochs, tokens)
    for p in own_pool:
        for source, t in sorted(targets[p.name].items()):
            if t == 0:
                continue
            ids, tokens = pools[source]
            pool = np.flatnonzero(train_mask[source] & (tokens >= p.min_doc_tokens))
            sel = take_tokens(ids.take(pa.array(pool)), tokens[pool], t, seed, f"{source}/{p.name}", max_epochs[source])
            train.append(Pick(source, p.name, pool[sel.indices], sel.epochs, t, sel.tokens))

    evals: list[Pick] = []
    if eval_fraction > 0:
        for source, total in sorted(totals.items()):
            ids, tokens = pools[source]
            pool = np.flatnonzero(~train_mask[source])
            want = round(total * eval_fraction / (1 - eval_fraction))
            if want == 0 or pool.size == 0:
                continue
            sel = take_tokens(
                ids.take(pa.array(pool)), tokens[pool], want, seed, f"{source}/{EVAL}", 1.0, allow_shortfall=True
            )
            evals.append(Pick(source, EVAL, pool[sel.indices], sel.epochs, want, sel.tokens))

    trained = {name: int(pools[name][1][train_mask[name]].sum()) for name in stats}
    tally(stats, train, evals, trained)
    return train, evals, stats


def tally(
    stats: dict[str, SourceStats],
    train: list[Pick] | list[PickTotal],
    evals: list[Pick] | list[PickTotal],
    trained: dict[str, int],
) -> None:
    """Add the picks to each source's stats; `trained`: tokens of each source's train pool.
    An unreachable target has already failed, so a train shortfall is always 0 here."""
    for pick in train:
        s = stats[pick.source]
        s.target_tokens += pick.target
        s.rows += pick.rows
        s.tokens += pick.tokens
        s.parts[pick.part] = s.parts.get(pick.part, 0) + pick.tokens
    for s in stats.values():
        s.epochs = s.tokens / trained[s.name] if trained[s.name] else 0.0  # passes over the train pool
    for pick in evals:
        stats[pick.source].eval_rows += pick.rows
        stats[pick.source].eval_tokens += pick.tokens


def _cut(source, parts, targets, indices, epochs, tokens) -> list[Pick]:
    """Split one source's selection (in pick order) across `parts` in order, each within one
    row of its target: part k ends at the pick where the running total comes closest to the
    sum of the targets of parts 1..k (ties: before)."""
    running = np.cumsum(tokens[indices]) if len(indices) else np.zeros(0, dtype=np.int64)
    picks, start, goal = [], 0, 0
    for k, p in enumerate(parts):
        goal += targets[p.name][source]
        if k == len(parts) - 1:
            end = len(indices)
        else:
            j = int(np.searchsorted(running, goal, side="left"))  # first pick reaching the goal
            before = running[j - 1] if j > 0 else 0
            end = j + 1 if j < len(running) and running[j] - goal < goal - before else j
        got = int(running[end - 1] - (running[start - 1] if start > 0 else 0)) if end > start else 0
        picks.append(Pick(source, p.name, indices[start:end], epochs[start:end], targets[p.name][source], got))
        start = end
    return picks


def _check(targets, pools, train_mask, max_epochs, part: MixPart | None) -> None:
    available = {}
    for source in targets:
        tokens = pools[source][1]
        mask = train_mask[source] if part is None else train_mask[source] & (tokens >= part.min_doc_tokens)
        available[source] = int(tokens[mask].sum())
    check_pool_targets(targets, available, max_epochs, part)


def check_pool_targets(
    targets: dict[str, int], available: dict[str, int], max_epochs: dict[str, float], part: MixPart | None
) -> None:
    """check_reachable, naming the part when it samples its own pool of long documents."""
    try:
        check_reachable(targets, available, {s: max_epochs[s] for s in targets})
    except ValueError as exc:
        where = f"part {part.name!r} (documents of >= {part.min_doc_tokens} tokens): " if part else ""
        raise ValueError(f"{where}{exc}") from None
