"""Basic behaviour of the three structures: run these yourself with `mlgrader check .`."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rubric("correctness")


@pytest.fixture
def structures(submission):
    """The candidate's module."""
    return submission.module("structures")


def test_running_median(structures):
    """The median of an odd count is the middle value, of an even count the mean of two."""
    running = structures.RunningMedian()
    for value in (5, 1, 3):
        running.add(value)
    assert running.median() == 3
    running.add(10)
    assert running.median() == 4.0
    assert len(running) == 4


def test_median_of_nothing(structures):
    """median() before any add raises ValueError."""
    with pytest.raises(ValueError):
        structures.RunningMedian().median()


def test_autocomplete(structures):
    """complete gives the stored words with the prefix, ascending, up to the limit."""
    auto = structures.Autocomplete()
    for word in ("card", "car", "care", "cat", "dog"):
        auto.add(word)
    assert auto.complete("car") == ["car", "card", "care"]
    assert auto.complete("ca", 2) == ["car", "card"]
    assert auto.complete("z") == []
    assert "cat" in auto
    assert "ca" not in auto
    assert len(auto) == 5


def test_ordered_map(structures):
    """Values by key, replaced by a second set, removed by del; range is half-open."""
    ordered = structures.OrderedMap()
    for key in (30, 10, 20):
        ordered[key] = str(key)
    ordered[20] = "twenty"
    assert ordered[20] == "twenty"
    assert ordered.range(10, 30) == [(10, "10"), (20, "twenty")]
    del ordered[10]
    assert 10 not in ordered
    assert len(ordered) == 2
    with pytest.raises(KeyError):
        ordered[10]
