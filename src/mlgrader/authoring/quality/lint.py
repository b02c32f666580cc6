"""The bridge to radon and ruff: the metrics and rules that well-kept tools already compute.

Why a module of its own: what a reviewer knows by name (radon's cyclomatic complexity,
ruff's rule codes) should come from those tools rather than from mlgrader's copies of
them, and this module is the one place that knows how to call them.

radon is called as a library, in this process: it is pure Python, it measures the
``ast`` tree mlgrader has already parsed (no second parse), and its cyclomatic
complexity is a number per function, which ``require_max_complexity(limit)`` needs for
whatever limit a test asks for. radon counts McCabe's way: 1, plus 1 for each
``if``/``elif``, ternary, ``for``, ``while``, ``except`` clause, ``assert``,
comprehension ``for`` and ``if``, ``match`` case other than the catch-all, and each
extra operand of ``and``/``or``; an ``else`` on ``for``, ``while`` or ``try`` adds 1.
Nested functions and classes are measured on their own.
"""

from __future__ import annotations

from radon.visitors import ComplexityVisitor

from mlgrader.authoring.quality.nodes import FunctionNode


def cyclomatic_complexity(func: FunctionNode) -> int:
    """radon's cyclomatic complexity of one function (``radon cc``), nested definitions excluded."""
    (measured,) = ComplexityVisitor.from_ast(func).functions
    return int(measured.complexity)
