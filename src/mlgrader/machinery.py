"""A fingerprint of pytest's reporting machinery, to catch candidate code that patches it.

Candidate code runs in the same process as the test that calls it, so it can
monkeypatch pytest (make every report say "passed"), register hook plugins or
replace the functions that send results home. Before each test the child
process records which objects these names point to; afterwards it compares.
Any difference is reported as an integrity violation. This is one layer of
several (see docs/security.md): a determined attacker in the same process can
also patch this check, which is why canary tests and the static scan exist too.
"""

from __future__ import annotations

import json
import os
from typing import Any

import _pytest.reports
import _pytest.runner
import pluggy
import pytest


def fingerprint(config: pytest.Config) -> dict[str, Any]:
    """Identity of every object a forged result would have to go through."""
    hook = config.hook
    marks: dict[str, Any] = {
        "_pytest.runner.runtestprotocol": _pytest.runner.runtestprotocol,
        "_pytest.runner.call_and_report": _pytest.runner.call_and_report,
        "_pytest.runner.call_runtest_hook": getattr(_pytest.runner, "call_runtest_hook", None),
        "_pytest.runner.CallInfo.from_call": _pytest.runner.CallInfo.__dict__["from_call"],
        "_pytest.reports.TestReport": _pytest.reports.TestReport,
        "TestReport.__init__": _pytest.reports.TestReport.__init__,
        "TestReport.from_item_and_call": _pytest.reports.TestReport.__dict__["from_item_and_call"],
        "BaseReport.passed": _pytest.reports.BaseReport.__dict__.get("passed"),
        "BaseReport.failed": _pytest.reports.BaseReport.__dict__.get("failed"),
        "pytest.TestReport": pytest.TestReport,
        "pluggy.HookCaller.__call__": pluggy.HookCaller.__call__,
        "pluggy.PluginManager._hookexec": pluggy.PluginManager._hookexec,
        "json.dumps": json.dumps,
        "os.write": os.write,
        "plugins": tuple(sorted(id(p) for p in config.pluginmanager.get_plugins())),
    }
    for name in (
        "pytest_runtest_makereport",
        "pytest_report_to_serializable",
        "pytest_runtest_call",
        "pytest_pyfunc_call",
        "pytest_runtest_setup",
        "pytest_runtest_teardown",
    ):
        caller = getattr(hook, name)
        marks[f"hook.{name}"] = (caller, tuple(id(i.function) for i in caller.get_hookimpls()))
    return marks


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Names whose object changed between two fingerprints (compared by identity)."""
    return [name for name, value in before.items() if not _same(value, after.get(name))]


def _same(a: Any, b: Any) -> bool:
    if type(a) is tuple and type(b) is tuple:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is int and type(b) is int:
        return a == b
    return a is b
