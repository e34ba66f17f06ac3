"""The packed dataset written by tasks is the one pack_rows writes from the whole train split in
memory: sequences cut across tasks, buckets and shards, every part at its own context length."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from curation.mix import pack_partitioned, split_writer
from curation.mix.build import build_mix
from curation.mix.demo_inputs import demo_manifest
from curation.mix.manifest import load_manifest
from curation.mix.pack import PACKED, PACKED_SCHEMA, pack_rows
from curation.mix.pack_partitioned import pack_sequences, read_shard
from curation.mix.shards import write_split
from curation.tokens import get_tokenizer

REPO = Path(__file__).resolve().parents[1]


def _small_shards(manifest, rows: int, nbytes: int):
    output = manifest.output.model_copy(update={"max_shard_rows": rows, "max_shard_bytes": nbytes})
    return manifest.model_copy(update={"output": output})


@pytest.mark.parametrize(
    ("recipe", "executor", "task_tokens", "bucket_rows"),
    [
        ("wind-edge-1.6-pretrain-1.2t", 1, 3000, 7),  # a task per sequence, buckets of 7 sequences
        ("wind-edge-1.6-pretrain-1.2t", "processes:2", 20_000, split_writer.BUCKET_ROWS),
        ("qwen3.5-alpaca-calibration", 1, 5000, 3),
    ],
)
def test_packed_shards_equal_pack_rows_of_the_train_split(tmp_path, monkeypatch, recipe, executor, task_tokens, bucket_rows):
    monkeypatch.setattr(split_writer, "BUCKET_ROWS", bucket_rows)
    monkeypatch.setattr(pack_partitioned, "TASK_TOKENS", task_tokens)
    manifest = demo_manifest(load_manifest(REPO / "mixes" / f"{recipe}.yaml", check_files=False), tmp_path / "in")
    manifest = _small_shards(manifest, 2, 60_000)
    lock = build_mix(manifest, tmp_path / "mix", tmp_path / "work", workers=executor)
    got = {s.file: s.sha256 for s in lock.shards if s.file.startswith(f"{PACKED}/")}

    train_files = sorted(s.file for s in lock.shards if s.file.startswith("train/"))
    train = pa.concat_tables(read_shard(str(tmp_path / "mix" / f), ["id", "part", "text"]) for f in train_files)
    lengths = {p.name: p.context_length or manifest.output.context_length for p in manifest.parts()}
    packed, stats = pack_rows(train, lengths, get_tokenizer(manifest.tokenizer_name()))
    ref = write_split([packed], tmp_path / "ref", PACKED_SCHEMA, 2, 60_000, PACKED, f"{PACKED}/")
    assert len(got) >= 3 and sum(s.sequences for s in stats) >= 6, stats
    assert got == {s.file: s.sha256 for s in ref}
    assert not list((tmp_path / "mix").glob(".shuffle-*"))


def test_a_render_count_the_tokenizer_disagrees_with_fails_naming_the_row(tmp_path):
    texts = ["<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello there<|im_end|>\n", "A document."]
    table = pa.table({"id": ["chat-1", "doc-7"], "text": texts})
    shard = tmp_path / "data-00000-of-00001.arrow"
    with pa.OSFile(str(shard), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    tok = get_tokenizer("qwen3")
    true = np.array([len(tok.encode(texts[0])), len(tok.encode(texts[1])) + 1])  # the document gets end-of-text
    args = ([(str(shard), 0)], 0, true, 0, 0, 1, int(true.sum()) - 2, "main", "qwen3", str(tmp_path / "w"), "t0")
    positions, sizes = pack_sequences(*args)
    assert positions.tolist() == [0] and sizes[0] > 0
    wrong = true + np.array([0, 1])  # the render stage counted one token more for doc-7
    with pytest.raises(RuntimeError, match="row 'doc-7': .* tokens when packed"):
        pack_sequences(*(args[:2] + (wrong,) + args[3:]))
