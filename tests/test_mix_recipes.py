"""Every recipe in mixes/ builds on the embedded demo corpora (--demo) into a dataset that
`datasets.load_from_disk` opens, with every source within one row of its token target."""

from pathlib import Path

import datasets
import pytest
from typer.testing import CliRunner

from curation.cli.main import app
from curation.mix.lock import read_lock

MIXES = sorted((Path(__file__).resolve().parents[1] / "mixes").glob("*.yaml"))
runner = CliRunner()


def test_the_seven_recipes_are_there():
    assert {p.stem for p in MIXES} == {
        "wind-edge-1.6-distill-12m",
        "wind-edge-1.6-adapt-6m",
        "wind-edge-1.6-polish-2m",
        "wind-edge-1.6-pretrain-1.2t",
        "qwen3.5-alpaca-calibration",
        "stem-proof-distill",
        "curriculum-sft-kd",
    }


@pytest.mark.parametrize("manifest", MIXES, ids=[p.stem for p in MIXES])
def test_recipe_builds_with_demo(manifest, tmp_path):
    out = tmp_path / manifest.stem
    result = runner.invoke(app, ["mix", "build", str(manifest), "--demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lock = read_lock(out)
    ds = datasets.load_from_disk(str(out))
    train = ds["train"] if isinstance(ds, datasets.DatasetDict) else ds
    rows = list(zip(train["source"], train["part"], train["n_tokens"], strict=True))
    # within one row of every (source, part) target
    for s in lock.sources:
        taken = [n for src, _, n in rows if src == s.name]
        assert sum(taken) == s.tokens, s.name
        if s.target_tokens:
            assert abs(s.tokens - s.target_tokens) < max(taken), s.name
    budget = lock.totals.budget_tokens
    assert abs(lock.totals.tokens - budget) <= max(budget * 0.001, max(n for *_, n in rows)), lock.totals
    _recipe_checks(manifest.stem, out, ds, train)


def _recipe_checks(name, out, ds, train):
    if name == "qwen3.5-alpaca-calibration":
        packed = datasets.load_from_disk(str(out / "packed"))
        assert packed.num_rows >= 10 and {len(x) for x in packed["input_ids"]} == {2048}
    elif name == "wind-edge-1.6-pretrain-1.2t":
        packed = datasets.load_from_disk(str(out / "packed"))
        lengths = {(p, len(x)) for p, x in zip(packed["part"], packed["input_ids"], strict=True)}
        assert ("base-4k", 4096) in lengths and ("long-8k", 8192) in lengths
    elif name == "curriculum-sft-kd":
        parts = train["part"]
        order = [p for i, p in enumerate(parts) if i == 0 or parts[i - 1] != p]
        assert order == ["sft-reasoning", "sft-fast", "kd-fast"]  # stages in curriculum order
        reasoning = [t for t, p in zip(train["text"], parts, strict=True) if p == "sft-reasoning"]
        assert any("<think>\n" in t and "<think>\n\n</think>" not in t for t in reasoning)
    elif name == "stem-proof-distill":
        assert 0.02 < ds["eval"].num_rows / (ds["eval"].num_rows + train.num_rows) < 0.09
        first = train[0]
        assert "\nProof:\n" in first["text"] and "\nFinal Answer:\n" in first["text"]
        assert {s["kind"] for s in first["spans"]} == {"proof", "target"}
        assert len(set(train["source"])) == 12
    elif name.startswith("wind-edge-1.6") and name != "wind-edge-1.6-pretrain-1.2t":
        for text in train["text"][:50]:
            assert text.startswith("<|im_start|>system\n")
            assert text.rstrip("\n").endswith("<|im_end|>") and "<think>\n\n</think>\n\n" in text
