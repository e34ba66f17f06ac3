"""The mix flows, as the recipe reads: validate -> curate sources -> sample + write -> artifacts.

    build-mix       a manifest (a name in mixes/ or a path) -> the mix directory
    pretrain-phase  one phase of a phased manifest -> that phase's mix directory
    regenerate-mix  a mix.lock.json -> the mix rebuilt, every shard's sha256 checked

Run them from the Prefect UI (`curate serve`), or call them as functions: without a server
Prefect runs them in its ephemeral mode; with PREFECT_API_URL set they show in that server.
The parameters are validated before any work, so a bad manifest fails the run at once with
the manifest's own error as the run's state message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from prefect import flow, get_run_logger, task

from curation.mix.build import check_partition_rows, write_mix
from curation.mix.frontier import EXAMINE_MODES
from curation.mix.lock import MixLock
from curation.readers.remote import is_url
from curation.report import load_summary
from curation.work_store import check_store, mirrored, run_roots
from flows import artifacts
from flows.params import MixRun, prepare
from flows.runners import RunnerChoice, choose, partitions_driver, task_runner
from flows.source import curate_all

DEFAULT_MANIFEST = "wind-edge-1.6-distill-12m"


@task(name="sample-and-write", task_run_name="sample-and-write")
def sample_and_write(run: MixRun, rendered: Path, executor: str | int = 1) -> MixLock:
    """Select rows by token budget and write shards, lock and card (not cached: it is quick,
    and its output directory is the one thing a person may delete). The shards are written
    partitioned on `executor` (Ray tasks under the Ray runner)."""
    lock = write_mix(run.manifest, rendered, run.out, executor=executor)
    t = lock.totals
    get_run_logger().info("wrote %s: %d tokens in %d rows, %d shards", run.out, t.tokens, t.rows, t.shards)
    return lock


@flow(name="build-mix", log_prints=False)
def build_mix_flow(
    manifest: str = DEFAULT_MANIFEST,
    demo: bool = True,
    out: str | None = None,
    workers: int = 1,
    runner: str = "local",
    ray_address: str | None = None,
    examine: Literal["all", "needed"] = "all",
    work_store: str | None = None,
    partition_rows: int | None = None,
) -> str:
    """Build a mix from a manifest (a name in mixes/ or a path to a YAML file); demo=True builds
    it on the embedded demo corpora at the manifest's demo budget. runner="ray" runs the tasks
    on a Ray cluster (ray_address, else RAY_ADDRESS, else a local one); with work_store (an object
    store URL, for a cluster whose nodes share no file system) the stage tasks run in the flow's
    process and their partitions on the cluster, the files going through the store.
    examine="needed" renders only the rows each source's target can reach, as `curate mix build
    --examine needed` (the same shards; the rest reported as beyond_budget). partition_rows: the
    most rows one task of a stage holds (unset: the stages' default, 250,000), what sets a
    worker's memory on a cluster (docs/scale.md); the shards do not depend on it. Returns the mix
    directory."""
    if examine not in EXAMINE_MODES:  # Prefect checks the Literal; a direct call of .fn does not
        raise ValueError(f"examine must be one of {', '.join(EXAMINE_MODES)}, got {examine!r}")
    choice = choose(runner, ray_address, work_store)
    run = _validated(manifest, demo, out, workers, choice, partition_rows)
    return _build(run, workers, choice, examine, partition_rows)


@flow(name="pretrain-phase", log_prints=False)
def pretrain_phase_flow(
    manifest: str = "wind-edge-1.6-pretrain-1.2t",
    phase: str = "base-4k",
    demo: bool = True,
    runner: str = "local",
    ray_address: str | None = None,
    work_store: str | None = None,
    partition_rows: int | None = None,
) -> str:
    """Build one phase of a phased (pretraining) manifest as a mix of its own; the sources are
    curated once for every phase (the work directory and its cache are the whole mix's).
    runner/ray_address/work_store/partition_rows as build-mix. Returns the phase's mix directory."""
    choice = choose(runner, ray_address, work_store)
    whole = _validated(manifest, demo, None, 1, choice, partition_rows)
    phases = {p.name: p for p in whole.manifest.phases}
    if phase not in phases:
        known = ", ".join(phases) or "none: the manifest has no phases"
        raise ValueError(f"{whole.manifest.name} has no phase {phase!r}; phases: {known}")
    chosen = phases[phase]
    budget = chosen.budget_tokens if whole.manifest.budget_tokens is not None else None
    only = whole.manifest.model_copy(update={"phases": [chosen], "budget_tokens": budget})
    run = MixRun(only, whole.out.with_name(f"{whole.out.name}-{phase}"), whole.work, demo)
    return _build(run, 1, choice, partition_rows=partition_rows)


@flow(name="regenerate-mix", log_prints=False)
def regenerate_mix_flow(lock: str, out: str | None = None) -> str:
    """Rebuild the mix a mix.lock.json (or its directory) describes and check every shard's
    sha256 against the lock; fails naming the changed input or shard. Returns the directory."""
    from curation.mix.lock import read_lock
    from curation.mix.regenerate import default_target, mix_lock_and_dir, same_place

    lock_file, mix_dir = mix_lock_and_dir(lock.strip())
    read_lock(lock_file)  # a missing or broken lock fails here, before any work
    target = (out.strip() if is_url(out.strip()) else Path(out).expanduser()) if out else default_target(mix_dir)
    if same_place(target, mix_dir):
        raise ValueError("out must differ from the mix being regenerated")
    regenerate(lock_file, target)
    return str(target)


@task(name="regenerate", task_run_name="regenerate")
def regenerate(lock_file: Path | str, target: Path | str) -> None:
    from curation.mix.regenerate import regenerate_mix

    lock = regenerate_mix(lock_file, target)
    get_run_logger().info(
        "regenerated %s into %s: all %d shards match their sha256", lock.name, target, len(lock.shards)
    )


def _validated(
    manifest: str, demo: bool, out: str | None, workers: int, choice: RunnerChoice, partition_rows: int | None = None
) -> MixRun:
    if isinstance(workers, bool) or workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers!r}")
    check_partition_rows(partition_rows)
    if choice.work_store:
        check_store(choice.work_store)  # reachable and writable, before the demo inputs are made
    run = prepare(manifest, demo, out)
    m = run.manifest
    get_run_logger().info(
        "mix %s: %d sources, %d tokens budget, %s; output %s; %s",
        m.name,
        len(m.sources),
        m.total_budget,
        "demo corpora" if demo else "the manifest's inputs",
        run.out,
        choice.describe(),
    )
    return run


def _build(
    run: MixRun, workers: int, choice: RunnerChoice, examine: str = "all", partition_rows: int | None = None
) -> str:
    ray = choice.partitions()
    with (
        mirrored(choice.work_store, run_roots(run.work, run.out)),
        partitions_driver(choice),
        task_runner(choice.tasks()),  # the submitted tasks, and under Ray the partitions of every stage
    ):
        rendered = curate_all(run.manifest, run.work, workers, ray=ray, examine=examine, partition_rows=partition_rows)
        lock = sample_and_write(run, rendered, ray or workers)
    artifacts.publish_mix(load_summary(rendered), lock, run.out, run.work)
    return str(run.out)
