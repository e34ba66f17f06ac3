"""benchmarks/scale/part_memory.py's pure pieces on made-up numbers and tiny files: the RSS growth
per 100,000 partition rows, the rate ratio, the table's cells, each stage's largest partition and
the compressed copy of the corpus. No stage runs, milliseconds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "scale"))

import part_memory  # noqa: E402

SMALL = {"partition_rows": 20_000, "peak_rss_mib": 600.0, "mb_s_cpu": 10.0, "tasks": 16}
BIG = {"partition_rows": 220_000, "peak_rss_mib": 2600.0, "mb_s_cpu": 12.5, "tasks": 2}


def test_growth_and_rate_ratio():
    assert part_memory.growth(SMALL, BIG) == pytest.approx(1000.0)  # 2,000 MiB over 200,000 rows
    assert part_memory.growth(SMALL, {**BIG, "partition_rows": 20_000}) is None  # it did not grow
    assert part_memory.growth(SMALL, {**BIG, "partition_rows": None}) is None  # a failed stage
    assert part_memory.rate_ratio(SMALL, BIG) == pytest.approx(1.25)


def test_table_cells():
    result = {
        "sizes": [20_000, 250_000],
        "stages": [
            {"stage": "filters", "by_size": {"20000": SMALL, "250000": BIG}, "ray_worker_peak_mib_20000": 890.4},
            {"stage": "pack", "by_size": {"20000": SMALL, "250000": {**BIG, "partition_rows": 20_000}}},
            {"stage": "render", "by_size": {"20000": SMALL, "250000": {"failed": "exit status -9", "partition_rows": 180_000}}},
        ],
    }
    lines = part_memory.table(result).splitlines()
    assert lines[0].startswith("| stage | largest partition rows, 20,000 | peak RSS MiB, 20,000 |")
    assert lines[2] == "| filters | 20,000 | 600 | 220,000 | **2,600** | 1,000 | 10.0 | 12.5 | 1.25 | 16 / 2 | 890 |"
    assert lines[3] == "| pack | 20,000 | 600 | 20,000 | **2,600** | - | 10.0 | 12.5 | 1.25 | 16 / 2 | - |"
    assert lines[4] == "| render | 20,000 | 600 | 180,000 | failed: exit status -9 | - | - | - | - | - | - |"
    assert all(line.count("|") == lines[1].count("|") for line in lines)


def _part(path: Path, rows: int, group: int = 10) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"id": [str(i) for i in range(rows)]}), path, row_group_size=group)


def test_largest_partition(tmp_path):
    run = tmp_path / "run" / "sources" / "web" / "data"
    _part(run / "part-0.parquet", 30)
    _part(run / "part-1.parquet", 12)
    out = tmp_path / "out"
    assert part_memory.largest_partition("filters", tmp_path / "run", out, 20) == 20  # whole row groups
    assert part_memory.largest_partition("filters", tmp_path / "run", out, 1000) == 30  # never two parts
    assert part_memory.largest_partition("sample_write", tmp_path / "run", out, 20) == 30  # a whole part
    assert part_memory.largest_partition("ingest", tmp_path / "in", tmp_path / "run", 20) == 30  # parts written


def test_compressed_corpus_reads_back(tmp_path):
    import pyarrow as pa

    src = tmp_path / "corpus_1files"
    src.mkdir()
    text = "".join(f'{{"id": "{i}", "text": "doc {i}"}}\n' for i in range(100))
    (src / "part-000.jsonl").write_text(text)
    out = part_memory.compressed_corpus(src)
    assert out == tmp_path / "corpus_1files.zst"
    with pa.input_stream(str(out / "part-000.jsonl.zst"), compression="zstd") as f:
        assert f.read().decode() == text
    assert part_memory.compressed_corpus(src) == out  # made once
