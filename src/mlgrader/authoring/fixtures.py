"""What test authors get: the ``submission``, ``partial`` and ``complexity`` fixtures' objects.

These objects run inside each test's own child process (see isolation.py); the
grading process never calls them. Anything a test records for the scorecard
(partial credit, complexity measurements) travels in the test report's
``user_properties``, which pytest already serialises across processes.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from mlgrader.authoring.shipping import ship
from mlgrader.boundary.cpuclock import CandidateClock
from mlgrader.boundary.exceptions import CandidateError
from mlgrader.boundary.services import Handler, ServiceHost
from mlgrader.errors import SubmissionError
from mlgrader.model.notebooks import NOTEBOOK_HEADER, cell_of_line

if TYPE_CHECKING:
    from mlgrader.boundary.connection import Connection
    from mlgrader.quality import QualityReport

_T = TypeVar("_T")
#: A traceback line: its file, its line number, and the rest (", in <module>").
_FRAME = re.compile(r'^  File "([^"]+)", line (\d+)(.*)$')

#: user_properties keys shared with plugin.py
PROP_PARTIAL = "mlgrader.partial"
PROP_COMPLEXITY = "mlgrader.complexity"
PROP_OUTCOME = "mlgrader.outcome"
PROP_MESSAGE = "mlgrader.message"

UserProperties = list[tuple[str, object]]


class SubmissionImportError(ImportError):
    """A candidate module raised while it was imported (a SyntaxError, a failing
    module-level statement): every test that needs it fails with the same message, which
    the scorecard's text rendering shows once (``reports.views.IMPORT_FAILURE``)."""


SubmissionImportError.__module__ = "mlgrader"  # what pytest prints before the message


class Submission:
    """The candidate's code, as a test sees it.

    ``module()`` imports lazily, inside the test body, so collecting tests never
    runs candidate code. Behind the process boundary (``connect`` given) a
    candidate module is imported in the candidate process and the test gets a
    reference to it; the challenge's ``support`` modules are trusted code and
    are imported here, from the grader's copy in ``support_path``.
    """

    def __init__(
        self,
        path: Path,
        modules: Sequence[str],
        *,
        allow_import: bool = True,
        connect: Callable[[], Connection] | None = None,
        support: Sequence[str] = (),
        support_path: Path | None = None,
    ) -> None:
        self.path = path
        self.modules = tuple(modules)
        self._allow_import = allow_import
        self._connect = connect
        self._connection: Connection | None = None
        self.support = tuple(support)
        self.support_path = support_path
        self._services: list[ServiceHost] = []
        self._saved_env: dict[str, str | None] = {}

    @property
    def connection(self) -> Connection:
        """The channel to this test's candidate process (behind the boundary only)."""
        if self._connect is None:
            raise RuntimeError("this challenge does not run candidate code in a process of its own")
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    def __repr__(self) -> str:
        return f"Submission({str(self.path)!r})"

    def module(self, name: str) -> ModuleType:
        """Import ``name`` from the submission (the test's process only)."""
        if not self._allow_import:
            raise RuntimeError(
                "submission.module() runs candidate code and is only allowed inside an "
                "isolated test process; do not call it at collection time"
            )
        if self._connect is not None:
            if name in self.support:
                return _import_from(self.support_path, name)
            try:
                module: ModuleType = self.connection.import_module(name)  # type: ignore[assignment]
            except CandidateError as exc:
                raise self._does_not_import(name, exc, exc.candidate_traceback) from None
            return module
        root = str(self.path)
        if root not in sys.path:
            sys.path.insert(0, root)
        if name in sys.modules:
            return sys.modules[name]
        try:
            return importlib.import_module(name)
        except Exception as exc:
            raise self._does_not_import(name, exc, traceback.format_exc()) from None

    def _does_not_import(self, name: str, exc: BaseException, trace: str) -> SubmissionImportError:
        """One error for a module that does not import: its exception and the frames of
        the submission's own files (not the import machinery's, nor the grader's)."""
        kind = getattr(exc, "candidate_type", type(exc).__name__)
        said = (str(exc).strip().splitlines() or [""])[0]
        lines = trace.rstrip().splitlines()
        first = next(
            (i for i, line in enumerate(lines) if line.startswith(f'  File "{self.path}/')),
            None,
        )
        shown = lines[first:] if first is not None else lines[-1:]
        shown = [self._in_notebook(line) for line in shown]
        return SubmissionImportError("\n".join([f"{name} does not import: {kind}: {said}", *shown]))

    def _in_notebook(self, line: str) -> str:
        """A traceback line about a module made from a notebook, pointed at its cell."""
        match = _FRAME.match(line)
        if match is None or not match.group(1).startswith(f"{self.path}/"):
            return line
        made = Path(match.group(1))
        notebook = made.with_suffix(".ipynb")
        try:
            source = made.read_text(encoding="utf-8")
        except OSError:
            return line
        place = cell_of_line(source, int(match.group(2))) if notebook.is_file() else None
        if place is None or not source.startswith(NOTEBOOK_HEADER):
            return line
        return f'  File "{notebook}", cell {place[0]}, line {place[1]}{match.group(3)}'

    def run(self, func: Callable[..., _T], *args: Any) -> _T:
        """``func(*args)`` where the candidate's code runs, for questions whose answer is
        the candidate's own behaviour: their ``==``, ``hash`` or ``repr``, their objects in
        a set or as dict keys (``submission.run(operator.eq, v, w)``).

        Behind the process boundary ``func`` is shipped by value into the candidate
        process (with what it closes over, so never an expected value) and its result
        comes back as data or a reference; a test's own comparisons on references are
        identity, so that a candidate ``__eq__`` never answers them. Otherwise this is
        plain ``func(*args)``.
        """
        if self._connect is None:
            return func(*args)
        conn = self.connection
        result: _T = conn.call(ship(conn, func), *args)
        return result

    def resident_bytes(self) -> int:
        """Memory the process running the candidate's code holds now (its resident set).

        Read by this process from the kernel (``/proc/PID/statm``), so candidate code
        cannot under-report it: a test compares two readings to see memory a
        generator or cache keeps. Behind the boundary that is the candidate process;
        otherwise this one.
        """
        pid = self.connection.pid if self._connect is not None else os.getpid()
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def cpu_seconds(self, func: Callable[[], _T]) -> tuple[_T, float]:
        """``func()`` and the seconds of CPU the candidate's code used while it ran.

        For budgets of time a candidate's code must meet (a model's latency per image,
        its training): read from outside the candidate process (``CandidateClock``: its
        cgroup, every process it started included), so a busy machine does not eat into
        the budget and candidate code cannot fake the reading; the test's own work in
        ``func`` is not counted. Without the boundary it is this process's CPU time.
        """
        if self._connect is None:
            start = time.process_time()
            result = func()
            return result, time.process_time() - start
        conn = self.connection
        clock = CandidateClock(conn.pid, conn.account)
        begun = clock.start()
        result = func()
        return result, clock.since(begun)

    def service(self, handler: Handler, env: str) -> ServiceHost:
        """Serve ``handler`` from this process to the candidate's code, wherever it runs,
        at the address put in environment variable ``env`` (see ``services.py``): support
        code that must record evidence (a device's busy spans, a data set's loads) asks
        the host, which does the work and keeps the record here. Closed with the test."""
        host = ServiceHost(handler)
        self._services.append(host)
        if self._connect is not None:
            self.connection.setenv(env, host.address)
        else:
            self._saved_env.setdefault(env, os.environ.get(env))
            os.environ[env] = host.address
        return host

    def close(self) -> None:
        for host in self._services:
            host.close()
        self._services.clear()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def file(self, name: str) -> Path:
        """The file Python would import as module ``name`` from the submission.

        Found as the import system finds it (``PathFinder``, reading the folder, running
        nothing): a package ``name/__init__.py`` wins over ``name.py``, and so does a
        compiled ``name.*.so``, so quality checks read the code that runs, never a clean
        decoy beside it.
        """
        spec = importlib.machinery.PathFinder.find_spec(name, [str(self.path)])
        origin = getattr(spec, "origin", None)
        if spec is None or not origin or not Path(origin).is_file():
            raise SubmissionError(f"submission {self.path} has no module {name!r} ({name}.py)")
        return Path(origin)

    def source(self, name: str) -> str:
        """The source text of module ``name``, without importing it."""
        return self.file(name).read_text(encoding="utf-8", errors="replace")

    def quality(self) -> QualityReport:
        """Static metrics of the candidate's own modules (support code excluded)."""
        from mlgrader.quality import analyze_paths

        files: list[Path] = []
        for name in self.modules:
            target = self.file(name)
            if target.name == "__init__.py":
                files += sorted(target.parent.rglob("*.py"))
            else:
                files.append(target)  # not .py (an extension module): reported unanalysable
        return analyze_paths(files, root=self.path)


def _import_from(folder: Path | None, name: str) -> ModuleType:
    """Import a trusted support module from the grader's copy of the challenge's support/."""
    if folder is not None and str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    return importlib.import_module(name)


class Partial:
    """``partial(0.6, "why")`` records partial credit for the current test.

    The fraction applies only when the test passes; the last call wins.
    """

    def __init__(self, properties: UserProperties) -> None:
        self._properties = properties

    def __call__(self, fraction: float, why: str = "") -> None:
        if isinstance(fraction, bool) or not isinstance(fraction, int | float):
            raise TypeError(f"partial(fraction): expected a number in [0, 1], got {fraction!r}")
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"partial(fraction): expected a number in [0, 1], got {fraction!r}")
        self._properties[:] = [p for p in self._properties if p[0] != PROP_PARTIAL]
        self._properties.append((PROP_PARTIAL, {"fraction": float(fraction), "why": why}))


class Complexity:
    """``complexity.require(func, make_input, "O(1)")``: measure, record, fail when worse."""

    def __init__(self, properties: UserProperties) -> None:
        self._properties = properties

    def require(
        self,
        func: Callable[[Any], object],
        make_input: Callable[[int], Any],
        bound: str,
        *,
        label: str | None = None,
        **options: Any,
    ) -> Any:
        """Check that ``func`` is no worse than ``bound``; inconclusive evidence never fails."""
        from mlgrader.complexity import check

        result = check(func, make_input, bound, **options)
        record = result.to_dict() | {"label": label or getattr(func, "__name__", "func")}
        self._properties.append((PROP_COMPLEXITY, record))
        if result.verdict == "failed":
            raise AssertionError(result.message)
        return result

    def require_amortized(
        self,
        func: Callable[[Any], object],
        make_input: Callable[[int], Any],
        bound: str,
        *,
        warmup: float = 1.0,
        span: float = 1.0,
        label: str | None = None,
        **options: Any,
    ) -> Any:
        """Check ``func``'s cost per call on one long-lived structure against ``bound``.

        For amortised and steady-state promises: ``make_input(n)`` builds the
        structure, ``warmup * n`` untimed calls bring it to steady state, and every
        timed batch is at least ``span * n`` calls (a fresh structure has no debris
        yet, and one call may skip a rebuild that the next n calls pay for)."""
        from mlgrader.complexity import Steady

        steady = Steady(warmup=warmup, span=span)
        return self.require(func, make_input, bound, label=label, steady=steady, **options)
