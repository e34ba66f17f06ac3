"""The cost of the full 1.2T-token pretraining mix, from measured per-stage rates.

Inputs (measured by run.py, per stage): CPU seconds per MB of input text on one core, the share
of that CPU that is driver work (outside Executor.map: it does not shrink with workers), the
CPU overhead Ray adds over the serial run, peak RSS per task, Ray's cost per task.

Volumes come from the Assumptions (every one a stated number, not a measurement):

    kept text K   = tokens x bytes_per_token / epochs (text the mix samples from)
    raw text, per source group g (web-like, other):  K x share_g / (exact_keep_g x near_keep_g x filter_keep_g)
    bytes into a stage: ingest, dedup_exact: raw; dedup_near: raw x exact_keep (x near_share);
                        filters: after near; render, sample_write, pack: K

    core-hours(stage)  = MB in x CPU-s per MB / 3600
    wall(stage, N)     = driver CPU-s + parallel CPU-s / (N x efficiency) + tasks x overhead / N
    driver CPU-s       = fixed + per MB x MB in (fitted on two corpus sizes: the driver plans, commits
                         per-partition files, joins near dedup's components, selects the mix's rows)
    efficiency         = serial parallel CPU / Ray CPU for the same partitions (<= 1), measured

Units: bytes are decimal (TB = 1e12, MB = 1e6); memory in GiB.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

MB = 1e6
TB = 1e12
GIB = float(1 << 30)
WORKERS = (64, 256, 1024)


@dataclass(frozen=True)
class Assumptions:
    tokens: float = 1.2e12  # the manifest's three phases: 1.0T + 150B + 50B
    bytes_per_token: float = 4.2  # UTF-8 bytes per Qwen3 token of English web text
    epochs: float = 1.0  # every kept token sampled once: the most raw text the mix can need
    web_share: float = 0.53  # web 50% + multilingual 3% of the base phase: the web-like filter chain
    doc_bytes: float = 4000.0  # mean raw document (3,611 chars for nemotron_cc_v2, marin#7187)
    exact_keep: dict[str, float] = field(default_factory=lambda: {"web": 0.85, "other": 0.95})
    near_keep: dict[str, float] = field(default_factory=lambda: {"web": 0.75, "other": 0.95})
    filter_keep: dict[str, float] = field(default_factory=lambda: {"web": 0.6, "other": 0.95})
    near_share: float = 1.0  # the manifest runs MinHash on every source (dedup: near: true)
    exact_key_bytes: float = 150.0  # id, source, 64-char SHA-256 hex, length (curation/dedup/stage.py)
    band_key_bytes: float = 8.0  # one 64-bit band hash per band per row
    bands: int = 21  # LSH 21x6 for 128 permutations at threshold 0.8 (NearOptions default)
    edge_bytes: float = 16.0  # a verified near-duplicate pair: two 64-bit row keys
    # near dedup's row files (the dedup text, read back for candidates, plus id, source, length)
    # and its survivor sort: a block file of keys per row, then 24 B a row of node files
    # (curation/dedup/survivor_rank.py); dedup decisions filed by partition
    row_meta_bytes: float = 100.0
    survivor_key_bytes: float = 110.0
    decision_bytes: float = 150.0
    keys_per_bucket: int = 4_000_000  # exact-dedup keys one bucket task holds (exact_buckets.py)
    # A near-dedup band task at full scale groups its band slice by slice (lsh.SLICE_NODES): its
    # peak, measured at 8M-33M nodes by benchmarks/scale/band_memory.py, does not grow with the rows.
    band_task_mib: float = 681.0
    rows_per_task: int = 20_000  # partition size: the one measured, so the measured task memory applies

    def describe(self) -> list[str]:
        return [
            f"tokens in the mix: {self.tokens:.3g} (phases 1.0T + 150B + 50B), {self.bytes_per_token} bytes/token, "
            f"each kept token sampled {self.epochs:g} time(s) (the manifest allows 2-3 epochs: fewer raw bytes)",
            f"web-like share of the kept tokens: {self.web_share:.0%} (web 50% + multilingual 3%); the rest "
            "(code, books, math, wikipedia, papers) is 'other'",
            "kept fraction per stage (web / other): exact dedup "
            f"{self.exact_keep['web']:.2f} / {self.exact_keep['other']:.2f}, near dedup "
            f"{self.near_keep['web']:.2f} / {self.near_keep['other']:.2f}, filters "
            f"{self.filter_keep['web']:.2f} / {self.filter_keep['other']:.2f} (round numbers, not measured: "
            "core-hours scale linearly with the raw bytes they imply)",
            f"MinHash near dedup on {self.near_share:.0%} of the bytes exact dedup keeps (the manifest's dedup: near: true "
            "applies to every source)",
            f"mean document {self.doc_bytes:.0f} bytes (rows = bytes / that); exact-dedup keys "
            f"{self.exact_key_bytes:.0f} B/row; MinHash band keys {self.band_key_bytes:.0f} B x {self.bands} bands per row; "
            f"edges {self.edge_bytes:.0f} B per removed near duplicate; near dedup's row files: the dedup text + "
            f"{self.row_meta_bytes:.0f} B/row; its survivor sort {self.survivor_key_bytes:.0f} + 24 B/row; "
            f"decisions {self.decision_bytes:.0f} B per dropped row",
            "every source runs the measured web filter chain (pii, gopher quality + repetition, c4, fineweb): an upper "
            "bound for sources that run pii only",
            f"tasks of {self.rows_per_task:,} rows (the measured partition size); exact-dedup bucket tasks hold "
            f"{self.keys_per_bucket:,} keys at full scale; a near-dedup band task, grouping its band slice by slice, "
            f"{self.band_task_mib:.0f} MiB (benchmarks/results/band_memory.md)",
        ]


def volumes(a: Assumptions) -> dict[str, float]:
    """Bytes of text entering each stage, and rows / removed rows for the shuffle volumes."""
    kept = a.tokens * a.bytes_per_token / a.epochs
    share = {"web": a.web_share, "other": 1 - a.web_share}
    out: dict[str, float] = {}
    for g, s in share.items():
        raw = kept * s / (a.exact_keep[g] * a.near_keep[g] * a.filter_keep[g])
        after_exact = raw * a.exact_keep[g]
        after_near = after_exact * a.near_keep[g]
        group = {
            "kept": kept * s,
            "raw": raw,
            "after_exact": after_exact,
            "after_near": after_near,
            "ingest": raw,
            "dedup_exact": raw,
            "dedup_near": after_exact * a.near_share,
            "filters": after_near,
            "render": kept * s,
            "sample_write": kept * s,
            "pack": kept * s,
        }
        for k, x in group.items():
            out[k] = out.get(k, 0.0) + x
            if g == "web":
                out[f"web_{k}"] = x
    return out


def shuffle(a: Assumptions, v: dict[str, float]) -> dict[str, float]:
    """Bytes moved between tasks (not the stage inputs/outputs on the shared file system)."""
    rows_raw = v["raw"] / a.doc_bytes
    rows_near = v["dedup_near"] / a.doc_bytes
    removed = (v["after_exact"] - v["after_near"]) * a.near_share / a.doc_bytes
    return {
        "exact_keys": rows_raw * a.exact_key_bytes,
        "band_keys": rows_near * a.bands * a.band_key_bytes,
        "edges": removed * a.edge_bytes,
        "near_rows": v["dedup_near"] + rows_near * a.row_meta_bytes,
        "survivor_sort": rows_near * (a.survivor_key_bytes + 24),
        "decisions": (rows_raw - v["after_near"] / a.doc_bytes) * a.decision_bytes,
        # sample_write moves the picked rows (the mix: its text, once per epoch) into range files
        # by order key, and each range's sort task writes them once more in final order, which
        # the shard tasks read (curation/mix/split_ranges.py)
        "mix_ranges": 2 * v["sample_write"] * a.epochs,
        # pack moves the packed sequences (int32 token ids) into bucket files the same way
        "pack_buckets": v["pack"] * a.epochs / a.bytes_per_token * 4,
    }


@dataclass(frozen=True)
class StageRate:
    """Measured for one stage: CPU seconds per MB of input on one core (serial, all of it), the
    driver's part of it as fixed seconds + seconds per MB (work outside Executor.map: it does not
    shrink with workers; fitted over two corpus sizes), Ray's CPU per MB on the same partitions,
    peak RSS per task (MiB), executor maps per stage (each over the stage's partitions)."""

    stage: str
    cpu_s_per_mb: float
    driver_fixed_s: float
    driver_s_per_mb: float
    ray_cpu_s_per_mb: float | None
    task_rss_mib: float
    maps: int
    parallel: bool


def stage_costs(
    a: Assumptions, rates: list[StageRate], overhead_s_per_task: float, workers: tuple[int, ...] = WORKERS
) -> list[dict[str, Any]]:
    v = volumes(a)
    rows_per_mb = MB / a.doc_bytes
    out = []
    for r in rates:
        mb = v[r.stage] / MB
        cpu = mb * r.cpu_s_per_mb
        driver = min(cpu, r.driver_fixed_s + mb * r.driver_s_per_mb) if r.parallel else cpu
        par = cpu - driver
        eff = min(1.0, r.cpu_s_per_mb / r.ray_cpu_s_per_mb) if r.ray_cpu_s_per_mb else 1.0
        tasks = math.ceil(mb * rows_per_mb / a.rows_per_task) * r.maps if r.parallel else 0
        rss = r.task_rss_mib * (1 << 20)
        if r.stage == "dedup_exact":  # bucket tasks grow to keys_per_bucket keys at full scale
            rss += a.keys_per_bucket * a.exact_key_bytes
        if r.stage == "dedup_near":  # band tasks hold a slice of the scope's rows at full scale
            rss = max(rss, a.band_task_mib * (1 << 20))
        row = {
            "stage": r.stage,
            "input_tb": v[r.stage] / TB,
            "cpu_s_per_mb": r.cpu_s_per_mb,
            "mb_s_per_core": 1 / r.cpu_s_per_mb,
            "core_hours": cpu / 3600,
            "driver_hours": driver / 3600,
            "efficiency": eff,
            "tasks": tasks,
            "memory_per_worker_gib": rss / GIB,
        }
        for n in workers:
            row[f"wall_h_{n}"] = (driver + par / (n * eff) + tasks * overhead_s_per_task / n) / 3600
        out.append(row)
    total = {"stage": "total", "input_tb": v["raw"] / TB}
    for key in ("core_hours", "driver_hours", "tasks", *(f"wall_h_{n}" for n in workers)):
        total[key] = sum(row[key] for row in out)
    total["memory_per_worker_gib"] = max(row["memory_per_worker_gib"] for row in out)
    out.append(total)
    return out


def model(a: Assumptions, rates: list[StageRate], overhead_s_per_task: float) -> dict[str, Any]:
    v = volumes(a)
    costs = stage_costs(a, rates, overhead_s_per_task)
    fit = [{**asdict(r), "driver_hours": c["driver_hours"]} for r, c in zip(rates, costs, strict=False)]
    return {
        "assumptions": {k: (dict(x) if isinstance(x, dict) else x) for k, x in asdict(a).items()},
        "assumption_text": a.describe(),
        "volumes_tb": {k: x / TB for k, x in v.items() if not k.startswith("web_")},
        "shuffle_tb": {k: x / TB for k, x in shuffle(a, v).items()},
        "stages": costs,
        "driver_fit": fit,
        "overhead_s_per_task": overhead_s_per_task,
    }
