"""The grader's own reading of a submission (quality metrics, integrity scan), within a budget.

Both read candidate files after the tests have run, outside every test's
deadline. Their algorithms are linear in the input and the workspace caps the
files and bytes they get, but a budget is what makes the promise: they run in
a child process (``python -m mlgrader.engine.analysis``, reading a request on
stdin and writing JSON on stdout) that is killed when the budget is spent.
Then the scorecard says so in a finding, and the tests' results stand.

The child imports and runs nothing of the candidate's: it parses files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgrader.model.findings import Finding
from mlgrader.model.quality import compact

#: Seconds for the grader's own work on one submission, separate from the tests' deadline.
BUDGET_S = 60.0
#: The most a child's answer may hold (the scorecard around it stays under 1 MB).
_MAX_ANSWER_BYTES = 16 * 1024 * 1024


@dataclass
class Analysis:
    """What the grader read from the submission: quality metrics and scan findings."""

    quality: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def analyse(
    root: Path,
    quality_files: list[Path],
    scan_files: list[str],
    budget_s: float = BUDGET_S,
    allowed_imports: tuple[str, ...] | None = None,
) -> Analysis:
    """Quality metrics of ``quality_files`` and the integrity scan of ``scan_files`` (names
    relative to ``root``, the submission's copy), within ``budget_s`` seconds; with
    ``allowed_imports`` (the challenge's [dependencies]), imports written outside them."""
    request = {
        "root": str(root),
        "quality": [str(p) for p in quality_files],
        "scan": scan_files,
        "allowed_imports": allowed_imports,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mlgrader.engine.analysis"],
            input=json.dumps(request, ensure_ascii=True).encode(),
            capture_output=True,
            timeout=budget_s,
            cwd=root,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        why = (
            f"reading the submission's files (quality metrics, integrity scan) took more than "
            f"the grader's budget of {budget_s:g} s: not analysed"
        )
        return Analysis(findings=[Finding("grader-budget", why, "suspicious")])
    if done.returncode != 0 or len(done.stdout) > _MAX_ANSWER_BYTES:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        why = f"reading the submission's files failed ({tail[0][:200]}): not analysed"
        return Analysis(findings=[Finding("not-analysed", why, "suspicious")])
    answer = json.loads(done.stdout)
    return Analysis(answer["quality"], [Finding.from_dict(f) for f in answer["findings"]])


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    from mlgrader.quality import analyze_paths
    from mlgrader.sandbox.scan import scan_submission

    root = Path(request["root"])
    quality = compact(analyze_paths([Path(p) for p in request["quality"]], root=root).to_dict())
    found = scan_submission(root, request["scan"])
    if request.get("allowed_imports") is not None:
        from mlgrader.sandbox.imports import written_imports

        found += written_imports(root, request["scan"], request["allowed_imports"])
    findings = [f.to_dict() for f in found]
    return {"quality": quality, "findings": findings}


if __name__ == "__main__":
    print(json.dumps(_answer(json.load(sys.stdin)), ensure_ascii=True))
