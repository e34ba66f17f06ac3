"""The partitioned selection (thresholds from per-partition histograms) picks exactly what the
in-memory `select` picks: same rows, same order, same epochs, same part cuts, same stats and
the same errors, over random pools, curricula, long-document phases, eval splits and epochs."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.executor import parse_executor
from curation.mix import sample, select_partitioned, select_tasks
from curation.mix.manifest_budget import MixPart
from curation.mix.select import select
from curation.mix.select_partitioned import select_partitioned as partitioned


def _fake_run(root: Path, rng, sources: dict[str, int]) -> dict[str, tuple[pa.Array, np.ndarray]]:
    """Rendered parts of random sizes per source; returns the pools `select` reads."""
    pools = {}
    for name, n in sources.items():
        ids = np.array([f"{name}-{rng.integers(1 << 40):x}-{i}" for i in range(n)], dtype=object)
        tokens = rng.integers(1, 300, size=n)
        tokens[rng.random(n) < 0.05] = 0  # rows that render to nothing are never taken
        tokens[rng.random(n) < 0.01] = 5000  # a few long rows make the cut rules matter
        data = root / "sources" / name / "data"
        data.mkdir(parents=True)
        bounds = np.unique(np.concatenate([[0, n], rng.integers(0, n, size=rng.integers(0, 6))]))
        for k, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False)):
            pq.write_table(
                pa.table({"id": pa.array(ids[lo:hi], pa.string()), "n_tokens": pa.array(tokens[lo:hi], pa.int64())}),
                data / f"part-{k:05d}.parquet",
            )
        pools[name] = (pa.array(ids, pa.string()), tokens.astype(np.int64))
    return pools


def _same(expected, got):
    (train, evals, stats), (train2, evals2, stats2) = expected, got
    for a, b in zip(train + evals, train2 + evals2, strict=True):
        assert (a.source, a.part, a.target, a.tokens) == (b.source, b.part, b.target, b.tokens)
        np.testing.assert_array_equal(a.indices, b.indices)
        np.testing.assert_array_equal(a.epochs, b.epochs)
    assert len(train) == len(train2) and len(evals) == len(evals2)
    assert stats == stats2


def _random_case(rng):
    names = ["alpha", "beta", "gamma"][: rng.integers(1, 4)]
    weights = {n: float(rng.integers(0, 4)) for n in names}
    weights[names[0]] = max(weights[names[0]], 1.0)
    kind = rng.integers(0, 3)
    budget = int(rng.integers(1_000, 60_000))
    if kind == 0:
        parts = [MixPart("mix", budget, weights)]
    elif kind == 1:  # a curriculum: stages cut one source's picks in order
        parts = [MixPart(f"stage{k}", int(rng.integers(500, 20_000)), weights) for k in range(rng.integers(2, 4))]
    else:  # a pretraining phase with its own pool of long documents
        parts = [MixPart("p1", budget, weights), MixPart("p2", int(rng.integers(100, 5_000)), weights, 4096, 200)]
    max_epochs = {n: float(rng.choice([1.0, 2.5, 7.0])) for n in names}
    eval_fraction = float(rng.choice([0.0, 0.0, 0.1]))
    return names, parts, max_epochs, eval_fraction


@pytest.mark.parametrize("case", range(40))
def test_partitioned_selection_equals_select(tmp_path, monkeypatch, case):
    rng = np.random.default_rng(case)
    monkeypatch.setattr(select_partitioned, "FETCH_ROWS", int(rng.choice([2, 50, 65_536])))  # histogram rounds
    names, parts, max_epochs, eval_fraction = _random_case(rng)
    pools = _fake_run(tmp_path, rng, {n: int(rng.integers(1, 400)) for n in names})
    seed = int(rng.integers(1 << 31))
    try:
        expected = select(pools, parts, seed, max_epochs, eval_fraction)
    except ValueError as exc:
        with pytest.raises(ValueError) as got:
            partitioned(tmp_path, names, parts, seed, max_epochs, eval_fraction, parse_executor(1))
        assert str(got.value) == str(exc)
        return
    _same(expected, partitioned(tmp_path, names, parts, seed, max_epochs, eval_fraction, parse_executor(1)))


def test_equal_keys_are_ordered_by_id_as_select_does(tmp_path, monkeypatch):
    """Keys of 3 bits: most rows tie, so every order and boundary is decided by the ids."""
    real = sample.row_keys

    def coarse(ids, seed, source, epoch, *, purpose="sample"):
        return real(ids, seed, source, epoch, purpose=purpose) >> np.uint64(61)

    monkeypatch.setattr(sample, "row_keys", coarse)
    monkeypatch.setattr(select_tasks, "row_keys", coarse)
    monkeypatch.setattr(select_partitioned, "FETCH_ROWS", 3)
    rng = np.random.default_rng(7)
    pools = _fake_run(tmp_path, rng, {"alpha": 300, "beta": 120})
    parts = [MixPart(f"s{k}", 9_000 + 1_000 * k, {"alpha": 2.0, "beta": 1.0}) for k in range(3)]
    epochs = {"alpha": 3.0, "beta": 3.0}
    _same(
        select(pools, parts, 11, epochs, 0.1),
        partitioned(tmp_path, ["alpha", "beta"], parts, 11, epochs, 0.1, parse_executor(1)),
    )


def test_partitioned_selection_on_processes(tmp_path, monkeypatch):
    rng = np.random.default_rng(99)
    pools = _fake_run(tmp_path, rng, {"alpha": 2_000, "beta": 700})
    parts = [MixPart("a", 200_000, {"alpha": 3.0, "beta": 1.0}), MixPart("b", 90_000, {"alpha": 1.0, "beta": 1.0})]
    epochs = {"alpha": 2.0, "beta": 4.0}
    got = partitioned(tmp_path, ["alpha", "beta"], parts, 5, epochs, 0.05, parse_executor("processes:2"))
    _same(select(pools, parts, 5, epochs, 0.05), got)
    pick = got[0][0]
    assert pick.n_tokens.sum() == pick.tokens and len(pick.shuffle_keys) == len(pick.indices)


def test_unreachable_budget_names_the_source(tmp_path):
    rng = np.random.default_rng(3)
    _fake_run(tmp_path, rng, {"alpha": 10})
    with pytest.raises(ValueError, match="budget unreachable: source 'alpha'"):
        partitioned(tmp_path, ["alpha"], [MixPart("mix", 10**9, {"alpha": 1.0})], 1, {"alpha": 1.0}, 0.0,
                    parse_executor(1))


def _uniform_run(root: Path, rows: int, tokens: int) -> dict[str, tuple[pa.Array, np.ndarray]]:
    data = root / "sources" / "alpha" / "data"
    data.mkdir(parents=True)
    ids = [f"row-{i}" for i in range(rows)]
    for k, lo in enumerate(range(0, rows, 37)):
        chunk = ids[lo : lo + 37]
        pq.write_table(pa.table({"id": chunk, "n_tokens": pa.array([tokens] * len(chunk), pa.int64())}),
                       data / f"part-{k:05d}.parquet")
    return {"alpha": (pa.array(ids, pa.string()), np.full(rows, tokens, np.int64))}


@pytest.mark.parametrize(
    ("targets", "max_epochs"),
    [
        ([55], 1.0),  # the crossing row lands 5 over and 5 under: a tie stops before it
        ([25, 30], 1.0),  # a stage cut on a tie ends the stage before the crossing row
        ([997], 0.9975),  # 3 over beats 7 under, but taking the row would pass floor(E x available)
        ([1000, 1000, 15], 3.0),  # whole epochs, then a stage of a tie into the third epoch
    ],
)
def test_ties_and_the_cap_follow_the_stopping_rule(tmp_path, targets, max_epochs):
    pools = _uniform_run(tmp_path, 100, 10)  # every row 10 tokens, 1,000 tokens an epoch
    parts = [MixPart(f"s{k}", t, {"alpha": 1.0}) for k, t in enumerate(targets)]
    expected = select(pools, parts, 3, {"alpha": max_epochs}, 0.0)
    _same(expected, partitioned(tmp_path, ["alpha"], parts, 3, {"alpha": max_epochs}, 0.0, parse_executor(1)))
    assert sum(p.tokens for p in expected[0]) < sum(targets)  # each case stops short of its goal


def test_a_repeated_id_that_is_picked_is_named(tmp_path):
    """Ids are unique after ingest; a rendered run that breaks that fails naming the id, as
    take_tokens does, instead of picking one copy by chance."""
    data = tmp_path / "sources" / "alpha" / "data"
    data.mkdir(parents=True)
    for k in range(2):  # the same id in two parts
        pq.write_table(pa.table({"id": ["same", f"other-{k}"], "n_tokens": pa.array([5, 5], pa.int64())}),
                       data / f"part-{k:05d}.parquet")
    with pytest.raises(ValueError, match="duplicate id in source 'alpha' 'same'"):
        partitioned(tmp_path, ["alpha"], [MixPart("mix", 20, {"alpha": 1.0})], 1, {"alpha": 1.0}, 0.0,
                    parse_executor(1))
