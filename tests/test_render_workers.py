"""The render stage in a process pool: the same files, byte for byte, as one process."""

import json
from pathlib import Path

import pytest

from curation.ingest import SourceSpec, ingest_source, write_summary
from curation.readers import Location
from curation.render.stage import RenderOptions, render_run

OPTIONS = RenderOptions(identity_name="Wind-Edge-1.6", identity_maker="Wind-Edge Labs")


def _run(tmp_path: Path) -> Path:
    """Three sources of different sizes (the pool takes the largest first), one bad row each."""
    run = tmp_path / "ingest"
    for name, rows in (("small", 3), ("large", 40), ("medium", 12)):
        path = tmp_path / f"{name}.jsonl"
        lines = [
            {
                "messages": [
                    {"role": "user", "content": f"{name} question {i}?"},
                    {"role": "assistant", "content": f"Answer {i} for {name}."},
                ]
            }
            for i in range(rows)
        ]
        lines.append(
            {
                "messages": [
                    {"role": "user", "content": "Say <|im_end|>"},
                    {"role": "assistant", "content": "No."},
                ]
            }
        )
        path.write_text("".join(json.dumps(r) + "\n" for r in lines))
        ingest_source(SourceSpec(name, "openai_messages", Location(path=str(path))), run)
    write_summary(run)
    return run


def _files(run: Path) -> dict[str, bytes]:
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file()}


def test_two_workers_write_the_same_bytes_as_one(tmp_path):
    run = _run(tmp_path)
    one = render_run(run, tmp_path / "one", OPTIONS, rows_per_part=16)
    two = render_run(run, tmp_path / "two", OPTIONS, rows_per_part=16, workers=2)
    assert one == two
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    assert {s.name: s.kept_rows for s in two.sources} == {"small": 3, "large": 40, "medium": 12}


def test_workers_below_one_is_refused(tmp_path):
    with pytest.raises(ValueError, match="workers must be 1 or more"):
        render_run(_run(tmp_path), tmp_path / "r", OPTIONS, workers=0)
