"""Resolve a local Location to the ordered list of files to read.

A path is a file, a directory (walked recursively) or a glob. Files are taken in
sorted path order so that every run reads rows in the same order. Hidden files and
directories (a leading dot) are skipped. A Hugging Face `save_to_disk` directory is
read through its `state.json` (its data-*.arrow files, not its metadata), and a
DatasetDict directory through the sub-directory of the location's split.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass
from pathlib import Path

from curation.readers.base import SourceError
from curation.readers.compression import split_codec
from curation.readers.location import Location
from curation.readers.pieces import FilePiece

# File extension (after any .gz / .zst) -> format.
EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",  # Feather v2 is the Arrow IPC file format
    ".csv": "csv",
    ".txt": "txt",
}


@dataclass(frozen=True)
class SourceFile:
    """One file to read: its path, its format and its compression codec (or None); `piece`:
    only that piece of it (pieces.py; None: the whole file)."""

    path: Path
    format: str
    codec: str | None
    piece: FilePiece | None = None


def detect(path: Path, format_override: str | None) -> SourceFile | None:
    """The file's format from its extension (or the override); None when unknown."""
    stem, codec = split_codec(path.name)
    fmt = format_override or EXTENSIONS.get(Path(stem).suffix.lower())
    return SourceFile(path, fmt, codec) if fmt else None


def discover(location: Location) -> list[SourceFile]:
    """The files a local location names, in read order; SourceError when there are none."""
    assert location.path is not None, "discover() is for local locations"
    raw = location.path
    expanded = os.path.expanduser(raw)
    if glob.has_magic(expanded):
        matches = sorted(glob.glob(expanded, recursive=True))
        if not matches:
            raise SourceError(f"{raw}: no file matches this pattern")
        files = []
        for match in matches:
            path = Path(match)
            if path.is_dir():
                files.extend(_walk(path, location))
            elif (found := detect(path, location.format)) is not None:
                files.append(found)
    elif os.path.isdir(expanded):
        files = _walk(Path(expanded), location)
    elif os.path.exists(expanded):
        found = detect(Path(expanded), location.format)
        if found is None:
            raise SourceError(
                f"{raw}: cannot tell the format from the file name (known extensions: "
                f"{', '.join(EXTENSIONS)}, optionally + .gz/.zst); set the location's format"
            )
        files = [found]
    else:
        raise SourceError(f"{raw}: no such file or directory")
    if not files:
        raise SourceError(
            f"{raw}: no readable data files "
            f"(known extensions: {', '.join(EXTENSIONS)}, optionally + .gz/.zst)"
        )
    return _unique(files)


def _walk(root: Path, location: Location) -> list[SourceFile]:
    """Data files under a directory, sorted by path; Hugging Face layouts read as datasets."""
    special = _hf_layout(root, location)
    if special is not None:
        return special
    found: list[SourceFile] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if here != root and (layout := _hf_layout(here, location)) is not None:
            found.extend(layout)
            dirnames[:] = []
            continue
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith("."):
                continue
            # Directory walks select by extension even with a format override: a format
            # says how to read data files, it must not turn a README into rows.
            if (sf := detect(here / name, None)) is not None:
                found.append(SourceFile(sf.path, location.format or sf.format, sf.codec))
    return sorted(found, key=lambda sf: str(sf.path))


def _hf_layout(directory: Path, location: Location) -> list[SourceFile] | None:
    """Files of a `save_to_disk` Dataset or DatasetDict directory; None for other directories."""
    if (directory / "dataset_dict.json").is_file():
        split_dir = directory / location.split
        if not split_dir.is_dir():
            splits = sorted(p.name for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
            raise SourceError(
                f"{directory}: a saved DatasetDict without split {location.split!r} "
                f"(splits: {', '.join(splits)})"
            )
        return _walk(split_dir, location)
    state = directory / "state.json"
    if not state.is_file():
        return None
    try:
        data_files = json.loads(state.read_text())["_data_files"]
        names = [entry["filename"] for entry in data_files]
    except (ValueError, KeyError, TypeError):
        return None  # a state.json of something else: walk the directory normally
    return [SourceFile(directory / name, "arrow", None) for name in names]


def _unique(files: list[SourceFile]) -> list[SourceFile]:
    """Drop repeats (a glob matching both a directory and a file in it), keeping the first."""
    seen: set[Path] = set()
    out = []
    for sf in files:
        key = sf.path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(sf)
    return out
