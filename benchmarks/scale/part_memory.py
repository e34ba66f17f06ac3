"""Memory and per-core speed of one task at the partition size a big build cuts: every stage
serially with partitions of 20,000 rows (the scale benchmark's) and of 250,000 rows (what
`curation.mix.build.stage_rows_per_part` gives a build of 4M rows or more: min(250,000,
max(20,000, rows / 16))).

Why: the scale benchmark (run.py) hands every task a partition of 20,000 rows so that its 200 MB
corpus gives each stage several tasks, and its cost model's "memory per worker" is of tasks that
size. A full-scale build hands a task 12.5x the rows; nobody had measured what such a task holds.

How: a corpus of one JSONL file from corpus.ensure_corpus(files=1) (more than 250,000 documents
at the default --mb), written once more as one zstd file beside it: ingest reads a plain JSONL
file over 64 MiB in pieces of 64 MiB, a task and an output part each (curation/readers/pieces.py),
and every later stage writes one output part per partition, and a partition never spans two
parts, so from a plain file no partition of any stage gets past one piece's ~30,000 rows of this
corpus, whatever rows_per_part says (measured here too: the plain file's ingest at 250,000). A
compressed file is read whole by one task, so its parts, and the later stages' partitions, are
as large as rows_per_part allows. For each size every stage runs through run.py's run_serial: a
fresh process pinned to core 0, the serial executor, each stage reading the previous stage's
output, with run.py's child environment (one thread per library), the tiny warm-up corpus run
first (run.py's too: code and kernels loaded, outside the clock) and no untimed full-size warm run
(warm_runs=0: this measures memory; the CPU rates beside it are of first runs). sample_write and
pack use the project's default shards (DEFAULT_MAX_SHARD_ROWS rows) and packing tasks
(TASK_TOKENS), through stages.py's SCALE_SHARD_ROWS and SCALE_PACK_TASK_TOKENS.

Peak RSS is the stage process's VmHWM, reset when its clock starts: the process's imports and
warm-up, the driver's work and one task at a time, as a serial run; a Ray worker's peak in
scale.md (imports, warm-up, its tasks one at a time) is comparable at 20,000 rows.

    .venv/bin/python benchmarks/scale/part_memory.py [--mb 640] [--reuse]
    # -> benchmarks/results/part_memory.md and part_memory.json; work files in benchmarks/data/scale/
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

# run before corpus: corpus puts benchmarks/dedup, which has a run.py of its own, first on the path
import run as scale_run  # noqa: E402, I001
import corpus  # noqa: E402, I001
from stages import SOURCE, WARM_CORPUS_ENV  # noqa: E402

from curation.dedup.exact_buckets import DEDUP_PARTITION_ROWS  # noqa: E402
from curation.mix.pack_partitioned import TASK_TOKENS  # noqa: E402
from curation.mix.shards import DEFAULT_MAX_SHARD_ROWS  # noqa: E402

SIZES = (20_000, 250_000)
RESULTS = ROOT / "benchmarks" / "results" / "part_memory"
SCALE_RESULTS = ROOT / "benchmarks" / "results" / "scale.json"
# What each stage's "largest partition" is (see largest_partition).
PARTITION_OF = {
    "ingest": "largest part written (its task: the whole compressed file)",
    "dedup_exact": "largest partition of its input run",
    "dedup_near": "largest partition of its input run",
    "filters": "largest partition of its input run",
    "render": "largest partition of its input run",
    "sample_write": "largest part of the rendered run (a pick task each)",
    "pack": "largest train shard of the mix (its tasks are cut by tokens)",
}


def project_env(rows: int, warm_corpus: Path) -> dict[str, str]:
    """run.py's child environment for partitions of `rows` rows, no full-size warm run, the tiny
    warm-up corpus of `warm_corpus`, and the project's default shards and packing tasks."""
    return scale_run.child_env(rows, warm_runs=0) | {
        WARM_CORPUS_ENV: str(warm_corpus),
        "SCALE_SHARD_ROWS": str(DEFAULT_MAX_SHARD_ROWS),
        "SCALE_PACK_TASK_TOKENS": str(TASK_TOKENS),
    }


def compressed_corpus(src: Path) -> Path:
    """SRC's JSONL files as zstd files in SRC.zst/ (made once, renamed into place): ingest reads
    each in one task, not in 64 MiB pieces."""
    import pyarrow as pa

    out = src.with_name(src.name + ".zst")
    if out.is_dir():
        return out
    tmp = out.with_name(f".{out.name}.{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for path in sorted(src.glob("*.jsonl")):
        with path.open("rb") as f, pa.output_stream(str(tmp / f"{path.name}.zst"), compression="zstd") as z:
            shutil.copyfileobj(f, z, 16 << 20)
    os.replace(tmp, out)
    return out


def part_rows(run_dir: Path) -> list[int]:
    """Rows of each parquet part of the run's source, in name order."""
    import pyarrow.parquet as pq

    return [pq.read_metadata(p).num_rows for p in sorted((run_dir / "sources" / SOURCE / "data").glob("*.parquet"))]


def largest_partition(stage: str, src: Path, out: Path, rows: int) -> int:
    """Rows of the stage's largest partition (PARTITION_OF says which): ingest's largest output
    part; the largest of plan_partitions(input parts, rows) for the stages that map over
    partitions; sample_write's largest rendered part; pack's largest train shard of the mix."""
    if stage == "pack":
        from curation.mix.lock import read_lock

        return max((s.rows for s in read_lock(src / "mix.lock.json").shards if s.file.startswith("train/")), default=0)
    if stage == "ingest":
        return max(part_rows(out), default=0)
    if stage == "sample_write":
        return max(part_rows(src), default=0)
    from curation.partitions import plan_partitions

    parts = sorted((src / "sources" / SOURCE / "data").glob("*.parquet"))
    return max((p.rows for p in plan_partitions(parts, rows)), default=0)


def growth(small: dict, big: dict) -> float | None:
    """Peak RSS MiB added per 100,000 rows of the largest partition between the two sizes; None
    where the partition did not grow."""
    a, b = small.get("partition_rows"), big.get("partition_rows")
    if not a or not b or b == a:
        return None
    return (big["peak_rss_mib"] - small["peak_rss_mib"]) / (b - a) * 1e5


def rate_ratio(small: dict, big: dict) -> float:
    """MB/s per core at the big size over that at the small (above 1: the big partitions are faster)."""
    return big["mb_s_cpu"] / small["mb_s_cpu"]


def table(result: dict) -> str:
    """The per-stage markdown table: largest partition rows and peak RSS at each size, the growth
    per 100,000 rows, MB/s per core at each size and their ratio, the scale bench's Ray worker
    peak at 20,000 rows where known."""
    small, big = (str(s) for s in result["sizes"])
    s, b = f"{int(small):,}", f"{int(big):,}"
    lines = [
        f"| stage | largest partition rows, {s} | peak RSS MiB, {s} | largest partition rows, {b} "
        f"| peak RSS MiB, {b} | MiB per 100,000 rows | MB/s per core, {s} | MB/s per core, {b} "
        f"| rate {b} / {s} | tasks, {s} / {b} | Ray worker peak MiB, {s} (scale.md) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for stage in result["stages"]:
        x, y = stage["by_size"].get(small), stage["by_size"].get(big)
        if x is None or y is None or x.get("failed") or y.get("failed"):
            lines.append(f"| {stage['stage']} | " + " | ".join(_cells(x) + _cells(y)) + " | - | - | - | - | - | - |")
            continue
        g = growth(x, y)
        ray = stage.get("ray_worker_peak_mib_20000")
        lines.append(
            f"| {stage['stage']} | {x['partition_rows']:,} | {x['peak_rss_mib']:,.0f} | {y['partition_rows']:,} "
            f"| **{y['peak_rss_mib']:,.0f}** | {'-' if g is None else f'{g:,.0f}'} | {x['mb_s_cpu']:.1f} "
            f"| {y['mb_s_cpu']:.1f} | {rate_ratio(x, y):.2f} | {x['tasks']} / {y['tasks']} "
            f"| {'-' if ray is None else f'{ray:,.0f}'} |"
        )
    return "\n".join(lines)


def _cells(x: dict | None) -> list[str]:
    if x is None:
        return ["-", "-"]
    if x.get("failed"):
        return [f"{x['partition_rows']:,}" if x.get("partition_rows") else "-", f"failed: {x['failed']}"]
    return [f"{x['partition_rows']:,}", f"{x['peak_rss_mib']:,.0f}"]


def markdown(result: dict) -> str:
    c, plain = result["corpus"], result.get("plain_ingest")
    lines = [
        "# Memory and speed of one task at 20,000 and 250,000 rows per partition",
        "",
        f"Written {result['started']} on {result['machine']}, Python {result['python']}, git {result['git']}. "
        "Generated by `benchmarks/scale/part_memory.py` (see its docstring); raw numbers in `part_memory.json`. "
        f"Load average {_load(result['load_before'])} before, {_load(result['load_after'])} after (a shared machine).",
        "",
        "```",
        result["command"],
        "```",
        "",
        f"Corpus: `{result['corpus_dir']}` (one JSONL file, {c['docs']:,} documents, {c['text_bytes'] / 1e6:,.1f} MB "
        f"of text, {c['text_bytes'] / c['docs']:,.0f} bytes a document; benchmarks/scale/corpus.py), read as "
        f"`{result['ingested']}` (the same file, zstd: one ingest task, see below). Every stage serially in a fresh "
        "process pinned to core 0 (run.py's run_serial), each reading the previous stage's output, once with "
        "partitions of each size; the tiny warm-up corpus first, no untimed full-size warm run (this measures "
        f"memory). sample_write and pack with the project's default shards ({result['shard_rows']:,} rows) and "
        f"packing tasks ({result['pack_task_tokens'] / 2**20:.0f} Mi tokens) at both sizes.",
        "",
        "**What the peak includes:** the stage process's VmHWM, reset when its clock starts: the process's imports "
        "and warm-up, the driver's work and one task at a time (the serial executor), as a serial run. A Ray "
        "worker's peak in `scale.md` (imports, warm-up, its tasks one at a time; the driver apart) is comparable "
        "at 20,000 rows, and is given in the last column (the scale bench's 200 MB, 8-file corpus). Largest "
        "partition: " + "; ".join(f"{k}: {v}" for k, v in PARTITION_OF.items()) + ". MB/s per core = the stage's "
        "input text / its CPU seconds, first runs: read the ratio, not the digits.",
        "",
        table(result),
        "",
        "- MiB per 100,000 rows = (peak at 250,000 - peak at 20,000) / (largest partition rows at 250,000 - at "
        f"20,000) x 100,000: what a task holds per row it is handed, at ~{c['text_bytes'] / c['docs']:,.0f} bytes a "
        "document (longer documents: more per row). '-': the partition did not grow.",
    ]
    pack = next((x["by_size"] for x in result["stages"] if x["stage"] == "pack"), {})
    if all(not pack.get(str(n), {}).get("failed") and str(n) in pack for n in result["sizes"]):
        a, b = (pack[str(n)]["peak_rss_mib"] for n in result["sizes"])
        same = result.get("same_outputs", {})
        checked = "; the mix and the packed sequences are the same bytes at both sizes, checked" if same and all(
            same.values()
        ) else ""
        lines.append(
            "- pack is the control: neither its input, the mix, nor its tasks depend on the partition size (the "
            f"shards do not{checked}); its two peaks differ by {abs(b - a):,.0f} MiB. The "
            "scale bench's pack and sample_write ran smaller packing tasks and shards (stages.PACK_TASK_TOKENS, "
            "SHARD_ROWS): their Ray worker peaks are not these stages' at the project's defaults."
        )
    slow = [
        f"{x['stage']} at {int(n):,} ({r['wall_s'] / r['cpu_s']:.1f}x)"
        for x in result["stages"]
        for n, r in x["by_size"].items()
        if not r.get("failed") and r["wall_s"] > 1.2 * r["cpu_s"]
    ]
    if slow:
        lines.append(
            "- Wall over CPU seconds above 1.2 (the core shared with another process; memory is not affected, the "
            "CPU rates a little): " + ", ".join(slow) + "."
        )
    lines.append(
        "- Exact and near dedup cut their key and signature passes (bucket_keys, signature_partition) into "
        f"partitions of DEDUP_PARTITION_ROWS ({result.get('dedup_partition_rows', 0):,}) rows at both sizes "
        "(curation/dedup/exact_buckets.py; the `maps` in the JSON): only their last pass (run_partition, the kept "
        "rows written) takes the partition size, and their growth is that pass's."
    )
    if plain:
        lines.append(
            f"- The same corpus as a plain JSONL file ({plain['jsonl_mb']:,.0f} MB), ingested at "
            f"{plain['rows_per_part']:,} rows per part: {plain['ingest_tasks']} ingest tasks (64 MiB pieces), "
            f"{len(plain['part_rows'])} parts of at most **{max(plain['part_rows']):,} rows**. Every later stage "
            "writes one part per partition and no partition spans two parts, so from uncompressed JSONL of "
            "documents this size no task of any stage gets past that, whatever the partition size (a plain "
            "Parquet file is cut too, into 64 MiB runs of row groups): 250,000-row partitions come from "
            "compressed input files (read whole, a task each) or much shorter documents."
        )
    lines.append("")
    return "\n".join(lines)


def _load(load: list[float]) -> str:
    return " / ".join(f"{x:.2f}" for x in load)


def plain_ingest(work: Path, src: Path, rows: int, env: dict[str, str], reuse: bool) -> dict:
    """Ingest alone of the plain JSONL corpus SRC at `rows` rows per part: its tasks and parts."""
    base = work / f"part_memory_plain_rows{rows}"
    out, res = base / "ingest", base / "ingest.json"
    if not (reuse and res.is_file() and out.is_dir()):
        res.unlink(missing_ok=True)
        base.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["taskset", "-c", "0", scale_run.PY, scale_run.STAGES_PY, "serial", "ingest", str(src), str(out), str(res)],
            check=True,
            env=env,
        )
    r = json.loads(res.read_text())
    return {
        "rows_per_part": rows,
        "jsonl_mb": sum(p.stat().st_size for p in src.glob("*.jsonl")) / 1e6,
        "ingest_tasks": max(m["items"] for m in r["maps"] if m["fn"] == "ingest_file"),
        "maps": r["maps"],
        "part_rows": part_rows(out),
        "peak_rss_mib": r["peak_rss_mib"],
        "cpu_s": r["cpu_s"],
    }


def same_outputs(work: Path) -> dict[str, bool]:
    """Whether sample_write's mix and pack's sequences are the same bytes at both sizes (run.py's
    COMPARED files)."""
    import probe

    dirs = [work / f"part_memory_rows{n}" for n in SIZES]
    return {
        stage: probe.same_tree(dirs[0] / stage, dirs[1] / stage, scale_run.COMPARED[stage])[0]
        for stage in ("sample_write", "pack")
        if all((d / stage).is_dir() for d in dirs)
    }


def ray_worker_peaks() -> dict[str, float]:
    """stage -> the scale bench's Ray worker peak RSS MiB at 20,000 rows (scale.json), if any."""
    if not SCALE_RESULTS.is_file():
        return {}
    stages = json.loads(SCALE_RESULTS.read_text()).get("stages", [])
    return {s["stage"]: s["worker_peak_rss_mib"] for s in stages if s.get("worker_peak_rss_mib")}


def run_size(work: Path, src: Path, stats: dict, env: dict[str, str], rows: int, reuse: bool) -> dict[str, dict]:
    """Every stage at `rows` rows per partition: stage -> its record. A stage that fails ends the
    size (the next stages need its output): its record says so, with its largest partition."""
    name = f"part_memory_rows{rows}"
    inputs = {stage: src if k == 0 else work / name / scale_run.STAGES[k - 1] for k, stage in enumerate(scale_run.STAGES)}
    try:
        serial, inputs = scale_run.run_serial(work, src, env, reuse, name=name)
    except subprocess.CalledProcessError as e:
        serial = []
        for stage in scale_run.STAGES:
            res = work / name / f"{stage}.json"
            if not res.is_file():
                break
            serial.append(json.loads(res.read_text()))
        failed = scale_run.STAGES[len(serial)]
        print(f"{name} {failed}: failed, exit status {e.returncode}", flush=True)
        out = _records(work, name, serial, inputs, stats, rows)
        out[failed] = {
            "failed": f"exit status {e.returncode}",
            "partition_rows": largest_partition(failed, inputs[failed], work / name / failed, rows)
            if failed != "ingest"
            else None,
        }
        return out
    return _records(work, name, serial, inputs, stats, rows)


def _records(
    work: Path, name: str, serial: list[dict], inputs: dict[str, Path], stats: dict, rows: int
) -> dict[str, dict]:
    out = {}
    for s, row in zip(serial, scale_run.serial_rows(serial, inputs, stats), strict=True):
        stage = s["stage"]
        out[stage] = {
            "partition_rows": largest_partition(stage, inputs[stage], work / name / stage, rows),
            "tasks": sum(m["items"] for m in s["maps"]),
            "maps": s["maps"],
            "peak_rss_mib": s["peak_rss_mib"],
            "cpu_s": s["cpu_s"],
            "wall_s": s["wall_s"],
            "input_mb": row["input_mb"],
            "input_docs": row["input_docs"],
            "mb_s_cpu": row["input_mb"] / s["cpu_s"],
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, default=640, help="MB of text in the one-file corpus (> 250,000 documents)")
    ap.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "data" / "scale")
    ap.add_argument("--reuse", action="store_true", help="keep earlier stage results in --work (report again)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load0 = os.getloadavg()
    plain, stats = corpus.ensure_corpus(args.work, args.mb, files=1)
    src = compressed_corpus(plain)
    by_stage: dict[str, dict] = {s: {"stage": s, "by_size": {}} for s in scale_run.STAGES}
    for rows in SIZES:
        env = project_env(rows, plain)
        for stage, rec in run_size(args.work, src, stats, env, rows, args.reuse).items():
            by_stage[stage]["by_size"][str(rows)] = rec
    ray = ray_worker_peaks()
    for stage, rec in by_stage.items():
        rec["ray_worker_peak_mib_20000"] = ray.get(stage)
    result = {
        "started": started,
        "machine": f"{platform.machine()}, {os.cpu_count()} vCPUs, {_mem_gib():.0f} GiB",
        "python": platform.python_version(),
        "git": scale_run._git(),
        "load_before": load0,
        "command": " ".join([".venv/bin/python benchmarks/scale/part_memory.py", *sys.argv[1:]]),
        "sizes": list(SIZES),
        "shard_rows": DEFAULT_MAX_SHARD_ROWS,
        "pack_task_tokens": TASK_TOKENS,
        "dedup_partition_rows": DEDUP_PARTITION_ROWS,
        "corpus": stats,
        "corpus_dir": scale_run._shown(plain),
        "ingested": scale_run._shown(src),
        "stages": list(by_stage.values()),
        "same_outputs": same_outputs(args.work),
        "plain_ingest": plain_ingest(args.work, plain, SIZES[-1], project_env(SIZES[-1], plain), args.reuse),
    }
    result["load_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    args.out.with_suffix(".md").write_text(markdown(result))
    print(args.out.with_suffix(".md").read_text())


def _mem_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


if __name__ == "__main__":
    main()
