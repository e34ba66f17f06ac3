"""Packing partitioned: the train split's rows as token ids in sequences of `context_length`,
tokenised by tasks, never in the caller; the same bytes as pack.pack_rows + shards.write_split.

    map over the written train shards: the shard as runs of one part, each run's rows and packed
        tokens (a row's n_tokens, plus the end-of-text token a document row gets: no tokenising)
                                                                                 (part_runs)
    here:  per part, its runs in order as Segments with their first token; each part's sequences
           cut into tasks of about `task_tokens` tokens, a task given the segments its token
           range overlaps
    map over tasks: the task's rows in its range tokenised (each checked against its n_tokens),
        cut into sequences, written into buckets by position, sizes to a file   (pack_sequences)
    here:  shard boundaries from the sequences' sizes, one task's at a time (shards.ShardPlanner)
    map over shards: split_writer.write_shard, as for the bucketed split writer

A row cut across two tasks' ranges is tokenised by both (one row per task boundary). Memory:
here, a few numbers per shard run and per task, no row; a task, its shards' rows and its tokens.
A render count that differs from the tokeniser's (a bug: the render stage counts exactly what
packing encodes) fails the build naming the row, rather than shifting every later sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curation.executor import Executor
from curation.fileio import scratch_dir
from curation.mix.pack import CHAT_MARK, END_OF_TEXT, PACKED_SCHEMA, PackStats
from curation.mix.shards import ShardInfo, plan_shard_pieces, table_row_nbytes
from curation.mix.split_writer import POS, SplitTarget, write_buckets, write_planned_shards, write_shard

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


@dataclass(frozen=True)
class Segment:
    """Consecutive train rows of one part in one shard: the shard's path, the rows' first index
    in it, how many, where their tokens start in the part's token stream, and how many."""

    path: str
    first: int
    rows: int
    token_start: int
    tokens: int


def part_runs(path: str, parts: list[str], tokenizer: str) -> list[tuple[int, int, int]]:
    """The train shard at `path` as runs of one part, in row order: (part index into `parts`,
    rows, packed tokens); rows of no listed part make runs of index -1."""
    from curation.tokens import get_tokenizer

    eot = get_tokenizer(tokenizer).special_tokens.get(END_OF_TEXT)  # loaded by the task: the caller never tokenises
    table = read_shard(path, ["part", "text", "n_tokens"])
    which = pc.index_in(table.column("part"), value_set=pa.array(parts, pa.string()))
    codes = which.fill_null(-1).to_numpy().astype(np.int32)
    lengths = packed_lengths(table.column("text"), table.column("n_tokens").to_numpy(), eot)
    cuts = np.concatenate([[0], np.flatnonzero(np.diff(codes)) + 1, [len(codes)]]).astype(np.int64)
    return [(int(codes[a]), int(b - a), int(lengths[a:b].sum())) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


def pack_sequences(
    segments: list[Segment],
    token_from: int,
    first_seq: int,
    n_seq: int,
    context_length: int,
    part: str,
    tokenizer: str,
    work: str,
    tag: str,
) -> int:
    """`n_seq` sequences of `part` from token `token_from` of its stream on, which are sequences
    [first_seq, first_seq + n_seq) of the packed output: the rows of `segments` (consecutive,
    holding that token range) whose tokens fall in it, tokenised and each checked against its
    render count, cut and written into the buckets of their positions; each sequence's estimated
    bytes go to WORK/sizes-<tag>.npy. Returns n_seq."""
    from curation.tokens import get_tokenizer

    tok = get_tokenizer(tokenizer)
    eot = tok.special_tokens.get(END_OF_TEXT)
    rows = pa.concat_tables(read_shard(g.path, ["id", "text", "n_tokens"]).slice(g.first, g.rows) for g in segments)
    lengths = packed_lengths(rows.column("text"), rows.column("n_tokens").to_numpy(), eot)
    ends = segments[0].token_start + np.cumsum(lengths)
    used = n_seq * context_length
    a = int(np.searchsorted(ends, token_from, side="right"))  # first row ending after the start
    b = int(np.searchsorted(ends, token_from + used, side="left"))  # first row reaching the end
    skip = token_from - (int(ends[a - 1]) if a else segments[0].token_start)
    texts = rows.column("text").slice(a, b + 1 - a).to_pylist()
    ids = rows.column("id").slice(a, b + 1 - a).combine_chunks()
    lengths = lengths[a : b + 1]
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
    flat = np.concatenate(pieces)[skip : skip + used] if pieces else np.zeros(0, np.int32)
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
    np.save(Path(work) / f"sizes-{tag}.npy", table_row_nbytes(table))
    write_buckets(table.append_column(POS, pa.array(positions)), positions, work, tag)
    return n_seq


def part_segments(paths: list[str], runs: list[list[tuple[int, int, int]]], parts: list[str]) -> list[list[Segment]]:
    """Per part (in `parts` order), its train rows as Segments in order, from each shard's runs;
    RuntimeError when a part's rows are not contiguous in the split (the writer keeps each
    part's rows together)."""
    segments: list[list[Segment]] = [[] for _ in parts]
    tokens = [0] * len(parts)
    last = None  # the part of the previous run
    done: set[int] = set()
    for path, shard_runs in zip(paths, runs, strict=True):
        first = 0
        for code, rows, packed in shard_runs:
            if code != last:
                if last is not None:
                    done.add(last)
                if code >= 0 and code in done:
                    raise RuntimeError(f"part {parts[code]!r}: its train rows are not contiguous")
                last = code
            if code >= 0:
                segments[code].append(Segment(path, first, rows, tokens[code], packed))
                tokens[code] += packed
            first += rows
    return segments


def _task_segments(segments: list[Segment], ends: np.ndarray, lo: int, hi: int) -> list[Segment]:
    """The segments holding tokens [lo, hi) of their part (`ends`: each segment's end token)."""
    a = int(np.searchsorted(ends, lo, side="right"))
    b = int(np.searchsorted(ends, hi, side="left"))
    return segments[a : b + 1]


def write_packed_partitioned(
    train_dir: Path,
    train_shards: list[ShardInfo],
    context_lengths: dict[str, int],
    tokenizer: str,
    target: SplitTarget,
    executor: Executor,
    work: Path,
    task_tokens: int | None = None,
) -> tuple[list[ShardInfo], list[PackStats]]:
    """The train split's rows (its shards in `train_dir`, in order) packed per part (parts in
    `context_lengths` order, each into sequences of its context length) written as `target`
    (schema PACKED_SCHEMA); the bytes write_split(pack_rows(train rows)) writes. Scratch in `work`; a task
    tokenises about `task_tokens` (default TASK_TOKENS) tokens. Returns the shards and, per part
    with train rows, its sequences and the tokens packed and left over (pack_rows' PackStats)."""
    paths = [str(train_dir / s.file.rsplit("/", 1)[-1]) for s in train_shards]
    parts = list(context_lengths)
    runs = executor.map(part_runs, [(p, parts, tokenizer) for p in paths])
    with scratch_dir(work):
        items, n_total, stats = [], 0, []
        for part, segments in zip(parts, part_segments(paths, runs, parts), strict=True):
            length = context_lengths[part]
            ends = np.array([g.token_start + g.tokens for g in segments], dtype=np.int64)
            total = int(ends[-1]) if segments else 0
            n_seq = total // length
            if segments:
                stats.append(PackStats(part, length, n_seq, n_seq * length, total - n_seq * length))
            per_task = max(1, (task_tokens or TASK_TOKENS) // length)
            for s0 in range(0, n_seq, per_task):
                s1 = min(s0 + per_task, n_seq)
                held = _task_segments(segments, ends, s0 * length, s1 * length)
                items.append(
                    (held, s0 * length, n_total + s0, s1 - s0, length, part, tokenizer, str(work), f"t{len(items):06d}")
                )
            n_total += n_seq
        if n_total == 0:
            return target.write_empty(), stats
        executor.map(pack_sequences, items)
        tags = [item[-1] for item in items]  # tasks in position order
        sizes = (np.load(work / f"sizes-{tag}.npy") for tag in tags)  # one task's sizes at a time
        bounds = plan_shard_pieces(sizes, target.max_shard_rows, target.max_shard_bytes)
        return write_planned_shards(bounds, target, executor, write_shard, lambda _lo, _hi: str(work)), stats
