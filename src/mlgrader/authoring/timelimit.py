"""A test's time limit, stretched by a check that needs longer than the test timeout.

The supervisor gives each test ``test_timeout_s`` of wall time: right for a hang, wrong
for a complexity check, whose CPU budget may take several times as long in wall time on
a busy machine (``timing._WALL_FACTOR``). A check the timeout cut short ended as
``timeout`` instead of with its verdict: numpy-nn's row-stacking mutant (a 40 s budget
against a 60 s timeout) timed out in one of three gradings beside heavy load, and lost
its points with a different verdict from the other two. Ending the check at the timeout
instead would leave it less evidence, and could turn a mutant's fail into an
``inconclusive`` pass.

So a check asks for the wall time it may need before it starts (``need``), and the
test's process passes the request to the supervisor, which grants it up to the run's
deadline. Outside a supervised test process (no isolation, the author's own runs)
``need`` does nothing: nothing times the test out there.
"""

from __future__ import annotations

from collections.abc import Callable

_request: Callable[[float], None] | None = None


def install(request: Callable[[float], None] | None) -> None:
    """Route ``need`` to ``request`` (the test's process does this before the test runs)."""
    global _request
    _request = request


def need(seconds: float) -> None:
    """Ask that the running test may go on for at least ``seconds`` more of wall time."""
    if _request is not None and seconds > 0:
        _request(float(seconds))
