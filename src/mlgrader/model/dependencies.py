"""The ``[dependencies]`` table of challenge.toml: the packages a candidate may import.

An applied-ML take-home lets the candidate use a few libraries (numpy and scikit-learn,
say) and no others: everyone is graded with the same tools, and the grader can install
exactly those. A challenge that declares

    [dependencies]
    imports = ["numpy", "sklearn"]   # top-level modules, beyond the standard library
    install = "mlgrader[ml]"         # what provides them (named in errors and the kit)

grades under the allowed-imports rule: the candidate's files may import the standard
library, their own modules and these, nothing else (sandbox/imports.py refuses the
rest at run time; the static scan reports what it sees written). A challenge without
the table has no such rule. Grading checks that the listed modules are installed before
any test runs (:func:`missing_imports`).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgrader.errors import ChallengeError


@dataclass(frozen=True)
class Dependencies:
    """What a challenge lets candidate code import beyond the standard library."""

    imports: tuple[str, ...]
    install: str = ""

    def describe(self) -> str:
        """'numpy and sklearn', for messages."""
        names = list(self.imports)
        return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def load_dependencies(table: object, path: Path) -> Dependencies | None:
    """The ``[dependencies]`` table, checked; None when the challenge has none."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ChallengeError(f"{path}: [dependencies]: expected a table, got {table!r}")
    unknown = sorted(set(table) - {"imports", "install"})
    if unknown:
        raise ChallengeError(
            f"{path}: [dependencies]: unknown key {unknown[0]!r}; the keys are imports, install"
        )
    imports: Any = table.get("imports")
    if (
        not isinstance(imports, list)
        or not imports
        or not all(isinstance(m, str) and m.isidentifier() for m in imports)
    ):
        raise ChallengeError(
            f"{path}: dependencies.imports: expected a non-empty list of top-level module "
            f"names, got {imports!r}"
        )
    install = table.get("install", "")
    if not isinstance(install, str):
        raise ChallengeError(
            f"{path}: dependencies.install: expected a pip requirement, got {install!r}"
        )
    return Dependencies(tuple(imports), install)


def missing_imports(dependencies: Dependencies | None) -> list[str]:
    """The allowed modules this Python cannot import (grading would fail every test)."""
    if dependencies is None:
        return []
    return [name for name in dependencies.imports if importlib.util.find_spec(name) is None]
