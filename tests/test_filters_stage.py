"""filter_run over a real ingested run: every row accounted for, drops in the report."""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from curation.filters.base import Verdicts
from curation.filters.stage import filter_run
from curation.ingest import SourceSpec, ingest_source, write_summary
from curation.readers import Location
from curation.report import RunDirError, load_drops, load_summary


def _run(tmp_path: Path) -> Path:
    src = tmp_path / "alpaca.jsonl"
    rows = [f'{{"instruction": "q{i}", "input": "", "output": "answer {i}"}}' for i in range(10)]
    src.write_text("\n".join(rows) + "\n")
    run = tmp_path / "ingest"
    ingest_source(SourceSpec("alpaca", "alpaca", Location(path=str(src))), run)
    write_summary(run)
    return run


def _drop_even(table: pa.Table) -> Verdicts:
    # Drops rows whose answer ends in an even digit.
    answers = pc.struct_field(pc.list_element(table.column("messages"), 1), "content")
    even = pc.match_substring_regex(answers, r"[02468]$")
    reason = pc.if_else(even, pa.scalar("test:even"), pa.scalar(None, pa.string()))
    detail = pc.if_else(even, pc.binary_join_element_wise("answer ", answers, ""), pa.scalar(None, pa.string()))
    return Verdicts(reason, detail)


def test_filter_run_accounts_for_every_row(tmp_path):
    run = _run(tmp_path)
    out = tmp_path / "filtered"
    summary = filter_run(run, out, [("even", _drop_even)])
    src = summary.sources[0]
    assert src.kept_rows == 5
    assert [s.stage for s in src.stages][-1] == "even"
    drops = load_drops(out).collect().to_dicts()
    assert sorted(d["reason"] for d in drops) == ["test:even"] * 5
    assert load_summary(out).sources[0].kept_rows == 5


def test_filter_run_bad_input(tmp_path):
    run = _run(tmp_path)
    with pytest.raises(ValueError, match="chain is empty"):
        filter_run(run, tmp_path / "o", [])
    with pytest.raises(ValueError, match="unique"):
        filter_run(run, tmp_path / "o", [("a", _drop_even), ("a", _drop_even)])
    with pytest.raises(ValueError, match="must differ"):
        filter_run(run, run, [("a", _drop_even)])
    with pytest.raises(RunDirError):
        filter_run(tmp_path / "nope", tmp_path / "o", [("a", _drop_even)])


def _rewrite_odd(table: pa.Table) -> Verdicts:
    # Rewrites rows whose answer ends in an odd digit (their text upper-cased), keeps the rest.
    answers = pc.struct_field(pc.list_element(table.column("messages"), 1), "content")
    odd = pc.match_substring_regex(answers, r"[13579]$")
    n = table.num_rows
    new_table = table.set_column(table.schema.get_field_index("id"), table.schema.field("id"), pc.utf8_upper(table.column("id")))
    reason = pc.if_else(odd, pa.scalar("test:odd_rewritten"), pa.scalar(None, pa.string()))
    return Verdicts(pa.nulls(n, pa.string()), pa.nulls(n, pa.string()), new_table, odd, reason, reason)


def test_rewrites_are_reported_counted_and_carried_forward(tmp_path):
    from curation.report import load_rewrites

    run = _run(tmp_path)
    first = filter_run(run, tmp_path / "f1", [("odd", _rewrite_odd)])
    assert first.sources[0].stages[-1].rewritten == {"test:odd_rewritten": 5}
    assert first.totals.rewritten == {"test:odd_rewritten": 5}
    rewrites = load_rewrites(tmp_path / "f1").collect()
    assert rewrites.height == 5 and set(rewrites["stage"]) == {"odd"}
    assert all('"answer' in raw for raw in rewrites["raw"])  # the row before the rewrite
    # A later run keeps the earlier stage's rewrite rows and adds its own.
    second = filter_run(tmp_path / "f1", tmp_path / "f2", [("even", _drop_even)])
    assert load_rewrites(tmp_path / "f2").collect().height == 5
    assert second.totals.rewritten == {"test:odd_rewritten": 5} and second.sources[0].kept_rows == 5


def _drop_answers_40_to_59(table: pa.Table) -> Verdicts:
    answers = pc.struct_field(pc.list_element(table.column("messages"), 1), "content")
    hit = pc.match_substring_regex(answers, r"^Answer [45]\d ")
    return Verdicts(pc.if_else(hit, pa.scalar("test:40-59"), pa.scalar(None, pa.string())), pc.if_else(hit, answers, pa.scalar(None, pa.string())))


def _drop_steps(table: pa.Table) -> Verdicts:
    answers = pc.struct_field(pc.list_element(table.column("messages"), 1), "content")
    hit = pc.starts_with(answers, "Step 1:")
    return Verdicts(pc.if_else(hit, pa.scalar("test:steps"), pa.scalar(None, pa.string())), pc.if_else(hit, answers, pa.scalar(None, pa.string())))


def test_pattern_cap_runs_between_the_reasoning_step_and_the_rest_over_the_whole_source(tmp_path):
    from curation.filters.pattern_cap import PatternCap

    src = tmp_path / "steps.jsonl"
    rows = [
        f'{{"instruction": "q{i}", "input": "", "output": "Step 1: do thing {i}. Step 2: done."}}'
        if i < 40
        else f'{{"instruction": "q{i}", "input": "", "output": "Answer {i} is w{i} z{i}."}}'
        for i in range(100)
    ]
    src.write_text("\n".join(rows) + "\n")
    run = tmp_path / "ingest"
    ingest_source(SourceSpec("steps", "alpaca", Location(path=str(src))), run)
    write_summary(run)
    # Small parts: the cap's share is over the whole source, not one part. The stage named
    # "reasoning" (BEFORE_PATTERN_CAP) runs before the cap, any other after it.
    chain = [("reasoning", _drop_answers_40_to_59), ("later", _drop_steps)]
    summary = filter_run(run, tmp_path / "out", chain, rows_per_part=7, pattern_cap=PatternCap(max_share=0.25))
    stages = summary.sources[0].stages
    assert [s.stage for s in stages][-3:] == ["reasoning", "pattern_cap", "later"]
    reasoning, cap, later = stages[-3:]
    assert (reasoning.input, reasoning.kept) == (100, 80)
    # The cap reads the 80 rows the reasoning stage kept, 40 of them "Step 1:": x kept must
    # satisfy x <= 0.25 * (40 + x), so x = 13; what a later stage drops does not move it.
    assert (cap.input, cap.kept, cap.reasons) == (80, 53, {"pattern_cap:step 1:": 27})
    assert (later.input, later.kept, later.reasons) == (53, 40, {"test:steps": 13})
    assert not (tmp_path / "out" / ".precap").exists()


def test_run_filters_from_a_config(tmp_path):
    from curation.filters.config import parse_filter_config
    from curation.filters.stage import run_filters

    run = _run(tmp_path)
    config = parse_filter_config({"pii": True, "sources": {"alpaca": {"chat_quality": {"min_response_chars": 9}}}})
    summary = run_filters(run, tmp_path / "out", config)
    stages = summary.sources[0].stages
    assert [s.stage for s in stages][-2:] == ["pii", "chat_quality"]
    assert stages[-1].reasons == {"chat:short_response": 10}  # "answer N" is 8 characters
    with pytest.raises(ValueError, match="enables no filter"):
        run_filters(run, tmp_path / "o2", parse_filter_config({}))


def test_run_filters_with_two_workers_writes_the_same_bytes(tmp_path):
    from curation.filters.config import parse_filter_config
    from curation.filters.stage import run_filters
    from curation.report_files import report_files
    from curation.source_stages import source_parts

    run = tmp_path / "ingest"
    for name in ("a", "b"):
        src = tmp_path / f"{name}.jsonl"
        rows = [f'{{"instruction": "q{i}", "input": "", "output": "Step 1: mail me at x{i}@example.com"}}' for i in range(30)]
        src.write_text("\n".join(rows + ['{"instruction": "q", "input": "", "output": "fine answer"}']) + "\n")
        ingest_source(SourceSpec(name, "alpaca", Location(path=str(src))), run)
    write_summary(run)
    config = parse_filter_config({"pii": True, "chat_quality": True, "pattern_cap": {"max_share": 0.5}})
    one = run_filters(run, tmp_path / "one", config)
    two = run_filters(run, tmp_path / "two", config, workers=2)
    assert one == two
    assert one.totals.reasons == {"pattern_cap:step 1:": 58}  # 30 of 31 answers open "Step 1:", cap 50%: 1 kept
    assert one.totals.rewritten == {"pii_redacted:email": 2}  # PII, after the cap, reads the rows it kept
    for name in ("a", "b"):
        a = [p.read_bytes() for p in source_parts(tmp_path / "one", name)]
        b = [p.read_bytes() for p in source_parts(tmp_path / "two", name)]
        assert a == b and a, name
        one_dir, two_dir = (tmp_path / run_name / "sources" / name for run_name in ("one", "two"))
        assert (one_dir / "counts.json").read_bytes() == (two_dir / "counts.json").read_bytes()
        for report in ("dropped", "rewritten"):  # the cap's report files, then the later chain's
            files = [[p.read_bytes() for p in report_files(d, report)] for d in (one_dir, two_dir)]
            assert files[0] == files[1] and files[0], (name, report)
    with pytest.raises(ValueError, match="workers must be 1 or more"):
        run_filters(run, tmp_path / "zero", config, workers=0)


def _drop_seven_to_thirteen(table: pa.Table) -> Verdicts:
    # Drops the rows answering "... 7 ..." to "... 13 ...".
    answers = pc.struct_field(pc.list_element(table.column("messages"), 1), "content")
    hit = pc.match_substring_regex(answers, r" ([7-9]|1[0-3]) ")
    reason = pc.if_else(hit, pa.scalar("test:7-13"), pa.scalar(None, pa.string()))
    return Verdicts(reason, pc.if_else(hit, answers, pa.scalar(None, pa.string())))


def _drop_even_or_seven_to_thirteen(table: pa.Table) -> Verdicts:
    even, seven = _drop_even(table), _drop_seven_to_thirteen(table)
    return Verdicts(pc.coalesce(even.reason, seven.reason), pc.coalesce(even.detail, seven.detail))


def _source_files(run: Path, name: str) -> dict[str, bytes]:
    src = run / "sources" / name
    return {str(p.relative_to(src)): p.read_bytes() for p in sorted(src.rglob("*")) if p.is_file()}


def test_a_source_the_cap_drops_nothing_from_is_moved_as_the_pass_writes_it(tmp_path, monkeypatch):
    import curation.filters.stage as stage
    from curation.filters.pattern_cap import PatternCap

    run = tmp_path / "ingest"
    for name, opening in (("capped", "Step 1: do thing"), ("uncapped", "Answer")):
        src = tmp_path / f"{name}.jsonl"
        answers = [f"{opening if i < 25 else 'Reply'} {i} is w{i} z{i}" for i in range(30)]
        rows = [f'{{"instruction": "q{i}", "input": "", "output": "{a}"}}\n' for i, a in enumerate(answers)]
        src.write_text("".join(rows))
        ingest_source(SourceSpec(name, "alpaca", Location(path=str(src))), run, rows_per_part=7)
    write_summary(run)
    # The chain (a stage before the cap) keeps 11 of 30 rows (1 3 5 15 17 ... 29); its 7-row
    # partition 7..13 keeps none.
    chain, cap = [("reasoning", _drop_even_or_seven_to_thirteen)], PatternCap(max_share=0.25)
    new = filter_run(run, tmp_path / "new", chain, rows_per_part=7, pattern_cap=cap)
    new_chainless = filter_run(run, tmp_path / "new_chainless", [], rows_per_part=7, pattern_cap=cap)
    moved = []  # the code before the move: the cap's pass over every source
    monkeypatch.setattr(stage, "move_source_through", lambda *args: moved.append(args[2]) is not None)
    old = filter_run(run, tmp_path / "old", chain, rows_per_part=7, pattern_cap=cap)
    old_chainless = filter_run(run, tmp_path / "old_chainless", [], rows_per_part=7, pattern_cap=cap)
    assert moved == ["uncapped"]  # the only source the cap drops nothing from that has a chain
    filter_run(run, tmp_path / "later", [*chain, ("later", _drop_even)], rows_per_part=7, pattern_cap=cap)
    assert moved == ["uncapped"]  # a stage after the cap: the second pass runs it, nothing moves
    assert new == old and new_chainless == old_chainless
    stages = {s.name: s.stages[-1].model_dump(exclude={"stage", "rewritten"}) for s in new.sources}
    assert stages == {  # 8 of 11 kept rows open "Step 1:": 1 is kept (1 <= 0.25 * (3 + 1))
        "capped": {"input": 11, "kept": 4, "dropped": 7, "reasons": {"pattern_cap:step 1:": 7}},
        "uncapped": {"input": 11, "kept": 11, "dropped": 0, "reasons": {}},
    }
    assert all(s.stages[-1].stage == "pattern_cap" and not s.stages[-1].rewritten for s in new.sources)
    for name in ("capped", "uncapped"):
        # The same parts (bytes: the same rows in the same order; numbered 0, 1, ... where the
        # chain's have a gap), counts.json and report files (the chain's, then the cap's).
        files = _source_files(tmp_path / "new", name)
        assert files == _source_files(tmp_path / "old", name), name
        assert _source_files(tmp_path / "new_chainless", name) == _source_files(tmp_path / "old_chainless", name)
    # The chain's 5 partitions of "uncapped" wrote parts 0, 2, 3, 4; the pass and the move 0-3.
    files = _source_files(tmp_path / "new", "uncapped")
    assert [f for f in files if f.startswith("data/")] == [f"data/part-0000{i}.parquet" for i in range(4)]
    assert not (tmp_path / "new" / ".precap").exists()
    assert len(list((run / "sources" / "uncapped" / "data").iterdir())) == 5  # IN_RUN's parts stay


def test_move_source_through_leaves_a_part_the_pass_would_split(tmp_path):
    import pyarrow.parquet as pq

    from curation.source_stages import move_source_through, source_parts

    run = _run(tmp_path)
    [part] = source_parts(run, "alpaca")
    pq.write_table(pq.read_table(part), part, row_group_size=5)  # 10 rows in 2 row groups
    assert not move_source_through(run, tmp_path / "out", "alpaca", "x", rows_per_part=7)
    assert source_parts(run, "alpaca") == [part] and not (tmp_path / "out").exists()
    assert move_source_through(run, tmp_path / "out", "alpaca", "x", rows_per_part=10)
    [moved] = write_summary(tmp_path / "out").sources
    assert moved.stages[-1].model_dump() == {
        "stage": "x", "input": 10, "kept": 10, "dropped": 0, "reasons": {}, "rewritten": {},
    }
    assert source_parts(run, "alpaca") == [] and len(source_parts(tmp_path / "out", "alpaca")) == 1
