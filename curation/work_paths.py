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
from collections.abc import Sequence
from pathlib import Path, PurePath

# (root index, path relative to that root; "" for the root itself)
Ref = tuple[int, str]


class OutputDir(str):
    """A directory path that a task writes new files into and reads none of the files of: with an
    object-store work directory the files already there are not downloaded for the task (a stage's
    scratch directory fills up while its tasks run). Anywhere else it is the plain string."""

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
    def __init__(self, file, roots: RootMap, found: set[Ref], outputs: set[Ref]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.roots, self.found, self.outputs = roots, found, outputs

    def persistent_id(self, obj):
        if type(obj) is str:
            kind, text = "s", obj
        elif type(obj) is OutputDir:
            kind, text = "o", str(obj)
        elif isinstance(obj, PurePath):
            kind, text = "p", str(obj)
        else:
            return None
        ref = self.roots.ref(text)
        if ref is None:
            return None
        (self.outputs if kind == "o" else self.found).add(ref)
        return kind, *ref


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, roots: RootMap) -> None:
        super().__init__(file)
        self.roots = roots

    def persistent_load(self, pid):
        kind, *ref = pid
        path = self.roots.path(tuple(ref))
        return Path(path) if kind == "p" else OutputDir(path) if kind == "o" else path


def dumps(obj: object, roots: RootMap, outputs: set[Ref] | None = None) -> tuple[bytes, set[Ref]]:
    """`obj` pickled with every path under `roots` recorded as a reference; and the references
    read from (OutputDir paths go into `outputs` instead, when given)."""
    found: set[Ref] = set()
    buffer = io.BytesIO()
    _Pickler(buffer, roots, found, found if outputs is None else outputs).dump(obj)
    return buffer.getvalue(), found


def loads(data: bytes, roots: RootMap) -> object:
    """The object `dumps` pickled, its paths now under `roots` (the same index, the same relative path)."""
    return _Unpickler(io.BytesIO(data), roots).load()
