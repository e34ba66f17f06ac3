"""The contract every filter keeps, and the one function that applies a filter's verdicts.

A filter is a callable over a batch of canonical rows (``curation.record.CANONICAL_SCHEMA``)
that returns :class:`Verdicts`: for every row, either ``reason = null`` (keep) or a stable
reason code (``identity_claim:human``, ``contaminated:gsm8k``, ``pii:email``...) with a human
``detail`` saying what matched (the matched span or n-gram, the measured value and the
threshold). Filters that edit rows (identity rewrite, PII redaction, reasoning strip, C4 line
removal) also return the rewritten batch, same length and order, which rows they changed and,
per changed row, a rewrite code (``identity_rewrite:other_model``, ``pii_redacted:email``) and
detail: a rewrite is reported like a drop, so a user sees every row the pipeline changed.
A filter that only annotates (the quality score in ``meta.extra``) returns the table without
``rewritten``: nothing the row says was changed.

Filters are vectorised over the batch (polars / Arrow / numba, or one compiled regex over a
column), never Python per row where a column operation exists, and take every parameter
explicitly (thresholds in the constructor, with the published default).

:func:`apply_verdicts` turns verdicts into the kept rows plus DROP_SCHEMA report rows, so
that every filter reports its drops the same way as ingest and dedup do; :func:`rewrite_rows`
gives the rewritten rows in the same schema (reason = the rewrite code, raw = the row before).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import pyarrow as pa

from curation.accounting import DROP_SCHEMA
from curation.dedup.decisions import raw_json


@dataclass(frozen=True)
class Verdicts:
    """A filter's answer for a batch of n rows.

    reason: string[n], null where the row is kept. detail: string[n], non-null wherever
    reason is. table: the rewritten batch (same rows, same order), or None when the filter
    changes nothing. rewritten: bool[n] (or None), the rows `table` changed, for the report.
    rewrite_reason / rewrite_detail: string[n] (or None): per rewritten row, the rewrite code
    and what changed; without them the report says ``rewritten:<stage>``.
    """

    reason: pa.Array
    detail: pa.Array
    table: pa.Table | None = None
    rewritten: pa.Array | None = None
    rewrite_reason: pa.Array | None = None
    rewrite_detail: pa.Array | None = None

    def __post_init__(self) -> None:
        if len(self.reason) != len(self.detail):
            raise ValueError(f"reason and detail differ in length: {len(self.reason)} vs {len(self.detail)}")
        if self.table is not None and self.table.num_rows != len(self.reason):
            raise ValueError(f"rewritten table has {self.table.num_rows} rows, verdicts {len(self.reason)}")
        for name in ("rewritten", "rewrite_reason", "rewrite_detail"):
            value = getattr(self, name)
            if value is not None and len(value) != len(self.reason):
                raise ValueError(f"{name} has {len(value)} rows, verdicts {len(self.reason)}")

    @classmethod
    def keep_all(cls, n: int) -> Verdicts:
        return cls(pa.nulls(n, pa.string()), pa.nulls(n, pa.string()))

    @property
    def dropped(self) -> int:
        return len(self.reason) - self.reason.null_count


Filter = Callable[[pa.Table], Verdicts]


def apply_verdicts(table: pa.Table, verdicts: Verdicts, stage: str) -> tuple[pa.Table, pa.Table]:
    """(kept rows, DROP_SCHEMA rows of the dropped ones) for one batch.

    The kept rows come from the rewritten table when the filter rewrote; the report shows
    each dropped row as it was *before* the filter (what the user needs to judge the drop).
    """
    if len(verdicts.reason) != table.num_rows:
        raise ValueError(f"{stage}: verdicts for {len(verdicts.reason)} rows, batch has {table.num_rows}")
    drop = pl.Series(values=verdicts.reason).is_not_null()
    source = verdicts.table if verdicts.table is not None else table
    kept = source.filter(pa.array((~drop).to_numpy(), pa.bool_()))
    if not drop.any():
        return kept, DROP_SCHEMA.empty_table()
    return kept, _report(table, drop, verdicts.reason, verdicts.detail, stage)


def rewrite_rows(table: pa.Table, verdicts: Verdicts, stage: str) -> pa.Table:
    """DROP_SCHEMA rows, one per row the filter rewrote and kept: reason = the rewrite code,
    detail = what changed, raw = the row before the rewrite."""
    if verdicts.rewritten is None or verdicts.table is None:
        return DROP_SCHEMA.empty_table()
    n = len(verdicts.reason)
    changed = pl.Series(values=verdicts.rewritten, dtype=pl.Boolean).fill_null(False)
    changed = changed & pl.Series(values=verdicts.reason).is_null()
    if not changed.any():
        return DROP_SCHEMA.empty_table()
    code = f"rewritten:{stage}"
    reason = verdicts.rewrite_reason if verdicts.rewrite_reason is not None else pa.nulls(n, pa.string())
    reason = pl.Series(values=reason, dtype=pl.String).fill_null(code)
    detail = verdicts.rewrite_detail if verdicts.rewrite_detail is not None else pa.nulls(n, pa.string())
    return _report(table, changed, reason, detail, stage)


def _report(table: pa.Table, rows: pl.Series, reason, detail, stage: str) -> pa.Table:
    """DROP_SCHEMA rows of `table` where `rows` (bool) is set, showing each row as `table` has it."""
    frame = pl.from_arrow(table.select(["id", "source", "kind", "messages", "text"]))
    report = (
        frame.with_columns(
            pl.Series("reason", reason, dtype=pl.String),
            pl.Series("detail", detail, dtype=pl.String),
        )
        .filter(rows)
        .select(
            "source",
            pl.lit(stage).alias("stage"),
            "reason",
            pl.col("detail").fill_null(pl.col("reason")),
            "id",
            pl.lit(None, pl.String).alias("file"),
            pl.lit(None, pl.Int64).alias("line"),
            pl.lit(None, pl.String).alias("duplicate_of"),
            pl.lit(None, pl.Float64).alias("similarity"),
            raw_json(),
        )
    )
    return report.to_arrow().cast(DROP_SCHEMA)
