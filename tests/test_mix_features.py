"""The features stored for the mix's schemas (curation/mix/features.py) are datasets' own."""

import pyarrow as pa
import pytest
from datasets import Features

from curation.mix.build import MIX_SCHEMA
from curation.mix.features import KNOWN, features_dict, schema_key
from curation.mix.pack import PACKED_SCHEMA


@pytest.mark.parametrize("schema", [MIX_SCHEMA, PACKED_SCHEMA], ids=["mix", "packed"])
def test_the_mix_schemas_are_stored_as_datasets_converts_them(schema):
    assert schema_key(schema) in KNOWN  # a changed schema must update features.py
    assert features_dict(schema) == Features.from_arrow_schema(schema).to_dict()


def test_every_stored_entry_is_one_of_the_mix_schemas():
    # so each is checked above: no entry outlives the schema it was made for
    assert set(KNOWN) == {schema_key(MIX_SCHEMA), schema_key(PACKED_SCHEMA)}


def test_another_schema_is_converted_by_datasets():
    schema = pa.schema([("a", pa.float32()), ("b", pa.list_(pa.int8()))])
    assert schema_key(schema) not in KNOWN
    assert features_dict(schema) == Features.from_arrow_schema(schema).to_dict()


def test_datasets_own_metadata_wins_over_the_stored_entry():
    features = Features.from_arrow_schema(MIX_SCHEMA)
    with_hf = features.arrow_schema  # carries datasets' "huggingface" metadata
    assert b"huggingface" in with_hf.metadata
    assert features_dict(with_hf) == Features.from_arrow_schema(with_hf).to_dict()
