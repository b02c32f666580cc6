"""Public tests: a first look at the interface. The hidden tests check much more."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def ev(submission):
    return submission.module("eval_harness")


def test_confusion_matrix_of_a_small_case(ev):
    cm = ev.confusion_matrix([0, 0, 1, 1, 1], [0, 1, 1, 0, 1])
    np.testing.assert_array_equal(cm, [[1, 1], [1, 2]])


def test_precision_recall_f1_of_a_small_case(ev):
    p, r, f1 = ev.precision_recall_f1([0, 0, 1, 1, 1], [0, 1, 1, 0, 1])
    assert (p, r) == pytest.approx((2 / 3, 2 / 3))
    assert f1 == pytest.approx(2 / 3)


def test_group_split_keeps_users_apart(ev):
    users = ["a", "a", "b", "b", "c", "c", "d", "d"]
    train, test = ev.group_split(users, test_size=0.25, seed=0)
    assert not {users[i] for i in train} & {users[i] for i in test}
