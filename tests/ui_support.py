"""Harness of the browser test: `curate serve` in a temporary PREFECT_HOME on a free port, and
the Prefect UI (the V1 pages the server links to) driven with Playwright on Debian's Chromium.

Selectors, found on Prefect 3.8.8's bundled UI:
    deployment page  /deployments/deployment/<id>: button "Run" -> menu item "Custom run"
    run form         .schema-form-property whose .schema-form-property__label starts with the
                     parameter name; an optional str (`str | None`) shows buttons "str" / "None":
                     click "str", then fill its textarea; button "Submit" POSTs
                     /api/deployments/<id>/create_flow_run and returns to the deployment page,
                     where the new run is a link named as the run
    run page         /runs/flow-run/<id>: state badge `.page-heading-flow-run__meta .state-badge`;
                     tabs are li.p-tab inside role=tablist ("Artifacts")
    artifacts tab    one card link per key: a:has(.artifact-card__title) -> /artifacts/artifact/<id>
    table artifact   a <table>: th = columns, tbody tr td = cells (strings)
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1400, "height": 1050}  # tall enough for the run header and all four artifact cards
UI_LINE = "Prefect UI: "  # what `curate serve` prints once the deployments are served
SERVE_TIMEOUT_S = 120  # server start (SQLite migration) + deployment registration, on a busy 2-core box
RUN_TIMEOUT_S = 150  # the demo mix build: ~10 s of work, plus Prefect's process start-up
UI_TIMEOUT_MS = 30_000  # one page load or one element on a page
STOP_GRACE_S = 20

# `curate serve` through the CLI app; until the command is registered, the typer function itself.
_LAUNCH = """
import sys, typer
from curation.cli.main import app
if any(c.name == "serve" for c in app.registered_commands):
    app(prog_name="curate")
else:
    from curation.cli.serve_cmd import serve
    sys.argv.remove("serve")
    typer.run(serve)
"""


def browser_missing() -> str | None:
    """Why the browser test cannot run here (None when it can)."""
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing (pip install playwright; no `playwright install` needed)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Served:
    ui: str  # http://127.0.0.1:PORT
    api: str  # http://127.0.0.1:PORT/api
    log: Path  # stdout + stderr of `curate serve` (the server's own log is HOME/server.log)
    home: Path

    def log_tail(self, n: int = 4000) -> str:
        parts = [self.log, self.home / "server.log"]
        return "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-n:]}" for p in parts if p.is_file())


@contextlib.contextmanager
def curate_serve(home: Path, cwd: Path) -> Iterator[Served]:
    """Run `curate serve --port <free> --home HOME` in its own process group, with `cwd` as its
    working directory and no PREFECT_* from the caller's environment; yield once it has printed
    the UI line and the build-mix deployment answers. Every process it started is gone on exit."""
    import httpx

    port = free_port()
    ui = f"http://127.0.0.1:{port}"
    log = home.parent / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    env["PYTHONUNBUFFERED"] = "1"
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--home", str(home)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as one in the finally
        )
    served = Served(ui, f"{ui}/api", log, home)
    family: set[tuple[int, str]] = set()
    try:
        deadline = time.monotonic() + SERVE_TIMEOUT_S
        while UI_LINE + ui not in log.read_text(errors="replace"):
            family |= _descendants(proc.pid)
            if proc.poll() is not None:
                raise RuntimeError(f"curate serve exited with {proc.returncode}:\n{served.log_tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"curate serve printed no {UI_LINE!r} in {SERVE_TIMEOUT_S} s:\n{served.log_tail()}"
                )
            time.sleep(0.5)
        while httpx.get(f"{served.api}/deployments/name/build-mix/build-mix", timeout=10).status_code != 200:
            family |= _descendants(proc.pid)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no build-mix deployment in {SERVE_TIMEOUT_S} s:\n{served.log_tail()}")
            time.sleep(0.5)
        ui_api = httpx.get(f"{ui}/ui-settings", timeout=10).json()["api_url"]
        if ui_api.rstrip("/") != served.api:
            raise AssertionError(
                f"the UI at {ui} calls the API at {ui_api}, not {served.api}: the server needs"
                " PREFECT_UI_API_URL (or PREFECT_SERVER_API_HOST/PORT) for a port other than 4200"
            )
        yield served
    finally:
        family |= _descendants(proc.pid)
        _stop(proc, family)


def _descendants(pid: int) -> set[tuple[int, str]]:
    """Every live process below `pid`, as (pid, start time) so that a pid the system reuses
    later is never signalled (the Prefect server runs in a session of its own: the process-group
    kill alone would miss it)."""
    children: dict[int, list[tuple[int, str]]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat(int(stat.parent.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append((int(stat.parent.name), fields[19]))
    found: set[tuple[int, str]] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child[0])
    return found


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name: [state, ppid, ..., starttime at index 19]."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _alive(pid: int, started: str) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[19] == started and fields[0] != "Z"


def _stop(proc: subprocess.Popen, family: set[tuple[int, str]]) -> None:
    """SIGTERM the serve process group (it stops its server), then SIGKILL, by pid, whatever
    it started that is still alive after the grace period."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + STOP_GRACE_S
    for pid, started in sorted(family):
        while _alive(pid, started) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid, started):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# --- the browser ---------------------------------------------------------------------------


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def start_custom_run(page, ui: str, deployment_id: str, params: dict[str, str]) -> dict:
    """Open the deployment page, Run -> Custom run, type each parameter (an optional str first
    switched to `str`), Submit; return the flow run the UI created (the API's JSON), once its
    link shows on the deployment page."""
    page.goto(f"{ui}/deployments/deployment/{deployment_id}")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Custom run", exact=True).click()
    for name, value in params.items():
        field = parameter_field(page, name)
        as_str = field.get_by_role("button", name="str", exact=True)
        if as_str.count():
            as_str.click()
        field.locator("textarea, input[type=text]").fill(value)
    with page.expect_response(
        lambda r: r.url.endswith("/create_flow_run") and r.request.method == "POST"
    ) as created:
        page.get_by_role("button", name="Submit", exact=True).click()
    if created.value.status != 201:
        raise AssertionError(f"create_flow_run answered {created.value.status}: {created.value.text()}")
    run = created.value.json()
    page.get_by_role("link", name=run["name"], exact=True).first.wait_for()
    return run


def parameter_field(page, name: str):
    """The run form's block for parameter `name` (its label reads `name` or `name (Optional)`)."""
    label = page.locator(".schema-form-property__label", has_text=re.compile(rf"^\s*{re.escape(name)}(\s|$)"))
    return page.locator(".schema-form-property", has=label)


def state_badge(page):
    return page.locator(".page-heading-flow-run__meta .state-badge").first


def open_tab(page, name: str) -> None:
    page.get_by_role("tablist").get_by_text(name, exact=True).click()


def artifact_card(page, key: str):
    title = page.locator(".artifact-card__title", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
    return page.locator("a", has=title)


def read_table(page) -> list[dict[str, str]]:
    """The table artifact on the current page as rows of {column: cell text}."""
    table = page.locator("table").first
    table.locator("tbody tr").first.wait_for()
    header = [h.inner_text().strip() for h in table.locator("thead th").all()]
    return [
        dict(zip(header, (c.inner_text().strip() for c in row.locator("td").all()), strict=True))
        for row in table.locator("tbody tr").all()
    ]
