"""Where a stage's partitions run: here, in a local process pool, or as Ray tasks on a cluster.

Every partitioned stage is written as `executor.map(fn, items)`: `fn` is a module-level function,
each item a tuple of picklable arguments (file paths, row-group ranges, options), and the results
come back in item order whatever order the partitions finish in. A partition writes its output
files itself (on a file system every worker sees, or through work_store.py's object store) and
returns only small things (counts, paths), so the bytes a stage writes depend on the
partitioning, never on which executor ran it or how many workers it had.

    serial            one partition after another in this process (workers=1, the default)
    processes:N       N processes of this machine ("spawn": forking a process whose Arrow / polars /
                      tokenizer thread pools run can deadlock)
    ray[:ADDRESS]     one Ray task per partition (1 CPU each) on the cluster this process is
                      connected to (inside a Ray task, or after ray.init), else ADDRESS, else
                      what ray.init() finds: RAY_ADDRESS, else a cluster already running on
                      this machine (`ray start`), else a new local one for the process; inside
                      work_store.mirrored(URL, ...) the tasks' files travel through that object
                      store, for nodes that share no file system
"""

from __future__ import annotations

import atexit
import math
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

Item = tuple


class Executor:
    """Runs fn(*item) for every item and returns the results in item order."""

    name = "serial"
    workers = 1

    def map(self, fn: Callable[..., Any], items: Sequence[Item]) -> list[Any]:
        return [fn(*item) for item in items]

    def describe(self) -> str:
        return self.name

    def task_size(self, total: int, most: int, least: int) -> int:
        """Units (rows, pairs) a task of a map over `total` units takes: `most` (what one task may
        hold), made smaller so that each local worker gets a task while a task keeps `least`
        units (else a small stage runs its one task while the other workers wait). Only for maps
        whose results do not depend on how the units are cut."""
        return max(1, min(most, max(least, math.ceil(total / self.workers))))


@dataclass(frozen=True)
class Processes(Executor):
    """A spawn process pool of `workers` processes. The pool is started on first use and kept for
    the life of this process (one per worker count), so a build that maps many times pays the
    workers' start-up and imports (seconds each) once; a pool whose worker died is replaced."""

    workers: int = 2
    name = "processes"

    def map(self, fn: Callable[..., Any], items: Sequence[Item]) -> list[Any]:
        if self.workers <= 1 or len(items) <= 1:
            return Executor.map(self, fn, items)
        pool = _pool(self.workers)
        try:
            futures = [pool.submit(fn, *item) for item in items]
            return [f.result() for f in futures]
        except BrokenProcessPool:
            _POOLS.pop(self.workers, None)
            raise

    def describe(self) -> str:
        return f"processes:{self.workers}"


_POOLS: dict[int, ProcessPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()

# A pool has a worker per core and each worker runs one partition at a time, so the libraries'
# own thread pools, each sized for every core by default (Arrow's, polars', rayon's, the
# tokenizer's), would put workers x cores threads on the cores, contending for them. A worker is
# started with them sized for one core: the bench's 2-worker build of the 12M-token mix took ~7%
# less wall time (benchmarks/results/mix.md). The serial executor keeps them: it has the cores
# to itself. A variable the user has set is left as it is. Thread counts change no output byte
# (every test that compares worker counts checks it).
WORKER_THREAD_ENV = {
    "POLARS_MAX_THREADS": "1",
    "OMP_NUM_THREADS": "1",  # Arrow's CPU pool is sized from it
    "RAYON_NUM_THREADS": "1",  # Hugging Face tokenizers
    "CURATION_THREADS": "1",  # the project's own pools (tokens/base.py)
}
_SPAWN_LOCK = threading.Lock()
_WORKERS: weakref.WeakSet[SpawnProcess] = weakref.WeakSet()  # the pools' workers, for shutdown_pools


class _OneThreadProcess(SpawnProcess):
    """A spawned process started with WORKER_THREAD_ENV. polars reads its variable when it is
    imported, which a spawned child does before any pool initializer runs (it imports the
    parent's main module, and the `curate` CLI imports polars), so the variables must be in the
    environment the child starts with: set around the start, under a lock, then restored."""

    def start(self) -> None:
        with _SPAWN_LOCK:
            before = {k: os.environ.get(k) for k in WORKER_THREAD_ENV}
            os.environ.update({k: v for k, v in WORKER_THREAD_ENV.items() if before[k] is None})
            try:
                super().start()
            finally:
                for k, v in before.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
        _WORKERS.add(self)


class _OneThreadContext(SpawnContext):
    Process = _OneThreadProcess


def ray_runtime_env() -> dict:
    """The runtime environment of the Ray jobs this project starts (the Ray executor's, the flows'
    Ray runner's): WORKER_THREAD_ENV for the workers, a task asking for 1 CPU (Ray itself sets only
    OMP_NUM_THREADS), with the values this process's user set instead where they set one. Ray
    workers do not inherit the driver's environment: the job's runtime environment is how they get it."""
    return {"env_vars": {k: os.environ.get(k, v) for k, v in WORKER_THREAD_ENV.items()}}


# What a local Ray cluster started by this process (ray.init with no cluster to join) is started
# with, where the user has not set it: no usage report, and the run's workers at the niceness of
# the run (Ray starts workers at 15, so on a machine with other work, Ray's own processes and any
# other job preempt the workers doing the run; the local process pool's workers run at 0). On a
# 2-vCPU machine with other jobs Ray's ingest took ~4% less wall at 0 (docs/scale.md). A
# cluster started by `ray start` or KubeRay keeps its own settings.
LOCAL_CLUSTER_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_worker_niceness": "0"}


def set_local_cluster_env() -> None:
    """LOCAL_CLUSTER_ENV into this process's environment, where unset (a raylet it starts reads it)."""
    for name, value in LOCAL_CLUSTER_ENV.items():
        os.environ.setdefault(name, value)


def _pool(workers: int) -> ProcessPoolExecutor:
    with _POOLS_LOCK:
        if workers not in _POOLS:
            _POOLS[workers] = ProcessPoolExecutor(workers, mp_context=_OneThreadContext())
        return _POOLS[workers]


def shutdown_pools(terminate: bool = False) -> None:
    """Stop the kept process pools (at exit, or to free their memory). `terminate`: stop their
    workers at once (SIGTERM) rather than let each tear its interpreter down, 0.2-0.7 s that a
    command pays after its work is done; only when no map is running (`curate mix build` calls it
    when the mix is written). Python 3.14's ProcessPoolExecutor.terminate_workers does the same."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
        if terminate:
            for worker in list(_WORKERS):
                if worker.is_alive():
                    worker.terminate()
        # Waited for even when terminated: the pool's manager thread closes its wake-up pipe as
        # it finds the workers gone, and an exit before it is done raced it (concurrent.futures'
        # atexit hook then wrote to the closed pipe: "OSError: Bad file descriptor" at exit).
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_pools)


# A partition task whose worker or node is lost (a spot node reclaimed, a worker killed for memory)
# runs again, up to this many times: every task writes its own files whole, from inputs it does not
# change, so a second run writes the same bytes. An exception the task raises is not retried (Ray's
# retry_exceptions is off): it would be raised again.
SYSTEM_RETRIES = 3
_CONNECT_LOCK = threading.Lock()


@dataclass(frozen=True)
class Ray(Executor):
    """One Ray task per item (`num_cpus` each), run again when its worker is lost (SYSTEM_RETRIES).
    `address` is used only when this process is not connected to a cluster yet."""

    address: str | None = None
    num_cpus: float = 1
    name = "ray"

    @property
    def workers(self) -> int:  # type: ignore[override]
        import ray

        self._connect()
        return max(1, int(ray.cluster_resources().get("CPU", 1) // self.num_cpus))

    def _connect(self) -> None:
        import ray

        with _CONNECT_LOCK:  # a flow's stage tasks map from threads of one process: one connects
            if not ray.is_initialized():
                set_local_cluster_env()
                ray.init(address=self.address, log_to_driver=False, include_dashboard=False, runtime_env=ray_runtime_env())

    def map(self, fn: Callable[..., Any], items: Sequence[Item]) -> list[Any]:
        if len(items) <= 1:  # nothing to spread: a task would only add its start-up (a worker's imports)
            return Executor.map(self, fn, items)
        import ray

        from curation import work_store

        self._connect()
        options = {"num_cpus": self.num_cpus, "max_retries": SYSTEM_RETRIES, "retry_exceptions": False}
        store = work_store.active()
        if store is not None:  # the nodes share no file system: files go through the store
            remote = ray.remote(**options)(work_store.run_task)
            return store.map(fn, items, lambda calls: ray.get([remote.remote(*call) for call in calls]))
        remote = ray.remote(**options)(fn)
        return ray.get([remote.remote(*item) for item in items])

    def describe(self) -> str:
        return f"ray:{self.address}" if self.address else "ray"


SERIAL = Executor()


def parse_executor(spec: str | int | Executor | None) -> Executor:
    """An Executor from a spec: None or 1 -> serial, N -> N processes, "serial", "processes:N",
    "ray" or "ray:ADDRESS". ValueError names a bad spec."""
    if spec is None:
        return SERIAL
    if isinstance(spec, Executor):
        return spec
    if isinstance(spec, bool) or not isinstance(spec, int | str):
        raise ValueError(f"executor must be 'serial', 'processes:N', 'ray' or 'ray:ADDRESS', got {spec!r}")
    if isinstance(spec, int):
        if spec < 1:
            raise ValueError(f"workers must be 1 or more, got {spec}")
        return SERIAL if spec == 1 else Processes(spec)
    text = spec.strip()
    kind, _, arg = text.partition(":")
    if text.startswith("ray://"):  # a Ray client address is itself "ray://HOST:PORT"
        kind, arg = "ray", text
    if kind == "serial" and not arg:
        return SERIAL
    if kind == "processes":
        if not arg.isdigit() or int(arg) < 1:
            raise ValueError(f"executor {spec!r}: give the number of processes, e.g. 'processes:2'")
        return parse_executor(int(arg))
    if kind == "ray":
        try:
            import ray  # noqa: F401
        except ImportError as exc:
            raise ValueError(f"executor {spec!r} needs ray installed (pip install 'ray[default]'): {exc}") from exc
        return Ray(arg or None)
    raise ValueError(f"executor must be 'serial', 'processes:N', 'ray' or 'ray:ADDRESS', got {spec!r}")
