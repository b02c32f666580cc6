"""Hidden complexity test: splitting scales with the data, not with data x users."""

from __future__ import annotations

import pytest


@pytest.mark.rubric("complexity", weight=2)
def test_group_split_is_n_log_n_in_rows(submission, complexity):
    ev = submission.module("eval_harness")
    try:
        ev.group_split(["a", "a", "b", "c"], 0.5, seed=0)
    except Exception as exc:
        pytest.fail(f"complexity points need a working group_split: {type(exc).__name__}: {exc}")
    # four rows per user: the number of users grows with the rows
    complexity.require(
        lambda users: ev.group_split(users, 0.3, seed=0),
        lambda n: [i // 4 for i in range(max(n, 8))],
        "O(n log n)",
        max_n=200_000,
        label="group_split",
    )
