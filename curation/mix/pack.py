"""Packing: the mix's rows as token ids in sequences of exactly `context_length` tokens.

Rows are taken in output order (per part), each tokenised (template markup as special
tokens); a document row (no chat markup) is followed by the end-of-text token so documents
do not run into each other. The ids are concatenated per part and cut into sequences of
exactly context_length tokens; the last, shorter remainder is dropped and counted. Each
sequence records the ids of the rows it holds (a row cut across two sequences is in both).
This is what a pretraining phase at 4096 / 8192 tokens, or a Wanda calibration set of N
sequences of L tokens, consumes.

`pack_rows` packs a table in memory: the definition, and the reference the build's partitioned
packer (pack_partitioned.py, which writes the same bytes from tasks) is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

PACKED_SCHEMA = pa.schema(
    [
        pa.field("part", pa.string(), nullable=False),
        pa.field("input_ids", pa.list_(pa.int32()), nullable=False),
        pa.field("row_ids", pa.list_(pa.string()), nullable=False),
    ],
    metadata={"title": "curation packed sequence", "version": "1"},
)
PACKED = "packed"  # the packed dataset's directory and split name
END_OF_TEXT = "<|endoftext|>"
CHAT_MARK = "<|im_start|>"


@dataclass(frozen=True)
class PackStats:
    part: str
    context_length: int
    sequences: int
    tokens_packed: int
    tokens_dropped: int  # the remainder shorter than one sequence


def pack_rows(rows: pa.Table, context_lengths: dict[str, int], tok) -> tuple[pa.Table, list[PackStats]]:
    """(PACKED_SCHEMA sequences, stats per part) of MIX_SCHEMA `rows` (in output order)."""
    eot = tok.special_tokens.get(END_OF_TEXT)
    tables, stats = [], []
    parts = rows.column("part").to_pylist()
    for part, length in context_lengths.items():
        where = [i for i, p in enumerate(parts) if p == part]
        if not where:
            continue
        texts = rows.column("text").take(pa.array(where)).to_pylist()
        ids = rows.column("id").take(pa.array(where)).to_pylist()
        pieces, owners = [], []
        for k, text in enumerate(texts):
            encoded = tok.encode(text, allow_special=True)
            if eot is not None and CHAT_MARK not in text:
                encoded.append(eot)
            pieces.append(np.asarray(encoded, dtype=np.int32))
            owners.append(np.full(len(encoded), k, dtype=np.int64))
        flat = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
        owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
        n_seq = len(flat) // length
        used = n_seq * length
        seqs = flat[:used].reshape(n_seq, length)
        seq_owner = owner[:used].reshape(n_seq, length)
        row_ids = [[ids[k] for k in np.unique(seq_owner[s]).tolist()] for s in range(n_seq)]
        tables.append(
            pa.table(
                {
                    "part": pa.array([part] * n_seq, pa.string()),
                    "input_ids": pa.array(list(seqs), pa.list_(pa.int32())),
                    "row_ids": pa.array(row_ids, pa.list_(pa.string())),
                },
                schema=PACKED_SCHEMA,
            )
        )
        stats.append(PackStats(part, length, n_seq, used, len(flat) - used))
    return (pa.concat_tables(tables) if tables else PACKED_SCHEMA.empty_table()), stats
