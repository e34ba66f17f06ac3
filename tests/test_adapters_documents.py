"""documents and code_files: text adapters for pretraining corpora."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from adapter_rows import dropped, fixture, is_content_id, load_rows, meta, run, run_file

from curation.adapters import get_adapter


def test_documents_plain_text_with_options():
    rows = [{"text": "A web page."}, {"text": "Another page.", "lang": "de"}]
    result = run(get_adapter("documents", domain="web", language="en"), rows)
    kept = result.kept.to_pylist()
    assert kept[0]["kind"] == "text" and kept[0]["messages"] is None and kept[0]["text"] == "A web page."
    assert kept[0]["meta"] == meta(domain="web", language="en")
    assert kept[1]["meta"]["language"] == "de"  # what a row states wins over the option
    assert is_content_id(kept[0]["id"])


def test_documents_dolma_shape():
    row = {
        "id": "http://example.com/a",
        "text": "Body.",
        "source": "common-crawl",
        "added": "2023-04-07T15:24:38.743534+00:00",
        "created": "2020-03-29T09:04:10Z",
        "metadata": {"url": "http://example.com/a", "language": "en", "title": "A", "perplexity": 304.6},
    }
    kept = run(get_adapter("documents", domain="web"), [row]).kept.to_pylist()
    assert kept[0]["id"] == "http://example.com/a"
    assert kept[0]["meta"] == meta(
        data_source="common-crawl",
        domain="web",
        language="en",
        url="http://example.com/a",
        extra='{"added":"2023-04-07T15:24:38.743534+00:00","created":"2020-03-29T09:04:10Z",'
        '"metadata":{"language":"en","perplexity":304.6,"title":"A","url":"http://example.com/a"}}',
    )


ARXIV_META = {
    "arxiv_id": "1712.01076",
    "language": "en",
    "source": "arxiv",
    "url": "https://arxiv.org/abs/1712.01076",
}


@pytest.mark.parametrize("meta_value", [ARXIV_META, json.dumps(ARXIV_META)], ids=["object", "json-string"])
def test_documents_redpajama_meta_object_or_string(meta_value):
    row = {"text": "\\section{Intro}", "meta": meta_value}
    kept = run(get_adapter("documents", domain="papers"), [row]).kept
    got = kept.to_pylist()[0]["meta"]
    assert (got["data_source"], got["domain"], got["language"], got["url"]) == (
        "arxiv",
        "papers",
        "en",
        "https://arxiv.org/abs/1712.01076",
    )
    assert json.loads(got["extra"])["meta"]["arxiv_id"] == "1712.01076"


def test_documents_meta_that_is_not_json_is_kept_as_a_string():
    kept = run(get_adapter("documents"), [{"text": "t", "meta": "{'url': 'python repr'}"}]).kept.to_pylist()
    assert kept[0]["meta"] == meta(extra='{"meta":"{\'url\': \'python repr\'}"}')


def test_documents_numeric_id_and_top_level_fields():
    rows = [
        {
            "id": 12,
            "url": "https://en.wikipedia.org/wiki/April",
            "title": "April",
            "text": "April is a month.",
            "license": "CC BY-SA",
            "data_source": "wikipedia",
            "domain": "wikipedia",
        },
    ]
    kept = run(get_adapter("documents", domain="web"), rows).kept.to_pylist()
    assert kept[0]["id"] == "12"
    assert kept[0]["meta"] == meta(
        data_source="wikipedia",
        domain="wikipedia",
        url="https://en.wikipedia.org/wiki/April",
        license="CC BY-SA",
        extra='{"title":"April"}',
    )


def test_documents_bad_rows():
    texts = ["ok", "", "  \n", "no text key", None, "ok too"]
    rows = [{"url": "http://x"} if t == "no text key" else {"text": t} for t in texts]
    result = run(get_adapter("documents"), rows)
    assert result.kept["text"].to_pylist() == ["ok", "ok too"]
    assert dropped(result) == [
        (2, "malformed:empty_text", "the document text is empty"),
        (3, "malformed:empty_text", "the document text is empty"),
        (4, "malformed:missing_field", "required field 'text' is missing or null"),
        (5, "malformed:missing_field", "required field 'text' is missing or null"),
    ]


def test_code_files_shapes():
    rows = [
        {
            "id": 7,
            "content": "print(1)\n",
            "max_stars_repo_path": "a/b.py",
            "max_stars_repo_name": "o/r",
            "lang": "Python",
        },
        {"code": "int main(){}", "repo_name": "o/c", "path": "m.c", "language": "C", "license": "mit"},
        {"text": "fn main() {}", "path": "main.rs"},
        {"path": "empty.py"},
        {"content": "", "path": "blank.py"},
    ]
    result = run(get_adapter("code_files"), rows)
    kept = result.kept.to_pylist()
    assert [r["text"] for r in kept] == ["print(1)\n", "int main(){}", "fn main() {}"]
    assert kept[0]["id"] == "7"
    assert kept[0]["meta"] == meta(
        domain="code", language="Python", path="a/b.py", extra='{"repo_name":"o/r"}'
    )
    assert kept[1]["meta"] == meta(
        domain="code", language="C", path="m.c", license="mit", extra='{"repo_name":"o/c"}'
    )
    assert kept[2]["meta"] == meta(domain="code", path="main.rs")
    assert is_content_id(kept[1]["id"])
    assert dropped(result) == [
        (4, "malformed:missing_field", "the document has no text"),
        (5, "malformed:empty_text", "the document text is empty"),
    ]


def test_c4_demo_fixture():
    rows = load_rows(fixture("instruct/llamafactory/c4_demo.jsonl"))
    result = run_file(get_adapter("documents", domain="web", language="en"), fixture("instruct/llamafactory/c4_demo.jsonl"))
    assert len(rows) == 300
    assert result.kept.num_rows == 300 and result.dropped.num_rows == 0
    assert result.kept["text"].to_pylist() == [r["text"] for r in rows]
    assert {json.dumps(m, sort_keys=True) for m in result.kept["meta"].to_pylist()} == {
        json.dumps(meta(domain="web", language="en"), sort_keys=True)
    }


def test_dolma_fixture():
    files = ("cc_en_head-0091.jsonl", "cc_en_head-0174.jsonl")
    rows = [r for name in files for r in load_rows(fixture(f"web/dolma/{name}"))]
    result = run_file(get_adapter("documents", domain="web"), *(fixture(f"web/dolma/{name}") for name in files))
    assert len(rows) == 20
    assert result.kept.num_rows == 20 and result.dropped.num_rows == 0
    kept = result.kept.to_pylist()
    assert [r["id"] for r in kept] == [r["id"] for r in rows]
    for got, row in zip(kept, rows, strict=True):
        assert got["meta"]["data_source"] == "common-crawl"
        assert got["meta"]["url"] == row["metadata"]["url"]
        assert got["meta"]["language"] == row["metadata"]["language"]
        assert json.loads(got["meta"]["extra"])["metadata"] == row["metadata"]


@pytest.mark.parametrize(
    ("name", "rows", "sources"),
    [
        ("arxiv.jsonl", 11, {"arxiv": 11}),
        ("demo-dataset-deduplication.jsonl", 14, {None: 14}),
        ("redpajama-cc-2023-06-refined.jsonl", 10, {None: 10}),
        ("redpajama-pile-stackexchange-refined.jsonl", 10, {None: 10}),
        ("stack_exchange.jsonl", 70, {None: 70}),
    ],
)
def test_datajuicer_fixtures(name, rows, sources):
    data = load_rows(fixture(f"web/datajuicer/{name}"))
    result = run_file(get_adapter("documents"), fixture(f"web/datajuicer/{name}"))
    assert len(data) == rows
    assert result.kept.num_rows == rows and result.dropped.num_rows == 0
    kept = result.kept.to_pylist()
    assert Counter(r["meta"]["data_source"] for r in kept) == sources
    if name == "arxiv.jsonl":
        assert all(r["meta"]["url"].startswith("https://arxiv.org/abs/") for r in kept)
        assert {r["meta"]["language"] for r in kept} == {"en"}
    if name == "stack_exchange.jsonl":
        # data-juicer's computed stats carry the detected language.
        assert [r["meta"]["language"] for r in kept] == [r["stats"].get("lang") for r in data]
