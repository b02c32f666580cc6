"""rubric.toml: category weights, per-challenge overrides and test-to-category rules.

A test's category and weight come from its ``@pytest.mark.rubric`` marker, else
from the first matching ``[[challenges.NAME.tests]]`` glob, else correctness
with weight 1. Loading validates everything up front, so a typo in rubric.toml
fails before any candidate code runs, with an error that names the file, the
key and what was expected.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgrader.errors import RubricError

DEFAULT_CATEGORY = "correctness"

#: Used when no rubric.toml is found: the weights README.md ("Scoring") names.
DEFAULT_WEIGHTS: dict[str, float] = {
    "correctness": 50,
    "complexity": 20,
    "oop": 15,
    "concurrency": 15,
}

DEFAULT_DESCRIPTIONS: dict[str, str] = {
    "correctness": "The code does what the statement asks, edge cases included.",
    "complexity": "Measured running time grows no faster than the required big-O bound.",
    "oop": "Clean object-oriented Python: small methods, private state, docstrings.",
    "concurrency": "Correct and deadlock-free when many threads or processes share it.",
}


@dataclass(frozen=True)
class Category:
    """One rubric category and its share of the total."""

    name: str
    weight: float
    description: str = ""


@dataclass(frozen=True)
class TestRule:
    """Maps tests whose node id matches ``match`` (a glob) to a category and weight."""

    __test__ = False  # not a pytest test class

    match: str
    category: str
    weight: float = 1.0

    def matches(self, nodeid: str) -> bool:
        """Whether the rule applies to ``nodeid`` (relative to the challenge folder)."""
        return fnmatch.fnmatchcase(nodeid, self.match)


@dataclass(frozen=True)
class ChallengeRubric:
    """The rubric as it applies to one challenge: overrides merged in."""

    challenge: str
    pass_mark: float
    categories: dict[str, Category]
    rules: tuple[TestRule, ...] = ()

    def classify(self, nodeid: str, marker: tuple[str, float | None] | None) -> tuple[str, float]:
        """Category and weight of one test: marker, then the first matching rule, then default.

        A marker without a weight falls back to the matching rule's weight, then 1.
        """
        rule = next((r for r in self.rules if r.matches(nodeid)), None)
        if marker is not None:
            category, weight = marker
            if weight is None:
                weight = rule.weight if rule is not None and rule.category == category else 1.0
        elif rule is not None:
            category, weight = rule.category, rule.weight
        else:
            category, weight = DEFAULT_CATEGORY, 1.0
        if category not in self.categories:
            known = ", ".join(sorted(self.categories))
            raise RubricError(
                f"test {nodeid}: unknown rubric category {category!r}; expected one of {known}"
            )
        return category, float(weight)

    def to_toml(self) -> str:
        """This challenge's rubric as a standalone rubric.toml (used for candidate kits)."""
        lines = ["[rubric]", f"pass_mark = {_num(self.pass_mark)}", ""]
        for cat in self.categories.values():
            lines += [
                f"[categories.{cat.name}]",
                f"weight = {_num(cat.weight)}",
                f"description = {_toml_str(cat.description)}",
                "",
            ]
        for rule in self.rules:
            lines += [
                f"[[challenges.{self.challenge}.tests]]",
                f"match = {_toml_str(rule.match)}",
                f"category = {_toml_str(rule.category)}",
                f"weight = {_num(rule.weight)}",
                "",
            ]
        return "\n".join(lines)


@dataclass(frozen=True)
class Rubric:
    """A whole rubric.toml: defaults plus per-challenge sections."""

    source: str
    pass_mark: float
    categories: dict[str, Category]
    overrides: dict[str, dict[str, float]] = field(default_factory=dict)
    rules: dict[str, tuple[TestRule, ...]] = field(default_factory=dict)
    #: Per challenge: what a category checks in that challenge (RUBRIC.md shows it).
    descriptions: dict[str, dict[str, str]] = field(default_factory=dict)

    def for_challenge(self, name: str) -> ChallengeRubric:
        """Merge the challenge's weights and descriptions into the defaults."""
        cats = dict(self.categories)
        for cat_name, weight in self.overrides.get(name, {}).items():
            cats[cat_name] = Category(cat_name, weight, cats[cat_name].description)
        for cat_name, text in self.descriptions.get(name, {}).items():
            cats[cat_name] = Category(cat_name, cats[cat_name].weight, text)
        return ChallengeRubric(name, self.pass_mark, cats, self.rules.get(name, ()))


def default_rubric() -> Rubric:
    """The rubric used when a challenges folder has no rubric.toml."""
    cats = {n: Category(n, w, DEFAULT_DESCRIPTIONS[n]) for n, w in DEFAULT_WEIGHTS.items()}
    return Rubric("<built-in rubric>", 70.0, cats)


def load_rubric(path: Path) -> Rubric:
    """Read and validate rubric.toml; every error names the file, the key and what was expected."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricError(f"{path}: cannot read rubric: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    return parse_rubric(data, str(path))


def parse_rubric(data: Mapping[str, Any], source: str) -> Rubric:
    """Validate parsed rubric data (see :func:`load_rubric`)."""
    check = _Checker(source)
    check.only_keys(data, "", {"rubric", "categories", "challenges"})
    head = check.table(data.get("rubric", {}), "rubric")
    check.only_keys(head, "rubric", {"pass_mark"})
    pass_mark = check.number(head.get("pass_mark", 70), "rubric.pass_mark", 0, 100)

    raw_cats = check.table(data.get("categories", {}), "categories")
    if not raw_cats:
        raw_cats = {n: {"weight": w} for n, w in DEFAULT_WEIGHTS.items()}
    categories: dict[str, Category] = {}
    for name, body in raw_cats.items():
        key = f"categories.{name}"
        body = check.table(body, key)
        check.only_keys(body, key, {"weight", "description"})
        if "weight" not in body:
            raise RubricError(f"{source}: {key}.weight: missing; expected a number >= 0")
        weight = check.number(body["weight"], f"{key}.weight", 0, None)
        desc = body.get("description", DEFAULT_DESCRIPTIONS.get(name, ""))
        if not isinstance(desc, str):
            raise RubricError(f"{source}: {key}.description: expected a string, got {desc!r}")
        categories[name] = Category(name, weight, desc)

    overrides: dict[str, dict[str, float]] = {}
    descriptions: dict[str, dict[str, str]] = {}
    rules: dict[str, tuple[TestRule, ...]] = {}
    for chal, body in check.table(data.get("challenges", {}), "challenges").items():
        key = f"challenges.{chal}"
        body = check.table(body, key)
        check.only_keys(body, key, {"categories", "descriptions", "tests"})
        cat_over = check.table(body.get("categories", {}), f"{key}.categories")
        overrides[chal] = {}
        for cat_name, weight in cat_over.items():
            ckey = f"{key}.categories.{cat_name}"
            check.known_category(cat_name, ckey, categories)
            overrides[chal][cat_name] = check.number(weight, ckey, 0, None)
        descriptions[chal] = {}
        for cat_name, text in check.table(
            body.get("descriptions", {}), f"{key}.descriptions"
        ).items():
            dkey = f"{key}.descriptions.{cat_name}"
            check.known_category(cat_name, dkey, categories)
            if not isinstance(text, str) or not text.strip():
                raise check.fail(dkey, "a sentence saying what the category checks here", text)
            descriptions[chal][cat_name] = text
        rules[chal] = tuple(
            check.rule(entry, f"{key}.tests[{i}]", categories)
            for i, entry in enumerate(check.array(body.get("tests", []), f"{key}.tests"))
        )
    return Rubric(source, pass_mark, categories, overrides, rules, descriptions)


class _Checker:
    """Small validators that raise RubricError naming the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, expected: str, got: object) -> RubricError:
        return RubricError(f"{self.source}: {key}: expected {expected}, got {got!r}")

    def table(self, value: object, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "a table", value)
        return value

    def array(self, value: object, key: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(key, "an array of tables ([[...]])", value)
        return value

    def only_keys(self, table: Mapping[str, Any], key: str, allowed: set[str]) -> None:
        for name in table:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                raise RubricError(
                    f"{self.source}: {where}: unknown key; expected one of {', '.join(sorted(allowed))}"
                )

    def number(self, value: object, key: str, low: float, high: float | None) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and value >= low and (high is None or value <= high):  # type: ignore[operator]
            return float(value)  # type: ignore[arg-type]
        bound = f"a number >= {_num(low)}" + (f" and <= {_num(high)}" if high is not None else "")
        raise self.fail(key, bound, value)

    def known_category(self, name: str, key: str, categories: Mapping[str, Category]) -> None:
        if name not in categories:
            raise self.fail(
                key, f"a category defined in [categories] ({', '.join(categories)})", name
            )

    def rule(self, entry: object, key: str, categories: Mapping[str, Category]) -> TestRule:
        body = self.table(entry, key)
        self.only_keys(body, key, {"match", "category", "weight"})
        match = body.get("match")
        if not isinstance(match, str) or not match:
            raise self.fail(f"{key}.match", "a node-id glob string", match)
        category = body.get("category")
        if not isinstance(category, str):
            raise self.fail(f"{key}.category", "a category name", category)
        self.known_category(category, f"{key}.category", categories)
        weight = self.number(body.get("weight", 1), f"{key}.weight", 0, None)
        return TestRule(match, category, weight)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _toml_str(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
