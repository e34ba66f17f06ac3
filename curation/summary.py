"""The run summary: rows in, kept and dropped per source x stage x reason.

These pydantic models are the boundary type of `summary.json` (exported as JSON Schema to
`schemas/run_summary.schema.json`). `check` enforces the accounting invariants: within a
stage input == kept + dropped and the reasons add up to dropped; between stages one
stage's kept rows are the next stage's input.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from curation.accounting import AccountingError, StageCounts


class StageSummary(BaseModel):
    stage: str = Field(description="Stage name: read, adapt, dedup, filter, ...")
    input: int = Field(description="Rows that entered the stage.")
    kept: int = Field(description="Rows the stage passed on.")
    dropped: int = Field(description="Rows the stage dropped; each is a row of the dropped-row report.")
    reasons: dict[str, int] = Field(description="Dropped rows by reason code.")
    rewritten: dict[str, int] = Field(
        default_factory=dict,
        description="Kept rows the stage changed (identity rewrite, PII redaction, ...) by rewrite code; "
        "each is a row of the rewritten-row report.",
    )

    @classmethod
    def of(cls, counts: StageCounts) -> StageSummary:
        return cls(**counts.to_dict())


class SourceSummary(BaseModel):
    name: str = Field(description="Source name.")
    adapter: str = Field(description="Adapter that mapped the source to canonical records.")
    location: str = Field(description="Where the rows were read from (path, glob or hf:dataset).")
    stages: list[StageSummary] = Field(description="Stages in the order they ran.")
    repeated_ids: int = Field(
        default=0,
        description="Rows whose id an earlier row of the source had; kept, with the suffix #k for the k-th occurrence.",
    )

    @property
    def input_rows(self) -> int:
        return self.stages[0].input if self.stages else 0

    @property
    def kept_rows(self) -> int:
        return self.stages[-1].kept if self.stages else 0

    @property
    def dropped_rows(self) -> int:
        return sum(s.dropped for s in self.stages)


class Totals(BaseModel):
    input: int = Field(description="Rows read over all sources.")
    kept: int = Field(description="Rows kept after the last stage over all sources.")
    dropped: int = Field(description="Rows dropped over all sources and stages.")
    reasons: dict[str, int] = Field(description="Dropped rows by reason code over all sources and stages.")
    rewritten: dict[str, int] = Field(
        default_factory=dict, description="Kept rows changed by a stage, by rewrite code, over all sources and stages."
    )


class RunSummary(BaseModel):
    """summary.json of a run directory."""

    version: int = Field(default=1, description="Format version of this file.")
    sources: list[SourceSummary] = Field(description="One entry per source, sorted by name.")
    totals: Totals

    @classmethod
    def of(cls, sources: list[SourceSummary]) -> RunSummary:
        reasons: Counter = Counter()
        rewritten: Counter = Counter()
        for src in sources:
            for st in src.stages:
                reasons.update(st.reasons)
                rewritten.update(st.rewritten)
        summary = cls(
            sources=sorted(sources, key=lambda s: s.name),
            totals=Totals(
                input=sum(s.input_rows for s in sources),
                kept=sum(s.kept_rows for s in sources),
                dropped=sum(s.dropped_rows for s in sources),
                reasons=dict(sorted(reasons.items())),
                rewritten=dict(sorted(rewritten.items())),
            ),
        )
        summary.check()
        return summary

    def check(self) -> None:
        """Raise AccountingError unless every row is accounted for."""
        for src in self.sources:
            previous_kept = None
            for st in src.stages:
                where = f"{src.name}/{st.stage}"
                if st.input != st.kept + st.dropped:
                    raise AccountingError(f"{where}: input {st.input} != kept {st.kept} + dropped {st.dropped}")
                if sum(st.reasons.values()) != st.dropped:
                    raise AccountingError(f"{where}: reasons add up to {sum(st.reasons.values())}, dropped {st.dropped}")
                if previous_kept is not None and st.input != previous_kept:
                    raise AccountingError(f"{where}: input {st.input} but the stage before kept {previous_kept}")
                previous_kept = st.kept
        if self.totals.input != self.totals.kept + self.totals.dropped:
            raise AccountingError(
                f"totals: input {self.totals.input} != kept {self.totals.kept} + dropped {self.totals.dropped}"
            )

    def write(self, path: Path) -> None:
        from curation.fileio import atomic_write_text

        atomic_write_text(path, self.model_dump_json(indent=2) + "\n")

    @classmethod
    def read(cls, path: Path) -> RunSummary:
        return cls.model_validate_json(path.read_text())
