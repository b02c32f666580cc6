"""The bridge to radon and ruff: the metrics and rules that well-kept tools already compute.

Why a module of its own: what a reviewer knows by name (radon's cyclomatic complexity,
ruff's rule codes) should come from those tools rather than from mlgrader's copies of
them, and this module is the one place that knows how to call them. Every finding says
which rule it comes from (``ruff B006``, ``radon cc``).

radon is called as a library, in this process: it is pure Python, it measures the
``ast`` tree mlgrader has already parsed (no second parse), and its cyclomatic
complexity is a number per function, which ``require_max_complexity(limit)`` needs for
whatever limit a test asks for. radon counts McCabe's way: 1, plus 1 for each
``if``/``elif``, ternary, ``for``, ``while``, ``except`` clause, ``assert``,
comprehension ``for`` and ``if``, ``match`` case other than the catch-all, and each
extra operand of ``and``/``or``; an ``else`` on ``for``, ``while`` or ``try`` adds 1.
Nested functions and classes are measured on their own.

ruff has no Python API (it is a Rust binary), so it runs as a subprocess, once per
file, with the source text on stdin (the text mlgrader parsed, whatever the file's
encoding). The same command runs in the trusted grader and inside each sandboxed test
process, so both see the same findings:

- ``--isolated`` (the candidate's pyproject.toml or ruff.toml cannot change the rules)
  and ``--ignore-noqa`` (a ``# noqa`` comment cannot hide a finding);
- the binary is the one the ``ruff`` package installed (next to this Python), never one
  found on PATH, with an environment of its own, one thread and no cache;
- a timeout, and an address-space cap set with ``prlimit`` on the started process
  before it is given the source (``preexec_fn`` would run Python in a forked child,
  which can deadlock when candidate threads are running, as in a test process);
- a file that makes ruff time out, crash or fail is reported as ``not-analysed`` (every
  ``require_*`` helper then fails, naming the file); if ruff fails even on a trivial
  file, or cannot be started at all, that is mlgrader's problem, not the candidate's,
  and a GradingError says so rather than scoring anyone differently.
"""

from __future__ import annotations

import contextlib
import functools
import json
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from radon.visitors import ComplexityVisitor

from mlgrader.authoring.quality.nodes import FunctionNode
from mlgrader.errors import GradingError
from mlgrader.model.findings import Finding

#: The ruff rules mlgrader reports, and the finding kind (the ``require_*`` helper) each feeds.
RUFF_RULES: dict[str, str] = {
    "D101": "missing-docstring",  # public class
    "D102": "missing-docstring",  # public method
    "D103": "missing-docstring",  # public function
    "D106": "missing-docstring",  # public nested class
    "E722": "bare-except",  # except:
    "S110": "bare-except",  # except Exception: pass
    "S112": "bare-except",  # except Exception: continue
    "BLE001": "broad-except",  # except Exception that neither re-raises nor logs
    "PLW0602": "global-statement",  # global x, never assigned
    "PLW0603": "global-statement",  # global x, assigned
    "F403": "star-import",
    "T201": "print-call",
    "B006": "mutable-default",
    "N801": "naming",  # class names in CapWords
    "N802": "naming",  # function names in lowercase
}
#: Settings beyond ruff's defaults. ast.NodeVisitor and docutils impose visit_Name and
#: depart_Name, as unittest imposes setUp (which ruff already accepts).
RUFF_SETTINGS = ("lint.pep8-naming.extend-ignore-names = ['visit_*', 'depart_*']",)
RUFF_TIMEOUT_S = 15.0
RUFF_MEMORY_MB = 1024
_SWALLOWING = frozenset({"S110", "S112"})


def cyclomatic_complexity(func: FunctionNode) -> int:
    """radon's cyclomatic complexity of one function (``radon cc``), nested definitions excluded."""
    (measured,) = ComplexityVisitor.from_ast(func).functions
    return int(measured.complexity)


@dataclass(frozen=True)
class Diagnostic:
    """One ruff finding: its rule code (None for a syntax error), line and message."""

    code: str | None
    line: int
    message: str


class RuffFailed(Exception):
    """ruff did not check this file (timed out, crashed, failed) while it works on others."""


def ruff_check(source: str, filename: str, cwd: Path | None = None) -> list[Diagnostic]:
    """ruff's findings of `RUFF_RULES` on ``source``, checked as ``filename`` (from ``cwd``).

    Raises RuffFailed when ruff fails on this source, GradingError when ruff cannot run.
    """
    ruff = ruff_binary()
    try:
        returncode, out, err = _run(ruff, source, filename, cwd)
    except subprocess.TimeoutExpired:
        _require_working(ruff)
        raise RuffFailed(f"ruff took longer than {RUFF_TIMEOUT_S:g} s") from None
    diagnostics = _parse(out) if returncode == 0 else None
    if diagnostics is None:
        _require_working(ruff)
        how = f"was killed by signal {-returncode}" if returncode < 0 else f"exited {returncode}"
        tail = " ".join(err.decode("utf-8", "replace").split())[-300:]
        raise RuffFailed(f"ruff {how}" + (f": {tail}" if tail else ""))
    return diagnostics


def ruff_findings(
    diagnostics: list[Diagnostic], file: str, defs: dict[int, str], overrides: set[int]
) -> list[Finding]:
    """Findings from ruff's diagnostics, one per place and kind.

    ``defs`` maps definition lines to qualified names (added to docstring findings);
    a missing docstring on a line in ``overrides`` (a method overriding a base class's)
    is dropped: the method inherits the base's docstring, as ``inspect.getdoc`` shows.
    An except clause gets one finding: a bare one is E722 only, a swallowing one
    S110/S112 only (not also BLE001).
    """
    codes_at: dict[int, set[str]] = {}
    for d in diagnostics:
        codes_at.setdefault(d.line, set()).add(str(d.code))
    found: list[Finding] = []
    for d in diagnostics:
        if d.code is None:
            found.append(
                Finding(
                    "syntax-error",
                    f"syntax error: {d.message}",
                    file=file,
                    line=d.line,
                    rule="ruff",
                )
            )
            continue
        kind = RUFF_RULES.get(d.code)
        here = codes_at[d.line]
        if (
            kind is None
            or (kind == "missing-docstring" and d.line in overrides)
            or (d.code in _SWALLOWING and "E722" in here)
            or (d.code == "BLE001" and here & _SWALLOWING)
        ):
            continue
        detail = d.message
        if kind == "missing-docstring" and d.line in defs:
            detail += f" `{defs[d.line]}`"
        found.append(Finding(kind, detail, file=file, line=d.line, rule=f"ruff {d.code}"))
    return found


@functools.cache
def ruff_binary() -> str:
    """The ruff executable the ``ruff`` package installed (a dependency of mlgrader)."""
    try:
        from ruff import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        pass
    beside = Path(sys.executable).parent / "ruff"
    if beside.is_file():
        return str(beside)
    raise GradingError(
        "mlgrader's quality checks need ruff, a dependency of mlgrader, and it is not "
        f"installed for {sys.executable} (pip install ruff)"
    )


def _command(ruff: str, filename: str) -> list[str]:
    return [
        ruff,
        "check",
        "--isolated",
        "--ignore-noqa",
        "--no-cache",
        "--exit-zero",
        "--output-format=json",
        f"--target-version=py3{sys.version_info.minor}",
        f"--select={','.join(RUFF_RULES)}",
        *(f"--config={setting}" for setting in RUFF_SETTINGS),
        f"--stdin-filename={filename}",
        "-",
    ]


def _run(ruff: str, source: str, filename: str, cwd: Path | None) -> tuple[int, bytes, bytes]:
    """Run ruff on ``source``: capped, timed, and killed on timeout."""
    try:
        proc = subprocess.Popen(
            _command(ruff, filename),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={"RAYON_NUM_THREADS": "1", "NO_COLOR": "1"},
        )
    except OSError as exc:
        raise GradingError(f"mlgrader's quality checks cannot start ruff ({ruff}): {exc}") from exc
    with proc:
        _cap_memory(proc.pid)  # before ruff has any input to work on
        try:
            out, err = proc.communicate(source.encode("utf-8", "replace"), RUFF_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
    return proc.returncode, out, err


def _cap_memory(pid: int) -> None:
    """Cap ruff's address space (Linux); where that is impossible, the size limit on
    analysed files and the timeout still bound it."""
    if not hasattr(resource, "prlimit"):
        return
    cap = RUFF_MEMORY_MB * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    with contextlib.suppress(OSError, ValueError):  # not permitted here: unbounded but timed
        resource.prlimit(pid, resource.RLIMIT_AS, (cap, cap))


def _parse(out: bytes) -> list[Diagnostic] | None:
    """ruff's JSON output as diagnostics, or None when it is not what ruff writes."""
    try:
        items = json.loads(out)
        return [
            Diagnostic(item["code"], int(item["location"]["row"]), str(item["message"]))
            for item in items
        ]
    except (ValueError, TypeError, KeyError):
        return None


def _require_working(ruff: str) -> None:
    """Raise GradingError unless ruff checks a trivial file: then the failure is the file's."""
    try:
        returncode, out, _ = _run(ruff, "x = 1\n", "probe.py", None)
    except subprocess.TimeoutExpired:
        returncode, out = -1, b""
    if returncode != 0 or _parse(out) != []:
        raise GradingError(
            f"mlgrader's quality checks need ruff, and {ruff} fails even on a one-line file "
            f"(command: {' '.join(_command(ruff, 'probe.py'))})"
        )
