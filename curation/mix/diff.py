"""`curate mix diff A B`: what changed between two built mixes, from their locks."""

from __future__ import annotations

from curation.mix.lock import MixLock


def diff_locks(a: MixLock, b: MixLock) -> list[str]:
    """Human lines: manifest fields, input and referenced files, packages, per-source statistics, shards."""
    lines = [f"manifest {k}: {x!r} -> {y!r}" for k, x, y in _changed(_flat(a.manifest), _flat(b.manifest))]
    lines += _file_changes(_input_files(a), _input_files(b))
    lines += _file_changes(_referenced_files(a), _referenced_files(b))
    lines += [f"package {k}: {x} -> {y}" for k, x, y in _changed(a.packages, b.packages)]
    stats_a = {s.name: s for s in a.sources}
    stats_b = {s.name: s for s in b.sources}
    for name in sorted(stats_a.keys() | stats_b.keys()):
        sa, sb = stats_a.get(name), stats_b.get(name)
        if sa is None or sb is None:
            lines.append(f"source {name}: only in {'B' if sa is None else 'A'}")
            continue
        for field in ("target_tokens", "tokens", "rows", "epochs", "shortfall", "rows_available", "rows_not_examined"):
            x, y = getattr(sa, field), getattr(sb, field)
            if x != y:
                lines.append(f"source {name} {field}: {x:,} -> {y:,}" if isinstance(x, int) else f"source {name} {field}: {x} -> {y}")
    shards_a = {s.file: s.sha256 for s in a.shards}
    shards_b = {s.file: s.sha256 for s in b.shards}
    same = sum(1 for f in shards_a if shards_b.get(f) == shards_a[f])
    if same != len(shards_a) or len(shards_a) != len(shards_b):
        lines.append(f"shards: {same} of {len(shards_a)} (A) / {len(shards_b)} (B) identical")
    return lines


def _input_files(lock: MixLock) -> dict[tuple[str, str], str]:
    return {(f"input {i.source}", f.path): f.sha256 for i in lock.inputs for f in i.files or []}


def _referenced_files(lock: MixLock) -> dict[tuple[str, str], str]:
    return {("referenced file", f.path): f.sha256 for f in lock.referenced_files}


def _file_changes(files_a: dict[tuple[str, str], str], files_b: dict[tuple[str, str], str]) -> list[str]:
    """`<label>: <path> changed | only in A | only in B` for each (label, path) that differs; a file
    only in A whose content (sha256) is only in B under another path of the same label is
    `moved: <a> -> <b> (same content)`, since the mix read the same bytes."""
    moved = _moved(files_a, files_b)
    targets = {(label, target) for (label, _), target in moved.items()}
    lines = []
    for key in sorted(files_a.keys() | files_b.keys()):
        if key in moved:
            lines.append(f"{key[0]}: moved: {key[1]} -> {moved[key]} (same content)")
        elif key in targets:
            continue
        elif files_a.get(key) != files_b.get(key):
            state = "only in A" if key not in files_b else "only in B" if key not in files_a else "changed"
            lines.append(f"{key[0]}: {key[1]} {state}")
    return lines


def _moved(files_a: dict[tuple[str, str], str], files_b: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """(label, path in A) -> path in B, for files only in A whose sha256 is that of a file only in B
    with the same label (each B file used once, in path order)."""
    only_b: dict[tuple[str, str], list[str]] = {}
    for (label, path), sha in sorted(files_b.items()):
        if (label, path) not in files_a:
            only_b.setdefault((label, sha), []).append(path)
    moved = {}
    for (label, path), sha in sorted(files_a.items()):
        if (label, path) not in files_b and only_b.get((label, sha)):
            moved[(label, path)] = only_b[(label, sha)].pop(0)
    return moved


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flat(v, key + "."))
        elif isinstance(v, list) and v and all(isinstance(x, dict) and "name" in x for x in v):
            out.update(_flat({x["name"]: x for x in v}, key + "."))
        else:
            out[key] = v
    return out


def _changed(a: dict, b: dict) -> list[tuple[str, object, object]]:
    return [(k, a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)]
