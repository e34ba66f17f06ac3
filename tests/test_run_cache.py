"""The cache of object-store run copies (curation/run_cache.py, `curate cache show | prune`):
copies unused for a while go, then the least recently used until the cache fits; a copy used in
the last hour never goes; a reused copy counts as used; bad limits are refused by name."""

import json
import os
import time
from pathlib import Path

import fsspec
import pytest
from typer.testing import CliRunner

from curation.cli.main import app
from curation.run_cache import MIN_IDLE_S, CacheEntry, cache_entries, plan_prune
from curation.run_store import LISTING, fetched_run

runner = CliRunner()
DAY = 86400.0


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CURATION_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _copy(cache: Path, kind: str, name: str, size: int, days_ago: float) -> Path:
    """A cached copy of `size` bytes last used `days_ago` days ago."""
    path = cache / kind / name
    (path / "sources").mkdir(parents=True)
    (path / "sources" / "part.parquet").write_bytes(b"x" * size)
    (path / "summary.json").write_text("{}")
    used = time.time() - days_ago * DAY
    for f in [*path.rglob("*"), path]:
        os.utime(f, (used, used))
    if kind != "staging":
        listing = path.with_name(name + LISTING)
        listing.write_text("{}")
        os.utime(listing, (used, used))
    return path


def _entry(name: str, size: int, days_ago: float, now: float) -> CacheEntry:
    return CacheEntry(Path(name), "runs", size, now - days_ago * DAY)


def test_prune_plan_by_age_then_by_size_least_recently_used_first_never_a_copy_in_use():
    now = 1e9
    entries = [_entry("a", 100, 30, now), _entry("b", 100, 3, now), _entry("c", 100, 1, now), _entry("d", 100, 0.01, now)]
    assert [e.path.name for e in plan_prune(entries, 7 * DAY, None, now)] == ["a"]
    # then oldest first until 150 bytes are left; d (used 15 minutes ago) stays even so
    assert [e.path.name for e in plan_prune(entries, 7 * DAY, 150, now)] == ["a", "b", "c"]
    assert [e.path.name for e in plan_prune(entries, None, 250, now)] == ["a", "b"]
    assert plan_prune(entries, None, None, now) == []
    assert [e.path.name for e in plan_prune(entries, 0, None, now)] == ["a", "b", "c"]  # d: in use
    assert [e.path.name for e in plan_prune(entries, 0, None, now, min_idle_s=0)] == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="older_than must be 0 or more"):
        plan_prune(entries, -1, None, now)
    with pytest.raises(ValueError, match="max_bytes must be 0 or more"):
        plan_prune(entries, None, -5, now)


def test_entries_are_the_copies_reports_and_staging_directories_with_their_last_use(cache):
    _copy(cache, "runs", "web-1", 1000, 10)
    _copy(cache, "reports", "web-2", 10, 2)
    _copy(cache, "staging", "out-3", 500, 3)  # left by a stage that crashed: its newest file's time
    (cache / "runs" / "stray-file").write_text("not a copy")
    entries = cache_entries()
    assert [(e.kind, e.path.name) for e in entries] == [("runs", "web-1"), ("staging", "out-3"), ("reports", "web-2")]
    assert [e.bytes for e in entries] == [1002, 502, 12]
    assert abs(entries[0].last_used - (time.time() - 10 * DAY)) < 60


def test_a_reused_copy_counts_as_used(cache):
    fs = fsspec.filesystem("memory")
    fs.pipe({"/bucket/run/summary.json": b"{}", "/bucket/run/sources/a/counts.json": json.dumps({"rows": 1}).encode()})
    local = fetched_run("memory://bucket/run")
    listing = local.with_name(local.name + LISTING)
    old = time.time() - 30 * DAY
    os.utime(listing, (old, old))
    (entry,) = cache_entries()
    assert entry.last_used == pytest.approx(old)
    assert fetched_run("memory://bucket/run") == local  # not downloaded again, but used now
    (entry,) = cache_entries()
    assert time.time() - entry.last_used < 60
    fs.rm("/bucket", recursive=True)


def _curate(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["cache", *args], env={"COLUMNS": "200"})
    return result.exit_code, " ".join(result.output.split())


def test_curate_cache_prune_removes_old_copies_and_says_what_it_freed(cache):
    old = _copy(cache, "runs", "old-1", 2000, 30)
    recent = _copy(cache, "runs", "recent-2", 3000, 1)
    busy = _copy(cache, "reports", "busy-3", 4000, MIN_IDLE_S / DAY / 4)

    code, out = _curate("show")
    assert code == 0 and "old-1" in out and "recent-2" in out and "3 entries" in out

    code, out = _curate("prune", "--dry-run")
    assert code == 0 and "would remove runs/old-1" in out and old.is_dir()

    code, out = _curate("prune")
    assert code == 0 and "removed runs/old-1" in out and "removed 1 of 3 entries" in out
    assert not old.exists() and not old.with_name("old-1" + LISTING).exists()
    assert recent.is_dir() and busy.is_dir()

    code, out = _curate("prune", "--older-than", "30", "--max-gb", "0")
    assert code == 0 and "removed reports/" not in out and "removed runs/recent-2" in out
    assert "still over --max-gb" in out and busy.is_dir()


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--older-than", "-1"], "--older-than must be 0 or more days"), (["--max-gb", "-2"], "--max-gb must be 0 or more")],
)
def test_curate_cache_prune_refuses_negative_limits_and_removes_nothing(cache, args, message):
    old = _copy(cache, "runs", "old-1", 10, 30)
    code, out = _curate("prune", *args)
    assert code == 2 and message in out
    assert old.is_dir()


def test_an_empty_cache_says_so(cache):
    code, out = _curate("show")
    assert code == 0 and "nothing cached in" in out
    code, out = _curate("prune")
    assert code == 0 and "removed 0 of 0 entries" in out
