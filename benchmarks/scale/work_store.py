"""What the object-store work directory costs (curation/work_store.py): every stage of the scale
bench on one local Ray cluster, with the work directory on the disk every task sees ("shared") and
through a store, each task in a private directory of its own with its files downloaded from and
uploaded to the store, in alternating order round after round, on the serial run's inputs.

    .venv/bin/python benchmarks/scale/work_store.py [--work benchmarks/data/scale] [--cpus 2] [--rounds 3] [--s3]

Stores:
  file   a local directory (file://): the mechanism's own cost on this disk (finding the paths in the
         arguments, the walks, every byte a task reads or writes copied twice more)
  s3     with --s3, moto's S3 server on 127.0.0.1 in a process of its own: S3's API over HTTP,
         through s3fs as against AWS (moto is a Python server on the same two cores, so this is a
         pessimistic figure for the API's cost, not a measure of S3's bandwidth)

The first round uploads each stage's input (on a cluster the tasks of the stage before wrote it
there); the report gives the median of the later rounds. Each store's output is compared with the
shared run's, file by file. Writes benchmarks/results/work_store.{json,md}. Needs the serial run of
benchmarks/scale/run.py in WORK (made when missing).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

# run.py before anything imports corpus.py, which puts benchmarks/dedup (and its run.py) first on the path
import run as scale_run  # noqa: E402
from stages import STAGES, WARM_CORPUS_ENV  # noqa: E402

PY, RESULTS = scale_run.PY, scale_run.RESULTS

MODES = ("shared", "file", "s3")
S3_ENV = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}


def _digests(out: Path) -> dict[str, str]:
    """sha256 of every file of a stage's output but the ones naming the work directory's paths."""
    skip = ("mix.lock.json", "README.md", "summary.json")
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def child(plan_path: Path, result: Path, cpus: int, rounds: int, stores: dict[str, str]) -> None:
    """plan: [[stage, src], ...]; each stage in every mode of `stores` (+ "shared") each round."""
    import ray
    from stages import clear_output, run_stage, warm_up

    from curation.executor import Ray
    from curation.work_store import mirrored

    warm_up()
    from curation.executor import set_local_cluster_env

    set_local_cluster_env()  # as the project starts a local cluster
    ray.init(address="local", num_cpus=cpus, include_dashboard=False, log_to_driver=False)
    ray.get([ray.remote(num_cpus=1)(warm_up).remote() for _ in range(2 * cpus)])
    work = plan_path.parent
    records = []
    for r in range(rounds):
        modes = ["shared", *stores] if r % 2 == 0 else [*reversed(stores), "shared"]
        for stage, src in json.loads(plan_path.read_text()):
            for mode in modes:
                out = work / mode / stage
                clear_output(out)
                with mirrored(stores.get(mode), [work.parent]) as store:
                    t0 = time.perf_counter()
                    run_stage(stage, Path(src), out, Ray())
                    wall = time.perf_counter() - t0
                traffic = store.traffic if store is not None else {}
                records.append({"round": r, "stage": stage, "mode": mode, "wall_s": wall, **traffic})
                print(f"round {r} {stage} {mode}: {wall:.2f} s {traffic}", file=sys.stderr, flush=True)
            shared = _digests(work / "shared" / stage)
            for mode in stores:
                assert _digests(work / mode / stage) == shared, f"{stage}: {mode} differs from shared"
    ray.shutdown()
    result.write_text(json.dumps(records, indent=1))


def _moto(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.1)
    server.kill()
    raise SystemExit("moto_server did not start")


def markdown(result: dict) -> str:
    rows = result["records"]
    later = [r for r in rows if r["round"] > 0] or rows
    lines = [
        "# The object-store work directory's cost (benchmarks/scale/work_store.py)",
        "",
        f"{result['started']}, {result['machine']}, git {result['git']}; a local Ray cluster of "
        f"{result['cpus']} CPUs; the scale bench's {result['corpus_mb']} MB corpus, each stage on the "
        f"serial run's input; median of rounds 1-{result['rounds'] - 1} (round 0 also uploads each input).",
        "",
        "shared: the work directory on the disk every task sees. file: through a local directory as "
        "the store (the mechanism's own cost). s3: through moto's S3 server on 127.0.0.1 (S3's API over "
        "HTTP on the same two cores: pessimistic). Every store's output is the shared run's, file by file.",
        "",
        "| stage | shared s | file s | file / shared | s3 s | s3 / shared | MB up + down by the driver | MB tasks download (files + byte ranges) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for stage in STAGES:
        med = {}
        for mode in MODES:
            walls = sorted(r["wall_s"] for r in later if r["stage"] == stage and r["mode"] == mode)
            med[mode] = walls[len(walls) // 2] if walls else None
        if med["shared"] is None:
            continue
        moved = [r for r in later if r["stage"] == stage and r["mode"] == "file"]
        up_down = (moved[0]["uploaded"] + moved[0]["downloaded"]) / 1e6 if moved else 0
        fetched = moved[0]["task_downloads"] / 1e6 if moved else 0

        (fs, fr), (ss, sr) = _cell(med, "file"), _cell(med, "s3")
        lines.append(f"| {stage} | {med['shared']:.2f} | {fs} | {fr} | {ss} | {sr} | {up_down:.0f} | {fetched:.0f} |")
    lines += ["", "Raw numbers: [work_store.json](work_store.json).", ""]
    return "\n".join(lines)


def _cell(med: dict, mode: str) -> tuple[str, str]:
    """(seconds, ratio to shared) of a mode's median, or dashes where it did not run."""
    if med[mode] is None:
        return "-", "-"
    return f"{med[mode]:.2f}", f"{med[mode] / med['shared']:.2f}x"


def main() -> None:
    if sys.argv[1:2] == ["child"]:
        child(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), json.loads(sys.argv[6]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, default=200, help="MB of text in the scale bench's corpus")
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--rows-per-part", type=int, default=20000)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--s3", action="store_true", help="also through moto's S3 server")
    ap.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "data" / "scale")
    ap.add_argument("--out", type=Path, default=RESULTS / "work_store")
    args = ap.parse_args()
    work = args.work.resolve()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    src, stats = scale_run.corpus.ensure_corpus(work, args.mb, files=args.files)
    env = scale_run.child_env(args.rows_per_part) | {WARM_CORPUS_ENV: str(src)}
    _, inputs = scale_run.run_serial(work, src, env, True, name="serial_r0")
    bench = work / "work_store"
    bench.mkdir(parents=True, exist_ok=True)
    (bench / "file-store").mkdir(exist_ok=True)
    stores = {"file": f"file://{bench / 'file-store'}"}
    server = None
    if args.s3:
        port = _free_port()
        server = _moto(port)
        env |= S3_ENV | {"FSSPEC_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
        subprocess.run([PY, "-c", "import s3fs; s3fs.S3FileSystem().mkdir('bench')"], env=env, check=True)
        stores["s3"] = "s3://bench/work"
    plan = bench / "plan.json"
    plan.write_text(json.dumps([[s, str(inputs[s])] for s in STAGES]))
    res = bench / "result.json"
    try:
        subprocess.run(
            [PY, __file__, "child", str(plan), str(res), str(args.cpus), str(args.rounds), json.dumps(stores)],
            env=env,
            check=True,
        )
    finally:
        if server is not None:
            server.kill()
    result = {
        "started": started,
        "machine": f"{platform.machine()}, {os.cpu_count()} vCPUs",
        "git": scale_run._git(),
        "cpus": args.cpus,
        "rounds": args.rounds,
        "corpus_mb": args.mb,
        "corpus": stats,
        "records": json.loads(res.read_text()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    args.out.with_suffix(".md").write_text(markdown(result))
    print(f"wrote {args.out.with_suffix('.md')}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    main()
