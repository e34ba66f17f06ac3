"""The demo corpora: small files in the real public schemas, with planted problems.

`generate_demo(out_dir, seed)` writes one file per corpus plus `sources.json`, and
returns a DemoSource per corpus. The same seed gives byte-identical files. All text is
written by this project (templates, word pools and hand-written answers in this
package); nothing is copied from the public datasets whose schemas the files follow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from curation.demo import (
    corpora_distill,
    corpora_docs,
    corpora_instruct,
    corpora_mathcode,
    corpora_steps,
    stemgen,
)
from curation.demo.corpus import Context, CorpusBuilder
from curation.demo.source import DemoSource
from curation.demo.writers import atomic_write, write_rows

SOURCES_FILE = "sources.json"


@dataclass(frozen=True)
class Spec:
    name: str
    file: str
    fmt: str  # jsonl, jsonl.gz, jsonl.zst, json, parquet
    adapter: str
    options: dict
    build: Callable[[Context], CorpusBuilder]
    schema: pa.Schema | None = None  # Parquet only


# Build order matters only where a corpus copies rows from an earlier one (alpaca ->
# sharegpt, math_web -> web) and for the shared similarity guard.
SPECS: tuple[Spec, ...] = (
    Spec("openorca", "openorca.jsonl", "jsonl", "openorca", {}, corpora_instruct.build_openorca),
    Spec("openhermes", "openhermes.jsonl", "jsonl", "openhermes", {}, corpora_instruct.build_openhermes),
    Spec("platypus", "platypus.jsonl", "jsonl", "platypus", {}, corpora_instruct.build_platypus),
    Spec("alpaca_cleaned", "alpaca_cleaned.json", "json", "alpaca", {}, corpora_instruct.build_alpaca),
    Spec("sharegpt", "sharegpt.json", "json", "sharegpt", {}, corpora_instruct.build_sharegpt),
    Spec("opencoder_stage1", "opencoder_stage1.jsonl", "jsonl", "opencoder_sft", {},
         corpora_mathcode.build_opencoder_stage1),
    Spec("opencoder_stage2", "opencoder_stage2.jsonl", "jsonl", "opencoder_sft", {},
         corpora_mathcode.build_opencoder_stage2),
    Spec("openmath1", "openmath1.jsonl", "jsonl", "openmath1", {}, corpora_mathcode.build_openmath1),
    Spec("openmath2", "openmath2.jsonl", "jsonl", "openmath2", {}, corpora_mathcode.build_openmath2),
    Spec("stem_cot_calculus", "stem_cot_calculus.jsonl", "jsonl", "stem_cot", {"domain": "advanced-calculus"},
         lambda ctx: corpora_mathcode.build_stem(ctx, "stem_cot_calculus", stemgen.CALCULUS, 200)),
    Spec("stem_cot_physics", "stem_cot_physics.jsonl", "jsonl", "stem_cot", {"domain": "physics"},
         lambda ctx: corpora_mathcode.build_stem(ctx, "stem_cot_physics", stemgen.PHYSICS, 200)),
    Spec("distill_messages", "distill_messages.jsonl", "jsonl", "distill_messages", {},
         corpora_distill.build_distill_messages),
    Spec("distill_columns", "distill_columns.parquet", "parquet", "distill_columns", {},
         corpora_distill.build_distill_columns,
         corpora_distill.DISTILL_COLUMNS_SCHEMA),
    Spec("math_web", "math_web.jsonl.zst", "jsonl.zst", "documents", {"domain": "math"},
         corpora_docs.build_math_web),
    Spec("web", "web.jsonl.gz", "jsonl.gz", "documents", {"domain": "web"}, corpora_docs.build_web),
    Spec("books", "books.jsonl", "jsonl", "documents", {"domain": "books"}, corpora_docs.build_books),
    Spec("wiki", "wiki.jsonl", "jsonl", "documents", {"domain": "wikipedia"}, corpora_docs.build_wiki),
    Spec("code", "code.jsonl", "jsonl", "code_files", {}, corpora_docs.build_code),
    # Last, so adding it left every earlier corpus byte-identical.
    Spec("stepwise_math", "stepwise_math.jsonl", "jsonl", "alpaca", {}, corpora_steps.build_stepwise_math),
)


def generate_demo(out_dir: Path, seed: int = 0) -> list[DemoSource]:
    """Write every demo corpus under `out_dir` and return what was written (in SPECS order)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = Context(seed)
    sources = []
    for spec in SPECS:
        built = spec.build(ctx)
        path = out_dir / spec.file
        write_rows(path, built.rows(), spec.fmt, spec.schema)
        sources.append(DemoSource(spec.name, spec.adapter, path, dict(spec.options), built.planted_counts()))
    listing = [s.to_json(out_dir) for s in sources]
    atomic_write(out_dir / SOURCES_FILE, (json.dumps(listing, indent=2,
                                                     ensure_ascii=False) + "\n").encode("utf-8"))
    return sources


def load_sources(out_dir: Path) -> list[DemoSource]:
    """Read `sources.json` back into DemoSource entries (paths made absolute)."""
    out_dir = Path(out_dir)
    listing = json.loads((out_dir / SOURCES_FILE).read_text(encoding="utf-8"))
    return [DemoSource(e["name"], e["adapter"], out_dir / e["path"], e["options"],
                       e["planted"]) for e in listing]
