"""Where our ingest spends its time, on one core: sections of the pipeline and steps of `adapt`.

    .venv/bin/python benchmarks/ingest/profile_ours.py --mb 256 --what-if 2 --cprofile

1. Sections: the real `ingest_source` with timers wrapped around its parts (the reader's
   generator, `adapt`, the unique-id set, the duplicate-id drop rows, the canonical Parquet
   writer); the rest (drop-row writes, counters) is "other".
2. `adapt` step by step: the first --adapt-batches batches read, run through a copy of
   `curation.adapters.base.adapt` with a timer per step (the copy is checked against the
   real one: same kept table), plus candidate replacements for the costly steps.
3. With --what-if N, candidate changes monkeypatched into the real ingest (this script
   only; nothing in curation/ is edited), each measured on the whole file N times and its
   canonical output checked against the unpatched run's.
4. With --cprofile, the top functions of a whole ingest by cumulative time.

Writes benchmarks/results/ingest_profile.md and .json. Pinned to one core, one thread.
"""

from __future__ import annotations

import os
import sys

for _var in ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "RAYON_NUM_THREADS", "ARROW_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import cProfile  # noqa: E402
import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
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
    parts = dict(t.s)
    parts["other (drop writes, counters, commit)"] = wall - sum(parts.values())
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "rows": summary.input_rows,
        "kept": summary.kept_rows,
        "out_mib": out_bytes / MIB,
        "sections_s": parts,
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
        t0 = clock()
        fast_alpaca_map(None, df)
        t.add("alt: alpaca map by gather/reshape (same result)", clock() - t0)
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

MSG = pl.Struct({"role": pl.String, "content": pl.String, "reasoning": pl.String, "tool_calls": pl.String})


def _join_nonempty_fast(*parts: pl.Expr, sep: str = "\n\n") -> pl.Expr:
    """Same result as adapters.base.join_nonempty without building a list per row."""
    return pl.concat_str([pl.when(p.str.strip_chars() != "").then(p) for p in parts], separator=sep, ignore_nulls=True)


def fast_alpaca_map(self, df: pl.DataFrame) -> pl.DataFrame:
    """Alpaca.map with the two turns interleaved by a gather and reshaped to lists.

    pl.concat_list over struct columns costs ~5 µs a row; gathering the turns' contents
    (string views, no copy of the text) into one column and reshaping it (n, 2) does not.
    """
    n = df.height
    if n == 0:
        return ORIGINAL["alpaca_map"](self, df)
    user = df.select(_join_nonempty_fast(pl.col("instruction"), pl.col("input"))).to_series()
    order = np.empty(2 * n, dtype=np.int64)
    order[0::2] = np.arange(n)
    order[1::2] = np.arange(n, 2 * n)
    content = pl.concat([user, df["output"].cast(pl.String)]).gather(order)
    role = pl.Series(["user", "assistant"]).gather(np.tile(np.array([0, 1]), n))
    none = pl.Series([], dtype=pl.String).extend_constant(None, 2 * n)
    turns = pl.DataFrame({"role": role, "content": content, "reasoning": none, "tool_calls": none}).to_struct("m")
    return pl.DataFrame({"messages": turns.reshape((n, 2)).cast(pl.List(MSG))})


def lean_compact(lists: pa.Array) -> pa.Array:
    """adapters.base._compact, skipping the copy when every child value belongs to a row."""
    offsets = lists.offsets
    if len(lists) == 0 or (offsets[0].as_py() == 0 and offsets[-1].as_py() == len(lists.values)):
        return lists
    return ORIGINAL["compact"](lists)


class _PrefetchRows:
    """read_rows in a thread, one batch ahead (pyarrow's JSON parse releases the GIL)."""

    def __init__(self, fn) -> None:
        self.fn = fn

    def __call__(self, *a, **k):
        import queue

        q: queue.Queue = queue.Queue(maxsize=2)
        done = object()

        def produce() -> None:
            try:
                for b in self.fn(*a, **k):
                    q.put(b)
            except BaseException as exc:  # handed to the consumer
                q.put(exc)
            q.put(done)

        threading.Thread(target=produce, daemon=True).start()
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item


class _BackgroundParts(ingest._PartWriter):
    """_PartWriter whose Parquet writes (compression) run in one background thread, in order."""

    def __init__(self, *a, **k) -> None:
        from concurrent.futures import ThreadPoolExecutor

        super().__init__(*a, **k)
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending = []

    def write(self, table: pa.Table) -> None:
        self._pending = [f for f in self._pending if not f.done() or f.result()]
        if len(self._pending) >= 2:  # bound the memory held by queued tables
            self._pending.pop(0).result()
        self._pending.append(self._pool.submit(ORIGINAL["part_write"], self, table))

    def close(self) -> None:
        for f in self._pending:
            f.result()
        self._pool.shutdown()
        ORIGINAL["part_close"](self)


ORIGINAL: dict = {}


def _apply(patches: set[str]) -> None:
    from curation.adapters import alpaca

    if not ORIGINAL:
        ORIGINAL.update(
            alpaca_map=alpaca.Alpaca.map, compact=ab._compact, options=dict(ingest.PARQUET_OPTIONS),
            read_rows=ingest.read_rows, part_writer=ingest._PartWriter,
            part_write=ingest._PartWriter.write, part_close=ingest._PartWriter.close,
        )
    alpaca.Alpaca.map = fast_alpaca_map if "map" in patches else ORIGINAL["alpaca_map"]
    ab._compact = lean_compact if "compact" in patches else ORIGINAL["compact"]
    ingest.PARQUET_OPTIONS.clear()
    ingest.PARQUET_OPTIONS.update(
        {"compression": "zstd", "compression_level": 1} if "zstd1" in patches else ORIGINAL["options"]
    )
    ingest.read_rows = _PrefetchRows(ORIGINAL["read_rows"]) if "prefetch" in patches else ORIGINAL["read_rows"]
    ingest._PartWriter = _BackgroundParts if "bgwrite" in patches else ORIGINAL["part_writer"]


WHAT_IF = [
    ("as is", set(), 1),
    ("+ alpaca map by gather/reshape", {"map"}, 1),
    ("+ Parquet zstd-1", {"map", "zstd1"}, 1),
    ("as is, 2 cores", set(), 2),
    ("+ read prefetch + Parquet writes in a thread, 2 cores", {"prefetch", "bgwrite"}, 2),
    ("+ all above + read prefetch + Parquet writes in a thread, 2 cores", {"map", "zstd1", "prefetch", "bgwrite"}, 2),
]


def what_if(data: Path, work: Path, repeat: int) -> list[dict]:
    """Each variant's whole ingest, median of `repeat`; outputs checked against 'as is'."""
    spec = ingest.SourceSpec("bench", "alpaca", Location(path=str(data)))
    mb = data.stat().st_size / MIB
    reference = None
    results = []
    one_core = os.sched_getaffinity(0)
    for name, patches, cores in WHAT_IF:
        _apply(patches)
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, one_core if cores == 1 else set(range(os.cpu_count() or 1)))
        # polars' thread pool is sized at import (1 thread here); the 2-core variants gain
        # only from the pipelining, not from polars threads.
        pa.set_cpu_count(cores)
        pa.set_io_thread_count(cores)
        walls, cpus = [], []
        for _ in range(repeat):
            out = work / f"whatif-{len(results)}"
            t0, c0 = time.perf_counter(), time.process_time()
            ingest.ingest_source(spec, out)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            table = pq.read_table(out / "sources" / "bench" / "data")
            if reference is None:
                reference = table
            same = table.equals(reference)
            shutil.rmtree(out, ignore_errors=True)
        wall = statistics.median(walls)
        results.append({
            "variant": name, "cores": cores, "wall_s": wall, "cpu_s": statistics.median(cpus),
            "mib_s": mb / wall, "walls": [round(w, 2) for w in walls], "same_output": same,
        })
        print(f"  {name}: {wall:.2f} s, {mb / wall:.1f} MiB/s, same output: {same}", flush=True)
    _apply(set())
    os.sched_setaffinity(0, one_core)
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    return results


# --- 4. cProfile --------------------------------------------------------------------------


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
    if doc.get("what_if"):
        base = doc["what_if"][0]["wall_s"]
        lines += [
            "",
            "## What if: candidate changes patched in (this script only), whole ingest",
            "",
            "Each variant is the real `ingest_source` with the change monkeypatched in; the canonical Parquet "
            "it writes is compared with the unpatched run's (same output = identical table). On 2 cores "
            "polars still has one thread: the gain is from overlapping read, adapt and write.",
            "",
            "| variant | cores | wall s | MiB/s | vs as is | same output | runs |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in doc["what_if"]:
            lines.append(
                f"| {r['variant']} | {r['cores']} | {r['wall_s']:.2f} | {r['mib_s']:.1f} | {base / r['wall_s']:.2f}x "
                f"| {'yes' if r['same_output'] else 'NO'} | {r['walls']} |"
            )
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
    ap.add_argument("--what-if", type=int, default=0, metavar="N",
                    help="also run each candidate change on the whole ingest N times (0: skip)")
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
        whatif = None
        if args.what_if:
            print("what-if ...", flush=True)
            whatif = what_if(data, work, args.what_if)
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
        "what_if": whatif,
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
