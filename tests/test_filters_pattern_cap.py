"""Opening-pattern report and the share cap: the cap holds, drops are order-independent."""

from __future__ import annotations

import polars as pl
import pytest

from curation.filters.pattern_cap import PatternCap, opening_patterns, pattern_report, scaffold_patterns


def corpus(n: int = 1000, step_share: float = 0.4) -> pl.DataFrame:
    """n chat rows; `step_share` of them answer "Step 1: ...", the rest open uniquely."""
    rows = []
    for i in range(n):
        if i < n * step_share:
            verb = ("read", "parse", "take", "load")[i % 4]  # "Step 1:" is one tic whatever follows
            resp = f"Step 1: {verb} the input {i}. Step 2: answer."
        elif i % 10 == 0:
            resp = f"Sure! Here's the answer {i}."
        else:
            resp = f"Answer number {i} follows from the question."
        rows.append(
            {
                "id": f"r{i}",
                "source": "a" if i % 2 else "b",
                "kind": "chat",
                "messages": [
                    {"role": "user", "content": "q", "reasoning": None, "tool_calls": None},
                    {"role": "assistant", "content": resp, "reasoning": None, "tool_calls": None},
                ],
            }
        )
    rows.append({"id": "doc", "source": "a", "kind": "text", "messages": None})
    return pl.DataFrame(rows)


def share(rows: pl.DataFrame, opening: str, k: int = 4) -> float:
    top = opening_patterns(rows, k).filter(pl.col("opening") == opening)
    return top["share"].item() if top.height else 0.0


def test_opening_patterns_normalise_and_count() -> None:
    rows = corpus()
    top = opening_patterns(rows.lazy(), k=4).row(0, named=True)
    assert top == {"opening": "step 1:", "count": 400, "share": 0.4}  # documents are not counted
    # Without scaffold grouping the first 4 words split the tic into four openings.
    words = opening_patterns(rows.lazy(), k=4, scaffolds=False).head(4)
    assert set(words["opening"]) == {f"step 1 {v} the" for v in ("read", "parse", "take", "load")}
    assert words["count"].to_list() == [100] * 4


def test_cap_brings_step1_down_to_max_share() -> None:
    rows = corpus()
    cap = PatternCap(k=4, max_share=0.1, seed=0)
    drops = cap.plan(rows)
    assert set(drops["reason"]) == {"pattern_cap:step 1:"}
    assert "doc" not in set(drops["id"])
    kept = rows.filter(~pl.col("id").is_in(drops["id"].implode()))
    after = share(kept, "step 1:")
    assert 0.09 < after <= 0.1
    # floor(0.1 * 600 / 0.9) = 66 kept of 400: 66 / 666 rows.
    assert drops.height == 400 - 66
    assert "share 0.4 -> 0.0991" in drops["detail"][0] and "kept 66 of 400" in drops["detail"][0]
    report = pattern_report(kept, k=4, top=3)
    overall = report.filter(pl.col("scope") == "*").row(0, named=True)
    assert overall["opening"] == "step 1:" and overall["share"] <= 0.1
    assert set(report["scope"]) == {"*", "a", "b"}


def test_same_ids_dropped_for_shuffled_input() -> None:
    rows = corpus()
    cap = PatternCap(k=4, max_share=0.1, seed=7)
    first = set(cap.plan(rows)["id"])
    shuffled = set(cap.plan(rows.sample(fraction=1.0, shuffle=True, seed=11))["id"])
    assert first == shuffled
    assert first != set(PatternCap(k=4, max_share=0.1, seed=8).plan(rows)["id"])


def test_several_openings_iterate_until_all_under_cap() -> None:
    # 35% A, 30% B, 20% C, 15% unique: capping A and B shrinks the rows so C goes over too.
    rows = []
    for i in range(1000):
        resp = "alpha opening" if i < 350 else "beta opening" if i < 650 else "gamma opening" if i < 850 else f"u{i}"
        rows.append({"id": str(i), "source": "s", "kind": "chat",
                     "messages": [{"role": "assistant", "content": resp, "reasoning": None, "tool_calls": None}]})
    frame = pl.DataFrame(rows)
    drops = PatternCap(k=2, max_share=0.25).plan(frame)
    kept = frame.filter(~pl.col("id").is_in(drops["id"].implode()))
    shares = opening_patterns(kept, 2)
    assert shares["share"].max() <= 0.25
    assert {"pattern_cap:alpha opening", "pattern_cap:beta opening", "pattern_cap:gamma opening"} == set(drops["reason"])


def test_nothing_dropped_under_the_cap() -> None:
    assert PatternCap(k=4, max_share=0.5).plan(corpus()).height == 0


def test_scaffolds_reported_separately() -> None:
    sc = scaffold_patterns(corpus()).to_dicts()
    by = {r["scaffold"]: r for r in sc}
    assert by["step 1:"]["at_start"] == 400 and by["step 1:"]["share_at_start"] == 0.4
    assert by["sure! here's"]["at_start"] == 60
    assert by["great question"]["anywhere"] == 0
    per_source = scaffold_patterns(corpus(), by_source=True)
    assert set(per_source["source"]) == {"a", "b"}


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"k": 0}, "k"), ({"max_share": 0.0}, "max_share"), ({"max_share": 1.0}, "max_share"), ({"seed": "x"}, "seed")],
)
def test_bad_parameters(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        PatternCap(**kwargs)


def test_rows_must_be_polars() -> None:
    with pytest.raises(TypeError, match="LazyFrame or DataFrame"):
        opening_patterns([{"id": "x"}])


def _chat(responses: list[str]) -> pl.DataFrame:
    turn = {"role": "assistant", "reasoning": None, "tool_calls": None}
    return pl.DataFrame(
        [
            {"id": f"r{i}", "source": "s", "kind": "chat", "messages": [{**turn, "content": r}]}
            for i, r in enumerate(responses)
        ]
    )


@pytest.mark.parametrize("k", [1, 2, 4, 6])
def test_opening_is_the_first_k_words_of_the_whole_answer(k: int) -> None:
    """The opening read from the answer's first 256 characters (one anchored extract) equals the
    plain definition over the whole answer: lowercase, punctuation removed, first k words joined
    by one space; null when the answer has no word."""
    import random

    from curation.filters.pattern_cap import _words, opening

    rng = random.Random(k)
    pieces = ["Word", "ÉTÉ", "σΣ", "été", "x" * 300, "—", "!!", "42", "a-b", "don't", "中文", "\u00a0", " ", "\t", "\n", "  "]
    made = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30))) for _ in range(3000)]
    edges = ["", "   ", "!!! ...", "one", "one two three four", "one two three four five", " " * 255 + "a b c d e f g"]
    edges += ["w " * 127 + "last", "a " * (k - 1) + "y" * 300 + " z", "Step 1: do it", "Sure! Here's how"]
    rows = _chat(made + edges)
    fast = rows.select(opening(k, scaffolds=False).alias("o"))["o"]
    words = _words(pl.col("messages").list.last().struct.field("content")).list.head(k)
    plain = rows.select(pl.when(words.list.len() > 0).then(words.list.join(" ")).alias("o"))["o"]
    assert fast.to_list() == plain.to_list()
    assert fast.null_count() > 0 and fast.drop_nulls().str.contains("  ").sum() == 0


def test_an_opening_at_exactly_max_share_is_not_capped() -> None:
    """The share may reach max_share, not pass it: exact rationals, no float error at the edge
    (0.1 * 30 is 3.0000000000000004 in floats)."""
    cap = PatternCap(k=4, max_share=0.1)
    assert cap.caps({"a": 3, "b": 1}, 30) == {}
    assert cap.caps({"a": 4, "b": 1}, 30) == {"a": 2}  # 2 <= 0.1 * (26 + 2)
    assert PatternCap(k=4, max_share=0.2).caps({"a": 2, "b": 2}, 10) == {}
