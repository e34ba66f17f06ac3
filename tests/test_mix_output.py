"""Mix output: HF save_to_disk shards, mix.lock.json, the dataset card (curation/mix/{shards,lock,card}.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import datasets
import numpy as np
import polars as pl
import pyarrow as pa
import pytest
import yaml

from curation.mix.card import FUNNEL_PNG, LENGTHS_PNG, length_counts, write_card
from curation.mix.lock import (
    FileFingerprint,
    InputRecord,
    MixLock,
    ShardRecord,
    SourceStats,
    Totals,
    file_fingerprints,
    fingerprint_batches,
    package_versions,
    read_lock,
    verify_inputs,
    verify_shards,
    write_lock,
)
from curation.mix.shards import (
    WRITER_BATCH_ROWS,
    row_nbytes,
    staged_output,
    table_row_nbytes,
    write_hf_dataset,
    write_hf_dataset_dict,
)
from curation.render.batch import render_schema
from curation.summary import RunSummary, SourceSummary, StageSummary

SCHEMA = render_schema(with_tokens=True)  # id, source, text, spans, token_spans, n_tokens: what a mix writes


def mix_table(n: int, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 300, n)
    return pa.table(
        {
            "id": [f"row-{seed}-{i}" for i in range(n)],
            "source": ["alpha" if i % 3 else "beta" for i in range(n)],
            "text": ["é" * int(k) + f" {i}" for i, k in enumerate(lengths)],
            "spans": [[{"start": 0, "end": int(k), "kind": "assistant"}] * int(k % 3) for k in lengths],
            "token_spans": [
                None if i % 7 == 0 else [{"start": 1, "end": 2, "kind": "assistant"}] for i in range(n)
            ],
            "n_tokens": lengths.astype(np.int64),
        },
        schema=SCHEMA,
    )


def rechunk(table: pa.Table, sizes: list[int]) -> list[pa.RecordBatch]:
    """The table cut into record batches of the given sizes (cycled)."""
    out, pos, i = [], 0, 0
    while pos < table.num_rows:
        k = sizes[i % len(sizes)]
        out += table.slice(pos, k).to_batches()
        pos, i = pos + k, i + 1
    return out


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# -- shards ----------------------------------------------------------------------------------


def test_single_split_opens_with_load_from_disk(tmp_path):
    table = mix_table(2_500)
    out = tmp_path / "mix"
    shards = write_hf_dataset(
        table.to_batches(max_chunksize=700), out, SCHEMA, max_shard_rows=1_000, max_shard_bytes=2**30
    )
    assert [s.rows for s in shards] == [1_000, 1_000, 500]
    assert [s.file for s in shards] == [f"data-0000{i}-of-00003.arrow" for i in range(3)]
    assert {s.split for s in shards} == {"train"}
    assert all(s.bytes == (out / s.file).stat().st_size for s in shards)
    ds = datasets.load_from_disk(str(out))
    assert isinstance(ds, datasets.Dataset)
    assert ds.num_rows == 2_500 and ds.split == "train"
    assert ds.column_names == SCHEMA.names
    # same rows, same order, nested spans and nulls (datasets drops non-null flags when it loads)
    assert ds.data.table.cast(SCHEMA).equals(table)
    state = json.loads((out / "state.json").read_text())
    assert state["_data_files"] == [{"filename": s.file} for s in shards]
    assert len(state["_fingerprint"]) == 16
    # Shards are plain Arrow IPC streams with no datasets-version-dependent metadata.
    with pa.ipc.open_stream(out / shards[0].file) as reader:
        assert reader.schema.equals(SCHEMA, check_metadata=True)  # as given: no huggingface metadata
        assert all(b.num_rows == WRITER_BATCH_ROWS for b in reader)
    assert not list(tmp_path.glob(".tmp-*"))
    # Our metadata files are the ones datasets itself writes for this dataset.
    ds.save_to_disk(str(tmp_path / "by-datasets"), num_shards=3)
    assert (tmp_path / "by-datasets" / "dataset_info.json").read_text() == (
        out / "dataset_info.json"
    ).read_text()
    theirs = json.loads((tmp_path / "by-datasets" / "state.json").read_text())
    assert {**theirs, "_fingerprint": None} == {
        **state,
        "_fingerprint": None,
    }  # with_format() on load re-keys it


def test_train_and_eval_open_as_dataset_dict(tmp_path):
    train, evals = mix_table(1_200, seed=1), mix_table(37, seed=2)
    out = tmp_path / "mix"
    shards = write_hf_dataset_dict({"train": [train], "eval": [evals]}, out, SCHEMA, 500, 2**30)
    assert [(s.split, s.file, s.rows) for s in shards] == [
        ("train", "train/data-00000-of-00003.arrow", 500),
        ("train", "train/data-00001-of-00003.arrow", 500),
        ("train", "train/data-00002-of-00003.arrow", 200),
        ("eval", "eval/data-00000-of-00001.arrow", 37),
    ]
    dd = datasets.load_from_disk(str(out))
    assert isinstance(dd, datasets.DatasetDict)
    assert list(dd) == ["train", "eval"]
    assert dd["train"]["id"] == train["id"].to_pylist()
    assert dd["eval"]["id"] == evals["id"].to_pylist()
    assert dd["eval"][3]["spans"] == evals["spans"][3].as_py()


def test_shards_are_byte_reproducible_whatever_the_chunking(tmp_path):
    table = mix_table(3_100, seed=3)
    write_hf_dataset([table], tmp_path / "a", SCHEMA, max_shard_rows=1_300, max_shard_bytes=2**30)
    write_hf_dataset(rechunk(table, [1, 999, 17, 1_000, 2]), tmp_path / "b", SCHEMA, 1_300, 2**30)
    # The same rows built another way: through polars (other buffer layouts and string types).
    via_polars = pl.from_arrow(table).to_arrow()
    write_hf_dataset(via_polars.to_batches(max_chunksize=256), tmp_path / "c", SCHEMA, 1_300, 2**30)
    # Written twice to the same place.
    write_hf_dataset([table], tmp_path / "a2", SCHEMA, 1_300, 2**30)
    write_hf_dataset([table], tmp_path / "a2", SCHEMA, 1_300, 2**30)
    a = digests(tmp_path / "a")
    assert len([f for f in a if f.endswith(".arrow")]) == 3
    assert a == digests(tmp_path / "b") == digests(tmp_path / "c") == digests(tmp_path / "a2")


def test_dataset_dict_is_byte_reproducible(tmp_path):
    train, evals = mix_table(900, seed=4), mix_table(90, seed=5)
    for name, chunk in [("a", 1_000), ("b", 33)]:
        splits = {
            "train": train.to_batches(max_chunksize=chunk),
            "eval": evals.to_batches(max_chunksize=chunk),
        }
        write_hf_dataset_dict(splits, tmp_path / name, SCHEMA, 400, 2**30)
    assert digests(tmp_path / "a") == digests(tmp_path / "b")


def test_shards_cut_by_estimated_bytes(tmp_path):
    table = mix_table(600, seed=6)
    sizes = table_row_nbytes(table)
    limit = int(sizes.sum() // 4)
    shards = write_hf_dataset(rechunk(table, [50, 7]), tmp_path / "m", SCHEMA, 10_000, limit)
    assert len(shards) in (4, 5)
    bounds = np.cumsum([0] + [s.rows for s in shards])
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        assert sizes[lo:hi].sum() <= limit
        if hi < len(sizes):  # greedy: the next row would not have fitted
            assert sizes[lo : hi + 1].sum() > limit
    assert datasets.load_from_disk(str(tmp_path / "m"))["id"] == table["id"].to_pylist()


def test_a_row_over_the_byte_limit_gets_its_own_shard(tmp_path):
    table = mix_table(5, seed=7)
    shards = write_hf_dataset([table], tmp_path / "m", SCHEMA, 100, max_shard_bytes=1)
    assert [s.rows for s in shards] == [1, 1, 1, 1, 1]


def test_row_nbytes_ignores_chunking_and_slicing():
    table = mix_table(500, seed=8)
    whole = table_row_nbytes(table.combine_chunks())
    chunked = table_row_nbytes(pa.Table.from_batches(rechunk(table, [3, 100, 1])))
    assert np.array_equal(whole, chunked)
    assert np.array_equal(table_row_nbytes(table.slice(123, 77)), whole[123:200])
    # string: 4 offset bytes + UTF-8 bytes; list<int32>: 4 + 4 per item
    assert row_nbytes(pa.array(["ab", "é", None])).tolist() == [6, 6, 4]
    assert row_nbytes(pa.array([[1, 2], [], None], pa.list_(pa.int32()))).tolist() == [12, 4, 4]


def test_empty_split_still_loads(tmp_path):
    shards = write_hf_dataset([], tmp_path / "m", SCHEMA)
    assert [s.rows for s in shards] == [0]
    ds = datasets.load_from_disk(str(tmp_path / "m"))
    assert ds.num_rows == 0 and ds.column_names == SCHEMA.names


def test_stale_temp_is_replaced_and_crash_leaves_previous_output(tmp_path):
    out = tmp_path / "mix"
    stale = tmp_path / ".tmp-mix"
    stale.mkdir()
    (stale / "data-00000-of-00001.arrow").write_bytes(b"half a shard")
    write_hf_dataset([mix_table(10)], out, SCHEMA)
    assert not stale.exists()
    before = digests(out)

    def crashing():
        yield mix_table(2_000, seed=9)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_hf_dataset(crashing(), out, SCHEMA, max_shard_rows=500)
    assert digests(out) == before  # the previous, complete output is untouched
    assert not stale.exists()


def test_refuses_to_replace_a_directory_that_is_not_an_output(tmp_path):
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(ValueError, match="refusing to replace"):
        write_hf_dataset([mix_table(3)], precious, SCHEMA)
    assert (precious / "thesis.tex").exists()
    with staged_output(tmp_path / "empty-ok") as tmp:
        (tmp / "mix.lock.json").write_text("{}")
    assert (tmp_path / "empty-ok" / "mix.lock.json").exists()


def test_bad_input_is_a_clear_value_error(tmp_path):
    table = mix_table(4)
    with pytest.raises(ValueError, match=r"missing \['n_tokens'\]"):
        write_hf_dataset([table.drop_columns(["n_tokens"])], tmp_path / "a", SCHEMA)
    with pytest.raises(ValueError, match=r"unexpected \['extra'\]"):
        write_hf_dataset([table.append_column("extra", pa.array([1, 2, 3, 4]))], tmp_path / "b", SCHEMA)
    bad = table.set_column(5, "n_tokens", pa.array(["x", "y", "z", "w"]))
    with pytest.raises(ValueError, match="n_tokens"):
        write_hf_dataset([bad], tmp_path / "c", SCHEMA)
    nulls = table.set_column(0, "id", pa.array([None, "b", "c", "d"]))
    with pytest.raises(ValueError, match="'id'.*non-nullable"):
        write_hf_dataset([nulls], tmp_path / "d", SCHEMA)
    with pytest.raises(ValueError, match="split name"):
        write_hf_dataset([table], tmp_path / "e", SCHEMA, split="../train")
    with pytest.raises(ValueError, match="max_shard_rows"):
        write_hf_dataset([table], tmp_path / "f", SCHEMA, max_shard_rows=0)
    with pytest.raises(ValueError, match="split name"):
        write_hf_dataset_dict({"train": [table], "a/b": [table]}, tmp_path / "g", SCHEMA)
    assert not [p for p in tmp_path.iterdir()]  # nothing half-written left behind


# -- lock ------------------------------------------------------------------------------------


def make_lock(tmp_path: Path, shards) -> MixLock:
    inputs_dir = tmp_path / "inputs"
    inputs_dir.mkdir(exist_ok=True)
    (inputs_dir / "b.jsonl").write_text('{"x": 2}\n')
    (inputs_dir / "a.jsonl").write_text('{"x": 1}\n')
    files = file_fingerprints(sorted(inputs_dir.glob("*.jsonl"), reverse=True), base_dir=tmp_path)
    sources = [
        SourceStats(
            name="alpha",
            rows_available=10,
            tokens_available=1_000,
            target_tokens=1_500,
            rows=15,
            tokens=1_499,
            epochs=1.5,
        ),
        SourceStats(
            name="beta",
            rows_available=5,
            tokens_available=300,
            target_tokens=500,
            rows=10,
            tokens=450,
            epochs=2.0,
            shortfall=50,
        ),
    ]
    records = [ShardRecord.of(s) for s in shards]
    return MixLock(
        manifest={"name": "demo-mix", "seed": 7, "tokenizer": "qwen3", "template": {"name": "qwen3-nothink"}},
        base_dir=str(tmp_path),
        inputs=[
            InputRecord(source="alpha", location="inputs/*.jsonl", kind="file", files=files),
            InputRecord(source="beta", location="hf:org/beta", kind="hub", revision="0123abcd" * 5),
        ],
        packages=package_versions(),
        sources=sources,
        shards=records,
        totals=Totals.of(sources, records, budget_tokens=2_000),
    )


def test_lock_round_trip_and_fingerprints(tmp_path):
    shards = write_hf_dataset_dict(
        {"train": [mix_table(30)], "eval": [mix_table(3, 1)]}, tmp_path / "out", SCHEMA, 20
    )
    lock = make_lock(tmp_path, shards)
    assert [f.path for f in lock.inputs[0].files] == ["inputs/a.jsonl", "inputs/b.jsonl"]
    assert lock.inputs[0].files[0].sha256 == hashlib.sha256(b'{"x": 1}\n').hexdigest()
    assert lock.totals.rows == 33 and lock.totals.shards == 3 and lock.totals.tokens == 1_949
    assert {"pyarrow", "datasets", "polars", "curation"} <= set(lock.packages)
    write_lock(lock, tmp_path / "out" / "mix.lock.json")
    write_lock(read_lock(tmp_path / "out"), tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "out" / "mix.lock.json").read_bytes()
    assert read_lock(tmp_path / "again.json") == lock
    assert verify_shards(lock, tmp_path / "out") == []
    assert verify_inputs(lock, tmp_path) == []


def test_small_files_share_a_hashing_task_and_hash_as_one_task_each(tmp_path):
    sizes = [10, 30, 25, 100, 5, 5]
    paths = []
    for i, n in enumerate(sizes):
        (tmp_path / f"f{i}").write_bytes(bytes([i]) * n)
        paths.append(str(tmp_path / f"f{i}"))
    url = "s3://bucket/x.jsonl"
    assert fingerprint_batches(paths[:3] + [url] + paths[3:], task_bytes=40) == [
        paths[:2], [paths[2]], [url], [paths[3]], paths[4:]
    ]  # in order; a URL alone; a file over the size alone
    assert fingerprint_batches([]) == []
    whole = file_fingerprints(paths, base_dir=tmp_path)  # one task at the default size
    assert [f.sha256 for f in whole] == [hashlib.sha256(bytes([i]) * n).hexdigest() for i, n in enumerate(sizes)]
    assert [f.bytes for f in whole] == sizes
    # files under the task size still make a task per worker, down to MIN_FINGERPRINT_TASK_BYTES
    from executor_support import Recording

    from curation.mix import lock as lock_module

    # 175 bytes for 3 workers: runs of up to 59 bytes, cut in order (40, 25, 100, 10); or all in one
    for least, tasks in ((50, 4), (1000, 1)):
        executor = Recording(workers=3)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(lock_module, "MIN_FINGERPRINT_TASK_BYTES", least)
            assert file_fingerprints(paths, base_dir=tmp_path, executor=executor) == whole
        assert executor.items("fingerprint_files") == [tasks], least


def test_verify_names_the_first_differing_shard_and_changed_input(tmp_path):
    shards = write_hf_dataset([mix_table(100)], tmp_path / "out", SCHEMA, max_shard_rows=25)
    lock = make_lock(tmp_path, shards)
    # A rebuild from a changed input: same size, different bytes in shards 1 and 3.
    for i in (1, 3):
        path = tmp_path / "out" / shards[i].file
        data = bytearray(path.read_bytes())
        data[-20] ^= 0xFF
        path.write_bytes(bytes(data))
    (tmp_path / "out" / shards[2].file).unlink()
    problems = verify_shards(lock, tmp_path / "out")
    assert problems[0].startswith("shard data-00001-of-00004.arrow differs: sha256")
    assert problems[1] == "missing shard data-00002-of-00004.arrow"
    assert problems[2].startswith("shard data-00003-of-00004.arrow differs")
    (tmp_path / "out" / "data-00009-of-00010.arrow").write_bytes(b"")
    assert verify_shards(lock, tmp_path / "out")[-1].startswith("unexpected shard data-00009-of-00010.arrow")
    (tmp_path / "inputs" / "b.jsonl").write_text('{"x": 3}\n')
    (tmp_path / "inputs" / "a.jsonl").unlink()
    assert verify_inputs(lock, tmp_path) == [
        "input alpha: inputs/a.jsonl is missing",
        verify_inputs(lock, tmp_path)[1],
    ]
    assert verify_inputs(lock, tmp_path)[1].startswith("input alpha: inputs/b.jsonl changed")


def test_read_lock_errors(tmp_path):
    with pytest.raises(ValueError, match="no such lock file"):
        read_lock(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        read_lock(bad)
    bad.write_text('{"version": 99}')
    with pytest.raises(ValueError, match="lock version 99"):
        read_lock(bad)
    bad.write_text('{"version": 1, "manifest": {}}')
    with pytest.raises(ValueError, match="invalid lock: .*inputs: Field required"):
        read_lock(bad)
    with pytest.raises(ValueError, match="kind 'hub' needs `revision`"):
        InputRecord(source="x", location="hf:a/b", kind="hub")
    with pytest.raises(ValueError, match="kind 'file' needs `files`"):
        InputRecord(source="x", location="a.jsonl", kind="file")
    with pytest.raises(ValueError, match="not a file"):
        file_fingerprints([tmp_path])
    assert FileFingerprint(path="a", sha256="0", bytes=0).bytes == 0


# -- card ------------------------------------------------------------------------------------


def funnel_summary() -> RunSummary:
    def stage(name, n_in, reasons):
        dropped = sum(reasons.values())
        return StageSummary(stage=name, input=n_in, kept=n_in - dropped, dropped=dropped, reasons=reasons)

    return RunSummary.of(
        [
            SourceSummary(
                name="alpha",
                adapter="openai_messages",
                location="inputs/*.jsonl",
                stages=[
                    stage("read", 100, {"malformed:json": 2}),
                    stage("dedup", 98, {"exact_duplicate": 8}),
                ],
            ),
            SourceSummary(
                name="beta",
                adapter="alpaca",
                location="hf:org/beta",
                stages=[stage("read", 50, {}), stage("filter", 50, {"identity_claim:human": 5, "pii": 1})],
            ),
        ]
    )


def test_card_and_pngs_are_byte_reproducible(tmp_path):
    shards = write_hf_dataset([mix_table(40)], tmp_path / "out", SCHEMA)
    lock = make_lock(tmp_path, shards)
    rng = np.random.default_rng(0)
    hist = {"beta": rng.integers(5, 4_000, 300), "alpha": rng.lognormal(5, 1, 1_000).astype(np.int64)}
    hist = {name: length_counts(values) for name, values in hist.items()}
    for name in ("c1", "c2"):
        readme = write_card(tmp_path / name, lock, funnel_summary(), hist)
        assert readme == tmp_path / name / "README.md"
    assert digests(tmp_path / "c1") == digests(tmp_path / "c2")
    assert set(digests(tmp_path / "c1")) == {"README.md", LENGTHS_PNG, FUNNEL_PNG}
    png = (tmp_path / "c1" / LENGTHS_PNG).read_bytes()
    assert png.startswith(b"\x89PNG") and b"matplotlib" not in png.lower()


def test_card_content(tmp_path):
    shards = write_hf_dataset_dict(
        {"train": [mix_table(40)], "eval": [mix_table(4, 1)]}, tmp_path / "out", SCHEMA
    )
    lock = make_lock(tmp_path, shards)
    text = write_card(
        tmp_path / "out", lock, funnel_summary(), {"alpha": {10: 1, 20: 1}, "beta": {5: 1}}
    )
    text = text.read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["pretty_name"] == "demo-mix" and front["size_categories"] == ["n<1K"]
    assert "# demo-mix" in text
    assert "| alpha | 1,500 | 1,499 | 76.91% | 15 | 1.500 | 0 | 10 | 1,000 |" in text
    assert "| beta | 500 | 450 | 23.09% | 10 | 2.000 | 50 | 5 | 300 |" in text
    assert "| train | 1 | 40 |" in text and "| eval | 1 | 4 |" in text
    assert "| beta | filter | 50 | 44 | 6 | identity_claim:human 5, pii 1 |" in text
    assert f"![Token length per source]({LENGTHS_PNG})" in text
    assert "- budget: 2,000 tokens" in text and "- seed: 7" in text
    assert f"| beta | hf:org/beta | hub | revision {'0123abcd' * 5} |" in text
    # the card sits beside the shards without disturbing load_from_disk
    assert datasets.load_from_disk(str(tmp_path / "out"))["eval"].num_rows == 4


def test_card_without_funnel_or_lengths(tmp_path):
    shards = write_hf_dataset([mix_table(5)], tmp_path / "out", SCHEMA)
    text = write_card(tmp_path / "card", make_lock(tmp_path, shards)).read_text()
    assert "Curation funnel" not in text and "## Plots" not in text
    assert sorted(p.name for p in (tmp_path / "card").iterdir()) == ["README.md"]
    # empty histograms still draw
    write_card(tmp_path / "card2", make_lock(tmp_path, shards), None, {"alpha": {}})
    assert (tmp_path / "card2" / LENGTHS_PNG).exists()


def test_whole_output_staged_at_once(tmp_path):
    """The build's pattern: shards, lock and card renamed into place together."""
    out = tmp_path / "mix"
    with staged_output(out) as tmp:
        splits = {"train": [mix_table(50)], "eval": [mix_table(5, 1)]}
        shards = write_hf_dataset_dict(splits, tmp, SCHEMA, max_shard_rows=20, atomic=False)
        lock = make_lock(tmp_path, shards)
        write_lock(lock, tmp / "mix.lock.json")
        write_card(tmp, lock, funnel_summary(), {"alpha": {3: 1, 4: 1}})
        assert not out.exists()
    assert verify_shards(read_lock(out), out) == []
    assert datasets.load_from_disk(str(out))["train"].num_rows == 50
    assert not list(tmp_path.glob(".tmp-*"))
