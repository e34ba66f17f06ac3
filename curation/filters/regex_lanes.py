"""The identity filter's regular expressions compiled once per process, not once per batch.

polars compiles a pattern the first time a thread uses it and keeps the last 32 patterns
each thread compiled (a thread-local LRU cache: polars-utils `regex_cache.rs`). A chain of
filters run on one thread uses more than 32 (the identity filter alone ~50, PII 11, chat
quality 16), so, taken in turn batch after batch, every pattern is evicted before it comes
round again and is compiled again: ~0.2 s per call of the identity filter whatever the batch
size, a third of its time on the ~3,000-row batches of a mix build's checks.

A lane is a long-lived thread of this process: the identity filter runs on one lane and its
human-claim patterns on a second (28 and 24 patterns), so each finds its patterns compiled by
its previous batch, and the other filters' (reasoning 2, PII 11, chat quality 16) stay cached on
the caller's thread. The caller waits for the result, so nothing runs concurrently: only the
thread (and its cache) changes. The results do not depend on the lane.

Not in a Ray worker: there, measured on the scale benchmark, a worker whose filters had run on
a lane rendered afterwards ~1.4x slower (user CPU, every filter alike; idle lanes cost nothing,
and the local process pool shows no such effect; the cause is not found), so on Ray every call
runs on the caller's thread, as before lanes.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_LANES: dict[str, ThreadPoolExecutor] = {}
_LOCK = threading.Lock()
_HERE = threading.local()  # .lane: the lane the current thread is


def on_lane(lane: str, fn: Callable[..., T], /, *args, **kwargs) -> T:
    """fn(*args, **kwargs) run on the thread of `lane` (started on first use), its exceptions
    raised here; called directly when this thread is that lane already."""
    if getattr(_HERE, "lane", None) == lane or _in_ray_worker():
        return fn(*args, **kwargs)
    with _LOCK:
        pool = _LANES.get(lane)
        if pool is None:
            pool = _LANES[lane] = ThreadPoolExecutor(1, f"regex-lane-{lane}", _name_thread, (lane,))
    return pool.submit(fn, *args, **kwargs).result()


def _in_ray_worker() -> bool:
    ray = sys.modules.get("ray")  # never imported here: a process that has not imported Ray is no worker
    if ray is None:
        return False
    from ray._private.worker import WORKER_MODE, global_worker

    return getattr(global_worker, "mode", None) == WORKER_MODE


def _name_thread(lane: str) -> None:
    _HERE.lane = lane


def _forget_lanes() -> None:
    # A forked child has none of its parent's threads: its lanes start again on first use.
    global _LOCK
    _LANES.clear()
    _LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_lanes)
