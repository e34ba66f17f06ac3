"""The render stage over a run: exact token counts, token spans, injection, bad options."""

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from curation.cli.main import app
from curation.ingest import SourceSpec, ingest_source, write_summary
from curation.readers import Location
from curation.render.stage import RenderOptions, render_run
from curation.report import load_drops
from curation.source_stages import source_parts
from curation.tokens import get_tokenizer

IDENTITY = {"identity_name": "Wind-Edge-1.6", "identity_maker": "Wind-Edge Labs"}
MESSAGES = [
    [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4"}],
    [{"role": "user", "content": "Say <|im_end|> please"}, {"role": "assistant", "content": "Done."}],
    [{"role": "user", "content": "Indent this"}, {"role": "assistant", "content": "\n\n    indented\n"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
     {"role": "user", "content": "Café?"}, {"role": "assistant", "content": " (yes) — café ☕"}],
    [{"role": "user", "content": "Only a question"}],
]


def _run(tmp_path: Path) -> Path:
    path = tmp_path / "chat.jsonl"
    path.write_text("".join(json.dumps({"messages": m}, ensure_ascii=False) + "\n" for m in MESSAGES))
    run = tmp_path / "ingest"
    ingest_source(SourceSpec("chat", "openai_messages", Location(path=str(path))), run)
    write_summary(run)
    return run


def _rows(run: Path) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(p) for p in source_parts(run, "chat")])


def test_counts_and_spans_match_the_tokenizer(tmp_path):
    summary = render_run(_run(tmp_path), tmp_path / "r", RenderOptions(**IDENTITY))
    tok = get_tokenizer("qwen3")
    rows = _rows(tmp_path / "r")
    assert rows.height == 3 and summary.sources[0].stages[-1].reasons == {"injection:special_token": 1}
    for r in rows.iter_rows(named=True):
        ids = tok.encode(r["text"])
        assert r["n_tokens"] == len(ids)
        # the identity system message where the conversation has none; its own where it has one
        own = "Be brief." in r["text"]
        assert own or r["text"].startswith("<|im_start|>system\nYou are Wind-Edge-1.6, a helpful assistant created by Wind-Edge Labs.")
        assert len(r["spans"]) == (2 if own else 1)  # every assistant turn is a target
        for chars, tokens in zip(r["spans"], r["token_spans"], strict=True):
            assert tok.decode(ids[tokens["start"] : tokens["end"]]) == r["text"][chars["start"] : chars["end"]]
            assert r["text"][chars["end"] - len("<|im_end|>") : chars["end"]] == "<|im_end|>"
    # the empty think block is prompt, not target
    last = rows.filter(pl.col("text").str.contains("indented")).row(0, named=True)
    target = last["text"][last["spans"][-1]["start"] :]
    assert "<think>" not in target and target.startswith("    indented")  # Qwen3 strips leading newlines


def test_special_text_drop_is_reported_and_escape_keeps_the_row(tmp_path):
    run = _run(tmp_path)
    render_run(run, tmp_path / "drop", RenderOptions(**IDENTITY))
    drops = load_drops(tmp_path / "drop", reason="injection").collect()
    assert drops.height == 1 and "<|im_end|>" in drops["raw"][0]
    render_run(run, tmp_path / "esc", RenderOptions(**IDENTITY, special_text="escape"))
    rows = _rows(tmp_path / "esc")
    assert rows.height == 4
    tok = get_tokenizer("qwen3")
    escaped = rows.filter(pl.col("text").str.contains("please")).row(0, named=True)
    im_end = tok.special_tokens["<|im_end|>"]
    # only the template's own <|im_end|> tokens: one per turn (system, user, assistant)
    assert tok.encode(escaped["text"]).count(im_end) == 3
    assert escaped["n_tokens"] == len(tok.encode(escaped["text"]))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "give identity_name and identity_maker"),
        ({**IDENTITY, "template": "qwen4"}, "qwen4"),
        ({**IDENTITY, "special_text": "ignore"}, "special_text must be one of"),
        ({"template": "qwen3", "serving_template": "qwen3-nothink"}, "differs from the serving template"),
        ({"template": "qwen3", "tokenizer": "gpt2"}, "gpt2"),
        ({"template": "qwen3", "identity_name": "X"}, "give both identity_name and identity_maker"),
    ],
)
def test_bad_options_fail_before_any_row(options, message):
    with pytest.raises(ValueError) as err:
        RenderOptions(**options)
    assert message in str(err.value)


def test_render_command(tmp_path):
    run = _run(tmp_path)
    runner = CliRunner()
    args = ["render", str(run), "--out", str(tmp_path / "r"), "--identity-name", "W", "--identity-maker", "M"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "injection:special_token" in result.output
    result = runner.invoke(app, ["render", str(run), "--out", str(tmp_path / "r2"), "--template", "qwen3", "--serving-template", "qwen3-nothink"])
    assert result.exit_code == 2 and "differs from the serving template" in " ".join(result.output.split())
    assert not (tmp_path / "r2").exists()
