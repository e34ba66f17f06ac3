"""Input files on an object store or any other fsspec file system: `s3://bucket/prefix/*.jsonl.gz`,
`gs://...`, `az://...`, `memory://...` (any URL with a scheme; the protocol's package must be
installed: s3fs for s3://, gcsfs for gs://).

A URL names a file, a "directory" (every data file under it, recursively) or a glob, as a local
path does (discover.py), with the same rules: sorted order, hidden names skipped, formats from
the extension. Each file is copied to a local temporary file before it is read, so every reader
(seekable Parquet / Arrow, compressed JSONL) works unchanged; ingest copies one file per task,
so a cluster fetches in parallel. Drop rows and the lock name the URL, never the local copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from curation.readers.base import SourceError

_CHUNK = 1 << 20


def is_url(text: str | os.PathLike | None) -> bool:
    """A `scheme://...` location (not a local path, not `hf:`)."""
    if text is None:
        return False
    scheme, sep, _ = str(text).partition("://")
    return bool(sep) and scheme.isidentifier()


def url_fs(url: str):
    import fsspec

    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:
        scheme = url.split("://", 1)[0]
        raise SourceError(f"{url}: {scheme}:// needs its fsspec package installed ({exc})") from None
    except ValueError as exc:
        raise SourceError(f"{url}: {exc}") from None


def list_urls(url: str, format_override: str | None) -> list[str]:
    """The data files a URL names, in read order (full URLs); SourceError when there are none."""
    from curation.readers.discover import EXTENSIONS, detect

    fs, root = url_fs(url)
    protocol = url.split("://", 1)[0]
    try:
        if any(c in root for c in "*?["):
            found = [p for p in fs.glob(root) if fs.isfile(p)]
            if not found:
                raise SourceError(f"{url}: no file matches this pattern")
        elif fs.isdir(root):
            found = fs.find(root)
        elif fs.isfile(root):
            if detect(Path(PurePosixPath(root).name), format_override) is None:
                raise SourceError(f"{url}: cannot tell the format from the file name; set the location's format")
            return [url]
        else:
            raise SourceError(f"{url}: no such file or directory")
    except OSError as exc:
        raise SourceError(f"{url}: cannot list: {exc}") from None
    files = sorted(
        p for p in found
        if not any(part.startswith(".") for part in PurePosixPath(p).parts[1:])
        and detect(Path(PurePosixPath(p).name), None) is not None
    )
    if not files:
        raise SourceError(f"{url}: no readable data files (known extensions: {', '.join(EXTENSIONS)})")
    return [f"{protocol}://{p.split('://', 1)[-1]}" for p in files]


@contextmanager
def local_copy(url: str) -> Iterator[Path]:
    """The file at `url` copied to a local temporary file (same name), removed afterwards."""
    fs, path = url_fs(url)
    directory = Path(tempfile.mkdtemp(prefix="curation-fetch-"))
    local = directory / PurePosixPath(path).name
    try:
        try:
            with fs.open(path, "rb") as src, open(local, "wb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
        except OSError as exc:
            raise SourceError(f"{url}: cannot read: {exc}") from None
        yield local
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def sha256_url(url: str) -> tuple[str, int]:
    """(hex sha256, size in bytes) of the file at `url`, streamed in 1 MiB chunks."""
    fs, path = url_fs(url)
    digest = hashlib.sha256()
    size = 0
    with fs.open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
