"""Where a flow's tasks run: `local` (the flow's own thread pool, the default) or `ray` (a Ray cluster
through prefect-ray's RayTaskRunner).

A deployment's task runner is fixed when its flow is decorated, but the runner is a run parameter
here (the UI's form, `curate serve`), so the flow picks it after the parameters arrive: inside
`task_runner(choice)` every `task.submit` of the flow goes to that runner. The tasks, their cache
keys and their output directories are the same under either runner, so are the shards.

Ray's address: the `ray_address` parameter, else RAY_ADDRESS, else a local Ray cluster started for
the run and stopped after it (~4 s, ~1.2 GB idle). The run's work directory is a local path, which
every node must see (a shared file system) unless `work_store` names an object store: then the stage
tasks run in the flow's process and only their partitions on the cluster, their files going through
the store (curation/work_store.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from curation.readers.remote import is_url

RUNNERS = ("local", "ray")
RAY_INSTALL = "pip install prefect-ray ray"


@dataclass(frozen=True)
class RunnerChoice:
    """A validated runner: `name` is "local" or "ray"; `address` the Ray cluster's (None: RAY_ADDRESS,
    else a local cluster started for the run); `work_store` an object store URL the Ray tasks' files
    go through (curation/work_store.py), for a cluster whose nodes share no file system."""

    name: str = "local"
    address: str | None = None
    work_store: str | None = None

    def describe(self) -> str:
        if self.name == "local":
            return "local task runner (threads in the flow process)"
        where = self.address or os.environ.get("RAY_ADDRESS") or "a local Ray cluster started for this run"
        if self.work_store:
            return f"stage tasks in the flow process, their partitions as Ray tasks at {where}, files through {self.work_store}"
        return f"Ray task runner at {where}"

    def tasks(self) -> RunnerChoice:
        """Where the flow's own (stage) tasks run: with a work store, in the flow's process, whose disk
        holds the work directory (only the partitions go to the cluster); else as chosen."""
        return RunnerChoice() if self.work_store else self

    def partitions(self) -> str | None:
        """The executor spec of the stages' partitions: None off Ray; "ray" inside a Ray task (it is
        connected); "ray:ADDRESS" from the flow's process."""
        if self.name != "ray":
            return None
        return f"ray:{self.address}" if self.work_store and self.address else "ray"


def choose(runner: str = "local", ray_address: str | None = None, work_store: str | None = None) -> RunnerChoice:
    """Validate the flow parameters `runner`, `ray_address` and `work_store` before any work;
    ValueError names the problem (an unknown runner, an address or a work store without
    runner="ray", a work store that is not a URL, prefect-ray not installed)."""
    store = work_store.strip() if isinstance(work_store, str) else work_store
    if store is not None and not (isinstance(store, str) and is_url(store)):
        raise ValueError(f"work_store must be an object store URL such as s3://bucket/prefix, got {work_store!r}")
    name = runner.strip().lower() if isinstance(runner, str) else runner
    if name not in RUNNERS:
        raise ValueError(f"runner must be one of {', '.join(RUNNERS)}, got {runner!r}")
    address = ray_address.strip() if isinstance(ray_address, str) else ray_address
    if address is not None and not isinstance(address, str):
        raise ValueError(
            f"ray_address must be a string such as 'auto', 'HOST:6379' or 'ray://HOST:10001', got {ray_address!r}"
        )
    if address == "":
        address = None
    if name == "local":
        if address is not None:
            raise ValueError(
                f"ray_address {address!r} is given but runner is 'local': pass runner='ray' to use it"
            )
        if store:
            raise ValueError(f"work_store {store!r} is for Ray tasks but runner is 'local': pass runner='ray'")
        return RunnerChoice()
    try:
        import prefect_ray  # noqa: F401
        import ray  # noqa: F401
    except ImportError as exc:
        raise ValueError(f"runner='ray' needs prefect-ray and ray installed ({RAY_INSTALL}): {exc}") from exc
    return RunnerChoice("ray", address, store or None)


@contextmanager
def task_runner(choice: RunnerChoice) -> Iterator[None]:
    """Inside a flow run: route the flow's `task.submit` calls to the chosen runner for the block.
    Tasks called directly (not submitted) still run in the flow process."""
    if choice.name == "local":
        yield  # the flow's own runner, as decorated
        return
    from prefect.context import FlowRunContext
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect_ray import RayTaskRunner

    from curation.executor import set_local_cluster_env

    context = FlowRunContext.get()
    if context is None:
        raise RuntimeError("task_runner() is for use inside a flow run")
    # The Ray workers get the flow's settings with each task: name the API the flow talks to, else a
    # flow in Prefect's ephemeral mode (no PREFECT_API_URL) would have each worker start a server of its
    # own (~5 s each) and record the task runs there, out of the flow run's sight.
    api = PREFECT_API_URL.value() or str(context.client.api_url).rstrip("/")
    # RayTaskRunner connects to `address`, or with None calls ray.init() which reads RAY_ADDRESS or
    # starts a local cluster; on exit it disconnects (and stops the cluster it started).
    set_local_cluster_env()  # a local cluster: no usage report, workers at the run's niceness
    ray_runner = RayTaskRunner(address=choice.address, init_kwargs=ray_init_kwargs(choice.address))
    with (
        temporary_settings(updates={PREFECT_API_URL: api}),
        ray_runner,
        context.model_copy(update={"task_runner": ray_runner}),
    ):
        yield


def ray_init_kwargs(address: str | None) -> dict:
    """RayTaskRunner's init_kwargs: the workers' thread settings (executor.ray_runtime_env), and an
    "auto" address as is (prefect-ray would otherwise start a new cluster for it)."""
    from curation.executor import ray_runtime_env

    return {**({"address": "auto"} if address == "auto" else {}), "runtime_env": ray_runtime_env()}


@contextmanager
def partitions_driver(choice: RunnerChoice) -> Iterator[None]:
    """With a work store the flow's process drives the partitions' Ray tasks itself (it connects on
    the first map): it disconnects after the block (stopping the local cluster it started, if
    any), so a later run in the same process starts from the same state."""
    if not choice.work_store:
        yield
        return
    import ray

    connected = ray.is_initialized()
    try:
        yield
    finally:
        if not connected and ray.is_initialized():
            ray.shutdown()

