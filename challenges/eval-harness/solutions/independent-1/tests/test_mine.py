"""My own tests for eval_harness, written from the challenge statement.

Deterministic (every random draw is seeded) and quick.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from eval_harness import (
    GroupReport,
    MajorityBaseline,
    confusion_matrix,
    group_split,
    precision_recall_f1,
    subgroup_report,
    worst_mistakes,
)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def binom_cdf(k, n, p):
    """P(X <= k) for X ~ Binomial(n, p), exactly, with math.comb."""
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def users_of(groups, idx):
    return {groups[i] for i in idx}


def check_partition(groups, train, test):
    train = np.asarray(train)
    test = np.asarray(test)
    assert np.issubdtype(train.dtype, np.integer) or train.size == 0
    assert np.issubdtype(test.dtype, np.integer)
    rows = sorted(train.tolist() + test.tolist())
    assert rows == list(range(len(groups))), "every row exactly once"
    assert not users_of(groups, train) & users_of(groups, test), "a user on both sides"


# --------------------------------------------------------------------------
# group_split
# --------------------------------------------------------------------------


def test_split_returns_numpy_arrays_and_partitions_rows():
    groups = ["a", "b", "a", "c", "b", "d", "c", "d", "e", "a"]
    train, test = group_split(groups, test_size=0.4, seed=1)
    assert isinstance(train, np.ndarray) and isinstance(test, np.ndarray)
    check_partition(groups, train, test)
    assert len(train) > 0 and len(test) > 0


@pytest.mark.parametrize("seed", range(10))
def test_split_never_leaks_a_user(seed):
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, 30, size=500).tolist()  # users interleaved in random order
    train, test = group_split(groups, test_size=0.3, seed=seed)
    check_partition(groups, train, test)


@pytest.mark.parametrize(
    ("n_users", "test_size", "expected"),
    [
        (10, 0.37, 4),  # round(3.7) = 4 (not truncated to 3)
        (10, 0.33, 3),  # round(3.3) = 3 (not rounded up to 4)
        (10, 0.2, 2),
        (10, 0.5, 5),
        (7, 0.3, 2),  # round(2.1) = 2
        (7, 0.35, 2),  # round(2.45) = 2
        (7, 0.4, 3),  # round(2.8) = 3
        (10, 0.01, 1),  # round(0.1) = 0 -> at least 1
        (10, 0.99, 9),  # round(9.9) = 10 -> at most all but one
        (2, 0.1, 1),
        (2, 0.9, 1),
        (3, 0.9, 2),
        (100, 0.123, 12),
    ],
)
def test_split_sends_the_right_number_of_users_to_test(n_users, test_size, expected):
    # several rows per user, of varying counts, so users != rows
    groups = [f"user{u}" for u in range(n_users) for _ in range(1 + u % 3)]
    train, test = group_split(groups, test_size=test_size, seed=0)
    check_partition(groups, train, test)
    assert len(users_of(groups, test)) == expected
    assert len(users_of(groups, train)) == n_users - expected


def test_split_counts_users_not_rows():
    # one user owns most rows: the count is of users
    groups = ["big"] * 90 + [f"u{i}" for i in range(9)]  # 10 users
    for seed in range(5):
        train, test = group_split(groups, test_size=0.3, seed=seed)
        check_partition(groups, train, test)
        assert len(users_of(groups, test)) == 3


def test_split_is_reproducible_from_the_seed():
    groups = [i // 3 for i in range(120)]
    a_train, a_test = group_split(groups, 0.25, seed=7)
    b_train, b_test = group_split(groups, 0.25, seed=7)
    np.testing.assert_array_equal(np.sort(a_train), np.sort(b_train))
    np.testing.assert_array_equal(np.sort(a_test), np.sort(b_test))


def test_split_depends_on_the_seed():
    groups = [i // 2 for i in range(200)]  # 100 users
    tests = {tuple(sorted(group_split(groups, 0.3, seed=s)[1].tolist())) for s in range(6)}
    assert len(tests) > 1


def test_split_chooses_users_at_random_not_always_the_same_ones():
    groups = [i % 20 for i in range(200)]
    picked = set()
    for seed in range(30):
        _, test = group_split(groups, 0.1, seed=seed)
        picked |= users_of(groups, test)
    # 2 users each time over 30 seeds: far more than 2 distinct users overall
    assert len(picked) > 5


def test_split_with_any_hashable_ids():
    groups = [("a", 1), None, 3, "3", frozenset({1}), 2.5, ("a", 1), None, 3, b"x"]
    train, test = group_split(groups, 0.3, seed=3)
    check_partition(groups, train, test)
    assert len(set(groups)) == 7
    assert len(users_of(groups, test)) == 2  # round(2.1)


def test_split_accepts_numpy_groups():
    groups = np.repeat(np.arange(8), 5)
    train, test = group_split(groups, 0.25, seed=0)
    groups_list = groups.tolist()
    check_partition(groups_list, train, test)
    assert len(users_of(groups_list, test)) == 2


@pytest.mark.parametrize("test_size", [0, 0.0, 1, 1.0, -0.2, 1.5])
def test_split_rejects_test_size_outside_open_unit_interval(test_size):
    with pytest.raises(ValueError):
        group_split(["a", "b", "c", "d"], test_size=test_size, seed=0)


@pytest.mark.parametrize("groups", [["only"] * 5, ["x"], []])
def test_split_rejects_fewer_than_two_users(groups):
    with pytest.raises(ValueError):
        group_split(groups, test_size=0.5, seed=0)


def test_split_two_users():
    groups = ["a", "a", "b"]
    train, test = group_split(groups, 0.5, seed=0)
    check_partition(groups, train, test)
    assert len(users_of(groups, test)) == 1
    assert len(users_of(groups, train)) == 1


# --------------------------------------------------------------------------
# confusion_matrix
# --------------------------------------------------------------------------


def test_confusion_matrix_hand_worked():
    y_true = [0, 0, 0, 1, 1, 1, 1, 0, 1]
    y_pred = [0, 1, 0, 1, 0, 1, 1, 1, 1]
    # TN: idx 0,2 -> 2; FP: idx 1,7 -> 2; FN: idx 4 -> 1; TP: idx 3,5,6,8 -> 4
    cm = confusion_matrix(y_true, y_pred)
    assert isinstance(cm, np.ndarray)
    assert cm.shape == (2, 2)
    np.testing.assert_array_equal(cm, [[2, 2], [1, 4]])


def test_confusion_matrix_rows_are_truth_columns_prediction():
    np.testing.assert_array_equal(confusion_matrix([0], [1]), [[0, 1], [0, 0]])  # FP
    np.testing.assert_array_equal(confusion_matrix([1], [0]), [[0, 0], [1, 0]])  # FN
    np.testing.assert_array_equal(confusion_matrix([1], [1]), [[0, 0], [0, 1]])  # TP
    np.testing.assert_array_equal(confusion_matrix([0], [0]), [[1, 0], [0, 0]])  # TN


def test_confusion_matrix_single_class_inputs():
    np.testing.assert_array_equal(confusion_matrix([1, 1, 1], [1, 1, 1]), [[0, 0], [0, 3]])
    np.testing.assert_array_equal(confusion_matrix([0, 0], [0, 0]), [[2, 0], [0, 0]])


def test_confusion_matrix_accepts_numpy_and_sums_to_n():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, size=200)
    y_pred = rng.integers(0, 2, size=200)
    cm = confusion_matrix(y_true, y_pred)
    assert cm.sum() == 200
    assert cm[1, 1] == np.sum((y_true == 1) & (y_pred == 1))
    assert cm[0, 1] == np.sum((y_true == 0) & (y_pred == 1))
    assert cm[1, 0] == np.sum((y_true == 1) & (y_pred == 0))
    assert cm[0, 0] == np.sum((y_true == 0) & (y_pred == 0))


def test_confusion_matrix_rejects_different_lengths():
    with pytest.raises(ValueError):
        confusion_matrix([0, 1, 1], [0, 1])
    with pytest.raises(ValueError):
        confusion_matrix([0], [0, 1])


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [([0, 2], [0, 1]), ([0, 1], [0, -1]), ([0, 1], [0, 3]), ([2, 1], [2, 1])],
)
def test_confusion_matrix_rejects_other_labels(y_true, y_pred):
    with pytest.raises(ValueError):
        confusion_matrix(y_true, y_pred)


# --------------------------------------------------------------------------
# precision_recall_f1
# --------------------------------------------------------------------------


def test_prf_hand_worked():
    y_true = [0, 0, 0, 1, 1, 1, 1, 0, 1]
    y_pred = [0, 1, 0, 1, 0, 1, 1, 1, 1]
    # TP 4, FP 2, FN 1
    p, r, f1 = precision_recall_f1(y_true, y_pred)
    assert p == pytest.approx(4 / 6)
    assert r == pytest.approx(4 / 5)
    assert f1 == pytest.approx(2 * (4 / 6) * (4 / 5) / (4 / 6 + 4 / 5))
    assert all(isinstance(v, float) for v in (p, r, f1))


def test_prf_precision_and_recall_differ():
    # TP 1, FP 3, FN 0: precision 1/4, recall 1 -> F1 = 2 * 0.25 / 1.25 = 0.4
    p, r, f1 = precision_recall_f1([1, 0, 0, 0], [1, 1, 1, 1])
    assert (p, r, f1) == pytest.approx((0.25, 1.0, 0.4))
    # and the other way round: TP 1, FP 0, FN 3
    p, r, f1 = precision_recall_f1([1, 1, 1, 1], [1, 0, 0, 0])
    assert (p, r, f1) == pytest.approx((1.0, 0.25, 0.4))


def test_prf_is_of_class_one():
    # many true negatives must not raise the metrics of class 1
    p, r, f1 = precision_recall_f1([0] * 10 + [1, 1], [0] * 10 + [1, 0])
    assert (p, r, f1) == pytest.approx((1.0, 0.5, 2 / 3))


def test_prf_perfect():
    assert precision_recall_f1([0, 1, 1, 0], [0, 1, 1, 0]) == pytest.approx((1.0, 1.0, 1.0))


def test_prf_no_predicted_positives():
    # precision has a zero denominator -> 0.0; recall 0/2 = 0.0; F1 0.0
    p, r, f1 = precision_recall_f1([1, 1, 0], [0, 0, 0])
    assert (p, r, f1) == (0.0, 0.0, 0.0)


def test_prf_no_true_positives_in_truth():
    # recall has a zero denominator -> 0.0; precision 0/2 = 0.0
    p, r, f1 = precision_recall_f1([0, 0, 0], [1, 1, 0])
    assert (p, r, f1) == (0.0, 0.0, 0.0)


def test_prf_all_negative():
    # every denominator zero
    p, r, f1 = precision_recall_f1([0, 0, 0], [0, 0, 0])
    assert (p, r, f1) == (0.0, 0.0, 0.0)
    assert all(isinstance(v, float) for v in (p, r, f1))


def test_prf_all_wrong():
    assert precision_recall_f1([1, 0, 1, 0], [0, 1, 0, 1]) == (0.0, 0.0, 0.0)


def test_prf_validates_like_confusion_matrix():
    with pytest.raises(ValueError):
        precision_recall_f1([0, 1], [0])
    with pytest.raises(ValueError):
        precision_recall_f1([0, 2], [0, 1])


# --------------------------------------------------------------------------
# subgroup_report
# --------------------------------------------------------------------------


def test_report_fields_hand_worked():
    # group "g" 4 rows: 3 right; group "h" 6 rows: 6 right; overall 9/10
    y_true = [1, 1, 0, 0, 1, 0, 1, 0, 1, 0]
    y_pred = [1, 0, 0, 0, 1, 0, 1, 0, 1, 0]
    groups = ["g"] * 4 + ["h"] * 6
    reports = subgroup_report(y_true, y_pred, groups)
    assert all(isinstance(r, GroupReport) for r in reports)
    assert [r.group for r in reports] == ["g", "h"]
    g, h = reports
    assert (g.n, h.n) == (4, 6)
    assert g.accuracy == pytest.approx(0.75)
    assert h.accuracy == pytest.approx(1.0)
    assert g.p_value == pytest.approx(binom_cdf(3, 4, 0.9), rel=1e-9)
    assert h.p_value == pytest.approx(1.0, rel=1e-9)
    assert not g.flagged and not h.flagged


def test_report_is_worst_accuracy_first():
    groups = ["a"] * 10 + ["b"] * 10 + ["c"] * 10
    y_true = [1] * 30
    # a: 9 right, b: 5 right, c: 10 right
    y_pred = [1] * 9 + [0] + [1] * 5 + [0] * 5 + [1] * 10
    reports = subgroup_report(y_true, y_pred, groups)
    assert [r.group for r in reports] == ["b", "a", "c"]
    assert [r.accuracy for r in reports] == pytest.approx([0.5, 0.9, 1.0])
    accs = [r.accuracy for r in reports]
    assert accs == sorted(accs)


def test_report_p_value_is_exact_one_sided_binomial():
    rng = np.random.default_rng(5)
    n_rows = 300
    groups = rng.integers(0, 6, size=n_rows).tolist()
    y_true = rng.integers(0, 2, size=n_rows)
    # accuracy depends on the group
    right = rng.random(n_rows) < np.array([0.9, 0.85, 0.8, 0.7, 0.95, 0.6])[groups]
    y_pred = np.where(right, y_true, 1 - y_true)
    overall = float(np.mean(right))
    reports = subgroup_report(y_true.tolist(), y_pred.tolist(), groups, alpha=0.05)
    assert sorted(r.group for r in reports) == list(range(6))
    for r in reports:
        members = [i for i, g in enumerate(groups) if g == r.group]
        k = int(np.sum(right[members]))
        assert r.n == len(members)
        assert r.accuracy == pytest.approx(k / len(members))
        expected = binom_cdf(k, len(members), overall)
        assert r.p_value == pytest.approx(expected, rel=1e-6, abs=1e-300)
        assert r.flagged == (expected < 0.05)


def test_report_p_value_counts_at_most_as_many_right_inclusive():
    # overall accuracy 0.8 over 50 rows; group x: 20 rows, 13 right.
    # P(X <= 13) differs clearly from P(X < 13) and from P(X >= 13).
    groups = ["x"] * 20 + ["y"] * 30
    y_true = [1] * 50
    y_pred = [1] * 13 + [0] * 7 + [1] * 27 + [0] * 3
    reports = {r.group: r for r in subgroup_report(y_true, y_pred, groups)}
    overall = 40 / 50
    assert reports["x"].p_value == pytest.approx(binom_cdf(13, 20, overall), rel=1e-9)
    assert reports["y"].p_value == pytest.approx(binom_cdf(27, 30, overall), rel=1e-9)


def planted_weak_group_data(seed, weak=3, n_groups=8, size=300, good=0.9, bad=0.75):
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"g{i}" for i in range(n_groups)], size)
    y_true = rng.integers(0, 2, size=n_groups * size)
    acc = np.full(n_groups * size, good)
    acc[groups == f"g{weak}"] = bad
    right = rng.random(n_groups * size) < acc
    y_pred = np.where(right, y_true, 1 - y_true)
    order = rng.permutation(n_groups * size)  # shuffle rows
    return y_true[order].tolist(), y_pred[order].tolist(), groups[order].tolist()


@pytest.mark.parametrize("seed", range(5))
def test_report_flags_exactly_the_planted_weak_group(seed):
    weak = seed % 8
    y_true, y_pred, groups = planted_weak_group_data(seed, weak=weak)
    reports = subgroup_report(y_true, y_pred, groups)
    assert len(reports) == 8
    assert [r.group for r in reports if r.flagged] == [f"g{weak}"]
    assert reports[0].group == f"g{weak}"
    assert all(r.n == 300 for r in reports)


def test_report_does_not_flag_a_small_unlucky_group():
    # 1000 rows at 90%; a group of 5 with 3 right: P(X <= 3) = 0.08 > 0.01
    y_true = [1] * 1005
    y_pred = [1] * 900 + [0] * 100 + [1, 1, 1, 0, 0]
    groups = ["big"] * 1000 + ["small"] * 5
    reports = subgroup_report(y_true, y_pred, groups)
    small = next(r for r in reports if r.group == "small")
    assert small.accuracy == pytest.approx(0.6)
    assert small.p_value > 0.01
    assert not small.flagged
    assert reports[0].group == "small"  # still worst first
    assert not any(r.flagged for r in reports)


def test_report_does_not_flag_a_tiny_group_that_got_everything_wrong():
    # 1 row, wrong, overall 0.9: P(X <= 0) = 0.1 > 0.01
    y_true = [1] * 101
    y_pred = [1] * 91 + [0] * 9 + [0]
    groups = ["big"] * 100 + ["one"]
    reports = {r.group: r for r in subgroup_report(y_true, y_pred, groups)}
    assert reports["one"].accuracy == 0.0
    assert reports["one"].p_value == pytest.approx(binom_cdf(0, 1, 91 / 101), rel=1e-9)
    assert not reports["one"].flagged


def test_report_flags_a_large_clearly_worse_group():
    # group w: 100 rows at 60% vs the rest 900 rows at 95%
    y_true = [0] * 1000
    y_pred = [0] * 60 + [1] * 40 + [0] * 855 + [1] * 45
    groups = ["w"] * 100 + ["rest"] * 900
    reports = subgroup_report(y_true, y_pred, groups)
    assert reports[0].group == "w"
    assert reports[0].flagged
    assert reports[0].p_value < 1e-6
    assert not reports[1].flagged


def test_report_alpha_controls_the_flag():
    # group x: 20 rows, 13 right, overall 0.8 -> p is about 0.087
    groups = ["x"] * 20 + ["y"] * 30
    y_true = [1] * 50
    y_pred = [1] * 13 + [0] * 7 + [1] * 27 + [0] * 3
    p = binom_cdf(13, 20, 0.8)
    assert 0.05 < p < 0.1

    def flags(**kwargs):
        return {r.group: bool(r.flagged) for r in subgroup_report(y_true, y_pred, groups, **kwargs)}

    assert flags(alpha=0.2) == {"x": True, "y": False}
    assert flags(alpha=0.05) == {"x": False, "y": False}
    assert flags(alpha=0.01) == {"x": False, "y": False}
    assert flags() == {"x": False, "y": False}


def test_report_default_alpha_is_0_01():
    # find a group whose p-value lies between 0.01 and 0.05: flagged only if alpha > p
    groups = ["x"] * 30 + ["y"] * 70
    y_true = [1] * 100
    # overall: x 21/30 right, y 64/70 right -> 85/100; p is about 0.028
    y_pred = [1] * 21 + [0] * 9 + [1] * 64 + [0] * 6
    p = binom_cdf(21, 30, 0.85)
    assert 0.02 < p < 0.04
    default = {r.group: r for r in subgroup_report(y_true, y_pred, groups)}
    assert not default["x"].flagged
    loose = {r.group: r for r in subgroup_report(y_true, y_pred, groups, alpha=0.05)}
    assert loose["x"].flagged


def test_report_with_any_hashable_groups():
    groups = [("glasses", True)] * 3 + [None] * 3 + [7] * 3
    y_true = [1, 0, 1, 1, 0, 1, 1, 0, 1]
    y_pred = [1, 0, 1, 0, 0, 1, 1, 0, 0]
    reports = subgroup_report(y_true, y_pred, groups)
    assert len(reports) == 3
    assert {r.group for r in reports} == {("glasses", True), None, 7}
    assert all(r.n == 3 for r in reports)


def test_report_perfect_predictions_flag_nothing():
    groups = ["a", "b", "a", "b"]
    reports = subgroup_report([0, 1, 1, 0], [0, 1, 1, 0], groups)
    assert all(r.accuracy == 1.0 and not r.flagged for r in reports)


def test_report_rejects_groups_of_another_length():
    with pytest.raises(ValueError):
        subgroup_report([0, 1, 1], [0, 1, 1], ["a", "b"])
    with pytest.raises(ValueError):
        subgroup_report([0, 1], [0, 1], ["a", "b", "c"])


# --------------------------------------------------------------------------
# worst_mistakes
# --------------------------------------------------------------------------


def test_worst_mistakes_hand_worked():
    y_true = [1, 0, 1, 0, 1, 0, 1]
    proba = [0.1, 0.95, 0.8, 0.6, 0.3, 0.2, 0.45]
    # predictions: 0, 1, 1, 1, 0, 0, 0
    # wrong: 0 (conf 0.9), 1 (conf 0.95), 3 (conf 0.6), 4 (conf 0.7), 6 (conf 0.55)
    assert worst_mistakes(y_true, proba, 10) == [1, 0, 4, 3, 6]
    assert worst_mistakes(y_true, proba, 3) == [1, 0, 4]
    assert worst_mistakes(y_true, proba, 1) == [1]


def test_worst_mistakes_k_zero_and_no_mistakes():
    assert worst_mistakes([1, 0], [0.1, 0.9], 0) == []
    assert worst_mistakes([1, 0, 1], [0.9, 0.1, 0.5], 5) == []


def test_worst_mistakes_fewer_than_k():
    assert worst_mistakes([0, 0, 1], [0.9, 0.1, 0.8], 5) == [0]


def test_worst_mistakes_threshold_is_inclusive():
    # proba 0.5 predicts 1 (confidence 0.5): wrong for a true 0, right for a true 1
    assert worst_mistakes([0], [0.5], 1) == [0]
    assert worst_mistakes([1], [0.5], 1) == []
    assert worst_mistakes([1], [0.4999], 1) == [0]


def test_worst_mistakes_confidence_is_of_the_predicted_class():
    # index 0: true 1, proba 0.02 -> predicted 0 with confidence 0.98
    # index 1: true 0, proba 0.97 -> predicted 1 with confidence 0.97
    assert worst_mistakes([1, 0], [0.02, 0.97], 2) == [0, 1]
    assert worst_mistakes([0, 1], [0.97, 0.02], 2) == [1, 0]


def test_worst_mistakes_ties_go_to_the_lower_index():
    y_true = [0, 1, 0, 1, 0]
    proba = [0.75, 0.25, 0.75, 0.25, 0.875]  # 0..3 all confidence 0.75, 4 at 0.875
    assert worst_mistakes(y_true, proba, 5) == [4, 0, 1, 2, 3]
    assert worst_mistakes(y_true, proba, 3) == [4, 0, 1]


def test_worst_mistakes_returns_python_ints_usable_as_indices():
    out = worst_mistakes(np.array([0, 1]), np.array([0.9, 0.1]), 2)
    assert isinstance(out, list)
    assert out == [0, 1]
    assert all(isinstance(i, (int, np.integer)) for i in out)


def test_worst_mistakes_random_against_brute_force():
    rng = np.random.default_rng(11)
    y_true = rng.integers(0, 2, size=200)
    proba = rng.integers(0, 65, size=200) / 64  # exact binary fractions: exact ties
    pred = (proba >= 0.5).astype(int)
    conf = np.where(pred == 1, proba, 1 - proba)
    wrong = [i for i in range(200) if pred[i] != y_true[i]]
    expected = sorted(wrong, key=lambda i: (-conf[i], i))
    for k in (0, 1, 7, 40, 500):
        assert worst_mistakes(y_true.tolist(), proba.tolist(), k) == expected[:k]


# --------------------------------------------------------------------------
# MajorityBaseline
# --------------------------------------------------------------------------


def test_baseline_majority_one():
    base = MajorityBaseline()
    assert base.fit([1, 1, 0]) is base
    out = base.predict(4)
    np.testing.assert_array_equal(out, [1, 1, 1, 1])
    assert len(out) == 4


def test_baseline_majority_zero():
    np.testing.assert_array_equal(MajorityBaseline().fit([0, 0, 1, 0]).predict(3), [0, 0, 0])


def test_baseline_tie_goes_to_one():
    np.testing.assert_array_equal(MajorityBaseline().fit([0, 1, 1, 0]).predict(2), [1, 1])


def test_baseline_predict_zero_and_refit():
    base = MajorityBaseline().fit([0, 0, 0])
    assert len(base.predict(0)) == 0
    np.testing.assert_array_equal(base.fit([1]).predict(2), [1, 1])


def test_baseline_with_metrics():
    y_train = [0] * 70 + [1] * 30
    y_test = [0, 1, 0, 0, 1]
    pred = MajorityBaseline().fit(y_train).predict(len(y_test))
    np.testing.assert_array_equal(confusion_matrix(y_test, pred), [[3, 0], [2, 0]])
    assert precision_recall_f1(y_test, pred) == (0.0, 0.0, 0.0)
