"""Token-budget sampling: exact per-source targets, rows taken in keyed-hash order, whole epochs first.

Per source, `allocate` turns a budget (tokens) and weights into integer targets that sum
exactly to the budget; `take_tokens` then picks rows until the target is met.

The stopping rule (`take_tokens`), stated exactly. Let A be the source's available tokens
(sum of `n_tokens` over rows with n_tokens > 0; rows with 0 tokens are never taken), T the
target and E = max_epochs. All arithmetic is on integers (E enters as an exact Fraction):

1. cap = floor(E * A). If T > cap: ValueError naming the source, or with
   allow_shortfall=True the goal becomes cap and `shortfall` = T - achieved. Else goal = T.
2. full, rest = divmod(goal, A): `full` whole epochs, each taking every row once, in the
   order of its epoch's keys. No float epoch count is ever rounded, so a target of exactly
   k epochs is k epochs and never spills a row into epoch k+1 (OLMo-core's bug).
3. Partial epoch (index `full`) when rest > 0: rows in key order; let j be the first row
   whose cumulative tokens c_j >= rest, under = rest - c_(j-1), over = c_j - rest. Row j is
   taken iff over == 0, or over < under and full * A + c_j <= cap; else the epoch stops
   before it. Ties (over == under) stop before: the achieved total never exceeds the
   target when both choices are equally close.
   Hence |achieved - goal| <= min(under, over) (or = under when the cap forbids row j), which
   is < n_tokens of row j ("within one row"); the achieved tokens never exceed floor(E * A),
   so no row is seen more than ceil(E) times. A partial epoch whose closest stop is its last
   row reports partial_fraction == 1.0 (full_epochs counts the epochs taken whole by rule 2).

Keys are SipHash-2-4 of the row id keyed by (seed, source, epoch) (`sample_hash.py`), ties
by id, so the selection is a function of the set of (id, n_tokens) rows only: independent of
input order, chunking and worker count.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pyarrow as pa

from curation.mix.sample_hash import as_string_array, order_by_key, row_keys
from curation.mix.sample_order import shuffle_order, split_eval

__all__ = ["Selection", "allocate", "row_keys", "shuffle_order", "split_eval", "take_tokens"]


def allocate(budget: int, weights: dict[str, float]) -> dict[str, int]:
    """Integer token targets per source, proportional to `weights`, summing exactly to `budget` (tokens).

    Largest remainder on exact fractions (floats enter as their exact binary value): each
    source gets floor(budget * w / sum(w)); the leftover tokens go one each to the largest
    fractional parts, ties by source name (ascending). A weight of 0 gets 0 tokens.
    """
    if isinstance(budget, bool) or not isinstance(budget, numbers.Integral) or budget < 0:
        raise ValueError(f"budget must be an integer number of tokens >= 0, got {budget!r}")
    if not weights:
        raise ValueError("weights: at least one source is needed")
    exact: dict[str, Fraction] = {}
    for name, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, numbers.Real) or not math.isfinite(w) or w < 0:
            raise ValueError(f"weights[{name!r}] must be a finite number >= 0, got {w!r}")
        exact[name] = Fraction(w)
    total = sum(exact.values())
    if total == 0:
        raise ValueError("weights: all weights are zero; at least one must be > 0")
    quotas = {name: Fraction(int(budget)) * w / total for name, w in exact.items()}
    targets = {name: math.floor(q) for name, q in quotas.items()}
    leftover = int(budget) - sum(targets.values())
    ranked = sorted(quotas, key=lambda name: (-(quotas[name] - targets[name]), name))
    for name in ranked[:leftover]:
        targets[name] += 1
    return targets


@dataclass(frozen=True)
class Selection:
    """The rows `take_tokens` picked from one source.

    indices: row index into the input (int64), in selection order (epoch 0 in key order,
      epoch 1 in key order, ..., then the partial epoch); a row appears once per epoch.
    epochs: the epoch of each pick (int32), same length as `indices`.
    tokens: tokens achieved (sum of n_tokens over the picks).
    target: tokens asked for. available: tokens of one epoch (rows with n_tokens > 0).
    full_epochs: whole epochs taken. partial_fraction: tokens of the partial epoch / available.
    shortfall: target - tokens when the source ran out at max_epochs (allow_shortfall=True), else 0.
    """

    indices: np.ndarray
    epochs: np.ndarray
    tokens: int
    target: int
    available: int
    full_epochs: int
    partial_fraction: float
    shortfall: int

    @property
    def rows(self) -> int:
        """Number of picks (a row taken in two epochs counts twice)."""
        return int(self.indices.size)

    @property
    def epochs_seen(self) -> float:
        """Epochs of the source consumed, in tokens: full_epochs + partial_fraction."""
        return self.full_epochs + self.partial_fraction


def take_tokens(
    ids,
    n_tokens,
    target: int,
    seed: int,
    source: str,
    max_epochs: float = 1.0,
    *,
    allow_shortfall: bool = False,
) -> Selection:
    """Pick rows of one source until `target` tokens are met, by the stopping rule in the module docstring.

    ids: pa.Array / ChunkedArray / list of str, unique among rows with n_tokens > 0.
    n_tokens: tokens per row (integers >= 0), same length as ids. target: tokens (>= 0).
    max_epochs: most passes over the source (>= 0, fractions allowed, e.g. 2.5).
    """
    ids_arr = as_string_array(ids, f"source {source!r}: ids")
    tokens = _validate_tokens(n_tokens, len(ids_arr), source)
    if isinstance(target, bool) or not isinstance(target, numbers.Integral) or target < 0:
        raise ValueError(
            f"source {source!r}: target must be an integer number of tokens >= 0, got {target!r}"
        )
    if (
        isinstance(max_epochs, bool)
        or not isinstance(max_epochs, numbers.Real)
        or not math.isfinite(max_epochs)
        or max_epochs < 0
    ):
        raise ValueError(f"source {source!r}: max_epochs must be a finite number >= 0, got {max_epochs!r}")
    target = int(target)

    pos = np.flatnonzero(tokens > 0)
    pos_tokens = tokens[pos]
    available = int(pos_tokens.sum())
    cap = math.floor(Fraction(max_epochs) * available)
    if target > cap and not allow_shortfall:
        raise ValueError(
            f"source {source!r}: target {target} tokens exceeds max_epochs ({max_epochs}) x available "
            f"({available} tokens in {pos.size} rows) = {cap} tokens; raise max_epochs or lower its weight"
        )
    goal = min(target, cap)
    full, rest = divmod(goal, available) if available else (0, 0)

    pos_ids = ids_arr.take(pa.array(pos)) if pos.size != len(ids_arr) else ids_arr

    def epoch_order(epoch: int) -> np.ndarray:
        keys = row_keys(pos_ids, seed, source, epoch)
        return order_by_key(
            keys, lambda rows: pos_ids.take(pa.array(rows)).to_pylist(), f"id in source {source!r}"
        )

    # Epoch 0 is always ordered so duplicate ids are reported whatever the target.
    orders = [epoch_order(0)] if pos.size else []
    orders += [epoch_order(e) for e in range(1, full + (1 if rest else 0))]
    picks = [pos[orders[e]] for e in range(full)]
    partial = 0
    if rest:
        order = orders[full]
        cum = np.cumsum(pos_tokens[order])
        j = int(np.searchsorted(cum, rest, side="left"))  # rest < available, so j < len(cum)
        over = int(cum[j]) - rest
        under = rest - (int(cum[j - 1]) if j else 0)
        take = j + 1 if over == 0 or (over < under and full * available + int(cum[j]) <= cap) else j
        partial = int(cum[take - 1]) if take else 0
        picks.append(pos[order[:take]])
    indices = np.concatenate(picks).astype(np.int64, copy=False) if picks else np.zeros(0, dtype=np.int64)
    epochs = np.repeat(np.arange(len(picks), dtype=np.int32), [p.size for p in picks]).astype(np.int32)
    achieved = full * available + partial
    return Selection(
        indices=indices,
        epochs=epochs,
        tokens=achieved,
        target=target,
        available=available,
        full_epochs=full,
        partial_fraction=partial / available if available else 0.0,
        shortfall=target - achieved if target > cap else 0,
    )


def _validate_tokens(n_tokens, n_rows: int, source: str) -> np.ndarray:
    """n_tokens as int64 numpy; ValueError naming the source on a wrong length, type, null or negative."""
    if isinstance(n_tokens, pa.ChunkedArray | pa.Array):
        if n_tokens.null_count:
            raise ValueError(f"source {source!r}: n_tokens contain {n_tokens.null_count} null value(s)")
        n_tokens = n_tokens.to_numpy()
    arr = np.asarray(n_tokens)
    if arr.ndim != 1 or arr.size != n_rows:
        raise ValueError(
            f"source {source!r}: n_tokens must be 1-D with one value per id ({n_rows}), got {arr.shape}"
        )
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"source {source!r}: n_tokens must be integers, got dtype {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    if arr.size and arr.min() < 0:
        raise ValueError(
            f"source {source!r}: n_tokens must be >= 0 (row {int(np.argmin(arr))} has {arr.min()})"
        )
    return arr
