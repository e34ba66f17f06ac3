"""An executor for tests: runs serially here, reports `workers` workers (so stages size their
tasks for them) and records each map's function and item count."""

from __future__ import annotations

from curation.executor import Executor


class Recording(Executor):
    name = "recording"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.maps: list[tuple[str, int]] = []

    def map(self, fn, items):
        self.maps.append((fn.__name__, len(items)))
        return super().map(fn, items)

    def items(self, name: str) -> list[int]:
        return [n for fn, n in self.maps if fn == name]
