"""filter_run over a real ingested run: every row accounted for, drops in the report."""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from curation.filters.base import Verdicts
from curation.filters.stage import filter_run
from curation.ingest import SourceSpec, ingest_source, write_summary
from curation.readers import Location
from curation.report import RunDirError, load_drops, load_summary


def _run(tmp_path: Path) -> Path:
    src = tmp_path / "alpaca.jsonl"
    rows = [f'{{"instruction": "q{i}", "input": "", "output": "answer {i}"}}' for i in range(10)]
    src.write_text("\n".join(rows) + "\n")
    run = tmp_path / "ingest"
    ingest_source(SourceSpec("alpaca", "alpaca", Location(path=str(src))), run)
    write_summary(run)
    return run


def _drop_even(table: pa.Table) -> Verdicts:
    # Drops rows whose answer ends in an even digit.
    answers = pc.struct_field(pc.list_element(table.column("messages"), 1), "content")
    even = pc.match_substring_regex(answers, r"[02468]$")
    reason = pc.if_else(even, pa.scalar("test:even"), pa.scalar(None, pa.string()))
    detail = pc.if_else(even, pc.binary_join_element_wise("answer ", answers, ""), pa.scalar(None, pa.string()))
    return Verdicts(reason, detail)


def test_filter_run_accounts_for_every_row(tmp_path):
    run = _run(tmp_path)
    out = tmp_path / "filtered"
    summary = filter_run(run, out, [("even", _drop_even)])
    src = summary.sources[0]
    assert src.kept_rows == 5
    assert [s.stage for s in src.stages][-1] == "even"
    drops = load_drops(out).collect().to_dicts()
    assert sorted(d["reason"] for d in drops) == ["test:even"] * 5
    assert load_summary(out).sources[0].kept_rows == 5


def test_filter_run_bad_input(tmp_path):
    run = _run(tmp_path)
    with pytest.raises(ValueError, match="chain is empty"):
        filter_run(run, tmp_path / "o", [])
    with pytest.raises(ValueError, match="unique"):
        filter_run(run, tmp_path / "o", [("a", _drop_even), ("a", _drop_even)])
    with pytest.raises(ValueError, match="must differ"):
        filter_run(run, run, [("a", _drop_even)])
    with pytest.raises(RunDirError):
        filter_run(tmp_path / "nope", tmp_path / "o", [("a", _drop_even)])
