"""`curate mix build`: a demo mix end to end, exact token budgets, byte-identical rebuilds
(1 or 2 workers, shuffled input files), regenerate from the lock, diff, bad input."""

import json
import random
import shutil
from pathlib import Path

import datasets
import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from curation.cli.main import app
from curation.mix.build import build_mix
from curation.mix.lock import read_lock
from curation.mix.manifest import parse_manifest
from curation.mix.regenerate import RegenerateMismatch, regenerate_mix

MIXES = Path(__file__).resolve().parents[1] / "mixes"
DISTILL = MIXES / "wind-edge-1.6-distill-12m.yaml"
runner = CliRunner()


def _text(result) -> str:
    return " ".join(result.output.split())


def _shas(lock) -> dict[str, str]:
    return {s.file: s.sha256 for s in lock.shards}


def test_outputs_open_with_datasets_and_meet_the_budget(built):
    root, manifest, lock = built
    ds = datasets.load_from_disk(str(root / "out"))
    assert set(ds) == {"train", "eval"}
    train = ds["train"]
    assert train.num_rows + ds["eval"].num_rows == lock.totals.rows
    assert {"id", "source", "text", "n_tokens", "spans", "token_spans"} <= set(train.column_names)
    budget = manifest.total_budget
    assert abs(lock.totals.tokens - budget) <= budget * 0.001 or abs(lock.totals.tokens - budget) <= 300
    by_source = {}
    for source, n in zip(train["source"], train["n_tokens"], strict=True):
        by_source[source] = by_source.get(source, 0) + n
    for s in lock.sources:
        assert by_source[s.name] == s.tokens  # the lock says what the shards hold
        biggest = max(n for src, n in zip(train["source"], train["n_tokens"], strict=True) if src == s.name)
        assert abs(s.tokens - s.target_tokens) < biggest, s.name  # within one row of the target
    text = train[0]["text"]
    assert text.startswith("<|im_start|>system\n") and "<think>\n\n</think>\n\n" in text
    assert (root / "out" / "README.md").is_file() and (root / "out" / "token_lengths.png").is_file()


def _shuffled_copy(manifest, into: Path):
    """The same manifest over copies of its inputs with their rows in another order."""
    data = manifest.model_dump(mode="json")
    into.mkdir()
    rng = random.Random(7)
    for entry in data["sources"]:
        src = Path(entry["location"])
        dst = into / src.name
        if src.suffix == ".parquet":
            table = pq.read_table(src)
            pq.write_table(table.take(np.array(rng.sample(range(table.num_rows), table.num_rows))), dst)
        elif src.suffix == ".jsonl":
            lines = src.read_bytes().splitlines(keepends=True)
            rng.shuffle(lines)
            dst.write_bytes(b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines))
        else:
            shutil.copy(src, dst)
        entry["location"] = str(dst)
    return parse_manifest(data, manifest.base_dir)


def test_rebuild_with_two_workers_and_shuffled_inputs_is_byte_identical(built, tmp_path):
    _, manifest, lock = built
    again = build_mix(_shuffled_copy(manifest, tmp_path / "inputs"), tmp_path / "out", tmp_path / "work", workers=2)
    assert _shas(again) == _shas(lock)


def test_rebuild_with_small_partitions_is_byte_identical(built, tmp_path):
    """partition_rows sets what one task holds (a worker's memory), not a byte of the shards."""
    root, manifest, lock = built
    again = build_mix(manifest, tmp_path / "out", tmp_path / "work", partition_rows=50)
    assert _shas(again) == _shas(lock)
    for stage in ("ingest", "render"):  # the stages did cut the rows finer
        default = len(list((root / "work" / stage).rglob("sources/*/data/*.parquet")))
        small = len(list((tmp_path / "work" / stage).rglob("sources/*/data/*.parquet")))
        assert small >= 2 * default > 0, (stage, small, default)


@pytest.mark.parametrize("rows", [0, -5, True, 2.5, "1000"])
def test_partition_rows_must_be_a_whole_number_of_rows(built, tmp_path, rows):
    _, manifest, _ = built
    with pytest.raises(ValueError, match=f"partition_rows must be a whole number of rows, 1 or more \\(or unset\\), got {rows!r}"):
        build_mix(manifest, tmp_path / "out", tmp_path / "work", partition_rows=rows)
    assert not (tmp_path / "out").exists() and not (tmp_path / "work").exists()


def test_regenerate_reproduces_then_names_an_edited_input(built, tmp_path):
    root, _, lock = built
    regenerate_mix(root / "out" / "mix.lock.json", tmp_path / "again")
    assert _shas(read_lock(tmp_path / "again")) == _shas(lock)
    # edit one input row: the rebuild must fail naming the input and the first differing shard
    edited = root / "inputs" / "openorca.jsonl"
    original = edited.read_bytes()
    try:
        rows = original.decode("utf-8", "surrogateescape").splitlines()  # the demo plants bad UTF-8
        for i, line in enumerate(rows):  # every answer, so rows the mix took change too
            try:
                row = json.loads(line)
            except ValueError:
                continue  # a planted malformed line
            if isinstance(row, dict) and isinstance(row.get("response"), str):
                rows[i] = json.dumps({**row, "response": row["response"] + " Edited."})
        edited.write_bytes(("\n".join(rows) + "\n").encode("utf-8", "surrogateescape"))
        with pytest.raises(RegenerateMismatch) as err:
            regenerate_mix(root / "out" / "mix.lock.json", tmp_path / "edited")
        message = str(err.value)
        assert "input openorca:" in message and "openorca.jsonl changed" in message
        assert "first shard train/data-00000-of-00001.arrow differs" in message
        # the rebuild it leaves behind says what it is
        assert f"the rebuilt mix in {tmp_path / 'edited'} is NOT the locked one" in message
        assert f"curate mix diff {root / 'out'} {tmp_path / 'edited'}" in message
        # and that command names the edited input, exiting 1 as diff(1) does when files differ
        result = runner.invoke(app, ["mix", "diff", str(root / "out"), str(tmp_path / "edited")])
        assert result.exit_code == 1, result.output
        assert "openorca.jsonl changed" in _text(result) and "shards:" in _text(result)
    finally:
        edited.write_bytes(original)


def test_show_and_diff(built, tmp_path):
    root, _, _ = built
    result = runner.invoke(app, ["mix", "show", str(root / "out")])
    assert result.exit_code == 0 and "claude-opus-reasoning" in result.output and "sha256" in result.output
    result = runner.invoke(app, ["mix", "diff", str(root / "out"), str(root / "out")])
    assert result.exit_code == 0 and "identical" in result.output


def test_build_command_tells_where_everything_is(tmp_path):
    out = tmp_path / "cli"
    result = runner.invoke(app, ["mix", "build", str(DISTILL), "--demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = _text(result)
    for where in ("Shards:", "Lock:", "Card:", str(out / "mix.lock.json")):
        assert where in text
    # a second build over the same output replaces it whole
    result = runner.invoke(app, ["mix", "build", str(DISTILL), "--demo", "--out", str(out)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mix", "build", "{tmp}/missing.yaml"], "no mix manifest at"),
        (["mix", "build", "{tmp}"], "is a directory, not a mix manifest: give the manifest's YAML file (it holds bad.yaml"),
        (["mix", "build", "{tmp}/mix"], "is a built mix, not a manifest: `curate mix regenerate"),
        (["mix", "build", "{tmp}/bad.yaml"], "sources.a.adapter: unknown adapter 'nope'"),
        (["mix", "build", "{tmp}/nodemo.yaml", "--demo"], "sources a name no demo stand-in"),
        (["mix", "build", str(DISTILL), "--demo", "--workers", "0"], "--workers must be 1 or more"),
        (["mix", "build", str(DISTILL), "--demo", "--partition-rows", "0"], "--partition-rows must be 1 or more, got 0"),
        (["mix", "build", str(DISTILL), "--demo", "--partition-rows", "lots"], "Invalid value for '--partition-rows'"),
        (["mix", "build", str(DISTILL), "--demo", "--executor", "threads:2"], "executor must be 'serial', 'processes:N'"),
        (["mix", "build", str(DISTILL), "--demo", "--work-store", "s3://b/w"], "--work-store is for Ray tasks (--executor ray), not serial"),
        (["mix", "build", str(DISTILL), "--demo", "--executor", "ray", "--work-store", "{tmp}/w"], "must be an object store URL"),
        (["mix", "build", str(DISTILL), "--demo", "--executor", "ray", "--work-store", "file://{tmp}/bad.yaml/w"], "cannot write there"),
        (["mix", "regenerate", "{tmp}/none.json"], "no such lock file"),
        (["mix", "show", "{tmp}"], "lock"),
    ],
)
def test_bad_input(tmp_path, args, message):
    (tmp_path / "data.jsonl").write_text('{"instruction": "q", "input": "", "output": "a"}\n')
    (tmp_path / "mix").mkdir()
    (tmp_path / "mix" / "mix.lock.json").write_text("{}")
    (tmp_path / "bad.yaml").write_text(
        "name: m\nbudget_tokens: 10\ntemplate: {name: qwen3}\nsources:\n  - {name: a, adapter: nope, location: data.jsonl, weight: 1}\n"
    )
    (tmp_path / "nodemo.yaml").write_text(
        "name: m\nbudget_tokens: 10\ndemo_budget_tokens: 5\ntemplate: {name: qwen3}\n"
        "sources:\n  - {name: a, adapter: alpaca, location: data.jsonl, weight: 1}\n"
    )
    result = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2, result.output
    assert message in _text(result)


def test_stage_parts_are_cut_by_the_rows_alone():
    from curation.ingest import ROWS_PER_PART
    from curation.mix.build import MIN_PART_ROWS, STAGE_PARTITIONS, stage_rows_per_part

    assert stage_rows_per_part(0) == stage_rows_per_part(1_000) == MIN_PART_ROWS
    assert stage_rows_per_part(214_151) == MIN_PART_ROWS  # the bench mix: ~11 partitions, not 7 of a source each
    assert stage_rows_per_part(STAGE_PARTITIONS * 100_000) == 100_000
    assert stage_rows_per_part(10**10) == ROWS_PER_PART  # a big mix keeps ingest's parts


def test_dedup_applied_in_the_filters_pass_equals_a_dedup_run_then_filters(built, tmp_path):
    """The build drops the duplicates as the first stages of the filters' pass: the filtered run
    has the rows, counts and reports of a dedup run filtered after it, and no dedup run is left."""
    from curation.dedup.stage import dedup_run
    from curation.filters.stage import run_filters
    from curation.mix.build import DEDUP_SCRATCH, stage_rows_per_part
    from curation.report import load_drops, load_rewrites, load_summary
    from curation.source_stages import source_parts

    root, manifest, _ = built
    work = root / "work"
    assert not (work / "dedup").exists() and not (work / DEDUP_SCRATCH).exists()
    rows_per_part = stage_rows_per_part(load_summary(work / "ingest").totals.kept)
    priorities = {s.name: s.priority for s in manifest.sources}
    dedup_run(work / "ingest", tmp_path / "dedup", manifest.dedup.exact_options(), manifest.dedup.near_options(), priorities, rows_per_part)
    run_filters(tmp_path / "dedup", tmp_path / "filter", manifest.source_filter_config(), rows_per_part)

    fused, two_pass = load_summary(work / "filter"), load_summary(tmp_path / "filter")
    assert fused.model_dump() == two_pass.model_dump()
    assert any(st.stage == "dedup_near" and st.dropped for s in fused.sources for st in s.stages)
    for name in [s.name for s in fused.sources]:
        ids = [pq.read_table(p, columns=["id"])["id"].to_pylist() for p in source_parts(work / "filter", name)]
        again = [pq.read_table(p, columns=["id"])["id"].to_pylist() for p in source_parts(tmp_path / "filter", name)]
        assert sum(ids, []) == sum(again, []), name
    for load in (load_drops, load_rewrites):
        key = ["source", "stage", "reason", "id", "duplicate_of"]
        assert load(work / "filter").collect().select(key).sort(key).equals(load(tmp_path / "filter").collect().select(key).sort(key))
