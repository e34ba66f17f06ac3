"""Parquet and Arrow: safe casts, missing columns, wrong types, Hugging Face save_to_disk layouts."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.readers import Location, SourceError, read_rows
from curation.readers.base import opt, req

SCHEMA = pa.schema(
    [
        req("instruction", pa.string()),
        opt("input", pa.string()),
        req("output", pa.string()),
        opt("n", pa.int64()),
        opt("turns", pa.list_(pa.struct([("from", pa.string()), ("value", pa.string())]))),
    ]
)


def read(path: Path, schema: pa.Schema = SCHEMA, batch_rows: int = 20_000, split: str = "train") -> list:
    return list(read_rows(Location(path=str(path), split=split), schema, source="s", batch_rows=batch_rows))


def test_parquet_safe_casts_and_missing_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            "output": pa.array(["o1", "o2"], pa.large_string()),
            "instruction": pa.array(["i1", "i2"]).dictionary_encode(),
            "n": pa.array([1, None], pa.int32()),
            "turns": pa.array(
                [[{"from": "human", "value": "hi", "extra": 1}], None],
                pa.large_list(
                    pa.struct([("from", pa.large_string()), ("value", pa.string()), ("extra", pa.int8())])
                ),
            ),
            "unused": [1.5, 2.5],
        }
    )
    pq.write_table(table, tmp_path / "a.parquet")
    [batch] = read(tmp_path / "a.parquet")
    assert batch.table.schema == SCHEMA
    assert batch.table.to_pylist() == [
        {
            "instruction": "i1",
            "input": None,
            "output": "o1",
            "n": 1,
            "turns": [{"from": "human", "value": "hi"}],
        },
        {"instruction": "i2", "input": None, "output": "o2", "n": None, "turns": None},
    ]
    assert batch.positions.to_pylist() == [1, 2]


def test_parquet_wrong_column_type_is_a_source_error(tmp_path: Path) -> None:
    pq.write_table(pa.table({"instruction": ["i"], "output": [123]}), tmp_path / "bad.parquet")
    with pytest.raises(SourceError) as info:
        read(tmp_path / "bad.parquet")
    message = str(info.value)
    assert "bad.parquet" in message and "'output'" in message and "int64" in message and "string" in message


def test_parquet_value_out_of_range_is_a_source_error(tmp_path: Path) -> None:
    table = pa.table({"instruction": ["i"], "output": ["o"], "n": pa.array([2**64 - 1], pa.uint64())})
    pq.write_table(table, tmp_path / "u.parquet")
    with pytest.raises(SourceError, match=r"u\.parquet: records 1-1: column 'n'"):
        read(tmp_path / "u.parquet")


def test_coerce_string_field_accepts_int_columns(tmp_path: Path) -> None:
    schema = pa.schema([pa.field("id", pa.string(), metadata={"coerce": "string"}), req("text", pa.string())])
    pq.write_table(pa.table({"id": [7, 8], "text": ["a", "b"]}), tmp_path / "a.parquet")
    [batch] = read(tmp_path / "a.parquet", schema)
    assert batch.table.column("id").to_pylist() == ["7", "8"]


def test_parquet_batches_and_record_numbers(tmp_path: Path) -> None:
    table = pa.table({"instruction": [f"i{i}" for i in range(95)], "output": ["o"] * 95})
    pq.write_table(table, tmp_path / "a.parquet", row_group_size=30)
    batches = read(tmp_path / "a.parquet", batch_rows=40)
    assert [b.table.num_rows for b in batches] == [40, 40, 15]
    assert [p for b in batches for p in b.positions.to_pylist()] == list(range(1, 96))


def test_not_a_parquet_file(tmp_path: Path) -> None:
    (tmp_path / "x.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(SourceError, match=r"x\.parquet: not a readable Parquet file"):
        read(tmp_path / "x.parquet")


def test_arrow_wrong_type_is_a_source_error(tmp_path: Path) -> None:
    table = pa.table({"instruction": ["i"], "output": ["o"], "turns": ["not a list"]})
    with pa.ipc.new_stream(tmp_path / "bad.arrow", table.schema) as writer:
        writer.write_table(table)
    with pytest.raises(SourceError, match=r"bad\.arrow: column 'turns' has type string, expected list"):
        read(tmp_path / "bad.arrow")


def test_small_arrow_record_batches_are_gathered(tmp_path: Path) -> None:
    table = pa.table({"instruction": [f"i{i}" for i in range(50)], "output": ["o"] * 50})
    with pa.ipc.new_file(tmp_path / "a.arrow", table.schema) as writer:
        writer.write_table(table, max_chunksize=3)
    batches = read(tmp_path / "a.arrow", batch_rows=20)
    assert [b.table.num_rows for b in batches] == [20, 20, 10]
    assert [r["instruction"] for b in batches for r in b.table.to_pylist()] == [f"i{i}" for i in range(50)]


def test_hugging_face_save_to_disk_directory(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    rows = {"instruction": [f"i{i}" for i in range(30)], "input": [""] * 30, "output": ["o"] * 30}
    datasets.Dataset.from_dict(rows).save_to_disk(str(tmp_path / "ds"), num_shards=3)
    batches = read(tmp_path / "ds")  # dataset_info.json / state.json are not rows
    assert {b.file.rsplit("/", 1)[-1] for b in batches} == {f"data-0000{i}-of-00003.arrow" for i in range(3)}
    assert [r["instruction"] for b in batches for r in b.table.to_pylist()] == rows["instruction"]


def test_hugging_face_dataset_dict_reads_the_split(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    dd = datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_dict({"instruction": ["t"], "output": ["o"]}),
            "test": datasets.Dataset.from_dict({"instruction": ["x", "y"], "output": ["o", "o"]}),
        }
    )
    dd.save_to_disk(str(tmp_path / "dd"))
    def instructions(split: str) -> list[str]:
        return [r["instruction"] for b in read(tmp_path / "dd", split=split) for r in b.table.to_pylist()]

    assert instructions("train") == ["t"]
    assert instructions("test") == ["x", "y"]
    with pytest.raises(SourceError, match="without split 'validation'"):
        read(tmp_path / "dd", split="validation")


def test_parquet_without_any_schema_column_gives_null_rows(tmp_path: Path) -> None:
    pq.write_table(pa.table({"something": [1, 2, 3]}), tmp_path / "a.parquet")
    [batch] = read(tmp_path / "a.parquet")
    assert batch.table.num_rows == 3 and batch.table.column("output").null_count == 3


def test_json_text_field_from_a_struct_column(tmp_path: Path) -> None:
    metadata = pa.field("metadata", pa.string(), metadata={"coerce": "json"})
    schema = pa.schema([req("text", pa.string()), metadata])
    table = pa.table({"text": ["a", "b"], "metadata": [{"year": 2020, "lang": "en"}, None]})
    pq.write_table(table, tmp_path / "a.parquet")
    [batch] = read(tmp_path / "a.parquet", schema)
    assert batch.table.column("metadata").to_pylist() == ['{"lang":"en","year":2020}', None]
