"""The Scorecard: one model of a grading run, and the score formula.

Everything a report shows (JSON, markdown, text, JUnit, Gradescope) is a view
of this one model, so the renderings can never disagree. Nothing here imports
pytest: building and scoring are pure functions of the recorded results.

Score (README.md, "Scoring"): in each category the earned fraction is
sum(weight x earned) / sum(weight); the total is
100 x sum(category weight x fraction) / sum(category weight) over the
categories with at least one test in the run. A skipped test earns 0, so
candidate code cannot shrink the denominator.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mlgrader.errors import UserInputError
from mlgrader.model.findings import Finding, Status, worst_status
from mlgrader.model.rubric import Category
from mlgrader.model.text import clip

SCHEMA_VERSION = 1
OUTCOMES = ("passed", "failed", "error", "timeout", "crashed", "skipped")
Outcome = Literal["passed", "failed", "error", "timeout", "crashed", "skipped"]
INTEGRITY_LEVELS = ("ok", "suspicious", "violated")
HIDDEN_MESSAGE = "hidden test: details are not shown to candidates"
#: The first line of a scorecard of the public tests alone (what `mlgrader check` runs).
PUBLIC_NOTICE = (
    "PUBLIC TESTS ONLY: this is not the grade, which hidden tests in every category decide"
)


@dataclass
class TestResult:
    """The outcome of one test, with the rubric category and weight it counts toward."""

    __test__ = False  # not a pytest test class

    id: str
    category: str
    weight: float
    visibility: Literal["public", "hidden"]
    outcome: Outcome
    earned: float
    duration_s: float = 0.0
    message: str = ""
    longrepr: str | None = None
    complexity: list[dict[str, Any]] | None = None
    #: the test's docstring: the rule it checks (hidden tests' never reach a candidate)
    doc: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for optional in ("longrepr", "complexity", "doc"):
            if data[optional] is None:
                del data[optional]
        return data


@dataclass
class CategoryScore:
    """A category's share of the total and how much of it was earned."""

    name: str
    weight: float
    earned: float  # fraction in [0, 1]
    points: float  # earned points out of 100
    max_points: float  # this category's share of 100
    tests: int
    description: str = ""


#: Findings of one kind listed in a scorecard; the rest are counted in one more finding.
MAX_FINDINGS_PER_KIND = 50
#: Characters of a finding's detail and file kept (a file name can be 4,096 long).
MAX_FINDING_CHARS = 500


def _clipped(finding: Finding) -> Finding:
    if len(finding.detail) <= MAX_FINDING_CHARS and len(finding.file or "") <= MAX_FINDING_CHARS:
        return finding
    file = None if finding.file is None else clip(finding.file, MAX_FINDING_CHARS)
    return dataclasses.replace(finding, detail=clip(finding.detail, MAX_FINDING_CHARS), file=file)


@dataclass
class Integrity:
    """Whether the run can be trusted: ok, suspicious or violated, with the evidence."""

    status: Status = "ok"
    findings: list[Finding] = field(default_factory=list)

    @classmethod
    def from_findings(cls, findings: list[Finding]) -> Integrity:
        """The worst severity among ``findings`` decides the status (info counts as ok).

        At most ``MAX_FINDINGS_PER_KIND`` of each kind are kept (the most severe first),
        then one finding counts the rest: a submission of 50,000 refused files must not
        make a scorecard of 50,000 findings.
        """
        rank = {"violated": 0, "suspicious": 1, "info": 2}
        order = sorted(range(len(findings)), key=lambda i: rank.get(findings[i].severity, 3))
        kept: list[int] = []
        dropped: dict[str, list[Finding]] = {}
        seen: dict[str, int] = {}
        for i in order:
            kind = findings[i].kind
            seen[kind] = seen.get(kind, 0) + 1
            if seen[kind] <= MAX_FINDINGS_PER_KIND:
                kept.append(i)
            else:
                dropped.setdefault(kind, []).append(findings[i])
        listed = [_clipped(findings[i]) for i in sorted(kept)]  # in the order found
        for kind, rest in dropped.items():
            worst = worst_status(f.severity for f in rest)
            detail = f"{len(rest)} more {kind} findings like those above, not listed"
            listed.append(Finding(kind, detail, "info" if worst == "ok" else worst))
        return cls(worst_status(f.severity for f in findings), listed)


@dataclass
class Scorecard:
    """One grading run of one submission against one challenge."""

    mlgrader_version: str
    challenge: dict[str, str]
    submission: dict[str, Any]
    mode: Literal["full", "public"]
    audience: Literal["grader", "candidate"]
    score: float
    pass_mark: float
    passed: bool
    categories: list[CategoryScore]
    tests: list[TestResult]
    quality: dict[str, Any] = field(default_factory=dict)
    integrity: Integrity = field(default_factory=Integrity)
    sandbox: dict[str, Any] = field(default_factory=dict)
    started_at: str = ""
    duration_s: float = 0.0
    error: str | None = None
    #: questions for the interview, chosen from the results (model/followups.py); only
    #: ever in the grader's view
    followups: list[dict[str, str]] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data matching the shipped schema (scorecard.schema.json)."""
        data = dataclasses.asdict(self)
        data["tests"] = [t.to_dict() for t in self.tests]
        data["integrity"]["findings"] = [f.to_dict() for f in self.integrity.findings]
        if self.error is None:
            del data["error"]
        order = ["schema_version", "mlgrader_version", "challenge", "submission", "mode"]
        return {k: data[k] for k in order} | {k: v for k, v in data.items() if k not in order}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorecard:
        """Inverse of :meth:`to_dict`."""
        fields = dict(data)
        fields.pop("schema_version", None)
        fields["categories"] = [CategoryScore(**c) for c in data["categories"]]
        fields["tests"] = [TestResult(**t) for t in data["tests"]]
        integrity = data.get("integrity", {})
        fields["integrity"] = Integrity(
            integrity.get("status", "ok"),
            [Finding.from_dict(f) for f in integrity.get("findings", [])],
        )
        return cls(**fields)

    def category(self, name: str) -> CategoryScore | None:
        """The score of one category, or None when no test of it ran."""
        return next((c for c in self.categories if c.name == name), None)

    def for_audience(self, audience: Literal["grader", "candidate"]) -> Scorecard:
        """A copy fit for ``audience``: candidates never see hidden tests' messages or source."""
        if audience == "grader":
            return dataclasses.replace(self, audience="grader")
        tests = [
            dataclasses.replace(
                t,
                # A pass can carry a message too (a partial-credit note): hide it as well.
                message=HIDDEN_MESSAGE if t.message or t.outcome != "passed" else "",
                longrepr=None,
                complexity=None,
                doc=None,
            )
            if t.visibility == "hidden"
            else t
            for t in self.tests
        ]
        return dataclasses.replace(self, audience="candidate", tests=tests, followups=[])


def earned_for(outcome: str, partial: float | None) -> float:
    """Credit for one test: a pass earns 1 (or its recorded partial fraction), anything else 0."""
    if outcome != "passed":
        return 0.0
    if partial is None:
        return 1.0
    return min(1.0, max(0.0, float(partial)))


def score_categories(
    tests: Iterable[TestResult], categories: Mapping[str, Category]
) -> tuple[list[CategoryScore], float]:
    """Apply the scoring formula (README.md, "Scoring"): per-category fractions and the total out of 100."""
    tests = list(tests)
    present = [c for c in categories.values() if any(t.category == c.name for t in tests)]
    total_weight = sum(c.weight for c in present)
    scores: list[CategoryScore] = []
    total = 0.0
    for cat in present:
        mine = [t for t in tests if t.category == cat.name]
        weight_sum = sum(t.weight for t in mine)
        fraction = sum(t.weight * t.earned for t in mine) / weight_sum if weight_sum else 0.0
        share = 100.0 * cat.weight / total_weight if total_weight else 0.0
        points = share * fraction
        total += points
        scores.append(
            CategoryScore(
                name=cat.name,
                weight=cat.weight,
                earned=round(fraction, 6),
                points=round(points, 4),
                max_points=round(share, 4),
                tests=len(mine),
                description=cat.description,
            )
        )
    return scores, round(total, 2)


def max_points_by_test(card: Scorecard) -> dict[str, float]:
    """Each test's share of the 100 points: its category's share split by test weight.

    A test earns ``max_points * earned`` of the total; Gradescope's per-test
    scores and the batch report's item analysis both rest on this.
    """
    shares: dict[str, float] = {}
    for cat in card.categories:
        mine = [t for t in card.tests if t.category == cat.name]
        weight_sum = sum(t.weight for t in mine) or 1.0
        for test in mine:
            shares[test.id] = cat.max_points * test.weight / weight_sum
    return shares


def load_scorecard(path: Path) -> Scorecard:
    """A JSON scorecard saved by ``grade --json`` or a batch; UserInputError (one line
    naming the file and the problem) when it is missing or is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserInputError(f"scorecard {path} not found; pass a JSON scorecard") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UserInputError(
            f"{path} is not a JSON scorecard ({type(exc).__name__}); pass one from "
            "grade --json or a batch's scorecards folder"
        ) from None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise UserInputError(
            f"{path} is not a scorecard of schema_version {SCHEMA_VERSION}; pass one from "
            "grade --json or a batch's scorecards folder"
        )
    try:
        return Scorecard.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise UserInputError(
            f"{path}: a malformed scorecard ({exc}); pass an unedited one"
        ) from None
