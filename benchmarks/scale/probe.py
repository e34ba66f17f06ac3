"""Process measurements for the scale benchmark: CPU seconds and peak RSS of a process and of
the processes it started (Ray's raylet, GCS and workers are children of the driver that
started the local cluster), and sha256 of a stage's output tree.

Peak RSS is the kernel's VmHWM, reset to the current RSS with /proc/PID/clear_refs ("5") when
a clock starts, so it is the peak of the timed work, not of the imports before it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import subprocess
import sys
from pathlib import Path, PurePath

import psutil

MIB = 1 << 20


def status_bytes(pid: int, field: str) -> int:
    """A byte count of /proc/<pid>/status (VmRSS, VmHWM, ...); 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def vm_hwm(pid: int) -> int:
    """Peak resident bytes of `pid` since its start or its last reset_peak (0 if it is gone)."""
    return status_bytes(pid, "VmHWM")


def reset_peak(pid: int) -> None:
    # Not ours or gone: its peak then includes earlier work.
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def own_cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its reaped children."""
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def descendants() -> list[psutil.Process]:
    return psutil.Process(os.getpid()).children(recursive=True)


def descendant_cpu() -> dict[int, float]:
    """pid -> CPU seconds so far, for every live descendant of this process."""
    out = {}
    for p in descendants():
        try:
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
        except psutil.Error:
            pass
    return out


def is_ray_worker(p: psutil.Process) -> bool:
    try:
        cmd = " ".join(p.cmdline())
        return "default_worker.py" in cmd or p.name().startswith("ray::")
    except psutil.Error:
        return False


def tree_digest(root: Path) -> tuple[str, dict[str, str]]:
    """(sha256 over the sorted (path, file sha256) pairs, path -> file sha256) of every file
    under `root`."""
    files = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        files[str(path.relative_to(root))] = h.hexdigest()
    total = hashlib.sha256("".join(f"{k}\0{v}\n" for k, v in files.items()).encode()).hexdigest()
    return total, files


def matches(path: str, patterns: tuple[str, ...]) -> bool:
    """Whether the relative `path` matches one of the glob `patterns` as a whole (same depth)."""
    p = PurePath(path)
    return any(len(p.parts) == len(PurePath(g).parts) and p.match(g) for g in patterns)


def same_tree(a: Path, b: Path, only: tuple[str, ...] | None = None) -> tuple[bool, list[str]]:
    """(same bytes, differing files) of two output trees, file by file (sha256); `only`: glob
    patterns of the files compared (relative to the roots), None for every file. Nothing to
    compare is not the same."""
    _, fa = tree_digest(a)
    _, fb = tree_digest(b)
    if only is not None:
        fa, fb = ({k: v for k, v in f.items() if matches(k, only)} for f in (fa, fb))
    return fa == fb and bool(fa), sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))


def run_child(script: str, *args: object) -> dict:
    """`script --child ARGS` in a fresh Python process (a memory probe's measurement, whose peak
    must not include an earlier one's): the JSON of its last line of output."""
    out = subprocess.run(
        [sys.executable, script, "--child", *map(str, args)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def slope_lines(results: list[dict], modes: tuple[str, ...], per: str, what: str) -> list[str]:
    """Per mode, the peak's growth between its two measurements per unit of `per` (a result key)."""
    lines = []
    for mode in modes:
        a, b = (r for r in results if r["mode"] == mode)
        slope = (b["peak_over_start"] - a["peak_over_start"]) / (b[per] - a[per])
        lines.append(f"- {mode}: **{slope:.0f} B per {what}** (slope between the two sizes)")
    return lines


def write_results(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n")
    print(path.read_text())
