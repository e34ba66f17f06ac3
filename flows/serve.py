"""A local Prefect server with its UI, and the deployments of every flow served from this process.

    prefect server start (child process: SQLite under HOME, analytics off, 127.0.0.1)
      -> wait for /api/health
      -> prefect.serve(build-mix, curate-source, pretrain-phase, regenerate-mix)

Each deployment is named as its flow; a run started from the UI runs in a subprocess of this
one, in this working directory (relative `out` paths and the default runs/mixes/ resolve here).
Ctrl-C or SIGTERM stops the deployments and the server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4200
DEFAULT_HOME = Path("runs/prefect")
HEALTH_TIMEOUT_S = 120  # a cold start migrates the SQLite database: ~5-10 s idle, longer on a busy machine
UI_LINE = "Prefect UI: "  # the line tests and people look for


def server_env(home: Path, host: str, port: int) -> dict[str, str]:
    """The environment of the server and of this process's Prefect client."""
    home = home.resolve()
    return {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_API_URL": f"http://{host}:{port}/api",
    }


def deployments() -> list:
    """One deployment per flow, named as the flow."""
    from prefect.types.entrypoint import EntrypointType

    from flows.curate_source import curate_source_flow
    from flows.mix import build_mix_flow, pretrain_phase_flow, regenerate_mix_flow

    flows = (build_mix_flow, curate_source_flow, pretrain_phase_flow, regenerate_mix_flow)
    # a module path (flows.mix.build_mix_flow), not a file path relative to the working directory
    return [
        f.to_deployment(
            name=f.name, description=_first_paragraph(f.description), entrypoint_type=EntrypointType.MODULE_PATH
        )
        for f in flows
    ]


def _first_paragraph(text: str | None) -> str:
    return " ".join((text or "").split("\n\n")[0].split())


@contextmanager
def prefect_server(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, home: Path = DEFAULT_HOME):
    """Start `prefect server start` as a child process and yield its API URL once healthy;
    stop it on exit. Raises RuntimeError when it exits or does not answer in time."""
    env = server_env(home, host, port)
    Path(env["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    child_env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | env
    del child_env["PREFECT_API_URL"]  # the server must not try to be a client of itself
    # The UI's own API address does not follow --port: without this it calls port 4200.
    child_env["PREFECT_UI_API_URL"] = env["PREFECT_API_URL"]
    log = open(Path(env["PREFECT_HOME"]) / "server.log", "ab")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)],
        env=child_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches us; we stop the server after the deployments
    )
    try:
        _wait_healthy(proc, f"http://{host}:{port}/api/health", Path(env["PREFECT_HOME"]) / "server.log")
        yield env["PREFECT_API_URL"]
    finally:
        _stop(proc)
        log.close()


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, home: Path = DEFAULT_HOME) -> None:
    """Start the server, serve the deployments, print the UI address, block until stopped."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    env = server_env(home, host, port)
    with prefect_server(host, port, home) as api_url:
        os.environ.update(env)  # flow runs started from the UI run in subprocesses: they read it
        signal.signal(signal.SIGTERM, _raise_interrupt)
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            import prefect

            served = deployments()
            print(f"{UI_LINE}http://{host}:{port}", flush=True)
            with suppress(KeyboardInterrupt):  # Ctrl-C: a normal way to stop
                prefect.serve(*served, print_starting_message=False)


def _raise_interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def _wait_healthy(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
            raise RuntimeError(f"prefect server exited with status {proc.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"prefect server did not answer {url} within {HEALTH_TIMEOUT_S} s (log: {log})")


def _stop(proc: subprocess.Popen, grace_s: float = 15) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
