"""The dedup stage over run directories: the demo corpora's planted exact duplicates are
removed with duplicate_of set, every row is accounted for, and `curate dedup` refuses bad input."""

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from curation.cli.main import app
from curation.dedup.exact import STAGE, ExactOptions
from curation.dedup.stage import dedup_run
from curation.demo import generate_demo
from curation.ingest import SourceSpec, ingest_source, write_summary
from curation.readers.location import Location
from curation.report import RunDirError, load_drops

EXACT_KEYS = ("exact_duplicate", "duplicate_row")  # planted copies equal in content
CROSS_KEY = "exact_duplicate:cross_source"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("dedup")
    sources = generate_demo(root / "inputs", seed=0)
    for d in sources:
        ingest_source(SourceSpec(d.name, d.adapter, Location(path=str(d.path)), dict(d.options)), root / "run")
    write_summary(root / "run")
    return root, {d.name: d for d in sources}


@pytest.fixture(scope="module")
def by_source(demo):
    root, _ = demo
    return dedup_run(root / "run", root / "out-source", ExactOptions(scope="source"))


def test_planted_exact_duplicates_are_removed_per_source(demo, by_source):
    _, planted = demo
    for src in by_source.sources:
        stage = src.stages[-1]
        assert stage.stage == STAGE
        expected = sum(planted[src.name].planted.get(k, 0) for k in EXACT_KEYS)
        assert stage.dropped == expected, src.name
        assert stage.reasons == ({"exact_duplicate": expected} if expected else {})


def test_accounting_holds_and_stages_chain(demo, by_source):
    root, _ = demo
    by_source.check()
    for src in by_source.sources:
        assert [s.stage for s in src.stages] == ["read", "adapt", STAGE]
        assert src.stages[-1].input == src.stages[-2].kept
    drops = load_drops(root / "out-source").collect()
    assert drops.height == by_source.totals.dropped
    kept = pl.scan_parquet(str(root / "out-source" / "sources" / "*" / "data" / "*.parquet")).select(pl.len()).collect().item()
    assert kept == by_source.totals.kept
    counts = json.loads((root / "out-source" / "sources" / "web" / "counts.json").read_text())
    assert counts["stages"][-1]["stage"] == STAGE


def test_dropped_rows_name_a_kept_survivor(demo, by_source):
    root, _ = demo
    out = root / "out-source"
    drops = load_drops(out, stage=STAGE).collect()
    assert drops.height > 0 and drops["duplicate_of"].null_count() == 0
    kept = pl.scan_parquet(str(out / "sources" / "*" / "data" / "*.parquet")).select("source", "id").collect()
    survivors = drops.select("source", pl.col("duplicate_of").alias("id")).unique()
    assert survivors.join(kept, on=["source", "id"], how="anti").height == 0
    assert drops.join(kept, on=["source", "id"], how="semi").height == 0


def test_scope_mix_also_removes_the_cross_source_copies(demo, by_source):
    root, planted = demo
    mix = dedup_run(root / "run", root / "out-mix", ExactOptions(scope="mix"))
    mix.check()
    cross = sum(d.planted.get(CROSS_KEY, 0) for d in planted.values())
    assert cross > 0
    assert mix.totals.dropped == by_source.totals.dropped + cross
    drops = load_drops(root / "out-mix", stage=STAGE).collect()
    assert drops.filter(pl.col("detail").str.contains(" of source ")).height == cross


def test_priorities_move_cross_source_survivors(demo):
    root, planted = demo
    # prefer every source over alpaca_cleaned: its copies in sharegpt survive, alpaca's go
    low = dedup_run(root / "run", root / "out-prio", ExactOptions(scope="mix"), priorities={"alpaca_cleaned": 9})
    alpaca = next(s for s in low.sources if s.name == "alpaca_cleaned").stages[-1].dropped
    sharegpt = next(s for s in low.sources if s.name == "sharegpt").stages[-1].dropped
    assert alpaca == planted["alpaca_cleaned"].planted["duplicate_row"] + planted["sharegpt"].planted[CROSS_KEY]
    assert sharegpt == planted["sharegpt"].planted["exact_duplicate"]


def test_output_is_identical_when_rerun(demo):
    root, _ = demo
    a = dedup_run(root / "run", root / "again-1")
    b = dedup_run(root / "run", root / "again-2")
    assert a == b
    da = load_drops(root / "again-1").collect().sort("source", "stage", "id")
    db = load_drops(root / "again-2").collect().sort("source", "stage", "id")
    assert da.equals(db)


def test_stage_refuses_bad_run_dirs(demo, tmp_path):
    root, _ = demo
    with pytest.raises(RunDirError, match="not a run directory"):
        dedup_run(tmp_path / "nothing", tmp_path / "out")
    with pytest.raises(ValueError, match="must differ"):
        dedup_run(root / "run", root / "run")
    with pytest.raises(ValueError, match="unknown source 'nope'"):
        dedup_run(root / "run", tmp_path / "out", priorities={"nope": 1})
    with pytest.raises(ValueError, match="applies to chat rows"):
        dedup_run(root / "run", tmp_path / "out", ExactOptions(key="prompt"))
    assert not (tmp_path / "out" / "sources").exists() or not any((tmp_path / "out" / "sources").iterdir())


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_dedup_prints_the_stage_funnel(demo, tmp_path):
    root, _ = demo
    result = CliRunner().invoke(app, ["dedup", str(root / "run"), "--out", str(tmp_path / "o"), "--scope", "mix",
                                      "--priority", "web=1", "--normalise", "nfkc,whitespace,lower"])
    assert result.exit_code == 0, result.output
    assert "Funnel" in result.output and STAGE in result.output and "exact_duplicate" in result.output
    assert (tmp_path / "o" / "summary.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--key", "title"], "unknown dedup key 'title'"),
        (["--normalise", "nfc,stem"], "unknown normalisation 'stem'"),
        (["--scope", "global"], "unknown dedup scope 'global'"),
        (["--priority", "web"], "--priority takes SOURCE=INTEGER"),
        (["--priority", "web=high"], "--priority takes SOURCE=INTEGER"),
        (["--priority", "nope=1"], "unknown source 'nope'"),
        (["--key", "text"], "applies to text rows"),
    ],
)
def test_cli_dedup_bad_input_is_one_line_exit_2(demo, tmp_path, args, message):
    root, _ = demo
    result = CliRunner().invoke(app, ["dedup", str(root / "run"), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_cli_dedup_refuses_non_run_dirs_and_in_place(demo, tmp_path):
    root, _ = demo
    result = CliRunner().invoke(app, ["dedup", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "not a run directory" in result.output
    result = CliRunner().invoke(app, ["dedup", str(root / "run"), "--out", str(root / "run")])
    assert result.exit_code == 2 and "must differ" in result.output
