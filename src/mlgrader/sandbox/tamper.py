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

import builtins
import json
import os
from typing import Any

import _pytest.reports
import _pytest.runner
import pluggy
import pytest

# Imported here, in the pytest process, so every forked test process inherits them
# instead of importing them again (about 20 ms a test).
from mlgrader import quality, testing
from mlgrader.authoring import fixtures
from mlgrader.authoring.testing import strict, threads


def fingerprint(config: pytest.Config, item: pytest.Item | None = None) -> dict[str, Any]:
    """Identity of every object a forged result would have to go through: pytest's reporting,
    the hooks, the helpers tests judge with, builtins, and the test module's own names."""
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
    marks.update(_helpers())
    marks.update({f"builtins.{k}": v for k, v in vars(builtins).items()})
    module = getattr(item, "module", None) if item is not None else None
    if module is not None:
        marks.update({f"test module {k}": v for k, v in vars(module).items() if callable(v)})
    return marks


def _helpers() -> dict[str, Any]:
    """The judging helpers tests rely on (strict comparison, complexity, quality, raises)."""
    found: dict[str, Any] = {
        "pytest.raises": pytest.raises,
        "pytest.approx": pytest.approx,
        "pytest.fail": pytest.fail,
        "mlgrader.testing.strict_equal": testing.strict_equal,
        "mlgrader.testing.run_threads": testing.run_threads,
        # and where they are defined, which tests importing from there would call
        "mlgrader.authoring.testing.strict.strict_equal": strict.strict_equal,
        "mlgrader.authoring.testing.threads.run_threads": threads.run_threads,
        "Complexity.require": fixtures.Complexity.require,
        "Submission.module": fixtures.Submission.module,
        "Submission.quality": fixtures.Submission.quality,
    }
    for name, value in vars(quality.QualityReport).items():
        if name.startswith("require_"):
            found[f"QualityReport.{name}"] = value
    return found


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Names whose object changed between two fingerprints (compared by identity)."""
    return [name for name, value in before.items() if not _same(value, after.get(name))]


def _same(a: Any, b: Any) -> bool:
    if type(a) is tuple and type(b) is tuple:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is int and type(b) is int:
        return a == b
    return a is b
