"""One contender of the near-dedup benchmark, run in a fresh process by run.py.

    python benchmarks/dedup/contenders.py CONTENDER CORPUS_PARQUET N_DOCS WORK_DIR

`ours` runs under the project venv (.venv); the peers (`datasketch`, `rensa`, `datatrove`)
run under benchmarks/.venv-peers, which does not have the project's dependencies: the peers'
Python shingling uses the token regex that run.py derives from
``curation.dedup.shingle.char_class`` and writes next to the corpus (run.py checks that it
yields exactly ``Shingler().shingles`` on a sample of the corpus before any run).

Every contender reads the first N_DOCS rows of the corpus (columns id, text), then does the
whole job, timed: normalise -> shingle -> signature -> LSH -> the set of removed documents
(each with the earlier document it was matched to). Word 5-grams, 128 permutations,
threshold 0.8. It writes WORK_DIR/removed.npy (int64 [k, 2]: removed row, matched row) and
prints one line ``BENCH_RESULT {json}``: wall and CPU seconds of the work (imports and the
corpus load excluded), RSS after loading the texts, VmHWM at the end.
"""

from __future__ import annotations

import os
import sys

for var in ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "RAYON_NUM_THREADS", "ARROW_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import json  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

pa.set_cpu_count(1)
pa.set_io_thread_count(1)

NUM_PERM = 128
NGRAM = 5
THRESHOLD = 0.8
CHUNK = 10_000  # peers: documents shingled and hashed per chunk (bounds the shingle lists)


def status_mib(key: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_hwm() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0: write 5 to /proc/self/clear_refs), so that
    the peak measured is the work's, not the corpus load's or the warm-up's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def token_regex(corpus: Path) -> re.Pattern:
    return re.compile(Path(str(corpus) + ".tokens.regex").read_text(encoding="utf-8"))


def py_shingles(text: str, tok: re.Pattern) -> list[str]:
    """The peers' Python shingling: NFKC, lowercase, the project's token classes, word 5-grams
    joined by one space (the same shingles as Shingler().shingles, as str)."""
    toks = tok.findall(unicodedata.normalize("NFKC", text).lower())
    if len(toks) < NGRAM:
        return [" ".join(toks)] if toks else []
    return [" ".join(toks[i : i + NGRAM]) for i in range(len(toks) - NGRAM + 1)]


# --- contenders: each returns (removed rows, matched rows, info) ---------------------------


def ours(table: pa.Table, corpus: Path, work: Path, timer, verify: str = "exact") -> tuple:
    """As near_stage does it: signatures in batches of SIGNATURE_BATCH, streamed into band-key
    shards and let go (`near_duplicates_streamed`), candidates and removals verified by the
    exact Jaccard of the two shingle sets (the stage's default); ``verify="signature"``:
    every signature kept and the MinHash estimate used instead."""
    from curation.dedup.jaccard import ExactJaccard
    from curation.dedup.minhash import MinHasher
    from curation.dedup.near import near_duplicates, near_duplicates_streamed
    from curation.dedup.near_stage import SIGNATURE_BATCH
    from curation.dedup.params import LshParams

    texts = table.column("text").combine_chunks()
    ids = table.column("id").combine_chunks()
    hasher = MinHasher(NUM_PERM, seed=1)
    # Load the numba kernels from their cache (untimed): the plain path, the NFKC retry
    # path (a ligature), the LSH and the exact Jaccard.
    warm = pa.array(["ﬁne words for the warm up here", *texts.slice(0, 9).to_pylist()])
    near_duplicates(pa.array([str(i) for i in range(10)]), hasher.signatures(warm), np.arange(10), 21, 6, THRESHOLD,
                    similarity_fn=ExactJaccard(warm, hasher.shingler))
    p = LshParams.for_threshold(THRESHOLD, NUM_PERM)
    timer.start()
    n = len(texts)
    batches = (hasher.signatures(texts.slice(lo, SIGNATURE_BATCH)) for lo in range(0, n, SIGNATURE_BATCH))
    rank = np.arange(n, dtype=np.int64)
    if verify == "exact":
        res = near_duplicates_streamed(ids, rank, batches, p.bands, p.rows, THRESHOLD,
                                       ExactJaccard(texts, hasher.shingler), workers=1, work_dir=work)
    else:
        sigs = np.concatenate(list(batches))
        res = near_duplicates(ids, sigs, rank, p.bands, p.rows, THRESHOLD, workers=1, work_dir=work)
    timer.stop()
    return res.removed, res.duplicate_of_row, {
        "lsh": f"{p.bands}x{p.rows}", "verify": verify, "signature_batch": SIGNATURE_BATCH,
        "stats": {k: v for k, v in res.stats.items() if isinstance(v, int | float)},
    }


def datasketch(table: pa.Table, corpus: Path, work: Path, timer) -> tuple:
    from datasketch import MinHash, MinHashLSH

    texts = table.column("text").to_pylist()
    tok = token_regex(corpus)
    timer.start()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)  # its optimal_param: 9 x 13
    removed, matched = [], []
    for lo in range(0, len(texts), CHUNK):
        sets = [py_shingles(t, tok) for t in texts[lo : lo + CHUNK]]
        sets = [[s.encode("utf-8") for s in sh] for sh in sets]
        mhs = MinHash.bulk(sets, num_perm=NUM_PERM)  # default: seed 1, sha1_hash32
        for k, m in enumerate(mhs):
            i = lo + k
            cands = lsh.query(m)
            if cands:
                removed.append(i)
                matched.append(min(cands))
            lsh.insert(i, m, check_duplication=False)
    timer.stop()
    return np.asarray(removed, np.int64), np.asarray(matched, np.int64), {
        "lsh": f"{lsh.b}x{lsh.r}", "verify": "none",
    }


def rensa(table: pa.Table, corpus: Path, work: Path, timer) -> tuple:
    from rensa import RMinHash, RMinHashLSH

    texts = table.column("text").to_pylist()
    tok = token_regex(corpus)
    timer.start()
    lsh = RMinHashLSH(THRESHOLD, NUM_PERM, 16)  # rensa's README: 16 bands (8 rows)
    kept_mh: list = []
    removed, matched = [], []
    for lo in range(0, len(texts), CHUNK):
        sets = [py_shingles(t, tok) for t in texts[lo : lo + CHUNK]]
        mhs = RMinHash.from_token_sets(sets, NUM_PERM, 42)
        for k, m in enumerate(mhs):
            i = lo + k
            hit = -1
            for c in sorted(lsh.query(m)):
                if m.jaccard(kept_mh[c]) >= THRESHOLD:  # verify the candidate, as rensa's examples do
                    hit = c
                    break
            if hit >= 0:
                removed.append(i)
                matched.append(hit)
            lsh.insert(i, m)
            kept_mh.append(m)
    timer.stop()
    return np.asarray(removed, np.int64), np.asarray(matched, np.int64), {"lsh": "16x8", "verify": "estimate"}


class Timer:
    def __init__(self) -> None:
        self.t0 = self.c0 = self.wall = self.cpu = None
        self.rss_before = None
        self.hwm_reset = False

    def start(self) -> None:
        # the peak measured is the work's: reset VmHWM to the current RSS as the clock starts
        self.hwm_reset = reset_hwm()
        self.rss_before = status_mib("VmRSS")
        self.t0, self.c0 = time.perf_counter(), time.process_time()

    def stop(self) -> None:
        self.wall, self.cpu = time.perf_counter() - self.t0, time.process_time() - self.c0


def ours_sigverify(table: pa.Table, corpus: Path, work: Path, timer) -> tuple:
    """ours verifying candidates by the MinHash estimate (the stage's `verify="signature"`)."""
    return ours(table, corpus, work, timer, verify="signature")


CONTENDERS = {"ours": ours, "ours_sigverify": ours_sigverify, "datasketch": datasketch, "rensa": rensa}


def main() -> None:
    name, corpus, n_docs, work = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    work.mkdir(parents=True, exist_ok=True)
    if name == "datatrove":
        from datatrove_contender import datatrove

        fn = datatrove
    else:
        fn = CONTENDERS[name]
    table = pq.read_table(corpus, columns=["id", "text"]).slice(0, n_docs)
    table = table.combine_chunks()
    rss_loaded = status_mib("VmRSS")
    timer = Timer()
    removed, matched, info = fn(table, corpus, work, timer)
    vmhwm = status_mib("VmHWM")
    np.save(work / "removed.npy", np.stack([np.asarray(removed, np.int64), np.asarray(matched, np.int64)], axis=1))
    result = {
        "docs": table.num_rows,
        "wall_s": timer.wall,
        "cpu_s": timer.cpu,
        "rss_loaded_mib": rss_loaded,
        "rss_before_mib": timer.rss_before,
        "vmhwm_mib": vmhwm,
        "hwm_reset": timer.hwm_reset,
        "removed": int(len(removed)),
        **info,
    }
    print("BENCH_RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
