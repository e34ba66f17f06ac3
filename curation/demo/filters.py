"""The demo's filter config and benchmark file, written beside the demo corpora.

`write_demo_filters(inputs_dir)` writes ``filters.yaml`` (what `curate demo` runs, and what a
user edits to try other parameters: ``curate filter OUT/dedup --config OUT/inputs/filters.yaml``)
and ``benchmarks/gsm8k_test_sample.jsonl`` (the GSM8K items decontamination indexes).

The config is the one a Wind-Edge distillation mix uses: claims of another model's identity
rewritten to the mix's own, PII redacted, the chat checks on every chat source, the web rules
(Gopher, C4, FineWeb) on the web crawl only -- they were made for web pages, and would drop
most of a code corpus for having few stop words -- and the pattern cap on every source.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from curation.demo.gsm8k_sample import GSM8K_TEST_SAMPLE
from curation.demo.writers import atomic_write

FILTERS_FILE = "filters.yaml"
BENCHMARK_FILE = "benchmarks/gsm8k_test_sample.jsonl"
IDENTITY = {"name": "Wind-Edge-1.6", "maker": "Wind-Edge Labs"}
PATTERN_CAP_SHARE = 0.25

WEB_RULES = {"gopher_quality": True, "gopher_repetition": True, "c4": True, "fineweb": True}

DEMO_FILTERS: dict = {
    "reasoning": {"mode": "keep"},
    "identity": {"action": "rewrite", **IDENTITY},
    "pii": True,
    "chat_quality": True,
    "decontam": {
        "benchmarks": [
            {"name": "gsm8k", "path": BENCHMARK_FILE, "fields": ["question", "answer"], "drop_pattern": "<<[^>]*>>"}
        ]
    },
    "pattern_cap": {"k": 4, "max_share": PATTERN_CAP_SHARE},
    "sources": {"web": WEB_RULES, "books": {"gopher_repetition": True}},
}


def write_demo_filters(inputs_dir: Path) -> Path:
    """Write filters.yaml and the benchmark file under `inputs_dir`; return the config path."""
    inputs_dir = Path(inputs_dir)
    bench = inputs_dir / BENCHMARK_FILE
    bench.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in GSM8K_TEST_SAMPLE)
    atomic_write(bench, lines.encode("utf-8"))
    header = "# The demo's filter chain (see curation/filters/config.py for every filter and parameter).\n"
    body = yaml.safe_dump(DEMO_FILTERS, sort_keys=False, allow_unicode=True, width=100)
    path = inputs_dir / FILTERS_FILE
    atomic_write(path, (header + body).encode("utf-8"))
    return path
