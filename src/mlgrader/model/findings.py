"""One Finding: something noticed about a submission, by whichever check noticed it.

The tamper scan, the clean-room copy, the test process and the code-quality
analysis all report the same shape, so a scorecard, a report and a reviewer read
them one way: what kind, how bad, where (file and line, when there is a place),
and which rule it comes from (``ruff B006``, ``radon cc``) when a named rule does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["info", "suspicious", "violated"]
Status = Literal["ok", "suspicious", "violated"]
SEVERITIES: tuple[Severity, ...] = ("info", "suspicious", "violated")


@dataclass(frozen=True)
class Finding:
    """What was noticed (``kind`` is a stable machine-readable tag), how bad, and where."""

    kind: str
    detail: str
    severity: Severity = "info"
    file: str | None = None
    line: int | None = None
    rule: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else ""
        where = where or (f"{self.file}: " if self.file else "")
        return where + self.detail + (f" [{self.rule}]" if self.rule else "")

    def to_dict(self) -> dict[str, Any]:
        """JSON fields; absent place and rule are left out."""
        data: dict[str, Any] = {"kind": self.kind, "detail": self.detail, "severity": self.severity}
        for key in ("file", "line", "rule"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        severity = data.get("severity", "info")
        line = data.get("line")
        return cls(
            kind=str(data["kind"]),
            detail=str(data["detail"]),
            severity=severity if severity in SEVERITIES else "info",
            file=None if data.get("file") is None else str(data["file"]),
            line=line if isinstance(line, int) and not isinstance(line, bool) else None,
            rule=None if data.get("rule") is None else str(data["rule"]),
        )


def worst_status(severities: Iterable[str]) -> Status:
    """The integrity status a set of finding severities adds up to: the worst one, else ok."""
    seen = set(severities)
    return "violated" if "violated" in seen else "suspicious" if "suspicious" in seen else "ok"
