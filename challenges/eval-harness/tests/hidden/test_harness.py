"""Hidden correctness tests: leakage-free splits, metrics, sub-population flags, mistakes."""

from __future__ import annotations

import math

import numpy as np
import pytest


@pytest.fixture
def ev(submission):
    return submission.module("eval_harness")


def _users(n_users=40, seed=0):
    rng = np.random.default_rng(seed)
    return [f"user{u}" for u in range(n_users) for _ in range(rng.integers(1, 30))]


@pytest.mark.rubric("correctness", weight=3)
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_split_never_leaks_a_user(ev, seed):
    users = _users(seed=seed)
    train, test = ev.group_split(users, test_size=0.3, seed=seed)
    train, test = np.asarray(train), np.asarray(test)
    assert sorted([*train.tolist(), *test.tolist()]) == list(range(len(users))), "every row once"
    assert not {users[i] for i in train} & {users[i] for i in test}, "a user on both sides"
    assert len({users[i] for i in test}) == 12, "round(0.3 * 40 users) = 12 test users"


@pytest.mark.rubric("correctness", weight=2)
def test_split_sends_at_least_one_and_at_most_all_but_one_user_to_test(ev):
    """round(test_size * users), clipped to 1..users-1: 3 users at 0.1 send one user to test
    (not none), 3 users at 0.9 send two (not all three)."""
    users = ["a", "a", "b", "c", "c", "c"]
    for test_size, expected in ((0.1, 1), (0.9, 2)):
        train, test = ev.group_split(users, test_size, seed=0)
        got = len({users[i] for i in np.asarray(test)})
        assert got == expected, f"test_size {test_size}, 3 users: {got} test users"
        assert len(train), f"test_size {test_size}: no training rows left"


@pytest.mark.rubric("correctness")
def test_split_is_reproducible_and_seed_dependent(ev):
    users = _users()
    a = ev.group_split(users, 0.25, seed=5)
    b = ev.group_split(users, 0.25, seed=5)
    c = ev.group_split(users, 0.25, seed=6)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize("users", [[1, 1, 2, 2], [("a", 1), ("a", 1), ("b", 2)]])
def test_split_works_for_any_hashable_user_id(ev, users):
    train, test = ev.group_split(users, 0.5, seed=0)
    assert len(train) and len(test)


@pytest.mark.rubric("correctness")
def test_split_rejects_bad_arguments(ev):
    with pytest.raises(ValueError):
        ev.group_split(["a", "b"], 1.5, seed=0)
    with pytest.raises(ValueError):
        ev.group_split(["a", "a"], 0.5, seed=0)


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize(
    ("y_true", "y_pred", "expected"),
    [
        ([1, 1, 0, 0, 1, 0, 1, 0], [1, 0, 0, 1, 1, 0, 1, 0], ((3 / 4), (3 / 4), 0.75)),
        ([1, 1, 1, 1], [1, 0, 0, 0], (1.0, 0.25, 0.4)),
        ([0, 0, 0], [0, 0, 0], (0.0, 0.0, 0.0)),  # no positives: 0.0, not an error
        ([1, 0, 1], [0, 0, 0], (0.0, 0.0, 0.0)),
    ],
)
def test_metrics_against_hand_worked_cases(ev, y_true, y_pred, expected):
    assert ev.precision_recall_f1(y_true, y_pred) == pytest.approx(expected)


@pytest.mark.rubric("correctness", weight=4)
def test_f1_is_the_harmonic_mean_when_precision_and_recall_differ(ev):
    """F1 is 2PR / (P + R): where precision and recall differ, their plain average is wrong."""
    cases = [
        ([1, 1, 1, 1], [1, 0, 0, 0], (1.0, 0.25, 0.4)),
        ([1, 0, 0, 0, 1], [1, 1, 1, 0, 0], (1 / 3, 0.5, 0.4)),
        ([1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1], (1 / 3, 1.0, 0.5)),
    ]
    for y_true, y_pred, expected in cases:
        got = ev.precision_recall_f1(y_true, y_pred)
        assert got == pytest.approx(expected), f"y_true={y_true} y_pred={y_pred}: {got}"


@pytest.mark.rubric("correctness")
def test_confusion_matrix_layout_and_validation(ev):
    np.testing.assert_array_equal(ev.confusion_matrix([1, 1, 1, 0], [1, 1, 0, 1]), [[0, 1], [1, 2]])
    with pytest.raises(ValueError):
        ev.confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError):
        ev.confusion_matrix([0, 2], [0, 1])


def _planted(seed, weak="g3", n_groups=8, per_group=300, good=0.92, bad=0.7):
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"g{i}" for i in range(n_groups)], per_group)
    y = rng.integers(0, 2, size=groups.size)
    accuracy = np.where(groups == weak, bad, good)
    right = rng.random(groups.size) < accuracy
    return y, np.where(right, y, 1 - y), groups


@pytest.mark.rubric("correctness", weight=3)
@pytest.mark.parametrize("seed", range(5))
def test_only_the_planted_weak_group_is_flagged(ev, seed):
    y, pred, groups = _planted(seed)
    reports = ev.subgroup_report(y, pred, groups)
    flagged = {r.group for r in reports if r.flagged}
    assert flagged == {"g3"}, f"flagged {sorted(flagged)}"
    assert reports[0].group == "g3", "groups are listed worst first"
    assert {r.group: r.n for r in reports}["g0"] == 300


@pytest.mark.rubric("correctness", weight=4)
def test_small_unlucky_group_is_not_flagged(ev):
    """A group of 10 with 8 right among groups at 90%: not significant, not flagged."""
    y = np.ones(1010, dtype=int)
    pred = y.copy()
    pred[:100] = 0  # 90% overall for the big group
    groups = np.array(["big"] * 1000 + ["small"] * 10)
    pred[1000:1002] = 0  # the small group gets 8 of 10
    reports = {r.group: r for r in ev.subgroup_report(y, pred, groups)}
    assert reports["small"].accuracy == pytest.approx(0.8)
    assert not reports["small"].flagged


@pytest.mark.rubric("correctness", weight=3)
def test_p_values_are_the_exact_binomial_tail(ev):
    """A group of 10 with 7 right among groups near 95%: its p-value is the exact binomial
    P(X <= 7), about 0.012, so at alpha 0.01 it is not flagged (a normal approximation
    puts it near 0.0001 and flags it)."""
    y = np.ones(1010, dtype=int)
    pred = y.copy()
    pred[:50] = 0  # the big group: 950 of 1000 right
    pred[1000:1003] = 0  # the small group: 7 of 10 right
    groups = np.array(["big"] * 1000 + ["small"] * 10)
    p0 = (950 + 7) / 1010
    exact = sum(math.comb(10, k) * p0**k * (1 - p0) ** (10 - k) for k in range(8))
    small = {r.group: r for r in ev.subgroup_report(y, pred, groups)}["small"]
    assert small.p_value == pytest.approx(exact, rel=1e-6), (
        f"p-value {small.p_value}, the exact one-sided binomial tail is {exact:.6f}"
    )
    assert not small.flagged


@pytest.mark.rubric("correctness")
def test_p_values_at_the_ends_of_the_tail(ev):
    """The exact tail at its ends: a group with every prediction right has p-value 1
    (P(X <= n) = 1), and when every prediction is wrong so has each group (P(X <= 0) at an
    overall accuracy of 0); nothing is flagged."""
    y = np.array([0, 1] * 20)
    pred = y.copy()
    pred[20:] = 1 - pred[20:]  # group b: every prediction wrong
    groups = np.array(["a"] * 20 + ["b"] * 20)
    perfect = {r.group: r for r in ev.subgroup_report(y, pred, groups)}["a"]
    assert perfect.p_value == pytest.approx(1.0), f"every prediction right: {perfect}"
    assert not perfect.flagged
    for report in ev.subgroup_report(y, 1 - y, groups):
        assert report.p_value == pytest.approx(1.0), f"every prediction wrong: {report}"
        assert not report.flagged


@pytest.mark.rubric("correctness")
def test_subgroup_report_needs_a_group_per_prediction(ev):
    """`ValueError` for `groups` of another length than the predictions."""
    with pytest.raises(ValueError):
        ev.subgroup_report([0, 1, 1], [0, 1, 0], ["a", "b"])


@pytest.mark.rubric("correctness", weight=2)
def test_a_probability_of_one_half_predicts_one(ev):
    """proba 0.5 predicts 1 ("at least 0.5"): for a true 0 it is a mistake, made with
    confidence 0.5, after the one made with 0.7."""
    assert ev.worst_mistakes([0, 1, 0], [0.5, 0.3, 0.1], k=5) == [1, 0]


@pytest.mark.rubric("correctness", weight=2)
def test_worst_mistakes_by_confidence(ev):
    y = [1, 0, 1, 0, 1, 0]
    proba = [0.9, 0.95, 0.2, 0.6, 0.05, 0.1]
    # wrong: 1 (said 1 with 0.95), 2 (said 0 with 0.8), 3 (said 1 with 0.6), 4 (said 0 with 0.95)
    assert ev.worst_mistakes(y, proba, k=3) == [1, 4, 2]
    assert ev.worst_mistakes(y, proba, k=10) == [1, 4, 2, 3]


@pytest.mark.rubric("correctness")
def test_majority_baseline(ev):
    base = ev.MajorityBaseline().fit([0, 0, 1, 0])
    np.testing.assert_array_equal(base.predict(3), [0, 0, 0])
    np.testing.assert_array_equal(ev.MajorityBaseline().fit([1, 1, 0]).predict(2), [1, 1])


@pytest.mark.rubric("correctness")
def test_majority_baseline_predicts_one_on_a_tie(ev):
    """The most frequent training label, 1 on a tie."""
    np.testing.assert_array_equal(ev.MajorityBaseline().fit([0, 1, 1, 0]).predict(3), [1, 1, 1])
    np.testing.assert_array_equal(ev.MajorityBaseline().fit([1, 0]).predict(2), [1, 1])
