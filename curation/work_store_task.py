"""One partition task on a node that shares no file system with the driver (work_store.py): the
task runs in a private directory of its own, its inputs downloaded from the store, and everything
it writes uploaded back.

The private directory holds one subdirectory per mirrored root, so the task sees the driver's
layout (the same relative paths; its arguments' paths rewritten to it, work_paths.py) and the
code it runs cannot tell it from the driver's disk. The directory is removed when the task ends:
a node keeps nothing between tasks, so a task rerun on another node (a lost worker) does the same.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from curation.work_paths import Ref, RootMap, dumps, loads

Stat = tuple[int, int]  # (size, mtime_ns): a file changed when either did


@dataclass(frozen=True)
class Store:
    """Where the mirrored roots' files live in the object store: root i's file REL at
    `URL/<tags[i]>/REL`. `options`: the fsspec file system's options (its endpoint)."""

    url: str
    tags: tuple[str, ...]
    roots: tuple[str, ...]  # the driver's directories (where the task's paths are shown as)
    options: dict = field(default_factory=dict, hash=False, compare=False)

    def fs(self):
        import fsspec

        protocol = self.url.split("://", 1)[0]
        # A local directory as the store (a test's, an NFS path's URL) makes parent folders, as an
        # object store needs none.
        extra = {"auto_mkdir": True} if protocol in ("file", "local") else {}
        return fsspec.filesystem(protocol, **{**self.options, **extra})

    def key(self, ref: Ref) -> str:
        """The object's path (without the scheme, as the file system's methods take it)."""
        i, rel = ref
        base = self.url.split("://", 1)[1].rstrip("/")
        return f"{base}/{self.tags[i]}/{rel}" if rel else f"{base}/{self.tags[i]}"

    def object_url(self, ref: Ref) -> str:
        return f"{self.url.split('://', 1)[0]}://{self.key(ref)}"


@dataclass(frozen=True)
class TaskFiles:
    """What a task needs before it runs: the files to download and the directories to make
    (directories the driver has, empty ones included: a task may write into one)."""

    fetch: tuple[Ref, ...]
    dirs: tuple[Ref, ...]


@dataclass(frozen=True)
class TaskOutcome:
    """What a task did: its result (pickled against its roots), the files it wrote or changed
    (uploaded), the files it removed and the directories it made."""

    result: bytes
    written: tuple[Ref, ...]
    removed: tuple[Ref, ...]
    made: tuple[Ref, ...]
    ranged_bytes: int = 0  # read from the store's objects by byte ranges (open_ranged)


def walk(roots: RootMap, ref: Ref) -> tuple[dict[Ref, Stat], set[Ref]]:
    """Every file (with its size and mtime) and directory under the directory `ref`, symbolic
    links followed (a run links its sources: a task reads the files through the links)."""
    i, _ = ref
    root = roots.roots[i]
    files: dict[Ref, Stat] = {}
    dirs: set[Ref] = set()
    for top, _, names in os.walk(roots.path(ref), followlinks=True):
        rel_top = os.path.relpath(top, root)
        rel_top = "" if rel_top == "." else rel_top
        dirs.add((i, rel_top))
        for name in names:
            st = os.stat(os.path.join(top, name))
            files[(i, os.path.join(rel_top, name) if rel_top else name)] = (st.st_size, st.st_mtime_ns)
    return files, dirs


def scan(roots: RootMap) -> tuple[dict[Ref, Stat], set[Ref]]:
    """walk() over every root."""
    files: dict[Ref, Stat] = {}
    dirs: set[Ref] = set()
    for i in range(len(roots.roots)):
        f, d = walk(roots, (i, ""))
        files.update(f)
        dirs |= d
    return files, dirs


# While a task runs here: its private roots and the driver's (the same order), and its store.
_RUNNING: tuple[RootMap, RootMap] | None = None
_STORE: Store | None = None
# Bytes read from the store's objects by byte ranges in this process (a task's share is reported).
_RANGED_READ = [0]


class _CountedReads:
    """A file object that counts the bytes read through it (what a task fetched by ranges)."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        _RANGED_READ[0] += len(data)
        return data

    def __getattr__(self, name):
        return getattr(self.inner, name)


def in_store(path: str) -> bool:
    """Whether `path` is an object of the store of the task running here (a RangedFile's, rewritten)."""
    return _STORE is not None and str(path).startswith(_STORE.url.rstrip("/") + "/")


def _object_key(path: str) -> str:
    return _STORE.url.split("://", 1)[1].rstrip("/") + "/" + str(path)[len(_STORE.url.rstrip("/")) + 1 :]


def open_ranged(path: str):
    """A file read at any offset (a pyarrow NativeFile): a path on this disk memory-mapped (only
    the pages read are paged in); in a task whose work directory goes through a store, the store's
    object of a RangedFile (work_paths.py), of which only what is read is fetched."""
    import pyarrow as pa

    if not in_store(path):
        return pa.memory_map(str(path), "r")
    # no read-ahead: each read fetches what it asks for (the footer, a batch's metadata, its body),
    # and what is counted is what was fetched
    handle = _STORE.fs().open(_object_key(path), "rb", cache_type="none")
    return pa.PythonFile(_CountedReads(handle), mode="r")


# Ranges of one object less than this far apart are fetched in one request: a request's latency
# costs about as much as this many bytes of bandwidth, and a verification task's rows often lie close.
MERGE_GAP = 1 << 20


def read_ranges(paths: list[str], starts, ends) -> list[bytes]:
    """Bytes [start, end) of each path (objects of the running task's store, in_store), fetched at
    once: ranges of an object closer than MERGE_GAP in one request, the requests concurrently where
    the file system can (s3fs, gcsfs)."""
    import numpy as np

    if not len(paths):
        return []
    starts, ends = np.asarray(starts, np.int64), np.asarray(ends, np.int64)
    names, which = np.unique([_object_key(p) for p in paths], return_inverse=True)
    order = np.lexsort((starts, which))  # by object, then start
    obj, lo, hi = which[order], starts[order], ends[order]
    # how far each object's ranges reach so far (a running maximum, each object lifted past the one
    # before so that it starts afresh)
    lift = obj.astype(np.int64) << 50
    reach = np.maximum.accumulate(hi + lift) - lift
    new = np.ones(len(order), bool)
    new[1:] = (obj[1:] != obj[:-1]) | (lo[1:] - reach[:-1] > MERGE_GAP)
    firsts = np.flatnonzero(new)
    block = np.cumsum(new) - 1
    block_lo, block_hi = lo[firsts], np.maximum.reduceat(hi, firsts)
    fetch = np.flatnonzero(block_hi > block_lo)  # an empty range asks for nothing (S3 would send it all)
    data = [b""] * len(firsts)
    if fetch.size:
        got = _STORE.fs().cat_ranges(
            [str(names[obj[firsts[b]]]) for b in fetch],
            block_lo[fetch].tolist(),
            block_hi[fetch].tolist(),
            on_error="raise",
        )
        for b, piece in zip(fetch, got, strict=True):
            data[b] = piece
        _RANGED_READ[0] += sum(len(piece) for piece in got)
    out: list[bytes] = [b""] * len(order)
    for i, row in enumerate(order):
        b = block[i]
        out[row] = data[b][lo[i] - block_lo[b] : hi[i] - block_lo[b]]
    return out


def driver_path(path: str) -> str:
    """`path` as the driver names it: a task that records a path in what it writes (the input file
    of a drop report) records the driver's, not its private directory's. Unchanged outside a task."""
    if _RUNNING is None:
        return path
    private, driver = _RUNNING
    ref = private.ref(path)
    return path if ref is None else driver.path(ref)


def scratch_root() -> str:
    """Where tasks make their private directories: CURATION_TASK_DIR, else the system's temporary
    directory (a node's local disk)."""
    return os.environ.get("CURATION_TASK_DIR") or tempfile.gettempdir()


def run_task(fn: Callable, store: Store, payload: bytes, files: TaskFiles) -> TaskOutcome:
    """Run fn(*item) (`payload`: the item, pickled by work_paths.dumps against the driver's roots)
    in a private directory holding `files`; upload what it writes and report it."""
    global _RUNNING, _STORE
    private = tempfile.mkdtemp(prefix="curation-task-", dir=scratch_root())
    read_before = _RANGED_READ[0]
    try:
        roots = RootMap([os.path.join(private, f"r{i}") for i in range(len(store.tags))])
        _RUNNING, _STORE = (roots, RootMap(store.roots)), store
        fs = store.fs()
        for ref in files.dirs:
            os.makedirs(roots.path(ref), exist_ok=True)
        for root in roots.roots:
            os.makedirs(root, exist_ok=True)
        if files.fetch:
            local = [roots.path(ref) for ref in files.fetch]
            for path in local:
                os.makedirs(os.path.dirname(path), exist_ok=True)
            fs.get([store.key(ref) for ref in files.fetch], local)
        before, dirs_before = scan(roots)
        result = fn(*loads(payload, roots, store.object_url))
        after, dirs_after = scan(roots)
        written = sorted(ref for ref, st in after.items() if before.get(ref) != st)
        if written:
            fs.put([roots.path(ref) for ref in written], [store.key(ref) for ref in written])
        data, _ = dumps(result, roots)
        return TaskOutcome(
            data,
            tuple(written),
            tuple(sorted(set(before) - set(after))),
            tuple(sorted(dirs_after - dirs_before)),
            _RANGED_READ[0] - read_before,
        )
    finally:
        _RUNNING, _STORE = None, None
        shutil.rmtree(private, ignore_errors=True)
