"""Paths under a set of local root directories, rewritten to the same relative paths under other
roots wherever they sit in a picklable object (a task's arguments or result, at any depth: tuples,
lists, dicts, dataclasses, functools.partial, pydantic models).

Used by the object-store work directory (work_store.py): a task's arguments name files under the
driver's work directory, and the task runs on a node where those files sit under a private
directory of its own. The rewrite happens while pickling (`persistent_id` is asked about every
object, strings and paths included), so no walker has to know every type that may hold a path.
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath

# (root index, path relative to that root; "" for the root itself)
Ref = tuple[int, str]


class OutputDir(str):
    """A directory path that a task writes new files into and reads none of the files of: with an
    object-store work directory the files already there are not downloaded for the task (a stage's
    scratch directory fills up while its tasks run). Anywhere else it is the plain string."""

    __slots__ = ()


class RangedFile(str):
    """A file path that a task reads parts of, by byte ranges (work_store_task.open_ranged,
    read_ranges): with an object-store work directory the file is uploaded but not downloaded for
    the task, which reads those ranges from the store's object (a shard writer its slice of a
    range's sorted file, a verification task its rows' texts; downloading the files whole moved a
    range once per shard and most row files once per task). Anywhere else it is the plain string."""

    __slots__ = ()


class RootMap:
    """Absolute local directories (the longest first wins where one holds another)."""

    def __init__(self, roots: Sequence[str | os.PathLike]) -> None:
        self.roots = [os.path.abspath(r).rstrip("/") or "/" for r in roots]
        self._order = sorted(range(len(self.roots)), key=lambda i: -len(self.roots[i]))

    def ref(self, path: str) -> Ref | None:
        """Where `path` (an absolute path) lies: (root index, relative path), or None outside every root."""
        if not path.startswith("/"):
            return None
        for i in self._order:
            root = self.roots[i]
            if path == root:
                return i, ""
            if path.startswith(root + "/"):
                return i, path[len(root) + 1 :].rstrip("/")
        return None

    def path(self, ref: Ref) -> str:
        i, rel = ref
        return os.path.join(self.roots[i], rel) if rel else self.roots[i]


class _Pickler(pickle.Pickler):
    def __init__(self, file, roots: RootMap, found: set[Ref], outputs: set[Ref], ranged: set[Ref]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.roots, self.sets = roots, {"o": outputs, "r": ranged}
        self.found = found

    def persistent_id(self, obj):
        if type(obj) is str:
            kind, text = "s", obj
        elif type(obj) is OutputDir:
            kind, text = "o", str(obj)
        elif type(obj) is RangedFile:
            kind, text = "r", str(obj)
        elif isinstance(obj, PurePath):
            kind, text = "p", str(obj)
        else:
            return None
        ref = self.roots.ref(text)
        if ref is None:
            return None
        self.sets.get(kind, self.found).add(ref)
        return kind, *ref


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, roots: RootMap, ranged: Callable[[Ref], str] | None) -> None:
        super().__init__(file)
        self.roots, self.ranged = roots, ranged

    def persistent_load(self, pid):
        kind, *ref = pid
        if kind == "r" and self.ranged is not None:
            return RangedFile(self.ranged(tuple(ref)))
        path = self.roots.path(tuple(ref))
        kinds = {"p": Path, "o": OutputDir, "r": RangedFile}
        return kinds[kind](path) if kind in kinds else path


def dumps(
    obj: object, roots: RootMap, outputs: set[Ref] | None = None, ranged: set[Ref] | None = None
) -> tuple[bytes, set[Ref]]:
    """`obj` pickled with every path under `roots` recorded as a reference; and the references
    read from (OutputDir paths go into `outputs` instead, RangedFile paths into `ranged`, when given)."""
    found: set[Ref] = set()
    buffer = io.BytesIO()
    _Pickler(
        buffer, roots, found, found if outputs is None else outputs, found if ranged is None else ranged
    ).dump(obj)
    return buffer.getvalue(), found


def loads(data: bytes, roots: RootMap, ranged: Callable[[Ref], str] | None = None) -> object:
    """The object `dumps` pickled, its paths now under `roots` (the same index, the same relative
    path); RangedFile paths where `ranged` says, when given (a task reads them from the store)."""
    return _Unpickler(io.BytesIO(data), roots, ranged).load()
