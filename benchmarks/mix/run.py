"""The distill-mix build end to end on >= 100M raw tokens: wall, peak RSS, per-step seconds, and
end-to-end tokens/s as a fraction of tokenization-only tokens/s on the same text.

    .venv/bin/python benchmarks/mix/run.py [--scale 1.0] [--workers 1,2] [--out mix]

Builds benchmarks/mix/distill-12m-bench.yaml (mixes/wind-edge-1.6-distill-12m.yaml on the
generated sources of make_sources.py, made first when missing) with `build_mix`, once per
worker count and examine mode, each in a fresh process, and after each build counts tokens alone
in another fresh process:

- wall: the build process from exec to exit (imports included; `curate mix build` pays them
  too); build s: the `build_mix` call alone. Per-step seconds: between the timestamps of
  build_mix's progress messages (ingest of all sources, dedup, filter, render, sample, write).
- peak RSS: the build's process tree (the build and any pool workers it starts), summed RSS
  polled from /proc every 50 ms (psutil), and the build process's own VmHWM.
- tokens: T = the qwen3 tokens of every row the filters kept, rendered (sum of `n_tokens` over
  the render run of the `--examine all` build: the rendered text of every row that could be
  sampled). Tokenization-only: one fresh process reads those rendered texts and times
  `count_batch` over them (qwen3, default threads), right after each build, so that both see the
  shared machine alike; it must count exactly T. Ratio = (T / build wall) / (T / count s) =
  count s / build wall: the share of the practical limit (tokenizing the mix's candidate text
  once) the build reaches.
- examine: each worker count builds with `--examine all` (every kept row rendered) and then
  `--examine needed` (only the rows before each source's sampling frontier rendered:
  curation/mix/frontier.py); both are timed against the same T, each against its own count, and
  must give the same shards.

Writes benchmarks/results/<out>.md and <out>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
MANIFEST = HERE / "distill-12m-bench.yaml"
REAL_MANIFEST = ROOT / "mixes" / "wind-edge-1.6-distill-12m.yaml"
RESULTS = ROOT / "benchmarks" / "results"
STEPS = ("ingest", "dedup", "filter", "render", "sample", "write")


# --- children ---------------------------------------------------------------------------------


def child_build(manifest: Path, out: Path, work: Path, workers: int, report: Path, examine: str) -> None:
    t_exec = float(os.environ["MIX_BENCH_T0"])
    from curation.executor import shutdown_pools
    from curation.mix.build import build_mix
    from curation.mix.manifest import load_manifest
    from curation.report import load_summary

    m = load_manifest(manifest)
    marks: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    lock = build_mix(m, out, work, workers, progress=lambda msg: marks.append((msg, time.perf_counter())), examine=examine)
    t1 = time.perf_counter()
    shutdown_pools(terminate=True)  # as `curate mix build` does once the mix is written
    steps: dict[str, float] = {}
    for (msg, at), (_, nxt) in zip(marks, [*marks[1:], ("end", t1)], strict=True):
        key = msg.split()[0]
        steps[key] = steps.get(key, 0.0) + nxt - at
    hwm = _vm_hwm_kb(os.getpid())
    report.write_text(
        json.dumps(
            {
                "build_s": t1 - t0,
                "import_s": time.time() - (t1 - t0) - t_exec - (time.perf_counter() - t1),
                "steps": steps,
                "before_first_step_s": (marks[0][1] - t0) if marks else None,
                "vm_hwm_kb": hwm,
                "totals": lock.totals.model_dump(mode="json"),
                "shards": [s.sha256 for s in lock.shards],
                "rendered_rows": load_summary(work / "render").totals.kept,
                "not_examined_rows": sum(s.rows_not_examined for s in lock.sources),
                "t_exec": t_exec,
            }
        )
    )


def child_count(render_run: Path, report: Path) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from curation.tokens import get_tokenizer

    parts = sorted(render_run.glob("sources/*/data/part-*.parquet"))
    table = pa.concat_tables(pq.read_table(p, columns=["text", "n_tokens"]) for p in parts)
    texts = table.column("text").combine_chunks()
    tok = get_tokenizer("qwen3")
    tok.count_batch(texts.slice(0, 200))  # warm-up (lazy tables, thread pool)
    t0 = time.perf_counter()
    counts = tok.count_batch(texts)
    dt = time.perf_counter() - t0
    report.write_text(
        json.dumps(
            {
                "count_s": dt,
                "rows": table.num_rows,
                "tokens": int(counts.sum()),
                "n_tokens_sum": int(pc.sum(table.column("n_tokens")).as_py()),
                "bytes": int(pc.sum(pc.binary_length(texts)).as_py()),
            }
        )
    )


def _vm_hwm_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


# --- parent -------------------------------------------------------------------------------------


class TreePeak:
    """Peak summed RSS (bytes) of a process and its descendants, polled every 50 ms."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.peak = 0
        self.peak_procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):  # a worker that just exited
                        total += p.memory_info().rss
                if total > self.peak:
                    self.peak, self.peak_procs = total, len(procs)
            except psutil.Error:
                pass
            self._stop.wait(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _run_child(args: list[str], env: dict | None = None) -> tuple[float, int, int]:
    """(wall s, peak tree RSS bytes, processes at the peak) of one child run."""
    env = {**os.environ, **(env or {}), "MIX_BENCH_T0": str(time.time())}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, *args], env=env)
    peak = TreePeak(proc.pid)
    rc = proc.wait()
    wall = time.perf_counter() - t0
    peak.stop()
    if rc != 0:
        raise SystemExit(f"child {args[:2]} failed with exit code {rc}")
    return wall, peak.peak, peak.peak_procs


def bench_manifest(scale: float, seed: int) -> Path:
    """The benchmark manifest for this data size (the committed one at full size), after checking
    that everything but the sources' locations is the real manifest's."""
    import yaml
    from make_sources import FILES, build, data_dir

    data = data_dir(scale, seed)
    if not (data / "sources.json").is_file():
        build(scale, seed)
    bench = yaml.safe_load(MANIFEST.read_text())
    real = yaml.safe_load(REAL_MANIFEST.read_text())
    for key in set(real) | set(bench):
        if key not in ("sources", "demo_budget_tokens") and real.get(key) != bench.get(key):
            raise SystemExit(f"{MANIFEST.name}: {key!r} differs from {REAL_MANIFEST.name}; keep them in sync")
    keep = ("name", "weight", "max_epochs", "priority")
    if [{k: s.get(k) for k in keep} for s in real["sources"]] != [
        {k: s.get(k) for k in keep} for s in bench["sources"]
    ]:
        raise SystemExit(
            f"{MANIFEST.name}: sources' weights/epochs/priorities differ from {REAL_MANIFEST.name}"
        )
    if (scale, seed) == (1.0, 0):
        return MANIFEST
    bench["budget_tokens"] = int(12_000_000 * scale)  # the same share of the raw tokens as at full size
    for s in bench["sources"]:
        s["location"] = str(data / FILES[s["name"]])
    path = data / "distill-12m-bench.yaml"
    path.write_text(yaml.safe_dump(bench, sort_keys=False))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts, one build each")
    ap.add_argument("--examine", default="all,needed", help="comma-separated build modes (all first), one build each")
    ap.add_argument("--out", default="mix")
    ap.add_argument("--keep", action="store_true", help="keep the built mixes and work dirs")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            child_build(Path(rest[0]), Path(rest[1]), Path(rest[2]), int(rest[3]), Path(rest[4]), rest[5])
        else:
            child_count(Path(rest[0]), Path(rest[1]))
        return

    from make_sources import data_dir

    manifest = bench_manifest(args.scale, args.seed)
    sources = json.loads((data_dir(args.scale, args.seed) / "sources.json").read_text())
    scratch = ROOT / "benchmarks" / "data" / "mix_runs"
    runs = []
    modes = args.examine.split(",")
    if modes[0] != "all":
        raise SystemExit("--examine: the first mode must be all (its rendered run is what the count times)")
    for workers in [int(w) for w in args.workers.split(",")]:
        counted_run = None  # the `all` build's render run: the text every count times
        for examine in modes:
            out, work = scratch / f"out_w{workers}_{examine}", scratch / f"work_w{workers}_{examine}"
            report = scratch / f"build_w{workers}_{examine}.json"
            scratch.mkdir(parents=True, exist_ok=True)
            subprocess.run(["rm", "-rf", str(out), str(work)], check=True)
            wall, peak, procs = _run_child(
                ["--child", "build", str(manifest), str(out), str(work), str(workers), str(report), examine]
            )
            built = json.loads(report.read_text())
            if counted_run is None:  # the text of every row the filters kept, rendered: what `all` renders
                counted_run = work / "render"
            # Timed right after this build, so both see the shared machine in the same state (counts
            # timed minutes apart have differed by 1.7x here).
            count_report = scratch / f"count_w{workers}_{examine}.json"
            _run_child(["--child", "count", str(counted_run), str(count_report)])
            counted = json.loads(count_report.read_text())
            if counted["tokens"] != counted["n_tokens_sum"]:
                print(
                    f"warning: count_batch gives {counted['tokens']:,} tokens, the render run's n_tokens sum "
                    f"{counted['n_tokens_sum']:,}",
                    file=sys.stderr,
                )
            run = {
                "workers": workers,
                "examine": examine,
                "wall_s": wall,
                "peak_tree_rss_bytes": peak,
                "processes_at_peak": procs,
                **built,
                "count": counted,
                "e2e_tokens_per_s": counted["n_tokens_sum"] / wall,
                "count_tokens_per_s": counted["tokens"] / counted["count_s"],
                "ratio": counted["count_s"] / wall,
                "ratio_build_only": counted["count_s"] / built["build_s"],
            }
            runs.append(run)
            print(_row(run), flush=True)
            if not args.keep:
                subprocess.run(["rm", "-rf", str(out)], check=True)
                if work / "render" != counted_run:
                    subprocess.run(["rm", "-rf", str(work)], check=True)
        if not args.keep:
            subprocess.run(["rm", "-rf", str(counted_run.parent)], check=True)
    if len({tuple(r["shards"]) for r in runs}) > 1:
        print("warning: the worker counts gave different shards", file=sys.stderr)
    result = {
        "scale": args.scale,
        "seed": args.seed,
        "raw_tokens": sources["raw_tokens"],
        "sources": sources["sources"],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "runs": runs,
        # None with one run: nothing to compare
        "same_shards": len({tuple(r["shards"]) for r in runs}) == 1 if len(runs) > 1 else None,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"{args.out}.md").write_text(render_md(result))
    print(f"wrote {RESULTS / (args.out + '.md')}")


def _row(r: dict) -> str:
    return (
        f"workers={r['workers']} examine={r['examine']} wall {r['wall_s']:.1f} s (build {r['build_s']:.1f} s) peak RSS "
        f"{r['peak_tree_rss_bytes'] / 2**30:.2f} GiB, {r['count']['n_tokens_sum']:,} rendered tokens, "
        f"ratio {r['ratio']:.1%}; steps " + ", ".join(f"{k} {v:.1f}" for k, v in r["steps"].items())
    )


def render_md(res: dict) -> str:
    lines = [
        "# Mix build: wind-edge-1.6-distill-12m on generated sources",
        "",
        f"`benchmarks/mix/run.py --scale {res['scale']:g}`: `build_mix` of `benchmarks/mix/distill-12m-bench.yaml` "
        f"(the real manifest's budget, weights, dedup, filters and template) on {res['raw_tokens']:,} raw qwen3 "
        f"tokens of generated sources in 7 public schemas ({res['machine']['cpus']} CPUs, Python "
        f"{res['machine']['python']}). Targets: wall <= 180 s, peak RSS <= 4 GB, ratio >= 50%.",
        "",
        "| workers | examine | wall s | build s | peak RSS (tree) GiB | VmHWM GiB | candidate rows (T's rows) | "
        "T: candidate tokens | rows rendered | e2e tokens/s (T / wall) | count-only tokens/s | ratio | "
        "ratio to the run's fastest count | shards same |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    fastest = min(r["count"]["count_s"] for r in res["runs"])
    for r in res["runs"]:
        c = r["count"]
        lines.append(
            f"| {r['workers']} | {r['examine']} | {r['wall_s']:.1f} | {r['build_s']:.1f} | "
            f"{r['peak_tree_rss_bytes'] / 2**30:.2f} | {r['vm_hwm_kb'] / 2**20:.2f} | {c['rows']:,} | "
            f"{c['n_tokens_sum']:,} | {r['rendered_rows']:,} | {r['e2e_tokens_per_s']:,.0f} | "
            f"{r['count_tokens_per_s']:,.0f} | {r['ratio']:.1%} | {fastest / r['wall_s']:.1%} | "
            f"{ {True: 'yes', False: 'NO', None: 'n/a'}[res['same_shards']] } |"
        )
    lines += [
        "",
        "ratio: the count timed right after that build / the build's wall. The count alone moves with "
        "the shared machine (see count-only tokens/s): the last column divides the fastest count of this "
        "run by each wall, a bound that a slow count cannot flatter.",
        "",
        "Seconds per step (between build_mix's progress messages):",
        "",
        "| workers | examine | " + " | ".join(STEPS) + " | imports + manifest |",
        "|---" * (len(STEPS) + 3) + "|",
    ]
    for r in res["runs"]:
        other = r["wall_s"] - r["build_s"]
        lines.append(
            f"| {r['workers']} | {r['examine']} | "
            + " | ".join(f"{r['steps'].get(s, 0):.1f}" for s in STEPS)
            + f" | {other:.1f} |"
        )
    lines += [
        "",
        "Sources (raw = qwen3 tokens of the text fields as generated):",
        "",
        "| source | file | rows | raw tokens | MB | planted |",
        "|---|---|---|---|---|---|",
    ]
    for s in res["sources"]:
        planted = ", ".join(f"{k} {v}" for k, v in s["planted"].items())
        lines.append(
            f"| {s['name']} | {s['file']} | {s['rows']:,} | {s['raw_tokens']:,} | {s['bytes'] / 1e6:.0f} | {planted} |"
        )
    t = res["runs"][0]["totals"]
    lines += [
        "",
        f"Mix: {t['tokens']:,} tokens (budget {t['budget_tokens']:,}) in {t['rows']:,} rows, {t['shards']} shards.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
