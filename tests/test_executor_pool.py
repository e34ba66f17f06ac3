"""The process pool: shutdown_pools(terminate=True) stops idle workers at once, and a later map gets a
new pool; task_size cuts a small map into a task per worker."""

from __future__ import annotations

import os
import signal

from curation import executor
from curation.executor import Processes, shutdown_pools


def test_terminate_stops_the_idle_workers_and_a_later_map_starts_a_new_pool():
    shutdown_pools()
    first = set(Processes(2).map(os.getpid, [(), (), (), ()]))
    workers = [w for w in executor._WORKERS if w.is_alive()]  # a pool starts its workers as work comes
    assert first <= {w.pid for w in workers}
    shutdown_pools(terminate=True)
    for worker in workers:
        worker.join(10)
        assert worker.exitcode == -signal.SIGTERM  # stopped, not left to exit on its own
    try:
        again = set(Processes(2).map(os.getpid, [(), (), (), ()]))
    finally:
        shutdown_pools()
    assert again and not again & first


def test_task_size_gives_each_local_worker_a_task_down_to_the_least():
    from curation.executor import SERIAL

    assert SERIAL.task_size(200_000, 2_000_000, 50_000) == 200_000  # all in one task, as before
    assert Processes(2).task_size(200_000, 2_000_000, 50_000) == 100_000  # a task each
    assert Processes(2).task_size(60_000, 2_000_000, 50_000) == 50_000  # not below the least
    assert Processes(4).task_size(10_000_000, 2_000_000, 50_000) == 2_000_000  # never above the most
    assert Processes(2).task_size(0, 10, 0) == 1
