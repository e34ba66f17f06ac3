"""Token counting throughput: ours (count_batch over an Arrow column) against raw tiktoken.

    .venv/bin/python benchmarks/tokens/make_corpus.py --mb 64
    .venv/bin/python benchmarks/tokens/run.py --mb 64 --repeat 3

The same text (make_corpus.py: real English paragraphs of the public fixtures), the same
Qwen3 vocabulary, at 1 thread (pinned to one core: MB/s per core) and 2 threads (2 cores).

    tiktoken_raw   tiktoken.Encoding over the same ranks, pattern and specials,
                   `encode_ordinary_batch(list_of_str, num_threads=N)`, then len() of each
                   list: the practical limit of tiktoken's own batch API (no NFC, no Arrow)
    ours_ordinary  get_tokenizer("qwen3").count_batch(arrow_column, allow_special=False, threads=N)
    ours_special   the same with allow_special=True (special-token text as single ids)
    hf_tokenizers  `tokenizers` encode_batch on a Qwen tokenizer.json (--hf-tokenizer PATH),
                   only when the package and the file are there

Every contender runs in a fresh process; runs are interleaved (the order rotates each
round); medians. The clock covers only the counting: the corpus is loaded first in the
contender's own form (a list of str for tiktoken and tokenizers, the Arrow column for ours).
Writes benchmarks/results/<out>.md and <out>.json (default out: tokens).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
CONTENDERS = ("tiktoken_raw", "ours_ordinary", "ours_special", "hf_tokenizers")


def child(contender: str, corpus: Path, threads: int, hf_path: str | None) -> dict:
    import pyarrow.parquet as pq

    column = pq.read_table(corpus, columns=["text"]).column("text")
    n_bytes = sum(_text_bytes(chunk) for chunk in column.chunks)
    if contender == "tiktoken_raw":
        import tiktoken

        from curation.tokens import qwen

        vocab = qwen.qwen3()
        enc = tiktoken.Encoding(
            "qwen3-raw",
            pat_str=vocab.pat_str,
            mergeable_ranks=vocab.mergeable_ranks,
            special_tokens=vocab.special_tokens,
        )
        texts = column.to_pylist()
        enc.encode_ordinary_batch(texts[:200], num_threads=threads)

        def work() -> int:
            return sum(len(ids) for ids in enc.encode_ordinary_batch(texts, num_threads=threads))
    elif contender in ("ours_ordinary", "ours_special"):
        from curation.tokens import get_tokenizer

        tok = get_tokenizer("qwen3")
        allow = contender == "ours_special"
        tok.count_batch(column.slice(0, 200), allow_special=allow, threads=threads)

        def work() -> int:
            return int(tok.count_batch(column, allow_special=allow, threads=threads).sum())
    elif contender == "hf_tokenizers":
        os.environ["RAYON_NUM_THREADS"] = str(threads)
        from tokenizers import Tokenizer

        hf = Tokenizer.from_file(hf_path)
        texts = column.to_pylist()
        hf.encode_batch(texts[:200], add_special_tokens=False)

        def work() -> int:
            return sum(len(e.ids) for e in hf.encode_batch(texts, add_special_tokens=False))
    else:
        raise ValueError(f"unknown contender {contender!r}")
    cpu0, t0 = _cpu_seconds(), time.perf_counter()
    tokens = work()
    seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - cpu0
    return {
        "contender": contender,
        "threads": threads,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "tokens": tokens,
        "bytes": n_bytes,
    }


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _text_bytes(chunk) -> int:
    import numpy as np

    kind = np.int64 if str(chunk.type) == "large_string" else np.int32
    offsets = np.frombuffer(chunk.buffers()[1], dtype=kind)[chunk.offset : chunk.offset + len(chunk) + 1]
    return int(offsets[-1] - offsets[0])


def run_one(contender: str, corpus: Path, threads: int, hf_path: str | None) -> dict:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        contender,
        "--corpus",
        str(corpus),
        "--threads",
        str(threads),
    ]
    if hf_path:
        cmd += ["--hf-tokenizer", hf_path]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", ",".join(str(c) for c in range(threads)), *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{contender} (threads={threads}) failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def hf_available(hf_path: str | None) -> bool:
    if not hf_path or not Path(hf_path).is_file():
        return False
    try:
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return True


def render_md(doc: dict) -> str:
    lines = [
        "# Token counting benchmark: ours vs raw tiktoken",
        "",
        f"Run {doc['when']} on {doc['cpus']} cores ({doc['machine']}), Python {doc['python']}, "
        f"tiktoken {doc['tiktoken']}, pyarrow {doc['pyarrow']}; git {doc['commit']}.",
        "",
        "```",
        doc["command"],
        "```",
        "",
        f"Corpus: `{doc['corpus']}` ({doc['rows']:,} rows, {doc['bytes'] / 1e6:.1f} MB of UTF-8 English text, "
        "real paragraphs of the public fixtures recombined by make_corpus.py). Tokenizer: Qwen3 "
        "(qwen.tiktoken ranks + Qwen3's added tokens). Each run is a fresh process pinned to as many "
        "cores as threads (`taskset`); runs interleaved; medians of "
        f"{doc['repeat']}. MB = 1e6 bytes of UTF-8 text; the clock covers counting only.",
        "",
        "| contender | threads | MB/s (wall) | MB/s per core (wall) | vs tiktoken_raw (wall) | MB per CPU-second "
        "| vs tiktoken_raw (CPU) | tokens | bytes/token | wall seconds per run |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in doc["rows_out"]:
        lines.append(
            f"| {row['contender']} | {row['threads']} | {row['mb_s']:.2f} | {row['mb_s_per_core']:.2f} | "
            f"{row['vs_raw']:.2f}x | {row['mb_cpu_s']:.2f} | {row['vs_raw_cpu']:.2f}x | {row['tokens']:,} | {row['bytes_per_token']:.2f} | "
            f"{', '.join(f'{s:.2f}' for s in row['seconds'])} |"
        )
    lines += [
        "",
        "- MB/s (wall) = text MB / median wall seconds of the counting; per core = divided by threads. "
        "MB per CPU-second = text MB / median CPU seconds (user + system) the process spent counting: "
        "less sensitive than wall time to other load on a shared machine, and equal to per-core throughput "
        "when threads scale perfectly.",
        *[f"- {n}" for n in doc["notes"]],
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument(
        "--hf-tokenizer", default=None, help="a Qwen tokenizer.json for the hf_tokenizers contender"
    )
    ap.add_argument("--out", default="tokens")
    ap.add_argument("--note", action="append", default=[])
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--corpus", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, Path(args.corpus), int(args.threads), args.hf_tokenizer)))
        return

    corpus = DATA / f"tokens_{args.mb}mb_seed{args.seed}.parquet"
    if not corpus.exists():
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("make_corpus.py")),
                "--mb",
                str(args.mb),
                "--seed",
                str(args.seed),
            ],
            check=True,
        )
    contenders = [c for c in CONTENDERS if c != "hf_tokenizers" or hf_available(args.hf_tokenizer)]
    thread_counts = [int(t) for t in args.threads.split(",")]
    runs: dict[tuple[str, int], list[dict]] = {}
    for r in range(args.repeat):
        for threads in thread_counts:
            order = contenders[r % len(contenders) :] + contenders[: r % len(contenders)]
            for contender in order:
                res = run_one(contender, corpus, threads, args.hf_tokenizer)
                runs.setdefault((contender, threads), []).append(res)
                print(
                    f"round {r} {contender:14s} t={threads} {res['bytes'] / 1e6 / res['seconds']:.2f} MB/s",
                    flush=True,
                )

    import pyarrow
    import pyarrow.parquet as pq
    import tiktoken

    rows_out = []
    for threads in thread_counts:
        raw_s = statistics.median(x["seconds"] for x in runs[("tiktoken_raw", threads)])
        raw_cpu = statistics.median(x["cpu_seconds"] for x in runs[("tiktoken_raw", threads)])
        for contender in contenders:
            rs = runs[(contender, threads)]
            secs = statistics.median(x["seconds"] for x in rs)
            cpu = statistics.median(x["cpu_seconds"] for x in rs)
            mb_s = rs[0]["bytes"] / 1e6 / secs
            rows_out.append(
                {
                    "contender": contender,
                    "threads": threads,
                    "mb_s": mb_s,
                    "mb_s_per_core": mb_s / threads,
                    "vs_raw": raw_s / secs,
                    "mb_cpu_s": rs[0]["bytes"] / 1e6 / cpu,
                    "vs_raw_cpu": raw_cpu / cpu,
                    "tokens": rs[0]["tokens"],
                    "bytes_per_token": rs[0]["bytes"] / rs[0]["tokens"],
                    "seconds": [x["seconds"] for x in rs],
                }
            )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "curation"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    notes = list(args.note)
    if "hf_tokenizers" not in contenders:
        notes.append(
            "hf_tokenizers not run: the `tokenizers` package is not installed here or no Qwen tokenizer.json "
            "was given (--hf-tokenizer PATH); the machine has no network to fetch one."
        )
    tok_counts = {r["tokens"] for r in rows_out if r["contender"] != "hf_tokenizers"}
    notes.append(
        "Token totals: "
        + (
            "identical for every contender (the corpus is NFC and holds no special-token text)."
            if len(tok_counts) == 1
            else f"differ: {sorted(tok_counts)} (NFC or special-token text)."
        )
    )
    doc = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "tiktoken": tiktoken.__version__,
        "pyarrow": pyarrow.__version__,
        "commit": commit + (" (curation/ modified)" if dirty.strip() else ""),
        "command": " ".join([".venv/bin/python", "benchmarks/tokens/run.py", *sys.argv[1:]]),
        "corpus": str(corpus.relative_to(ROOT)),
        "rows": pq.read_metadata(corpus).num_rows,
        "bytes": runs[("tiktoken_raw", thread_counts[0])][0]["bytes"],
        "repeat": args.repeat,
        "rows_out": rows_out,
        "notes": notes,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(doc, indent=1) + "\n")
    (RESULTS / f"{args.out}.md").write_text(render_md(doc))
    print(render_md(doc))


if __name__ == "__main__":
    main()
