"""End to end, as a person does it: `curate serve`, open the build-mix deployment in the Prefect
UI (headless Chromium), start a custom run of the demo mix, wait for Completed, open the run's
artifacts and read the funnel and token tables; they must equal the report and the lock on disk.

Needs Debian's /usr/bin/chromium and the playwright Python package (CI installs both; no
`playwright install`). The screenshots go to the test's tmp dir, or to docs/ with
CURATION_UPDATE_SCREENSHOT=1 (the README shows docs/ui-run-completed.png).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from ui_support import (
    REPO,
    RUN_TIMEOUT_S,
    UI_TIMEOUT_MS,
    VIEWPORT,
    artifact_card,
    browser_missing,
    curate_serve,
    launch_browser,
    open_tab,
    read_table,
    start_custom_run,
    state_badge,
)

pytestmark = pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")

MANIFEST = "wind-edge-1.6-distill-12m"
SCREENSHOT = "ui-run-completed.png"
FUNNEL_SCREENSHOT = "ui-funnel.png"


def test_build_mix_from_the_ui_shows_the_funnel_and_tokens_of_the_disk_report(tmp_path: Path) -> None:
    import httpx
    from playwright.sync_api import expect, sync_playwright

    from curation.mix.build import default_work_dir
    from curation.mix.lock import read_lock
    from curation.report import load_summary, reason_rows

    shots = REPO / "docs" if os.environ.get("CURATION_UPDATE_SCREENSHOT") == "1" else tmp_path
    shots.mkdir(exist_ok=True)
    out = tmp_path / "mix"
    cwd = tmp_path / "cwd"  # the served flows' working directory: nothing lands in the repo
    cwd.mkdir()
    marks = {"start": time.monotonic()}
    with curate_serve(tmp_path / "prefect", cwd) as served, sync_playwright() as pw:
        marks["served"] = time.monotonic()
        api = httpx.Client(base_url=served.api, timeout=30)
        deployment = api.get("/deployments/name/build-mix/build-mix").json()
        browser = launch_browser(pw)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)

            run = start_custom_run(page, served.ui, deployment["id"], {"manifest": MANIFEST, "out": str(out)})
            marks["submitted"] = time.monotonic()
            params = api.get(f"/flow_runs/{run['id']}").json()["parameters"]
            assert params["manifest"] == MANIFEST and params["out"] == str(out) and params["demo"] is True

            page.get_by_role("link", name=run["name"], exact=True).first.click()
            page.wait_for_url(f"**/runs/flow-run/{run['id']}**")
            state = _wait_final(api, run["id"], served)
            assert state["type"] == "COMPLETED", (
                f"run ended {state['type']}: {state.get('message')}\n{served.log_tail()}"
            )
            marks["completed"] = time.monotonic()
            expect(state_badge(page)).to_have_text("Completed", timeout=60_000)  # the page polls its run
            marks["ui-completed"] = time.monotonic()

            # What the UI shows must be what the API stores, and what is on disk.
            stored = _artifacts(api, run["id"])
            assert {"funnel", "tokens", "identity-and-patterns", "mix-report"} <= set(stored)
            summary = load_summary(default_work_dir(out) / "render")
            want_funnel = reason_rows(summary, by_source=True)
            assert want_funnel, "the demo mix drops rows: its funnel cannot be empty"
            assert stored["funnel"] == want_funnel
            lock = read_lock(out / "mix.lock.json")
            want_tokens = [
                {
                    "source": s.name,
                    "target": s.target_tokens,
                    "tokens": s.tokens,
                    "rows": s.rows,
                    "epochs": s.epochs,
                    "shortfall": s.shortfall,
                }
                for s in lock.sources
            ]
            assert [{**r, "epochs": round(r["epochs"], 3)} for r in want_tokens] == stored["tokens"]

            open_tab(page, "Artifacts")
            for key in ("funnel", "tokens", "mix-report"):
                expect(artifact_card(page, key)).to_be_visible()
            page.wait_for_timeout(2500)  # the run graph animates its zoom: let it settle before the picture
            page.screenshot(path=str(shots / SCREENSHOT))

            funnel = _table_of(page, "funnel")
            assert funnel == [{k: str(v) for k, v in r.items()} for r in want_funnel]
            page.screenshot(path=str(shots / FUNNEL_SCREENSHOT))
            page.go_back()
            open_tab(page, "Artifacts")
            tokens = _table_of(page, "tokens")
            assert [r["source"] for r in tokens] == [r["source"] for r in want_tokens]
            for got, want in zip(tokens, want_tokens, strict=True):
                for col in ("target", "tokens", "rows", "shortfall"):
                    assert int(got[col]) == want[col], (got, want)
                assert float(got["epochs"]) == pytest.approx(want["epochs"], abs=1e-3)
            marks["tables-read"] = time.monotonic()
        finally:
            browser.close()
    marks["stopped"] = time.monotonic()
    assert (shots / SCREENSHOT).stat().st_size > 10_000
    names = list(marks)
    print(
        "timings (s):",
        ", ".join(f"{b} {marks[b] - marks[a]:.1f}" for a, b in zip(names, names[1:], strict=False)),
    )


def _wait_final(api, run_id: str, served) -> dict:
    """The run's state once it is final (the API, polled each second)."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        state = api.get(f"/flow_runs/{run_id}").json()["state"]
        if state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return state
        time.sleep(1)
    raise TimeoutError(
        f"run {run_id} not finished in {RUN_TIMEOUT_S} s (state {state['type']}):\n{served.log_tail()}"
    )


def _artifacts(api, run_id: str) -> dict[str, object]:
    """key -> data of the run's artifacts (tables as lists of dicts)."""
    import json

    found = api.post("/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run_id]}}}).json()
    return {
        a["key"]: json.loads(a["data"]) if isinstance(a["data"], str) and a["type"] == "table" else a["data"]
        for a in found
    }


def _table_of(page, key: str) -> list[dict[str, str]]:
    """Click the run's artifact card `key` and read its table."""
    artifact_card(page, key).click()
    page.wait_for_url("**/artifacts/artifact/**")
    return read_table(page)
