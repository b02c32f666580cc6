"""Resource limits for grading one submission, with their defaults in this one place.

A challenge's challenge.toml sets them, the command line overrides them, and the
grader hands them to the pytest process as options that are read back here too,
so every layer agrees on what the limits are and what they default to.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mlgrader.errors import UserInputError

#: option name (challenge.toml key, and ``--mlgrader-<name>`` in the plugin) -> field
_FIELDS = {"test-timeout": "test_timeout_s", "deadline": "deadline_s", "memory": "memory_mb"}


@dataclass(frozen=True)
class Limits:
    """Per test, per submission and per test process; ``memory_mb=0`` means no memory limit."""

    test_timeout_s: float = 30.0
    deadline_s: float = 900.0
    memory_mb: int = 2048

    def __post_init__(self) -> None:
        for name, low in (("test_timeout_s", 0.1), ("deadline_s", 1.0)):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < low:
                raise UserInputError(f"limits: {name} must be a number >= {low:g}, got {value!r}")
        if isinstance(self.memory_mb, bool) or not isinstance(self.memory_mb, int):
            raise UserInputError(
                f"limits: memory_mb must be a whole number, got {self.memory_mb!r}"
            )
        if self.memory_mb < 0:
            raise UserInputError(f"limits: memory_mb must be >= 0, got {self.memory_mb!r}")

    def override(
        self,
        *,
        test_timeout_s: float | None = None,
        deadline_s: float | None = None,
        memory_mb: int | None = None,
    ) -> Limits:
        """These limits with every value that is given (not None) replaced."""
        return Limits(
            test_timeout_s=self.test_timeout_s if test_timeout_s is None else test_timeout_s,
            deadline_s=self.deadline_s if deadline_s is None else deadline_s,
            memory_mb=self.memory_mb if memory_mb is None else memory_mb,
        )

    @property
    def memory_limit_mb(self) -> int | None:
        """The address-space limit to apply, or None for none."""
        return self.memory_mb or None

    def to_options(self) -> list[str]:
        """The plugin's command-line options that carry these limits to the pytest process."""
        args: list[str] = []
        for option, name in _FIELDS.items():
            args += [f"--mlgrader-{option}", repr(getattr(self, name))]
        return args

    @classmethod
    def from_options(cls, get: Callable[[str], Any]) -> Limits:
        """Read limits given as options (``get("test-timeout")``, ...); None keeps the default."""
        values: dict[str, Any] = {}
        for option, name in _FIELDS.items():
            raw = get(option)
            if raw is None or raw == "":
                continue
            kind = int if name == "memory_mb" else float
            try:
                values[name] = kind(raw)
            except (TypeError, ValueError):
                raise UserInputError(
                    f"mlgrader: --mlgrader-{option}: expected a number, got {raw!r}"
                ) from None
        return cls(**values)

    @classmethod
    def from_table(cls, table: Mapping[str, Any], source: str) -> Limits:
        """Read a challenge.toml ``[limits]`` table (keys ``memory_mb``, ``test_timeout_s``, ...)."""
        known = set(_FIELDS.values())
        unknown = sorted(set(table) - known)
        if unknown:
            raise UserInputError(
                f"{source}: [limits]: unknown key {unknown[0]!r}; expected one of "
                f"{', '.join(sorted(known))}"
            )
        try:
            return cls(**dict(table))
        except UserInputError as exc:
            raise UserInputError(f"{source}: {exc}") from None
