"""The README's demo through the filter stage: planted problems caught, clean rows kept.

One `curate demo` run (ingest -> dedup -> filter with OUT/inputs/filters.yaml); then:
identity claims dropped or rewritten, the planted GSM8K test question and its reworded copy
dropped as contaminated:gsm8k (and nothing else, even against all of GSM8K's test split),
the 40% "Step 1:" source capped at the configured share (of the rows reaching the cap), every drop and rewrite reported.
"""

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from curation.cli.main import app
from curation.demo import corpora_steps
from curation.demo.filters import PATTERN_CAP_SHARE
from curation.demo.gsm8k_sample import GSM8K_TEST_SAMPLE
from curation.filters.decontam import Decontaminator, default_benchmarks
from curation.filters.pattern_cap import opening_patterns
from curation.report import load_drops, load_rewrites, load_summary
from curation.source_stages import source_parts

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "kept rows rewritten" in " ".join(result.output.split())
    return out


def _planted(out: Path) -> dict[str, dict[str, int]]:
    listing = json.loads((out / "inputs" / "sources.json").read_text())
    return {e["name"]: e["planted"] for e in listing}


def _rows(run: Path, source: str) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(p) for p in source_parts(run, source)])


def test_every_row_is_accounted_for(demo):
    summary = load_summary(demo / "filter")
    summary.check()
    assert load_drops(demo / "filter").collect().height == summary.totals.dropped
    assert load_rewrites(demo / "filter").collect().height == sum(summary.totals.rewritten.values())


def test_identity_claims_are_dropped_or_rewritten(demo):
    summary = load_summary(demo / "filter")
    planted = _planted(demo)
    human = sum(p.get("identity_claim:human", 0) for p in planted.values())
    other = sum(p.get("identity_claim:other_model", 0) for p in planted.values())
    assert summary.totals.reasons.get("identity_claim:human", 0) == human
    rewritten = summary.totals.rewritten.get("identity_rewrite:other_model", 0)
    # rewrite where a clean rewrite exists, drop the rest ("based on GPT-4" style claims)
    assert rewritten + summary.totals.reasons.get("identity_claim:other_model", 0) == other
    assert rewritten > 0
    for row in load_rewrites(demo / "filter", reason="identity_rewrite").collect().iter_rows(named=True):
        assert "->" in row["detail"]
    chat = [s.name for s in summary.sources if s.adapter not in ("documents", "code_files")]
    kept = pl.concat([_rows(demo / "filter", name) for name in chat], how="diagonal_relaxed")
    contents = pl.col("messages").list.eval(pl.element().struct.field("content")).list.join("\n")
    assert kept.filter(contents.str.contains("Wind-Edge-1.6")).height >= rewritten


def test_planted_gsm8k_rows_are_contaminated_and_nothing_else(demo):
    drops = load_drops(demo / "filter", reason="contaminated").collect()
    assert drops["source"].to_list() == ["stepwise_math"] * 2
    raws = " ".join(drops["raw"])
    assert GSM8K_TEST_SAMPLE[0]["question"][:60] in raws  # verbatim
    assert "new flat" in raws  # the lightly reworded copy
    assert all("13-gram" in d for d in drops["detail"])


def test_no_gsm8k_style_demo_row_matches_the_real_test_split(demo):
    """Against all 1,319 GSM8K test items: only the two planted rows of the whole demo match."""
    if not (FIXTURES / "benchmarks" / "gsm8k" / "test.jsonl").is_file():
        pytest.skip("shared fixtures absent (fresh clone without ../shared)")
    first8 = [json.loads(line) for line in (FIXTURES / "benchmarks/gsm8k/test.jsonl").read_text().splitlines()[:8]]
    assert list(GSM8K_TEST_SAMPLE) == first8  # the demo's sample is the real test split's head
    gsm8k = Decontaminator.from_specs(default_benchmarks(FIXTURES)[:1])
    flagged = []
    for src in load_summary(demo / "dedup").sources:
        for part in source_parts(demo / "dedup", src.name):
            table = pl.read_parquet(part).to_arrow()
            verdicts = gsm8k(table)
            flagged += [(src.name, i) for i, r in zip(table.column("id").to_pylist(), verdicts.reason.to_pylist(), strict=True) if r]
    assert [s for s, _ in flagged] == ["stepwise_math"] * 2


def test_pattern_cap_brings_step_1_down_to_the_cap(demo):
    before = opening_patterns(_rows(demo / "dedup", "stepwise_math"), k=4).row(0, named=True)
    assert before["opening"] == "step 1:" and 0.38 <= before["share"] <= 0.42
    # The rows the cap kept: the filtered run's, and those the checks after it dropped.
    stages = [st.stage for st in next(s for s in load_summary(demo / "filter").sources if s.name == "stepwise_math").stages]
    later = stages[stages.index("pattern_cap") + 1 :]
    all_drops = load_drops(demo / "filter", source="stepwise_math").collect()
    passed = set(_rows(demo / "filter", "stepwise_math")["id"]) | set(all_drops.filter(pl.col("stage").is_in(later))["id"])
    after = opening_patterns(_rows(demo / "dedup", "stepwise_math").filter(pl.col("id").is_in(passed)), k=4)
    step = after.filter(pl.col("opening") == "step 1:").row(0, named=True)
    assert PATTERN_CAP_SHARE - 0.01 <= step["share"] <= PATTERN_CAP_SHARE
    drops = load_drops(demo / "filter", source="stepwise_math", stage="pattern_cap").collect()
    assert set(drops["reason"]) == {"pattern_cap:step 1:"}
    assert drops.height == before["count"] - step["count"]
    assert "share 0.4" in drops["detail"][0]
    assert corpora_steps.STEP_SHARE == 0.40


def test_report_and_patterns_commands_show_it(demo):
    result = runner.invoke(app, ["report", str(demo / "filter"), "--reason", "contaminated", "--examples", "2"])
    assert result.exit_code == 0, result.output
    assert "contaminated:gsm8k" in result.output
    result = runner.invoke(app, ["report", str(demo / "filter"), "--rewritten", "--examples", "1"])
    assert result.exit_code == 0 and "identity_rewrite:other_model" in result.output
    result = runner.invoke(app, ["patterns", str(demo / "filter"), "--source", "stepwise_math", "--top", "1"])
    assert result.exit_code == 0, result.output
    assert "step 1:" in result.output and "Answer scaffolds" in result.output


def test_filter_command_reruns_with_the_written_config(demo, tmp_path):
    config = demo / "inputs" / "filters.yaml"
    result = runner.invoke(app, ["filter", str(demo / "dedup"), "--config", str(config), "--out", str(tmp_path / "f")])
    assert result.exit_code == 0, result.output
    # Same inputs, same config: the same kept rows, byte for byte.
    for src in load_summary(demo / "filter").sources:
        a = [p.read_bytes() for p in source_parts(demo / "filter", src.name)]
        b = [p.read_bytes() for p in source_parts(tmp_path / "f", src.name)]
        assert a == b, src.name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filters", "identity,nope"], "unknown filter(s) ['nope']"),
        (["--filters", "identity", "--config", "x.yaml"], "not both"),
        (["--config", "{tmp}/missing.yaml"], "no filter config at"),
        (["--config", "{tmp}/typo.yaml"], "chat_quality.check_refusl: unknown parameter"),
    ],
)
def test_filter_command_bad_input(demo, tmp_path, args, message):
    (tmp_path / "typo.yaml").write_text("chat_quality: {check_refusl: false}\n")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, ["filter", str(demo / "dedup"), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "o").exists()  # a config error stops the run before any work


def test_rendering_the_demo_counts_every_token_exactly(demo, tmp_path):
    """All 4,000 demo rows rendered no-thinking: n_tokens == len(encode(text)) and every token
    span decodes to exactly its character span."""
    from curation.render.stage import RenderOptions, render_run
    from curation.tokens import get_tokenizer

    render_run(demo / "filter", tmp_path / "r", RenderOptions(identity_name="Wind-Edge-1.6", identity_maker="Wind-Edge Labs"))
    tok = get_tokenizer("qwen3")
    for src in load_summary(tmp_path / "r").sources:
        for r in _rows(tmp_path / "r", src.name).iter_rows(named=True):
            ids = tok.encode(r["text"])
            assert r["n_tokens"] == len(ids), r["id"]
            for chars, tokens in zip(r["spans"], r["token_spans"], strict=True):
                assert tok.decode(ids[tokens["start"] : tokens["end"]]) == r["text"][chars["start"] : chars["end"]], r["id"]
