"""The row conformer and the column cast rules."""

from __future__ import annotations

import pyarrow as pa
import pytest

from curation.readers.conform import CastError, ConformError, RowConformer, castable, conform_table

TURN = pa.struct([("from", pa.string()), ("value", pa.string())])
SCHEMA = pa.schema(
    [
        pa.field("s", pa.string()),
        pa.field("i", pa.int64()),
        pa.field("f", pa.float64()),
        pa.field("b", pa.bool_()),
        pa.field("turns", pa.list_(TURN)),
        pa.field("id", pa.string(), metadata={"coerce": "string"}),
    ]
)


def test_row_fits_schema_order_ignores_extras_and_fills_nulls() -> None:
    conform = RowConformer(SCHEMA)
    row = conform({"turns": [{"from": "h", "value": "v", "x": 1}, None, {}], "f": 2, "z": 1, "id": 5})
    assert list(row) == SCHEMA.names
    assert row == {
        "s": None, "i": None, "f": 2.0, "b": None,
        "turns": [{"from": "h", "value": "v"}, None, {"from": None, "value": None}], "id": "5",
    }
    assert type(row["f"]) is float
    assert pa.Table.from_pylist([row], schema=SCHEMA).num_rows == 1


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"s": 1}, "column 's': expected string, got int"),
        ({"i": True}, "column 'i': expected int64, got bool"),
        ({"i": 1.0}, "column 'i': expected int64, got float"),
        ({"i": 2**63}, "column 'i': 9223372036854775808 is out of the range of int64"),
        ({"f": "1"}, "column 'f': expected float64, got string"),
        ({"b": 0}, "column 'b': expected bool, got int"),
        ({"turns": {"from": "h"}}, "column 'turns': expected list, got object"),
        ({"turns": [{"from": "h"}, "x"]}, "column 'turns[1]': expected struct, got string"),
        ({"turns": [{"from": ["h"]}]}, "column 'turns[0].from': expected string, got array"),
        ({"id": 1.5}, "column 'id': expected string, got float"),
    ],
)
def test_wrong_types_name_the_path(obj: dict, message: str) -> None:
    with pytest.raises(ConformError) as info:
        RowConformer(SCHEMA)(obj)
    assert str(info.value) == message


def test_unsupported_schema_type_fails_early() -> None:
    with pytest.raises(TypeError, match="cannot conform values to timestamp"):
        RowConformer(pa.schema([pa.field("t", pa.timestamp("s"))]))


@pytest.mark.parametrize(
    ("actual", "expected", "ok"),
    [
        (pa.large_string(), pa.string(), True),
        (pa.dictionary(pa.int32(), pa.string()), pa.string(), True),
        (pa.int32(), pa.int64(), True),
        (pa.int64(), pa.float64(), True),
        (pa.null(), pa.list_(TURN), True),
        (pa.int64(), pa.string(), False),
        (pa.float64(), pa.int64(), False),
        (pa.string(), pa.list_(pa.string()), False),
        (pa.large_list(pa.struct([("value", pa.large_string())])), pa.list_(TURN), True),
        (pa.list_(pa.struct([("value", pa.int64())])), pa.list_(TURN), False),
    ],
)
def test_castable(actual: pa.DataType, expected: pa.DataType, ok: bool) -> None:
    assert castable(actual, expected) is ok


def test_conform_table_casts_and_adds_missing_columns() -> None:
    table = pa.table({"i": pa.array([1], pa.int8()), "s": pa.array(["a"], pa.large_string()), "extra": [0]})
    out = conform_table(table, SCHEMA)
    assert out.schema == SCHEMA
    assert out.to_pylist() == [{"s": "a", "i": 1, "f": None, "b": None, "turns": None, "id": None}]
    with pytest.raises(CastError, match="column 'b' has type string, expected bool"):
        conform_table(pa.table({"b": ["yes"]}), SCHEMA)


def test_json_text_takes_any_value() -> None:
    schema = pa.schema([pa.field("meta", pa.string(), metadata={"coerce": "json"})])
    conform = RowConformer(schema)
    assert conform({"meta": {"b": 1, "a": [True, None]}}) == {"meta": '{"a":[true,null],"b":1}'}
    assert conform({"meta": "as is"}) == {"meta": "as is"}
    assert conform({"meta": 1.5}) == {"meta": "1.5"}
    assert conform({}) == {"meta": None}


def test_coerce_is_only_for_strings() -> None:
    with pytest.raises(TypeError, match="coerce=json is for string fields"):
        RowConformer(pa.schema([pa.field("n", pa.int64(), metadata={"coerce": "json"})]))
