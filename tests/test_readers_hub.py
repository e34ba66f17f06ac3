"""Hub datasets: failures name the dataset; rows stream through the same conform rules."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from curation.readers import Location, SourceError, read_rows
from curation.readers.base import opt, req

datasets = pytest.importorskip("datasets")

REAL_LOAD_DATASET = datasets.load_dataset

SCHEMA = pa.schema([req("instruction", pa.string()), opt("input", pa.string()), req("output", pa.string())])


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No network, and no chance of a cached copy: the hub must fail fast."""
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    # Both libraries read the variables once, at import.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "cache", raising=False)


def test_offline_hub_is_a_source_error_naming_the_dataset(offline: None) -> None:
    location = Location(hub="curation-tests/no-such-dataset", revision="v1.0", subset="en", split="train")
    started = time.monotonic()
    with pytest.raises(SourceError) as info:
        list(read_rows(location, SCHEMA, source="s"))
    message = str(info.value)
    assert message.startswith("hf:curation-tests/no-such-dataset revision=v1.0 subset=en split=train: ")
    assert "cannot read from the Hugging Face Hub" in message and "\n" not in message
    assert time.monotonic() - started < 10


def local_stream(tmp_path: Path, rows: list[dict]):  # type: ignore[no-untyped-def]
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return REAL_LOAD_DATASET("json", data_files=str(path), split="train", streaming=True)


def test_hub_rows_stream_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [{"instruction": f"i{i}", "output": f"o{i}", "other": i} for i in range(25)]
    calls = []

    def fake_load_dataset(path, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((path, kwargs))
        return local_stream(tmp_path, rows)

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    location = Location(hub="org/name", revision="abc", split="train")
    batches = list(read_rows(location, SCHEMA, source="s", batch_rows=10))
    assert calls == [("org/name", {"name": None, "split": "train", "revision": "abc", "streaming": True})]
    assert [b.table.num_rows for b in batches] == [10, 10, 5]
    assert all(b.file == "hf:org/name" and b.table.schema == SCHEMA for b in batches)
    assert [p for b in batches for p in b.positions.to_pylist()] == list(range(1, 26))
    assert batches[0].table.to_pylist()[0] == {"instruction": "i0", "input": None, "output": "o0"}


def test_hub_batch_with_wrong_types_is_conformed_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [{"instruction": "a", "output": 1}, {"instruction": "b", "output": 2}]
    monkeypatch.setattr(datasets, "load_dataset", lambda path, **kw: local_stream(tmp_path, rows))
    batches = list(read_rows(Location(hub="org/name"), SCHEMA, source="s"))
    drops = [d for b in batches for d in b.malformed.to_pylist()]
    assert sum(b.table.num_rows for b in batches) == 0
    assert [(d["reason"], d["line"], d["file"]) for d in drops] == [
        ("malformed:type", 1, "hf:org/name"),
        ("malformed:type", 2, "hf:org/name"),
    ]
    assert drops[0]["detail"] == "record 1: column 'output': expected string, got int"


def test_failure_while_streaming_is_a_source_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def with_format(self, _):  # type: ignore[no-untyped-def]
            return self

        def iter(self, batch_size):  # type: ignore[no-untyped-def]
            yield pa.table({"instruction": ["a"], "output": ["b"]})
            raise ConnectionError("connection reset\nby peer")

    monkeypatch.setattr(datasets, "load_dataset", lambda path, **kw: Broken())
    got = read_rows(Location(hub="org/name"), SCHEMA, source="s")
    assert next(got).table.num_rows == 1
    pattern = r"^hf:org/name split=train: .*ConnectionError: connection reset by peer$"
    with pytest.raises(SourceError, match=pattern):
        next(got)
