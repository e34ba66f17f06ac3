"""The README's demo: every demo corpus ingests, every row is accounted for, and the planted
read/adapt problems are caught exactly."""

import pytest
from typer.testing import CliRunner

from curation.cli.main import app
from curation.demo import generate_demo
from curation.ingest import SourceSpec, ingest_source, write_summary
from curation.readers.location import Location
from curation.report import load_drops

INGEST_REASONS_PREFIX = "malformed:"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    sources = generate_demo(root / "inputs", seed=0)
    for d in sources:
        ingest_source(SourceSpec(d.name, d.adapter, Location(path=str(d.path)), dict(d.options)), root / "run")
    return sources, write_summary(root / "run"), root / "run"


def test_every_demo_corpus_is_ingested(demo_run):
    sources, summary, _ = demo_run
    assert sorted(s.name for s in summary.sources) == sorted(d.name for d in sources)
    for src in summary.sources:
        assert src.kept_rows > 0, src.name


def test_accounting_holds_on_every_demo_corpus(demo_run):
    _, summary, run = demo_run
    summary.check()
    drops = load_drops(run).collect()
    assert drops.height == summary.totals.dropped
    for src in summary.sources:
        assert drops.filter(drops["source"] == src.name).height == src.dropped_rows


def test_planted_malformed_rows_are_caught_exactly(demo_run):
    sources, summary, _ = demo_run
    by_name = {s.name: s for s in summary.sources}
    for d in sources:
        caught = {}
        for st in by_name[d.name].stages:
            for reason, n in st.reasons.items():
                if reason.startswith(INGEST_REASONS_PREFIX):
                    caught[reason] = caught.get(reason, 0) + n
        planted = {k: v for k, v in d.planted.items() if k.startswith(INGEST_REASONS_PREFIX) and v}
        assert caught == planted, d.name


def test_demo_command_prints_the_funnel(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert "Funnel" in result.output and "Every row accounted for" in result.output
