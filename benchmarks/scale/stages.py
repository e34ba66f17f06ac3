"""The pipeline stages the scale benchmark times, each through the project's public entry
point with an executor, and the child processes that time them.

    ingest       corpus JSONL files -> canonical run         curation.ingest.ingest_source
    dedup_exact  run -> run, exact SHA-256 dedup              curation.dedup.stage.dedup_run (near=None)
    dedup_near   exact-deduped run -> run, exact + MinHash    dedup_run(near=NearOptions()); exact finds
                                                              nothing new here, its keys are recomputed
    filters      run -> run, pii + gopher + c4 + fineweb      curation.filters.stage.run_filters
    render       run -> rendered run (qwen3 tokens)           curation.render.stage.render_run
    sample_write rendered run -> HF shards of half the tokens curation.mix.build.write_mix; shards of
                                                              at most SHARD_ROWS rows, so the shard map
                                                              has several tasks as at full scale
    pack         the mix's train split -> token ids in        curation.mix.pack_partitioned.
                 sequences of PACK_CONTEXT tokens             write_packed_partitioned (what a
                                                              pretraining phase's `packed/` holds)

Serial:  .venv/bin/python benchmarks/scale/stages.py serial STAGE SRC OUT JSON   (run under taskset -c 0)
Ray:     .venv/bin/python benchmarks/scale/stages.py ray PLAN.json JSON CPUS TASKS (a local Ray cluster)
Processes: .venv/bin/python benchmarks/scale/stages.py processes PLAN.json JSON CPUS (the local pool)

Every stage of the Ray child reads the serial run's input for that stage, so each stage's
output is compared with the serial one on the same bytes.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import probe  # noqa: E402

from curation.executor import WORKER_THREAD_ENV, Executor, Ray, set_local_cluster_env  # noqa: E402

STAGES = ("ingest", "dedup_exact", "dedup_near", "filters", "render", "sample_write", "pack")
# Every stage maps over partitions on the executor (sample_write: a task per rendered part, then
# one per shard); what each still runs in the caller is timed as its driver share.
PARALLEL = set(STAGES)
# Rows per mix shard in sample_write: ~4,000 rows of the ~32,000 written here, ~8 shard tasks (the
# default 50,000 rows / 256 MiB would make one shard of this corpus; the full mix has thousands).
SHARD_ROWS = 4000
# The pretraining manifest's phase-1 context; pack tasks of PACK_TASK_TOKENS (a few per core here,
# as at full scale, where the default TASK_TOKENS makes ~70,000 tasks of 1.2T tokens).
PACK_CONTEXT = 4096
PACK_TASK_TOKENS = 2 * 2**20
# The pretraining manifest's web filters that need no model file (language, toxicity and the
# quality classifier need fastText models that are not shipped; see the report).
FILTERS = {"pii": True, "gopher_quality": True, "gopher_repetition": True, "c4": True, "fineweb": True}
SOURCE = "web"
# Single-threaded libraries in every process: one task = one core, serial and on Ray alike. The
# project's own worker variables (CURATION_THREADS among them: the token counter's threads) come
# from executor.py, as the Ray jobs the project starts give them to their workers; without it a
# Ray worker here counted tokens on a thread per CPU of the machine, two workers on four threads.
THREAD_ENV = {
    **WORKER_THREAD_ENV,
    "ARROW_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "RAY_USAGE_STATS_ENABLED": "0",
}


class Timed(Executor):
    """An executor that records each map call: function, items, seconds inside the map. The
    rest of a stage's wall time is driver work, which does not shrink with more workers."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.name = inner.name
        self.maps: list[dict[str, Any]] = []

    @property
    def workers(self) -> int:  # type: ignore[override]
        return self.inner.workers

    def map(self, fn: Callable[..., Any], items: Sequence[tuple]) -> list[Any]:
        t0 = time.perf_counter()
        out = self.inner.map(fn, items)
        self.maps.append(
            {"fn": getattr(fn, "__name__", str(fn)), "items": len(items), "seconds": time.perf_counter() - t0}
        )
        return out

    def describe(self) -> str:
        return self.inner.describe()


def rows_per_part() -> int:
    return int(os.environ.get("SCALE_ROWS_PER_PART", "20000"))


# part_memory.py runs the stages at the project's own shard and packing sizes instead of the
# small ones above, which exist to give this bench's small corpus several tasks.
def shard_rows() -> int:
    return int(os.environ.get("SCALE_SHARD_ROWS", str(SHARD_ROWS)))


def pack_task_tokens() -> int:
    return int(os.environ.get("SCALE_PACK_TASK_TOKENS", str(PACK_TASK_TOKENS)))


def _accepts_executor(fn: Callable) -> str | None:
    params = inspect.signature(fn).parameters
    return next((p for p in ("executor", "workers") if p in params), None)


def run_stage(stage: str, src: Path, out: Path, executor: Executor) -> dict[str, Any]:
    """Run `stage` from SRC into OUT, which must not exist (clear_output: outside the clock);
    returns notes (e.g. which call took no executor)."""
    notes: dict[str, Any] = {}
    if stage == "ingest":
        from curation.ingest import SourceSpec, ingest_source, write_summary
        from curation.readers.location import Location

        spec = SourceSpec(SOURCE, "documents", Location(path=str(src)), {"domain": "web"})
        kw = {"rows_per_part": rows_per_part()}
        if _accepts_executor(ingest_source):
            kw[_accepts_executor(ingest_source)] = executor
        else:
            notes["unpartitioned"] = "ingest_source takes no executor: one task"
        ingest_source(spec, out, **kw)
        write_summary(out)
    elif stage in ("dedup_exact", "dedup_near"):
        from curation.dedup.exact import ExactOptions
        from curation.dedup.near_stage import NearOptions
        from curation.dedup.stage import dedup_run

        near = NearOptions() if stage == "dedup_near" else None
        dedup_run(src, out, ExactOptions(), near, rows_per_part=rows_per_part(), executor=executor)
    elif stage == "filters":
        from curation.filters.config import FilterConfig
        from curation.filters.stage import run_filters

        run_filters(src, out, FilterConfig.model_validate(FILTERS), rows_per_part(), workers=executor)
    elif stage == "render":
        from curation.render.stage import RenderOptions, render_run

        render_run(
            src, out, RenderOptions(template="qwen3", tokenizer="qwen3"), rows_per_part(), workers=executor
        )
    elif stage == "sample_write":
        _sample_write(src, out, executor)
    elif stage == "pack":
        _pack(src, out, executor)
    else:
        raise ValueError(f"unknown stage {stage!r}; known: {', '.join(STAGES)}")
    return notes


def clear_output(out: Path) -> None:
    """Remove an earlier run's output before the clock starts: deleting the last run's files
    (~0.05 s for ingest's 200 MB) was timed inside every stage, serial and parallel alike, which
    lowered each speed-up a little."""
    import shutil

    shutil.rmtree(out, ignore_errors=True)


def _sample_write(src: Path, out: Path, executor: Executor) -> None:
    """Half of the rendered tokens of the run, sampled by token budget and written as shards of at
    most SHARD_ROWS rows, partitioned on `executor`."""
    import polars as pl

    from curation.mix.build import write_mix
    from curation.mix.manifest import parse_manifest

    tokens = pl.scan_parquet(str(src / "sources" / SOURCE / "data" / "*.parquet")).select(
        pl.col("n_tokens").sum()
    )
    budget = int(tokens.collect().item()) // 2
    manifest = parse_manifest(
        {
            "name": "scale-bench",
            "seed": 1,
            "budget_tokens": budget,
            "template": {"name": "qwen3"},
            "sources": [{"name": SOURCE, "adapter": "documents", "location": str(src), "weight": 1}],
            "output": {"pack": False, "shuffle": True, "max_shard_rows": shard_rows()},
        },
        check_files=False,
    )
    write_mix(manifest, src, out, executor=executor)


def _pack(src: Path, out: Path, executor: Executor) -> None:
    """The train split of the mix in `src` packed into sequences of PACK_CONTEXT tokens in `out`,
    as write_mix packs a pretraining phase."""
    from curation.mix.lock import read_lock
    from curation.mix.pack import PACKED_SCHEMA
    from curation.mix.pack_partitioned import write_packed_partitioned
    from curation.mix.split_writer import SplitTarget

    train = [s for s in read_lock(src / "mix.lock.json").shards if s.file.startswith("train/")]
    target = SplitTarget(out, PACKED_SCHEMA, shard_rows(), 256 * 2**20, "packed")
    write_packed_partitioned(
        src / "train", train, {"main": PACK_CONTEXT}, "qwen3", target, executor, out.parent / f".{out.name}.work",
        pack_task_tokens(),
    )


def warm_imports() -> None:
    """Import what the stages import, so that a stage's clock measures the work."""
    import curation.dedup.stage  # noqa: F401
    import curation.filters.stage  # noqa: F401
    import curation.ingest  # noqa: F401
    import curation.mix.build  # noqa: F401
    import curation.mix.pack_partitioned  # noqa: F401
    import curation.render.stage  # noqa: F401


# The warm-up corpus: the first WARM_LINES documents of each of the corpus's first WARM_FILES files,
# and near copies of the first few (a word changed, a ligature added): without a candidate pair the
# warm-up never reached near dedup's verification kernels (shingle hashes, Jaccard, components),
# and the timed stage loaded them from numba's cache (~0.06 s, in the driver and each worker).
WARM_FILES, WARM_LINES, WARM_NEAR_COPIES = 2, 300, 4
WARM_CORPUS_ENV = "SCALE_WARM_CORPUS"  # the corpus directory, set by run.py for every child


def warm_corpus(corpus_dir: Path) -> Path:
    """A tiny copy of the corpus beside it (made once, renamed into place)."""
    out = corpus_dir.with_name(f"{corpus_dir.name}.warmup")
    if out.is_dir():
        return out
    tmp = out.with_name(f".{out.name}.{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    for path in sorted(corpus_dir.glob("*.jsonl"))[:WARM_FILES]:
        with path.open() as src, (tmp / path.name).open("w") as dst:
            lines = [line for _, line in zip(range(WARM_LINES), src, strict=False)]
            dst.writelines(lines)
            for line in lines[:WARM_NEAR_COPIES]:
                doc = json.loads(line)
                words = doc["text"].split(" ")
                doc["id"] = f"{doc['id']}-warm-near"
                doc["text"] = " ".join(words[:-1] + ["\ufb01nal"])  # the ligature: NFKC's slow path
                dst.write(json.dumps(doc) + "\n")
    try:
        os.replace(tmp, out)
    except OSError:  # another process made it first
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return out


def warm_up() -> None:
    """Imports, then every stage once on the tiny warm-up corpus, serially in this process, so
    that what a process pays once (numba kernels loaded from their cache: ~0.4 s each for the
    sampling hash and the shingler; the tokenizer; matplotlib's first plot) is out of every
    stage's clock, in the serial child, the Ray driver and each Ray worker alike. A long run pays
    it once per worker; the Ray report gives that warm-up time on its own."""
    import shutil
    import tempfile

    warm_imports()
    corpus = os.environ.get(WARM_CORPUS_ENV)
    if not corpus:
        return
    src = warm_corpus(Path(corpus))
    work = Path(tempfile.mkdtemp(prefix="scale-warm-"))
    try:
        for stage in STAGES:
            run_stage(stage, src, work / stage, Executor())
            src = work / stage
    finally:
        shutil.rmtree(work, ignore_errors=True)


# Untimed runs of a stage on its full input before its timed run, in the same process (run.py
# --warm-runs, default 1). The tiny warm-up above loads the code; it does not grow a process's heap
# to a full partition's size: each process's first full-size partition paid ~0.08 CPU-s more than
# the next, in whichever step came first (not numba, not Ray's function export: probed), a cost
# each Ray worker pays once and in parallel but
# the one serial process pays once for the whole stage, which took ~0.1 s off a 2-worker stage of
# 1.7 s. A long run's workers run thousands of a stage's tasks: its rate is a warm process's.
# The first runs' walls are kept (first_runs_wall_s), so the report gives their speed-up too.
WARM_RUNS_ENV = "SCALE_WARM_RUNS"


def first_runs(stage: str, src: Path, out: Path, make_executor: Callable[[], Executor]) -> list[float]:
    """Run `stage` WARM_RUNS_ENV times into OUT (cleared before each), untimed by the caller;
    returns each run's wall seconds."""
    walls = []
    for _ in range(int(os.environ.get(WARM_RUNS_ENV, "1"))):
        clear_output(out)
        t0 = time.perf_counter()
        run_stage(stage, src, out, make_executor())
        walls.append(time.perf_counter() - t0)
    return walls


# Set by run.py for the two copies of a stage it runs at once: each child, once warmed up, writes
# DIR/ready-PID and starts its clock when DIR/go appears, so the two stages run side by side.
BARRIER_ENV = "SCALE_BARRIER"


def wait_at_barrier() -> None:
    barrier = os.environ.get(BARRIER_ENV)
    if not barrier:
        return
    (Path(barrier) / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 600
    while not (Path(barrier) / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"no go in {barrier} after 600 s")
        time.sleep(0.001)


def serial_child(stage: str, src: Path, out: Path, result: Path) -> None:
    warm_up()
    firsts = first_runs(stage, src, out, Executor)
    clear_output(out)
    wait_at_barrier()
    executor = Timed(Executor())
    probe.reset_peak(os.getpid())
    cpu0, t0 = probe.own_cpu_seconds(), time.perf_counter()
    notes = run_stage(stage, src, out, executor)
    wall = time.perf_counter() - t0
    cpu = probe.own_cpu_seconds() - cpu0
    result.write_text(
        json.dumps(
            {
                "stage": stage,
                "executor": "serial",
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_rss_mib": probe.vm_hwm(os.getpid()) / probe.MIB,
                "maps": executor.maps,
                "notes": notes,
                "load_before": os.getloadavg(),
                "first_runs_wall_s": firsts,
            },
            indent=1,
        )
    )


def _ray_noop() -> None:
    return None


def _ray_warm(_i: int) -> int:
    warm_up()
    time.sleep(0.3)
    return os.getpid()


def ray_child(plan_path: Path, result: Path, cpus: int, overhead_tasks: int) -> None:
    """plan: [[stage, src, out], ...] run on a local Ray cluster of `cpus` CPUs; then the Ray
    overhead microbenchmark."""
    import ray

    # The driver runs each stage's own part and its one-item maps: warmed like the workers, and
    # before them, so the warm-up corpus exists when they read it.
    warm_up()
    t0 = time.perf_counter()
    # address="local": a new cluster of its own, never one another job on the machine started; with
    # the environment the project's own local clusters get (executor.set_local_cluster_env)
    set_local_cluster_env()
    ray.init(address="local", num_cpus=cpus, include_dashboard=False, log_to_driver=False)
    start_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pids = ray.get([ray.remote(num_cpus=1)(_ray_warm).remote(i) for i in range(2 * cpus)])
    warm_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "cluster_start_s": start_s,
        "worker_warmup_s": warm_s,
        "warm_worker_pids": sorted(set(pids)),
        "stages": time_stages(plan_path, "ray", Ray, probe.is_ray_worker),
    }
    out["overhead"] = ray_overhead(overhead_tasks)
    ray.shutdown()
    result.write_text(json.dumps(out, indent=1))


def processes_child(plan_path: Path, result: Path, cpus: int) -> None:
    """plan: [[stage, src, out], ...] run with the project's local pool of `cpus` spawned
    processes (no Ray): the same partitions and tasks on the same cores, so what Ray itself costs
    is the difference, and what this machine gives two processes at once is this run's speed-up."""
    from curation.executor import Processes, shutdown_pools

    warm_up()
    pool = Processes(cpus)
    t0 = time.perf_counter()
    pids = pool.map(_ray_warm, [(i,) for i in range(2 * cpus)])
    out: dict[str, Any] = {"worker_warmup_s": time.perf_counter() - t0, "warm_worker_pids": sorted(set(pids))}
    out["stages"] = time_stages(plan_path, "processes", lambda: pool, lambda p: p.pid in set(pids))
    shutdown_pools(terminate=True)
    result.write_text(json.dumps(out, indent=1))


def time_stages(
    plan_path: Path, name: str, make_executor: Callable[[], Executor], is_worker: Callable[[Any], bool]
) -> list[dict[str, Any]]:
    """Each stage of the plan on a fresh `make_executor()`: wall, this process's CPU (the driver)
    and every descendant's (workers, and Ray's raylet and GCS), peak RSS of driver and workers."""
    records = []
    for stage, src, dst in json.loads(plan_path.read_text()):
        firsts = first_runs(stage, Path(src), Path(dst), make_executor)
        clear_output(Path(dst))
        executor = Timed(make_executor())
        for p in probe.descendants():
            probe.reset_peak(p.pid)
        probe.reset_peak(os.getpid())
        before = probe.descendant_cpu()
        load = os.getloadavg()
        cpu0, t0 = probe.own_cpu_seconds(), time.perf_counter()
        notes = run_stage(stage, Path(src), Path(dst), executor)
        wall = time.perf_counter() - t0
        driver_cpu = probe.own_cpu_seconds() - cpu0
        after = probe.descendant_cpu()
        cluster_cpu = sum(v - before.get(pid, 0.0) for pid, v in after.items())
        workers = [p for p in probe.descendants() if is_worker(p)]
        worker_peaks = sorted((probe.vm_hwm(p.pid) / probe.MIB for p in workers), reverse=True)
        records.append(
            {
                "stage": stage,
                "executor": name,
                "wall_s": wall,
                "cpu_s": driver_cpu + cluster_cpu,
                "driver_cpu_s": driver_cpu,
                "cluster_cpu_s": cluster_cpu,
                "peak_rss_mib": probe.vm_hwm(os.getpid()) / probe.MIB,
                "worker_peak_rss_mib": worker_peaks[:4],
                "maps": executor.maps,
                "notes": notes,
                "load_before": load,
                "first_runs_wall_s": firsts,
            }
        )
        print(f"{name} {stage}: {wall:.2f} s", file=sys.stderr, flush=True)
    return records


def ray_overhead(n: int) -> dict[str, float]:
    """Per-task cost of Ray on this cluster: n empty 1-CPU tasks submitted at once, n/5 submitted
    one at a time (submit + get), against n local calls."""
    import ray

    noop = ray.remote(num_cpus=1, max_retries=0)(_ray_noop)
    ray.get([noop.remote() for _ in range(2 * ray.cluster_resources().get("CPU", 1).__int__())])  # warm
    t0 = time.perf_counter()
    for _ in range(n):
        _ray_noop()
    local = time.perf_counter() - t0
    t0 = time.perf_counter()
    ray.get([noop.remote() for _ in range(n)])
    batch = time.perf_counter() - t0
    m = max(1, n // 5)
    t0 = time.perf_counter()
    for _ in range(m):
        ray.get(noop.remote())
    sync = time.perf_counter() - t0
    return {
        "tasks": n,
        "local_s": local,
        "batch_s": batch,
        "sync_tasks": m,
        "sync_s": sync,
        "batch_ms_per_task": 1000 * (batch - local) / n,
        "sync_ms_per_task": 1000 * sync / m,
    }


def main(argv: list[str]) -> None:
    if argv[0] == "serial":
        serial_child(argv[1], Path(argv[2]), Path(argv[3]), Path(argv[4]))
    elif argv[0] == "ray":
        ray_child(Path(argv[1]), Path(argv[2]), int(argv[3]), int(argv[4]))
    elif argv[0] == "processes":
        processes_child(Path(argv[1]), Path(argv[2]), int(argv[3]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
