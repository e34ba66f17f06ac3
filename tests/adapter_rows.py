"""Helpers for the adapter tests: rows in -> adapt() -> kept / dropped, and fixture loading.

Fixture files are loaded here with orjson, not through curation.readers (written
separately): each row is conformed to the adapter's input schema the way a reader must
do it (unknown keys ignored, missing ones null, JSON-text fields given non-string values
as compact sorted-key JSON).
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from curation.accounting import StageResult, empty_drops
from curation.adapters.base import Adapter, adapt, is_json_text
from curation.readers.base import RawBatch

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


def is_content_id(row_id: str) -> bool:
    """An id made from the row's content hash (the row had no id of its own)."""
    return re.fullmatch(r"sha256:[0-9a-f]{64}", row_id) is not None


def msg(role: str, content: str, reasoning: str | None = None, tool_calls: str | None = None) -> dict:
    return {"role": role, "content": content, "reasoning": reasoning, "tool_calls": tool_calls}


def meta(**fields: str | None) -> dict:
    base = dict.fromkeys(("data_source", "domain", "language", "url", "path", "license", "extra"))
    return {**base, **fields}


def conform(rows: list[dict], adapter: Adapter) -> pa.Table:
    """A table of `rows` in the adapter's input schema (what a reader hands an adapter)."""
    json_fields = [f.name for f in adapter.input_schema if is_json_text(f)]
    fixed = []
    for row in rows:
        row = dict(row)
        for name in json_fields:
            value = row.get(name)
            if value is not None and not isinstance(value, str):
                row[name] = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
        fixed.append(row)
    schema = pa.schema([f.remove_metadata() for f in adapter.input_schema])
    return pa.Table.from_pylist(fixed, schema=schema)


def run(adapter: Adapter, rows: list[dict], source: str = "src", first_line: int = 1) -> StageResult:
    """adapt() over `rows` as one batch; asserts every row is kept or dropped."""
    table = conform(rows, adapter)
    positions = pa.array(range(first_line, first_line + len(rows)), pa.int64())
    result = adapt(adapter, RawBatch(table, "test.jsonl", positions, empty_drops()), source)
    assert result.kept.num_rows + result.dropped.num_rows == len(rows)
    return result


def dropped(result: StageResult) -> list[tuple[int, str, str]]:
    """(line, reason, detail) of each dropped row."""
    d = result.dropped
    return list(zip(d["line"].to_pylist(), d["reason"].to_pylist(), d["detail"].to_pylist(), strict=True))


def fixture(relative: str) -> Path:
    """A shared fixture file, or a skip saying why it is not there."""
    path = FIXTURES / relative
    if not path.exists():
        pytest.skip(
            f"shared fixture {relative} not found under {FIXTURES} (../shared is absent in a fresh clone)"
        )
    return path


def load_rows(path: Path) -> list[dict]:
    """Rows of a JSON-array file or a JSONL file."""
    data = path.read_bytes()
    if path.suffix == ".json":
        return orjson.loads(data)
    return [orjson.loads(line) for line in data.splitlines() if line.strip()]


def run_file(adapter: Adapter, *paths: Path, source: str = "src") -> StageResult:
    """The real path for a fixture file: curation.readers.read_rows, then adapt() per batch."""
    from curation.readers import Location, read_rows

    kept, drops = [], []
    for path in paths:
        for batch in read_rows(Location(path=str(path)), adapter.input_schema, source=source):
            assert batch.malformed.num_rows == 0, batch.malformed.to_pylist()[:3]
            result = adapt(adapter, batch, source)
            assert result.kept.num_rows + result.dropped.num_rows == batch.table.num_rows
            kept.append(result.kept)
            drops.append(result.dropped)
    return StageResult(kept=pa.concat_tables(kept), dropped=pa.concat_tables(drops))
