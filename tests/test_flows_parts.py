"""The flows' plumbing without a Prefect server: manifest parameters, cache keys, linked runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from curation.ingest import SourceSpec, ingest_source, write_summary
from curation.readers.location import Location
from curation.report import load_summary

pytest.importorskip("prefect")

from flows.cache import keyed_dir, stage_key  # noqa: E402
from flows.params import MIXES_DIR, manifest_path, prepare  # noqa: E402
from flows.runs import link_run  # noqa: E402


def test_manifest_by_name_or_path(tmp_path):
    assert manifest_path("wind-edge-1.6-distill-12m") == MIXES_DIR / "wind-edge-1.6-distill-12m.yaml"
    assert manifest_path(str(MIXES_DIR / "wind-edge-1.6-adapt-6m.yaml")).name == "wind-edge-1.6-adapt-6m.yaml"
    with pytest.raises(ValueError, match="no mix manifest 'nope'.*known: .*wind-edge-1.6-distill-12m"):
        manifest_path("nope")
    with pytest.raises(ValueError, match="no mix manifest at"):
        manifest_path(str(tmp_path / "missing.yaml"))
    with pytest.raises(ValueError, match="is a directory, not a mix manifest.*wind-edge-1.6-distill-12m.yaml"):
        manifest_path(str(MIXES_DIR))
    with pytest.raises(ValueError, match="manifest is empty"):
        manifest_path("  ")


def test_prepare_reports_the_manifest_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nbudget_tokens: 10\nsources: []\n")
    with pytest.raises(ValueError, match="bad.yaml: .*identity: name and maker are required"):
        prepare(str(bad), demo=False, out=None)


def test_stage_key_changes_with_any_input():
    base = stage_key("filter", upstream="a", source="s", filters={"pii": True})
    assert base == stage_key("filter", source="s", filters={"pii": True}, upstream="a")
    assert base != stage_key("filter", upstream="b", source="s", filters={"pii": True})
    assert base != stage_key("filter", upstream="a", source="s", filters={"pii": False})
    assert base != stage_key("render", upstream="a", source="s", filters={"pii": True})
    assert keyed_dir(Path("/w"), "s", base) == Path("/w") / f"s-{base[:16]}"


def test_link_run_merges_and_splits_sources(tmp_path):
    runs = {}
    for name in ("a", "b"):
        data = tmp_path / f"{name}.jsonl"
        data.write_text('{"instruction": "q", "input": "", "output": "x"}\n' * 2)
        runs[name] = tmp_path / f"run-{name}"
        ingest_source(SourceSpec(name, "alpaca", Location(path=str(data))), runs[name])
        write_summary(runs[name])
    merged = link_run(runs, tmp_path / "merged")
    assert [s.name for s in merged.sources] == ["a", "b"]
    assert load_summary(tmp_path / "merged") == merged
    assert (tmp_path / "merged" / "sources" / "a").is_symlink()
    one = link_run({"b": tmp_path / "merged"}, tmp_path / "one")  # a view of one source of a run
    assert [s.name for s in one.sources] == ["b"] and one.sources[0].kept_rows == 2
    again = link_run({"a": runs["a"]}, tmp_path / "one")  # replaced, not added to
    assert [s.name for s in again.sources] == ["a"]
    with pytest.raises(FileNotFoundError, match="no finished source 'c'"):
        link_run({"c": runs["a"]}, tmp_path / "bad")


def test_prepare_refuses_an_output_it_may_not_replace_before_any_work(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("not a mix")
    with pytest.raises(ValueError, match=f"refusing to replace {notes}"):
        prepare("wind-edge-1.6-distill-12m", demo=True, out=str(notes))
    assert not (tmp_path / ".notes.work").exists()  # the demo inputs were not generated
