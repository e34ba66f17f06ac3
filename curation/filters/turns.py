"""Polars expressions over the canonical `messages` column that several filters share."""

from __future__ import annotations

import polars as pl


def last_turn(role: str) -> pl.Expr:
    """The content of the last message with `role` in each row's `messages` (null when the
    row has none, e.g. documents): "the final response" for role "assistant", "the prompt"
    for role "user"."""
    return (
        pl.col("messages")
        .list.eval(pl.element().filter(pl.element().struct.field("role") == role).struct.field("content"))
        .list.last()
    )
