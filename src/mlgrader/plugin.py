"""The pytest plugin: options, the rubric marker and the fixtures; the grading itself is elsewhere.

Installed for everyone who installs mlgrader (entry point ``pytest11``), so it
is inert unless enabled with ``--mlgrader`` (the CLI always enables it), and it
imports nothing of mlgrader's until then: every pytest run on the machine loads
this module. Enabled, it registers ``engine.session.GradingSession``, which
classifies, isolates and records. The fixtures hand test authors the objects in
``authoring.fixtures``.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mlgrader.authoring.fixtures import Complexity, Partial, Submission
    from mlgrader.boundary.connection import Connection

HELP_ENABLE = "enable mlgrader: classify tests by rubric category and run each in its own process"
HELP_SUBMISSION = "folder with the candidate's code (for the submission fixture)"
HELP_RUBRIC = "rubric.toml to use (default: the challenge's, else built-in weights)"
HELP_RESULTS = "write JSON-lines results here (a path, or fd:N for an inherited descriptor)"
HELP_TIMEOUT = "seconds each test may run before its process is killed (default 30)"
HELP_MEMORY = "address-space limit of each test process in MB (default 2048; 0 for none)"
HELP_DEADLINE = (
    "seconds for the whole run; tests not started by then count as timeouts (default 900)"
)
HELP_NO_ISOLATION = "run tests in the pytest process itself (debugging trusted code only)"
HELP_SANDBOX = (
    "OS protections: subreaper, private network, unprivileged user (as root), Landlock writes"
)
HELP_CANARIES = "plant this many canary tests among the hidden tests (integrity check)"
SESSION = "mlgrader-session"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlgrader", "grading by rubric category")
    group.addoption("--mlgrader", action="store_true", default=False, help=HELP_ENABLE)
    options = [
        ("submission", HELP_SUBMISSION),
        ("rubric", HELP_RUBRIC),
        ("results", HELP_RESULTS),
        ("test-timeout", HELP_TIMEOUT),
        ("memory", HELP_MEMORY),
        ("deadline", HELP_DEADLINE),
    ]
    for name, text in options:
        group.addoption(f"--mlgrader-{name}", default=None, help=text)
        parser.addini(f"mlgrader_{name.replace('-', '_')}", text, default=None)
    group.addoption(
        "--mlgrader-no-isolation", action="store_true", default=False, help=HELP_NO_ISOLATION
    )
    group.addoption("--mlgrader-sandbox", action="store_true", default=False, help=HELP_SANDBOX)
    group.addoption("--mlgrader-canaries", type=int, default=0, help=HELP_CANARIES)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "rubric(category, weight=1): the rubric category (correctness, complexity, oop, "
        "concurrency, ...) and weight this test counts toward",
    )
    if config.getoption("mlgrader"):
        from mlgrader.engine.session import GradingSession
        from mlgrader.engine.settings import Settings

        config.pluginmanager.register(GradingSession(config, Settings.from_config(config)), SESSION)


@pytest.fixture
def submission(request: pytest.FixtureRequest) -> Submission:
    """The candidate's code; ``submission.module(name)`` imports inside this test's process."""
    from mlgrader.authoring.fixtures import Submission
    from mlgrader.engine.session import CHILD_STATE, GradingSession
    from mlgrader.engine.settings import Settings

    session = request.config.pluginmanager.get_plugin(SESSION)
    if isinstance(session, GradingSession):
        settings = session.settings  # resolved once, before the test's process was forked
    else:
        settings = Settings.from_config(request.config)
    if settings.submission is None:
        raise pytest.UsageError(
            "the submission fixture needs --mlgrader-submission PATH (or run `mlgrader grade`)"
        )
    modules = session.modules if isinstance(session, GradingSession) else ()
    allowed = CHILD_STATE["isolated"] or not settings.isolation or not settings.enabled
    channel = CHILD_STATE.get("candidate")
    if channel is None or not isinstance(session, GradingSession):
        local = Submission(settings.submission, modules, allow_import=allowed)
        request.addfinalizer(local.close)  # its support services, if any
        return local
    fd, pid, account = channel
    support = session.support

    def connect() -> Connection:
        from mlgrader.boundary.connection import Connection

        early = CHILD_STATE.pop("connection", None)  # opened before the test's turn
        if isinstance(early, Connection):
            return early
        return Connection(socket.socket(fileno=fd), pid, support, settings.submission, account)

    sub = Submission(
        settings.submission,
        modules,
        connect=connect,
        support=support,
        support_path=request.config.rootpath / "support",
    )
    request.addfinalizer(sub.close)
    return sub


@pytest.fixture
def partial(request: pytest.FixtureRequest) -> Partial:
    """``partial(0.6, "why")`` records partial credit for this test."""
    from mlgrader.authoring.fixtures import Partial

    return Partial(request.node.user_properties)


@pytest.fixture
def complexity(request: pytest.FixtureRequest) -> Complexity:
    """``complexity.require(func, make_input, "O(1)")`` measures and fails when worse."""
    from mlgrader.authoring.fixtures import Complexity

    return Complexity(request.node.user_properties)
