"""The flows on Ray (prefect-ray's RayTaskRunner) against a local Ray cluster started for this module:
the demo 1.2T pretraining mix built by the build-mix flow with the local runner, on Ray one task at
a time and on Ray two at a time has byte-identical shards, equal to `curate mix build --demo`; the
Ray tasks report to the flow's Prefect server; a bad runner parameter fails the run before any work.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

pytest.importorskip("prefect")
pytest.importorskip("ray", reason="ray is not installed (pip install ray prefect-ray)")
pytest.importorskip("prefect_ray", reason="prefect-ray is not installed (pip install ray prefect-ray)")

REPO = Path(__file__).resolve().parents[1]
MIX = "wind-edge-1.6-pretrain-1.2t"
RAY_CPUS = 2  # the cluster's CPUs: "2 workers" runs two tasks at once, "1 worker" takes both per task
# The files that hold no paths (the lock and the card name the work directory the demo inputs live in).
SAME_FILES = ("*/*.arrow", "*/dataset_info.json", "*/state.json", "dataset_dict.json", "*.png")
CURATED = ("ingest-", "filter-", "render-")  # the tasks the flow submits (to Ray with runner="ray")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Prefect server of this module's own (a temporary PREFECT_HOME): the Ray workers report to it."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.serve import prefect_server

    home = tmp_path_factory.mktemp("prefect-home")
    with (
        prefect_server("127.0.0.1", _free_port(), home) as url,
        temporary_settings(updates={PREFECT_API_URL: url}),
    ):
        yield url
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=5)


@pytest.fixture(scope="module")
def ray_address():
    """A local Ray cluster (one node, RAY_CPUS CPUs, no dashboard) for this module; its processes
    are stopped at teardown. The test process does not connect to it: the flow's runner does."""
    from ray.cluster_utils import Cluster

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": RAY_CPUS, "include_dashboard": False})
    try:
        yield cluster.address
    finally:
        cluster.shutdown()


def _digests(mix: Path) -> dict[str, str]:
    files = sorted({p for pattern in SAME_FILES for p in mix.glob(pattern)})
    assert any(p.suffix == ".arrow" for p in files), f"no shards in {mix}"
    return {str(p.relative_to(mix)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _build(api: str, out: Path, **runner) -> list[dict]:
    """build-mix on the demo pretraining manifest; returns the flow run's task runs (API JSON)."""
    from flows.mix import build_mix_flow

    state = build_mix_flow(manifest=MIX, demo=True, out=str(out), return_state=True, **runner)
    assert state.is_completed(), f"{runner}: {state.message}"
    assert state.result() == str(out)
    run_id = str(state.state_details.flow_run_id)
    found = httpx.post(f"{api}/task_runs/filter", json={"flow_runs": {"id": {"any_": [run_id]}}})
    found.raise_for_status()
    return found.json()


def _overlaps(task_runs: list[dict]) -> int:
    """How many pairs of the submitted tasks ran at the same time (by their start and end times)."""
    spans = sorted(
        (datetime.fromisoformat(r["start_time"]), datetime.fromisoformat(r["end_time"]))
        for r in task_runs
        if r["name"].startswith(CURATED)
    )
    return sum(b_start < a_end for i, (_, a_end) in enumerate(spans) for b_start, _ in spans[i + 1 :])


def test_local_and_ray_with_one_and_two_workers_write_identical_shards(server, ray_address, tmp_path):
    from prefect_ray.context import remote_options

    from curation.cli.main import app

    cli = tmp_path / "cli"
    result = CliRunner().invoke(
        app, ["mix", "build", str(REPO / "mixes" / f"{MIX}.yaml"), "--demo", "--out", str(cli)]
    )
    assert result.exit_code == 0, result.output
    expected = _digests(cli)
    assert sum(name.endswith(".arrow") for name in expected) >= 2  # both phases' shards

    # Separate output (hence work) directories: no run finds another's cached tasks.
    local = _build(server, tmp_path / "local")
    with remote_options(num_cpus=RAY_CPUS):  # every Ray task takes the whole cluster: one at a time
        one = _build(server, tmp_path / "ray-1", runner="ray", ray_address=ray_address)
    two = _build(server, tmp_path / "ray-2", runner="ray", ray_address=ray_address)

    for name in ("local", "ray-1", "ray-2"):
        assert _digests(tmp_path / name) == expected, name
    for runs in (local, one, two):  # every task, the Ray ones included, recorded by the flow's server
        names = sorted(r["name"] for r in runs)
        assert sum(n.startswith(CURATED) for n in names) == 3 * 8, names
        assert {"dedup", "sample-and-write"} <= set(names)
        assert all(r["state"]["type"] == "COMPLETED" for r in runs), [
            (r["name"], r["state"]["name"]) for r in runs
        ]
    assert _overlaps(one) == 0


def test_a_cluster_without_a_shared_file_system_writes_the_same_shards_through_s3(
    server, ray_address, tmp_path, s3, monkeypatch
):
    """work_store: the stage tasks run in the flow's process and every partition as a Ray task in a
    private directory of its own, its files through moto's S3 server; the shards are the local
    runner's bytes (the CLI's, built at the same place, as the drop reports name the input files)."""
    import fsspec

    from curation.cli.main import app

    fs, bucket, _ = s3
    # The workers were started before this test: they get the endpoint and keys with each task
    # (the store's fsspec options), as a cluster's nodes would get theirs from an instance role.
    monkeypatch.setitem(fsspec.config.conf, "s3", {**fsspec.config.conf["s3"], "key": "testing", "secret": "testing"})
    local = tmp_path / "local" / "mix"
    result = CliRunner().invoke(app, ["mix", "build", str(REPO / "mixes" / f"{MIX}.yaml"), "--demo", "--out", str(local)])
    assert result.exit_code == 0, result.output

    remote = tmp_path / "store" / "mix"
    runs = _build(server, remote, runner="ray", ray_address=ray_address, work_store=f"{bucket}/work")
    assert _digests(remote) == _digests(local)
    # the same drops, each naming its input file where the flow's process has it (not a task's copy)
    drops = {at: _drops(at.parent / ".mix.work" / "render") for at in (local, remote)}
    assert drops[remote]["counts"] == drops[local]["counts"] and drops[remote]["counts"]
    assert drops[remote]["files"] == {f.replace(str(local.parent), str(remote.parent)) for f in drops[local]["files"]}
    assert all(r["state"]["type"] == "COMPLETED" for r in runs)
    keys = fs.find(f"{bucket}/work")
    # what the tasks read and wrote went through it (dedup's parts, the shards' were renamed since);
    # what the flow's process no longer has is removed at the end
    assert any("/stages/dedup/" in k for k in keys)
    assert not [k for k in keys if "/.tmp-mix/" in k or ".shuffle-" in k]


def test_curate_source_takes_a_work_store_and_renders_the_local_runners_bytes(server, ray_address, tmp_path, s3, monkeypatch):
    """The flow's work_store wiring (checked, mirrored, partitions driven from the flow's process).
    At demo size one source's every map is a single task, which runs in the flow's process, so no
    file goes through the store here: the build-mix test above is the one that moves files."""
    import fsspec

    from flows.curate_source import curate_source_flow

    _, bucket, _ = s3
    monkeypatch.setitem(fsspec.config.conf, "s3", {**fsspec.config.conf["s3"], "key": "testing", "secret": "testing"})
    rendered = {}
    for name, extra in (("local", {}), ("store", {"runner": "ray", "ray_address": ray_address, "work_store": f"{bucket}/w"})):
        (tmp_path / name).mkdir()
        monkeypatch.chdir(tmp_path / name)  # the demo's work directory is runs/mixes/... here: one each
        state = curate_source_flow(manifest=MIX, source="web", demo=True, return_state=True, **extra)
        assert state.is_completed(), state.message
        rendered[name] = Path(state.result())
    parts = {
        name: {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in run.glob("sources/web/data/*.parquet")}
        for name, run in rendered.items()
    }
    assert parts["store"] == parts["local"] and parts["local"]
    assert _drops(rendered["store"])["counts"] == _drops(rendered["local"])["counts"]
    state = curate_source_flow(manifest=MIX, source="web", demo=True, runner="local", work_store=f"{bucket}/w", return_state=True)
    assert state.is_failed() and "is for Ray tasks but runner is 'local'" in state.message


def _drops(run: Path) -> dict:
    """A rendered run's drop reports: rows per (source, stage, reason), and the input files named."""
    import polars as pl

    rows = pl.concat([pl.read_parquet(p, columns=["source", "stage", "reason", "file"]) for p in run.glob("sources/*/reports/*.parquet")])
    counts = rows.group_by("source", "stage", "reason").len().sort("source", "stage", "reason")
    return {"counts": counts.rows(), "files": set(rows["file"].drop_nulls().to_list())}


@pytest.mark.parametrize(
    ("runner", "address", "message"),
    [
        ("spark", None, "runner must be one of local, ray, got 'spark'"),
        ("local", "127.0.0.1:6379", "ray_address '127.0.0.1:6379' is given but runner is 'local'"),
    ],
)
def test_a_bad_runner_fails_the_run_before_any_work(server, tmp_path, runner, address, message):
    from flows.mix import build_mix_flow

    start = time.monotonic()
    state = build_mix_flow(
        manifest=MIX,
        demo=True,
        out=str(tmp_path / "mix"),
        runner=runner,
        ray_address=address,
        return_state=True,
    )
    assert state.is_failed() and message in state.message
    assert time.monotonic() - start < 30
    assert not (tmp_path / "mix").exists() and not (tmp_path / ".mix.work").exists()


def test_a_work_store_that_cannot_be_written_fails_the_run_before_any_work(server, tmp_path):
    from flows.mix import build_mix_flow

    (tmp_path / "file").write_text("")
    state = build_mix_flow(
        manifest=MIX, demo=True, out=str(tmp_path / "mix"), runner="ray", work_store=f"file://{tmp_path}/file/store",
        return_state=True,
    )
    assert state.is_failed() and f"file://{tmp_path}/file/store: cannot write there" in state.message
    assert not (tmp_path / "mix").exists() and not (tmp_path / ".mix.work").exists()


def test_runner_choice():
    from flows.runners import RunnerChoice, choose

    assert choose() == RunnerChoice("local", None)
    assert choose(" Ray ", " ") == RunnerChoice(
        "ray", None
    )  # a blank address: RAY_ADDRESS or a local cluster
    assert choose("ray", "ray://head:10001") == RunnerChoice("ray", "ray://head:10001")
    with pytest.raises(ValueError, match="ray_address must be a string"):
        choose("ray", 6379)
    assert choose("ray", "h:6379", " s3://b/w ") == RunnerChoice("ray", "h:6379", "s3://b/w")
    assert choose("ray", "h:6379", "s3://b/w").partitions() == "ray:h:6379"  # driven from the flow's process
    assert choose("ray", "h:6379").partitions() == "ray"  # inside a Ray task: connected already
    with pytest.raises(ValueError, match="work_store 's3://b/w' is for Ray tasks but runner is 'local'"):
        choose("local", None, "s3://b/w")
    with pytest.raises(ValueError, match="work_store must be an object store URL"):
        choose("ray", None, "/mnt/shared")


# A Ray driver of its own (a fresh process: this one must stay unconnected for the flows' runner).
_THREADS_SCRIPT = """
import json, os, sys
from curation.executor import WORKER_THREAD_ENV, Ray

def seen():
    import polars as pl
    return {"polars": pl.thread_pool_size(), "env": {k: os.environ.get(k) for k in WORKER_THREAD_ENV}}

print(json.dumps(Ray(address=sys.argv[1]).map(seen, [(), ()])))
"""


def test_ray_tasks_run_their_libraries_single_threaded(ray_address):
    """The Ray executor's job gives its workers WORKER_THREAD_ENV (a task asks for 1 CPU; Ray itself
    sets only OMP_NUM_THREADS), except a variable the driver's user set, which they get as set."""
    import json
    import subprocess
    import sys

    from curation.executor import WORKER_THREAD_ENV

    env = {k: v for k, v in os.environ.items() if k not in WORKER_THREAD_ENV}
    env["CURATION_THREADS"] = "3"
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    done = subprocess.run(
        [sys.executable, "-c", _THREADS_SCRIPT, ray_address], env=env, cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got == [{"polars": 1, "env": {**WORKER_THREAD_ENV, "CURATION_THREADS": "3"}}] * 2


def test_the_flows_ray_runner_gives_the_workers_the_thread_env(monkeypatch):
    from curation.executor import WORKER_THREAD_ENV
    from flows.runners import ray_init_kwargs

    for name in WORKER_THREAD_ENV:
        monkeypatch.delenv(name, raising=False)
    assert ray_init_kwargs(None) == {"runtime_env": {"env_vars": WORKER_THREAD_ENV}}
    monkeypatch.setenv("POLARS_MAX_THREADS", "4")
    assert ray_init_kwargs("auto") == {
        "address": "auto",
        "runtime_env": {"env_vars": {**WORKER_THREAD_ENV, "POLARS_MAX_THREADS": "4"}},
    }


# A Ray driver of its own, as above: partitions whose worker dies once, and partitions that raise.
_RETRY_SCRIPT = """
import contextlib, json, os, sys, uuid
from pathlib import Path
from curation.executor import Ray
from curation.work_paths import OutputDir
from curation.work_store import mirrored

def dies_once(marks, i, out=None):
    if out is not None:  # a half-written output: the retry's private directory starts without it
        assert not list(Path(out).iterdir()), list(Path(out).iterdir())
        (Path(out) / f"part-{i}").write_text("half")
    mark = Path(marks) / f"tried-{i}"
    if not mark.exists():
        mark.touch()
        os._exit(1)  # the worker is lost, as when its spot node is reclaimed
    if out is not None:
        (Path(out) / f"part-{i}").write_text(f"whole {i}")
    return i

def raises(marks, i):
    (Path(marks) / f"raised-{i}-{uuid.uuid4().hex}").touch()
    raise ValueError(f"bad partition {i}")

executor = Ray(address=sys.argv[1])
print(json.dumps(executor.map(dies_once, [(sys.argv[2], 0), (sys.argv[2], 1)])))
if len(sys.argv) > 3:  # through an object-store work directory (here a local folder as the store)
    work = Path(sys.argv[2]) / "work"
    (work / "out").mkdir(parents=True)
    with mirrored(sys.argv[3], [work]):
        marks = Path(sys.argv[2]) / "marks"
        marks.mkdir()
        print(json.dumps(executor.map(dies_once, [(str(marks), i, OutputDir(work / "out")) for i in range(2)])))
    print(json.dumps({p.name: p.read_text() for p in sorted((work / "out").iterdir())}))
try:
    executor.map(raises, [(sys.argv[2], 0), (sys.argv[2], 1)])
except Exception as exc:
    print(json.dumps({"error": str(exc)}))
"""


def test_a_partition_whose_worker_is_lost_runs_again_and_one_that_raises_does_not(ray_address, tmp_path):
    import json
    import subprocess
    import sys

    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    (tmp_path / "store").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", _RETRY_SCRIPT, ray_address, str(tmp_path), f"file://{tmp_path / 'store'}"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # the raylet's own lines ("Task dies_once failed ... will be retried") come on stdout too
    printed = [line for line in done.stdout.splitlines() if line.startswith(("[", "{"))]
    survived, stored, outputs, failed = (json.loads(line) for line in printed[-4:])
    assert survived == [0, 1] == stored  # each worker died on its first try; the second try ran
    # through the store: the retry started from the driver's files, and only its whole output came back
    assert outputs == {"part-0": "whole 0", "part-1": "whole 1"}
    assert sorted(p.name for p in tmp_path.glob("tried-*")) == ["tried-0", "tried-1"]
    import re

    (index,) = re.findall(r"bad partition (\d)", failed["error"])[:1]
    # the error comes back once its retries are spent: one try, since an exception is not retried
    assert len(list(tmp_path.glob(f"raised-{index}-*"))) == 1


_NICENESS_SCRIPT = """
import json, os, ray
from curation.executor import Ray

def niceness(_):
    return os.nice(0)

seen = [Ray(address="local").map(niceness, [(0,), (1,)])]
ray.shutdown()
os.environ["RAY_worker_niceness"] = "7"  # the user's own value
seen.append(Ray(address="local").map(niceness, [(0,), (1,)]))
ray.shutdown()
print(json.dumps(seen))
"""


def test_a_local_cluster_the_project_starts_runs_its_workers_at_the_runs_niceness():
    """Ray starts workers at niceness 15, behind every other process of the machine; a cluster the
    project starts runs them at 0, as the process pool's, unless the user set RAY_worker_niceness."""
    import json
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("RAY_worker_niceness", "RAY_ADDRESS")}
    done = subprocess.run(
        [sys.executable, "-c", _NICENESS_SCRIPT], env=env, cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [[0, 0], [7, 7]]
