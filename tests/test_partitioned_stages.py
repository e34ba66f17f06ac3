"""Partitioned stages: the plan, the executors, and the same bytes whatever runs the partitions."""

import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.dedup.exact import ExactOptions, exact_decisions, exact_keys
from curation.dedup.exact_buckets import partitioned_exact_decisions
from curation.dedup.stage import dedup_run
from curation.executor import SERIAL, Processes, Ray, parse_executor
from curation.filters.config import parse_filter_config
from curation.filters.stage import run_filters
from curation.ingest import SourceSpec, ingest_source, write_summary
from curation.partitions import plan_partitions
from curation.readers import Location
from curation.report import load_drops
from curation.source_stages import run_sources_stages, source_parts


def _chat(i: int, name: str) -> dict:
    # Every 5th row repeats an earlier one (exact duplicates), every 7th claims to be human.
    k = i - i % 5 if i % 5 == 4 else i
    opening = ("The answer", "Our result", "So the value", "Well, it")[k % 4]
    answer = "I am a human, of course." if i % 7 == 6 else f"{opening} for {name} number {k} is {k * 3}."
    return {"messages": [{"role": "user", "content": f"{name} question {k}?"}, {"role": "assistant", "content": answer}]}


def _run(tmp_path: Path, sizes=(("small", 3), ("large", 90), ("medium", 25))) -> Path:
    run = tmp_path / "ingest"
    for name, rows in sizes:
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(_chat(i, name)) + "\n" for i in range(rows)))
        # batch_rows=10: parts with row groups of 10 rows, so partitions can split a part
        ingest_source(SourceSpec(name, "openai_messages", Location(path=str(path))), run, batch_rows=10)
    write_summary(run)
    return run


def _files(run: Path) -> dict[str, bytes]:
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file()}


def test_plan_groups_row_groups_up_to_max_rows(tmp_path):
    path = tmp_path / "p.parquet"
    table = pa.table({"x": list(range(35))})
    pq.write_table(table, path, row_group_size=10)  # groups of 10, 10, 10, 5
    plan = plan_partitions([path], 20)
    assert [(p.row_groups, p.rows) for p in plan] == [((0, 1), 20), ((2, 3), 15)]
    assert [p.rows for p in plan_partitions([path], 1)] == [10, 10, 10, 5]  # a group is never split
    assert pa.concat_tables(p.read() for p in plan).equals(table)
    with pytest.raises(ValueError, match="partition rows must be 1 or more"):
        plan_partitions([path], 0)


def test_executor_specs_and_bad_ones():
    assert parse_executor(None) is SERIAL and parse_executor(1) is SERIAL and parse_executor("serial") is SERIAL
    assert parse_executor(3) == Processes(3) and parse_executor("processes:2") == Processes(2)
    assert parse_executor("ray:10.0.0.5:6379") == Ray("10.0.0.5:6379")
    assert parse_executor("ray://head:10001") == Ray("ray://head:10001")
    for bad in (0, "processes", "processes:x", "threads:2", True, 2.5):
        with pytest.raises(ValueError, match="executor|workers"):
            parse_executor(bad)


def test_filters_with_two_processes_write_the_same_bytes(tmp_path):
    run = _run(tmp_path)
    config = parse_filter_config({"identity": {"action": "drop"}, "pattern_cap": {"max_share": 0.2}})
    one = run_filters(run, tmp_path / "one", config, rows_per_part=20)
    two = run_filters(run, tmp_path / "two", config, rows_per_part=20, workers="processes:2")
    assert one == two
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    # large: 90 rows in row groups of 10 -> partitions of 20 rows -> 5 output parts
    assert len(source_parts(tmp_path / "one", "large")) == 5
    large = next(s for s in one.sources if s.name == "large")
    identity = next(st for st in large.stages if st.stage == "identity")
    assert identity.dropped == sum(1 for i in range(90) if i % 7 == 6)
    medium = next(s for s in one.sources if s.name == "medium")
    cap = next(st for st in medium.stages if st.stage == "pattern_cap")
    # medium's 25 rows open 6 "The answer", 6 "Well, it", 5 "Our result", 5 "So the value", 3 "I am a
    # human": 15 rows are kept, 3 = 0.2 x 15 of each opening, over all partitions, before the checks.
    assert (cap.kept, cap.dropped) == (15, 10) and medium.stages[-1].stage == "identity"
    assert not (tmp_path / "one" / ".precap").exists()


def test_exact_buckets_decide_as_one_bucket(tmp_path):
    run = _run(tmp_path)
    names = ["large", "medium", "small"]
    options = ExactOptions(scope="mix")
    frames = [pl.read_parquet(p) for n in names for p in source_parts(run, n)]
    whole = exact_decisions(exact_keys(pl.concat(frames), options), "mix", {"small": 0})
    assert whole.height > 0
    for keys_per_bucket in (1, 7, 10_000):
        got = partitioned_exact_decisions(run, names, options, {"small": 0}, SERIAL, tmp_path / "w", keys_per_bucket)
        assert got.equals(whole), keys_per_bucket
    assert not (tmp_path / "w").exists()
    # a scope under KEYS_PER_BUCKET still gives each worker a bucket, down to MIN_KEYS_PER_BUCKET keys
    from executor_support import Recording

    from curation.dedup import exact_buckets

    rows = sum(f.height for f in frames)
    for least, buckets in ((10, 3), (rows, 1)):
        executor = Recording(workers=3)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(exact_buckets, "MIN_KEYS_PER_BUCKET", least)
            got = partitioned_exact_decisions(run, names, options, {"small": 0}, executor, tmp_path / "w")
        assert got.equals(whole) and executor.items("bucket_decisions") == [buckets], least


def test_dedup_with_two_processes_writes_the_same_bytes(tmp_path):
    from curation.dedup.near_stage import NearOptions

    run = _run(tmp_path)
    near = NearOptions(threshold=0.5, ngram=2)
    dedup_run(run, tmp_path / "one", ExactOptions(scope="mix"), near, rows_per_part=20)
    dedup_run(run, tmp_path / "two", ExactOptions(scope="mix"), near, rows_per_part=20, executor=2)
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    # near dedup saw exactly the rows exact dedup kept: the whole-scope version over those rows agrees
    from curation.dedup.near_stage import near_decisions
    from curation.report import load_drops

    exact_dropped = load_drops(tmp_path / "one", stage="dedup_exact").select("source", "id")
    rows = pl.scan_parquet([p for n in ("large", "medium", "small") for p in source_parts(run, n)])
    whole = near_decisions(rows.join(exact_dropped, on=["source", "id"], how="anti"), near)
    got = load_drops(tmp_path / "one", stage="dedup_near").select("source", "id", "duplicate_of").collect()
    assert whole.height and got.sort("source", "id").equals(whole.select("source", "id", "duplicate_of"))


def test_dedup_writers_read_the_decisions_of_their_own_rows(tmp_path, monkeypatch):
    """Dedup partitions of 10 rows (one row group) under write partitions of 20 (two groups) and
    30: every writing task finds the decisions filed for its row groups, and the output is the
    same as with dedup partitions bigger than the parts (one a part)."""
    from curation.dedup import exact_buckets
    from curation.dedup.near_stage import NearOptions

    run = _run(tmp_path)
    near = NearOptions(threshold=0.5, ngram=2)
    dedup_run(run, tmp_path / "whole", ExactOptions(scope="mix"), near, rows_per_part=20)
    monkeypatch.setattr(exact_buckets, "DEDUP_PARTITION_ROWS", 10)
    for rows_per_part in (20, 30):
        out = tmp_path / f"small-{rows_per_part}"
        dedup_run(run, out, ExactOptions(scope="mix"), near, rows_per_part=rows_per_part, executor=2)
        for stage in ("dedup_exact", "dedup_near"):
            got = load_drops(out, stage=stage).collect().sort("source", "id")
            assert got.height and got.equals(load_drops(tmp_path / "whole", stage=stage).collect().sort("source", "id"))
        assert _kept_rows(out).equals(_kept_rows(tmp_path / "whole"))
        assert not (out / ".decisions").exists()


def _kept_rows(run: Path) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(p) for n in ("large", "medium", "small") for p in source_parts(run, n)])


def test_partition_decisions_load_only_the_partitions_of_the_row_groups_read(tmp_path):
    from curation.dedup.exact_buckets import no_exact_decisions
    from curation.dedup.partition_decisions import PartitionDecisions, decision_dir, write_index
    from curation.partitions import Partition

    part = str(tmp_path / "part-0.parquet")
    dedup = [Partition(part, (0, 1), 20), Partition(part, (2,), 10), Partition("other.parquet", (0,), 5)]
    write_index(dedup, tmp_path / "index.parquet")
    for p, ids in ((0, ["a", "b"]), (1, ["c"]), (2, ["d"])):
        decision_dir(tmp_path / "exact", p).mkdir(parents=True)
        frame = pl.DataFrame({"id": ids, "source": ["s"] * len(ids), "duplicate_of": ["x"] * len(ids),
                              "duplicate_source": ["s"] * len(ids)})
        frame.write_parquet(decision_dir(tmp_path / "exact", p) / "b00000.parquet")

    def seen(table, decisions):
        return sorted(decisions["id"].to_list())

    stage = PartitionDecisions(str(tmp_path / "index.parquet"), str(tmp_path / "exact"), seen, no_exact_decisions())
    assert stage.for_partition(Partition(part, (1, 2), 30))(None) == ["a", "b", "c"]
    assert stage.for_partition(Partition(part, (2,), 10))(None) == ["c"]
    assert stage.for_partition(Partition(str(tmp_path / "new.parquet"), (0,), 3))(None) == []


def test_ingest_maps_over_files_and_numbers_repeated_ids_in_read_order(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    rows = [_chat(i, "web") for i in range(12)]
    for k in range(3):  # the same rows in three files, one broken line in the middle file
        lines = [json.dumps(r) for r in rows] + (["{broken"] if k == 1 else [])
        (inputs / f"f{k}.jsonl").write_text("\n".join(lines) + "\n")
    spec = SourceSpec("web", "openai_messages", Location(path=str(inputs)))
    one = ingest_source(spec, tmp_path / "one", batch_rows=5)
    two = ingest_source(spec, tmp_path / "two", batch_rows=5, executor="processes:2")
    assert one == two and _files(tmp_path / "one") == _files(tmp_path / "two")
    table = pl.read_parquet(source_parts(tmp_path / "one", "web"))
    ids = table["id"].to_list()
    assert len(ids) == 36 and len(set(ids)) == 36
    # rows 4 and 9 repeat rows 0 and 5 inside each file; every file repeats the first
    first = ids[0]
    assert ids[4] == f"{first}#2" and ids[12] == f"{first}#3" and ids[16] == f"{first}#4"
    assert one.repeated_ids == 36 - 10 and one.stages[0].dropped == 1
    assert [p.name for p in source_parts(tmp_path / "one", "web")] == [
        "part-00000000-00000.parquet", "part-00000001-00000.parquet", "part-00000002-00000.parquet"
    ]


def test_ingest_sources_maps_over_every_sources_files_at_once(tmp_path):
    from curation.ingest import ingest_sources
    from curation.readers.base import SourceError

    specs = []
    for name in ("web", "chat"):  # one file each: only one map over both runs them side by side
        path = tmp_path / "in" / f"{name}.jsonl"
        path.parent.mkdir(exist_ok=True)
        path.write_text("".join(json.dumps(_chat(i, name)) + "\n" for i in range(9)))
        specs.append(SourceSpec(name, "openai_messages", Location(path=str(path))))
    alone = [ingest_source(spec, tmp_path / "one", batch_rows=4) for spec in specs]
    together = ingest_sources(specs, tmp_path / "two", batch_rows=4, executor="processes:2")
    assert alone == together and _files(tmp_path / "one") == _files(tmp_path / "two")

    missing = SourceSpec("gone", "openai_messages", Location(path=str(tmp_path / "in" / "nothing.jsonl")))
    with pytest.raises((SourceError, ValueError), match="nothing.jsonl"):
        ingest_sources([specs[0], missing], tmp_path / "three", executor="processes:2")
    assert not (tmp_path / "three" / "sources").exists() or not any((tmp_path / "three" / "sources").iterdir())


def _explode(table: pa.Table) -> tuple[pa.Table, pa.Table]:
    raise RuntimeError("partition failed")


def test_a_failing_partition_leaves_no_source_behind(tmp_path):
    run = _run(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="partition failed"):
        run_sources_stages(run, out, {"large": [("boom", _explode)]}, 20)
    assert not (out / "sources" / "large").exists()
    assert [p.name for p in (out / "sources").iterdir()] == []  # no temporary directory either


def test_partitioned_near_dedup_decides_as_the_whole_scope_at_once(tmp_path, monkeypatch):
    from curation.dedup import partition_texts
    from curation.dedup.near_partitioned import near_decisions_partitioned
    from curation.dedup.near_stage import NearOptions, near_decisions

    words = [f"w{i}" for i in range(400)]
    inputs = tmp_path / "docs.jsonl"
    lines = []
    for i in range(60):  # 20 documents, each with two edited copies (one word changed)
        doc = words[(i // 3) * 17 :][:60]
        if i % 3:
            doc = [*doc[:30], f"edit{i}", *doc[31:]]
        lines.append({"messages": [{"role": "user", "content": "Write."}, {"role": "assistant", "content": " ".join(doc)}]})
    inputs.write_text("".join(json.dumps(r) + "\n" for r in lines))
    run = tmp_path / "ingest"
    ingest_source(SourceSpec("docs", "openai_messages", Location(path=str(inputs))), run, batch_rows=7)
    write_summary(run)
    options = NearOptions(threshold=0.7, ngram=3)
    whole = near_decisions(pl.scan_parquet(source_parts(run, "docs")), options)
    assert whole.height >= 30
    # 9, 9 and 1 partitions; candidate pairs verified here, or 2 a task on the executor, or cut
    # in two for the 2 workers (blocks and survivor ranges too: the smallest tasks allowed 1 row)
    from curation.dedup import near_partitioned

    monkeypatch.setattr(near_partitioned, "MIN_TASK_ROWS", 1)
    monkeypatch.setattr(partition_texts, "MIN_PAIRS_PER_TASK", 1)
    cases = ((SERIAL, 10, 50_000), (Processes(2), 10, 2), (SERIAL, 1000, 3), (Processes(2), 10, 50_000))
    for executor, rows, pairs in cases:
        monkeypatch.setattr(partition_texts, "PAIRS_PER_TASK", pairs)
        got = near_decisions_partitioned(run, ["docs"], None, options, None, executor, tmp_path / "w", rows)
        assert got.equals(whole)
        assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("verify", ["exact", "signature", "none"])
def test_partitioned_near_dedup_ranks_survivors_across_blocks_and_sources(tmp_path, monkeypatch, verify):
    """Two sources of mostly the same documents (one with a better priority), survivor order sorted in
    blocks of 25 rows and ranges of ~11 (survivor_rank.py), equal lengths left to id and source."""
    from curation.dedup import survivor_rank
    from curation.dedup.near_partitioned import near_decisions_partitioned
    from curation.dedup.near_stage import NearOptions, near_decisions

    words = [f"w{i}" for i in range(300)]
    for name, shift, docs in (("crawl", 0, 45), ("open", 1, 30)):  # the last 5 documents only crawled
        lines = []
        for i in range(docs):
            doc = [*words[(i // 3) * 13 :][:50]]
            doc[(i + shift) % 50] = f"e{i % 3}"  # copies differ by one word, lengths often equal
            lines.append({"id": f"d{(i * 7) % 45}", "messages": [{"role": "user", "content": "Say."},
                          {"role": "assistant", "content": " ".join(doc)}]})
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in lines))
        ingest_source(SourceSpec(name, "openai_messages", Location(path=str(path))), tmp_path / "run", batch_rows=6)
    run = tmp_path / "run"
    write_summary(run)
    options = NearOptions(threshold=0.7, ngram=3, verify=verify)
    priorities = {"open": -1}  # "crawl" < "open": without it, crawl would win ties
    parts = [*source_parts(run, "crawl"), *source_parts(run, "open")]
    whole = near_decisions(pl.scan_parquet(parts), options, priorities)
    assert whole.height >= 40 and "open" in set(whole["duplicate_source"])
    if verify != "none":  # unverified, the overlapping documents chain into clusters "open" leads
        assert set(whole["duplicate_source"]) == {"crawl", "open"}
    monkeypatch.setattr(survivor_rank, "BLOCK_ROWS", 25)
    monkeypatch.setattr(survivor_rank, "RANGE_ROWS", 11)
    monkeypatch.setattr(survivor_rank, "SAMPLES", 3)
    for executor in (SERIAL, Processes(2)):
        got = near_decisions_partitioned(run, ["crawl", "open"], None, options, priorities, executor, tmp_path / "w", 8)
        assert got.equals(whole)


def test_reports_are_hard_links_and_read_in_stage_order(tmp_path):
    from curation.report import load_drops
    from curation.report_files import report_files

    run = _run(tmp_path)
    first = parse_filter_config({"identity": {"action": "drop"}})
    second = parse_filter_config({"pattern_cap": {"max_share": 0.26}})
    run_filters(run, tmp_path / "f1", first, rows_per_part=20)
    run_filters(tmp_path / "f1", tmp_path / "f2", second, rows_per_part=20, workers=2)
    first = report_files(tmp_path / "f1" / "sources" / "medium", "dropped")  # a file per partition with drops
    second = report_files(tmp_path / "f2" / "sources" / "medium", "dropped")
    assert len(first) == 2 and len(second) == 3
    assert [f.stat().st_ino for f in second[:2]] == [f.stat().st_ino for f in first]  # linked, not copied
    assert [f.name for f in second] == [f"{k:08d}-dropped.parquet" for k in range(3)]
    stages = load_drops(tmp_path / "f2", source="medium").collect()["stage"].to_list()
    assert stages == ["identity"] * 3 + ["pattern_cap"] * 2
