"""`curate mix build --examine needed` (curation/mix/frontier.py): only the rows before each
source's sampling frontier are rendered, the rest are reported as beyond_budget, and the shards
are byte for byte those of `--examine all`; a frontier the rendered rows do not prove safe is
rendered again whole."""

from dataclasses import replace

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import curation.mix.frontier as frontier
from curation.cli.main import app
from curation.mix.build import build_mix
from curation.mix.lock import read_lock
from curation.mix.manifest import parse_manifest
from curation.mix.regenerate import regenerate_mix
from curation.report import load_summary


def _small(manifest, **source_changes):
    """The demo distill manifest at a budget that reaches about a tenth of each demo source."""
    data = manifest.model_dump(mode="json")
    data["budget_tokens"] = 12_000
    for entry in data["sources"]:
        entry.update(source_changes.get(entry["name"], {}))
    return parse_manifest(data, manifest.base_dir)


def _shas(lock) -> dict[str, str]:
    return {s.file: s.sha256 for s in lock.shards}


def _picked(lock) -> dict:
    return {s.name: (s.target_tokens, s.tokens, s.rows, s.shortfall) for s in lock.sources}


@pytest.fixture(scope="module")
def both(built, tmp_path_factory):
    """(manifest, lock of --examine all, lock of --examine needed on 2 processes, root)."""
    _, manifest, _ = built
    root = tmp_path_factory.mktemp("frontier")
    small = _small(manifest)
    eager = build_mix(small, root / "all", root / "all-work")
    lazy = build_mix(small, root / "needed", root / "needed-work", workers=2, examine="needed")
    return small, eager, lazy, root


def test_the_same_shards_from_fewer_rendered_rows(both):
    _, eager, lazy, root = both
    assert _shas(lazy) == _shas(eager) and _shas(eager)
    assert _picked(lazy) == _picked(eager)
    narrowed = [s for s in lazy.sources if s.rows_not_examined]
    assert len(narrowed) >= 5, [(s.name, s.rows_not_examined) for s in lazy.sources]
    before = {s.name: s for s in eager.sources}
    for s in lazy.sources:
        if s.rows_not_examined:
            assert s.epochs is None and s.epochs_text() == "<1"
            assert s.tokens < s.tokens_available < before[s.name].tokens_available, s.name
        else:
            assert s.epochs == before[s.name].epochs
    assert all(s.rows_not_examined == 0 and s.epochs is not None for s in eager.sources)
    # The filters' second pass reports every row it set aside, with a reason: of the rows the cap
    # kept (the same rows as in the whole build), before the checks, which read the rest only.
    summary = load_summary(root / "needed-work" / "render")
    whole = {src.name: {st.stage: st for st in src.stages} for src in load_summary(root / "all-work" / "render").sources}
    for src in summary.sources:
        stages = {st.stage: st for st in src.stages}
        names = list(stages)
        assert names[names.index("pattern_cap") + 1 : names.index("pattern_cap") + 3] == [frontier.STAGE, "identity"]
        frontier_stage = stages[frontier.STAGE]
        assert frontier_stage.input == whole[src.name]["pattern_cap"].kept == stages["pattern_cap"].kept
        assert stages["identity"].input == frontier_stage.kept
        assert frontier_stage.dropped == next(s.rows_not_examined for s in lazy.sources if s.name == src.name)
        assert frontier_stage.reasons == ({frontier.REASON: frontier_stage.dropped} if frontier_stage.dropped else {})
    card = (root / "needed" / "README.md").read_text()
    assert "not examined" in card and "--examine needed" in card
    assert "--examine needed" not in (root / "all" / "README.md").read_text()


def test_the_report_rows_of_the_rows_set_aside(both):
    import pyarrow.parquet as pq

    from curation.ingest import source_dir
    from curation.report_files import report_files

    _, _, lazy, root = both
    name = max(lazy.sources, key=lambda s: s.rows_not_examined).name
    files = report_files(source_dir(root / "needed-work" / "render", name), "dropped")
    rows = pa.concat_tables([pq.read_table(f) for f in files]).to_pylist()
    aside = [r for r in rows if r["reason"] == frontier.REASON]
    assert len(aside) == next(s.rows_not_examined for s in lazy.sources if s.name == name)
    assert all(r["stage"] == frontier.STAGE and r["id"] and r["source"] == name and r["raw"] is None for r in aside)
    assert len({r["id"] for r in aside}) == len(aside)


def test_regenerate_examines_as_the_locked_build_did(both, tmp_path):
    _, _, lazy, root = both
    again = regenerate_mix(root / "needed" / "mix.lock.json", tmp_path / "again")
    rebuilt = read_lock(tmp_path / "again")
    assert _shas(rebuilt) == _shas(lazy) == _shas(again)
    assert [s.model_dump() for s in rebuilt.sources] == [s.model_dump() for s in lazy.sources]


def test_a_frontier_the_rendered_rows_do_not_prove_is_rendered_again_whole(both, tmp_path, monkeypatch):
    small, eager, _, _ = both
    monkeypatch.setattr(frontier, "MARGIN", 0.05)  # frontiers far too close: the check fails
    monkeypatch.setattr(frontier, "CALIBRATED_MARGIN", 0.05)
    said = []
    lock = build_mix(small, tmp_path / "out", tmp_path / "work", examine="needed", progress=said.append)
    assert _shas(lock) == _shas(eager)
    retried = [m for m in said if m.startswith("examine every row of ")]
    assert len(retried) == 1 and said.count("render") == 2, said
    for s in lock.sources:  # every source that was re-rendered has all its rows examined
        if s.name in retried[0]:
            assert s.rows_not_examined == 0 and s.epochs is not None, s.name


def test_only_the_source_whose_frontier_fails_is_filtered_and_rendered_again(both, tmp_path, monkeypatch):
    small, eager, lazy, _ = both
    real, calls = frontier.check_frontiers, []

    def first_one_fails(frontiers, rendered, executor):
        calls.append(sorted(frontiers))
        real(frontiers, rendered, executor)
        return [lazy_narrowed[0]] if len(calls) == 1 else []

    lazy_narrowed = sorted(s.name for s in lazy.sources if s.rows_not_examined)
    monkeypatch.setattr(frontier, "check_frontiers", first_one_fails)
    said = []
    lock = build_mix(small, tmp_path / "out", tmp_path / "work", examine="needed", progress=said.append)
    assert _shas(lock) == _shas(eager)
    assert calls[1] == [lazy_narrowed[0]] and said.count("render") == 2, (calls, said)
    aside = {s.name: s.rows_not_examined for s in lock.sources}
    assert aside[lazy_narrowed[0]] == 0  # filtered and rendered again, every row examined
    assert all(aside[name] for name in lazy_narrowed[1:])  # the others kept their first pass


def test_sources_the_frontier_cannot_shortcut_are_rendered_whole(both):
    small, _, _, root = both
    run = root / "all-work" / "filter"
    changed = _small(small, openorca={"max_epochs": 0.5}, platypus={"weight": 0})
    plans = frontier.plan_frontiers(changed, run, frontier_executor())
    assert plans["openorca"].everything  # a cap below one epoch needs every row's tokens
    assert plans["platypus"].everything  # no target: nothing to stop at
    assert not plans["openhermes"].everything
    # a pool of long documents samples by rendered length: its sources are rendered whole
    data = small.model_dump(mode="json")
    data.pop("budget_tokens")
    data["phases"] = [
        {"name": "short", "budget_tokens": 6_000, "weights": {"openorca": 1, "openhermes": 1}, "context_length": 4096},
        {"name": "long", "budget_tokens": 2_000, "weights": {"openorca": 1}, "min_doc_tokens": 100, "context_length": 4096},
    ]
    for entry in data["sources"]:
        entry.pop("weight", None)
    phased = parse_manifest(data, small.base_dir)
    plans = frontier.plan_frontiers(phased, run, frontier_executor())
    assert plans["openorca"].everything and not plans["openhermes"].everything


def frontier_executor():
    from curation.executor import parse_executor

    return parse_executor(1)


def test_frontier_masks_and_text_bytes():
    ids = pa.array([f"r{i}" for i in range(200)])
    none = frontier.Frontier("s", 3, 0.0, -1, None, 10, 0)
    every = frontier.Frontier("s", 3, 0.0, None, None, 10, 0)
    half = frontier.Frontier("s", 3, 0.0, (1 << frontier.PREFIX_BITS) // 2, None, 10, 0)
    assert not none.examined(ids).any() and every.examined(ids).all()
    mask = half.examined(ids)
    assert 60 < mask.sum() < 140
    # the mask is a function of each id alone, not of the batch it comes in
    assert np.array_equal(np.concatenate([half.examined(ids[:77]), half.examined(ids[77:])]), mask)
    with_eval = frontier.Frontier("s", 3, 0.5, None, -1, 10, 0)
    from curation.mix.sample_order import split_eval

    assert np.array_equal(with_eval.examined(ids), ~split_eval(ids, 0.5, 3))
    # bytes of a text row, or of its messages' contents, also in a sliced table
    from curation.record import CANONICAL_SCHEMA

    rows = [
        {"id": "a", "source": "s", "kind": "text", "messages": None, "text": "héllo", "meta": {}},
        {"id": "b", "source": "s", "kind": "chat", "messages": [
            {"role": "user", "content": "abc"}, {"role": "assistant", "content": "de", "reasoning": "xyz"}], "text": None,
         "meta": {}},
        {"id": "c", "source": "s", "kind": "chat", "messages": [{"role": "user", "content": "1234"}], "text": None,
         "meta": {}},
    ]
    table = pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMA)
    assert frontier._text_bytes(table).tolist() == [6, 5, 4]
    assert frontier._text_bytes(table.slice(1)).tolist() == [5, 4]


def test_bad_examine_mode(both, tmp_path):
    small = both[0]
    with pytest.raises(ValueError, match="examine must be one of all, needed, got 'some'"):
        build_mix(small, tmp_path / "out", tmp_path / "work", examine="some")
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(app, ["mix", "build", "mixes/wind-edge-1.6-distill-12m.yaml", "--demo", "--examine", "x"])
    assert result.exit_code == 2 and "--examine must be one of all, needed, got 'x'" in " ".join(result.output.split())


def test_a_measured_rate_gives_the_same_shards(both, tmp_path, monkeypatch):
    small, eager, _, _ = both
    # the demo sources are small: measure from 1/16 of the key space, from a few rows
    monkeypatch.setattr(frontier, "CALIBRATION_PREFIXES", 1 << (frontier.PREFIX_BITS - 4))
    monkeypatch.setattr(frontier, "CALIBRATION_ROWS", 4)
    said = []
    lock = build_mix(small, tmp_path / "out", tmp_path / "work", examine="needed", progress=said.append)
    assert _shas(lock) == _shas(eager) and said.count("render") == 1, said
    assert sum(1 for s in lock.sources if s.rows_not_examined) >= 5


def test_a_part_s_bytes_rows_and_calibration_tokens(both, monkeypatch):
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from curation.mix.build import render_options
    from curation.mix.sample_hash import row_keys
    from curation.mix.sample_order import split_eval
    from curation.render.stage import render_table
    from curation.source_stages import source_parts

    small, _, _, root = both
    monkeypatch.setattr(frontier, "CALIBRATION_PREFIXES", 1 << (frontier.PREFIX_BITS - 2))
    monkeypatch.setattr(frontier, "CALIBRATION_ROWS", 1)
    path = source_parts(root / "all-work" / "filter", "openhermes")[0]
    seed, f = small.seed, small.split.eval_fraction
    got, sample = frontier.prefix_bytes(str(path), seed, f, "openhermes")
    table = pq.read_table(path)
    assert got.train_rows.sum() + got.eval_rows.sum() == table.num_rows
    assert got.train_bytes.sum() + got.eval_bytes.sum() == frontier._text_bytes(table).sum()
    ids = table.column("id").combine_chunks()
    train = np.flatnonzero(~split_eval(ids, f, seed))
    first = train[(row_keys(ids.take(pa.array(train)), seed, "openhermes", 0) >> np.uint64(48)) < (1 << 14)]
    assert got.sample_rows == first.size == sample.num_rows > 0 and got.sample_tokens == 0
    assert sample.equals(table.take(pa.array(first)))
    rendered, _ = render_table(sample, render_options(small))
    tokens = frontier.calibration_tokens(sample, render_options(small))
    assert tokens == pc.sum(rendered.column("n_tokens")).as_py()
    got = replace(got, sample_tokens=tokens)
    # The checks run first: the rows they drop count 0 tokens.
    first_only = [("check", lambda t: (t.slice(0, 1), t.slice(1)))]
    assert frontier.calibration_tokens(sample, render_options(small), first_only) == rendered.column("n_tokens")[0].as_py()
    assert got.rate() == (got.sample_tokens / got.sample_bytes, frontier.CALIBRATED_MARGIN)
    assert frontier.PrefixBytes.empty().plus(got).rate() == got.rate()
    monkeypatch.setattr(frontier, "CALIBRATION_ROWS", 64)
    few = frontier.PrefixBytes(*[np.zeros(1, np.int64)] * 4, 63, 100, 50)
    assert few.rate() == (1 / frontier.BYTES_PER_TOKEN, frontier.MARGIN)  # too few rows measured
