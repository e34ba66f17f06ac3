"""`curate mix regenerate`: rebuild a mix from its mix.lock.json and check it byte for byte.

The lock holds the resolved manifest, the directory its relative paths resolve against, the
sha256 of every input file and of every shard. Regenerating rebuilds from those inputs and
parameters into a new directory and compares every shard's sha256 with the lock. When an
input changed, the rebuild still runs (so the user sees what it does to the output) and the
error names the changed input and the first shard that differs.
"""

from __future__ import annotations

from pathlib import Path

from curation.mix.build import build_mix, default_work_dir
from curation.mix.lock import (
    LOCK_FILE,
    MixLock,
    lock_url,
    package_versions,
    read_lock,
    verify_inputs,
    verify_shards,
)
from curation.mix.manifest import parse_manifest
from curation.mix.object_store import url_parent
from curation.readers.remote import is_url


class RegenerateMismatch(ValueError):
    """The rebuilt mix is not byte-identical to the locked one."""


def regenerate_mix(lock_file: Path | str, out_dir: Path | str, work_dir: Path | None = None) -> MixLock:
    """Rebuild the mix `lock_file` describes into `out_dir` (either may be an object store
    URL); return the lock. Raises RegenerateMismatch naming the changed inputs and the first
    differing shard."""
    lock = read_lock(lock_file)
    base = Path(lock.base_dir)
    changed = verify_inputs(lock, base)
    missing = [p for p in changed if p.endswith("is missing")]
    if missing:
        raise RegenerateMismatch(f"cannot regenerate {lock.name}: {'; '.join(missing)}")
    manifest = parse_manifest(lock.manifest, base, where=f"{lock_file} (manifest)")
    # examined as the locked build was, so the lock's statistics come out the same too
    examine = "needed" if any(s.rows_not_examined for s in lock.sources) else "all"
    build_mix(manifest, out_dir, work_dir or default_work_dir(out_dir), examine=examine)
    differs = verify_shards(lock, out_dir)
    if changed or differs:
        parts = []
        if changed:
            parts.append("inputs changed since the lock: " + "; ".join(changed))
        if differs:
            parts.append(f"rebuilt mix in {out_dir} differs from the lock: first {differs[0]}")
        else:
            parts.append("the rebuilt shards still match the lock")
        versions = package_versions()
        moved = [f"{k} {v} (lock {lock.packages[k]})" for k, v in versions.items() if lock.packages.get(k) not in (None, v)]
        if moved:
            parts.append("package versions differ: " + ", ".join(moved))
        # the rebuild stays for a look, and its own lock says what it was built from: it is not the
        # locked mix, and nothing should take it for one
        locked = url_parent(lock_file) if is_url(lock_file) else Path(lock_file).parent
        parts.append(
            f"the rebuilt mix in {out_dir} is NOT the locked one (its own lock records the inputs it read): "
            f"`curate mix diff {locked} {out_dir}` shows what changed"
        )
        raise RegenerateMismatch(". ".join(parts))
    return lock


def mix_lock_and_dir(path: Path | str) -> tuple[Path | str, Path | str]:
    """(the lock file, the mix directory) a user's argument names: a mix.lock.json or the
    directory holding it, a local path or an object store URL."""
    if is_url(path):
        lock = lock_url(str(path))
        return lock, url_parent(lock)
    path = Path(path).expanduser()
    lock = path / LOCK_FILE if path.is_dir() else path
    return lock, lock.parent


def default_target(mix_dir: Path | str) -> Path | str:
    """Where a regenerated mix goes by default: `<mix dir>.regenerated` beside it."""
    if is_url(mix_dir):
        return str(mix_dir).rstrip("/") + ".regenerated"
    return Path(mix_dir).with_name(Path(mix_dir).name + ".regenerated")


def same_place(a: Path | str, b: Path | str) -> bool:
    if is_url(a) or is_url(b):
        return str(a).rstrip("/") == str(b).rstrip("/")
    return Path(a).resolve() == Path(b).resolve()
