"""PartWriter: parts of a fixed row count, in order, errors surfaced, nothing lost."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.parts import PartWriter, parquet_options

SCHEMA = pa.schema([("n", pa.int64())])


@pytest.mark.parametrize("compression", ["zstd", "lz4", "none"])
def test_parts_hold_every_row_in_order(tmp_path, compression):
    writer = PartWriter(tmp_path / "d", SCHEMA, rows_per_part=7, compression=compression, max_pending=1)
    for start in range(0, 30, 4):
        writer.write(pa.table({"n": list(range(start, min(start + 4, 30)))}, schema=SCHEMA))
    writer.close()
    parts = sorted((tmp_path / "d").glob("part-*.parquet"))
    assert [pq.read_metadata(p).num_rows for p in parts] == [7, 7, 7, 7, 2]
    assert pq.read_table(tmp_path / "d")["n"].to_pylist() == list(range(30))


def test_a_failed_write_is_raised(tmp_path):
    writer = PartWriter(tmp_path / "d", SCHEMA, rows_per_part=10)
    writer.write(pa.table({"m": ["not the schema"]}))
    with pytest.raises(ValueError):
        writer.close()


def test_unknown_compression_is_named():
    with pytest.raises(ValueError, match="brotli"):
        parquet_options("brotli")
