"""Shared fixtures: the demo distill mix built once per test process, and a real S3 API on
127.0.0.1 for the object-store tests: moto's S3 server, reached by s3fs over HTTP exactly as a
user reaches MinIO or AWS (endpoint and keys from fsspec's config / the environment), one
server per test process, one fresh bucket per test."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import fsspec
import pytest

DISTILL = Path(__file__).resolve().parents[1] / "mixes" / "wind-edge-1.6-distill-12m.yaml"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The demo distill mix built on a local disk: (root, manifest, lock); root holds inputs/,
    out/ and work/. Tests that edit an input restore it before they end."""
    from curation.mix.build import build_mix
    from curation.mix.demo_inputs import demo_manifest
    from curation.mix.manifest import load_manifest

    root = tmp_path_factory.mktemp("mix")
    manifest = demo_manifest(load_manifest(DISTILL, check_files=False), root / "inputs")
    lock = build_mix(manifest, root / "out", root / "work")
    return root, manifest, lock


# What a user sets to point s3fs at a bucket that is not on AWS (FSSPEC_S3_* is fsspec's config).
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    """(s3fs file system, "s3://<fresh bucket>", the environment a subprocess needs)."""
    import s3fs

    env = {**CREDENTIALS, "FSSPEC_S3_ENDPOINT_URL": s3_endpoint}
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setitem(fsspec.config.conf, "s3", {"endpoint_url": s3_endpoint})
    s3fs.S3FileSystem.clear_instance_cache()
    fs = fsspec.filesystem("s3")
    bucket = f"bucket-{uuid.uuid4().hex[:12]}"
    fs.mkdir(bucket)
    yield fs, f"s3://{bucket}", env
    s3fs.S3FileSystem.clear_instance_cache()

