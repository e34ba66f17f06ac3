"""JSON Lines reader: fast path, slow path, positions, malformed rows and the accounting invariant."""

from __future__ import annotations

import math
import random
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from curation.readers import Location, blocks, jsonl, read_rows
from curation.readers.base import opt, req
from curation.readers.context import FileContext

ALPACA = pa.schema([req("instruction", pa.string()), opt("input", pa.string()), req("output", pa.string())])

NESTED = pa.schema(
    [
        req("conversations", pa.list_(pa.struct([("from", pa.string()), ("value", pa.string())]))),
        opt("score", pa.float64()),
        opt("n", pa.int64()),
        opt("flag", pa.bool_()),
        opt("tags", pa.list_(pa.string())),
        opt("meta", pa.struct([("lang", pa.string()), ("year", pa.int64())])),
    ]
)


def read_all(path: Path, schema: pa.Schema = ALPACA, batch_rows: int = 20_000, **loc: object):
    batches = list(read_rows(Location(path=str(path), **loc), schema, source="test", batch_rows=batch_rows))
    rows = [r for b in batches for r in b.table.to_pylist()]
    positions = [p for b in batches for p in b.positions.to_pylist()]
    drops = [d for b in batches for d in b.malformed.to_pylist()]
    return batches, rows, positions, drops


def alpaca_row(i: int) -> dict:
    return {
        "instruction": f"task {i} – café",
        "input": "" if i % 3 else f"ctx {i}",
        "output": f"answer {i} 😀",
    }


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_reads_rows_in_schema_order_with_missing_fields_null(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "a.jsonl",
        [
            b'{"output": "o1", "instruction": "i1", "extra": [1, {"x": 2}]}',
            b'{"instruction": "i2", "output": "o2", "input": null}',
        ],
    )
    batches, rows, positions, drops = read_all(path)
    assert batches[0].table.schema == ALPACA
    assert rows == [
        {"instruction": "i1", "input": None, "output": "o1"},
        {"instruction": "i2", "input": None, "output": "o2"},
    ]
    assert positions == [1, 2] and drops == []
    assert batches[0].file == str(path)


def test_positions_count_blank_lines(tmp_path: Path) -> None:
    row = [orjson.dumps(alpaca_row(i)) for i in range(4)]
    lines = [b"", row[1], b"   ", b"", row[2], b"\t\r", row[3]]
    _, rows, positions, drops = read_all(write_lines(tmp_path / "a.jsonl", lines))
    assert positions == [2, 5, 7]
    assert [r["instruction"] for r in rows] == [alpaca_row(i)["instruction"] for i in (1, 2, 3)]
    assert drops == []


def test_crlf_and_bom_and_no_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    first, second = orjson.dumps(alpaca_row(1)), orjson.dumps(alpaca_row(2))
    path.write_bytes(b"\xef\xbb\xbf" + first + b"\r\n\r\n" + second)
    _, rows, positions, _ = read_all(path)
    assert rows == [alpaca_row(1), alpaca_row(2)]
    assert positions == [1, 3]


def test_malformed_json_in_the_middle_keeps_neighbours(tmp_path: Path) -> None:
    lines = [orjson.dumps(alpaca_row(i)) for i in range(1, 31)]
    lines[16] = b'{"instruction": "x", "output": oops}'
    _, rows, positions, drops = read_all(write_lines(tmp_path / "a.jsonl", lines))
    assert len(rows) == 29 and 17 not in positions and positions[:16] == list(range(1, 17))
    [drop] = drops
    assert drop["reason"] == "malformed:json"
    assert drop["stage"] == "read" and drop["source"] == "test" and drop["line"] == 17
    assert drop["detail"].startswith("line 17: invalid JSON:") and "column 32" in drop["detail"]
    assert drop["raw"] == '{"instruction": "x", "output": oops}'
    assert drop["file"].endswith("a.jsonl")


def test_invalid_utf8_line(tmp_path: Path) -> None:
    lines = [orjson.dumps(alpaca_row(i)) for i in range(1, 11)]
    lines[8] = b'{"instruction": "bad \xff byte", "output": "o"}'
    _, rows, positions, drops = read_all(write_lines(tmp_path / "a.jsonl", lines))
    assert len(rows) == 9 and 9 not in positions
    [drop] = drops
    assert drop["reason"] == "malformed:utf8"
    assert drop["detail"] == "line 9: invalid UTF-8 at byte 22"
    assert drop["raw"] == '{"instruction": "bad \ufffd byte", "output": "o"}'


def test_invalid_utf8_in_an_ignored_field_is_still_malformed(tmp_path: Path) -> None:
    # pyarrow does not check UTF-8; the reader does, for the whole line, on both paths.
    lines = [orjson.dumps(alpaca_row(1)), b'{"instruction": "i", "output": "o", "junk": "\xfe"}']
    _, rows, _, drops = read_all(write_lines(tmp_path / "a.jsonl", lines))
    assert len(rows) == 1 and [d["reason"] for d in drops] == ["malformed:utf8"]


@pytest.mark.parametrize(
    ("line", "detail"),
    [
        (b'{"instruction": "i", "output": 123}', "line 2: column 'output': expected string, got int"),
        (
            b'{"instruction": ["i"], "output": "o"}',
            "line 2: column 'instruction': expected string, got array",
        ),
        (b'{"instruction": "i", "output": {"a": 1}}', "line 2: column 'output': expected string, got object"),
    ],
)
def test_wrong_type_is_malformed_type(tmp_path: Path, line: bytes, detail: str) -> None:
    lines = [orjson.dumps(alpaca_row(1)), line, orjson.dumps(alpaca_row(3))]
    _, rows, positions, drops = read_all(write_lines(tmp_path / "a.jsonl", lines))
    assert positions == [1, 3]
    assert [(d["reason"], d["detail"], d["line"]) for d in drops] == [("malformed:type", detail, 2)]


def test_nested_wrong_type_names_the_path(tmp_path: Path) -> None:
    lines = [
        b'{"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": 5}]}',
        b'{"conversations": "a string"}',
        b'{"conversations": [], "n": 1.5}',
        b'{"conversations": [], "flag": 1}',
    ]
    _, rows, _, drops = read_all(write_lines(tmp_path / "a.jsonl", lines), NESTED)
    assert rows == []
    assert [d["detail"] for d in drops] == [
        "line 1: column 'conversations[1].value': expected string, got int",
        "line 2: column 'conversations': expected list, got string",
        "line 3: column 'n': expected int64, got float",
        "line 4: column 'flag': expected bool, got int",
    ]
    assert {d["reason"] for d in drops} == {"malformed:type"}


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (b"[1, 2]", "array"),
        (b'"x"', "string"),
        (b"null", "null"),
        (b"  null ", "null"),
        (b"7", "int"),
        (b"true", "bool"),
    ],
)
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_line_that_is_not_an_object(tmp_path: Path, line: bytes, kind: str, where: str) -> None:
    # A leading `null` crashes pyarrow's JSON reader: the reader must never hand it one.
    good = [orjson.dumps(alpaca_row(i)) for i in range(4)]
    index = {"first": 0, "middle": 2, "last": 4}[where]
    lines = good[:index] + [line] + good[index:]
    _, rows, positions, drops = read_all(write_lines(tmp_path / "a.jsonl", lines))
    assert rows == [alpaca_row(i) for i in range(4)]
    assert positions == [n for n in range(1, 6) if n != index + 1]
    [drop] = drops
    assert drop["reason"] == "malformed:not_an_object"
    assert drop["detail"] == f"line {index + 1}: a JSON {kind}, not an object"


def test_two_objects_on_a_line_and_an_object_over_two_lines(tmp_path: Path) -> None:
    good = [orjson.dumps(alpaca_row(i)) for i in (1, 5)]
    lines = [good[0], b'{"output": "a"} {"output": "b"}', b'{"output":', b'"c"}', good[1]]
    _, rows, positions, drops = read_all(write_lines(tmp_path / "a.jsonl", lines))
    assert positions == [1, 5]
    assert [(d["line"], d["reason"]) for d in drops] == [(n, "malformed:json") for n in (2, 3, 4)]


def test_empty_object_rows_are_kept(tmp_path: Path) -> None:
    lines = [b"{}", orjson.dumps(alpaca_row(1)), b"{}"]
    _, rows, positions, drops = read_all(write_lines(tmp_path / "a.jsonl", lines))
    assert positions == [1, 2, 3] and drops == []
    assert rows[0] == {"instruction": None, "input": None, "output": None}


def test_nan_is_read_the_same_on_both_paths(tmp_path: Path) -> None:
    # orjson refuses NaN, pyarrow accepts it; the slow path asks pyarrow so the row's fate
    # does not depend on whether a bad neighbour pushed its block onto the slow path.
    schema = pa.schema([req("text", pa.string()), opt("score", pa.float64())])
    alone = write_lines(tmp_path / "a.jsonl", [b'{"text": "a", "score": NaN}'])
    with_bad = write_lines(tmp_path / "b.jsonl", [b'{"text": "a", "score": NaN}', b"{oops"])
    _, rows_a, _, _ = read_all(alone, schema)
    _, rows_b, _, drops_b = read_all(with_bad, schema)
    assert len(rows_a) == len(rows_b) == 1 and rows_b[0]["text"] == "a"
    assert math.isnan(rows_a[0]["score"]) and math.isnan(rows_b[0]["score"])
    assert [d["line"] for d in drops_b] == [2]


def test_coerce_string_fields_take_ints(tmp_path: Path) -> None:
    schema = pa.schema([pa.field("id", pa.string(), metadata={"coerce": "string"}), req("text", pa.string())])
    lines = [b'{"id": 12, "text": "a"}', b'{"id": "x", "text": "b"}', b'{"id": 1.5, "text": "c"}']
    _, rows, _, drops = read_all(write_lines(tmp_path / "a.jsonl", lines), schema)
    assert [r["id"] for r in rows] == ["12", "x"]
    assert [d["detail"] for d in drops] == ["line 3: column 'id': expected string, got float"]


def test_batches_are_at_most_batch_rows(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", [orjson.dumps(alpaca_row(i)) for i in range(1050)])
    batches, rows, positions, _ = read_all(path, batch_rows=100)
    assert [b.table.num_rows for b in batches] == [100] * 10 + [50]
    assert positions == list(range(1, 1051))
    assert all(b.positions.type == pa.int64() for b in batches)


def test_empty_and_blank_files_give_no_rows(tmp_path: Path) -> None:
    (tmp_path / "e.jsonl").write_bytes(b"")
    (tmp_path / "b.jsonl").write_bytes(b"\n  \n\n")
    assert read_all(tmp_path / "e.jsonl")[0] == []
    assert read_all(tmp_path / "b.jsonl")[0] == []


# --- fast path == slow path -------------------------------------------------------------


def random_nested_row(rng: random.Random) -> dict:
    def text() -> str:
        return "".join(rng.choice("ab c\"\\\n\té😀\u0000/") for _ in range(rng.randint(0, 12)))

    row: dict = {
        "conversations": [
            rng.choice(
                [
                    {"from": "human", "value": text()},
                    {"from": "gpt", "value": text(), "weight": 1},
                    {"value": text()},
                    None,
                ]
            )
            for _ in range(rng.randint(0, 4))
        ]
    }
    if rng.random() < 0.7:
        row["score"] = rng.choice([rng.uniform(-1e6, 1e6), rng.randint(-5, 5), 1e-300, 0.1, None])
    if rng.random() < 0.7:
        row["n"] = rng.choice([rng.randint(-(2**63), 2**63 - 1), 0, None])
    if rng.random() < 0.5:
        row["flag"] = rng.choice([True, False, None])
    if rng.random() < 0.5:
        row["tags"] = [rng.choice(["x", None, text()]) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.5:
        row["meta"] = rng.choice([None, {"lang": "en"}, {"lang": text(), "year": 2024, "other": [1]}])
    if rng.random() < 0.3:
        row["unrelated"] = {"deep": [1, 2.5, "x", None, {"y": True}]}
    return row


def test_fast_and_slow_paths_give_identical_tables() -> None:
    rng = random.Random(7)
    lines = [orjson.dumps(random_nested_row(rng)) for _ in range(3000)]
    for i in rng.sample(range(3000), 200):
        lines[i] = b"   " if i % 2 else b""
    block = b"\n".join(lines) + b"\n"
    ctx = FileContext(NESTED, "test", "mem", 20_000)
    fast = jsonl.parse_fast(block, 10, ctx)
    assert fast is not None, "a valid block must take the fast path"
    slow = jsonl.parse_slow(block, 10, ctx)
    assert slow.drops == []
    assert fast.table.schema == slow.table.schema == NESTED
    assert fast.table.equals(slow.table)
    assert fast.lines.tolist() == slow.lines.tolist()


def test_fast_path_is_taken_for_a_valid_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(jsonl, "parse_slow", lambda *a: calls.append(a) or pytest.fail("slow path used"))
    path = write_lines(tmp_path / "a.jsonl", [orjson.dumps(alpaca_row(i)) for i in range(500)] + [b""])
    _, rows, _, _ = read_all(path)
    assert len(rows) == 500 and calls == []


# --- accounting ---------------------------------------------------------------------------


def messy_lines(rng: random.Random, n: int) -> list[bytes]:
    bad = [
        b"{oops",
        b'{"instruction": "i", "output": 5}',
        b"[1, 2]",
        b"null",
        b'"str"',
        b'{"instruction": "\xff\xfe", "output": "o"}',
        b'{"output": "a"} {"output": "b"}',
        b"",
        b"  \t ",
    ]
    return [rng.choice(bad) if rng.random() < 0.08 else orjson.dumps(alpaca_row(i)) for i in range(n)]


@pytest.mark.parametrize(("block_bytes", "slow_bytes"), [(16 << 20, 256 << 10), (4096, 1024), (300, 10)])
def test_every_nonblank_line_is_a_row_or_a_drop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int, slow_bytes: int
) -> None:
    monkeypatch.setattr(blocks, "BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(jsonl, "SLOW_PATH_BYTES", slow_bytes)
    lines = messy_lines(random.Random(block_bytes), 3000)
    path = write_lines(tmp_path / "a.jsonl", lines)
    batches, rows, positions, drops = read_all(path, batch_rows=256)
    nonblank = [i + 1 for i, line in enumerate(lines) if line.strip(b" \t\r")]
    assert len(rows) + len(drops) == len(nonblank)
    assert sorted(positions + [d["line"] for d in drops]) == nonblank
    assert positions == sorted(positions)
    good = [i + 1 for i, line in enumerate(lines) if line.startswith(b'{"instruction":"task')]
    assert positions == good  # exactly the good lines are rows, in order
    assert all(b.table.num_rows <= 256 for b in batches)
    assert all(b.malformed.column("stage").to_pylist() == ["read"] * b.malformed.num_rows for b in batches)


def test_lines_longer_than_a_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 64)
    long_rows = [{"instruction": "x" * (300 + i), "output": str(i)} for i in range(5)]
    lines = [orjson.dumps(r) for r in long_rows]
    lines.insert(2, b"{broken" + b"y" * 200)
    _, rows, positions, drops = read_all(write_lines(tmp_path / "a.jsonl", lines))
    assert [r["output"] for r in rows] == ["0", "1", "2", "3", "4"]
    assert positions == [1, 2, 4, 5, 6]
    assert [d["line"] for d in drops] == [3]


# --- coerce=json fields (adapters' json_text) ------------------------------------------

DOCS = pa.schema(
    [
        req("text", pa.string()),
        pa.field("id", pa.string(), metadata={"coerce": "json"}),
        pa.field("metadata", pa.string(), metadata={"coerce": "json"}),
    ]
)


def test_json_text_fields_take_any_value_on_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonl, "parse_slow", lambda *a: pytest.fail("slow path used"))
    lines = [
        b'{"text": "a", "id": 7, "metadata": {"url": "u", "b": [1, 2.5, null], "a": "\xc3\xa9"}}',
        b'{"text": "b", "id": "x-1", "metadata": "{\\"already\\": \\"text\\"}"}',
        b'{"text": "c", "metadata": null}',
        b'{"text": "d", "id": [1], "metadata": true}',
    ]
    _, rows, positions, drops = read_all(write_lines(tmp_path / "d.jsonl", lines), DOCS)
    assert drops == [] and positions == [1, 2, 3, 4]
    assert rows == [
        {"text": "a", "id": "7", "metadata": '{"a":"é","b":[1,2.5,null],"url":"u"}'},
        {"text": "b", "id": "x-1", "metadata": '{"already": "text"}'},
        {"text": "c", "id": None, "metadata": None},
        {"text": "d", "id": "[1]", "metadata": "true"},
    ]


def test_json_text_fields_fast_and_slow_paths_agree() -> None:
    rng = random.Random(3)
    values = [None, "s", 12, -1.25, True, [1, "a", None], {"z": 1, "a": {"y": [], "b": "é"}}, {}]
    lines = []
    for i in range(500):
        row = {"text": f"doc {i}"}
        for name in ("id", "metadata"):
            if rng.random() < 0.8:
                row[name] = rng.choice(values)
        lines.append(orjson.dumps(row))
    block = b"\n".join(lines) + b"\n"
    ctx = FileContext(DOCS, "test", "mem", 20_000)
    fast = jsonl.parse_fast(block, 1, ctx)
    assert fast is not None
    slow = jsonl.parse_slow(block, 1, ctx)
    assert slow.drops == [] and fast.table.equals(slow.table)
