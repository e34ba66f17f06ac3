"""schemas/ is generated from the code; these tests fail when the two drift apart."""

import json

import jsonschema

from curation.jsonschema import SCHEMA_DIR, all_schemas, stale_schemas


def test_schema_files_match_the_code():
    assert stale_schemas() == [], "run `curate schemas` and commit schemas/"


def test_schemas_are_valid_json_schema():
    for name, schema in all_schemas().items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert json.loads((SCHEMA_DIR / name).read_text()) == schema


def test_canonical_schema_accepts_a_chat_row_and_rejects_a_bad_kind():
    validator = jsonschema.Draft202012Validator(all_schemas()["canonical_record.schema.json"])
    row = {
        "id": "a",
        "source": "s",
        "kind": "chat",
        "messages": [{"role": "user", "content": "hi", "reasoning": None, "tool_calls": None}],
        "text": None,
        "meta": {k: None for k in ("data_source", "domain", "language", "url", "path", "license", "extra")},
    }
    assert not list(validator.iter_errors(row))
    assert list(validator.iter_errors({**row, "kind": "image"}))
    bad_role = {**row, "messages": [{**row["messages"][0], "role": "narrator"}]}
    assert list(validator.iter_errors(bad_role))
