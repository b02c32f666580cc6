"""Smuggled tests: if collected, they would add free points with a huge weight."""

import pytest


@pytest.mark.rubric("correctness", weight=1000)
def test_bonus_correctness():
    assert True


@pytest.mark.rubric("complexity", weight=1000)
def test_bonus_complexity():
    assert True
