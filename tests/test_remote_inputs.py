"""Inputs on an fsspec file system (s3://, gs://, ... ; here fsspec's in-memory one, memory://):
listed like local paths, read through a local copy, fingerprinted in the lock by URL."""

import gzip
import json

import fsspec
import pytest

from curation.ingest import SourceSpec, ingest_source
from curation.mix.build import build_mix
from curation.mix.lock import verify_inputs
from curation.mix.manifest import parse_manifest
from curation.readers import Location, input_paths
from curation.readers.base import SourceError
from curation.readers.remote import is_url, list_urls
from curation.report import load_drops


def _alpaca(i: int) -> dict:
    return {"instruction": f"Add {i} and {i + 1}.", "input": "", "output": f"{i} + {i + 1} = {2 * i + 1}."}


@pytest.fixture
def bucket():
    """memory://bucket/data: a gzipped and a plain JSONL file (one broken line), a hidden file
    and a README that are not data."""
    fs = fsspec.filesystem("memory")
    root = f"/bucket-{id(fs)}"
    rows = [json.dumps(_alpaca(i)) for i in range(30)]
    with fs.open(f"{root}/data/b.jsonl", "wb") as fh:
        fh.write(("\n".join(rows[10:]) + "\n{broken\n").encode())
    with fs.open(f"{root}/data/a.jsonl.gz", "wb") as fh:
        fh.write(gzip.compress(("\n".join(rows[:10]) + "\n").encode()))
    with fs.open(f"{root}/data/.hidden.jsonl", "wb") as fh:
        fh.write(b"{}\n")
    with fs.open(f"{root}/data/README.md", "wb") as fh:
        fh.write(b"# not data\n")
    yield fs, f"memory://{root}"
    fs.rm(root, recursive=True)


def test_urls_are_listed_like_local_paths(bucket):
    _, url = bucket
    assert is_url(url) and not is_url("/data/x.jsonl") and not is_url("hf:org/name")
    expected = [f"{url}/data/a.jsonl.gz", f"{url}/data/b.jsonl"]
    assert list_urls(f"{url}/data", None) == expected
    assert input_paths(Location(path=f"{url}/data/*.jsonl*")) == expected
    assert list_urls(f"{url}/data/b.jsonl", None) == [f"{url}/data/b.jsonl"]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("{url}/nope", "no such file or directory"),
        ("{url}/data/*.parquet", "no file matches this pattern"),
        ("{url}/data/README.md", "cannot tell the format"),
        ("gs://no-such-bucket-here/x.jsonl", "gs:// needs its fsspec package installed"),  # gcsfs is not
    ],
)
def test_bad_urls_are_named(bucket, where, message):
    _, url = bucket
    with pytest.raises(SourceError, match=message):
        input_paths(Location(path=where.format(url=url)))


def test_ingest_reads_a_url_and_reports_drops_by_url(bucket, tmp_path):
    _, url = bucket
    summary = ingest_source(SourceSpec("remote", "alpaca", Location(path=f"{url}/data")), tmp_path / "run")
    assert summary.kept_rows == 30 and summary.stages[0].dropped == 1
    drops = load_drops(tmp_path / "run").collect()
    assert drops["file"].to_list() == [f"{url}/data/b.jsonl"] and drops["line"].to_list() == [21]


def test_a_mix_records_url_inputs_and_notices_a_change(bucket, tmp_path):
    fs, url = bucket
    manifest = parse_manifest(
        {
            "name": "remote",
            "budget_tokens": 200,
            "template": {"name": "qwen3"},
            "sources": [{"name": "remote", "adapter": "alpaca", "location": f"{url}/data", "weight": 1}],
        },
        tmp_path,
    )
    lock = build_mix(manifest, tmp_path / "mix")
    (record,) = lock.inputs
    assert [f.path for f in record.files] == [f"{url}/data/a.jsonl.gz", f"{url}/data/b.jsonl"]
    assert verify_inputs(lock, tmp_path) == []
    with fs.open(url.removeprefix("memory://") + "/data/b.jsonl", "ab") as fh:
        fh.write((json.dumps(_alpaca(99)) + "\n").encode())
    (problem,) = verify_inputs(lock, tmp_path)
    assert f"{url}/data/b.jsonl changed" in problem
