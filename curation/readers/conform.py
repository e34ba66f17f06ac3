"""Fit parsed rows and columns to an adapter's input schema, or say exactly why not.

Two entry points:
- `RowConformer`: one JSON-decoded row (a dict) -> a dict with exactly the schema's
  fields, checking types recursively. Used where rows arrive as Python objects (the JSONL
  slow path, JSON arrays, hub rows that cannot be cast as columns). Its rules are those
  of pyarrow's JSON reader with an explicit schema, so the JSONL fast and slow paths give
  identical tables: strings must be str; int64 takes ints (not bools, not 1.0); float64
  takes ints and floats; bool takes bools; lists take lists; structs take objects (keys
  outside the struct are ignored, missing ones are null).
- `conform_table`: a whole Arrow table (Parquet, Arrow, hub) -> the schema, by safe casts
  only (large_string -> string, int32 -> int64, struct field subsets ...); a column that
  cannot be cast raises CastError naming the column and both types.

A string field may relax its rule with field metadata `coerce`:
- `coerce=string`: an int is also taken, as its decimal text (ids are numbers in one
  file and strings in the next).
- `coerce=json` (adapters' `json_text`): any JSON value is taken; a string as it is,
  anything else as its compact JSON text with keys sorted (dolma's `metadata` object).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.types as pat

COERCE_KEY = b"coerce"

_INT_RANGE = {
    pa.int8(): (-(2**7), 2**7 - 1),
    pa.int16(): (-(2**15), 2**15 - 1),
    pa.int32(): (-(2**31), 2**31 - 1),
    pa.int64(): (-(2**63), 2**63 - 1),
    pa.uint8(): (0, 2**8 - 1),
    pa.uint16(): (0, 2**16 - 1),
    pa.uint32(): (0, 2**32 - 1),
    pa.uint64(): (0, 2**64 - 1),
}


class ConformError(ValueError):
    """A value does not fit the schema; the message names the column path and both types."""


class CastError(ValueError):
    """A whole column cannot be cast to the schema's type."""

    def __init__(self, column: str, actual: pa.DataType, expected: pa.DataType, cause: str = "") -> None:
        self.column, self.actual, self.expected = column, actual, expected
        why = f" ({cause})" if cause else ""
        super().__init__(f"column {column!r} has type {actual}, expected {expected}{why}")


def coerce_mode(field: pa.Field) -> str | None:
    """`string`, `json` or None: how far a string field relaxes its type rule."""
    if not field.metadata or COERCE_KEY not in field.metadata:
        return None
    return field.metadata[COERCE_KEY].decode()


def json_fields(schema: pa.Schema) -> list[str]:
    """Top-level fields marked coerce=json."""
    return [f.name for f in schema if coerce_mode(f) == "json"]


def json_text(value: Any) -> str | None:
    """A coerce=json value: null stays null, a string stays itself, anything else is compact sorted JSON."""
    if value is None or type(value) is str:
        return value
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def json_kind(value: Any) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "float", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


def type_name(type_: pa.DataType) -> str:
    """A short name for messages: `list` and `struct` rather than their full nested spelling."""
    if pat.is_list(type_) or pat.is_large_list(type_):
        return "list"
    if pat.is_struct(type_):
        return "struct"
    if pat.is_floating(type_):
        return f"float{type_.bit_width}"  # Arrow spells float64 `double`; JSON users think float64
    return str(type_)


# --- rows ---------------------------------------------------------------------------

Converter = Callable[[Any, str], Any]


def _fail(path: str, type_: pa.DataType, value: Any) -> ConformError:
    return ConformError(f"column '{path}': expected {type_name(type_)}, got {json_kind(value)}")


def _string(type_: pa.DataType, coerce: str | None) -> Converter:
    if coerce == "json":

        def any_json(v: Any, path: str) -> Any:
            try:
                return json_text(v)
            except (TypeError, orjson.JSONEncodeError) as exc:
                raise ConformError(f"column '{path}': cannot write the value as JSON ({exc})") from None

        return any_json

    def string(v: Any, path: str) -> Any:
        if v is None or type(v) is str:
            return v
        if coerce == "string" and type(v) is int:
            return str(v)
        raise _fail(path, type_, v)

    return string


def _integer(type_: pa.DataType) -> Converter:
    lo, hi = _INT_RANGE[type_]

    def integer(v: Any, path: str) -> Any:
        if v is None:
            return v
        if type(v) is not int:
            raise _fail(path, type_, v)
        if not lo <= v <= hi:
            raise ConformError(f"column '{path}': {v} is out of the range of {type_}")
        return v

    return integer


def _floating(type_: pa.DataType) -> Converter:
    def floating(v: Any, path: str) -> Any:
        if v is None or type(v) is float:
            return v
        if type(v) is int:
            try:
                return float(v)
            except OverflowError:
                raise ConformError(f"column '{path}': {v} is out of the range of {type_}") from None
        raise _fail(path, type_, v)

    return floating


def _exact(type_: pa.DataType, python_type: type | None) -> Converter:
    """bool (python_type bool) and null (python_type None) take only their own values."""

    def exact(v: Any, path: str) -> Any:
        if v is None or (python_type is not None and type(v) is python_type):
            return v
        raise _fail(path, type_, v)

    return exact


def _listing(type_: pa.DataType) -> Converter:
    item = _converter(type_.value_type, coerce_mode(type_.value_field))

    def listing(v: Any, path: str) -> Any:
        if v is None:
            return v
        if type(v) is not list:
            raise _fail(path, type_, v)
        return [item(x, f"{path}[{i}]") for i, x in enumerate(v)]

    return listing


def _struct(type_: pa.DataType) -> Converter:
    children = [(f.name, _converter(f.type, coerce_mode(f))) for f in type_]

    def struct(v: Any, path: str) -> Any:
        if v is None:
            return v
        if type(v) is not dict:
            raise _fail(path, type_, v)
        return {name: conv(v.get(name), f"{path}.{name}") for name, conv in children}

    return struct


def _converter(type_: pa.DataType, coerce: str | None) -> Converter:
    """A function (value, path) -> value fitted to `type_`, raising ConformError."""
    if pat.is_string(type_) or pat.is_large_string(type_):
        return _string(type_, coerce)
    if coerce is not None:
        raise TypeError(f"coerce={coerce} is for string fields, not {type_}")
    if pat.is_integer(type_):
        return _integer(type_)
    if pat.is_floating(type_):
        return _floating(type_)
    if pat.is_boolean(type_):
        return _exact(type_, bool)
    if pat.is_null(type_):
        return _exact(type_, None)
    if pat.is_list(type_) or pat.is_large_list(type_):
        return _listing(type_)
    if pat.is_struct(type_):
        return _struct(type_)
    raise TypeError(
        f"readers cannot conform values to {type_} (supported: string, int, float, bool, list, struct)"
    )


class RowConformer:
    """Fits decoded JSON objects to a schema; build once per schema, call per row."""

    def __init__(self, schema: pa.Schema) -> None:
        self.schema = schema
        self._fields = [(f.name, _converter(f.type, coerce_mode(f))) for f in schema]

    def __call__(self, obj: dict) -> dict:
        """The row with exactly the schema's fields; raises ConformError on a wrong type."""
        return {name: conv(obj.get(name), name) for name, conv in self._fields}


def check_schema(schema: pa.Schema) -> None:
    """Raise TypeError early when an input schema uses a type the readers cannot fill."""
    RowConformer(schema)


# --- columns ------------------------------------------------------------------------


def castable(actual: pa.DataType, expected: pa.DataType, coerce: str | None = None) -> bool:
    """Whether a column of `actual` type may be cast to `expected` without changing meaning."""
    if actual == expected or pat.is_null(actual) or coerce == "json":
        return True
    if pat.is_dictionary(actual):
        return castable(actual.value_type, expected, coerce)
    if pat.is_string(expected) or pat.is_large_string(expected):
        stringy = pat.is_string(actual) or pat.is_large_string(actual) or pat.is_string_view(actual)
        return stringy or (coerce == "string" and pat.is_integer(actual))
    if pat.is_integer(expected):
        return pat.is_integer(actual)  # values out of range fail the (safe) cast itself
    if pat.is_floating(expected):
        return pat.is_floating(actual) or pat.is_integer(actual)
    if pat.is_boolean(expected):
        return pat.is_boolean(actual)
    if pat.is_list(expected) or pat.is_large_list(expected):
        is_list = pat.is_list(actual) or pat.is_large_list(actual) or pat.is_fixed_size_list(actual)
        return is_list and castable(actual.value_type, expected.value_type, coerce_mode(expected.value_field))
    if pat.is_struct(expected):
        if not pat.is_struct(actual):
            return False
        have = {f.name: f.type for f in actual}
        return all(castable(have[f.name], f.type, coerce_mode(f)) for f in expected if f.name in have)
    return False


def _as_json_text(column: pa.ChunkedArray, type_: pa.DataType) -> pa.ChunkedArray | pa.Array:
    """A coerce=json column that is not text: each value as sorted compact JSON (Python per value)."""
    if pat.is_string(column.type) or pat.is_large_string(column.type) or pat.is_string_view(column.type):
        return column.cast(type_)
    if pat.is_dictionary(column.type):
        return _as_json_text(column.cast(column.type.value_type), type_)
    return pa.array([json_text(v) for v in column.to_pylist()], type_)


def conform_table(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The table with exactly the schema's columns: cast where safe, null where missing.

    Raises CastError for the first column that cannot be cast (by type, or because a
    value does not fit, e.g. a uint64 above the int64 range).
    """
    columns = []
    for field in schema:
        if field.name not in table.column_names:
            columns.append(pa.nulls(table.num_rows, field.type))
            continue
        column = table[field.name]
        if column.type != field.type:
            coerce = coerce_mode(field)
            if not castable(column.type, field.type, coerce):
                raise CastError(field.name, column.type, field.type)
            try:
                column = _as_json_text(column, field.type) if coerce == "json" else column.cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError) as exc:
                raise CastError(field.name, column.type, field.type, str(exc).splitlines()[0]) from None
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def check_columns(actual: pa.Schema, schema: pa.Schema) -> None:
    """Raise CastError for the first schema field whose column in `actual` cannot be cast."""
    for field in schema:
        index = actual.get_field_index(field.name)
        if index >= 0 and not castable(actual.field(index).type, field.type, coerce_mode(field)):
            raise CastError(field.name, actual.field(index).type, field.type)
