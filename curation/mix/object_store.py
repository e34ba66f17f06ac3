"""A mix on an object store (`s3://bucket/mixes/x` with s3fs installed, `gs://` with gcsfs, any
fsspec URL): the build writes the mix into a local staging directory, as it does for a local
output, then uploads it here.

An object store has no directory rename, so the "looks complete" signal is the lock: every
upload of a mix first deletes the old mix.lock.json, then puts every other file (each object
appears whole or not at all: a PUT, or a multipart upload that is completed, is atomic), then
deletes objects of the old mix that the new one does not have, checks every object's size, and
puts mix.lock.json last. A crash halfway leaves a prefix without a lock: `curate mix show` and
`regenerate` refuse it, and a rerun of the build uploads the whole mix again. The shards'
sha256s in the lock are what `curate mix regenerate` checks, here as on a local disk.

`datasets.load_from_disk("s3://bucket/mixes/x")` opens the result (datasets reads through fsspec).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from curation.readers.base import SourceError
from curation.readers.remote import is_url, url_fs

LOCK_FILE = "mix.lock.json"
PROBE = ".curation-write-check"  # written and removed before a build, to know the upload can succeed


def join_url(url: str, *names: str) -> str:
    """`url` with path components appended (one slash between them)."""
    return "/".join([url.rstrip("/"), *names])


def url_parent(url: str) -> str:
    scheme, _, path = url.partition("://")
    return f"{scheme}://{PurePosixPath(path.rstrip('/')).parent}"


def url_name(url: str) -> str:
    return PurePosixPath(url.partition("://")[2].rstrip("/")).name


def read_url_bytes(url: str) -> bytes:
    """The bytes of the object at `url`; FileNotFoundError when there is none."""
    fs, path = url_fs(url)
    if not fs.isfile(path):
        raise FileNotFoundError(url)
    with fs.open(path, "rb") as fh:
        return fh.read()


def list_objects(url: str) -> list[str]:
    """Paths relative to `url` of every object under it (sorted; empty when there is none)."""
    fs, root = url_fs(url)
    root = root.rstrip("/")
    if not fs.isdir(root):
        return []
    return sorted(PurePosixPath(p).relative_to(root).as_posix() for p in fs.find(root))


def check_destination(url: str, markers: tuple[str, ...]) -> list[str]:
    """The objects under `url` (relative paths), after checking that the URL's file system is
    installed and reachable and that a mix (or run) may replace what is there: SourceError /
    ValueError naming the URL otherwise. The build calls it first, so a wrong URL fails before any
    work."""
    if not is_url(url):
        raise ValueError(f"{url}: not an object store URL")
    try:
        before = list_objects(url)
    except OSError as exc:
        raise SourceError(f"{url}: cannot list the destination: {exc}") from None
    # a marker ending in "/" is a folder: any object under it counts
    if before and not any(m in before or (m.endswith("/") and any(b.startswith(m) for b in before)) for m in markers):
        raise ValueError(f"refusing to replace {url}: it is not empty and holds none of {', '.join(markers)}")
    check_writable(url)
    return before


def check_writable(url: str) -> None:
    """Write and remove a probe object under `url`: a missing bucket or read-only credentials fail
    here (SourceError naming the URL), before hours of curation."""
    fs, root = url_fs(url)
    probe = f"{root.rstrip('/')}/{PROBE}"
    try:
        fs.pipe_file(probe, b"")
        fs.rm_file(probe)
    except OSError as exc:
        raise SourceError(f"{url}: cannot write there: {exc}") from None


def upload_mix(local: Path, url: str, markers: tuple[str, ...]) -> list[str]:
    """Upload the finished mix directory `local` to `url` (protocol above); return the uploaded
    relative paths. Refuses a non-empty destination that holds none of `markers` (files only a
    mix or dataset output has), as a local output directory does."""
    return upload_tree(local, url, LOCK_FILE, markers, "mix")


def upload_tree(local: Path, url: str, last: str, markers: tuple[str, ...], what: str) -> list[str]:
    """Upload the finished directory `local` to `url` with the protocol above, `last` (the file that
    says "complete": a mix's lock, a run's summary.json) in the lock's place; return the uploaded
    relative paths. `what` names the thing in errors."""
    before = check_destination(url, markers)
    fs, root = url_fs(url)
    root = root.rstrip("/")
    files = sorted(p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file())
    if last not in files:
        raise ValueError(f"{local}: no {last}; only a finished {what} is uploaded")
    try:
        if last in before:
            fs.rm_file(f"{root}/{last}")  # from here on the old one no longer looks complete
        body = [f for f in files if f != last]
        for rel in body:
            fs.put_file(str(local / rel), f"{root}/{rel}")
        stale = sorted(set(before) - set(files))
        if stale:
            fs.rm([f"{root}/{rel}" for rel in stale])
        for rel in body:  # what a reader will find is what was staged, before `last` says so
            size = fs.info(f"{root}/{rel}")["size"]
            if size != (local / rel).stat().st_size:
                raise OSError(f"{join_url(url, rel)} holds {size} bytes after the upload, {(local / rel).stat().st_size} were sent")
        fs.put_file(str(local / last), f"{root}/{last}")
    except OSError as exc:
        raise SourceError(
            f"{url}: upload failed ({exc}); the {what} there has no {last}, so nothing takes it for complete. "
            "Run it again"
        ) from None
    return files
