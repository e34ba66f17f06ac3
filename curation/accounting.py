"""Row accounting: every stage says what it kept and what it dropped, and why.

A dropped row is one row of DROP_SCHEMA: the stage, a stable reason code
(`malformed:json`, `exact_duplicate`, `identity_claim:human`, ...), a human detail,
where the row came from, and the raw row (an excerpt when it is huge). StageCounts
holds the per source x stage counts that the run summary is made of; the invariant
`input == kept + dropped` is checked every time counts are added.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa

# Raw rows larger than this (in characters) are stored as an excerpt: the head of the
# row and a marker saying how much was cut, so a report of a web-scale run stays small.
RAW_EXCERPT_CHARS = 8192


def _field(name: str, type_: pa.DataType, description: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


DROP_SCHEMA = pa.schema(
    [
        _field("source", pa.string(), "Source name.", nullable=False),
        _field("stage", pa.string(), "Stage that dropped the row (read, adapt, dedup, filter, ...).", nullable=False),
        _field("reason", pa.string(), "Stable reason code, e.g. malformed:json or exact_duplicate.", nullable=False),
        _field("detail", pa.string(), "Human explanation of this drop.", nullable=False),
        _field("id", pa.string(), "Row id when one could be computed; null for rows that never parsed."),
        _field("file", pa.string(), "Input file (or hub dataset id) the row came from."),
        _field("line", pa.int64(), "1-based line in JSONL/CSV files; 1-based record number in other formats."),
        _field("duplicate_of", pa.string(), "For duplicates: the id of the row that was kept instead."),
        _field("similarity", pa.float64(), "For near duplicates: estimated Jaccard similarity to duplicate_of."),
        _field("raw", pa.string(), f"The raw row as read (JSON or text), cut to {RAW_EXCERPT_CHARS} characters with a marker."),
    ],
    metadata={"title": "curation dropped-row report", "version": "1"},
)


def excerpt(raw: str | None) -> str | None:
    """Cut a raw row to RAW_EXCERPT_CHARS characters, saying how many were left out."""
    if raw is None or len(raw) <= RAW_EXCERPT_CHARS:
        return raw
    return raw[:RAW_EXCERPT_CHARS] + f"…[truncated {len(raw) - RAW_EXCERPT_CHARS} of {len(raw)} chars]"


def drops_table(rows: list[dict]) -> pa.Table:
    """Build a DROP_SCHEMA table from dicts (missing optional keys become null)."""
    cols = {name: [r.get(name) for r in rows] for name in DROP_SCHEMA.names}
    cols["raw"] = [excerpt(v) for v in cols["raw"]]
    return pa.table(cols, schema=DROP_SCHEMA)


def empty_drops() -> pa.Table:
    return DROP_SCHEMA.empty_table()


class AccountingError(AssertionError):
    """A stage's counts do not add up: a row was lost or invented."""


@dataclass
class StageCounts:
    """Counts of one stage for one source (rows)."""

    source: str
    stage: str
    input: int = 0
    kept: int = 0
    dropped: int = 0
    reasons: Counter = field(default_factory=Counter)
    rewritten: Counter = field(default_factory=Counter)  # kept rows the stage changed, by rewrite code

    def add_rewrites(self, rewrites: pa.Table) -> None:
        """Count one batch's rewritten rows (DROP_SCHEMA rows, reason = the rewrite code)."""
        if rewrites.num_rows:
            for row in rewrites.group_by("reason").aggregate([("reason", "count")]).to_pylist():
                self.rewritten[row["reason"]] += row["reason_count"]

    def add(self, input_rows: int, kept_rows: int, dropped: pa.Table) -> None:
        """Add one batch's counts; raises AccountingError unless input == kept + dropped."""
        if input_rows != kept_rows + dropped.num_rows:
            raise AccountingError(
                f"{self.source}/{self.stage}: {input_rows} rows in, {kept_rows} kept + "
                f"{dropped.num_rows} dropped"
            )
        self.input += input_rows
        self.kept += kept_rows
        self.dropped += dropped.num_rows
        if dropped.num_rows:
            for row in dropped.group_by("reason").aggregate([("reason", "count")]).to_pylist():
                self.reasons[row["reason"]] += row["reason_count"]

    def merge(self, other: StageCounts) -> None:
        """Add the counts of the same stage over other rows (another partition)."""
        self.input += other.input
        self.kept += other.kept
        self.dropped += other.dropped
        self.reasons.update(other.reasons)
        self.rewritten.update(other.rewritten)

    def to_dict(self) -> dict:
        return {
            "stage": self.stage,
            "input": self.input,
            "kept": self.kept,
            "dropped": self.dropped,
            "reasons": dict(sorted(self.reasons.items())),
            "rewritten": dict(sorted(self.rewritten.items())),
        }


@dataclass
class StageResult:
    """What one stage did to one batch: the rows it kept and a DROP_SCHEMA table of the rest."""

    kept: pa.Table
    dropped: pa.Table
