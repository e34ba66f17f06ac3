"""The `features` of a split's dataset_info.json, without importing `datasets` for the mix's schemas.

`datasets.Features.from_arrow_schema(schema).to_dict()` is what `load_from_disk` expects, but
importing `datasets` costs a build ~0.6-1 s of its serial tail for that one dict. The schemas a mix
writes are fixed (its rows, the packed sequences): their features are stored here as datasets
5.2.0 (the pinned version) converts them, keyed by the columns' names and Arrow types, which is
all that conversion reads (nullability and metadata other than datasets' own do not change it).
tests/test_mix_features.py checks every stored entry against the installed `datasets`. Any other
schema is converted by `datasets` itself.
"""

from __future__ import annotations

import pyarrow as pa


def _value(dtype: str) -> dict:
    return {"dtype": dtype, "_type": "Value"}


def _list(feature: dict) -> dict:
    return {"feature": feature, "_type": "List"}


_SPANS_TYPE = "list<item: struct<start: int64, end: int64, kind: string>>"
_SPANS = _list({"start": _value("int64"), "end": _value("int64"), "kind": _value("string")})

# ((column, Arrow type), ...) -> features: the mix rows (build.MIX_SCHEMA), the packed sequences
# (pack.PACKED_SCHEMA).
KNOWN: dict[tuple[tuple[str, str], ...], dict] = {
    (
        ("id", "string"), ("source", "string"), ("part", "string"), ("epoch", "int32"),
        ("text", "large_string"), ("n_tokens", "int64"), ("spans", _SPANS_TYPE),
        ("token_spans", _SPANS_TYPE), ("domain", "string"),
    ): {
        "id": _value("string"), "source": _value("string"), "part": _value("string"),
        "epoch": _value("int32"), "text": _value("large_string"), "n_tokens": _value("int64"),
        "spans": _SPANS, "token_spans": _SPANS, "domain": _value("string"),
    },
    (("part", "string"), ("input_ids", "list<item: int32>"), ("row_ids", "list<item: string>")): {
        "part": _value("string"), "input_ids": _list(_value("int32")), "row_ids": _list(_value("string")),
    },
}


def schema_key(schema: pa.Schema) -> tuple[tuple[str, str], ...]:
    return tuple((field.name, str(field.type)) for field in schema)


def features_dict(schema: pa.Schema) -> dict:
    """dataset_info.json's `features` of `schema`: stored (KNOWN) for the mix's own schemas, else
    datasets' conversion (which fails on a type datasets cannot hold)."""
    if b"huggingface" not in (schema.metadata or {}):  # datasets would read its features from there
        known = KNOWN.get(schema_key(schema))
        if known is not None:
            return known
    from datasets import Features

    return Features.from_arrow_schema(schema).to_dict()
