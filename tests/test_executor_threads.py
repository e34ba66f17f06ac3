"""A process pool's workers run their libraries single-threaded (executor.WORKER_THREAD_ENV);
the parent's environment is left as it was, and a value the user set is kept."""

from __future__ import annotations

import os

from curation.executor import WORKER_THREAD_ENV, Processes, shutdown_pools


def worker_threads() -> dict:
    """Task: what a worker's libraries will use."""
    import polars as pl
    import pyarrow as pa

    from curation.tokens.base import default_threads

    return {
        "polars": pl.thread_pool_size(),
        "arrow": pa.cpu_count(),
        "tokens": default_threads(),
        "env": {k: os.environ.get(k) for k in WORKER_THREAD_ENV},
    }


def test_pool_workers_are_single_threaded_and_the_parent_is_untouched(monkeypatch):
    shutdown_pools()  # a pool kept from another test was started before this one's environment
    for name in WORKER_THREAD_ENV:
        monkeypatch.delenv(name, raising=False)
    try:
        got = Processes(2).map(worker_threads, [(), ()])
    finally:
        shutdown_pools()
    for seen in got:
        assert seen == {"polars": 1, "arrow": 1, "tokens": 1, "env": WORKER_THREAD_ENV}
    assert all(name not in os.environ for name in WORKER_THREAD_ENV)


def test_a_thread_count_the_user_set_is_kept(monkeypatch):
    shutdown_pools()
    for name in WORKER_THREAD_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CURATION_THREADS", "3")
    try:
        got = Processes(2).map(worker_threads, [(), ()])
    finally:
        shutdown_pools()
    assert [g["tokens"] for g in got] == [3, 3]
    assert [g["polars"] for g in got] == [1, 1]
    assert os.environ["CURATION_THREADS"] == "3"


def test_a_bad_thread_count_is_named(monkeypatch):
    import pytest

    from curation.tokens.base import default_threads

    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("CURATION_THREADS", bad)
        with pytest.raises(ValueError, match="CURATION_THREADS must be a positive integer"):
            default_threads()
    monkeypatch.setenv("CURATION_THREADS", " 2 ")
    assert default_threads() == 2
