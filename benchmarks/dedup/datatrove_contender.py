"""The datatrove contender of the near-dedup benchmark (imported by contenders.py, peers venv).

datatrove's own MinHash pipeline, its four stages run in this process one after another with
``LocalPipelineExecutor(tasks=1, workers=1)`` (one core): signatures -> buckets -> clusters ->
filter, writing its intermediate files under WORK_DIR. Its defaults except the number of
hashes: ``MinhashConfig(n_grams=5, num_buckets=16, hashes_per_bucket=8)`` = 128 hashes
(datatrove's default is 14 x 8 = 112), 64-bit xxhash, datatrove's own normalisation
(``simplify_text``) and English word tokenizer. No verification (datatrove has none): every
pair sharing a bucket is a duplicate; clusters are connected components; one document per
cluster is kept. The documents are handed to stage 1 and stage 4 from memory (no reader).
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pyarrow as pa


def datatrove(table: pa.Table, corpus: Path, work: Path, timer) -> tuple:
    from datatrove.data import Document
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )

    texts = table.column("text").to_pylist()
    ids = table.column("id").to_pylist()
    cfg = MinhashConfig(n_grams=5, num_buckets=16, hashes_per_bucket=8)
    kept: list[str] = []

    def docs(data, rank=0, world_size=1):
        for i, (t, d) in enumerate(zip(texts, ids, strict=True)):
            yield Document(text=t, id=d, metadata={"row": i})

    def collect(data, rank=0, world_size=1):
        for doc in data:
            kept.append(doc.id)
        return iter(())

    timer.start()
    stages = [
        [docs, MinhashDedupSignature(output_folder=str(work / "sigs"), config=cfg)],
        [MinhashDedupBuckets(input_folder=str(work / "sigs"), output_folder=str(work / "buckets"), config=cfg)],
        [MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "remove"), config=cfg,
                             save_cluster_id=True)],
        [docs, MinhashDedupFilter(input_folder=str(work / "remove"), load_cluster_ids=True), collect],
    ]
    for k, pipeline in enumerate(stages):
        tasks = cfg.num_buckets if k == 1 else 1  # stage 2 runs one task per bucket (sequentially here)
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=1, logging_dir=str(work / f"logs{k}")).run()
    timer.stop()
    # removed rows: the .remove file (uint32 document indices of rank 0); matched row: a kept
    # member of the same cluster (.clusters: pairs of uint32 (doc, cluster id))
    removed = np.fromfile(work / "remove" / "000000.remove", dtype="<u4").astype(np.int64) \
        if (work / "remove" / "000000.remove").exists() else np.zeros(0, np.int64)
    cluster_of: dict[int, int] = {}
    cl_path = work / "remove" / "000000.clusters"
    if cl_path.exists():
        raw = cl_path.read_bytes()
        for doc, cid in struct.iter_unpack("<II", raw):
            cluster_of[doc] = cid
    removed_set = set(removed.tolist())
    keeper: dict[int, int] = {}
    for doc, cid in cluster_of.items():
        if doc not in removed_set:
            keeper.setdefault(cid, doc)
    matched = np.asarray([keeper.get(cluster_of.get(r, -1), -1) for r in removed.tolist()], np.int64)
    if len(kept) + removed.size != len(texts):
        raise RuntimeError(f"datatrove kept {len(kept)} + removed {removed.size} != {len(texts)}")
    return removed, matched, {"lsh": "16x8", "verify": "none"}
