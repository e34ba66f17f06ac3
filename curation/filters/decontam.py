"""Benchmark decontamination: drop training rows sharing word n-grams with benchmark items.

Every benchmark item's text (each field of :class:`BenchmarkSpec` separately) is normalised
and cut into word n-grams (rules in :mod:`curation.filters.ngram_index`, 13 words by
default, the window of GPT-3's contamination analysis: Brown et al. 2020, "Language Models
are Few-Shot Learners", appendix C). Training texts are cut the same way, each message
separately (``content`` of the chosen roles, user and assistant by default, and their
``reasoning``), or ``text`` for document rows. A row whose grams match at least
``min_matches`` distinct grams of one benchmark (default 1: any overlap, as in GPT-3) is
dropped with reason ``contaminated:<benchmark>`` and a detail naming the match count, the
message and the words of the first matching window.

A benchmark item shorter than n words is indexed as one gram of all its words and matches
only a training message that normalises to exactly those words (a short item such as
"Write a haiku about summer." embedded in a longer text is too generic to call
contamination).

A lightly reworded copy is caught as long as n consecutive words survive the rewording.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from curation.filters.base import Verdicts
from curation.filters.ngram_index import NgramIndex, gram_hashes, normalize_words

_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")


@dataclass(frozen=True)
class BenchmarkSpec:
    """One benchmark to index: a local JSONL (``.gz`` allowed) or Parquet file, or a hub id.

    ``fields``: the columns whose texts are indexed, each item field as a separate text.
    ``drop_pattern``: a regex removed from those texts first (GSM8K's ``<<48/2=24>>``
    calculator annotations, which no training copy carries). ``hub_id`` / ``hub_config`` /
    ``split``: load with ``datasets.load_dataset(hub_id, hub_config, split=split)`` instead
    of ``path`` (needs network or a cache).
    """

    name: str
    path: str | Path | None = None
    fields: tuple[str, ...] = ("text",)
    drop_pattern: str | None = None
    hub_id: str | None = None
    hub_config: str | None = None
    split: str = "test"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ValueError(f"name must match {_NAME.pattern} (it becomes a reason code), got {self.name!r}")
        if (self.path is None) == (self.hub_id is None):
            raise ValueError(f"benchmark {self.name!r}: give exactly one of path and hub_id")
        fields = (self.fields,) if isinstance(self.fields, str) else tuple(self.fields)
        if not fields or not all(isinstance(f, str) and f for f in fields):
            raise ValueError(
                f"benchmark {self.name!r}: fields must be a non-empty list of column names, got {self.fields!r}"
            )
        object.__setattr__(self, "fields", fields)
        if self.drop_pattern is not None:
            re.compile(self.drop_pattern)

    def load_texts(self) -> pl.Series:
        """The texts of every item's fields, nulls removed, one Series."""
        frame = self._load_frame()
        missing = [f for f in self.fields if f not in frame.columns]
        if missing:
            raise ValueError(f"benchmark {self.name!r}: fields {missing} not in columns {frame.columns}")
        texts = pl.concat([frame.get_column(f).cast(pl.String).drop_nulls() for f in self.fields])
        if self.drop_pattern is not None:
            texts = texts.str.replace_all(self.drop_pattern, " ")
        return texts.rename(self.name)

    def _load_frame(self) -> pl.DataFrame:
        if self.hub_id is not None:
            import datasets  # optional; only for hub benchmarks

            return pl.from_arrow(datasets.load_dataset(self.hub_id, self.hub_config, split=self.split).data.table)
        path = Path(self.path)
        if not path.is_file():
            raise ValueError(f"benchmark {self.name!r}: no file at {path}")
        if path.suffix == ".parquet":
            return pl.read_parquet(path)
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        return pl.read_ndjson(io.BytesIO(raw))


def default_benchmarks(fixtures: Path) -> tuple[BenchmarkSpec, ...]:
    """GSM8K test (question and answer), HumanEval (prompt) and IFEval (prompt) as laid out
    in ``shared/fixtures/benchmarks``."""
    root = Path(fixtures) / "benchmarks"
    return (
        BenchmarkSpec("gsm8k", root / "gsm8k" / "test.jsonl", ("question", "answer"), drop_pattern=r"<<[^>]*>>"),
        BenchmarkSpec("humaneval", root / "humaneval" / "HumanEval.jsonl.gz", ("prompt",)),
        BenchmarkSpec("ifeval", root / "ifeval" / "input_data.jsonl", ("prompt",)),
    )


@dataclass(frozen=True, eq=False)
class Decontaminator:
    """The decontamination filter (``filter(table) -> Verdicts``) over a built index.

    ``min_matches`` (default 1, GPT-3's rule): distinct benchmark grams a row must share with
    one benchmark to be dropped. ``roles`` (default user and assistant): the message roles
    checked. ``include_reasoning`` (default True): also check those messages' reasoning.
    """

    index: NgramIndex
    min_matches: int = 1
    roles: tuple[str, ...] = ("user", "assistant")
    include_reasoning: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.index, NgramIndex):
            raise ValueError(f"index must be an NgramIndex, got {type(self.index).__name__}")
        if not isinstance(self.min_matches, int) or isinstance(self.min_matches, bool) or self.min_matches < 1:
            raise ValueError(f"min_matches must be a positive int, got {self.min_matches!r}")
        roles = (self.roles,) if isinstance(self.roles, str) else tuple(self.roles)
        bad = [r for r in roles if r not in ("system", "user", "assistant", "tool")]
        if not roles or bad:
            raise ValueError(f"roles must be a non-empty subset of system/user/assistant/tool, got {self.roles!r}")
        object.__setattr__(self, "roles", roles)
        if not isinstance(self.include_reasoning, bool):
            raise ValueError(f"include_reasoning must be a bool, got {self.include_reasoning!r}")

    @classmethod
    def from_specs(cls, specs: tuple[BenchmarkSpec, ...] | list[BenchmarkSpec], n: int = 13, **kw) -> Decontaminator:
        names = [s.name for s in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"benchmark names must be distinct, got {names}")
        return cls(NgramIndex.build(n, {s.name: s.load_texts() for s in specs}), **kw)

    def __call__(self, table: pa.Table) -> Verdicts:
        n_rows = table.num_rows
        texts, rows, where = self._texts(table)
        words = normalize_words(texts)
        hashes, offsets = gram_hashes(words, self.index.n)
        pos, owner = self.index.lookup(hashes)
        if pos.size == 0:
            return Verdicts.keep_all(n_rows)
        text = np.searchsorted(offsets, pos, side="right") - 1
        row = rows[text]
        # Distinct grams per (row, benchmark); sorted by row, benchmark, then position, so the
        # first entry of each group is its first matching window.
        order = np.lexsort((pos, hashes[pos], owner, row))
        row, owner, pos, text, gram = row[order], owner[order], pos[order], text[order], hashes[pos[order]]
        new_gram = np.ones(row.size, dtype=bool)
        new_gram[1:] = (row[1:] != row[:-1]) | (owner[1:] != owner[:-1]) | (gram[1:] != gram[:-1])
        key = row.astype(np.int64) * len(self.index.names) + owner
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        counts = np.add.reduceat(new_gram.astype(np.int64), starts)
        first_pos = np.minimum.reduceat(pos, starts)
        g_row, g_owner = row[starts], owner[starts]
        # Per row, the benchmark with most matches (ties: the first benchmark).
        best = np.lexsort((g_owner, -counts, g_row))
        take = best[np.r_[True, g_row[best][1:] != g_row[best][:-1]]]
        take = take[counts[take] >= self.min_matches]
        if take.size == 0:
            return Verdicts.keep_all(n_rows)
        reason: list[str | None] = [None] * n_rows
        detail: list[str | None] = [None] * n_rows
        n = self.index.n
        for g in take:  # flagged rows only
            p = int(first_pos[g])
            t = int(np.searchsorted(offsets, p, side="right") - 1)
            w = p - int(offsets[t])
            gram_words = " ".join(words[t].as_py().split(" ")[w : w + n])
            name = self.index.names[g_owner[g]]
            r = int(g_row[g])
            reason[r] = f"contaminated:{name}"
            detail[r] = (
                f"{int(counts[g])} distinct {n}-gram(s) of {name} matched (min_matches={self.min_matches}); "
                f'first in {self._label(int(where[t]))}: "{gram_words}"'
            )
        return Verdicts(pa.array(reason, pa.string()), pa.array(detail, pa.string()))

    def _texts(self, table: pa.Table) -> tuple[pa.Array, np.ndarray, np.ndarray]:
        """(texts, the row of each, a label code per text): chat messages of the chosen roles
        (content, then reasoning) and the text of document rows. The code packs what
        :meth:`_label` needs (message index, field, role) so that labels are only written
        for flagged rows."""
        parts: list[pa.Array] = []
        rows: list[np.ndarray] = []
        codes: list[np.ndarray] = []
        msgs = table.column("messages").combine_chunks() if table.num_rows else None
        if msgs is not None and len(msgs) - msgs.null_count:
            flat = pc.list_flatten(msgs)
            parent = pc.list_parent_indices(msgs).to_numpy()
            idx_in_row = np.arange(parent.size) - np.searchsorted(parent, parent, side="left")
            role_code = pc.index_in(flat.field("role"), pa.array(self.roles)).to_numpy(zero_copy_only=False)
            sel = np.flatnonzero(~np.isnan(role_code.astype(float)))
            fields = [flat.field("content")]
            if self.include_reasoning:
                fields.append(flat.field("reasoning"))
            for f, col in enumerate(fields):
                take = sel[~col.is_null().to_numpy(zero_copy_only=False)[sel]] if col.null_count else sel
                parts.append(col.take(pa.array(take)).cast(pa.large_string()))
                rows.append(parent[take])
                codes.append((idx_in_row[take] * 2 + f) * 8 + role_code[take].astype(np.int64))
        text = table.column("text").combine_chunks()
        if text.null_count < len(text):
            has = np.flatnonzero(~text.is_null().to_numpy(zero_copy_only=False))
            parts.append(text.take(pa.array(has)).cast(pa.large_string()))
            rows.append(has)
            codes.append(np.full(has.size, -1, dtype=np.int64))
        if not parts:
            return pa.array([], pa.large_string()), np.zeros(0, np.int64), np.zeros(0, np.int64)
        return pa.concat_arrays(parts), np.concatenate(rows), np.concatenate(codes)

    def _label(self, code: int) -> str:
        if code < 0:
            return "text"
        role = self.roles[code % 8]
        field = ("content", "reasoning")[(code // 8) % 2]
        return f"messages[{code // 16}].{field} ({role})"
