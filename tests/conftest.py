"""Two tiers: ``pytest`` runs the quick tier (unit, plugin, CLI) to iterate with; ``pytest --full``
adds what takes minutes: every challenge validated, the attack suite, Dask, the browser.

A test belongs to the full tier when it is marked ``@pytest.mark.full`` or lives in
one of ``FULL_PATHS``. The quick tier deselects those (they are not skipped: the
full tier, which CI and the README's test command run, runs every one of them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
FULL_PATHS = (HERE / "adversarial", HERE / "test_challenges.py")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full",
        action="store_true",
        default=False,
        help="run the full tier: challenge validation, attacks, Dask, the browser",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "full: a slow test that runs only in the full tier (pytest --full)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("full"):
        return
    quick, slow = [], []
    for item in items:
        path = Path(item.path)
        in_full_path = any(path == p or p in path.parents for p in FULL_PATHS)
        (slow if in_full_path or item.get_closest_marker("full") else quick).append(item)
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = quick
