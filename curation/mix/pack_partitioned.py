"""Packing partitioned: the train split's rows as token ids in sequences of `context_length`,
tokenised by tasks, never in the caller; the same bytes as pack.pack_rows + shards.write_split.

    map over the written train shards: each row's part and packed length      (row_lengths)
        (its n_tokens, plus the end-of-text token a document row gets: no tokenising)
    here:  per part, the rows' running token offsets; each part's sequences cut into tasks of
           about `task_tokens` tokens; a task's rows are those its token range overlaps
    map over tasks: tokenise the task's rows, check each length against its n_tokens, cut the
        sequences, write them into buckets by position                        (pack_sequences)
    here:  shard boundaries from the sequences' sizes (shards.plan_shards)
    map over shards: split_writer.write_shard, as for the train and eval splits

A row cut across two tasks' ranges is tokenised by both (one row per task boundary). Memory:
here, 12 bytes a train row; a task, its rows' text and tokens. A render count that differs from
the tokeniser's (a bug: the render stage counts exactly what packing encodes) fails the build
naming the row, rather than shifting every later sequence.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curation.executor import Executor
from curation.fileio import scratch_dir
from curation.mix.pack import CHAT_MARK, END_OF_TEXT, PACKED_SCHEMA
from curation.mix.shards import ShardInfo, table_row_nbytes
from curation.mix.split_writer import POS, SplitTarget, write_bucketed_shards, write_buckets

TASK_TOKENS = 16 * 2**20  # tokens a packing task tokenises: seconds of work, tens of MB of text


def read_shard(path: str, columns: list[str]) -> pa.Table:
    """Columns of one written Arrow IPC stream shard."""
    with pa.memory_map(path) as source:
        return pa.ipc.open_stream(source).read_all().select(columns)


def packed_lengths(text: pa.ChunkedArray | pa.Array, n_tokens: np.ndarray, eot: int | None) -> np.ndarray:
    """Tokens each row adds to its part's stream: its n_tokens, + 1 for the end-of-text token
    a document row (no chat markup) gets, as pack_rows encodes it."""
    lengths = np.asarray(n_tokens, dtype=np.int64).copy()
    if eot is not None:
        chat = pc.match_substring(text, CHAT_MARK).to_numpy(zero_copy_only=False)
        lengths += ~chat
    return lengths


def row_lengths(path: str, parts: list[str], tokenizer: str) -> tuple[np.ndarray, np.ndarray]:
    """(part index into `parts`, packed length) of every row of the train shard at `path`."""
    from curation.tokens import get_tokenizer

    eot = get_tokenizer(tokenizer).special_tokens.get(END_OF_TEXT)  # loaded by the task: the caller never tokenises
    table = read_shard(path, ["part", "text", "n_tokens"])
    which = pc.index_in(table.column("part"), value_set=pa.array(parts, pa.string()))
    codes = which.fill_null(-1).to_numpy().astype(np.int32)
    lengths = packed_lengths(table.column("text"), table.column("n_tokens").to_numpy(), eot)
    return codes, lengths


def pack_sequences(
    shards: list[tuple[str, int]],
    first_row: int,
    lengths: np.ndarray,
    skip: int,
    first_seq: int,
    n_seq: int,
    context_length: int,
    part: str,
    tokenizer: str,
    work: str,
    tag: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences [first_seq, first_seq + n_seq) of the packed output: the train rows from position
    `first_row` on (`lengths`: their packed lengths), tokenised, `skip` tokens dropped from the
    front; written into the buckets of their positions. `shards`: (path, first position) of the
    train shards the rows are in. Returns (positions, estimated bytes per sequence)."""
    from curation.tokens import get_tokenizer

    tok = get_tokenizer(tokenizer)
    eot = tok.special_tokens.get(END_OF_TEXT)
    rows = _train_rows(shards, first_row, len(lengths))
    texts, ids = rows.column("text").to_pylist(), rows.column("id").combine_chunks()
    pieces = []
    for k, text in enumerate(texts):
        encoded = tok.encode(text, allow_special=True)
        if eot is not None and CHAT_MARK not in text:
            encoded.append(eot)
        if len(encoded) != lengths[k]:
            raise RuntimeError(
                f"row {ids[k].as_py()!r}: {len(encoded)} tokens when packed, {int(lengths[k])} counted when "
                "rendered; the render stage's count must be the tokeniser's"
            )
        pieces.append(np.asarray(encoded, dtype=np.int32))
    used = n_seq * context_length
    flat = np.concatenate(pieces)[skip : skip + used]
    owner = np.repeat(np.arange(len(lengths)), lengths)[skip : skip + used]
    if len(flat) != used:
        raise RuntimeError(f"part {part!r}: {len(flat)} tokens for {n_seq} sequences of {context_length}")
    seq_owner = owner.reshape(n_seq, context_length)
    first = np.ones(seq_owner.shape, dtype=bool)  # owners rise along a sequence: a row starts where it changes
    first[:, 1:] = seq_owner[:, 1:] != seq_owner[:, :-1]
    counts = first.sum(axis=1)
    table = pa.table(
        {
            "part": pa.array([part] * n_seq, pa.string()),
            "input_ids": pa.ListArray.from_arrays(
                pa.array(np.arange(n_seq + 1, dtype=np.int32) * context_length), pa.array(flat)
            ),
            "row_ids": pa.ListArray.from_arrays(
                pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)),
                ids.take(pa.array(seq_owner[first])),
            ),
        },
        schema=PACKED_SCHEMA,
    )
    positions = np.arange(first_seq, first_seq + n_seq, dtype=np.int64)
    sizes = table_row_nbytes(table)
    write_buckets(table.append_column(POS, pa.array(positions)), positions, work, tag)
    return positions, sizes


def _train_rows(shards: list[tuple[str, int]], first_row: int, n: int) -> pa.Table:
    """Train rows [first_row, first_row + n) (id, text) from the shards holding them."""
    pieces = []
    for path, start in shards:
        table = read_shard(path, ["id", "text"])
        lo, hi = max(first_row - start, 0), min(first_row + n - start, table.num_rows)
        if hi > lo:
            pieces.append(table.slice(lo, hi - lo))
    return pa.concat_tables(pieces).combine_chunks()


def write_packed_partitioned(
    train_dir: Path,
    train_shards: list[ShardInfo],
    context_lengths: dict[str, int],
    tokenizer: str,
    target: SplitTarget,
    executor: Executor,
    work: Path,
    task_tokens: int | None = None,
) -> list[ShardInfo]:
    """The train split's rows (its shards in `train_dir`, in order) packed per part (parts in
    `context_lengths` order, each into sequences of its context length) written as `target`
    (schema PACKED_SCHEMA); the bytes write_split(pack_rows(train rows)) writes. Scratch in `work`; a task
    tokenises about `task_tokens` (default TASK_TOKENS) tokens."""
    paths = [str(train_dir / s.file.rsplit("/", 1)[-1]) for s in train_shards]
    starts = np.concatenate([[0], np.cumsum([s.rows for s in train_shards])]).astype(np.int64)
    parts = list(context_lengths)
    found = executor.map(row_lengths, [(p, parts, tokenizer) for p in paths])
    codes = np.concatenate([c for c, _ in found]) if found else np.zeros(0, np.int32)
    lengths = np.concatenate([n for _, n in found]) if found else np.zeros(0, np.int64)
    with scratch_dir(work):
        items, n_total = [], 0
        for k, (part, length) in enumerate(context_lengths.items()):
            rows = np.flatnonzero(codes == k)  # the train split holds each part's rows together
            if rows.size and rows[-1] - rows[0] + 1 != rows.size:
                raise RuntimeError(f"part {part!r}: its train rows are not contiguous")
            ends = np.cumsum(lengths[rows])
            n_seq = int(ends[-1]) // length if rows.size else 0
            per_task = max(1, (task_tokens or TASK_TOKENS) // length)
            for s0 in range(0, n_seq, per_task):
                s1 = min(s0 + per_task, n_seq)
                a = int(np.searchsorted(ends, s0 * length, side="right"))  # first row ending after the start
                b = int(np.searchsorted(ends, s1 * length, side="left"))  # first row reaching the end
                lo, hi = int(rows[a]), int(rows[b]) + 1
                skip = s0 * length - (int(ends[a - 1]) if a else 0)
                first, last = np.searchsorted(starts, lo, side="right") - 1, np.searchsorted(starts, hi, side="left")
                held = [(paths[i], int(starts[i])) for i in range(first, last)]  # the shards rows [lo, hi) are in
                items.append(
                    (held, lo, lengths[lo:hi], skip, n_total + s0, s1 - s0, length, part, tokenizer, str(work),
                     f"t{len(items):06d}")
                )
            n_total += n_seq
        if n_total == 0:
            return target.write_empty()
        sizes = np.zeros(n_total, dtype=np.int64)
        for positions, seq_sizes in executor.map(pack_sequences, items):
            sizes[positions] = seq_sizes
        return write_bucketed_shards(sizes, target, executor, work)

