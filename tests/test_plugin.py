"""The pytest plugin: inert unless enabled, rubric classification, isolation, fixtures."""

from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path

import pytest

from mlgrader.engine.protocol import RunRecords, parse_records

CHALLENGE_TOML = """
[challenge]
name = "demo"
title = "Demo"
modules = ["mod"]
time_estimate_minutes = 5
"""

RUBRIC_TOML = """
[rubric]
pass_mark = 50
[categories.correctness]
weight = 60
[categories.oop]
weight = 40
[[challenges.demo.tests]]
match = "tests/hidden/test_style.py::*"
category = "oop"
weight = 3
"""


@pytest.fixture
def demo(pytester: pytest.Pytester) -> pytest.Pytester:
    """A challenge folder with a rubric and a submission module."""
    pytester.makefile(".toml", challenge=CHALLENGE_TOML, rubric=RUBRIC_TOML)
    sub = pytester.mkdir("submission")
    (sub / "mod.py").write_text("def add(a, b):\n    return a + b\n")
    pytester.mkdir("tests")
    pytester.mkdir("tests/public")
    pytester.mkdir("tests/hidden")
    return pytester


@pytest.fixture
def shared_demo(demo: pytest.Pytester) -> pytest.Pytester:
    """The demo challenge opted out of the boundary: candidate code shares the test's process,
    so the test's process checks pytest's machinery after every phase."""
    toml = demo.path / "challenge.toml"
    toml.write_text(toml.read_text().replace("[challenge]\n", "[challenge]\nboundary = false\n"))
    return demo


def write_test(pytester: pytest.Pytester, rel: str, body: str) -> None:
    path = pytester.path / rel
    path.write_text(textwrap.dedent(body))


def grade_run(pytester: pytest.Pytester, *extra: str) -> tuple[pytest.RunResult, RunRecords]:
    results = pytester.path / "results.jsonl"
    run = pytester.runpytest_subprocess(
        "--mlgrader",
        "--mlgrader-submission",
        "submission",
        "--mlgrader-rubric",
        "rubric.toml",
        "--mlgrader-results",
        str(results),
        "-p",
        "no:cacheprovider",
        *extra,
        "tests",
    )
    text = results.read_text() if results.exists() else ""
    return run, parse_records(text)


def test_inert_without_flag(demo: pytest.Pytester) -> None:
    """Without --mlgrader, tests share pytest's own process and no score is printed."""
    write_test(
        demo,
        "tests/public/test_plain.py",
        """
        import sys, pytest
        @pytest.mark.rubric("oop", weight=2)
        def test_one():
            sys.mlgrader_probe = 1
        def test_two():
            assert sys.mlgrader_probe == 1
        """,
    )
    result = demo.runpytest_subprocess("tests", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    assert "= mlgrader =" not in result.stdout.str()


def test_classification_marker_rule_default(demo: pytest.Pytester) -> None:
    """Marker wins, then rubric.toml globs, then correctness with weight 1."""
    write_test(
        demo,
        "tests/hidden/test_style.py",
        """
        import pytest
        def test_ruled(): pass
        @pytest.mark.rubric("correctness", weight=5)
        def test_marked(): pass
        """,
    )
    write_test(demo, "tests/public/test_basic.py", "def test_default(): pass\n")
    _, records = grade_run(demo)
    planned = {t.id: (t.category, t.weight, t.visibility) for t in records.collected}
    assert planned == {
        "tests/hidden/test_style.py::test_ruled": ("oop", 3.0, "hidden"),
        "tests/hidden/test_style.py::test_marked": ("correctness", 5.0, "hidden"),
        "tests/public/test_basic.py::test_default": ("correctness", 1.0, "public"),
    }
    assert records.done


def test_unknown_category_is_a_usage_error(demo: pytest.Pytester) -> None:
    """A marker naming a category missing from the rubric stops the run with a clear message."""
    write_test(
        demo,
        "tests/public/test_bad.py",
        """
        import pytest
        @pytest.mark.rubric("speed")
        def test_x(): pass
        """,
    )
    run, _ = grade_run(demo)
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert "unknown rubric category 'speed'" in run.stderr.str()


def test_crash_and_exit_cost_only_their_test(demo: pytest.Pytester) -> None:
    """os._exit and a segfault mark their test crashed; every other result is kept."""
    write_test(
        demo,
        "tests/public/test_crashy.py",
        """
        import ctypes, os
        def test_before(submission):
            assert submission.module("mod").add(1, 2) == 3
        def test_exit():
            os._exit(0)
        def test_segfault():
            ctypes.string_at(0)
        def test_after(submission):
            assert submission.module("mod").add(2, 2) == 4
        """,
    )
    run, records = grade_run(demo)
    outcomes = {k.split("::")[1]: v.outcome for k, v in records.results.items()}
    assert outcomes == {
        "test_before": "passed",
        "test_exit": "crashed",
        "test_segfault": "crashed",
        "test_after": "passed",
    }
    segv = next(v for k, v in records.results.items() if k.endswith("test_segfault"))
    assert "SIGSEGV" in segv.message
    assert run.ret == pytest.ExitCode.TESTS_FAILED


def test_hang_becomes_timeout_with_stack(demo: pytest.Pytester) -> None:
    """A test that hangs is killed at the per-test timeout and shows where it was stuck."""
    write_test(
        demo,
        "tests/public/test_hang.py",
        """
        import time
        def test_spins_forever():
            while True:
                time.sleep(0.01)
        def test_fine(): pass
        """,
    )
    _, records = grade_run(demo, "--mlgrader-test-timeout", "1")
    hang = records.results["tests/public/test_hang.py::test_spins_forever"]
    assert hang.outcome == "timeout"
    assert "within 1 s" in hang.message
    assert "test_spins_forever" in (hang.longrepr or "")
    assert records.results["tests/public/test_hang.py::test_fine"].outcome == "passed"


def test_complexity_check_outlasts_the_test_timeout(demo: pytest.Pytester) -> None:
    """A complexity check may take several times its CPU budget in wall time on a busy
    machine; the test timeout does not cut it short (that ended numpy-nn's row-stacking
    mutant as a timeout in one of three busy gradings). A sleeping function spends no CPU,
    so its check runs to its wall-clock cap, 6 x 0.5 s: past the 1 s timeout."""
    (demo.path / "submission" / "mod.py").write_text(
        "import time\n\ndef add(a, b):\n    return a + b\n\ndef wait(xs):\n    time.sleep(0.001)\n"
    )
    write_test(
        demo,
        "tests/public/test_check.py",
        """
        import time
        def test_constant(submission, complexity):
            started = time.monotonic()
            wait = submission.module("mod").wait
            complexity.require(wait, lambda n: [0] * n, "O(1)", time_budget=0.5)
            assert time.monotonic() - started > 1.5, "the check ended before its wall cap"
        def test_hang_is_still_cut_at_the_timeout():
            time.sleep(30)
        """,
    )
    _, records = grade_run(demo, "--mlgrader-test-timeout", "1")
    check = records.results["tests/public/test_check.py::test_constant"]
    assert check.outcome == "passed", check.message
    hang = records.results["tests/public/test_check.py::test_hang_is_still_cut_at_the_timeout"]
    assert hang.outcome == "timeout"
    assert "within 1 s" in hang.message


def test_stretching_stops_at_the_run_deadline(shared_demo: pytest.Pytester) -> None:
    """Candidate code sharing the test's process (no boundary) can ask for more time like a
    check does, but never past the run's deadline; the timeout says it was stretched."""
    (shared_demo.path / "submission" / "mod.py").write_text(
        "import time\nfrom mlgrader.authoring import timelimit\n\n"
        "def add(a, b):\n    timelimit.need(1e9)\n    while True:\n        time.sleep(0.01)\n"
    )
    write_test(
        shared_demo,
        "tests/public/test_greedy.py",
        """
        def test_asks_forever(submission):
            submission.module("mod").add(1, 2)
        """,
    )
    started = time.monotonic()
    _, records = grade_run(shared_demo, "--mlgrader-test-timeout", "1", "--mlgrader-deadline", "4")
    elapsed = time.monotonic() - started
    greedy = records.results["tests/public/test_greedy.py::test_asks_forever"]
    assert greedy.outcome == "timeout"
    assert "stretched" in greedy.message, greedy.message
    assert elapsed < 30, f"the run took {elapsed:.0f} s against a 4 s deadline"


def test_leaked_process_holding_the_pipe_costs_nothing(demo: pytest.Pytester) -> None:
    """A test that passes but leaves a forked process behind (which inherits the report
    pipe) is reported as passed at once, not as a timeout; so are the tests after it."""
    write_test(
        demo,
        "tests/public/test_leaky.py",
        """
        import multiprocessing, os, time
        def linger():
            time.sleep(60)
        def test_leaves_a_worker():
            multiprocessing.get_context("fork").Process(target=linger, daemon=True).start()
        def test_forks_and_forgets():
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
        def test_after(submission):
            assert submission.module("mod").add(2, 2) == 4
        """,
    )
    started = time.monotonic()
    _, records = grade_run(demo, "--mlgrader-test-timeout", "20")
    outcomes = {k.split("::")[1]: v.outcome for k, v in records.results.items()}
    assert outcomes == {
        "test_leaves_a_worker": "passed",
        "test_forks_and_forgets": "passed",
        "test_after": "passed",
    }
    assert time.monotonic() - started < 15, "waited for the leaked processes"


def test_deadline_marks_unstarted_tests_timeout(demo: pytest.Pytester) -> None:
    """Once the run's deadline passes, remaining tests are recorded as timeouts, not dropped."""
    write_test(
        demo,
        "tests/public/test_slow.py",
        """
        import time
        def test_a(): time.sleep(5)
        def test_b(): pass
        """,
    )
    _, records = grade_run(demo, "--mlgrader-deadline", "1")
    assert records.results["tests/public/test_slow.py::test_a"].outcome == "timeout"
    assert records.results["tests/public/test_slow.py::test_b"].outcome == "timeout"


def test_skip_and_partial_credit(demo: pytest.Pytester) -> None:
    """A skip earns nothing; partial() records a fraction that applies when the test passes."""
    write_test(
        demo,
        "tests/public/test_credit.py",
        """
        import pytest
        def test_skipped():
            pytest.skip("candidate said so")
        def test_partial(partial):
            partial(0.25, "slower than baseline")
        def test_partial_but_failed(partial):
            partial(0.5, "half")
            assert False
        """,
    )
    _, records = grade_run(demo)
    got = {k.split("::")[1]: (v.outcome, v.earned) for k, v in records.results.items()}
    assert got == {
        "test_skipped": ("skipped", 0.0),
        "test_partial": ("passed", 0.25),
        "test_partial_but_failed": ("failed", 0.0),
    }
    assert (
        "slower than baseline"
        in records.results["tests/public/test_credit.py::test_partial"].message
    )


def test_collection_never_imports_candidate_code(demo: pytest.Pytester) -> None:
    """Collecting (even with the submission fixture in use) runs no candidate code."""
    (demo.path / "submission" / "mod.py").write_text(
        "open('IMPORTED', 'w').close()\ndef add(a, b):\n    return a + b\n"
    )
    write_test(
        demo,
        "tests/public/test_lazy.py",
        """
        def test_uses(submission):
            assert submission.module("mod").add(1, 1) == 2
        """,
    )
    demo.runpytest_subprocess(
        "--mlgrader", "--mlgrader-submission", "submission", "--collect-only", "tests"
    )
    assert not (demo.path / "IMPORTED").exists()


def test_candidate_imports_stay_in_the_test_process(demo: pytest.Pytester) -> None:
    """A module imported in one test is fresh in the next: each test has its own process."""
    # (a list fetched from a candidate module crosses as a copy: change it through a function)
    (demo.path / "submission" / "mod.py").write_text(
        "STATE = []\ndef add(x):\n    STATE.append(x)\n"
    )
    write_test(
        demo,
        "tests/public/test_state.py",
        """
        def test_one(submission):
            submission.module("mod").add(1)
            assert submission.module("mod").STATE == [1]
        def test_two(submission):
            assert submission.module("mod").STATE == []
        """,
    )
    _, records = grade_run(demo)
    assert {r.outcome for r in records.results.values()} == {"passed"}


def test_memory_limit_fails_only_the_hog(demo: pytest.Pytester) -> None:
    """A test that allocates past --mlgrader-memory crashes (out of memory); the next passes."""
    write_test(
        demo,
        "tests/public/test_mem.py",
        """
        def test_hog():
            blob = bytearray(1024 * 1024 * 1024)
            assert len(blob)
        def test_ok(): pass
        """,
    )
    _, records = grade_run(demo, "--mlgrader-memory", "512")
    hog = records.results["tests/public/test_mem.py::test_hog"]
    assert hog.outcome == "crashed" and "out of memory" in hog.message
    assert records.results["tests/public/test_mem.py::test_ok"].outcome == "passed"


def test_terminal_summary_shows_score(demo: pytest.Pytester) -> None:
    """Standalone use prints a per-category score at the end of the run."""
    write_test(demo, "tests/public/test_one.py", "def test_ok(): pass\ndef test_no(): assert 0\n")
    run, _ = grade_run(demo)
    run.stdout.fnmatch_lines(["*mlgrader*", "correctness*50.0 / 100.0*", "score*50.0 / 100"])


def test_submission_fixture_needs_a_path(pytester: pytest.Pytester) -> None:
    """Using the submission fixture without --mlgrader-submission explains what to pass."""
    pytester.makepyfile("def test_x(submission): pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert "--mlgrader-submission" in result.stdout.str() + result.stderr.str()


def test_results_file_survives_in_path(tmp_path: Path) -> None:
    """parse_records tolerates junk lines and reports them instead of failing."""
    records = parse_records('{"type":"collected","tests":[]}\nnot json\n{"type":"done"}\n')
    assert records.has_collected and records.done
    assert records.errors and "line 2" in records.errors[0]


def test_sandbox_blocks_writes_network_and_orphans(
    demo: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --mlgrader-sandbox: writes only to scratch, no network, no orphan survives."""
    for name in ("TMPDIR", "HOME"):
        scratch = demo.mkdir(f"scratch-{name.lower()}")
        monkeypatch.setenv(name, str(scratch))
    outside = tmp_path / "outside.txt"
    pidfile = demo.path / "scratch-tmpdir" / "orphan.pid"
    write_test(
        demo,
        "tests/public/test_attacks.py",
        f"""
        import os, socket, subprocess, sys
        def test_write_outside():
            with open({str(outside)!r}, "w") as handle:
                handle.write("escaped")
        def test_rewrite_submission(submission):
            (submission.path / "mod.py").write_text("def add(a, b):\\n    return 0\\n")
        def test_scratch_is_writable():
            with open(os.path.join(os.environ["TMPDIR"], "scratch.txt"), "w") as handle:
                handle.write("fine")
        def test_network():
            socket.create_connection(("1.1.1.1", 53), timeout=2)
        def test_orphan():
            proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                                    start_new_session=True)
            open({str(pidfile)!r}, "w").write(str(proc.pid))
        """,
    )
    _, records = grade_run(demo, "--mlgrader-sandbox")
    outcomes = {k.split("::")[1]: v for k, v in records.results.items()}
    assert records.sandbox["landlock_filesystem"] and records.sandbox["network_isolated"]
    assert outcomes["test_write_outside"].outcome == "failed"
    assert "Permission" in outcomes["test_write_outside"].message
    assert not outside.exists()
    assert outcomes["test_rewrite_submission"].outcome == "failed"
    assert outcomes["test_scratch_is_writable"].outcome == "passed"
    assert outcomes["test_network"].outcome == "failed"
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_test_process_holds_only_its_own_channel_and_pipe(demo: pytest.Pytester) -> None:
    """Each test's process is forked before the previous test's candidate is retired; it
    must not inherit that test's candidate channel or report pipe (nor the results stream
    or the fork server)."""
    log = demo.path / "fds.log"
    write_test(
        demo,
        "tests/public/test_fds.py",
        f"""
        import json, os, pytest

        def _open():
            links = []
            for fd in os.listdir("/proc/self/fd"):
                try:
                    links.append(os.readlink(f"/proc/self/fd/{{fd}}"))
                except FileNotFoundError:  # the descriptor listdir itself used
                    pass
            return links

        @pytest.mark.parametrize("i", range(4))
        def test_fds(submission, i):
            assert submission.module("mod").add(i, 1) == i + 1
            with open({str(log)!r}, "a") as handle:
                handle.write(json.dumps(_open()) + "\\n")
        """,
    )
    _, records = grade_run(demo)
    assert [r.outcome for r in records.results.values()] == ["passed"] * 4
    held = [json.loads(line) for line in log.read_text().splitlines()]
    everywhere = set.intersection(*map(set, held))  # inherited by all (stdio, pytest's own)
    for links in held:
        mine = [link.split(":")[0] for link in links if link not in everywhere]
        # its report pipe, its candidate channel and its main thread's lane; nothing else
        assert sorted(k for k in mine if k in ("pipe", "socket")) == ["pipe", "socket", "socket"]


def test_canary_catches_forged_reports(demo: pytest.Pytester) -> None:
    """A plugin that rewrites every report to 'passed' turns a must-fail canary green: violated."""
    demo.makepyfile(
        forger="""
        import pytest
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(item, call):
            outcome = yield
            report = outcome.get_result()
            report.outcome = "passed"
        """
    )
    write_test(demo, "tests/hidden/test_h.py", "def test_a(): assert False\ndef test_b(): pass\n")
    demo.syspathinsert()
    _, records = grade_run(demo, "-p", "forger", "--mlgrader-canaries", "2")
    kinds = {(f.kind, f.severity) for f in records.integrity}
    assert ("canary", "violated") in kinds
    assert len(records.results) == 2  # canaries never count as tests


def test_patching_pytest_in_a_test_is_reported(shared_demo: pytest.Pytester) -> None:
    """Candidate code that replaces pytest's reporting functions is recorded as tampering."""
    write_test(
        shared_demo,
        "tests/public/test_patch.py",
        """
        import _pytest.runner
        def test_patch():
            _pytest.runner.runtestprotocol = lambda *a, **k: None
        """,
    )
    _, records = grade_run(shared_demo)
    assert any(
        f.kind == "pytest-tampering" and "runtestprotocol" in f.detail for f in records.integrity
    )


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("mlgrader.testing", "strict_equal"),
        ("mlgrader.testing", "run_threads"),
        ("mlgrader.authoring.testing.strict", "strict_equal"),
        ("mlgrader.authoring.testing.threads", "run_threads"),
    ],
)
def test_patching_a_judging_helper_is_reported(
    shared_demo: pytest.Pytester, module: str, name: str
) -> None:
    """Replacing strict_equal or run_threads, in mlgrader.testing or where it is defined."""
    write_test(
        shared_demo,
        "tests/public/test_patch.py",
        f"""
        import importlib
        def test_patch():
            setattr(importlib.import_module({module!r}), {name!r}, lambda *a, **k: None)
        """,
    )
    _, records = grade_run(shared_demo)
    assert any(
        f.kind == "pytest-tampering" and f"{module}.{name} was replaced" in f.detail
        for f in records.integrity
    ), records.integrity


def test_no_isolation_runs_tests_in_process(demo: pytest.Pytester) -> None:
    """--mlgrader-no-isolation still runs and records every test (trusted debugging mode)."""
    write_test(demo, "tests/public/test_two.py", "def test_a(): pass\ndef test_b(): assert 0\n")
    run, records = grade_run(demo, "--mlgrader-no-isolation")
    run.assert_outcomes(passed=1, failed=1)
    assert {r.outcome for r in records.results.values()} == {"passed", "failed"}


def test_quality_in_a_sandboxed_test_equals_quality_in_the_grader(
    demo: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """submission.quality() runs ruff inside the test's process (Landlock, memory limit,
    scrubbed environment) and finds exactly what the grader finds for the scorecard."""
    import json

    from mlgrader.quality import analyze_paths

    scratch = demo.mkdir("scratch")
    monkeypatch.setenv("TMPDIR", str(scratch))
    (demo.path / "submission" / "mod.py").write_text(
        "from os import *\n\n\nclass cart:\n    def add(self, x=[]):\n"
        "        global TOTAL\n        TOTAL = x\n        print(x)\n        try:\n"
        "            pass\n        except:\n            pass\n"
    )
    write_test(
        demo,
        "tests/hidden/test_style.py",
        """
        import json, os
        def test_quality(submission):
            report = submission.quality()
            with open(os.path.join(os.environ["TMPDIR"], "quality.json"), "w") as out:
                json.dump(report.to_dict(), out)
            report.require_no_print()
        """,
    )
    _, records = grade_run(demo, "--mlgrader-sandbox", "--mlgrader-memory", "1024")
    assert records.sandbox["landlock_filesystem"]
    result = records.results["tests/hidden/test_style.py::test_quality"]
    assert result.outcome == "failed" and "[ruff T201]" in (result.longrepr or "")
    in_test = json.loads((scratch / "quality.json").read_text())
    submission = demo.path / "submission"
    in_grader = analyze_paths([submission / "mod.py"], root=submission).to_dict()
    assert in_test == in_grader
    rules = {f["rule"] for f in in_grader["files"]["mod.py"]["findings"]}
    assert rules >= {"ruff F403", "ruff N801", "ruff B006", "ruff PLW0603", "ruff T201"}
