"""Throughput of the default document quality chain, ours against datatrove, and of the chat chain.

    .venv/bin/python benchmarks/filters/chain_run.py --mb 64 --peer-docs 2000 --repeat 3

Document chain: GopherQuality -> GopherRepetition -> C4 -> FineWeb, each on the rows the
previous kept (contenders.py: `ours` = curation.filters, `datatrove` = datatrove 0.10.1's four
filters with their defaults, run under benchmarks/.venv-peers). Corpus: make_docs.py (web-like
documents, ~3 KB mean). datatrove is ~100x slower, so it runs on the first --peer-docs
documents and ours runs on those too: every ratio compares the same documents. Agreement:
the fraction of those documents that both keep or both drop.

Chat chain: ChatQuality -> IdentityFilter -> PiiFilter -> ReasoningPolicy (defaults) on the
chat rows of a `curate demo` run, repeated to --chat-mb MB of message text (content +
reasoning); no peer.

Every run is a fresh process pinned to one core (`taskset -c 0`), one thread everywhere
(POLARS/OMP/RAYON/ARROW/NUMBA = 1), interleaved (order rotated each round); medians.
MB/s per core = MB of UTF-8 text (10^6 bytes) / wall seconds of the filtering. Writes
benchmarks/results/<out>.md and .json (default out: filters).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import make_docs  # noqa: E402

RESULTS_DIR = ROOT / "benchmarks" / "results"
DATA_DIR = ROOT / "benchmarks" / "data"
WORK_ROOT = DATA_DIR / "work"
PEERS_PY = ROOT / "benchmarks" / ".venv-peers" / "bin" / "python"
CONTENDERS_PY = HERE / "contenders.py"


def chat_corpus(mb: int) -> Path:
    """Canonical chat rows of a demo run, repeated (with fresh ids) to `mb` MB of message text."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = DATA_DIR / f"filters_chat_{mb}mb.parquet"
    if path.exists():
        return path
    demo = WORK_ROOT / "filters-demo"
    if not (demo / "dedup" / "sources").exists():
        shutil.rmtree(demo, ignore_errors=True)
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "curate"), "demo", "--out", str(demo)], check=True, cwd=ROOT
        )
    parts = sorted((demo / "dedup" / "sources").glob("*/data/*.parquet"))
    table = pa.concat_tables([pq.read_table(p) for p in parts])
    table = table.filter(pc.equal(table.column("kind"), "chat"))
    flat = pc.list_flatten(table.column("messages")).combine_chunks()
    per_copy = int(pc.sum(pc.binary_length(flat.field("content"))).as_py() or 0)
    per_copy += int(pc.sum(pc.binary_length(flat.field("reasoning"))).as_py() or 0)
    copies = max(1, round(mb * 1e6 / per_copy))
    out = []
    for c in range(copies):
        ids = pc.binary_join_element_wise(table.column("id"), pa.scalar(f"{c}"), "#")
        out.append(table.set_column(table.schema.get_field_index("id"), "id", ids))
    pq.write_table(pa.concat_tables(out), path)
    print(f"wrote {path}: {table.num_rows} demo chat rows x {copies}", file=sys.stderr)
    return path


def run_one(contender: str, corpus: Path, docs: int, batch_rows: int, pin: str | None) -> tuple[dict, dict]:
    WORK_ROOT.mkdir(parents=True, exist_ok=True)
    out = WORK_ROOT / f"filters-{contender}-{uuid.uuid4().hex[:8]}.json"
    env = os.environ.copy()
    for var in (
        "POLARS_MAX_THREADS",
        "OMP_NUM_THREADS",
        "RAYON_NUM_THREADS",
        "ARROW_NUM_THREADS",
        "NUMBA_NUM_THREADS",
    ):
        env[var] = "1"
    env["HF_HUB_OFFLINE"] = "1"
    env["PYTHONPATH"] = "" if contender == "datatrove" else str(ROOT)
    py = PEERS_PY if contender == "datatrove" else ROOT / ".venv" / "bin" / "python"
    cmd = [str(py), str(CONTENDERS_PY), contender, str(corpus), str(docs), str(out), str(batch_rows)]
    if pin is not None:
        cmd = ["taskset", "-c", pin, *cmd]
    load = os.getloadavg()[0]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"{contender} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
        )
    result = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
    verdict = json.loads(out.read_text())
    out.unlink()
    result.update(pinned=pin, loadavg_1m_before=load, mb=result["bytes"] / 1e6)
    result["mb_s"] = result["mb"] / result["wall_s"]
    result["mb_s_cpu"] = result["mb"] / result["cpu_s"]
    return result, verdict


def agreement(ours: dict, peer: dict) -> dict:
    keys = list(peer)
    same = sum((ours[k] == "kept") == (peer[k] == "kept") for k in keys)
    pairs = collections.Counter(
        (
            ours[k].split(":")[0] if ours[k] != "kept" else "kept",
            peer[k].split(":")[0] if peer[k] != "kept" else "kept",
        )
        for k in keys
    )
    only_peer = collections.Counter(peer[k] for k in keys if ours[k] == "kept" and peer[k] != "kept")
    only_ours = collections.Counter(ours[k] for k in keys if peer[k] == "kept" and ours[k] != "kept")
    return {
        "docs": len(keys),
        "same_keep_drop": same,
        "agreement": same / len(keys),
        "ours_dropped": sum(ours[k] != "kept" for k in keys),
        "peer_dropped": sum(peer[k] != "kept" for k in keys),
        "stage_pairs": {f"{a} | {b}": n for (a, b), n in pairs.most_common()},
        "dropped_only_by_peer": dict(only_peer.most_common(10)),
        "dropped_only_by_ours": dict(only_ours.most_common(10)),
    }


def med(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def med_filters(runs: list[dict]) -> dict:
    return {
        name: statistics.median(r["per_filter_s"][name] for r in runs) for name in runs[0]["per_filter_s"]
    }


def render(data: dict) -> str:
    s = data["summary"]
    lines = [
        "# Filter chains: throughput",
        "",
        f"Run {data['when']} on {data['machine']}; one core each (`taskset -c 0`), one thread, "
        f"{data['args']['repeat']} interleaved rounds (datatrove: {data['args']['peer_repeat']}), medians. "
        "Generated by `benchmarks/filters/chain_run.py`; raw numbers in `filters.json`.",
        "",
        "## Document chain: GopherQuality -> GopherRepetition -> C4 -> FineWeb",
        "",
        f"Corpus: `make_docs.py --mb {data['args']['mb']}` ({s['ours_full']['docs']} web-like documents, "
        f"{s['ours_full']['mb']:.1f} MB). datatrove 0.10.1 runs on the first {s['peer']['docs']} documents "
        f"({s['peer']['mb']:.1f} MB); ours runs on those too.",
        "",
        "| contender | documents | MB | wall s | MB/s per core | MB/s per CPU-s | dropped | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in (
        ("ours_full", "ours (whole corpus)"),
        ("ours_peer", "ours (peer subset)"),
        ("peer", "datatrove"),
    ):
        r = s[key]
        lines.append(
            f"| {label} | {r['docs']} | {r['mb']:.1f} | {r['wall_s']:.2f} | **{r['mb_s']:.2f}** | {r['mb_s_cpu']:.2f} "
            f"| {r['dropped']} | {r['vmhwm_mib']:.0f} |"
        )
    lines += [
        "",
        f"**Speed ratio (ours / datatrove, same documents): {s['ratio']:.0f}x.** "
        f"Target >= 20 MB/s per core for the heuristic chain: ours {s['ours_full']['mb_s']:.1f} MB/s "
        f"(whole corpus).",
        "",
        "Seconds per filter (median; each filter sees only the rows the previous ones kept):",
        "",
        "| filter | ours (whole corpus) | ours (peer subset) | datatrove | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in s["ours_full"]["per_filter_s"]:
        a, b, c = (s[k]["per_filter_s"][name] for k in ("ours_full", "ours_peer", "peer"))
        lines.append(f"| {name} | {a:.2f} | {b:.3f} | {c:.2f} | {c / b:.0f}x |")
    ag = s["agreement"]
    lines += [
        "",
        f"**Agreement** (same keep/drop decision on the {ag['docs']} documents): **{ag['agreement']:.1%}**; "
        f"ours drops {ag['ours_dropped']}, datatrove {ag['peer_dropped']}.",
        "",
        "| first dropped by (ours) | first dropped by (datatrove) | documents |",
        "|---|---|---:|",
    ]
    lines += [f"| {k} | {v} |" for k, v in ag["stage_pairs"].items()]
    lines += ["", "Dropped by datatrove only (its reason):", ""]
    lines += [f"- `{k}`: {v}" for k, v in ag["dropped_only_by_peer"].items()]
    lines += ["", "Dropped by ours only (our reason):", ""]
    lines += [f"- `{k}`: {v}" for k, v in ag["dropped_only_by_ours"].items()]
    c = s["chat"]
    lines += [
        "",
        "## Chat chain: ChatQuality -> IdentityFilter -> PiiFilter -> ReasoningPolicy",
        "",
        f"Rows: the chat rows of a `curate demo` run, repeated to {c['mb']:.1f} MB of message text "
        f"(content + reasoning), {c['docs']} rows, batches of {c['batch_rows']} rows. No peer.",
        "",
        "| chain | rows | MB | wall s | MB/s per core | MB/s per CPU-s | dropped |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| chat | {c['docs']} | {c['mb']:.1f} | {c['wall_s']:.2f} | **{c['mb_s']:.2f}** | {c['mb_s_cpu']:.2f} "
        f"| {c['dropped']} |",
        "",
        "| filter | seconds |",
        "|---|---:|",
    ]
    lines += [f"| {k} | {v:.2f} |" for k, v in c["per_filter_s"].items()]
    if data.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in data["notes"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, default=64, help="document corpus size (MB of text)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--peer-docs", type=int, default=2000, help="documents datatrove (and ours) run on")
    ap.add_argument("--chat-mb", type=int, default=32)
    ap.add_argument("--batch-rows", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peer-repeat", type=int, default=1)
    ap.add_argument("--out", default="filters")
    ap.add_argument("--note", action="append", default=[])
    ap.add_argument("--render-only", action="store_true")
    args = ap.parse_args()
    out_json = RESULTS_DIR / f"{args.out}.json"
    if args.render_only:
        data = json.loads(out_json.read_text())
        (RESULTS_DIR / f"{args.out}.md").write_text(render(data))
        return
    corpus = make_docs.corpus_path(args.mb, args.seed)
    if not corpus.exists():
        make_docs.make_corpus(args.mb, args.seed)
    chat = chat_corpus(args.chat_mb)
    pin = "0" if shutil.which("taskset") else None
    runs: dict[str, list] = collections.defaultdict(list)
    verdicts: dict[str, dict] = {}
    plan = [
        ("ours_full", "ours", corpus, 10**9),
        ("ours_peer", "ours", corpus, args.peer_docs),
        ("peer", "datatrove", corpus, args.peer_docs),
        ("chat", "chat", chat, 10**9),
    ]
    for rnd in range(args.repeat):
        order = plan[rnd % len(plan) :] + plan[: rnd % len(plan)]
        for key, contender, path, docs in order:
            if key == "peer" and rnd >= args.peer_repeat:
                continue
            t0 = time.perf_counter()
            result, verdict = run_one(contender, path, docs, args.batch_rows, pin)
            runs[key].append(result)
            verdicts.setdefault(key, verdict)
            print(
                f"round {rnd} {key}: {result['mb']:.1f} MB in {result['wall_s']:.2f} s = {result['mb_s']:.2f} MB/s "
                f"({time.perf_counter() - t0:.0f} s with start-up)",
                file=sys.stderr,
            )
    summary = {}
    for key, rs in runs.items():
        summary[key] = {
            "docs": rs[0]["docs"],
            "mb": rs[0]["mb"],
            "wall_s": med(rs, "wall_s"),
            "cpu_s": med(rs, "cpu_s"),
            "mb_s": med(rs, "mb_s"),
            "mb_s_cpu": med(rs, "mb_s_cpu"),
            "dropped": rs[0]["dropped"],
            "vmhwm_mib": max(r["vmhwm_mib"] for r in rs),
            "per_filter_s": med_filters(rs),
            "batch_rows": rs[0]["batch_rows"],
        }
    summary["ratio"] = summary["ours_peer"]["mb_s"] / summary["peer"]["mb_s"]
    summary["agreement"] = agreement(verdicts["ours_peer"], verdicts["peer"])
    data = {
        "when": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "args": vars(args),
        "summary": summary,
        "runs": runs,
        "notes": args.note,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(data, indent=1) + "\n")
    (RESULTS_DIR / f"{args.out}.md").write_text(render(data))
    print(f"wrote {RESULTS_DIR / args.out}.md", file=sys.stderr)


if __name__ == "__main__":
    main()
