"""One contender of the filter-chain benchmark, run in its own process by chain_run.py.

    python contenders.py CONTENDER CORPUS DOCS OUT_JSON [BATCH_ROWS]

    ours        GopherQualityFilter -> GopherRepetitionFilter -> C4QualityFilter ->
                FineWebQualityFilter (curation.filters), batch by batch, each filter on the
                rows the previous kept, C4's rewritten text feeding FineWeb (as
                curation.filters.stage.filter_run applies a chain, without the Parquet I/O
                and report rows)
    datatrove   datatrove 0.10.1's GopherQualityFilter, GopherRepetitionFilter,
                C4QualityFilter, FineWebQualityFilter with their defaults, `.filter(doc)` per
                document in the same order (C4 rewrites doc.text for FineWeb), no pipeline
                I/O or stats (run under benchmarks/.venv-peers)
    chat        ChatQuality -> IdentityFilter -> PiiFilter -> ReasoningPolicy (defaults) on
                canonical chat rows (CORPUS: a Parquet of canonical rows)

Times only the filtering (corpus load and imports excluded): wall and CPU seconds, per
filter. Prints one line ``BENCH_RESULT {json}``; writes each document's verdict
("kept" or "<filter>:<reason>") to OUT_JSON for the agreement check.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


def vmhwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def canonical(ids: list[str] | pa.Array, texts: pa.Array) -> pa.Table:
    from curation.record import CANONICAL_SCHEMA

    n = len(texts)
    return pa.table(
        {
            "id": pa.array(ids, pa.string()) if not isinstance(ids, pa.Array) else ids.cast(pa.string()),
            "source": pa.array(["bench"] * n, pa.string()),
            "kind": pa.array(["text"] * n, pa.string()),
            "messages": pa.nulls(n, CANONICAL_SCHEMA.field("messages").type),
            "text": texts.cast(pa.string()),
            "meta": pa.nulls(n, CANONICAL_SCHEMA.field("meta").type),
        },
        schema=CANONICAL_SCHEMA,
    )


def run_chain(chain, batches: list[pa.Table]) -> tuple[dict, dict, float, float]:
    """Apply `chain` [(name, filter)] batch by batch; (verdict per id: "kept" or "<name>:<reason>",
    seconds per filter, wall, cpu)."""
    per_filter = {name: 0.0 for name, _ in chain}
    verdict: dict = {}
    w0, c0 = time.perf_counter(), time.process_time()
    for batch in batches:
        current = batch
        for name, filt in chain:
            t0 = time.perf_counter()
            got = filt(current)
            source = got.table if got.table is not None else current
            keep = pc.is_null(got.reason)
            per_filter[name] += time.perf_counter() - t0
            if got.dropped:
                dropped = pc.invert(keep)
                ids = current.column("id").filter(dropped).to_pylist()
                reasons = got.reason.filter(dropped).to_pylist()
                verdict.update((i, f"{name}:{r}") for i, r in zip(ids, reasons, strict=True))
            current = source.filter(keep)
        verdict.update(dict.fromkeys(current.column("id").to_pylist(), "kept"))
    return verdict, per_filter, time.perf_counter() - w0, time.process_time() - c0


def ours(corpus: Path, docs: int, batch_rows: int) -> tuple[dict, dict, float, float, int]:
    from curation.filters.c4 import C4QualityFilter
    from curation.filters.fineweb import FineWebQualityFilter
    from curation.filters.gopher import GopherQualityFilter, GopherRepetitionFilter
    from curation.filters.text_stats import char_classes

    table = pq.read_table(corpus, columns=["id", "text"]).slice(0, docs)
    chain = [
        ("gopher_quality", GopherQualityFilter()),
        ("gopher_repetition", GopherRepetitionFilter()),
        ("c4", C4QualityFilter()),
        ("fineweb", FineWebQualityFilter()),
    ]
    # warm up outside the clock: numba's cached machine code and the character table
    char_classes()
    warm = canonical(
        table.column("id").slice(0, 64).combine_chunks(), table.column("text").slice(0, 64).combine_chunks()
    )
    for _, f in chain:
        f(warm)
    batches = [
        canonical(
            table.column("id").slice(s, batch_rows).combine_chunks(),
            table.column("text").slice(s, batch_rows).combine_chunks(),
        )
        for s in range(0, table.num_rows, batch_rows)
    ]
    nbytes = int(pc.sum(pc.binary_length(table.column("text"))).as_py() or 0)
    return (*run_chain(chain, batches), nbytes)


def datatrove(corpus: Path, docs: int, batch_rows: int) -> tuple[dict, dict, float, float, int]:
    from datatrove.data import Document
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    table = pq.read_table(corpus, columns=["id", "text"]).slice(0, docs)
    ids = table.column("id").to_pylist()
    texts = table.column("text").to_pylist()
    chain = [
        ("gopher_quality", GopherQualityFilter()),
        ("gopher_repetition", GopherRepetitionFilter()),
        ("c4", C4QualityFilter()),
        ("fineweb", FineWebQualityFilter()),
    ]
    # warm up outside the clock: spaCy's tokenizer loads on first use
    for _, f in chain:
        f.filter(Document(text="Warm up the tokenizers. " * 60, id="w"))
    docs_ = [Document(text=t, id=i) for i, t in zip(ids, texts, strict=True)]
    per_filter = {name: 0.0 for name, _ in chain}
    verdict = {}
    w0, c0 = time.perf_counter(), time.process_time()
    for doc in docs_:
        result = "kept"
        for name, f in chain:
            t0 = time.perf_counter()
            got = f.filter(doc)
            per_filter[name] += time.perf_counter() - t0
            ok, reason = (got, None) if isinstance(got, bool) else got
            if not ok:
                result = f"{name}:{reason}"
                break
        verdict[doc.id] = result
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return verdict, per_filter, wall, cpu, sum(len(t.encode("utf-8")) for t in texts)


def chat(corpus: Path, docs: int, batch_rows: int) -> tuple[dict, dict, float, float, int]:
    from curation.filters.chat_quality import ChatQuality
    from curation.filters.identity import IdentityFilter
    from curation.filters.pii import PiiFilter
    from curation.filters.reasoning import ReasoningPolicy

    table = pq.read_table(corpus).slice(0, docs)
    chain = [
        ("chat_quality", ChatQuality()),
        ("identity", IdentityFilter()),
        ("pii", PiiFilter()),
        ("reasoning", ReasoningPolicy()),
    ]
    for _, f in chain:
        f(table.slice(0, 64))
    batches = [table.slice(s, batch_rows) for s in range(0, table.num_rows, batch_rows)]
    content = pc.list_flatten(table.column("messages")).combine_chunks()
    nbytes = int(pc.sum(pc.binary_length(content.field("content"))).as_py() or 0)
    nbytes += int(pc.sum(pc.binary_length(content.field("reasoning"))).as_py() or 0)
    return (*run_chain(chain, batches), nbytes)


def main() -> None:
    contender, corpus, docs, out = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    batch_rows = int(sys.argv[5]) if len(sys.argv) > 5 else 10_000
    fn = {"ours": ours, "datatrove": datatrove, "chat": chat}[contender]
    verdict, per_filter, wall, cpu, nbytes = fn(corpus, docs, batch_rows)
    out.write_text(json.dumps(verdict))
    result = {
        "contender": contender,
        "docs": len(verdict),
        "bytes": nbytes,
        "wall_s": wall,
        "cpu_s": cpu,
        "per_filter_s": per_filter,
        "dropped": sum(v != "kept" for v in verdict.values()),
        "vmhwm_mib": vmhwm_mib(),
        "batch_rows": batch_rows,
    }
    print("BENCH_RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
