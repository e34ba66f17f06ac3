"""Rows grouped by an integer code, in one sort: what a task does before writing each group of
its rows to its own file (a bucket, a range) or hashing each group with its own key."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def row_groups(codes: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(code, rows holding it) for each distinct code, codes ascending, rows in row order. One
    stable sort, where a mask per code (np.flatnonzero(codes == c)) costs rows x codes."""
    codes = np.asarray(codes)
    if codes.size == 0:
        return
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    for rows in np.split(order, bounds):
        yield codes[rows[0]].item(), rows
