"""regex_lanes: the identity filter runs on long-lived threads of its own, so polars' per-thread
cache of 32 compiled patterns keeps its patterns (and the caller's thread the other filters')
from one batch to the next; not in a Ray worker."""

import os
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from curation.filters.regex_lanes import on_lane


def test_a_lane_is_one_thread_other_than_the_callers_and_other_lanes():
    first = on_lane("test:a", threading.get_ident)
    assert on_lane("test:a", threading.get_ident) == first
    assert first != threading.get_ident()
    assert on_lane("test:b", threading.get_ident) not in (first, threading.get_ident())


def test_a_call_from_the_lane_itself_runs_there_at_once():
    def nested():
        return threading.get_ident(), on_lane("test:nested", threading.get_ident)

    outer, inner = on_lane("test:nested", nested)  # would wait for itself forever if queued
    assert outer == inner


def test_arguments_results_and_exceptions_cross_the_lane():
    assert on_lane("test:args", lambda a, b=0: a + b, 2, b=3) == 5
    with pytest.raises(ValueError, match="bad batch"):
        on_lane("test:args", _fail, "bad batch")


def _fail(message: str) -> None:
    raise ValueError(message)


def test_patterns_stay_compiled_on_their_lane_while_the_caller_uses_others():
    """The reason for lanes, measured: 40 patterns cycled on one thread are compiled again on
    every round (the cache holds 32); 20 on a lane, the other 20 on the caller, are not."""
    texts = pl.Series(["no match in this text"] * 4)
    # ~15 ms each to compile (a case-insensitive Unicode alternation), distinct per index
    patterns = [r"(?i)\b(?:" + "|".join(f"word{i}x{k}\\s+\\w{{2,}}" for k in range(20)) + r")\b" for i in range(40)]

    def run(ps):
        for p in ps:
            texts.str.contains(p)

    def timed(fn):
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    run(patterns)
    one_thread = min(timed(lambda: run(patterns)) for _ in range(2))
    on_lane("test:cache", run, patterns[:20])
    run(patterns[20:])

    def split():
        on_lane("test:cache", run, patterns[:20])
        run(patterns[20:])

    two_threads = min(timed(split) for _ in range(2))
    assert two_threads < one_thread / 3, (one_thread, two_threads)


def test_in_a_ray_worker_every_call_runs_on_the_callers_thread():
    """On Ray a worker that ran filters on a lane rendered ~1.4x slower afterwards (regex_lanes):
    there the lanes are off. (A thread's native id is the pid for a process's main thread.)"""
    ray = pytest.importorskip("ray")
    here = str(Path(__file__).resolve().parent)  # the worker imports this module for the task
    ray.init(
        address="local", num_cpus=1, include_dashboard=False, log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": here}},
    )
    try:
        thread, pid = ray.get(ray.remote(_lane_thread_and_pid).remote())
    finally:
        ray.shutdown()
    assert thread == pid  # the worker's main thread: no lane
    assert _lane_thread_and_pid()[0] != os.getpid()  # this process is no Ray worker: a lane


def _lane_thread_and_pid() -> tuple[int, int]:
    return on_lane("test:ray", threading.get_native_id), os.getpid()
