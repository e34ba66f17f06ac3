"""The scale benchmark's cost model (benchmarks/scale/cost_model.py) on made-up rates, and its
helpers (the file comparison, the barrier its copies start at, the warm-up corpus): no Ray, no
real data, milliseconds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "scale"))

import cost_model  # noqa: E402
from cost_model import Assumptions, StageRate  # noqa: E402


def _flat(**kw) -> Assumptions:
    keep = {"web": 1.0, "other": 1.0}
    return Assumptions(exact_keep=keep, near_keep=keep, filter_keep=keep, **kw)


def test_volumes_follow_the_keep_fractions():
    a = Assumptions(
        tokens=1e12,
        bytes_per_token=4.0,
        web_share=1.0,
        exact_keep={"web": 0.5, "other": 1.0},
        near_keep={"web": 0.5, "other": 1.0},
        filter_keep={"web": 0.5, "other": 1.0},
    )
    v = cost_model.volumes(a)
    assert v["kept"] == pytest.approx(4e12)
    assert v["raw"] == pytest.approx(32e12)  # 4 TB kept / 0.125
    assert v["dedup_near"] == pytest.approx(16e12)
    assert v["filters"] == pytest.approx(8e12)
    assert v["render"] == v["sample_write"] == pytest.approx(4e12)


def test_core_hours_and_wall_time():
    a = _flat(tokens=1e12, bytes_per_token=3.6, rows_per_task=1000, doc_bytes=1e6)  # 3.6 TB everywhere
    # driver: 1 h fixed + 0.1 s per MB (99 h at 3.6e6 MB)
    rate = StageRate(
        "filters",
        cpu_s_per_mb=1.0,
        driver_fixed_s=3600.0,
        driver_s_per_mb=0.099,
        ray_cpu_s_per_mb=2.0,
        task_rss_mib=512,
        maps=1,
        parallel=True,
    )
    (row, total) = cost_model.stage_costs(a, [rate], overhead_s_per_task=0.0, workers=(10,))
    assert row["core_hours"] == pytest.approx(1000.0)  # 3.6e6 MB x 1 s / 3600
    assert row["efficiency"] == pytest.approx(0.5)
    assert row["tasks"] == 3600  # 3.6e6 rows of 1 MB / 1000 rows per task
    # 100 h of driver work + 900 h over 10 workers at efficiency 0.5
    assert row["wall_h_10"] == pytest.approx(100 + 900 / 5)
    assert row["memory_per_worker_gib"] == pytest.approx(0.5)
    assert total["core_hours"] == pytest.approx(1000.0)


def test_serial_stage_runs_in_the_driver_and_exact_buckets_add_keys():
    a = _flat(tokens=1e12, bytes_per_token=3.6, keys_per_bucket=1 << 20, exact_key_bytes=1024)
    serial = StageRate("sample_write", 1.0, 0.0, 0.0, None, 100, 1, parallel=False)
    exact = StageRate("dedup_exact", 1.0, 0.0, 0.0, 1.0, 0, 1, parallel=True)
    rows = cost_model.stage_costs(a, [serial, exact], overhead_s_per_task=0.0, workers=(1000,))
    assert rows[0]["wall_h_1000"] == pytest.approx(rows[0]["core_hours"])  # no speed-up
    assert rows[0]["tasks"] == 0
    assert rows[1]["memory_per_worker_gib"] == pytest.approx(1.0)  # 2^20 keys x 1 KiB


def test_shuffle_volumes():
    a = Assumptions(
        tokens=1e12,
        bytes_per_token=4.0,
        web_share=1.0,
        doc_bytes=4000,
        exact_keep={"web": 1.0, "other": 1.0},
        near_keep={"web": 0.5, "other": 1.0},
        filter_keep={"web": 1.0, "other": 1.0},
        bands=10,
    )
    s = cost_model.shuffle(a, cost_model.volumes(a))
    rows = 8e12 / 4000  # raw = 4 TB kept / 0.5
    assert s["exact_keys"] == pytest.approx(rows * 150)
    assert s["band_keys"] == pytest.approx(rows * 10 * 8)
    assert s["edges"] == pytest.approx(rows / 2 * 16)
    assert s["mix_ranges"] == pytest.approx(8e12)  # the mix's text into ranges, then sorted once more


def test_same_tree_compares_only_the_named_files(tmp_path):
    import probe

    patterns = ("*/*.arrow", "dataset_dict.json")
    for name, card in (("a", "run a"), ("b", "run b")):
        (tmp_path / name / "train").mkdir(parents=True)
        (tmp_path / name / "train" / "data-0.arrow").write_bytes(b"rows")
        (tmp_path / name / "dataset_dict.json").write_text("{}")
        (tmp_path / name / "README.md").write_text(card)  # names its run: differs, not compared
    a, b = tmp_path / "a", tmp_path / "b"
    assert probe.same_tree(a, b) == (False, ["README.md"])
    assert probe.same_tree(a, b, patterns) == (True, [])
    assert not probe.matches("x/train/data-0.arrow", patterns)  # a pattern matches at its own depth only
    (b / "train" / "data-0.arrow").write_bytes(b"other rows")
    assert probe.same_tree(a, b, patterns) == (False, ["train/data-0.arrow"])
    assert probe.same_tree(a, b, ("*.parquet",)) == (False, [])  # nothing compared is not the same


def test_the_copies_of_a_stage_start_together_at_the_barrier(tmp_path, monkeypatch):
    import threading
    import time

    import stages

    monkeypatch.delenv(stages.BARRIER_ENV, raising=False)
    stages.wait_at_barrier()  # no barrier: goes on at once
    monkeypatch.setenv(stages.BARRIER_ENV, str(tmp_path))
    waiting = threading.Thread(target=stages.wait_at_barrier)
    waiting.start()
    deadline = time.monotonic() + 10
    while not list(tmp_path.glob("ready-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(list(tmp_path.glob("ready-*"))) == 1  # said it is ready, and waits
    time.sleep(0.05)
    assert waiting.is_alive()
    (tmp_path / "go").touch()
    waiting.join(timeout=10)
    assert not waiting.is_alive()


def test_the_warm_up_corpus_holds_near_copies_so_the_verification_kernels_load(tmp_path):
    import json

    import stages

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    docs = [{"id": f"d{i}", "text": f"document {i} " + " ".join(["word"] * 20)} for i in range(10)]
    (corpus / "part-000.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs))
    warm = stages.warm_corpus(corpus)
    rows = [json.loads(line) for line in (warm / "part-000.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows[:10]] == [d["id"] for d in docs]
    near = rows[10:]
    assert [r["id"] for r in near] == [f"d{i}-warm-near" for i in range(stages.WARM_NEAR_COPIES)]
    assert all("\ufb01" in r["text"] and r["text"].split()[:-1] == docs[i]["text"].split()[:-1] for i, r in enumerate(near))
    assert stages.warm_corpus(corpus) == warm  # made once


def test_first_runs_run_the_stage_on_its_full_input_into_a_cleared_output(tmp_path, monkeypatch):
    import stages

    out, seen = tmp_path / "out", []

    def fake_run(stage, src, dst, executor):
        seen.append((stage, src, dst, executor, sorted(p.name for p in dst.glob("*")) if dst.exists() else None))
        dst.mkdir(exist_ok=True)
        (dst / f"written-{len(seen)}").touch()

    monkeypatch.setattr(stages, "run_stage", fake_run)
    monkeypatch.setenv(stages.WARM_RUNS_ENV, "2")
    walls = stages.first_runs("dedup_exact", tmp_path / "in", out, lambda: "executor")
    assert len(walls) == 2 and all(w >= 0 for w in walls)
    # each run on the same input, with a fresh executor, into an output the previous run's files left
    assert [(s[0], s[1], s[3], s[4]) for s in seen] == [("dedup_exact", tmp_path / "in", "executor", None)] * 2
    monkeypatch.setenv(stages.WARM_RUNS_ENV, "0")
    assert stages.first_runs("dedup_exact", tmp_path / "in", out, lambda: "executor") == []

