"""The real public fixtures in ../shared/fixtures read as their README says (skipped without them)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from curation.readers import Location, read_rows
from curation.readers.base import opt, req

FIXTURES = Path(__file__).resolve().parents[1] / ".." / "shared" / "fixtures"
LLAMAFACTORY = FIXTURES / "instruct" / "llamafactory"

pytestmark = pytest.mark.skipif(
    not FIXTURES.is_dir(),
    reason="../shared/fixtures is absent (a fresh clone); the generated-data tests cover the readers",
)

ALPACA = pa.schema([req("instruction", pa.string()), opt("input", pa.string()), req("output", pa.string())])
TEXT = pa.schema([req("text", pa.string())])
QA = pa.schema([req("question", pa.string()), opt("answer", pa.string())])
SHAREGPT = pa.schema(
    [
        opt("id", pa.string()),
        req("conversations", pa.list_(pa.struct([("from", pa.string()), ("value", pa.string())]))),
    ]
)


def totals(path: Path, schema: pa.Schema) -> tuple[int, int, list[int]]:
    batches = list(read_rows(Location(path=str(path)), schema, source="fixture", batch_rows=256))
    positions = [p for b in batches for p in b.positions.to_pylist()]
    return sum(b.table.num_rows for b in batches), sum(b.malformed.num_rows for b in batches), positions


@pytest.mark.parametrize(
    ("relative", "schema", "rows"),
    [
        ("instruct/llamafactory/alpaca_en_demo.json", ALPACA, 999),
        ("instruct/llamafactory/c4_demo.jsonl", TEXT, 300),
        ("instruct/llamafactory/wiki_demo.txt", TEXT, 30),
        ("instruct/fastchat/dummy_conversation.json", SHAREGPT, 500),
        ("benchmarks/humaneval/HumanEval.jsonl.gz", pa.schema([req("prompt", pa.string())]), 164),
        ("benchmarks/gsm8k/test.jsonl", QA, 1319),
    ],
)
def test_fixture_reads_whole(relative: str, schema: pa.Schema, rows: int) -> None:
    path = FIXTURES / relative
    if not path.exists():
        pytest.skip(f"{relative} is not in ../shared/fixtures")
    kept, malformed, positions = totals(path, schema)
    assert (kept, malformed) == (rows, 0)
    assert positions == list(range(1, rows + 1))


def test_alpaca_demo_first_row() -> None:
    path = LLAMAFACTORY / "alpaca_en_demo.json"
    if not path.exists():
        pytest.skip("alpaca_en_demo.json is not in ../shared/fixtures")
    first = next(read_rows(Location(path=str(path)), ALPACA, source="fixture"))
    row = first.table.slice(0, 1).to_pylist()[0]
    assert set(row) == {"instruction", "input", "output"} and row["instruction"] and row["output"]


def test_web_fixture_directory_reads_every_file() -> None:
    web = FIXTURES / "web"
    if not web.is_dir():
        pytest.skip("web/ is not in ../shared/fixtures")
    files = {b.file for b in read_rows(Location(path=str(web)), TEXT, source="fixture")}
    assert files == {str(p) for p in sorted(web.rglob("*.jsonl"))}


def test_a_single_object_fixture_is_refused_by_name() -> None:
    from curation.readers import SourceError

    path = FIXTURES / "tokenizer" / "qwen3_added_tokens.json"
    if not path.exists():
        pytest.skip("tokenizer/qwen3_added_tokens.json is not in ../shared/fixtures")
    with pytest.raises(SourceError, match="qwen3_added_tokens.json: holds a single JSON object"):
        list(read_rows(Location(path=str(path)), TEXT, source="fixture"))
