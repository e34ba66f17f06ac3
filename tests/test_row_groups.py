"""row_groups: each distinct code once, ascending, with its rows in row order."""

import numpy as np

from curation.row_groups import row_groups


def test_groups_in_code_order_rows_in_row_order():
    got = [(code, rows.tolist()) for code, rows in row_groups(np.array([3, 1, 3, 2, 1, 3]))]
    assert got == [(1, [1, 4]), (2, [3]), (3, [0, 2, 5])]


def test_no_rows_no_groups():
    assert list(row_groups(np.zeros(0, np.int64))) == []


def test_large_codes_stay_exact():
    codes = np.array([2**62 + 1, 2**62, 2**62 + 1], dtype=np.int64)
    assert [(c, r.tolist()) for c, r in row_groups(codes)] == [(2**62, [1]), (2**62 + 1, [0, 2])]
