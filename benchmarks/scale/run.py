"""Scale benchmark: every pipeline stage on one core and on a 2-CPU local Ray cluster, Ray's
cost per task, the cost model of the full 1.2T-token mix and the published peer figures.

    .venv/bin/python benchmarks/scale/run.py [--mb 200] [--rows-per-part 20000] [--cpus 2]

1. corpus.py builds ~MB of web-like JSONL with planted exact and near duplicates.
2. For each of --rounds rounds (medians reported): each stage (stages.py) runs in a fresh process pinned to one core (`taskset -c 0`) with the
   serial executor, each reading the previous stage's output; then one process starts a local
   Ray cluster (`ray.init(num_cpus=CPUS)`) and runs every stage with the Ray executor on the
   serial run's input for that stage; then one process does the same with the project's local
   pool of CPUS processes (no Ray: the machine's own speed-up for these partitions, and so
   Ray's share of the gap); then CPUS serial copies of each stage at once, one per core (no
   split: what the machine gives CPUS copies of the work, the ceiling of any speed-up); the
   output trees are compared file by file (sha256). Every process runs each stage --warm-runs
   times on its full input before the timed run (stages.first_runs): a long run's warm worker.
3. Ray's cost per task: empty 1-CPU tasks against local calls (stages.ray_overhead).
4. cost_model.py turns the measured CPU seconds per MB into core-hours, memory per worker,
   shuffle volume and wall time on 64 / 256 / 1024 workers for the 1.2T mix.
Writes benchmarks/results/scale.json and scale.md (report.py). Work files: benchmarks/data/scale/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import cost_model  # noqa: E402
import probe  # noqa: E402
import report  # noqa: E402
from stages import (  # noqa: E402
    BARRIER_ENV,
    PARALLEL,
    SHARD_ROWS,
    SOURCE,
    STAGES,
    THREAD_ENV,
    WARM_CORPUS_ENV,
    WARM_RUNS_ENV,
)

from curation.executor import LOCAL_CLUSTER_ENV  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
STAGES_PY = str(HERE / "stages.py")
RESULTS = ROOT / "benchmarks" / "results"
# Files compared per stage where not the whole tree: the mix's lock and card name the input run
# and the plots are images, so sample_write compares the shards and the datasets' JSON files.
COMPARED = {
    "sample_write": ("*/*.arrow", "*/state.json", "*/dataset_info.json", "dataset_dict.json"),
    "pack": ("*.arrow", "state.json", "dataset_info.json"),
}


def text_size(run_dir: Path) -> tuple[float, int]:
    """(MB of text, rows) in the parts of the run's source, or of a mix's train split."""
    import polars as pl

    if (run_dir / "mix.lock.json").is_file():
        import pyarrow.compute as pc

        from curation.mix.pack_partitioned import read_shard

        texts = [read_shard(str(f), ["text"]).column("text") for f in sorted((run_dir / "train").glob("*.arrow"))]
        return sum(pc.sum(pc.binary_length(t)).as_py() for t in texts) / 1e6, sum(len(t) for t in texts)
    parts = str(run_dir / "sources" / SOURCE / "data" / "*.parquet")
    row = pl.scan_parquet(parts).select(pl.col("text").str.len_bytes().sum(), pl.len()).collect().row(0)
    return row[0] / 1e6, int(row[1])


def child_env(rows_per_part: int, warm_runs: int = 1) -> dict[str, str]:
    env = {**os.environ, **THREAD_ENV, "SCALE_ROWS_PER_PART": str(rows_per_part), WARM_RUNS_ENV: str(warm_runs)}
    env.pop("RAY_ADDRESS", None)
    return env


def run_serial(
    work: Path, src0: Path, env: dict[str, str], reuse: bool, name: str = "serial"
) -> tuple[list[dict], dict[str, Path]]:
    """Every stage in its own process on core 0; returns the results and each stage's input.
    reuse: keep the results of an earlier serial run in WORK where there are any."""
    results, inputs, src = [], {}, src0
    for stage in STAGES:
        out, res = work / name / stage, work / name / f"{stage}.json"
        res.parent.mkdir(parents=True, exist_ok=True)
        inputs[stage] = src
        if reuse and res.is_file() and out.is_dir():
            results.append(json.loads(res.read_text()))
            src = out
            continue
        res.unlink(missing_ok=True)
        subprocess.run(
            ["taskset", "-c", "0", PY, STAGES_PY, "serial", stage, str(src), str(out), str(res)],
            check=True,
            env=env,
        )
        results.append(json.loads(res.read_text()))
        print(
            f"{name} {stage}: {results[-1]['wall_s']:.2f} s wall, {results[-1]['cpu_s']:.2f} CPU-s",
            flush=True,
        )
        src = out
    return results, inputs


def run_pair(
    work: Path, inputs: dict[str, Path], env: dict[str, str], cpus: int, name: str, reuse: bool = False
) -> list[dict]:
    """Each stage serially, `cpus` copies at once, copy k pinned to core k, on the serial run's
    input, started together (stages.BARRIER_ENV); per stage the copies' results and the pair's
    wall (the slowest copy). cpus x serial wall / that wall is what this machine gives `cpus`
    independent copies of the stage's work: the most any split of it into `cpus` workers can get
    (the cores share the memory bus, the last-level cache and the page cache), against a plain
    loop's ~1.98x here."""
    import shutil

    res = work / name / "result.json"
    if reuse and res.is_file():
        return json.loads(res.read_text())
    records = []
    for stage in STAGES:
        if stage not in PARALLEL:
            continue
        base = work / name / stage
        shutil.rmtree(base, ignore_errors=True)
        barrier = base / "barrier"
        barrier.mkdir(parents=True)
        children = [
            subprocess.Popen(
                ["taskset", "-c", str(k), PY, STAGES_PY, "serial", stage, str(inputs[stage]), str(base / f"out{k}"),
                 str(base / f"copy{k}.json")],
                env={**env, BARRIER_ENV: str(barrier)},
            )
            for k in range(cpus)
        ]
        while len(list(barrier.glob("ready-*"))) < cpus and all(c.poll() is None for c in children):
            time.sleep(0.01)
        (barrier / "go").touch()
        if any(c.wait() != 0 for c in children):
            raise SystemExit(f"{name} {stage}: a copy failed")
        copies = [json.loads((base / f"copy{k}.json").read_text()) for k in range(cpus)]
        records.append({"stage": stage, "copies": copies, "wall_s": max(c["wall_s"] for c in copies)})
        shutil.rmtree(base, ignore_errors=True)
        print(f"{name} {stage}: {records[-1]['wall_s']:.2f} s wall ({cpus} copies at once)", flush=True)
    res.write_text(json.dumps(records, indent=1))
    return records


def run_ray(
    work: Path,
    inputs: dict[str, Path],
    env: dict[str, str],
    cpus: int,
    overhead_tasks: int,
    name: str = "ray",
    reuse: bool = False,
) -> dict:
    res = work / name / "result.json"
    if reuse and res.is_file():
        return json.loads(res.read_text())
    return _run_plan(work, inputs, env, name, ["ray", str(cpus), str(overhead_tasks)])


def run_processes(
    work: Path, inputs: dict[str, Path], env: dict[str, str], cpus: int, name: str, reuse: bool = False
) -> dict:
    """Every stage with the project's local pool of `cpus` processes (no Ray), on the same inputs."""
    res = work / name / "result.json"
    if reuse and res.is_file():
        return json.loads(res.read_text())
    return _run_plan(work, inputs, env, name, ["processes", str(cpus)])


def _run_plan(work: Path, inputs: dict[str, Path], env: dict[str, str], name: str, mode: list[str]) -> dict:
    """The parallel stages, each on its serial input, in one `stages.py MODE PLAN RESULT ARGS...`
    child writing into WORK/NAME; returns its result."""
    plan = [[s, str(inputs[s]), str(work / name / s)] for s in STAGES if s in PARALLEL]
    (work / name).mkdir(parents=True, exist_ok=True)
    plan_path, res = work / name / "plan.json", work / name / "result.json"
    plan_path.write_text(json.dumps(plan))
    subprocess.run([PY, STAGES_PY, mode[0], str(plan_path), str(res), *mode[1:]], check=True, env=env)
    return json.loads(res.read_text())


def _median(records: list[dict], key: str) -> dict:
    return sorted(records, key=lambda r: r[key])[len(records) // 2]


def measure(
    serials: list[list[dict]],
    rays: list[dict],
    inputs: dict[str, Path],
    corpus_stats: dict,
    work: Path,
    cpus: int,
    pools: list[dict] | None = None,
    pairs: list[list[dict]] | None = None,
) -> list[dict]:
    """Per-stage rows of the results table (see report.py for the columns): per stage the round
    with the median serial CPU seconds and the round with the median Ray wall time (and local
    pool wall time); the outputs of every round compared (round i's Ray and pool outputs against
    round i's serial output)."""
    rounds = len(serials)
    serial = [_median([serials[i][k] for i in range(rounds)], "cpu_s") for k in range(len(serials[0]))]
    ray_stages = [[r["stages"][k] for r in rays] for k in range(len(rays[0]["stages"]))]
    by_ray = {rs[0]["stage"]: _median(rs, "wall_s") for rs in ray_stages}
    rows = serial_rows(serial, inputs, corpus_stats)
    for k, row in enumerate(rows):
        keys = ("wall_s", "cpu_s", "load_before")
        row["serial_rounds"] = {key: [serials[i][k][key] for i in range(rounds)] for key in keys}
        rs = next((x for x in ray_stages if x[0]["stage"] == row["stage"]), None)
        if rs:
            row["ray_rounds"] = {key: [x[key] for x in rs] for key in keys}
            row["speedup_rounds"] = [
                a / b
                for a, b in zip(row["serial_rounds"]["wall_s"], row["ray_rounds"]["wall_s"], strict=True)
            ]
            serial_rs = [serials[i][k] for i in range(rounds)]
            firsts = [(a.get("first_runs_wall_s"), b.get("first_runs_wall_s")) for a, b in zip(serial_rs, rs, strict=True)]
            if all(a and b for a, b in firsts):  # the stage's first full-size run in fresh processes
                row["first_run_speedup_rounds"] = [a[0] / b[0] for a, b in firsts]
        ps = [x for pool in pools or [] for x in pool["stages"] if x["stage"] == row["stage"]]
        if ps:
            row["processes_rounds"] = {key: [x[key] for x in ps] for key in keys}
            walls = sorted(
                a / b for a, b in zip(row["serial_rounds"]["wall_s"], row["processes_rounds"]["wall_s"], strict=True)
            )
            stage = row["stage"]
            trees = [(work / f"serial_r{i}" / stage, work / f"processes_r{i}" / stage) for i in range(rounds)]
            same = all(probe.same_tree(a, b, COMPARED.get(stage))[0] for a, b in trees)
            p = _median(ps, "wall_s")
            row["processes"] = p
            row["processes_identical"] = same
            row["speedup_processes_wall"] = walls[rounds // 2]
            row["speedup_processes_cpu_model"] = row["serial"]["cpu_s"] / (p["driver_cpu_s"] + p["cluster_cpu_s"] / cpus)
        copies = [x for pair in pairs or [] for x in pair if x["stage"] == row["stage"]]
        if copies:
            row["pair_rounds"] = [x["wall_s"] for x in copies]
            ceilings = sorted(
                cpus * a / b for a, b in zip(row["serial_rounds"]["wall_s"], row["pair_rounds"], strict=True)
            )
            row["pair_ceiling"] = ceilings[rounds // 2]
    for row in rows:
        stage, s, mb, docs = row["stage"], row["serial"], row["input_mb"], row["input_docs"]
        row.update(
            {
                "serial_mb_s_cpu": mb / s["cpu_s"],
                "serial_docs_s_cpu": docs / s["cpu_s"],
                "serial_mb_s_wall": mb / s["wall_s"],
            }
        )
        r = by_ray.get(stage)
        if r is not None:
            tasks = sum(m["items"] for m in r["maps"])
            same, diff = True, []
            for i in range(rounds):
                ok, d = probe.same_tree(
                    work / f"serial_r{i}" / stage, work / f"ray_r{i}" / stage, COMPARED.get(stage)
                )
                same, diff = same and ok, diff + [f"round {i}: {x}" for x in d]
            ray_par = r["cluster_cpu_s"]
            row.update(
                {
                    "ray": r,
                    "tasks": tasks,
                    "identical": same,
                    "differing_files": diff,
                    "ray_mb_s_cpu": mb / r["cpu_s"],
                    "ray_docs_s_cpu": docs / r["cpu_s"],
                    "ray_mb_s_wall_per_core": mb / (r["wall_s"] * cpus),
                    "speedup_wall": sorted(row["speedup_rounds"])[rounds // 2],
                    # What the wall speed-up would be with a core to each process: the serial CPU over
                    # the driver's CPU plus the workers' CPU shared by `cpus` workers.
                    "speedup_cpu_model": s["cpu_s"] / (r["driver_cpu_s"] + ray_par / cpus),
                    "overhead_ms_per_task_wall": 1000 * (r["wall_s"] - s["wall_s"] / cpus) / max(tasks, 1),
                    "overhead_ms_per_task_cpu": 1000 * (r["cpu_s"] - s["cpu_s"]) / max(tasks, 1),
                    "worker_peak_rss_mib": max(r["worker_peak_rss_mib"] or [0.0]),
                }
            )
    return rows


def serial_rows(serial: list[dict], inputs: dict[str, Path], corpus_stats: dict) -> list[dict]:
    """Per stage of a serial run: input MB and docs, and the driver's CPU seconds (the part of the
    stage's CPU outside Executor.map, by its share of the wall time)."""
    rows = []
    for s in serial:
        stage = s["stage"]
        mb, docs = (
            (corpus_stats["text_bytes"] / 1e6, corpus_stats["docs"])
            if stage == "ingest"
            else text_size(inputs[stage])
        )
        share = max(0.0, 1 - sum(m["seconds"] for m in s["maps"]) / s["wall_s"]) if stage in PARALLEL else 1.0
        rows.append(
            {
                "stage": stage,
                "input_mb": mb,
                "input_docs": docs,
                "serial": s,
                "driver_fraction": share,
                "driver_cpu_s": share * s["cpu_s"],
                "maps": sum(1 for m in s["maps"] if m["items"]),
            }
        )
    return rows


def rates(rows: list[dict], small: list[dict]) -> list[cost_model.StageRate]:
    """Per-stage rates for the cost model. The driver's CPU is fitted as fixed + per MB over the
    two corpus sizes (rows: the big one, small: the small one).
    dedup_near's run recomputes the exact keys of its (already exact-deduped) input: that CPU,
    scaled from dedup_exact's, is taken off."""
    by, by_small = {r["stage"]: r for r in rows}, {r["stage"]: r for r in small}
    out = []
    for r in rows:
        stage, sm = r["stage"], by_small[r["stage"]]
        cpu, ray_cpu = r["serial"]["cpu_s"], r.get("ray", {}).get("cpu_s")
        drv, drv_small = r["driver_cpu_s"], sm["driver_cpu_s"]
        if stage == "dedup_near":
            ex, ex_small = by["dedup_exact"], by_small["dedup_exact"]
            scale, scale_small = r["input_mb"] / ex["input_mb"], sm["input_mb"] / ex_small["input_mb"]
            cpu = max(1e-9, cpu - ex["serial"]["cpu_s"] * scale)
            drv = max(0.0, drv - ex["driver_cpu_s"] * scale)
            drv_small = max(0.0, drv_small - ex_small["driver_cpu_s"] * scale_small)
            if ray_cpu is not None:
                ray_cpu = max(1e-9, ray_cpu - ex["ray"]["cpu_s"] * scale)
        d_mb = r["input_mb"] - sm["input_mb"]
        slope = max(0.0, (drv - drv_small) / d_mb)
        out.append(
            cost_model.StageRate(
                stage=stage,
                cpu_s_per_mb=cpu / r["input_mb"],
                driver_fixed_s=max(0.0, drv - slope * r["input_mb"]),
                driver_s_per_mb=slope,
                ray_cpu_s_per_mb=None if ray_cpu is None else ray_cpu / r["input_mb"],
                task_rss_mib=r.get("worker_peak_rss_mib", r["serial"]["peak_rss_mib"]),
                maps=max(1, r["maps"]),
                parallel=stage in PARALLEL,
            )
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, default=200, help="MB of text in the generated corpus")
    ap.add_argument(
        "--small-mb", type=int, default=50, help="MB of the second, serial-only corpus (driver fit)"
    )
    ap.add_argument("--files", type=int, default=8, help="JSONL input files (ingest's partitions)")
    ap.add_argument(
        "--rows-per-part", type=int, default=20_000, help="rows per partition of the later stages"
    )
    ap.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray cluster")
    ap.add_argument("--rounds", type=int, default=3, help="serial + Ray rounds (medians reported)")
    ap.add_argument(
        "--warm-runs",
        type=int,
        default=1,
        help="untimed runs of each stage on its full input before its timed run, in the same processes",
    )
    ap.add_argument("--overhead-tasks", type=int, default=2000, help="empty Ray tasks timed")
    ap.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "data" / "scale")
    ap.add_argument(
        "--reuse", action="store_true", help="keep the results of earlier runs in --work (report again)"
    )
    ap.add_argument("--out", type=Path, default=RESULTS / "scale")
    args = ap.parse_args()

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load0 = os.getloadavg()
    src, stats = corpus.ensure_corpus(args.work, args.mb, files=args.files)
    env = child_env(args.rows_per_part, args.warm_runs) | {WARM_CORPUS_ENV: str(src)}
    serials, rays, pools, pairs = [], [], [], []
    # serial, Ray, the local pool, then the serial copies at once, round after round: all four see
    # the same load drift
    for i in range(args.rounds):
        serial, inputs = run_serial(args.work, src, env, args.reuse, name=f"serial_r{i}")
        serials.append(serial)
        rays.append(
            run_ray(
                args.work, inputs, env, args.cpus, args.overhead_tasks, name=f"ray_r{i}", reuse=args.reuse
            )
        )
        pools.append(run_processes(args.work, inputs, env, args.cpus, name=f"processes_r{i}", reuse=args.reuse))
        pairs.append(run_pair(args.work, inputs, env, args.cpus, name=f"pair_r{i}", reuse=args.reuse))
    _, inputs = run_serial(args.work, src, env, True, name="serial_r0")
    rows = measure(serials, rays, inputs, stats, args.work, args.cpus, pools, pairs)
    ray = _median(rays, "cluster_start_s")
    ray["overhead"] = _median([r["overhead"] for r in rays], "batch_ms_per_task")
    small_src, small_stats = corpus.ensure_corpus(args.work, args.small_mb, files=args.files)
    small, small_inputs = run_serial(args.work, small_src, env, args.reuse, name="serial_small")
    small_rows = serial_rows(small, small_inputs, small_stats)
    overhead_s = ray["overhead"]["batch_ms_per_task"] / 1000
    assumptions = cost_model.Assumptions(rows_per_task=args.rows_per_part)
    result = {
        "started": started,
        "machine": f"{platform.machine()}, {os.cpu_count()} vCPUs",
        "python": platform.python_version(),
        "load_before": load0,
        "load_after": os.getloadavg(),
        "git": _git(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "corpus": stats,
        "corpus_dir": _shown(src),
        "shard_rows": SHARD_ROWS,
        "worker_niceness": int(env.get("RAY_worker_niceness", LOCAL_CLUSTER_ENV["RAY_worker_niceness"])),
        "ray_cluster": {k: v for k, v in ray.items() if k != "stages"},
        "stages": rows,
        "small_corpus": small_stats,
        "small_stages": small_rows,
        "cost_model": cost_model.model(assumptions, rates(rows, small_rows), overhead_s),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1, default=str) + "\n")
    args.out.with_suffix(".md").write_text(report.markdown(result))
    print(f"wrote {args.out.with_suffix('.md')} and .json")


def _shown(path: Path) -> str:
    """`path` relative to the repository when inside it (the default --work), else absolute."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _git() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "curation"], cwd=ROOT, capture_output=True, text=True
        ).stdout
        return head.strip() + (" (curation/ modified)" if dirty.strip() else "")
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
