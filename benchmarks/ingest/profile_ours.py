"""Where our ingest spends its time, on one core: sections of the pipeline and steps of `adapt`.

    .venv/bin/python benchmarks/ingest/profile_ours.py --mb 256 --cprofile

1. Sections: the real `ingest_source` with timers wrapped around its parts (the reader's
   generator, `adapt`, the unique-id digests, the canonical Parquet writer thread); the rest (drop-row writes, counters) is "other".
2. `adapt` step by step: the first --adapt-batches batches read, run through a copy of
   `curation.adapters.base.adapt` with a timer per step (the copy is checked against the
   real one: same kept table), plus candidate replacements for the costly steps.
   (Earlier runs also patched candidate changes into the whole ingest; all that paid off
   -- conversation() lists, zstd-1, the writer thread, 4 MiB blocks -- is in curation/ now.)
3. With --cprofile, the top functions of a whole ingest by cumulative time.

Writes benchmarks/results/ingest_profile.md and .json. Pinned to one core, one thread.
"""

from __future__ import annotations

import os
import sys

for _var in ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "RAYON_NUM_THREADS", "ARROW_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import cProfile  # noqa: E402
import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

pa.set_cpu_count(1)
pa.set_io_thread_count(1)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import make_data  # noqa: E402

import curation.ingest as ingest  # noqa: E402
import curation.parts as parts  # noqa: E402
from curation.adapters import base as ab  # noqa: E402
from curation.adapters import get_adapter  # noqa: E402
from curation.readers import read_rows  # noqa: E402
from curation.readers.location import Location  # noqa: E402

MIB = 1 << 20
RESULTS_DIR = ROOT / "benchmarks" / "results"


class Timers:
    def __init__(self) -> None:
        self.s: dict[str, float] = defaultdict(float)
        self.n: dict[str, int] = defaultdict(int)

    def add(self, name: str, seconds: float) -> None:
        self.s[name] += seconds
        self.n[name] += 1


# --- 1. sections of the real ingest -----------------------------------------------------


def sections(data: Path, work: Path) -> dict:
    t = Timers()
    real = {
        "read_rows": ingest.read_rows,
        "adapt": ingest.adapt,
        "split": ingest._UniqueIds.assign,
        "write": parts.PartWriter._write_now,
    }

    def timed_read_rows(*a, **k):
        it = real["read_rows"](*a, **k)
        while True:
            t0 = time.perf_counter()
            try:
                batch = next(it)
            except StopIteration:
                t.add("read (parse JSONL -> Arrow)", time.perf_counter() - t0)
                return
            t.add("read (parse JSONL -> Arrow)", time.perf_counter() - t0)
            yield batch

    def wrap(name: str, fn):
        def inner(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                t.add(name, time.perf_counter() - t0)

        return inner

    ingest.read_rows = timed_read_rows
    ingest.adapt = wrap("adapt (ids, map, checks, canonical)", real["adapt"])
    ingest._UniqueIds.assign = wrap("unique ids (digest dict)", real["split"])
    parts.PartWriter._write_now = wrap("write canonical Parquet (writer thread)", real["write"])
    try:
        spec = ingest.SourceSpec("bench", "alpaca", Location(path=str(data)))
        t0, c0 = time.perf_counter(), time.process_time()
        summary = ingest.ingest_source(spec, work / "run")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        ingest.read_rows = real["read_rows"]
        ingest.adapt = real["adapt"]
        ingest._UniqueIds.assign = real["split"]
        parts.PartWriter._write_now = real["write"]
    out_bytes = sum(p.stat().st_size for p in (work / "run").rglob("*") if p.is_file())
    shutil.rmtree(work / "run", ignore_errors=True)
    section_s = dict(t.s)
    section_s["other (drop writes, counters, commit)"] = wall - sum(section_s.values())
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "rows": summary.input_rows,
        "kept": summary.kept_rows,
        "out_mib": out_bytes / MIB,
        "sections_s": section_s,
    }


# --- 2. adapt step by step --------------------------------------------------------------


def adapt_steps(adapter, batch, source: str, t: Timers) -> pa.Table:
    """A copy of curation.adapters.base.adapt with a timer per step."""
    clock = time.perf_counter

    t0 = clock()
    df = pl.from_arrow(batch.table)
    t.add("from_arrow", clock() - t0)

    t0 = clock()
    df = df.with_columns(ab._raw_json(df).alias("_raw"), pl.Series("_pos", batch.positions))
    t.add("raw JSON (struct.json_encode)", clock() - t0)

    t0 = clock()
    df = df.with_columns(ab.row_ids(df, adapter.id_field).alias("_id"))
    t.add("id = sha256(raw JSON) (polars-hash)", clock() - t0)

    t0 = clock()
    missing = [
        (pl.col(name).is_null(), "malformed:missing_field", pl.lit(f"required field {name!r} is missing or null"))
        for name in ab.required_fields(adapter.input_schema)
    ]
    req_reason, req_detail = ab._first_problem(missing)
    df = df.with_columns(req_reason.alias("_req_reason"), req_detail.alias("_req_detail"))
    t.add("required-field checks", clock() - t0)

    t0 = clock()
    mapped = adapter.map(df.drop("_raw", "_pos", "_id", "_req_reason", "_req_detail"))
    t.add("adapter.map (alpaca -> messages)", clock() - t0)

    t0 = clock()
    cols = {
        name: mapped[name] if name in mapped.columns else pl.Series(name, [None] * df.height, pl.String)
        for name in ab.MAP_COLUMNS
        if name != "messages"
    }
    out = df.select("_raw", "_pos", "_id", "_req_reason", "_req_detail").with_columns(**cols)
    out = out.with_columns(mapped["messages"].alias("messages"))
    t.add("assemble columns (null meta Series from Python lists)", clock() - t0)

    t0 = clock()
    out = out.with_columns(ab.split_think(pl.col("messages")).alias("messages"))
    t.add("split_think (list.eval over messages)", clock() - t0)

    t0 = clock()
    checks = ab._chat_checks(pl.col("messages"))
    shape_reason, shape_detail = ab._first_problem(checks)
    out = out.with_columns(
        pl.coalesce("_req_reason", "_reason", shape_reason).alias("_why"),
        pl.when(pl.col("_req_reason").is_not_null())
        .then(pl.col("_req_detail"))
        .when(pl.col("_reason").is_not_null())
        .then(pl.col("_detail"))
        .otherwise(shape_detail)
        .alias("_what"),
    )
    t.add("chat-shape checks (5 list.eval)", clock() - t0)

    t0 = clock()
    good = out.filter(pl.col("_why").is_null())
    bad = out.filter(pl.col("_why").is_not_null())
    t.add("filter kept / dropped", clock() - t0)

    real_compact = ab._compact

    def timed_compact(lists: pa.Array) -> pa.Array:
        c0 = clock()
        try:
            return real_compact(lists)
        finally:
            t.add("  of which _compact (take of every message)", clock() - c0)

    ab._compact = timed_compact
    t0 = clock()
    try:
        kept = ab._canonical(good, adapter, source)
    finally:
        ab._compact = real_compact
    t.add("canonical table (to_arrow + _compact + cast)", clock() - t0)
    assert bad.height == 0  # the benchmark data has no bad rows; the drop table is empty
    return kept


def alternatives(batch_tables: list[pa.Table], kept_tables: list[pa.Table], t: Timers) -> None:
    """Candidate replacements for the costly steps, on the same batches."""
    clock = time.perf_counter
    for table in batch_tables:
        df = pl.from_arrow(table)
        # Hashing: what polars-hash costs on the same bytes vs hashlib, and the JSON encode alone.
        raw = df.select(pl.struct(df.columns).struct.json_encode().alias("r"))["r"]
        t0 = clock()
        raw.to_frame().select(ab.plh.col("r").chash.sha2_256())
        t.add("alt: sha256 alone (polars-hash)", clock() - t0)
        t0 = clock()
        [hashlib.sha256(s.encode()).hexdigest() for s in raw.to_list()]
        t.add("alt: sha256 alone (hashlib loop)", clock() - t0)
    seen_a: set[str] = set()
    seen_b: set[bytes] = set()
    for kept in kept_tables:
        ids = kept.column("id")
        t0 = clock()
        ids_list = ids.to_pylist()
        before = len(seen_a)
        seen_a.update(ids_list)
        if len(seen_a) - before != len(ids_list):
            pass  # the slow per-row loop would run only then
        t.add("alt: unique ids, set.update fast path (str)", clock() - t0)
        t0 = clock()
        digests = pl.from_arrow(ids).str.replace(r"^sha256:", "").str.decode("hex", strict=False).to_list()
        before = len(seen_b)
        seen_b.update(digests)
        t.add("alt: unique ids, set of 32-byte digests", clock() - t0)
    for opts in ({"compression": "zstd", "compression_level": 3}, {"compression": "zstd", "compression_level": 1},
                 {"compression": "snappy"}, {"compression": "zstd", "compression_level": 3, "use_dictionary": False}):
        name = "alt: Parquet write " + ",".join(f"{k}={v}" for k, v in opts.items())
        buf = io.BytesIO()
        t0 = clock()
        w = pq.ParquetWriter(buf, kept_tables[0].schema, **opts)
        for kept in kept_tables:
            w.write_table(kept)
        w.close()
        t.add(name, clock() - t0)
        t.s[name + " (MiB out)"] = buf.tell() / MIB


def adapt_breakdown(data: Path, n_batches: int) -> dict:
    adapter = get_adapter("alpaca")
    batches = []
    for batch in read_rows(Location(path=str(data)), adapter.input_schema, source="bench"):
        batches.append(batch)
        if len(batches) >= n_batches:
            break
    rows = sum(b.table.num_rows for b in batches)
    alts = Timers()
    kept_tables = []
    reals, rounds = [], []
    # Three rounds over the same batches; each step's fastest round is reported (single
    # steps are noisy here: the same take over the same batches ran 0.03-0.4 s).
    for _ in range(3):
        t_real = 0.0
        steps = Timers()
        for b in batches:
            t0 = time.perf_counter()
            real = ab.adapt(adapter, b, "bench")
            t_real += time.perf_counter() - t0
            mine = adapt_steps(adapter, b, "bench", steps)
            if not mine.equals(real.kept):
                raise SystemExit("the step-by-step copy of adapt() no longer matches curation.adapters.base.adapt: update it")
            if len(kept_tables) < len(batches):
                kept_tables.append(real.kept)
        reals.append(t_real)
        rounds.append(steps)
    steps = Timers()
    for name in rounds[0].s:
        steps.s[name] = min(r.s[name] for r in rounds)
    t_real = min(reals)
    seen: set[str] = set()
    t0 = time.perf_counter()
    for kept in kept_tables:  # the current unique-id check, alone
        for row_id in kept.column("id").to_pylist():
            if row_id not in seen:
                seen.add(row_id)
    steps.add("(ingest) unique ids, per-row Python loop", time.perf_counter() - t0)
    alternatives([b.table for b in batches], kept_tables, alts)
    return {
        "batches": len(batches),
        "rows": rows,
        "adapt_real_s": t_real,
        "steps_s": dict(steps.s),
        "alternatives_s": dict(alts.s),
    }


# --- 3. what-if: candidate changes patched in, measured on the whole ingest ---------------

def cprofile(data: Path, work: Path, top: int = 25) -> str:
    spec = ingest.SourceSpec("bench", "alpaca", Location(path=str(data)))
    prof = cProfile.Profile()
    prof.enable()
    ingest.ingest_source(spec, work / "run_prof")
    prof.disable()
    shutil.rmtree(work / "run_prof", ignore_errors=True)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# --- report ---------------------------------------------------------------------------------


def render(doc: dict) -> str:
    s = doc["sections"]
    mb = doc["file_mib"]
    lines = [
        "# Where our ingest spends its time (one core)",
        "",
        f"Run {doc['date']}: `{doc['command']}`, on `{doc['data']}` ({mb:g} MiB, {s['rows']:,} rows), "
        "pinned to one core, one thread everywhere. "
        f"1-minute load average {doc['loadavg_before_after'][0]} before, {doc['loadavg_before_after'][1]} after "
        f"on {doc['nproc']} cores (above ~1, other work shared the machine: the 2-core rows suffer first).",
        "",
        f"## Sections of `ingest_source` ({s['wall_s']:.1f} s wall, {s['cpu_s']:.1f} s CPU, "
        f"{mb / s['wall_s']:.1f} MiB/s, output {s['out_mib']:.0f} MiB)",
        "",
        "| section | s | share | MiB/s if it were alone |",
        "|---|---|---|---|",
    ]
    for name, sec in sorted(s["sections_s"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {sec:.2f} | {100 * sec / s['wall_s']:.0f}% | {mb / sec if sec > 0 else float('inf'):,.0f} |")
    a = doc["adapt"]
    total_steps = sum(a["steps_s"].values())
    lines += [
        "",
        f"## `adapt` step by step ({a['batches']} batches, {a['rows']:,} rows; the real `adapt` took "
        f"{a['adapt_real_s']:.2f} s on them; fastest of 3 rounds per step)",
        "",
        "| step | s | share of the steps | µs per row |",
        "|---|---|---|---|",
    ]
    for name, sec in sorted(a["steps_s"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {sec:.3f} | {100 * sec / total_steps:.0f}% | {1e6 * sec / a['rows']:.2f} |")
    lines += ["", "## Candidate replacements, same batches", "", "| candidate | s | µs per row |", "|---|---|---|"]
    for name, sec in a["alternatives_s"].items():
        if name.endswith("(MiB out)"):
            lines[-1] += f" {sec:.1f} MiB out |"
            continue
        lines.append(f"| {name} | {sec:.3f} | {1e6 * sec / a['rows']:.2f} |")
    if doc.get("cprofile"):
        lines += ["", "## cProfile, top by cumulative time (second run, profiler overhead included)", "", "```",
                  doc["cprofile"].strip(), "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--adapt-batches", type=int, default=10, help="batches for the adapt breakdown (20k rows each)")
    ap.add_argument("--cprofile", action="store_true")
    ap.add_argument("--core", type=int, default=0)
    ap.add_argument("--out", default="ingest_profile")
    args = ap.parse_args(argv)
    try:
        os.sched_setaffinity(0, {args.core})
    except (AttributeError, OSError) as exc:
        print(f"not pinned: {exc}", file=sys.stderr)
    data = make_data.ensure(args.mb, args.seed)
    with open(data, "rb") as f:  # page cache
        while f.read(1 << 24):
            pass
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="profile-", dir=ROOT / "benchmarks" / "data"))
    try:
        print("adapt steps ...", flush=True)
        steps = adapt_breakdown(data, args.adapt_batches)
        print(json.dumps(steps, indent=1), flush=True)
        print("sections ...", flush=True)
        sec = sections(data, work)
        print(json.dumps(sec, indent=1), flush=True)
        prof = None
        if args.cprofile:
            print("cProfile ...", flush=True)
            prof = cprofile(data, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    doc = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": ".venv/bin/python benchmarks/ingest/profile_ours.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "data": str(data.relative_to(ROOT)),
        "file_mib": args.mb,
        "sections": sec,
        "adapt": steps,
        "loadavg_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "nproc": os.cpu_count(),
        "cprofile": prof,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{args.out}.json").write_text(json.dumps(doc, indent=2) + "\n")
    (RESULTS_DIR / f"{args.out}.md").write_text(render(doc))
    print(render(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
