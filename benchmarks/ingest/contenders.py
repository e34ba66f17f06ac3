"""One contender of the ingest benchmark, run in a fresh process by run.py.

    python benchmarks/ingest/contenders.py CONTENDER DATA_FILE WORK_DIR

Prints one JSON line on stdout: rows, the work's own wall and CPU seconds (imports
excluded), the bytes it wrote, and what it produced. The thread count comes from
BENCH_THREADS (run.py sets it, with POLARS_MAX_THREADS / OMP_NUM_THREADS / RAYON_NUM_THREADS,
before this process starts, since polars reads them at import).
"""

from __future__ import annotations

import os
import sys

THREADS = int(os.environ.get("BENCH_THREADS", "1"))
for var in ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "RAYON_NUM_THREADS", "ARROW_NUM_THREADS"):
    os.environ.setdefault(var, str(THREADS))
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pyarrow as pa  # noqa: E402

pa.set_cpu_count(THREADS)
pa.set_io_thread_count(THREADS)


def status_mib(key: str) -> float:
    """A field of /proc/self/status in MiB (VmHWM: peak resident set since exec; VmRSS: now)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def ours(data: Path, work: Path, compression: str = "zstd") -> dict:
    """The full ingest: read + parse, adapt to canonical records, ids, Parquet + drop report."""
    from curation.ingest import SourceSpec, ingest_source
    from curation.readers.location import Location

    run_dir = work / "run"
    spec = SourceSpec("bench", "alpaca", Location(path=str(data)))
    rss_before = status_mib("VmRSS")
    t0, c0 = time.perf_counter(), time.process_time()
    summary = ingest_source(spec, run_dir, compression=compression)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "rss_before_mib": rss_before,
        "wall_s": wall,
        "cpu_s": cpu,
        "rows": summary.input_rows,
        "kept": summary.kept_rows,
        "dropped": summary.dropped_rows,
        "out_bytes": dir_bytes(run_dir),
        "output": f"canonical Parquet ({compression}) + dropped.parquet + counts.json",
    }


def datasets_json(data: Path, work: Path) -> dict:
    """datasets.load_dataset('json'): parse to an Arrow cache file, memory-map it."""
    import datasets

    datasets.disable_progress_bars()
    cache = work / "hf_cache"
    rss_before = status_mib("VmRSS")
    t0, c0 = time.perf_counter(), time.process_time()
    ds = datasets.load_dataset("json", data_files=str(data), split="train", cache_dir=str(cache))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "rss_before_mib": rss_before,
        "wall_s": wall,
        "cpu_s": cpu,
        "rows": ds.num_rows,
        "kept": ds.num_rows,
        "dropped": 0,
        "out_bytes": dir_bytes(cache),
        "output": "uncompressed Arrow cache (memory-mapped Dataset)",
    }


def pyarrow_read_json(data: Path, work: Path) -> dict:
    """The parse floor: pyarrow.json.read_json of the whole file into one in-memory table."""
    import pyarrow.json as pj

    rss_before = status_mib("VmRSS")
    t0, c0 = time.perf_counter(), time.process_time()
    table = pj.read_json(str(data))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "rss_before_mib": rss_before,
        "wall_s": wall,
        "cpu_s": cpu,
        "rows": table.num_rows,
        "kept": table.num_rows,
        "dropped": 0,
        "out_bytes": 0,
        "output": "in-memory Arrow table (nothing written)",
    }


def polars_sink_parquet(data: Path, work: Path) -> dict:
    """polars' streaming engine: scan_ndjson(...).sink_parquet(...) (zstd)."""
    import polars as pl
    import pyarrow.parquet as pq

    out = work / "out.parquet"
    rss_before = status_mib("VmRSS")
    t0, c0 = time.perf_counter(), time.process_time()
    pl.scan_ndjson(str(data)).sink_parquet(str(out))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = pq.ParquetFile(out).metadata.num_rows
    return {
        "rss_before_mib": rss_before,
        "wall_s": wall,
        "cpu_s": cpu,
        "rows": rows,
        "kept": rows,
        "dropped": 0,
        "out_bytes": out.stat().st_size,
        "output": "one Parquet file (zstd), columns as in the JSON",
    }


def ours_uncompressed(data: Path, work: Path) -> dict:
    """The full ingest, canonical parts written uncompressed (as datasets writes its cache)."""
    return ours(data, work, compression="none")


CONTENDERS = {
    "ours": ours,
    "ours_uncompressed": ours_uncompressed,
    "datasets": datasets_json,
    "pyarrow_read_json": pyarrow_read_json,
    "polars_sink_parquet": polars_sink_parquet,
}


def main() -> int:
    name, data, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    work.mkdir(parents=True, exist_ok=True)
    result = CONTENDERS[name](data, work)
    result["vmhwm_mib"] = status_mib("VmHWM")
    result["threads"] = THREADS
    result["pyarrow_cpu_count"] = pa.cpu_count()
    print("BENCH_RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
