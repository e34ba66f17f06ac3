"""Published per-core throughput of other curation frameworks (CPU paths), for the comparison
table in benchmarks/results/scale.md. Not measured here: each figure is converted from the
source's dataset size, wall time and core count as

    MB/s per core = dataset bytes / (wall seconds x cores)     (TB = 1e12 B, MB = 1e6 B)

which is cluster-amortised throughput (scheduling, I/O, stragglers and idle time included),
not single-core kernel speed. None of the sources says whether its TB are decimal or binary or
whether sizes are compressed: about +-10% on units alone. `per` says what a core is there
(a vCPU is a hyperthread; a c5.24xlarge has 96 vCPUs = 48 physical cores). Ours are measured
on the vCPUs of a shared 2-vCPU VM, per CPU-second.
"""

from __future__ import annotations

NEMO_README = (
    "https://github.com/NVIDIA/NeMo-Curator/blob/main/README.md"  # "Module Ablation and Compute Performance"
)
NEMO_BLOG = (
    "https://developer.nvidia.com/blog/curating-trillion-token-datasets-introducing-nemo-data-curator/"
)
DJ_DISTRIBUTED = "https://github.com/datajuicer/data-juicer/blob/main/docs/Distributed.md"
DATATROVE_298 = "https://github.com/huggingface/datatrove/issues/298"
DATATROVE_106 = "https://github.com/huggingface/datatrove/issues/106"
SLIMPAJAMA = "https://docs.cerebras.net/en/latest/wsc/port/prepare-data/slim_pajama.html"
MARIN_2829 = "https://github.com/marin-community/marin/issues/2829"

# stage: ours' stage name it compares with; mb_s_core: the converted figure (a range as (lo, hi)).
PEERS: list[dict] = [
    {
        "stage": "ingest",
        "framework": "NeMo Curator (CPU)",
        "what": "download + HTML->text extraction of CC WARC "
        "(60 TB compressed, 36 h, 30 c5.24xlarge-like nodes)",
        "mb_s_core": 0.16,
        "per": "vCPU",
        "conf": "B",
        "caveat": "WARC extraction, not JSONL/Parquet reading: a different and heavier job, no ratio given",
        "comparable": False,
        "source": NEMO_README,
    },
    {
        "stage": "dedup_near",
        "framework": "datatrove",
        "what": "MinHash stage 1 (read + signatures + write), 4-8 TB on 1,200-2,400 tasks, 36-123 min",
        "mb_s_core": (0.77, 0.91),
        "per": "task (assumed 1 CPU)",
        "conf": "B",
        "caveat": "signatures only (no buckets, clusters, filtering); CPU model not given",
        "source": DATATROVE_298,
    },
    {
        "stage": "dedup_near",
        "framework": "datatrove (user report)",
        "what": "MinHash signatures, 1 TB in 2 h on ~1k cores",
        "mb_s_core": 0.14,
        "per": "core",
        "conf": "C",
        "caveat": "third-party report; cluster stage (7 h, single-threaded) not included",
        "source": DATATROVE_106,
    },
    {
        "stage": "dedup_near",
        "framework": "Data-Juicer 2.0 on Ray",
        "what": "MinHash end to end (BTS union-find), 200 GB-5 TB on 640-1,280 cores, 256 hashes x 32 bands",
        "mb_s_core": (0.35, 0.51),
        "per": "core",
        "conf": "A",
        "caveat": "Alibaba PAI nodes, CPU model not stated",
        "source": DJ_DISTRIBUTED,
    },
    {
        "stage": "dedup_near",
        "framework": "NeMo Data Curator (CPU, 2023)",
        "what": "fuzzy dedup of 4.5 TB RedPajama, 37 h on 20 x 48 cores (MPI + Redis LSH)",
        "mb_s_core": 0.035,
        "per": "core",
        "conf": "A",
        "caveat": "replaced by a GPU-only path; current NeMo Curator has no CPU fuzzy dedup",
        "source": NEMO_BLOG,
    },
    {
        "stage": "dedup_near",
        "framework": "SlimPajama scripts (Cerebras)",
        "what": "whole RedPajama->SlimPajama pipeline (MinHash dominated), 5 TB in ~2.5 days on 64 cores",
        "mb_s_core": 0.36,
        "per": "core",
        "conf": "B",
        "caveat": "whole pipeline, one machine, 1.4 TB RAM",
        "source": SLIMPAJAMA,
    },
    {
        "stage": "filters",
        "framework": "NeMo Curator (CPU)",
        "what": "quality filtering of CC 2020-50, 2.8 TB in 0.2 h on 30 c5.24xlarge-like nodes",
        "mb_s_core": 1.35,
        "per": "vCPU",
        "conf": "B",
        "caveat": "filter set not stated (heuristics + fastText classifier per the blog); 2.7 MB/s per physical core",
        "source": NEMO_README,
    },
    {
        "stage": "render",
        "framework": "marin/levanter HF tokenizer (reference)",
        "what": "tokenizer inner loop, no I/O, ~850 docs/s on one TPU-VM host core",
        "mb_s_core": 3.4,
        "per": "core",
        "conf": "B",
        "caveat": "not a curation framework; MB/s assumes ~4 bytes/token; tokenizer model not in the excerpt",
        "source": MARIN_2829,
    },
]
# Stages with no published CPU figure for datatrove, NeMo Curator or Data-Juicer.
NOT_PUBLISHED = {
    "dedup_exact": "no CPU figure from datatrove, NeMo Curator (exact dedup is GPU-only now) or Data-Juicer",
    "sample_write": "no framework publishes a standalone sample/write rate",
}
# Published Ray per-task costs, for the overhead section.
RAY_OVERHEAD = [
    (
        "Ray anti-pattern example: 10,000 calls of a ~10 us function, one task each",
        0.144,
        "https://github.com/ray-project/ray/blob/master/doc/source/ray-core/doc_code/anti_pattern_too_fine_grained_tasks.py",
    ),
    (
        "Ray 2.20 microbenchmark single_client_tasks_async (submission throughput)",
        0.125,
        "https://github.com/ray-project/ray/blob/master/release/release_logs/2.20.0/microbenchmark.json",
    ),
    (
        "Ray 2.20 microbenchmark single_client_tasks_sync (submit + get round trip)",
        1.04,
        "https://github.com/ray-project/ray/blob/master/release/release_logs/2.20.0/microbenchmark.json",
    ),
]


def as_range(x: float | tuple[float, float]) -> tuple[float, float]:
    return (x, x) if isinstance(x, int | float) else x
