"""Files a mix reads besides its inputs (a decontamination benchmark here; models and word lists
the same way) are fingerprinted in the lock, checked by regenerate, shown by diff, and part of
the flows' cache keys: a changed benchmark file is new work, never a cached result."""

import json
from pathlib import Path

import pytest

from curation.mix.build import build_mix
from curation.mix.diff import diff_locks
from curation.mix.lock import verify_inputs
from curation.mix.manifest import parse_manifest
from curation.mix.regenerate import RegenerateMismatch, regenerate_mix


def _manifest(root: Path):
    rows = [{"instruction": f"What is {i} plus {i}?", "input": "", "output": f"{i} plus {i} is {2 * i}."} for i in range(40)]
    rows[0]["instruction"] = "Describe how the river carries sand down to the sea."
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "bench").mkdir()
    (root / "bench" / "test.jsonl").write_text(json.dumps({"question": "Which planet has the most moons in 2026?"}) + "\n")
    data = {
        "name": "referenced",
        "budget_tokens": 300,
        "template": {"name": "qwen3"},
        "sources": [{"name": "math", "adapter": "alpaca", "location": "data.jsonl", "weight": 1}],
        "filters": {
            "decontam": {"benchmarks": [{"name": "bench", "path": "bench/test.jsonl", "fields": ["question"]}], "n": 5}
        },
    }
    (root / "mix.yaml").write_text(json.dumps(data))
    return parse_manifest(data, root)


def test_the_lock_fingerprints_a_benchmark_file_and_regenerate_names_its_change(tmp_path):
    manifest = _manifest(tmp_path)
    assert manifest.referenced_files() == [tmp_path / "bench" / "test.jsonl"]
    lock = build_mix(manifest, tmp_path / "mix")
    assert [f.path for f in lock.referenced_files] == ["bench/test.jsonl"]
    assert verify_inputs(lock, tmp_path) == []

    # the benchmark now holds row 0's question: that row is dropped
    (tmp_path / "bench" / "test.jsonl").write_text(json.dumps({"question": "How does the river carry sand down to the sea?"}) + "\n")
    (problem,) = verify_inputs(lock, tmp_path)
    assert problem.startswith("referenced file: bench/test.jsonl changed")
    with pytest.raises(RegenerateMismatch, match="referenced file: bench/test.jsonl changed"):
        regenerate_mix(tmp_path / "mix" / "mix.lock.json", tmp_path / "again")
    rebuilt = build_mix(_reparsed(tmp_path), tmp_path / "again")
    assert rebuilt.sources[0].rows_available < lock.sources[0].rows_available  # the new benchmark drops a row
    assert "referenced file: bench/test.jsonl changed" in diff_locks(lock, rebuilt)

    (tmp_path / "bench" / "test.jsonl").unlink()
    with pytest.raises(RegenerateMismatch, match="referenced file: bench/test.jsonl is missing"):
        regenerate_mix(tmp_path / "mix" / "mix.lock.json", tmp_path / "again2")


def _reparsed(root: Path):
    return parse_manifest(json.loads((root / "mix.yaml").read_text()), root)


def test_the_flows_cache_keys_cover_the_referenced_files(tmp_path):
    pytest.importorskip("prefect")
    from flows.source import referenced_fingerprints

    manifest = _manifest(tmp_path)
    first = referenced_fingerprints(manifest)
    assert list(first) == [str(tmp_path / "bench" / "test.jsonl")]
    (tmp_path / "bench" / "test.jsonl").write_text(json.dumps({"question": "Another question."}) + "\n")
    assert referenced_fingerprints(manifest) != first


def test_diff_names_an_input_moved_with_the_same_content_and_a_changed_one(tmp_path):
    lock = build_mix(_manifest(tmp_path), tmp_path / "mix")
    moved = lock.model_copy(deep=True)
    moved.inputs[0].files[0].path = "elsewhere/data.jsonl"
    assert diff_locks(lock, moved) == ["input math: moved: data.jsonl -> elsewhere/data.jsonl (same content)"]
    edited = moved.model_copy(deep=True)
    edited.inputs[0].files[0].sha256 = "0" * 64
    assert diff_locks(lock, edited) == ["input math: data.jsonl only in A", "input math: elsewhere/data.jsonl only in B"]
