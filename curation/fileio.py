"""Writes that never leave a half-written file that looks complete.

Everything is written to a temporary name in the same directory and renamed into place:
a crash leaves at most a `.tmp-*` file or directory, which a rerun removes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TMP_PREFIX = ".tmp-"


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}")
    tmp.write_text(text)
    os.replace(tmp, path)


def fresh_tmp_dir(final: Path) -> Path:
    """An empty temporary directory beside `final`, to be renamed onto it by commit_dir."""
    tmp = final.with_name(f"{TMP_PREFIX}{final.name}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    return tmp


def commit_dir(tmp: Path, final: Path) -> None:
    """Replace `final` with the finished `tmp` directory (the old one is removed first)."""
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)


@contextmanager
def scratch_dir(path: Path) -> Iterator[Path]:
    """An empty directory at `path` (a leftover of a crashed run is cleared) for a stage's
    intermediate files, removed when the block ends, whether it succeeds or fails."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
