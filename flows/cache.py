"""Resume: every stage's output lives in a directory named by a key over its inputs.

A key is the sha256 of the stage name, its parameters (JSON), the keys or file sha256s of
its inputs, and a fingerprint of the library's code: the same inputs and code give the same
key, anything else a new one. Prefect caches a task on that key (cache_key_fn), its result
(the output directory, a path string) persisted under the work directory, so a flow run again
after a crash finds the finished tasks' records and skips them. Output directories are never
overwritten by different work (a new key is a new directory), so a cached path always holds
what its key says.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import curation

RESULTS_DIR = "prefect-results"  # under the work directory: Prefect's cache records and results
KEY_CHARS = 16  # of the sha256 hex digest, in directory names (64 bits: no collision in one work dir)


@cache
def code_fingerprint() -> str:
    """sha256 over the library's Python sources (~1 MB, a few ms): a code change invalidates
    every cached stage, as Prefect's TASK_SOURCE policy would for the task bodies alone."""
    root = Path(curation.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def stage_key(stage: str, **inputs: Any) -> str:
    """The cache key of one stage run: sha256 hex over the stage name, its inputs (JSON-able:
    parameters, upstream keys, file sha256s) and the code fingerprint."""
    payload = json.dumps({"stage": stage, "code": code_fingerprint(), **inputs}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def by_key(_context: Any, parameters: dict[str, Any]) -> str:
    """Prefect cache_key_fn: the `key` parameter every cached task takes (computed by the flow)."""
    return parameters["key"]


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def keyed_dir(root: Path, label: str, key: str) -> Path:
    """root/<label>-<key prefix>: where a stage writes the output of the work `key` names."""
    return root / f"{label}-{key[:KEY_CHARS]}"
