"""Run directories at object-store URLs (s3:// through s3fs, against moto's S3 server on
127.0.0.1): `curate ingest | dedup | filter | render | report | patterns` read and write them
there with the same bytes as on a local disk; summary.json goes last, so an upload that fails
halfway leaves no run that looks finished, and a rerun finishes it; a URL that holds no finished
run, or something else, is refused by name."""

import hashlib
import json
from pathlib import Path

import pytest
from s3_support import cut_uploads_short
from typer.testing import CliRunner

from curation.cli.main import app
from curation.mix.object_store import list_objects
from curation.run_store import RUN_MARKER, fetched_run, run_output

runner = CliRunner()


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CURATION_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _inputs(root: Path) -> tuple[Path, Path]:
    rows = [{"instruction": f"What is {i} times {i + 1}?", "input": "", "output": f"It is {i * (i + 1)}."} for i in range(30)]
    rows += rows[:3]  # exact duplicates
    rows.append({"instruction": "Who are you?", "input": "", "output": "I am a human, and I work at a bank."})
    math = root / "math.jsonl"
    math.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n")
    other = root / "other.jsonl"
    other.write_text("".join(json.dumps({"instruction": f"Name a colour, {i}.", "input": "", "output": "Blue."}) + "\n" for i in range(5)))
    return math, other


def _run(args: list[str]) -> str:
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def _pipeline(math: Path, other: Path, at: str) -> list[str]:
    """ingest (two sources into one run) -> dedup -> filter -> render under `at` (a directory or a URL)."""
    outputs = []
    _run(["ingest", str(math), "-a", "alpaca", "--name", "math", "--run-dir", f"{at}/ingest"])
    outputs.append(_run(["ingest", str(other), "-a", "alpaca", "--name", "other", "--run-dir", f"{at}/ingest"]))
    outputs.append(_run(["dedup", f"{at}/ingest", "--out", f"{at}/dedup", "--no-near"]))
    outputs.append(_run(["filter", f"{at}/dedup", "--out", f"{at}/filtered", "--filters", "identity,pii"]))
    outputs.append(_run(["render", f"{at}/filtered", "--out", f"{at}/rendered", "--template", "qwen3"]))
    return outputs


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_stages_read_and_write_runs_on_s3_with_the_bytes_of_local_runs(tmp_path, s3):
    fs, bucket, _ = s3
    math, other = _inputs(tmp_path)
    _pipeline(math, other, str(tmp_path / "local"))
    _pipeline(math, other, f"{bucket}/runs")
    for stage in ("ingest", "dedup", "filtered", "rendered"):
        url = f"{bucket}/runs/{stage}"
        local = tmp_path / "local" / stage
        assert set(list_objects(url)) == set(_tree(local)), stage
        assert _tree(fetched_run(url)) == _tree(local), stage  # every file, byte for byte
    assert {s["name"] for s in json.loads(fs.cat_file(f"{bucket.removeprefix('s3://')}/runs/ingest/summary.json"))["sources"]} == {"math", "other"}
    # the report reads the dropped rows there, with their reasons
    text = _run(["report", f"{bucket}/runs/filtered", "--stage", "identity"])
    assert "identity_claim:human" in text and "I am a human" in text
    assert "exact_duplicate" in _run(["report", f"{bucket}/runs/dedup", "--stage", "dedup_exact"])
    assert "malformed" in _run(["report", f"{bucket}/runs/ingest"])
    assert "openings" in _run(["patterns", f"{bucket}/runs/filtered"]).lower()


def test_a_report_downloads_the_counts_and_reports_once_and_again_when_the_run_changes(tmp_path, s3, monkeypatch):
    fs, bucket, _ = s3
    math, other = _inputs(tmp_path)
    url = f"{bucket}/runs/ingest"
    _run(["ingest", str(math), "-a", "alpaca", "--name", "math", "--run-dir", url])
    fetched = []
    real_get = fs.get_file
    monkeypatch.setattr(fs, "get_file", lambda rpath, lpath, *a, **k: (fetched.append(rpath), real_get(rpath, lpath, *a, **k))[1])
    _run(["report", url])
    assert fetched and not any("/data/" in p for p in fetched)  # the rows stay where they are
    first = len(fetched)
    _run(["report", url])
    assert len(fetched) == first  # the local copy is the run's: the same objects there
    counts = f"{url.removeprefix('s3://')}/sources/math/counts.json"
    fs.pipe_file(counts, fs.cat_file(counts) + b" ")  # replaced under the same summary.json
    copy = fetched_run(url, data=False)
    assert len(fetched) > first and (copy / "sources" / "math" / "counts.json").read_bytes().endswith(b" ")
    _run(["ingest", str(other), "-a", "alpaca", "--name", "other", "--run-dir", url])
    assert "other" in _run(["report", url])  # a changed run is fetched again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "{bucket}/nothing"], "is not a finished run: it has no summary.json"),
        (["report", "{bucket}/half"], "is not a finished run"),
        (["filter", "{bucket}/nothing", "--out", "{bucket}/out"], "is not a finished run"),
        (["render", "{tmp}/local/ingest", "--out", "{bucket}/other", "--template", "qwen3"], "refusing to replace"),
        (["report", "nosuchscheme://x/y"], "nosuchscheme"),
    ],
)
def test_bad_run_urls_fail_by_name_and_write_nothing(tmp_path, s3, args, message):
    fs, bucket, _ = s3
    math, _ = _inputs(tmp_path)
    _run(["ingest", str(math), "-a", "alpaca", "--name", "math", "--run-dir", str(tmp_path / "local" / "ingest")])
    fs.pipe_file(f"{bucket.removeprefix('s3://')}/half/sources/math/counts.json", b"{}")  # an upload cut short
    fs.pipe_file(f"{bucket.removeprefix('s3://')}/other/notes.txt", b"not a run")
    before = {u: list_objects(f"{bucket}/{u}") for u in ("out", "other")}
    result = runner.invoke(app, [a.replace("{bucket}", bucket).replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert {u: list_objects(f"{bucket}/{u}") for u in ("out", "other")} == before


def test_an_upload_cut_short_leaves_no_summary_and_a_rerun_finishes_it(tmp_path, s3, monkeypatch):
    fs, bucket, _ = s3
    math, _ = _inputs(tmp_path)
    url = f"{bucket}/runs/ingest"
    _run(["ingest", str(math), "-a", "alpaca", "--name", "math", "--run-dir", str(tmp_path / "local")])
    mend = cut_uploads_short(fs, monkeypatch)
    result = runner.invoke(app, ["dedup", str(tmp_path / "local"), "--out", url, "--no-near"])
    assert result.exit_code == 2 and "upload failed" in result.output
    assert list_objects(url) and RUN_MARKER not in list_objects(url)  # nothing takes it for finished
    assert runner.invoke(app, ["report", url]).exit_code == 2
    mend()
    _run(["dedup", str(tmp_path / "local"), "--out", url, "--no-near"])  # the half upload is replaced
    assert RUN_MARKER in list_objects(url)
    assert "exact_duplicate" in _run(["report", url, "--stage", "dedup_exact"])


def test_a_stage_that_fails_uploads_nothing(tmp_path, s3):
    _, bucket, _ = s3
    with pytest.raises(RuntimeError, match="the stage broke"), run_output(f"{bucket}/runs/x") as local:
        (local / "sources").mkdir(parents=True)
        raise RuntimeError("the stage broke")
    assert list_objects(f"{bucket}/runs/x") == []


def test_publish_run_copies_a_linked_run_as_files_and_refuses_a_directory_that_is_not_a_run(tmp_path):
    from curation.run_store import publish_run
    from flows.runs import link_run

    math, _ = _inputs(tmp_path)
    _run(["ingest", str(math), "-a", "alpaca", "--name", "math", "--run-dir", str(tmp_path / "ingest")])
    link_run({"math": tmp_path / "ingest"}, tmp_path / "linked")  # what the flows return: links
    assert (tmp_path / "linked" / "sources" / "math").is_symlink()
    assert publish_run(tmp_path / "linked", tmp_path / "copy") == str(tmp_path / "copy")
    assert not (tmp_path / "copy" / "sources" / "math").is_symlink()
    assert _tree(tmp_path / "copy") == _tree(tmp_path / "ingest")  # (rglob does not follow the links)
    publish_run(tmp_path / "linked", tmp_path / "copy")  # a run is replaced
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("mine")
    with pytest.raises(ValueError, match="refusing to replace .*notes: it is not empty and not a run"):
        publish_run(tmp_path / "linked", tmp_path / "notes")
    assert (tmp_path / "notes" / "readme.txt").read_text() == "mine"
