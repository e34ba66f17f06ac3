"""A hub split in several data files is ingested as shards, a task each (readers/hub.py): the
same rows in the same order as one read of the whole split, on any executor, and every drop
names its record's number in the whole split.

The "hub" here is a local directory of JSON Lines files, which `datasets.load_dataset` streams
as it streams a hub repository's files (the packaged json builder, one shard per file): no
network, and it reaches the spawned workers of a process pool, which a monkeypatch would not.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

from curation.adapters import get_adapter
from curation.ingest import SourceSpec, ingest_source, source_dir
from curation.readers import Location, SourceError, read_rows
from curation.readers import hub as hub_reader
from curation.readers.hub import HubShard, hub_shards
from curation.report import load_drops

pytest.importorskip("datasets")

FILES = {"a.jsonl": 7, "b.jsonl": 5, "c.jsonl": 9}
MISSING = {("b.jsonl", 3), ("c.jsonl", 1), ("c.jsonl", 9)}  # (file, record in file): output null


def make_split(root: Path) -> tuple[Path, list[int]]:
    """The split's directory and the numbers (in the whole split) of its rows with no output."""
    data = root / "split"
    data.mkdir()
    numbers, n = [], 0
    for name, rows in FILES.items():
        lines = []
        for k in range(1, rows + 1):
            n += 1
            missing = (name, k) in MISSING
            numbers += [n] if missing else []
            lines.append(orjson.dumps({"instruction": f"{name} row {k}", "input": "", "output": None if missing else f"answer {n}"}))
        (data / name).write_bytes(b"\n".join(lines) + b"\n")
    return data, numbers


def ingested_rows(run: Path, name: str) -> list[tuple[str, str]]:
    parts = sorted((source_dir(run, name) / "data").glob("part-*.parquet"))
    rows = []
    for part in parts:
        table = pq.read_table(part, columns=["id", "messages"])
        rows += [(r["id"], r["messages"][0]["content"]) for r in table.to_pylist()]
    return rows


@pytest.mark.parametrize("executor", [1, "processes:2"])
def test_a_many_file_split_is_read_in_shards_with_the_rows_of_one_read(tmp_path: Path, executor) -> None:
    data, missing = make_split(tmp_path)
    location = Location(hub=str(data))
    assert hub_shards(location) == [HubShard(0, 3), HubShard(1, 3), HubShard(2, 3)]

    whole = [b for b in read_rows(location, get_adapter("alpaca").input_schema, source="s")]
    assert sum(b.table.num_rows for b in whole) == sum(FILES.values())

    summary = ingest_source(SourceSpec("s", "alpaca", location), tmp_path / "run", batch_rows=4, executor=executor)
    parts = sorted(p.name for p in (source_dir(tmp_path / "run", "s") / "data").glob("part-*.parquet"))
    assert [p.split("-")[1] for p in parts] == ["00000000", "00000001", "00000002"]  # a task per shard
    users = [content for _, content in ingested_rows(tmp_path / "run", "s")]
    expected = [f"{name} row {k}" for name, rows in FILES.items() for k in range(1, rows + 1) if (name, k) not in MISSING]
    assert users == expected  # the split's order

    drops = load_drops(tmp_path / "run", "s").collect()
    assert drops["line"].to_list() == missing  # numbered in the whole split, not in the shard
    assert set(drops["reason"]) == {"malformed:missing_field"} and set(drops["file"]) == {f"hf:{data}"}
    assert summary.stages[0].input == sum(FILES.values())


def test_shards_are_capped_and_give_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, missing = make_split(tmp_path)
    location = Location(hub=str(data))
    ingest_source(SourceSpec("s", "alpaca", location), tmp_path / "three", batch_rows=4)
    monkeypatch.setattr(hub_reader, "MAX_HUB_SHARDS", 2)
    assert hub_shards(location) == [HubShard(0, 2), HubShard(1, 2)]
    ingest_source(SourceSpec("s", "alpaca", location), tmp_path / "two", batch_rows=4)
    assert ingested_rows(tmp_path / "two", "s") == ingested_rows(tmp_path / "three", "s")
    assert load_drops(tmp_path / "two", "s").collect()["line"].to_list() == missing


def test_a_one_file_split_is_one_shard(tmp_path: Path) -> None:
    data = tmp_path / "one"
    data.mkdir()
    (data / "x.jsonl").write_bytes(orjson.dumps({"instruction": "i", "output": "o"}) + b"\n")
    assert hub_shards(Location(hub=str(data))) == [HubShard(0, 1)]


def test_a_split_with_fewer_files_than_planned_is_a_source_error(tmp_path: Path) -> None:
    data, _ = make_split(tmp_path)
    schema = get_adapter("alpaca").input_schema
    with pytest.raises(SourceError, match=r"the split has 3 data files now, 5 when its reading was planned; pin a revision"):
        list(read_rows(Location(hub=str(data)), schema, source="s", piece=HubShard(0, 5)))


def test_an_unreachable_split_fails_before_any_task(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^hf:.*no-such-dir.*cannot read from the Hugging Face Hub"):
        hub_shards(Location(hub=str(tmp_path / "no-such-dir")))
