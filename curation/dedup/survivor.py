"""THE survivor rule: which row of a group of duplicates is kept (exact and near dedup).

Within a group, the kept row is the first in this order:

1. the lowest source priority number (``priorities``: source name -> int, from the
   manifest or ``--priority``; a source not named has priority 0), so a curated source
   can win over a scraped copy of it;
2. then the highest quality score when a score column is given, else the longest dedup
   text (characters, after normalisation): the fuller copy carries more;
3. then the smallest id (plain string order), then the smallest source name (ids are
   unique within a source only). The ingest marks the k-th repeat of an id as ``X#k``,
   and ``X`` < ``X#2`` < ``X#3``, so among identical rows the first occurrence wins.

The rule looks only at the rows' values, never at their position, so the survivor does not
depend on input order, chunking or the number of workers; and it is a total order (id and
source together are unique), so there are no ties left to chance.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

PRIORITY = "_priority"


def priority_expr(priorities: Mapping[str, int] | None, source: str = "source") -> pl.Expr:
    """Each row's source priority number (0 for a source not in `priorities`)."""
    # A column expression even when every priority is 0: a literal inside sort_by(...).over()
    # is not broadcast per group by polars 2.1 (it gave null survivors).
    return pl.col(source).replace_strict(dict(priorities or {}), default=0, return_dtype=pl.Int64).alias(PRIORITY)


def order_exprs(
    priorities: Mapping[str, int] | None = None,
    score: str | None = None,
    length: str = "length",
    id: str = "id",
    source: str = "source",
) -> tuple[list[pl.Expr], list[bool]]:
    """Sort keys and their `descending` flags: sorting a group by them puts its survivor first.

    `score` names a float column (higher is better); without it `length` (characters) is used.
    """
    merit = pl.col(score) if score is not None else pl.col(length)
    return [priority_expr(priorities, source), merit, pl.col(id), pl.col(source)], [False, True, False, False]


def survivor_value(
    column: str,
    group: list[str] | str,
    priorities: Mapping[str, int] | None = None,
    score: str | None = None,
    length: str = "length",
    id: str = "id",
    source: str = "source",
) -> pl.Expr:
    """`column` of the survivor of each row's group (a window expression over `group`)."""
    by, descending = order_exprs(priorities, score, length, id, source)
    return pl.col(column).sort_by(by, descending=descending).first().over(group)


def survivor_of(group: list[str] | str, priorities: Mapping[str, int] | None = None, **names: str | None) -> pl.Expr:
    """The id of the survivor of each row's group."""
    return survivor_value(names.get("id") or "id", group, priorities, **names)


def survivor_source_of(
    group: list[str] | str, priorities: Mapping[str, int] | None = None, **names: str | None
) -> pl.Expr:
    """The source of the survivor of each row's group (pairs with survivor_of)."""
    return survivor_value(names.get("source") or "source", group, priorities, **names)
