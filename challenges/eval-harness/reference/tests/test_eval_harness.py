"""My own tests for eval_harness: hand-worked metrics, leak-free splits, significance flags."""

from __future__ import annotations

import math

import numpy as np
import pytest
from eval_harness import (
    MajorityBaseline,
    confusion_matrix,
    group_split,
    precision_recall_f1,
    subgroup_report,
    worst_mistakes,
)

# ---------------------------------------------------------------- confusion matrix, metrics


def test_confusion_matrix_layout():
    y_true = [0, 0, 0, 1, 1, 0, 1]
    y_pred = [0, 1, 1, 1, 0, 0, 1]
    # TN: rows 0, 5   FP: rows 1, 2   FN: row 4   TP: rows 3, 6
    cm = confusion_matrix(y_true, y_pred)
    assert isinstance(cm, np.ndarray)
    np.testing.assert_array_equal(cm, [[2, 2], [1, 2]])


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [
        ([0, 1, 1], [0, 1]),  # different lengths
        ([0, 1, 2], [0, 1, 1]),  # a label that is not 0 or 1
        ([0, 1, 1], [0, -1, 1]),
    ],
    ids=["lengths-differ", "label-2", "label-minus-1"],
)
def test_confusion_matrix_rejects_bad_inputs(y_true, y_pred):
    with pytest.raises(ValueError):
        confusion_matrix(y_true, y_pred)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "expected"),
    [
        # TP 2, FP 2, FN 1: P = 2/4, R = 2/3, F1 = 2PR/(P+R) = (2/3)/(7/6) = 4/7
        ([0, 0, 0, 1, 1, 0, 1], [0, 1, 1, 1, 0, 0, 1], (1 / 2, 2 / 3, 4 / 7)),
        # predicts 1 everywhere: TP 1, FP 3: P = 1/4, R = 1, F1 = 0.5/1.25 = 0.4
        ([1, 0, 0, 0], [1, 1, 1, 1], (1 / 4, 1.0, 0.4)),
        # one hit of four positives: P = 1, R = 1/4, F1 = 0.4
        ([1, 1, 1, 1, 0], [1, 0, 0, 0, 0], (1.0, 1 / 4, 0.4)),
        # TP 3, FP 1, FN 1: P = R = F1 = 3/4
        ([1, 1, 0, 0, 1, 1], [1, 0, 1, 0, 1, 1], (3 / 4, 3 / 4, 3 / 4)),
        ([0, 1, 1, 0], [0, 1, 1, 0], (1.0, 1.0, 1.0)),
    ],
    ids=["mixed", "all-positive", "one-hit", "p-equals-r", "perfect"],
)
def test_precision_recall_f1_hand_worked(y_true, y_pred, expected):
    assert precision_recall_f1(y_true, y_pred) == pytest.approx(expected)


def test_f1_is_the_harmonic_not_the_arithmetic_mean():
    # TP 1, FP 2, FN 1: P = 1/3, R = 1/2; harmonic 0.4, the plain average would be 5/12
    precision, recall, f1 = precision_recall_f1([1, 0, 0, 0, 1], [1, 1, 1, 0, 0])
    assert (precision, recall) == pytest.approx((1 / 3, 1 / 2))
    assert f1 == pytest.approx(0.4)
    assert f1 == pytest.approx(2 * precision * recall / (precision + recall))
    assert f1 < (precision + recall) / 2


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [
        ([0, 0, 0], [0, 0, 0]),  # no positives at all
        ([1, 0, 1], [0, 0, 0]),  # nothing predicted positive: precision is 0/0
        ([0, 0], [1, 1]),  # no true positives to recall: recall is 0/0
        ([0, 1], [1, 0]),  # everything wrong: P = R = 0, so F1 is 0/0
    ],
    ids=["no-positives", "no-predicted-positives", "no-true-positives", "all-wrong"],
)
def test_zero_denominators_give_zero(y_true, y_pred):
    assert precision_recall_f1(y_true, y_pred) == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------- group_split


def _users(n_users: int, seed: int) -> list[str]:
    """Between 1 and 6 rows per user, the rows shuffled so users interleave."""
    rng = np.random.default_rng(seed)
    rows = np.repeat([f"user{u}" for u in range(n_users)], rng.integers(1, 7, size=n_users))
    return rng.permutation(rows).tolist()


@pytest.mark.parametrize("seed", range(5))
def test_split_keeps_each_user_on_one_side(seed):
    users = _users(20, seed)
    train, test = group_split(users, test_size=0.3, seed=seed)
    assert sorted([*np.asarray(train).tolist(), *np.asarray(test).tolist()]) == list(
        range(len(users))
    ), "every row exactly once"
    train_users = {users[i] for i in train}
    test_users = {users[i] for i in test}
    assert not train_users & test_users, "a user on both sides"
    assert len(test_users) == 6, "round(0.3 * 20 users) go to test"
    assert len(train_users) == 14


@pytest.mark.parametrize(
    ("n_users", "test_size", "expected"),
    [
        (10, 0.3, 3),
        (7, 0.4, 3),  # round(2.8)
        (3, 0.1, 1),  # round(0.3) = 0, but at least one user goes to test
        (3, 0.9, 2),  # round(2.7) = 3, but at least one user stays in train
        (2, 0.5, 1),
    ],
)
def test_split_sends_the_right_number_of_users_to_test(n_users, test_size, expected):
    users = [u for u in range(n_users) for _ in range(3)]
    train, test = group_split(users, test_size, seed=0)
    assert len({users[i] for i in test}) == expected
    assert len({users[i] for i in train}) == n_users - expected


def test_split_is_reproducible_from_the_seed():
    users = _users(30, seed=7)
    first = group_split(users, 0.25, seed=11)
    again = group_split(users, 0.25, seed=11)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    tests = {tuple(np.asarray(group_split(users, 0.25, seed=s)[1]).tolist()) for s in range(5)}
    assert len(tests) > 1, "the seed should change which users go to test"


@pytest.mark.parametrize(
    "users",
    [
        [3, 1, 3, 2, 1, 2, 2],
        [("alice", 1), ("bob", 2), ("alice", 1), ("carol", 3), ("bob", 2)],
        ["x", 5, ("y", 0), "x", 5],
    ],
    ids=["ints", "tuples", "mixed"],
)
def test_split_works_for_any_hashable_user_id(users):
    train, test = group_split(users, 0.5, seed=1)
    assert len(train) and len(test)
    assert len(train) + len(test) == len(users)
    assert not {users[i] for i in train} & {users[i] for i in test}


@pytest.mark.parametrize(
    ("users", "test_size"),
    [
        (["a", "b", "c"], 0.0),
        (["a", "b", "c"], 1.0),
        (["a", "b", "c"], -0.2),
        (["a", "b", "c"], 1.5),
        (["a", "a", "a"], 0.5),  # a single user cannot be split
        ([], 0.5),
    ],
)
def test_split_rejects_bad_arguments(users, test_size):
    with pytest.raises(ValueError):
        group_split(users, test_size, seed=0)


# ---------------------------------------------------------------- subgroup_report


def _predictions(counts: dict[str, tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels, predictions and groups where group g has n rows of which `right` are correct."""
    y, pred, groups = [], [], []
    for group, (n, right) in counts.items():
        labels = [i % 2 for i in range(n)]
        y += labels
        pred += [1 - t if i < n - right else t for i, t in enumerate(labels)]
        groups += [group] * n
    return np.array(y), np.array(pred), np.array(groups)


def _binomial_tail(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), straight from the definition."""
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def test_report_has_sizes_accuracies_and_exact_p_values():
    y, pred, groups = _predictions({"glasses": (10, 8), "no-glasses": (100, 90)})
    overall = 98 / 110
    reports = {r.group: r for r in subgroup_report(y, pred, groups)}
    assert set(reports) == {"glasses", "no-glasses"}
    assert (reports["glasses"].n, reports["no-glasses"].n) == (10, 100)
    assert reports["glasses"].accuracy == pytest.approx(0.8)
    assert reports["no-glasses"].accuracy == pytest.approx(0.9)
    assert reports["glasses"].p_value == pytest.approx(_binomial_tail(8, 10, overall), rel=1e-6)
    assert reports["no-glasses"].p_value == pytest.approx(
        _binomial_tail(90, 100, overall), rel=1e-6
    )


def test_small_unlucky_group_is_not_flagged():
    # 8 of 10 right among groups at 90%: P(X <= 8) is about 0.3, nowhere near 0.01
    y, pred, groups = _predictions({"glasses": (10, 8), "no-glasses": (100, 90)})
    reports = {r.group: r for r in subgroup_report(y, pred, groups)}
    assert reports["glasses"].accuracy < 98 / 110
    assert reports["glasses"].p_value > 0.2
    assert not reports["glasses"].flagged
    assert not reports["no-glasses"].flagged


def test_large_group_a_little_below_average_is_not_flagged():
    # 440 of 500 right (88%) against 89% overall: about 0.7 standard deviations low
    y, pred, groups = _predictions({"bright": (500, 450), "dim": (500, 440)})
    reports = {r.group: r for r in subgroup_report(y, pred, groups)}
    assert reports["dim"].accuracy == pytest.approx(0.88)
    assert reports["dim"].p_value > 0.1
    assert not any(r.flagged for r in reports.values())


def test_clearly_weak_group_is_flagged_and_listed_first():
    y, pred, groups = _predictions({"a": (200, 190), "b": (200, 186), "c": (100, 60)})
    reports = subgroup_report(y, pred, groups)
    assert [r.group for r in reports] == ["c", "b", "a"], "worst accuracy first"
    assert [r.accuracy for r in reports] == pytest.approx([0.6, 0.93, 0.95])
    assert {r.group for r in reports if r.flagged} == {"c"}
    assert reports[0].p_value < 1e-6


def test_alpha_sets_the_threshold():
    y, pred, groups = _predictions({"glasses": (10, 8), "no-glasses": (100, 90)})
    p_value = _binomial_tail(8, 10, 98 / 110)
    loose = {r.group: r for r in subgroup_report(y, pred, groups, alpha=p_value + 0.01)}
    strict = {r.group: r for r in subgroup_report(y, pred, groups, alpha=p_value - 0.01)}
    assert loose["glasses"].flagged
    assert not strict["glasses"].flagged


def _planted(seed: int, n_groups: int = 6, per_group: int = 250) -> tuple[np.ndarray, ...]:
    """Random labels, a model right 92% of the time except 70% on group g2."""
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"g{i}" for i in range(n_groups)], per_group)
    y = rng.integers(0, 2, size=groups.size)
    right = rng.random(groups.size) < np.where(groups == "g2", 0.70, 0.92)
    return y, np.where(right, y, 1 - y), groups


@pytest.mark.parametrize("seed", range(3))
def test_only_the_planted_weak_group_is_flagged(seed):
    y, pred, groups = _planted(seed)
    reports = subgroup_report(y, pred, groups)
    assert {r.group for r in reports if r.flagged} == {"g2"}
    assert reports[0].group == "g2"
    assert all(r.n == 250 for r in reports)
    accuracies = [r.accuracy for r in reports]
    assert accuracies == sorted(accuracies)


def test_perfect_group_has_p_value_one():
    y, pred, groups = _predictions({"a": (20, 20), "b": (20, 10)})
    reports = {r.group: r for r in subgroup_report(y, pred, groups)}
    assert reports["a"].p_value == pytest.approx(1.0)
    assert not reports["a"].flagged


def test_subgroup_report_needs_a_group_per_prediction():
    with pytest.raises(ValueError):
        subgroup_report([0, 1, 1], [0, 1, 0], ["a", "b"])


# ---------------------------------------------------------------- worst_mistakes


def test_worst_mistakes_most_confident_first():
    y = [0, 1, 1, 0, 0, 1, 0]
    proba = [0.8, 0.1, 0.7, 0.3, 0.55, 0.4, 0.2]
    # wrong: 0 (said 1 with 0.8), 1 (said 0 with 0.9), 4 (said 1 with 0.55), 5 (said 0 with 0.6)
    assert worst_mistakes(y, proba, k=2) == [1, 0]
    assert worst_mistakes(y, proba, k=10) == [1, 0, 5, 4]


def test_worst_mistakes_ties_go_to_the_lower_index():
    # rows 0, 1 and 2 are all wrong with confidence 0.75; row 3 with 0.9
    assert worst_mistakes([1, 0, 1, 0], [0.25, 0.75, 0.25, 0.9], k=4) == [3, 0, 1, 2]


def test_a_probability_of_one_half_predicts_one():
    assert worst_mistakes([0, 1], [0.5, 0.5], k=5) == [0]


def test_no_mistakes_gives_an_empty_list():
    assert worst_mistakes([0, 1, 1], [0.1, 0.9, 0.5], k=3) == []


# ---------------------------------------------------------------- baseline


@pytest.mark.parametrize(
    ("y", "label"),
    [([0, 0, 1, 0], 0), ([1, 1, 0], 1), ([0, 1, 1, 0], 1)],  # the last is a tie: 1
)
def test_majority_baseline(y, label):
    predictions = MajorityBaseline().fit(y).predict(5)
    np.testing.assert_array_equal(predictions, [label] * 5)
