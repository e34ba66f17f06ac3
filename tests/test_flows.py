"""The Prefect flows against a real local Prefect server (flows.serve.prefect_server, temporary
PREFECT_HOME): the demo mix built by the flow equals `curate mix build --demo` shard for shard
and its artifacts equal the report on disk; a flow killed with SIGKILL mid-way resumes from its
cached tasks into byte-identical shards; a bad manifest fails the run at once, the manifest's
error readable from the API.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from curation.cli.main import app
from curation.report import load_summary, reason_rows

pytest.importorskip("prefect")

REPO = Path(__file__).resolve().parents[1]
MIX = "wind-edge-1.6-distill-12m"
# What must be byte-identical between two builds: the shards and the files beside them that hold
# no paths (the lock and the card name the work directory the demo inputs were generated into).
SAME_FILES = ("*/*.arrow", "*/dataset_info.json", "*/state.json", "dataset_dict.json", "*.png")
FLOW_TIMEOUT_S = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Prefect server on 127.0.0.1 for this module; the in-process client points at it."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.serve import prefect_server

    home = tmp_path_factory.mktemp("prefect-home")
    with prefect_server("127.0.0.1", _free_port(), home) as url, temporary_settings(updates={PREFECT_API_URL: url}):
        yield url
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=5)  # the runs' last log lines, while the server still listens


@pytest.fixture(scope="module")
def cli_mix(tmp_path_factory) -> Path:
    """The demo mix built by `curate mix build --demo`: the reference."""
    out = tmp_path_factory.mktemp("cli") / "mix"
    result = CliRunner().invoke(app, ["mix", "build", str(REPO / "mixes" / f"{MIX}.yaml"), "--demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _digests(mix: Path) -> dict[str, str]:
    files = sorted({p for pattern in SAME_FILES for p in mix.glob(pattern)})
    assert any(p.suffix == ".arrow" for p in files), f"no shards in {mix}"
    return {str(p.relative_to(mix)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _artifacts(api: str, flow_run_id) -> dict[str, dict]:
    found = httpx.post(f"{api}/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [str(flow_run_id)]}}})
    found.raise_for_status()
    return {a["key"]: a for a in found.json()}


def test_flow_builds_the_demo_mix_like_the_cli(server, cli_mix, tmp_path):
    from flows.mix import build_mix_flow

    out = tmp_path / "mix"
    # partitions of 50 rows, where the CLI's build cut the rows by its default: the same shards
    state = build_mix_flow(manifest=MIX, demo=True, out=str(out), partition_rows=50, return_state=True)
    assert state.is_completed(), state.message
    assert state.result() == str(out)
    assert _digests(out) == _digests(cli_mix)
    ingested = list((tmp_path / ".mix.work" / "stages" / "ingest").rglob("sources/*/data/*.parquet"))
    assert max(pq.ParquetFile(p).metadata.num_rows for p in ingested) == 50

    arts = _artifacts(server, state.state_details.flow_run_id)
    assert set(arts) == {"funnel", "tokens", "identity-and-patterns", "mix-report"}
    funnel = json.loads(arts["funnel"]["data"])
    on_disk = reason_rows(load_summary(cli_mix.parent / f".{cli_mix.name}.work" / "render"), by_source=True)
    assert funnel == on_disk and sum(r["rows"] for r in funnel) > 0
    lock = json.loads((cli_mix / "mix.lock.json").read_text())
    tokens = {r["source"]: (r["target"], r["tokens"], r["rows"]) for r in json.loads(arts["tokens"]["data"])}
    assert tokens == {s["name"]: (s["target_tokens"], s["tokens"], s["rows"]) for s in lock["sources"]}
    assert "identity_claim:" in arts["identity-and-patterns"]["data"]
    assert str(out / "mix.lock.json") in arts["mix-report"]["data"]


def test_flow_writes_the_mix_to_an_object_store(server, cli_mix, s3, tmp_path, monkeypatch):
    from curation.mix.lock import read_lock
    from flows.mix import build_mix_flow, regenerate_mix_flow

    _, bucket, _ = s3
    monkeypatch.chdir(tmp_path)  # a URL output's work directory is runs/mixes/.<name>.work here
    url = f"{bucket}/flow-mix"
    state = build_mix_flow(manifest=MIX, demo=True, out=url, return_state=True)
    assert state.is_completed(), state.message
    assert state.result() == url
    shas = {s.file: s.sha256 for s in read_lock(url).shards}
    assert shas == {s.file: s.sha256 for s in read_lock(cli_mix).shards}
    report = _artifacts(server, state.state_details.flow_run_id)["mix-report"]["data"]
    assert f"curate mix regenerate {url}/mix.lock.json" in report
    state = regenerate_mix_flow(lock=url, out=url + "/", return_state=True)
    assert state.is_failed() and "out must differ from the mix being regenerated" in state.message


def test_flow_examine_needed_writes_the_shards_of_examine_all(server, tmp_path):
    """examine="needed" in the flow renders only the rows before each source's frontier (the
    rest reported beyond_budget) and writes the shards `curate mix build --demo` writes."""
    from curation.mix.frontier import REASON, STAGE
    from curation.mix.lock import read_lock
    from flows.mix import build_mix_flow

    manifest = tmp_path / "small.yaml"  # a demo budget that reaches about a tenth of each demo source
    text = (REPO / "mixes" / f"{MIX}.yaml").read_text().replace("demo_budget_tokens: 100000", "demo_budget_tokens: 12000")
    assert "12000" in text
    manifest.write_text(text)
    cli = tmp_path / "cli"
    result = CliRunner().invoke(app, ["mix", "build", str(manifest), "--demo", "--out", str(cli)])
    assert result.exit_code == 0, result.output

    out = tmp_path / "mix"
    state = build_mix_flow(manifest=str(manifest), demo=True, out=str(out), examine="needed", return_state=True)
    assert state.is_completed(), state.message
    shards = {k: v for k, v in _digests(out).items() if not k.endswith(".png")}  # the funnel plot has the new stage
    assert shards == {k: v for k, v in _digests(cli).items() if not k.endswith(".png")}
    lock, reference = read_lock(out), read_lock(cli)
    narrowed = {s.name: s.rows_not_examined for s in lock.sources if s.rows_not_examined}
    assert len(narrowed) >= 5, narrowed
    assert {s.name: (s.tokens, s.rows) for s in lock.sources} == {s.name: (s.tokens, s.rows) for s in reference.sources}
    summary = load_summary(tmp_path / ".mix.work" / "render")
    for src in summary.sources:
        stage = next(st for st in src.stages if st.stage == STAGE)
        assert stage.dropped == narrowed.get(src.name, 0)
        assert stage.reasons == ({REASON: stage.dropped} if stage.dropped else {})

    state = build_mix_flow(manifest=str(manifest), demo=True, out=str(tmp_path / "bad"), examine="some", return_state=True)
    assert state.is_failed() and "examine" in state.message
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize(
    ("flow", "extra", "rows", "message"),
    [
        ("build_mix_flow", {"out": "mix"}, 0, "partition_rows must be a whole number of rows, 1 or more (or unset), got 0"),
        ("pretrain_phase_flow", {"manifest": "wind-edge-1.6-pretrain-1.2t"}, -3, "got -3"),
        ("curate_source_flow", {}, 0, "partition_rows must be a whole number of rows"),
        ("build_mix_flow", {"out": "mix"}, "many", "partition_rows"),
    ],
)
def test_a_bad_partition_size_fails_the_run_before_any_work(server, tmp_path, monkeypatch, flow, extra, rows, message):
    import flows.curate_source
    import flows.mix

    monkeypatch.chdir(tmp_path)  # where curate-source and pretrain-phase put their work directories
    fn = getattr(flows.mix, flow, None) or getattr(flows.curate_source, flow)
    kwargs = {"manifest": MIX, "demo": True, **extra}
    if "out" in kwargs:
        kwargs["out"] = str(tmp_path / kwargs["out"])
    state = fn(partition_rows=rows, return_state=True, **kwargs)
    assert state.is_failed() and message in state.message, state.message
    assert list(tmp_path.iterdir()) == []


def test_bad_manifest_fails_at_once_with_its_error_in_the_api(server, tmp_path):
    from flows.mix import build_mix_flow

    manifest = tmp_path / "bad.yaml"
    text = (REPO / "mixes" / f"{MIX}.yaml").read_text().replace("tokenizer: qwen3", "tokenizer: qwen9", 1)
    assert "qwen9" in text
    manifest.write_text(text)
    start = time.monotonic()
    state = build_mix_flow(manifest=str(manifest), demo=True, out=str(tmp_path / "mix"), return_state=True)
    assert state.is_failed()
    assert time.monotonic() - start < 30
    run_id = state.state_details.flow_run_id
    flow_run = httpx.get(f"{server}/flow_runs/{run_id}").json()
    assert flow_run["state"]["type"] == "FAILED"
    assert "unknown tokenizer 'qwen9'" in flow_run["state"]["message"]
    tasks = httpx.post(f"{server}/task_runs/filter", json={"flow_runs": {"id": {"any_": [str(run_id)]}}}).json()
    assert tasks == []  # failed before any work
    assert not (tmp_path / "mix").exists()

    state = build_mix_flow(manifest="no-such-mix", demo=True, out=str(tmp_path / "mix"), return_state=True)
    assert state.is_failed() and "no mix manifest 'no-such-mix'" in state.message


def _flow_process(api: str, out: Path, home: Path) -> subprocess.Popen:
    code = f"from flows.mix import build_mix_flow; build_mix_flow(manifest={MIX!r}, demo=True, out={str(out)!r})"
    env = os.environ | {
        "PREFECT_API_URL": api,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",  # log lines reach the test as they are written
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: SIGKILL reaches every thread and child
    )


def test_killed_flow_resumes_from_cache_into_identical_shards(server, cli_mix, tmp_path):
    out = tmp_path / "mix"
    proc = _flow_process(server, out, tmp_path / "home")
    watchdog = threading.Timer(FLOW_TIMEOUT_S, lambda: os.killpg(proc.pid, signal.SIGKILL))
    watchdog.start()
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line)
            # the first source through the filters: ingest and dedup are done, render is not started
            if "Task run 'filter-" in line and "Finished in state Completed()" in line:
                os.killpg(proc.pid, signal.SIGKILL)
                break
        proc.wait(30)
    finally:
        watchdog.cancel()
    assert proc.returncode == -signal.SIGKILL, "".join(seen[-30:])
    assert not out.exists()

    from flows.mix import build_mix_flow

    state = build_mix_flow(manifest=MIX, demo=True, out=str(out), return_state=True)  # the rerun, in this process
    assert state.is_completed(), state.message
    runs = httpx.post(
        f"{server}/task_runs/filter", json={"flow_runs": {"id": {"any_": [str(state.state_details.flow_run_id)]}}}
    ).json()
    states = {r["name"]: r["state"]["name"] for r in runs}
    cached = sorted(name for name, s in states.items() if s == "Cached")
    ran = sorted(name for name, s in states.items() if s == "Completed")
    assert sum(n.startswith("ingest-") for n in cached) == 7 and "dedup" in cached
    assert any(n.startswith("filter-") for n in cached), states  # the one that finished before the kill, at least
    assert not any(n.startswith(("ingest-", "dedup")) for n in ran)
    assert sum(n.startswith("render-") for n in ran) == 7 and "sample-and-write" in ran
    assert _digests(out) == _digests(cli_mix)


def test_curate_source_copies_its_rendered_run_to_an_object_store(server, s3, tmp_path, monkeypatch):
    from curation.run_store import fetched_run
    from flows.curate_source import curate_source_flow

    _, bucket, _ = s3
    monkeypatch.chdir(tmp_path)  # the demo's work directory is runs/mixes/... here
    monkeypatch.setenv("CURATION_CACHE", str(tmp_path / "cache"))
    url = f"{bucket}/runs/openhermes"
    state = curate_source_flow(manifest=MIX, source="openhermes", demo=True, out=url, return_state=True)
    assert state.is_completed(), state.message
    assert state.result() == url
    copy = fetched_run(url)
    assert [s.name for s in load_summary(copy).sources] == ["openhermes"]
    assert list((copy / "sources" / "openhermes" / "data").glob("*.parquet"))  # the files, not the work dir's links
    result = CliRunner().invoke(app, ["report", url, "--examples", "0"])
    assert result.exit_code == 0 and "openhermes" in result.output
    # a destination that holds something else fails the run before any curation
    fs, _, _ = s3
    fs.pipe_file(f"{bucket.removeprefix('s3://')}/notes/readme.txt", b"not a run")
    state = curate_source_flow(manifest=MIX, source="openhermes", demo=True, out=f"{bucket}/notes", return_state=True)
    assert state.is_failed() and "refusing to replace" in state.message
    state = curate_source_flow(manifest=MIX, source="openhermes", demo=True, out="  ", return_state=True)
    assert state.is_failed() and "out is empty" in state.message
