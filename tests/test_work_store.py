"""The object-store work directory (curation/work_store.py, work_store_task.py, work_paths.py), here
with a local directory as the store and the tasks run in this process, each in a private directory
of its own (the Ray version, against moto's S3 server, is in tests/test_flows_ray.py)."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from curation.readers.base import SourceError
from curation.work_paths import RootMap, dumps, loads
from curation.work_store import WorkStore, check_store, mirrored, run_roots
from curation.work_store_task import driver_path, run_task, scratch_root


@dataclass(frozen=True)
class Options:
    extra: Path
    label: str


def _run_here(calls):
    return [run_task(*call) for call in calls]


def _store(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "work"
    (root / "in").mkdir(parents=True)
    (root / "opt").mkdir()
    (root / "out").mkdir()
    (root / "in" / "a.txt").write_text("A")
    (root / "opt" / "x.txt").write_text("X")
    (tmp_path / "store").mkdir()
    return root, f"file://{tmp_path / 'store'}"


def concat(src: str, options: Options, out: Path, join) -> list:
    """Reads two inputs named at different depths, writes a file and an empty directory, and
    returns paths; checks that it runs away from the driver's directory."""
    assert "/curation-task-" in src and str(options.extra).startswith(os.path.dirname(os.path.dirname(src)))
    out.write_text(join([Path(src).read_text(), (options.extra / "x.txt").read_text(), options.label]))
    (out.parent / "empty").mkdir(exist_ok=True)
    return [out, {"seen": src}, "not a path", driver_path(src)]


def test_a_task_reads_and_writes_through_the_store_in_a_directory_of_its_own(tmp_path, monkeypatch):
    root, url = _store(tmp_path)
    monkeypatch.setenv("CURATION_TASK_DIR", str(tmp_path / "tasks"))
    (tmp_path / "tasks").mkdir()
    store = WorkStore(url, [root])
    items = [
        (str(root / "in" / "a.txt"), Options(root / "opt", str(i)), root / "out" / f"o{i}.txt", functools.partial(str.join, "-"))
        for i in range(3)
    ]
    results = store.map(concat, items, _run_here)

    for i, got in enumerate(results):  # paths in the results are the driver's again
        assert got == [root / "out" / f"o{i}.txt", {"seen": str(root / "in" / "a.txt")}, "not a path", str(root / "in" / "a.txt")]
        assert (root / "out" / f"o{i}.txt").read_text() == f"A-X-{i}"
    assert (root / "out" / "empty").is_dir()
    objects = {p.relative_to(tmp_path / "store").as_posix().split("/", 1)[1] for p in (tmp_path / "store").rglob("*") if p.is_file()}
    assert objects == {"in/a.txt", "opt/x.txt", "out/o0.txt", "out/o1.txt", "out/o2.txt"}
    assert scratch_root() == str(tmp_path / "tasks") and not list((tmp_path / "tasks").iterdir())  # removed


def overwrite_and_remove(keep: str, gone: str) -> None:
    Path(keep).write_text("new")
    os.remove(gone)


def test_changes_and_removals_reach_the_driver_and_unchanged_files_are_not_uploaded_again(tmp_path):
    root, url = _store(tmp_path)
    (root / "in" / "b.txt").write_text("B")
    store = WorkStore(url, [root])
    store.map(overwrite_and_remove, [(str(root / "in" / "a.txt"), str(root / "in" / "b.txt"))], _run_here)
    assert (root / "in" / "a.txt").read_text() == "new" and not (root / "in" / "b.txt").exists()
    objects = tmp_path / "store" / store.store.tags[0] / "in"
    assert sorted(p.name for p in objects.iterdir()) == ["a.txt"] and (objects / "a.txt").read_text() == "new"

    uploaded = (objects / "a.txt").stat().st_mtime_ns
    store.map(Path.read_text, [(root / "in" / "a.txt",)], _run_here)
    assert (objects / "a.txt").stat().st_mtime_ns == uploaded  # the store holds it as it is

    # a new process (a rerun after a crash) finds what the store holds and uploads only a change
    again = WorkStore(url, [root])
    assert again.map(Path.read_text, [(root / "in" / "a.txt",)], _run_here) == ["new"]
    assert (objects / "a.txt").stat().st_mtime_ns == uploaded
    (root / "in" / "a.txt").write_text("newer!")
    assert again.map(Path.read_text, [(root / "in" / "a.txt",)], _run_here) == ["newer!"]


def fail(path: str) -> None:
    Path(path).write_text("half")
    raise RuntimeError("the task failed")


def test_a_failing_task_raises_and_leaves_no_private_directory(tmp_path, monkeypatch):
    root, url = _store(tmp_path)
    monkeypatch.setenv("CURATION_TASK_DIR", str(tmp_path / "tasks"))
    (tmp_path / "tasks").mkdir()
    with pytest.raises(RuntimeError, match="the task failed"):
        WorkStore(url, [root]).map(fail, [(str(root / "out" / "f.txt"),)], _run_here)
    assert not list((tmp_path / "tasks").iterdir()) and not (root / "out" / "f.txt").exists()


def test_paths_are_rewritten_at_any_depth_and_nested_roots_take_the_longest():
    roots = RootMap(["/data", "/data/work"])
    item = ("/data/work/a", {"k": [Path("/data/b")]}, functools.partial(print, sep="/data"), "/database", "rel/path")
    data, refs = dumps(item, roots)
    assert refs == {(1, "a"), (0, "b"), (0, "")}  # "/data" itself as the partial's keyword
    back = loads(data, RootMap(["/p/r0", "/p/r1"]))
    assert back[:2] == ("/p/r1/a", {"k": [Path("/p/r0/b")]}) and back[2].keywords == {"sep": "/p/r0"}
    assert back[3:] == ("/database", "rel/path")  # a prefix that is not a directory, a relative path
    assert driver_path("/p/r1/a") == "/p/r1/a"  # outside a task nothing changes


def test_run_roots_cover_the_work_directory_and_a_local_outputs_folder(tmp_path):
    assert run_roots(tmp_path / "w", tmp_path / "mixes" / "m") == [tmp_path / "w", tmp_path / "mixes"]
    assert run_roots(tmp_path / "w", "s3://b/m") == [tmp_path / "w"]


@pytest.mark.parametrize(
    ("url", "error", "message"),
    [
        ("/local/path", ValueError, "must be an object store URL"),
        ("nope://bucket/x", SourceError, "nope://"),
    ],
)
def test_a_bad_work_store_fails_by_name_before_any_work(url, error, message):
    with pytest.raises(error, match=message):
        check_store(url)


def test_a_work_store_that_cannot_be_written_fails_by_name(tmp_path):
    (tmp_path / "file").write_text("")
    url = f"file://{tmp_path / 'file' / 'under'}"
    with pytest.raises(SourceError, match="cannot write there"), mirrored(url, [tmp_path]):
        pass


def test_mirrored_sets_the_store_for_the_block_only(tmp_path):
    from curation import work_store

    _, url = _store(tmp_path)
    with mirrored(None, [tmp_path]) as nothing:
        assert nothing is None and work_store.active() is None
    with mirrored(url, [tmp_path]) as store:
        assert work_store.active() is store
    assert work_store.active() is None


def write_beside(scratch: str, name: str) -> list[str]:
    """Writes a file into a scratch directory; returns what it finds there."""
    (Path(scratch) / "sub" / name).write_text(name)
    return sorted(str(p.relative_to(scratch)) for p in Path(scratch).rglob("*"))


def test_an_output_directory_is_made_for_the_task_without_the_files_already_in_it(tmp_path):
    from curation.work_paths import OutputDir

    root, url = _store(tmp_path)
    (root / "scratch" / "sub").mkdir(parents=True)
    (root / "scratch" / "sub" / "earlier.bin").write_bytes(b"x" * 1000)
    store = WorkStore(url, [root])
    seen = store.map(write_beside, [(OutputDir(root / "scratch"), f"t{i}") for i in range(2)], _run_here)
    assert seen == [["sub", "sub/t0"], ["sub", "sub/t1"]]  # its subdirectories, none of the files
    assert sorted(p.name for p in (root / "scratch" / "sub").iterdir()) == ["earlier.bin", "t0", "t1"]
    assert store.traffic["task_downloads"] == 0 and store.traffic["uploaded"] == 0
    # read as a plain directory it is downloaded whole
    assert store.map(write_beside, [(str(root / "scratch"), "t2")], _run_here) == [["sub", "sub/earlier.bin", "sub/t0", "sub/t1", "sub/t2"]]
    assert isinstance(OutputDir(root), str) and OutputDir(root) == str(root)  # elsewhere a plain path


def read_ranged(path: str, lo: int, hi: int) -> tuple[list[int], str, list[str]]:
    """Rows [lo, hi) of an Arrow file read by ranges; where the path pointed and what the task's
    private directory held."""
    from curation.mix.split_ranges import read_sorted_rows
    from curation.work_store_task import _RUNNING

    private = _RUNNING[0].roots[0] if _RUNNING else ""
    held = sorted(str(p.relative_to(private)) for p in Path(private).rglob("*") if p.is_file()) if private else []
    return read_sorted_rows(path, lo, hi).column("x").to_pylist(), str(path), held


def test_a_ranged_file_is_read_from_the_store_by_byte_ranges_not_downloaded(tmp_path):
    import pyarrow as pa

    from curation.mix.split_ranges import SORT_BATCH_ROWS
    from curation.work_paths import RangedFile

    root, url = _store(tmp_path)
    rows = 20 * SORT_BATCH_ROWS
    table = pa.table({"x": pa.array(range(rows), pa.int64()), "pad": pa.array([b"p" * 200] * rows)})
    path = root / "in" / "sorted.arrow"
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=SORT_BATCH_ROWS)
    size = path.stat().st_size
    store = WorkStore(url, [root])
    lo, hi = 3 * SORT_BATCH_ROWS + 17, 4 * SORT_BATCH_ROWS + 5  # two batches of twenty
    got = store.map(read_ranged, [(RangedFile(path), lo, hi)], _run_here)[0]
    assert got[0] == list(range(lo, hi))
    assert got[1].startswith(url + "/") and got[1].endswith("/in/sorted.arrow") and got[2] == []  # not downloaded
    assert 0 < store.traffic["task_downloads"] < size / 4  # two batches, the footer, and what reads ahead
    # the same call on this disk (no store) reads the same rows; a plain path through the store is downloaded
    assert read_ranged(RangedFile(path), lo, hi)[0] == got[0]
    assert store.map(read_ranged, [(str(path), lo, hi)], _run_here)[0][2] == ["in/sorted.arrow"]
    with pytest.raises(FileNotFoundError, match="by byte ranges, and it is not a file"):
        store.map(read_ranged, [(RangedFile(root / "in" / "none.arrow"), 0, 1)], _run_here)


def test_ranged_paths_are_recorded_apart_and_pointed_where_the_reader_says():
    from curation.work_paths import RangedFile

    roots, ranged = RootMap(["/data"]), set()
    data, refs = dumps((RangedFile("/data/r/sorted.arrow"), "/data/plain"), roots, ranged=ranged)
    assert refs == {(0, "plain")} and ranged == {(0, "r/sorted.arrow")}
    back = loads(data, RootMap(["/p/r0"]), lambda ref: f"s3://b/t{ref[0]}/{ref[1]}")
    assert back == ("s3://b/t0/r/sorted.arrow", "/p/r0/plain") and type(back[0]) is RangedFile
    assert type(loads(data, RootMap(["/p/r0"]))[0]) is RangedFile  # without a reader: under the roots
