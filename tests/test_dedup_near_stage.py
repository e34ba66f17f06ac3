"""Near dedup as a stage: the demo's planted near duplicates go, with duplicate_of and the
similarity; the result does not depend on the number of workers; bad options are named."""

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from curation.cli.main import app
from curation.dedup.exact import ExactOptions
from curation.dedup.near_stage import NearOptions
from curation.dedup.stage import dedup_run
from curation.demo import generate_demo
from curation.ingest import SourceSpec, ingest_source, write_summary
from curation.readers.location import Location
from curation.report import load_drops


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("near")
    sources = generate_demo(root / "inputs", seed=0)
    for d in sources:
        ingest_source(SourceSpec(d.name, d.adapter, Location(path=str(d.path)), dict(d.options)), root / "run")
    write_summary(root / "run")
    return sources, root


@pytest.fixture(scope="module")
def deduped(demo_run):
    sources, root = demo_run
    summary = dedup_run(root / "run", root / "out", ExactOptions(), NearOptions())
    return sources, summary, root / "out"


def test_planted_near_duplicates_are_removed(deduped):
    sources, summary, out = deduped
    summary.check()
    drops = load_drops(out, stage="dedup_near").collect()
    planted = sum(d.planted.get("near_duplicate", 0) for d in sources)
    # Planted copies are edited to Jaccard >= 0.85 (word 5-grams); every other pair of
    # demo rows is below 0.5. Verified by exact shingle Jaccard, every copy and nothing
    # else is removed.
    assert drops.height == planted
    for d in sources:
        found = drops.filter(drops["source"] == d.name).height
        assert found == d.planted.get("near_duplicate", 0), d.name
    assert drops["duplicate_of"].null_count() == 0
    assert drops["similarity"].min() >= 0.8
    assert set(drops["reason"].to_list()) == {"near_duplicate"}


def test_survivors_are_kept_rows_of_the_same_source(deduped):
    _, _, out = deduped
    drops = load_drops(out, stage="dedup_near").collect()
    for source, group in drops.group_by("source"):
        kept = set(pq.read_table(out / "sources" / source[0] / "data").column("id").to_pylist())
        assert set(group["duplicate_of"].to_list()) <= kept
        assert not set(group["id"].to_list()) & kept


def test_stages_chain_after_exact(deduped):
    _, summary, _ = deduped
    for src in summary.sources:
        names = [s.stage for s in src.stages]
        assert names == ["read", "adapt", "dedup_exact", "dedup_near"], src.name


def test_workers_do_not_change_the_result(demo_run, deduped):
    _, root = demo_run
    _, _, out1 = deduped
    dedup_run(root / "run", root / "out2", ExactOptions(), NearOptions(workers=2))
    one = load_drops(out1, stage="dedup_near").sort("source", "id").collect()
    two = load_drops(root / "out2", stage="dedup_near").sort("source", "id").collect()
    assert one.equals(two)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"bands": 8}, "bands and rows"),
        ({"bands": 20, "rows": 8}, "num_perm"),
        ({"workers": 0}, "workers"),
        ({"verify": "maybe"}, "verify"),
        ({"key": "nope"}, "nope"),
    ],
)
def test_bad_near_options_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NearOptions(**kwargs)


def test_cli_refuses_a_bad_threshold(demo_run, tmp_path):
    _, root = demo_run
    result = CliRunner().invoke(app, ["dedup", str(root / "run"), "--out", str(tmp_path / "o"), "--threshold", "0"])
    assert result.exit_code == 2 and "threshold" in result.output and "Traceback" not in result.output


def test_input_order_does_not_change_the_decisions(demo_run):
    import polars as pl

    from curation.dedup.near_stage import near_decisions

    _, root = demo_run
    rows = pl.read_parquet(root / "run" / "sources" / "web" / "data")
    ordered = near_decisions(rows.lazy(), NearOptions())
    shuffled = near_decisions(rows.sample(fraction=1.0, shuffle=True, seed=7).lazy(), NearOptions())
    assert ordered.height > 0 and ordered.equals(shuffled)


def test_texts_too_short_or_empty_are_never_near_duplicates():
    import polars as pl

    from curation.dedup.near_stage import near_decisions

    texts = ["", "   ", "...", "Hi", "Hi", "hello there", "HELLO there!"]
    rows = pl.DataFrame(
        {"id": [f"d{i}" for i in range(len(texts))], "source": ["s"] * len(texts), "kind": ["text"] * len(texts),
         "text": texts}
    ).with_columns(pl.lit(None, dtype=pl.List(pl.Struct({"role": pl.String, "content": pl.String,
                                                        "reasoning": pl.String, "tool_calls": pl.String})))
                   .alias("messages"))
    found = near_decisions(rows.lazy(), NearOptions())
    # Empty and punctuation-only texts have no shingles: kept, never merged with each other.
    # Texts shorter than one shingle are one shingle (their whole normalised text): equal
    # ones are near duplicates at similarity 1.0; the longer text survives, then the smaller id.
    assert sorted(zip(found["id"].to_list(), found["duplicate_of"].to_list(), strict=True)) == [
        ("d4", "d3"), ("d5", "d6")
    ]
