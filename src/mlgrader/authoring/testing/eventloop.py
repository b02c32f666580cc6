"""Did asyncio code ever block its event loop?

An "async" data loader that calls ``time.sleep`` or reads a file synchronously
inside a coroutine works, but serves one client at a time. asyncio's debug mode
already times every callback and logs those slower than
``loop.slow_callback_duration``; :func:`run_without_blocking` runs a coroutine in
a fresh loop in debug mode, collects those log records, and fails with each slow
step, its duration and where it came from.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from mlgrader.errors import UserInputError

__all__ = ["SlowCallback", "run_without_blocking"]

T = TypeVar("T")
_TOOK = re.compile(r"took (\d+(?:\.\d+)?) seconds")


@dataclass(frozen=True)
class SlowCallback:
    """One step of the loop that ran longer than the threshold."""

    seconds: float
    what: str


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.slow: list[SlowCallback] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        found = _TOOK.search(message)
        if message.startswith("Executing") and found:
            self.slow.append(SlowCallback(float(found.group(1)), message))


def run_without_blocking(main: Callable[[], Awaitable[T]], *, threshold: float = 0.05) -> T:
    """Run ``main()`` in a new event loop; fail if any step blocked it over ``threshold`` s.

    Returns what ``main()`` returned. The failure message lists the slowest steps
    with asyncio's description of each (the task or callback and, in debug mode,
    the source line that scheduled it).
    """
    if threshold <= 0:
        raise UserInputError(f"threshold must be a positive number of seconds, got {threshold!r}")
    collector = _Collector()
    logger = logging.getLogger("asyncio")
    logger.addHandler(collector)
    previous_level = logger.level
    logger.setLevel(logging.WARNING)

    async def runner() -> Any:
        asyncio.get_running_loop().slow_callback_duration = threshold
        return await main()

    try:
        result: T = asyncio.run(runner(), debug=True)
    finally:
        logger.removeHandler(collector)
        logger.setLevel(previous_level)
    if collector.slow:
        worst = sorted(collector.slow, key=lambda s: -s.seconds)
        lines = [
            f"the event loop was blocked {len(worst)} time(s) for more than {threshold:g} s "
            "(a blocking call such as time.sleep or synchronous I/O inside async code):"
        ]
        lines += [f"  {s.seconds:.3f} s: {s.what[:300]}" for s in worst[:5]]
        raise AssertionError("\n".join(lines))
    return result
