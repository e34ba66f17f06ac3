"""The accounting invariants: input == kept + dropped, per stage and between stages."""

import pyarrow as pa
import pytest

from curation.accounting import RAW_EXCERPT_CHARS, AccountingError, StageCounts, drops_table, excerpt
from curation.summary import RunSummary, SourceSummary, StageSummary


def _drops(*reasons):
    return drops_table([{"source": "s", "stage": "read", "reason": r, "detail": "d"} for r in reasons])


def test_stage_counts_add_up_and_count_reasons():
    counts = StageCounts("s", "read")
    counts.add(5, 3, _drops("malformed:json", "malformed:json"))
    counts.add(2, 1, _drops("malformed:utf8"))
    assert (counts.input, counts.kept, counts.dropped) == (7, 4, 3)
    assert counts.reasons == {"malformed:json": 2, "malformed:utf8": 1}


def test_stage_counts_refuse_a_lost_row():
    with pytest.raises(AccountingError, match="5 rows in, 3 kept \\+ 1 dropped"):
        StageCounts("s", "read").add(5, 3, _drops("malformed:json"))


def test_excerpt_marks_what_it_cut():
    long = "x" * (RAW_EXCERPT_CHARS + 10)
    cut = excerpt(long)
    assert cut.startswith("x" * RAW_EXCERPT_CHARS) and cut.endswith(f"[truncated 10 of {len(long)} chars]")
    assert excerpt("short") == "short"
    assert drops_table([{"source": "s", "stage": "x", "reason": "r", "detail": "d", "raw": long}])["raw"][0].as_py() == cut


def _stage(stage, i, k, reasons):
    return StageSummary(stage=stage, input=i, kept=k, dropped=i - k, reasons=reasons)


def test_summary_checks_stage_chaining():
    good = SourceSummary(name="a", adapter="alpaca", location="x", stages=[
        _stage("read", 10, 9, {"malformed:json": 1}), _stage("adapt", 9, 7, {"malformed:missing_field": 2})])
    summary = RunSummary.of([good])
    assert (summary.totals.input, summary.totals.kept, summary.totals.dropped) == (10, 7, 3)
    broken = good.model_copy(update={"stages": [good.stages[0], _stage("adapt", 8, 6, {"x": 2})]})
    with pytest.raises(AccountingError, match="the stage before kept 9"):
        RunSummary.of([broken])
    bad_reasons = good.model_copy(update={"stages": [_stage("read", 10, 9, {"malformed:json": 2})]})
    with pytest.raises(AccountingError, match="reasons add up to 2"):
        RunSummary.of([bad_reasons])


def test_drop_table_has_the_report_schema():
    table = drops_table([{"source": "s", "stage": "dedup", "reason": "near_duplicate", "detail": "d",
                          "id": "b", "duplicate_of": "a", "similarity": 0.91}])
    assert table.schema.names[:4] == ["source", "stage", "reason", "detail"]
    assert table.column("similarity").type == pa.float64()
