"""apply_verdicts: kept rows, report rows that show the row before the filter, bad verdicts."""

import json

import pyarrow as pa
import pytest

from curation.accounting import DROP_SCHEMA
from curation.filters.base import Verdicts, apply_verdicts
from curation.record import CANONICAL_SCHEMA


def _rows() -> pa.Table:
    def chat(i, answer):
        return {
            "id": f"r{i}",
            "source": "s",
            "kind": "chat",
            "messages": [
                {"role": "user", "content": "q", "reasoning": None, "tool_calls": None},
                {"role": "assistant", "content": answer, "reasoning": None, "tool_calls": None},
            ],
            "text": None,
            "meta": None,
        }

    return pa.Table.from_pylist([chat(0, "fine"), chat(1, "I am a human."), chat(2, "ok")], schema=CANONICAL_SCHEMA)


def test_apply_verdicts_drops_and_reports():
    table = _rows()
    v = Verdicts(pa.array([None, "identity_claim:human", None]), pa.array([None, 'matched "I am a human"', None]))
    assert v.dropped == 1
    kept, report = apply_verdicts(table, v, "identity")
    assert kept.column("id").to_pylist() == ["r0", "r2"]
    assert report.schema == DROP_SCHEMA
    row = report.to_pylist()[0]
    assert (row["id"], row["stage"], row["reason"], row["source"]) == ("r1", "identity", "identity_claim:human", "s")
    assert json.loads(row["raw"])["messages"][1]["content"] == "I am a human."


def test_rewritten_rows_are_kept_and_report_shows_the_original():
    table = _rows()
    rewritten = table.set_column(0, "id", pa.array(["r0", "r1", "r2-rewritten"]))
    v = Verdicts(pa.array([None, "x:y", None]), pa.array([None, "d", None]), rewritten, pa.array([False, False, True]))
    kept, report = apply_verdicts(table, v, "t")
    assert kept.column("id").to_pylist() == ["r0", "r2-rewritten"]
    assert report.column("id").to_pylist() == ["r1"]


def test_keep_all_and_bad_verdicts():
    table = _rows()
    kept, report = apply_verdicts(table, Verdicts.keep_all(3), "t")
    assert kept.num_rows == 3 and report.num_rows == 0
    with pytest.raises(ValueError, match="verdicts for 2 rows, batch has 3"):
        apply_verdicts(table, Verdicts.keep_all(2), "t")
    with pytest.raises(ValueError, match="differ in length"):
        Verdicts(pa.array([None, None], pa.string()), pa.array([None], pa.string()))
    with pytest.raises(ValueError, match="rewritten table has 3 rows"):
        Verdicts(pa.array([None], pa.string()), pa.array([None], pa.string()), table)
