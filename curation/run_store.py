"""Run directories at object-store URLs (`s3://bucket/runs/x` with s3fs installed, `gs://` with
gcsfs, any fsspec URL): a stage reads an input run from a local copy of it and writes its output
run into a local staging directory, then uploads it. The stage itself only ever sees local paths.

A run's summary.json says it is finished (every stage writes it last). The upload deletes the
old summary.json first and puts the new one last (curation/mix/object_store.upload_tree), so a
prefix whose upload did not finish has none: `fetched_run` refuses it, naming the URL, and a
rerun of the stage uploads the run whole.

Local copies and staging directories live under CURATION_CACHE (default ~/.cache/curation), one
per URL: an input run is downloaded again only when its objects there (names, sizes, ETags)
differ from the ones copied, so a second stage over the same input, or `curate report` after
it, does not download it twice; `curate cache prune` removes the copies not used lately
(run_cache.py).
Only the local runs are worked on; a cluster whose nodes share no file system passes its tasks'
files through a store with curation/work_store.py instead (docs/scale.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from curation.fileio import atomic_write_text, commit_dir, fresh_tmp_dir
from curation.mix.object_store import check_destination, upload_tree
from curation.readers.base import SourceError
from curation.readers.remote import is_url, url_fs
from curation.report import RunDirError

RUN_MARKER = "summary.json"
RUN_MARKERS = (RUN_MARKER, "sources/")  # what a run's prefix holds, finished or half uploaded
DATA_DIR = "data"  # sources/<name>/data/: the rows; a report needs only the counts and reports
LISTING = ".objects.json"  # beside a local copy (<copy>.objects.json): the objects it was copied from


def listing_file(copy: Path) -> Path:
    """Beside a local copy: the objects it was copied from; its time is the copy's last use."""
    return copy.with_name(copy.name + LISTING)


def cache_root() -> Path:
    return Path(os.environ.get("CURATION_CACHE") or Path.home() / ".cache" / "curation")


def _slot(url: str, kind: str) -> Path:
    """The local directory for `url` (one per URL and kind: "runs", "reports", "staging")."""
    name = PurePosixPath(url.partition("://")[2]).name or "run"
    return cache_root() / kind / f"{name}-{hashlib.sha256(url.encode()).hexdigest()[:16]}"


def fetched_run(run: str | Path, data: bool = True) -> Path:
    """The local run directory of `run`: the path itself, or for a URL a local copy of the finished
    run there (without its sources' data parts when `data` is False: all `curate report` reads).
    RunDirError when the URL holds no finished run; SourceError when it cannot be read."""
    if not is_url(run):
        return Path(run)
    url = str(run).rstrip("/")
    fs, root = url_fs(url)
    root = root.rstrip("/")
    try:
        objects = _listing(fs, root)
    except OSError as exc:
        raise SourceError(f"{url}: cannot list: {exc}") from None
    if RUN_MARKER not in objects:
        raise RunDirError(
            f"{url} is not a finished run: it has no {RUN_MARKER} (not a run directory, or its upload did not finish)"
        )
    wanted = {rel: v for rel, v in objects.items() if data or DATA_DIR not in PurePosixPath(rel).parts[:-1]}
    local = _slot(url, "runs" if data else "reports")
    seen = listing_file(local)
    if local.is_dir() and seen.is_file() and json.loads(seen.read_text()) == wanted:
        os.utime(seen)  # its last use, which `curate cache prune` goes by (run_cache.py)
        return local  # the objects there are the ones copied (names, sizes and ETags)
    tmp = fresh_tmp_dir(local)
    try:
        for rel in sorted(wanted, key=lambda r: r == RUN_MARKER):  # the summary last, as uploaded
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            fs.get_file(f"{root}/{rel}", str(tmp / rel))
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SourceError(f"{url}: download failed: {exc}") from None
    seen.unlink(missing_ok=True)  # a crash from here on leaves a copy that is fetched again
    commit_dir(tmp, local)
    atomic_write_text(seen, json.dumps(wanted, sort_keys=True))
    return local


def _listing(fs, root: str) -> dict[str, list]:
    """Relative path -> [size, version tag] of every object under `root`: the ETag where the store
    gives one (S3), else its hash or modification time, so a replaced object shows as changed."""
    if not fs.isdir(root):
        return {}
    out = {}
    for path, info in fs.find(root, detail=True).items():
        tag = info.get("ETag") or info.get("etag") or info.get("md5Hash") or info.get("LastModified") or info.get("mtime")
        out[PurePosixPath(path).relative_to(root).as_posix()] = [info.get("size"), str(tag or "")]
    return out


@contextmanager
def run_output(out: str | Path, start_from_existing: bool = False) -> Iterator[Path]:
    """Where a stage writes its output run: `out` itself when it is a path; for a URL, a local
    staging directory, uploaded to the URL (summary.json last) when the block ends without an
    error. The destination is checked first, so a wrong URL fails before any work.
    `start_from_existing`: the staging directory starts as a copy of the finished run at the URL,
    if there is one (`curate ingest` adds a source to a run)."""
    if not is_url(out):
        yield Path(out)
        return
    url = str(out).rstrip("/")
    before = check_destination(url, RUN_MARKERS)
    staging = _slot(url, "staging")
    shutil.rmtree(staging, ignore_errors=True)
    if start_from_existing and RUN_MARKER in before:
        shutil.copytree(fetched_run(url), staging)
    try:
        yield staging
        upload_tree(staging, url, RUN_MARKER, RUN_MARKERS, "run")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish_run(run: Path, out: str | Path) -> str:
    """Write a copy of the finished run directory `run` (symbolic links followed: the flows' runs
    link their sources) to `out`, a directory (replaced only when it is empty or a run) or a URL
    (uploaded, summary.json last). Returns `out` as given, normalised."""
    if not (Path(run) / RUN_MARKER).is_file():
        raise RunDirError(f"{run} is not a finished run: it has no {RUN_MARKER}")
    if is_url(out):
        with run_output(out) as staging:  # run_output checks the destination first
            shutil.copytree(run, staging, symlinks=False)
        return str(out).rstrip("/")
    check_run_destination(out)
    dest = Path(out)
    tmp = fresh_tmp_dir(dest)
    tmp.rmdir()  # copytree makes it
    shutil.copytree(run, tmp, symlinks=False)
    commit_dir(tmp, dest)
    return str(dest)


def check_run_destination(out: str | Path) -> None:
    """A run may be written to `out`: a URL whose file system is installed, reachable and writable,
    holding nothing or a run; a path that is not a file, and empty or a run. ValueError /
    SourceError naming it otherwise: a flow calls this first, so a wrong `out` fails before any work."""
    if is_url(out):
        check_destination(str(out).rstrip("/"), RUN_MARKERS)
        return
    dest = Path(out)
    if dest.is_file() or (dest.is_dir() and any(dest.iterdir()) and not (dest / RUN_MARKER).is_file()):
        raise ValueError(f"refusing to replace {dest}: it is not empty and not a run directory")
