"""Token spans of rendered rows: exact because every span boundary is a token boundary."""

from __future__ import annotations

import pyarrow as pa
import pytest
from adapter_rows import fixture, run_file

from curation.adapters import get_adapter
from curation.render import identity_system_message, render_batch

try:
    from curation.tokens import get_tokenizer
except ImportError:  # pragma: no cover - only while curation.tokens is being written
    get_tokenizer = None


@pytest.fixture(scope="module")
def tok():
    if get_tokenizer is None:
        pytest.skip("curation.tokens.get_tokenizer is not importable yet")
    return get_tokenizer("qwen3")


@pytest.mark.parametrize(
    ("template", "thinking", "system"),
    [
        ("qwen3", True, None),
        ("qwen3", False, None),
        ("qwen3-nothink", False, identity_system_message("W", "M")),
    ],
)
def test_token_spans_are_token_boundaries(tok, template, thinking, system):
    kept = run_file(
        get_adapter("sharegpt"), fixture("instruct/llamafactory/glaive_toolcall_en_demo.json")
    ).kept
    kept = kept.slice(0, 60)
    out, verdicts = render_batch(
        kept, template, enable_thinking=thinking, system_message=system, tokenizer=tok
    )
    assert verdicts.dropped == 0
    assert out.schema.field("token_spans").type == out.schema.field("spans").type
    for text, spans, tspans, n in zip(
        *(out[c].to_pylist() for c in ("text", "spans", "token_spans", "n_tokens")), strict=True
    ):
        full = tok.encode(text, allow_special=True)
        assert n == len(full)
        for span, tspan in zip(spans, tspans, strict=True):
            start, end = span["start"], span["end"]
            # the pieces encode to the whole: the cut points are token boundaries
            pieces = [tok.encode(p, allow_special=True) for p in (text[:start], text[start:end], text[end:])]
            assert pieces[0] + pieces[1] + pieces[2] == full
            assert (tspan["start"], tspan["end"]) == (len(pieces[0]), len(pieces[0]) + len(pieces[1]))
            assert tok.decode(full[tspan["start"] : tspan["end"]]) == text[start:end]


def test_token_spans_text_row(tok):
    meta = dict.fromkeys(("data_source", "domain", "language", "url", "path", "license", "extra"))
    from curation.record import CANONICAL_SCHEMA

    table = pa.Table.from_pylist(
        [{"id": "d", "source": "s", "kind": "text", "messages": None, "text": "Hello world", "meta": meta}],
        schema=CANONICAL_SCHEMA,
    )
    out, _ = render_batch(table, "qwen3", enable_thinking=False, system_message=None, tokenizer=tok)
    assert out["token_spans"].to_pylist() == [[{"start": 0, "end": 2, "kind": "target"}]]
    assert out["n_tokens"].to_pylist() == [2]
