"""A cluster run whose nodes share no file system: the work directory travels through an object
store (`s3://bucket/prefix` with s3fs, `gs://` with gcsfs, any fsspec URL), for the Ray clusters
that have no ReadWriteMany volume (many Kubernetes ones).

The process that runs the flow or `curate mix build` (the driver) keeps the work directory on its
own disk, as it does without a store, and stays the only place where stages plan, merge and
commit: renames stay local and atomic, and a rerun finds the work where it was. Only what a Ray
task reads and writes goes through the store:

- before a map, the driver finds every path under its mirrored directories in the tasks'
  arguments (at any depth, while pickling them: work_paths.py), uploads the files they name (a
  directory: every file under it) that the store does not hold as they are now, and gives each
  task the list of what to download;
- each task runs in a private directory of its node with its inputs downloaded and its
  arguments' paths rewritten there, and uploads every file it writes (work_store_task.py);
- after the map, the driver downloads what the tasks wrote, removes what they removed, and
  gets their results with the paths rewritten back.

The tasks run the same code on the same bytes, so the output is the same bytes as on one disk
(tests/test_flows_ray.py builds the demo mix through moto's S3 server). The cost: every byte a task
reads is downloaded by the task, every byte it writes is uploaded by it and downloaded by the
driver, whose disk holds the whole work directory (docs/scale.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from curation.fileio import TMP_PREFIX
from curation.mix.object_store import check_writable
from curation.readers.remote import is_url, url_fs
from curation.work_paths import Ref, RootMap, dumps, loads
from curation.work_store_task import Stat, Store, TaskFiles, TaskOutcome, run_task, walk

JOURNAL_DIR = ".work-store"  # in the work directory: what the store holds (WorkStore._record)

# The store in use by this process's Ray maps (set by `mirrored`), None when the work directory is
# a file system every node sees.
_ACTIVE: WorkStore | None = None


def active() -> WorkStore | None:
    return _ACTIVE


@contextmanager
def mirrored(url: str | None, roots: Sequence[str | os.PathLike]) -> Iterator[WorkStore | None]:
    """Inside the block, every Ray map of this process (every thread: the flow's tasks run in
    threads) passes the files under `roots` through the store at `url`; None: nothing changes.
    The URL is checked first (installed, reachable, writable), so a wrong one fails before any work."""
    global _ACTIVE
    if url is None:
        yield None
        return
    store = WorkStore(url, roots)
    before, _ACTIVE = _ACTIVE, store
    try:
        yield store
    finally:
        _ACTIVE = before
    store.tidy()


def run_roots(work: str | os.PathLike, out: str | os.PathLike) -> list[Path]:
    """The directories a mix build's tasks write in: the work directory, and for a local `out` the
    folder it is staged and committed in (its parent; a URL `out` is staged in the work directory)."""
    roots = [Path(work).absolute()]
    if not is_url(out):
        roots.append(Path(out).absolute().parent)
    return roots


def _tag(root: str) -> str:
    """A root's folder in the store: its name and a hash of its path (two roots never share one)."""
    return f"{Path(root).name or 'root'}-{hashlib.sha256(root.encode()).hexdigest()[:12]}"


def check_store(url: str) -> None:
    """SourceError / ValueError naming `url` unless it is an object store URL this process can write."""
    if not is_url(url):
        raise ValueError(f"work store {url!r} must be an object store URL such as s3://bucket/prefix")
    check_writable(url)


class WorkStore:
    """The driver's side: what the store holds of its roots, uploads before a map, downloads after."""

    def __init__(self, url: str, roots: Sequence[str | os.PathLike]) -> None:
        url = url.strip().rstrip("/")
        check_store(url)
        self.url = url
        self.roots = RootMap(roots)
        fs, _ = url_fs(url)
        # The workers build the same file system from these (its endpoint among them); credentials
        # come from each node's environment (an instance role, a service account's, AWS_* variables).
        self.store = Store(url, tuple(_tag(r) for r in self.roots.roots), tuple(self.roots.roots), dict(fs.storage_options))
        self._fs = self.store.fs()
        self._lock = threading.Lock()
        self._held: dict[Ref, Stat] | None = None  # what the store holds: the local stat it was copied at
        # Bytes moved (benchmarks/scale/work_store.py): put and got by this process, got by tasks.
        self.traffic = {"uploaded": 0, "downloaded": 0, "task_downloads": 0}
        # The journal of what the store holds, in the work directory (the first root): a rerun after a
        # crash uploads only what changed since.
        self._journal = Path(self.roots.roots[0]) / JOURNAL_DIR / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}.jsonl"

    def map(self, fn: Callable, items: Sequence[tuple], run: Callable[[list[tuple]], list[TaskOutcome]]) -> list[Any]:
        """fn(*item) for every item, by `run` (which calls run_task(*call) for every call, on the
        cluster, and returns the outcomes in order); the results in item order."""
        calls, cache, ranged = [], {}, set()
        for item in items:
            outputs: set[Ref] = set()
            payload, refs = dumps(tuple(item), self.roots, outputs, ranged)
            calls.append((fn, self.store, payload, self._task_files(refs, outputs - refs, cache)))
        # a RangedFile is read from the store by the task (work_paths.py): uploaded, not fetched
        missing = sorted(self.roots.path(r) for r in ranged if not os.path.isfile(self.roots.path(r)))
        if missing:
            raise FileNotFoundError(f"a task reads {missing[0]} by byte ranges, and it is not a file")
        held = self._upload({ref for *_, files in calls for ref in files.fetch} | ranged)
        self.traffic["task_downloads"] += sum(held[r][0] for *_, files in calls for r in files.fetch)
        outcomes = run(calls)
        self.traffic["task_downloads"] += sum(o.ranged_bytes for o in outcomes)
        self._take(outcomes)
        return [loads(o.result, self.roots) for o in outcomes]

    def _task_files(self, refs: set[Ref], outputs: set[Ref], cache: dict) -> TaskFiles:
        """What a task downloads for the paths it reads (`refs`), and the directories it writes
        into (`outputs`, work_paths.OutputDir: made, nothing in them downloaded)."""
        fetch: set[Ref] = set()
        dirs: set[Ref] = set()
        for ref in outputs:  # its directories (a task writes into their subdirectories), no file
            dirs |= walk(self.roots, ref)[1] if os.path.isdir(self.roots.path(ref)) else {self._parent(ref)} - {None}
        for ref in refs:
            if ref not in cache:
                cache[ref] = self._needed(ref)
            f, d = cache[ref]
            fetch |= f
            dirs |= d
        return TaskFiles(tuple(sorted(fetch)), tuple(sorted(dirs)))

    def _needed(self, ref: Ref) -> tuple[set[Ref], set[Ref]]:
        """The files a task naming `ref` downloads and the directories it makes: the file; a
        directory's every file and directory; for a path not there yet, its parent directory."""
        path = self.roots.path(ref)
        if os.path.isfile(path):
            return {ref}, set()
        if os.path.isdir(path):
            files, dirs = walk(self.roots, ref)
            return set(files), dirs
        return set(), {self._parent(ref)} - {None}

    def _parent(self, ref: Ref) -> Ref | None:
        """The directory holding `ref` where this disk has it (a task writes `ref` into it)."""
        i, rel = ref
        parent = (i, os.path.dirname(rel))
        return parent if os.path.isdir(self.roots.path(parent)) else None

    def _upload(self, refs: set[Ref]) -> dict[Ref, Stat]:
        """Put every file of `refs` the store does not hold as it is on this disk now; returns what
        the store holds (each of `refs` among it)."""
        with self._lock:
            held = self._holdings()
            now = {ref: _stat(self.roots.path(ref)) for ref in refs}
            stale = {ref: stat for ref, stat in sorted(now.items()) if held.get(ref) != stat}
            if stale:
                self._fs.put([self.roots.path(r) for r in stale], [self.store.key(r) for r in stale])
                self.traffic["uploaded"] += sum(stat[0] for stat in stale.values())
                self._record(held, stale)
            return held

    def _take(self, outcomes: list[TaskOutcome]) -> None:
        """Bring the tasks' writes, removals and new directories onto this disk."""
        written = sorted({ref for o in outcomes for ref in o.written})
        with self._lock:
            held = self._holdings()
            for ref in sorted({ref for o in outcomes for ref in o.made}):
                os.makedirs(self.roots.path(ref), exist_ok=True)
            if written:
                local = [self.roots.path(r) for r in written]
                # each under a temporary name, renamed when all are here: a crash mid-way leaves no
                # file cut short under the name of a finished one
                partial = [os.path.join(os.path.dirname(p), f"{TMP_PREFIX}dl-{os.path.basename(p)}") for p in local]
                for path in local:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                self._fs.get([self.store.key(r) for r in written], partial)
                for tmp, path in zip(partial, local, strict=True):
                    os.replace(tmp, path)
                got = {r: _stat(p) for r, p in zip(written, local, strict=True)}
                self.traffic["downloaded"] += sum(stat[0] for stat in got.values())
                self._record(held, got)
            removed = sorted({ref for o in outcomes for ref in o.removed} - set(written))
            for ref in removed:
                Path(self.roots.path(ref)).unlink(missing_ok=True)
            if removed:
                self._fs.rm([self.store.key(r) for r in removed])
                self._record(held, dict.fromkeys(removed))

    def tidy(self) -> None:
        """Remove the objects whose file this disk no longer has (scratch directories the stages
        removed, temporary ones they renamed): the store keeps only what a rerun could use."""
        with self._lock:
            held = self._holdings()
            gone = [ref for ref in held if not os.path.isfile(self.roots.path(ref))]
            if gone:
                self._fs.rm([self.store.key(r) for r in gone])
                self._record(held, dict.fromkeys(gone))

    def _record(self, held: dict[Ref, Stat], changes: dict[Ref, Stat | None]) -> None:
        """Note what the store now holds (None: nothing), in memory and in the journal."""
        for ref, stat in changes.items():
            if stat is None:
                held.pop(ref, None)
            else:
                held[ref] = stat
        self._journal.parent.mkdir(parents=True, exist_ok=True)
        with self._journal.open("a") as fh:
            fh.writelines(json.dumps([self.roots.roots[i], rel, stat]) + "\n" for (i, rel), stat in changes.items())

    def _holdings(self) -> dict[Ref, Stat]:
        """What the store holds of the roots, as the local stat each file was copied at: the journal
        of earlier maps (this process's or a crashed one's), kept where the store has the object at
        that size (one listing per process)."""
        if self._held is not None:
            return self._held
        noted: dict[Ref, Stat] = {}
        if self._journal.is_file():
            index = {root: i for i, root in enumerate(self.roots.roots)}
            for line in self._journal.read_text().splitlines():
                try:
                    root, rel, stat = json.loads(line)
                except ValueError:  # a line cut short by a crash
                    continue
                if root in index:
                    noted[(index[root], rel)] = tuple(stat) if stat else None
        self._held = {}
        for i in range(len(self.roots.roots)):
            base = self.store.key((i, ""))
            if self._fs.isdir(base):
                for key, info in self._fs.find(base, detail=True).items():
                    ref = (i, key[len(base) + 1 :])
                    if noted.get(ref) and info.get("size") == noted[ref][0]:
                        self._held[ref] = noted[ref]
        return self._held


def _stat(path: str) -> Stat | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns


__all__ = ["WorkStore", "active", "check_store", "mirrored", "run_roots", "run_task"]
