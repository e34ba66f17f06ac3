"""A mix written to an object store (s3:// through s3fs, against moto's S3 server on 127.0.0.1):
the same shard bytes as on a local disk, opened by datasets.load_from_disk, shown, diffed and
regenerated from its URL; the lock uploaded last, so an upload that fails halfway leaves no mix
that looks complete, and a rerun finishes it."""

import os
import subprocess
import sys
from pathlib import Path

import datasets
import pytest
from s3_support import cut_uploads_short
from typer.testing import CliRunner

from curation.cli.main import app
from curation.mix.build import write_mix
from curation.mix.lock import read_lock, verify_shards
from curation.mix.object_store import list_objects, upload_mix
from curation.mix.regenerate import RegenerateMismatch, regenerate_mix
from curation.mix.shards import OUTPUT_MARKERS
from curation.readers.base import SourceError

ROOT = Path(__file__).resolve().parents[1]
DISTILL = ROOT / "mixes" / "wind-edge-1.6-distill-12m.yaml"
runner = CliRunner()


def _shas(lock) -> dict[str, str]:
    return {s.file: s.sha256 for s in lock.shards}


def test_a_mix_on_s3_has_the_local_bytes_and_opens_with_datasets(built, s3):
    root, manifest, lock = built
    fs, bucket, _ = s3
    url = f"{bucket}/mixes/distill"
    remote = write_mix(manifest, root / "work" / "render", url)
    assert _shas(remote) == _shas(lock)
    objects = list_objects(url)
    local = sorted(p.relative_to(root / "out").as_posix() for p in (root / "out").rglob("*") if p.is_file())
    assert objects == local  # shards, lock, card, plots, dataset_dict.json
    assert not (root / "work" / "upload").exists()  # the staging copy is gone once uploaded
    assert read_lock(url) == lock and read_lock(f"{url}/mix.lock.json") == lock
    assert verify_shards(lock, url) == []
    ds = datasets.load_from_disk(url)
    assert ds["train"].num_rows + ds["eval"].num_rows == lock.totals.rows
    assert ds["train"][0]["text"] == datasets.load_from_disk(str(root / "out"))["train"][0]["text"]

    # a changed object is named, as a changed local file is
    first = lock.shards[0].file
    fs.pipe_file(f"{url.removeprefix('s3://')}/{first}", b"not arrow")
    assert verify_shards(lock, url)[0].startswith(f"shard {first} differs")


def test_regenerate_from_a_url_into_a_url(built, s3, tmp_path):
    root, manifest, lock = built
    _, bucket, _ = s3
    write_mix(manifest, root / "work" / "render", f"{bucket}/m")
    again = regenerate_mix(f"{bucket}/m/mix.lock.json", f"{bucket}/m.regenerated", tmp_path / "work")
    assert _shas(again) == _shas(lock)
    assert verify_shards(lock, f"{bucket}/m.regenerated") == []
    result = runner.invoke(app, ["mix", "diff", f"{bucket}/m", f"{bucket}/m.regenerated"])
    assert result.exit_code == 0 and "identical" in result.output, result.output


def test_the_lock_goes_last_so_a_failed_upload_looks_unfinished_and_a_rerun_finishes(built, s3, monkeypatch):
    root, _, lock = built
    fs, bucket, _ = s3
    url = f"{bucket}/mixes/x"
    upload_mix(root / "out", url, OUTPUT_MARKERS)
    mend = cut_uploads_short(fs, monkeypatch)
    with pytest.raises(SourceError, match="upload failed.*connection reset.*no mix.lock.json"):
        upload_mix(root / "out", url, OUTPUT_MARKERS)
    assert "mix.lock.json" not in list_objects(url)  # the old mix no longer looks complete
    with pytest.raises(ValueError, match="no such lock file"):
        read_lock(url)
    result = runner.invoke(app, ["mix", "show", url])
    assert result.exit_code == 2 and "no such lock file" in result.output
    mend()
    upload_mix(root / "out", url, OUTPUT_MARKERS)
    assert read_lock(url) == lock and verify_shards(lock, url) == []


def test_a_republish_removes_the_old_mix_objects(built, s3):
    root, _, lock = built
    fs, bucket, _ = s3
    url = f"{bucket}/mixes/y"
    fs.pipe_file(f"{url.removeprefix('s3://')}/train/data-00007-of-00009.arrow", b"an older, bigger mix")
    fs.pipe_file(f"{url.removeprefix('s3://')}/mix.lock.json", b"{}")
    upload_mix(root / "out", url, OUTPUT_MARKERS)
    assert "train/data-00007-of-00009.arrow" not in list_objects(url)
    assert verify_shards(lock, url) == []


def test_a_prefix_that_is_not_a_mix_is_not_replaced(built, s3):
    root, _, _ = built
    fs, bucket, _ = s3
    fs.pipe_file(f"{bucket.removeprefix('s3://')}/data/crawl.jsonl", b"{}\n")
    with pytest.raises(ValueError, match=f"refusing to replace {bucket}/data"):
        upload_mix(root / "out", f"{bucket}/data", OUTPUT_MARKERS)
    assert list_objects(f"{bucket}/data") == ["crawl.jsonl"]


def test_a_missing_bucket_is_named(built, s3):
    root, _, _ = built
    with pytest.raises(SourceError, match="s3://no-such-bucket-here/m: cannot write there"):
        upload_mix(root / "out", "s3://no-such-bucket-here/m", OUTPUT_MARKERS)


def test_a_wrong_output_fails_before_any_curation(s3, tmp_path):
    fs, bucket, _ = s3
    fs.pipe_file(f"{bucket.removeprefix('s3://')}/data/crawl.jsonl", b"{}\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("not a mix")
    for url, message in (
        (f"{bucket}/data", "refusing to replace"),
        ("gs://b/m", "gs:// needs its fsspec package"),
        ("s3://no-such-bucket-here/m", "s3://no-such-bucket-here/m: cannot write there"),
        (str(tmp_path / "notes"), "refusing to replace"),
    ):
        result = runner.invoke(app, ["mix", "build", str(DISTILL), "--demo", "--out", url, "--work", str(tmp_path / "w")])
        assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output
        assert not (tmp_path / "w").exists()  # not even the demo inputs were generated
    assert (tmp_path / "notes" / "todo.txt").read_text() == "not a mix"


def test_inputs_are_read_from_s3(s3):
    from curation.readers import Location, input_paths

    fs, bucket, _ = s3
    fs.pipe_file(f"{bucket.removeprefix('s3://')}/raw/b.jsonl", b'{"instruction": "q", "input": "", "output": "a"}\n')
    fs.pipe_file(f"{bucket.removeprefix('s3://')}/raw/a.jsonl", b'{"instruction": "q", "input": "", "output": "a"}\n')
    assert input_paths(Location(path=f"{bucket}/raw")) == [f"{bucket}/raw/a.jsonl", f"{bucket}/raw/b.jsonl"]
    with pytest.raises(SourceError, match="no such file or directory"):
        input_paths(Location(path="s3://no-such-bucket-here/raw"))


def test_the_cli_builds_to_s3_and_a_new_process_reads_it_with_the_environment(s3, tmp_path, monkeypatch):
    _, bucket, env = s3
    url = f"{bucket}/cli"
    monkeypatch.chdir(tmp_path)  # the default work dir of a URL output is runs/mixes/.<name>.work here
    result = runner.invoke(app, ["mix", "build", str(DISTILL), "--demo", "--out", url])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"Lock: {url}/mix.lock.json" in text and f"datasets.load_from_disk('{url}')" in text
    assert (tmp_path / "runs" / "mixes" / ".cli.work" / "render").is_dir()
    # a user's shell: the endpoint and keys from the environment (FSSPEC_S3_ENDPOINT_URL, AWS_*)
    shown = subprocess.run(
        [sys.executable, "-m", "curation.cli.main", "mix", "show", url],
        capture_output=True, text=True, env={**os.environ, **env}, cwd=ROOT, timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert "claude-opus-reasoning" in shown.stdout and "sha256" in shown.stdout


def test_regenerate_names_a_changed_shard_on_s3(built, s3, tmp_path):
    root, manifest, lock = built
    fs, bucket, _ = s3
    url = f"{bucket}/r"
    write_mix(manifest, root / "work" / "render", url)
    # a regenerate into the same place is refused; into another URL it compares with the lock
    result = runner.invoke(app, ["mix", "regenerate", f"{url}/mix.lock.json", "--out", url])
    assert result.exit_code == 2 and "--out must differ" in result.output
    edited = lock.model_copy(update={"shards": [lock.shards[0].model_copy(update={"sha256": "0" * 64}), *lock.shards[1:]]})
    fs.pipe_file(f"{url.removeprefix('s3://')}/mix.lock.json", edited.model_dump_json().encode())
    with pytest.raises(RegenerateMismatch, match=f"first shard {lock.shards[0].file} differs"):
        regenerate_mix(f"{url}/mix.lock.json", f"{bucket}/r2", tmp_path / "work")
