"""Ingest end to end: a file in, canonical Parquet + a report that accounts for every row."""

import json

import pyarrow.parquet as pq
import pytest

from curation.ingest import SourceSpec, ingest_source, source_dir, write_summary
from curation.readers.base import SourceError
from curation.readers.location import Location
from curation.record import CANONICAL_SCHEMA
from curation.report import load_drops


def _write_lines(path, lines: list[bytes]):
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _alpaca(i, **over):
    row = {"instruction": f"Task {i}", "input": "", "output": f"Answer {i}."}
    row.update(over)
    return json.dumps(row).encode()


@pytest.fixture
def messy_alpaca(tmp_path):
    lines = [_alpaca(i) for i in range(10)]
    lines.insert(3, b'{"instruction": "broken", "output": ')  # malformed JSON, line 4
    lines.insert(6, b'{"instruction": "bad \xff byte", "input": "", "output": "x"}')  # invalid UTF-8, line 7
    lines.append(_alpaca(99, output=123))  # wrong type
    lines.append(_alpaca(98, instruction=None))  # missing required field
    lines.append(_alpaca(0))  # exact repeat of row 0: same hashed id
    return _write_lines(tmp_path / "alpaca.jsonl", lines)


def test_ingest_accounts_for_every_row(messy_alpaca, tmp_path):
    run = tmp_path / "run"
    spec = SourceSpec("alp", "alpaca", Location(path=str(messy_alpaca)))
    summary = ingest_source(spec, run, batch_rows=4)
    read, adapt = summary.stages
    assert (read.input, read.kept, read.dropped) == (15, 12, 3)
    assert read.reasons == {"malformed:json": 1, "malformed:utf8": 1, "malformed:type": 1}
    assert (adapt.input, adapt.kept, adapt.dropped) == (12, 11, 1)
    assert adapt.reasons == {"malformed:missing_field": 1}
    assert summary.repeated_ids == 1

    parts = sorted((source_dir(run, "alp") / "data").glob("part-*.parquet"))
    table = pq.read_table(parts[0])
    assert table.schema.equals(CANONICAL_SCHEMA, check_metadata=False)
    assert table.num_rows == 11
    assert table.column("messages")[0].as_py()[0]["content"] == "Task 0"
    # The repeated row is kept (exact dedup reports it later), its id made unique.
    ids = table.column("id").to_pylist()
    assert ids[-1] == ids[0] + "#2" and len(set(ids)) == 11

    drops = load_drops(run).collect()
    assert drops.height == 4
    json_drop = drops.filter(drops["reason"] == "malformed:json").row(0, named=True)
    assert json_drop["line"] == 4 and json_drop["file"].endswith("alpaca.jsonl")
    assert "broken" in json_drop["raw"]

    run_summary = write_summary(run)
    assert run_summary.totals.input == 15 and run_summary.totals.kept + run_summary.totals.dropped == 15


def test_ingest_is_deterministic(messy_alpaca, tmp_path):
    spec = SourceSpec("alp", "alpaca", Location(path=str(messy_alpaca)))
    digests = []
    for name in ("a", "b"):
        ingest_source(spec, tmp_path / name, batch_rows=3)
        (part,) = (source_dir(tmp_path / name, "alp") / "data").glob("part-*.parquet")
        digests.append(part.read_bytes())
    assert digests[0] == digests[1]


def test_ids_do_not_depend_on_batch_size(messy_alpaca, tmp_path):
    spec = SourceSpec("alp", "alpaca", Location(path=str(messy_alpaca)))
    ids = []
    for name, rows in (("small", 2), ("big", 1000)):
        ingest_source(spec, tmp_path / name, batch_rows=rows)
        ids.append(pq.read_table(source_dir(tmp_path / name, "alp") / "data").column("id").to_pylist())
    assert ids[0] == ids[1]


def test_parts_roll_over(tmp_path):
    path = _write_lines(tmp_path / "a.jsonl", [_alpaca(i) for i in range(25)])
    ingest_source(SourceSpec("alp", "alpaca", Location(path=str(path))), tmp_path / "run", batch_rows=7, rows_per_part=10)
    parts = sorted((source_dir(tmp_path / "run", "alp") / "data").glob("*.parquet"))
    assert [pq.read_metadata(p).num_rows for p in parts] == [10, 10, 5]


def test_a_failed_source_leaves_nothing_that_looks_ingested(tmp_path):
    run = tmp_path / "run"
    with pytest.raises(SourceError, match="nope"):
        ingest_source(SourceSpec("gone", "alpaca", Location(path=str(tmp_path / "nope.jsonl"))), run)
    assert not source_dir(run, "gone").exists()


def test_unknown_adapter_is_named(tmp_path):
    with pytest.raises(ValueError, match="no_such_adapter"):
        ingest_source(SourceSpec("x", "no_such_adapter", Location(path=str(tmp_path))), tmp_path / "run")


@pytest.mark.parametrize("name", ["", "a/b", ".hidden"])
def test_bad_source_names_are_refused(name):
    with pytest.raises(ValueError, match="source name"):
        SourceSpec(name, "alpaca", Location(path="x"))
