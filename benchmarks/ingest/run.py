"""Ingest throughput and peak memory, ours against datasets.load_dataset('json'), side by side.

    .venv/bin/python benchmarks/ingest/run.py --mb 1024

In one run, on the same generated JSONL of alpaca-shaped rows (make_data.py), each contender
runs in its own fresh process pinned to one core (`taskset -c 0`) with every thread pool
set to one thread (POLARS_MAX_THREADS, OMP_NUM_THREADS, RAYON_NUM_THREADS, pyarrow's CPU
and I/O thread counts), N times, interleaved (the order rotates each round), and the
median is reported. Contenders:

    ours                 curation.ingest.ingest_source(... adapter 'alpaca' ...): the full ingest
    datasets             datasets.load_dataset('json', data_files=..., split='train', cache_dir=<fresh>)
    pyarrow_read_json    pyarrow.json.read_json of the whole file (the parse floor, context)
    polars_sink_parquet  polars.scan_ndjson(...).sink_parquet(...) (context)

plus ours once on two cores, unpinned, and ours and datasets again at a second, smaller
size (--small-mb) to show whether peak memory grows with the file.

Measured per run: the work's wall and CPU seconds (timed inside the child, imports
excluded), the child's rusage (user+sys), its VmHWM (the kernel's high-water mark of its
resident set since exec, file-backed mapped pages included), and the process tree's RSS and anonymous
RSS polled from /proc every 50 ms. MiB = 2^20 bytes; MiB/s per core = file MiB / work wall
seconds / cores the child could use.

Writes benchmarks/results/ingest.md (the table) and benchmarks/results/ingest.json (every run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata as md
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import make_data  # noqa: E402

RESULTS_DIR = ROOT / "benchmarks" / "results"
WORK_ROOT = ROOT / "benchmarks" / "data" / "work"
CONTENDERS_PY = HERE / "contenders.py"
ALL = ("ours", "ours_uncompressed", "datasets", "pyarrow_read_json", "polars_sink_parquet")
PACKAGES = ("curation", "datasets", "pyarrow", "polars", "polars-hash", "numpy", "psutil", "pydantic")
MIB = 1 << 20
POLL_S = 0.05


# --- one run ---------------------------------------------------------------------------


def _status_kb(pid: int) -> dict[str, int]:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                    out[key] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return out


class _Sampler(threading.Thread):
    """Peak RSS and anonymous RSS of a process tree, polled from /proc."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.stop = threading.Event()
        self.peak_rss_kb = 0
        self.peak_anon_kb = 0
        self.samples = 0

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            try:
                pids = [self.pid] + [c.pid for c in root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            rss = anon = 0
            for pid in pids:
                s = _status_kb(pid)
                rss += s.get("VmRSS", 0)
                anon += s.get("RssAnon", 0)
            if rss:
                self.peak_rss_kb = max(self.peak_rss_kb, rss)
                self.peak_anon_kb = max(self.peak_anon_kb, anon)
                self.samples += 1
            self.stop.wait(POLL_S)


def run_one(contender: str, data: Path, cores: int, pin: str | None, log_dir: Path) -> dict:
    """Run one contender in a fresh process; return its measurements."""
    work = WORK_ROOT / f"{contender}-{uuid.uuid4().hex[:8]}"
    env = os.environ.copy()
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["BENCH_THREADS"] = str(cores)
    for var in ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "RAYON_NUM_THREADS", "ARROW_NUM_THREADS"):
        env[var] = str(cores)
    env["HF_DATASETS_OFFLINE"] = env["HF_HUB_OFFLINE"] = "1"
    env["HF_HOME"] = str(work / "hf_home")  # no shared cache between runs
    cmd = [sys.executable, str(CONTENDERS_PY), contender, str(data), str(work)]
    if pin is not None:
        cmd = ["taskset", "-c", pin, *cmd]
    log = log_dir / f"{work.name}.log"
    load_before = os.getloadavg()[0]
    with open(log, "w") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        sampler = _Sampler(proc.pid)
        sampler.start()
        _, status, ru = os.wait4(proc.pid, 0)
        process_wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop.set()
        sampler.join()
    text = log.read_text(errors="replace")
    shutil.rmtree(work, ignore_errors=True)
    lines = [ln for ln in text.splitlines() if ln.startswith("BENCH_RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{contender} failed (exit {proc.returncode}); log {log}:\n{text[-3000:]}")
    result = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
    result.update(
        contender=contender,
        cores=cores,
        pinned=pin,
        process_wall_s=process_wall,
        process_cpu_s=ru.ru_utime + ru.ru_stime,
        process_user_s=ru.ru_utime,
        process_sys_s=ru.ru_stime,
        # ru_maxrss is not used: Linux carries the parent's high-water mark into the child
        # across fork+exec, so it reads the parent's size for small children. VmHWM, read by
        # the child itself at the end, is the peak of its own address space since exec.
        ru_maxrss_mib=ru.ru_maxrss / 1024,  # Linux: kB
        peak_rss_mib=result["vmhwm_mib"],
        polled_peak_rss_mib=sampler.peak_rss_kb / 1024,
        polled_peak_anon_mib=sampler.peak_anon_kb / 1024,
        polled_samples=sampler.samples,
        loadavg_1m_before=load_before,
        log=str(log.relative_to(ROOT)),
    )
    log.unlink()
    return result


# --- the plan --------------------------------------------------------------------------


def count_rows_and_warm(path: Path) -> int:
    """Newlines in the file; reading it also puts it in the page cache for every contender."""
    rows = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            rows += block.count(b"\n")
    return rows


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "curation"], cwd=ROOT, capture_output=True, text=True).stdout.strip())
    except OSError:
        commit, dirty = None, None
    return {
        "nproc": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "mem_total_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
        "git_commit": commit,
        "curation_dirty": dirty,
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarise(runs: list[dict]) -> list[dict]:
    """Median of each (label, size) group, with ratios against datasets at the same size."""
    groups: dict[tuple[str, float], list[dict]] = {}
    for r in runs:
        groups.setdefault((r["label"], r["file_mib"]), []).append(r)
    rows = []
    for (label, size), rs in groups.items():
        wall = median([r["wall_s"] for r in rs])
        cores = rs[0]["cores"]
        rows.append(
            {
                "label": label,
                "contender": rs[0]["contender"],
                "cores": cores,
                "file_mib": size,
                "rows": rs[0]["rows"],
                "kept": rs[0]["kept"],
                "runs": len(rs),
                "wall_s": wall,
                "wall_s_all": [round(r["wall_s"], 2) for r in rs],
                "cpu_s": median([r["cpu_s"] for r in rs]),
                "process_wall_s": median([r["process_wall_s"] for r in rs]),
                "process_cpu_s": median([r["process_cpu_s"] for r in rs]),
                "mib_s": size / wall,
                "mib_s_per_core": size / wall / cores,
                "mib_per_cpu_s": size / median([r["cpu_s"] for r in rs]),
                "peak_rss_mib": median([r["peak_rss_mib"] for r in rs]),
                "rss_before_mib": median([r["rss_before_mib"] for r in rs]),
                "polled_peak_anon_mib": median([r["polled_peak_anon_mib"] for r in rs]),
                "out_mib": median([r["out_bytes"] for r in rs]) / MIB,
            }
        )
    by_size = {r["file_mib"]: r for r in rows if r["label"] == "datasets"}
    for r in rows:
        ref = by_size.get(r["file_mib"])
        r["speed_vs_datasets"] = r["mib_s_per_core"] / ref["mib_s_per_core"] if ref else None
        r["rss_vs_datasets"] = r["peak_rss_mib"] / ref["peak_rss_mib"] if ref else None
        r["anon_vs_datasets"] = r["polled_peak_anon_mib"] / ref["polled_peak_anon_mib"] if ref else None
    order = {name: i for i, name in enumerate(["ours", "ours_uncompressed", "datasets", "pyarrow_read_json", "polars_sink_parquet", "ours_2cores"])}
    rows.sort(key=lambda r: (-r["file_mib"], order.get(r["label"], 99)))
    return rows


# --- the report ------------------------------------------------------------------------

ABOUT = {
    "ours": "`ingest_source` (alpaca adapter): parse JSONL in batches, check types and required fields, "
    "map to canonical chat records, SHA-256 ids of the row's canonical JSON, drop repeated ids, "
    "write canonical Parquet (zstd-1, in a background thread) + the dropped-row Parquet + counts",
    "ours_uncompressed": "ours with `compression='none'` for the canonical parts: the same work as ours, "
    "writing uncompressed like datasets' cache",
    "datasets": "`load_dataset('json', split='train', cache_dir=<fresh>)`: parse with pyarrow.json in blocks, "
    "infer/unify the schema, write an uncompressed Arrow cache, memory-map it. No mapping to a "
    "common schema, no ids, no per-row accounting (a malformed line fails the whole load)",
    "pyarrow_read_json": "`pyarrow.json.read_json` of the whole file into memory: the parse floor; writes nothing",
    "polars_sink_parquet": "`pl.scan_ndjson(path).sink_parquet(out)`: polars' streaming engine, JSON columns to Parquet as-is",
    "ours_2cores": "ours again, unpinned, 2 threads everywhere: what a second core buys (MiB/s per core = MiB/s / 2)",
}


def fmt(x: float | None, nd: int = 1) -> str:
    if x is None:
        return "–"
    return f"{x:,.{nd}f}"


def render_md(doc: dict) -> str:
    m = doc["machine"]
    s = doc["summary"]
    main = [r for r in s if r["file_mib"] == doc["config"]["mb"]]
    lines = [
        "# Ingest benchmark: ours vs `datasets.load_dataset('json')`",
        "",
        f"Run {doc['date']} on {m['nproc']} cores ({m['cpu_model']}), {m['mem_total_gib']} GiB RAM, "
        f"Python {m['python']}; git {m['git_commit']}{' (curation/ modified)' if m['curation_dirty'] else ''}.",
        "",
        "```",
        doc["command"],
        "```",
        "",
        f"Data: `{doc['config']['data']}`: {doc['config']['rows']:,} alpaca-shaped rows "
        f"({{instruction, input, output}}, generated by `benchmarks/ingest/make_data.py --mb {doc['config']['mb']:g} "
        f"--seed {doc['config']['seed']}`), {doc['config']['mb']:g} MiB. The file is read once before the runs, "
        "so every contender reads it from the page cache.",
        "",
        "Each contender runs in its own fresh process, pinned to one core (`taskset -c 0`), one thread "
        "everywhere (POLARS_MAX_THREADS, OMP_NUM_THREADS, RAYON_NUM_THREADS = 1, `pa.set_cpu_count(1)`, "
        "`pa.set_io_thread_count(1)`); the contenders are interleaved and each row below is the median of its runs. "
        "The machine is shared and noisy: read the ratios, not the absolute numbers "
        f"(1-minute load average before each run: {min(r['loadavg_1m_before'] for r in doc['runs']):.1f} to "
        f"{max(r['loadavg_1m_before'] for r in doc['runs']):.1f} on {m['nproc']} cores).",
        "",
        f"## {doc['config']['mb']:g} MiB",
        "",
        "| contender | cores | file MiB | rows | wall s | CPU s | MiB/s | MiB/s per core | RSS before MiB | peak RSS MiB | peak anon MiB | output MiB | speed vs datasets | RSS vs datasets |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in main:
        lines.append(
            f"| {r['label']} | {r['cores']} | {fmt(r['file_mib'], 0)} | {r['rows']:,} | {fmt(r['wall_s'])} "
            f"| {fmt(r['cpu_s'])} | {fmt(r['mib_s'])} | {fmt(r['mib_s_per_core'])} | {fmt(r['rss_before_mib'], 0)} | {fmt(r['peak_rss_mib'], 0)} "
            f"| {fmt(r['polled_peak_anon_mib'], 0)} | {fmt(r['out_mib'], 0)} "
            f"| {fmt(r['speed_vs_datasets'], 2)}x | {fmt(r['rss_vs_datasets'], 2)}x |"
        )
    lines += [
        "",
        "wall s and CPU s: the work itself, timed inside the child (imports excluded; median of "
        + ", ".join(f"{r['label']} {r['wall_s_all']}" for r in main)
        + "). MiB/s per core = file MiB / wall s / cores. Peak RSS = the child's VmHWM (the kernel's "
        "high-water mark of its resident set; it counts file-backed pages the process has mapped, e.g. datasets' "
        "memory-mapped Arrow cache, and what the interpreter and imports hold before the work starts: the 'RSS before' column); peak anon = the largest anonymous RSS (heap) of the process tree polled every 50 ms. "
        "speed vs datasets = our MiB/s per core / datasets' (above 1 = faster); RSS vs datasets = peak RSS / "
        "datasets' (below 1 = smaller).",
        "",
    ]
    sizes = sorted({r["file_mib"] for r in s})
    if len(sizes) > 1:
        lines += [
            "## Does peak memory grow with the file?",
            "",
            "| contender | " + " | ".join(f"{x:g} MiB: peak RSS / anon MiB" for x in sizes)
            + " | growth per extra row | MiB/s per core at each size |",
            "|---|" + "---|" * len(sizes) + "---|---|",
        ]
        for label in ("ours", "datasets"):
            cells, speeds, found = [], [], []
            for x in sizes:
                r = next((r for r in s if r["label"] == label and r["file_mib"] == x), None)
                cells.append(f"{fmt(r['peak_rss_mib'], 0)} / {fmt(r['polled_peak_anon_mib'], 0)}" if r else "–")
                speeds.append(fmt(r["mib_s_per_core"]) if r else "–")
                if r:
                    found.append(r)
            growth = "–"
            if len(found) >= 2 and found[-1]["rows"] != found[0]["rows"]:
                per_row = (found[-1]["peak_rss_mib"] - found[0]["peak_rss_mib"]) * MIB / (found[-1]["rows"] - found[0]["rows"])
                growth = f"{per_row:,.0f} B"
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {growth} | " + " / ".join(speeds) + " |")
        lines += [
            "",
            "growth per extra row = (peak RSS at the larger size - at the smaller) / (rows more). Streaming "
            "keeps the per-batch memory fixed; what still grows in ours is the duplicate-id set "
            "(`curation.ingest._UniqueIds`: a 16-byte digest of each id and its count in a Python dict).",
            "",
        ]
    lines += ["## What each contender does", ""]
    for label in [r["label"] for r in main]:
        lines.append(f"- **{label}**: {ABOUT.get(label, '')}")
    lines += [
        "",
        "## Versions",
        "",
        ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v),
        "",
        "Raw numbers of every run: [`ingest.json`](ingest.json). Where our time goes: "
        "[`ingest_profile.md`](ingest_profile.md) (`benchmarks/ingest/profile_ours.py`).",
        "",
    ]
    if doc.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in doc["notes"]] + [""]
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=1024, help="file size in MiB (default 1024)")
    ap.add_argument("--small-mb", type=float, default=256, help="second size for the memory-growth check (0: skip)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=None, help="runs per contender (default 3, 2 above 256 MiB)")
    ap.add_argument("--small-repeat", type=int, default=None, help="runs per contender at --small-mb (default --repeat)")
    ap.add_argument("--contenders", default=",".join(ALL), help=f"comma-separated subset of {','.join(ALL)}")
    ap.add_argument("--no-2cores", action="store_true", help="skip ours on two cores")
    ap.add_argument("--core", default="0", help="the core to pin to (taskset -c)")
    ap.add_argument("--out", default="ingest", help="result file stem in benchmarks/results/ (default ingest)")
    args = ap.parse_args(argv)

    repeat = args.repeat or (3 if args.mb <= 256 else 2)
    small_repeat = args.small_repeat or repeat
    contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    unknown = set(contenders) - set(ALL)
    if unknown:
        ap.error(f"unknown contender(s) {sorted(unknown)}")
    notes = []
    pin: str | None = args.core
    if shutil.which("taskset") is None:
        pin = None
        notes.append("taskset was not found: runs were not pinned to one core (threads were still limited to one).")
    ncores = len(os.sched_getaffinity(0))

    WORK_ROOT.mkdir(parents=True, exist_ok=True)
    log_dir = WORK_ROOT / "logs"
    log_dir.mkdir(exist_ok=True)

    sizes = [args.mb] + ([args.small_mb] if args.small_mb and args.small_mb != args.mb else [])
    files = {}
    for size in sizes:
        t0 = time.perf_counter()
        path = make_data.ensure(size, args.seed)
        rows = count_rows_and_warm(path)
        files[size] = (path, rows)
        print(f"data {path.relative_to(ROOT)}: {rows:,} rows, {path.stat().st_size / MIB:.1f} MiB ({time.perf_counter() - t0:.1f} s)", flush=True)

    # (label, contender, size, cores, pin) for each round; the order rotates each round.
    plan: list[list[tuple[str, str, float, int, str | None]]] = []
    for i in range(repeat):
        rnd = [(c, c, args.mb, 1, pin) for c in contenders]
        rnd = rnd[i % len(rnd):] + rnd[: i % len(rnd)]
        if i == 0 and not args.no_2cores and "ours" in contenders and ncores >= 2:
            rnd.append(("ours_2cores", "ours", args.mb, min(2, ncores), None))
        plan.append(rnd)
    if len(sizes) > 1:
        for i in range(small_repeat):
            rnd = [(c, c, args.small_mb, 1, pin) for c in ("ours", "datasets") if c in contenders]
            plan.append(rnd[i % len(rnd):] + rnd[: i % len(rnd)] if rnd else [])

    runs = []
    total = sum(len(r) for r in plan)
    started = time.perf_counter()
    for rnd in plan:
        for label, contender, size, cores, p in rnd:
            path, rows = files[size]
            print(f"[{len(runs) + 1}/{total}] {label} on {size:g} MiB ({cores} core{'s' if cores > 1 else ''}, "
                  f"{'taskset -c ' + p if p else 'unpinned'}) ...", end=" ", flush=True)
            r = run_one(contender, path, cores, p, log_dir)
            r.update(label=label, file_mib=size, file_bytes=path.stat().st_size, expected_rows=rows)
            if r["rows"] != rows:
                notes.append(f"{label} at {size:g} MiB read {r['rows']:,} rows, expected {rows:,}.")
            if contender == "ours" and r["kept"] != rows:
                notes.append(f"{label} at {size:g} MiB kept {r['kept']:,} of {rows:,} rows ({r['dropped']:,} dropped).")
            runs.append(r)
            print(f"{r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU, {size / r['wall_s'] / cores:.1f} MiB/s/core, "
                  f"peak RSS {r['peak_rss_mib']:.0f} MiB, anon {r['polled_peak_anon_mib']:.0f} MiB", flush=True)
    print(f"all runs: {time.perf_counter() - started:.0f} s", flush=True)

    command = ".venv/bin/python benchmarks/ingest/run.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    doc = {
        "benchmark": "ingest",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command.strip(),
        "config": {
            "mb": args.mb,
            "small_mb": args.small_mb if len(sizes) > 1 else None,
            "seed": args.seed,
            "repeat": repeat,
            "small_repeat": small_repeat if len(sizes) > 1 else None,
            "contenders": contenders,
            "pin": pin,
            "data": str(files[args.mb][0].relative_to(ROOT)),
            "rows": files[args.mb][1],
        },
        "machine": machine(),
        "notes": notes,
        "summary": summarise(runs),
        "runs": runs,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{args.out}.json").write_text(json.dumps(doc, indent=2) + "\n")
    (RESULTS_DIR / f"{args.out}.md").write_text(render_md(doc))
    print(f"wrote {RESULTS_DIR.relative_to(ROOT)}/{args.out}.md and .json")
    for r in doc["summary"]:
        print(f"  {r['label']:<20} {r['file_mib']:>6g} MiB  {r['mib_s_per_core']:6.1f} MiB/s/core  peak RSS {r['peak_rss_mib']:6.0f} MiB"
              + (f"  x{r['speed_vs_datasets']:.2f} speed, x{r['rss_vs_datasets']:.2f} RSS vs datasets" if r["speed_vs_datasets"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
