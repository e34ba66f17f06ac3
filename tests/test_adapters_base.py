"""The driver's shared helpers (curation.adapters.base) on their own."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import _compact, extra_json, split_think


def test_extra_json_leaves_out_nulls_and_sorts_keys() -> None:
    df = pl.DataFrame(
        {
            "b": ["x", None, None],
            "a": [True, False, None],
            "meta": ['{"k": [1, 2]}', "not json", None],
        }
    )
    out = df.select(extra_json(df, ["meta", "b", "a", "absent"], json_names=("meta",)).alias("extra"))
    assert out["extra"].to_list() == [
        '{"a":true,"b":"x","meta":{"k":[1,2]}}',
        '{"a":false,"meta":"not json"}',
        None,  # nothing to keep: null, not "{}"
    ]


def test_extra_json_of_no_present_column_is_null() -> None:
    df = pl.DataFrame({"a": ["x"]})
    assert df.select(extra_json(df, ["absent"]).alias("extra"))["extra"].to_list() == [None]


def test_split_think_moves_the_block_but_keeps_existing_reasoning() -> None:
    turns = [
        {"role": "assistant", "content": " <think>\nhmm\n</think>\n\na", "reasoning": None},
        {"role": "assistant", "content": "<think>t</think>b", "reasoning": "own"},
        {"role": "user", "content": "<think>q</think>c", "reasoning": None},
        {"role": "assistant", "content": "plain", "reasoning": None},
    ]
    df = pl.DataFrame({"messages": [turns, None]})
    out = df.select(split_think(pl.col("messages")))["messages"].to_list()
    assert out == [
        [
            {"role": "assistant", "content": "a", "reasoning": "hmm"},
            {"role": "assistant", "content": "b", "reasoning": "own"},
            {"role": "user", "content": "<think>q</think>c", "reasoning": None},
            {"role": "assistant", "content": "plain", "reasoning": None},
        ],
        None,
    ]


def _lists(rows: list[list[str | None]]) -> pa.Array:
    return pa.array([[{"content": c} for c in row] for row in rows], pa.large_list(pa.struct([("content", pa.string())])))


def test_compact_keeps_a_list_array_that_references_its_whole_child() -> None:
    lists = _lists([["a"], ["b", "c"]])
    assert _compact(lists) is lists


def test_compact_drops_the_turns_of_filtered_out_rows() -> None:
    lists = _lists([[None], ["b", "c"], ["d"]])
    # polars filters a list column by offsets: the first row's turn stays in the child.
    kept = pl.Series("m", lists).filter(pl.Series([False, True, True])).to_arrow()
    assert len(kept.values) == 4
    compacted = _compact(kept)
    assert compacted.to_pylist() == kept.to_pylist()
    assert compacted.values.to_pylist() == [{"content": c} for c in "bcd"]
