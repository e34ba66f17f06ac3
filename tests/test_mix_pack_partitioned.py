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
from curation.mix.pack import PACKED, PACKED_SCHEMA, PackStats, pack_rows
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
    # what was packed and what was left out of packed/, per part, as the in-memory packer counts it
    assert [PackStats(**r.model_dump()) for r in lock.packing] == stats
    # the totals count the splits' rows once: packed/ holds the train rows again, as sequences
    assert lock.totals.rows == sum(s.rows for s in lock.shards if not s.file.startswith(f"{PACKED}/"))
    assert lock.totals.shards == len(lock.shards)
    card = (tmp_path / "mix" / "README.md").read_text()
    assert "## Packing" in card and f"{stats[0].tokens_dropped:,}" in card


def test_a_render_count_the_tokenizer_disagrees_with_fails_naming_the_row(tmp_path):
    texts = ["<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello there<|im_end|>\n", "A document."]
    tok = get_tokenizer("qwen3")
    true = [len(tok.encode(texts[0])), len(tok.encode(texts[1]))]  # the document also gets end-of-text

    def pack(n_tokens: list[int], name: str):
        table = pa.table({"id": ["chat-1", "doc-7"], "text": texts, "n_tokens": pa.array(n_tokens, pa.int64())})
        shard = tmp_path / f"{name}.arrow"
        with pa.OSFile(str(shard), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        work = tmp_path / name
        work.mkdir()
        packed = sum(n_tokens) + 1
        segment = pack_partitioned.Segment(str(shard), 0, 2, 0, packed)
        # one sequence of all but the last 2 tokens: both rows are read, the cut is inside doc-7
        return pack_sequences([segment], 0, 0, 1, packed - 2, "main", "qwen3", str(work), "t0"), work

    n_seq, work = pack(true, "right")
    assert n_seq == 1 and np.load(work / "sizes-t0.npy")[0] > 0
    with pytest.raises(RuntimeError, match="row 'doc-7': .* tokens when packed"):
        pack([true[0], true[1] + 1], "wrong")  # the render stage counted one token more for doc-7


def test_a_part_whose_rows_are_not_together_fails(tmp_path):
    runs = [[(0, 3, 30), (1, 2, 20)], [(0, 1, 10)]]
    with pytest.raises(RuntimeError, match="part 'a': its train rows are not contiguous"):
        pack_partitioned.part_segments(["s0", "s1"], runs, ["a", "b"])
    segments = pack_partitioned.part_segments(["s0", "s1"], [[(0, 3, 30)], [(0, 1, 10), (1, 2, 20)]], ["a", "b"])
    assert [(g.path, g.first, g.rows, g.token_start, g.tokens) for g in segments[0]] == [
        ("s0", 0, 3, 0, 30), ("s1", 0, 1, 30, 10)
    ]
    assert [(g.path, g.first, g.token_start) for g in segments[1]] == [("s1", 1, 0)]
