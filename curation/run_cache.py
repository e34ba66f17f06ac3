"""The local copies of object-store runs under CURATION_CACHE (run_store.py), listed and pruned.

A copy is kept for reuse (a second stage over the same input run, `curate report` after it) and
would otherwise grow without bound. `curate cache show` lists what is there; `curate cache prune`
removes copies not used for a while (`--older-than`), then the least recently used ones until the
cache fits `--max-gb`. A copy's last use is the time of its listing file (`<copy>.objects.json`),
which run_store touches each time it hands the copy out.

Nothing used in the last MIN_IDLE_S is removed, whatever the limits say: a stage running now may be
reading it. A staging directory (a stage's output waiting to be uploaded) counts as used while its
files change; one left behind by a stage that crashed is removed like an old copy. A copy is removed
listing first, so a stage that asks for it meanwhile downloads it again instead of reading half of it.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from curation.run_store import cache_root, listing_file

KINDS = ("runs", "reports", "staging")
MIN_IDLE_S = 3600.0


@dataclass(frozen=True)
class CacheEntry:
    path: Path
    kind: str
    bytes: int
    last_used: float  # seconds since the epoch

    @property
    def listing(self) -> Path:
        return listing_file(self.path)


def cache_entries(root: Path | None = None) -> list[CacheEntry]:
    """Every copy and staging directory under the cache, least recently used first."""
    root = root or cache_root()
    entries = []
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if not path.is_dir() or path.is_symlink():
                continue
            size, newest = _size_and_newest(path)
            listing = listing_file(path)
            used = listing.stat().st_mtime if kind != "staging" and listing.is_file() else newest
            entries.append(CacheEntry(path, kind, size, used))
    return sorted(entries, key=lambda e: (e.last_used, str(e.path)))


def _size_and_newest(path: Path) -> tuple[int, float]:
    size, newest = 0, path.stat().st_mtime
    for folder, _, files in os.walk(path):
        for name in files:
            st = os.lstat(os.path.join(folder, name))
            size += st.st_size
            newest = max(newest, st.st_mtime)
    return size, newest


def plan_prune(
    entries: list[CacheEntry],
    older_than_s: float | None,
    max_bytes: int | None,
    now: float | None = None,
    min_idle_s: float = MIN_IDLE_S,
) -> list[CacheEntry]:
    """The entries to remove: those unused for more than `older_than_s`, then the least recently
    used until the rest total at most `max_bytes`; never one used in the last `min_idle_s`."""
    for value, name in ((older_than_s, "older_than"), (max_bytes, "max_bytes")):
        if value is not None and value < 0:
            raise ValueError(f"{name} must be 0 or more, got {value}")
    now = time.time() if now is None else now
    idle = [e for e in entries if now - e.last_used >= min_idle_s]
    remove = [e for e in idle if older_than_s is not None and now - e.last_used > older_than_s]
    if max_bytes is not None:
        total = sum(e.bytes for e in entries) - sum(e.bytes for e in remove)
        for entry in sorted(idle, key=lambda e: e.last_used):
            if total <= max_bytes:
                break
            if entry not in remove:
                remove.append(entry)
                total -= entry.bytes
    return sorted(remove, key=lambda e: (e.last_used, str(e.path)))


def remove_entry(entry: CacheEntry) -> None:
    entry.listing.unlink(missing_ok=True)  # first: a stage asking for it now fetches it again
    shutil.rmtree(entry.path, ignore_errors=True)
