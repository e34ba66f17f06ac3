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
from curation.mix.lock import MixLock, package_versions, read_lock, verify_inputs, verify_shards
from curation.mix.manifest import parse_manifest


class RegenerateMismatch(ValueError):
    """The rebuilt mix is not byte-identical to the locked one."""


def regenerate_mix(lock_file: Path, out_dir: Path, work_dir: Path | None = None) -> MixLock:
    """Rebuild the mix `lock_file` describes into `out_dir`; return the lock. Raises
    RegenerateMismatch naming the changed inputs and the first differing shard."""
    lock = read_lock(lock_file)
    base = Path(lock.base_dir)
    changed = verify_inputs(lock, base)
    missing = [p for p in changed if p.endswith("is missing")]
    if missing:
        raise RegenerateMismatch(f"cannot regenerate {lock.name}: {'; '.join(missing)}")
    manifest = parse_manifest(lock.manifest, base, where=f"{lock_file} (manifest)")
    build_mix(manifest, out_dir, work_dir or default_work_dir(Path(out_dir)))
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
        raise RegenerateMismatch(". ".join(parts))
    return lock
