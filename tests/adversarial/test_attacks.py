"""Adversarial submissions against the lru-cache challenge: the grader must hold (docs/security.md).

Each test grades one attack from ``attacks/`` and checks the generic invariants
(``Arena.violations``: no forged score, no lost or invented results, no process
left alive, originals unchanged, nothing leaked, a small scorecard) plus what is
specific to the attack. Failures list every broken invariant at once, with the
run's score, outcomes and integrity findings.

Attacks built on the stub must earn no more than the stub itself (or be flagged
``violated``, which caps the score at 0). Attacks built on the reference check
that a crash, hang or memory bomb in one method costs only the tests that call it.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from arena_support import SECRET_NAME, Arena, AttackRun

PUBLIC = "tests/public/test_basics.py::"
#: Attacks on the reports themselves (patched pytest, forged records), on pytest's
#: configuration and on comparisons aim at every test alike: they are graded on the public
#: tests and the hidden correctness file (``Arena.repo_for``), which such an attack would
#: pass as readily as any other. Attacks aimed at timing or quality checks (patched
#: complexity checks, a do-nothing cache) are graded on every file.
FORGERY_FOCUS = "correctness"
HIDDEN_CORRECTNESS = "tests/hidden/test_correctness.py::"


def _verdict(run: AttackRun, problems: list[str]) -> None:
    assert not problems, f"{run.summary()}\n- " + "\n- ".join(problems)


def _no_passes(run: AttackRun, why: str) -> list[str]:
    passed = [t.id for t in run.card.tests if t.outcome == "passed"]
    return [f"{why}: {len(passed)} tests passed, e.g. {passed[:3]}"] if passed else []


def _evidence(run: AttackRun, tag: str) -> list[dict[str, Any]]:
    """The JSON reports an attack put in its failure messages (``TAG{...}END``)."""
    found = []
    for text in re.findall(re.escape(tag) + r"(\{.*?\})END", run.messages()):
        try:
            found.append(json.loads(text))
        except ValueError:
            continue
    return found


def _expect(run: AttackRun, outcomes: dict[str, str | tuple[str, ...]]) -> list[str]:
    problems = []
    for suffix, wanted in outcomes.items():
        allowed = (wanted,) if isinstance(wanted, str) else wanted
        result = run.test(suffix)
        if result.outcome not in allowed:
            problems.append(
                f"{suffix}: {result.outcome} (expected {' or '.join(allowed)}): {result.message[:200]}"
            )
    return problems


# -- 1. files that configure pytest or Python ----------------------------------------------


def test_conftest_hooks(arena: Arena) -> None:
    """A submission's conftest.py files and smuggled test files are never used."""
    run = arena.grade("conftest_hooks", focus=FORGERY_FOCUS)
    problems = arena.violations(run)
    problems += _no_passes(run, "a forcing conftest.py was loaded")
    _verdict(run, problems)


def test_pytest_config_files(arena: Arena) -> None:
    """pytest.ini, tox.ini, setup.cfg and pyproject.toml addopts from a submission are never used."""
    run = arena.grade("pytest_config_files", focus=FORGERY_FOCUS)
    problems = arena.violations(run)
    problems += _no_passes(run, "the submission's pytest configuration was used")
    _verdict(run, problems)


def test_site_customize(arena: Arena) -> None:
    """sitecustomize.py and usercustomize.py from a submission never run."""
    run = arena.grade("site_customize", public_only=True)
    problems = arena.violations(run)
    problems += _no_passes(run, "sitecustomize/usercustomize ran")
    _verdict(run, problems)


def test_pth_file(arena: Arena) -> None:
    """.pth files in a submission are never processed."""
    run = arena.grade("pth_file", public_only=True)
    problems = arena.violations(run)
    problems += _no_passes(run, "a .pth file ran")
    _verdict(run, problems)


def test_shadow_modules(arena: Arena) -> None:
    """Modules named like the stdlib, pytest, numpy, mlgrader or pytest's dependencies are never imported."""
    run = arena.grade("shadow_modules", focus=FORGERY_FOCUS)
    problems = arena.violations(run)
    shadows = sorted(set(re.findall(r"SHADOW-IMPORTED: ([\w.]+)", run.messages())))
    if shadows:
        problems.append(f"test processes imported the submission's shadow modules: {shadows}")
    problems += _no_passes(run, "a shadow module changed the results")
    _verdict(run, problems)


# -- 2. patching pytest, forging reports, lying on stdout and in files -----------------------


def test_patch_pytest_reports(arena: Arena) -> None:
    """Monkeypatching _pytest.runner / TestReport so every report passes earns nothing."""
    run = arena.grade("patch_pytest_reports", focus=FORGERY_FOCUS)
    _verdict(run, arena.violations(run))


def test_pluggy_hook_plugin(arena: Arena) -> None:
    """Registering a report-rewriting hook plugin on the live Config (found via gc) earns nothing."""
    run = arena.grade("pluggy_hook_plugin", focus=FORGERY_FOCUS)
    _verdict(run, arena.violations(run))


def test_gc_flip_reports(arena: Arena) -> None:
    """Flipping every TestReport found by gc.get_objects() just before reports are sent earns nothing."""
    run = arena.grade("gc_flip_reports", focus=FORGERY_FOCUS)
    _verdict(run, arena.violations(run))


def test_patch_assertions(arena: Arena) -> None:
    """Patching strict_equal, pytest.raises, complexity/quality checks and AssertionError earns nothing."""
    run = arena.grade("patch_assertions")
    _verdict(run, arena.violations(run))


def test_skip_and_xfail(arena: Arena) -> None:
    """pytest.skip/xfail/importorskip/SkipTest from candidate code earn nothing and keep the denominator."""
    run = arena.grade("skip_and_xfail")
    problems = arena.violations(run)
    problems += _no_passes(run, "a skip turned into a pass")
    base = arena.baseline(public_only=False)
    shares = {c.name: c.max_points for c in run.card.categories}
    if shares != base.categories:
        problems.append(f"category shares changed: {shares} != stub's {base.categories}")
    skipped = [t.id for t in run.card.tests if t.outcome == "skipped"]
    if arena.challenge.boundary:
        # A skip raised in the candidate process is only an exception there: it fails the
        # test that called it, and reaches no pytest machinery.
        if skipped:
            problems.append(f"a skip crossed the process boundary: {skipped[:3]}")
        if "Skipped" not in run.messages():
            problems.append(
                "no candidate Skipped exception in the messages: the attack did not run"
            )
    elif not skipped:
        problems.append("no test was reported as skipped: the attack did not run as intended")
    _verdict(run, problems)


def test_pytest_exit(arena: Arena) -> None:
    """pytest.exit, KeyboardInterrupt, SystemExit and GeneratorExit cost only the test that raised them."""
    run = arena.grade("pytest_exit", focus=FORGERY_FOCUS)
    problems = arena.violations(run)
    problems += _no_passes(run, "leaving the session counted as a pass")
    _verdict(run, problems)


def test_exit_mid_test(arena: Arena) -> None:
    """os._exit(0), sys.exit(0), SIGKILL, SIGTERM and abort mid-test never count as passes."""
    run = arena.grade("exit_mid_test", public_only=True)
    problems = arena.violations(run)
    problems += _no_passes(run, "leaving the process counted as a pass")
    _verdict(run, problems)


def test_fake_summaries(arena: Arena) -> None:
    """Fake pytest summaries, scores and JSON printed by candidate code change neither the score nor stdout."""
    run = arena.grade("fake_summaries", via_cli=True)
    problems = arena.violations(run)
    stdout = run.extra["stdout"].decode("utf-8", "replace")
    try:
        printed = json.loads(stdout)
    except ValueError as exc:
        problems.append(f"`mlgrader grade --format json` stdout is not one JSON document: {exc}")
    else:
        if printed.get("score") != run.card.score:
            problems.append(
                f"stdout says score {printed.get('score')}, the scorecard {run.card.score}"
            )
    if run.extra["returncode"] != 0:
        problems.append(
            f"mlgrader exited {run.extra['returncode']}: {run.extra['stderr'][-500:]!r}"
        )
    _verdict(run, problems)


def test_fake_result_files(arena: Arena) -> None:
    """Fake scorecards, JUnit files, logs and rewritten hidden tests dropped by candidate code change nothing."""
    run = arena.grade("fake_result_files", public_only=True)
    problems = arena.violations(run)
    problems += _no_passes(run, "fake result files counted")
    _verdict(run, problems)


def test_fd_report_forgery(arena: Arena) -> None:
    """A forged "passed" report written to every open descriptor before os._exit(0) earns nothing."""
    run = arena.grade("fd_report_forgery", focus=FORGERY_FOCUS)
    _verdict(run, arena.violations(run))


def test_results_stream_forgery(arena: Arena) -> None:
    """Forged records written into the grader's results stream via /proc/PPID/fd earn nothing."""
    run = arena.grade("results_stream_forgery", focus=FORGERY_FOCUS)
    _verdict(run, arena.violations(run))


def test_stealth_report_patch(arena: Arena) -> None:
    """A self-restoring, canary-aware report patch loaded from a non-.py file earns nothing."""
    run = arena.grade("stealth_report_patch", focus=FORGERY_FOCUS)
    _verdict(run, arena.violations(run))


def test_stealth_fd_forgery(arena: Arena) -> None:
    """Reports forged with the engine's own serialiser and pipe, loaded from a non-.py file, earn nothing."""
    run = arena.grade("stealth_fd_forgery", focus=FORGERY_FOCUS)
    _verdict(run, arena.violations(run))


def test_scan_evasion_rewrite(arena: Arena) -> None:
    """A forging module that rewrites itself into the plain stub after import earns nothing."""
    run = arena.grade("scan_evasion_rewrite", focus=FORGERY_FOCUS)
    _verdict(run, arena.violations(run))


def test_hidden_implementation(arena: Arena) -> None:
    """The god-function mutant hidden in a data file behind a clean loader still fails its OOP tests."""
    run = arena.grade("hidden_implementation", test_timeout_s=4.0, focus="oop")
    problems = arena.violations(run, stub_based=False)
    expect = tomllib.loads(
        (arena.challenge.root / "mutants" / "god-function" / "expect.toml").read_text()
    )
    escaped = [
        t.id
        for t in run.card.tests
        if t.outcome == "passed" and any(fnmatch(t.id, pattern) for pattern in expect["fail"])
    ]
    if escaped and run.card.integrity.status != "violated":
        problems.append(
            f"{len(escaped)} tests the god-function mutant must fail passed once its code was "
            f"hidden from the OOP metrics: {escaped}"
        )
    problems += _expect(run, {PUBLIC + "test_put_then_get": "passed"})
    _verdict(run, problems)


def test_do_nothing_cache(arena: Arena) -> None:
    """A cache that stores nothing (every operation a trivial O(1)) earns no more than the stub."""
    run = arena.grade("do_nothing_cache")
    _verdict(run, arena.violations(run))


# -- 3. always-equal objects ---------------------------------------------------------------


def test_always_equal(arena: Arena) -> None:
    """An object whose __eq__ always says True earns nothing more than the stub."""
    run = arena.grade("always_equal", focus=FORGERY_FOCUS)
    _verdict(run, arena.violations(run))


# -- 4. crashes, hangs, bombs and runaway processes ------------------------------------------


def test_segfault_in_len(arena: Arena) -> None:
    """A segfault in __len__ costs only the tests that call len(); every other test still earns."""
    run = arena.grade("segfault_in_len", test_timeout_s=4.0)
    problems = arena.violations(run, stub_based=False)
    survivors = [
        PUBLIC + "test_put_then_get",
        PUBLIC + "test_get_missing_returns_default",
        PUBLIC + "test_evicts_least_recently_used",
        PUBLIC + "test_capacity",
        PUBLIC + "test_cache_in_front_of_the_slow_service",
        HIDDEN_CORRECTNESS + "test_evicts_in_least_recently_used_order",
        HIDDEN_CORRECTNESS + "test_get_refreshes_recency",
        HIDDEN_CORRECTNESS + "test_contains_never_changes_recency",
        HIDDEN_CORRECTNESS + "test_capacity_must_be_an_int",
        HIDDEN_CORRECTNESS + "test_capacity_must_be_positive",
        HIDDEN_CORRECTNESS + "test_get_default_argument",
        HIDDEN_CORRECTNESS + "test_values_are_returned_as_stored",
    ]
    problems += _expect(run, dict.fromkeys(survivors, "passed"))
    problems += _expect(
        run,
        {
            PUBLIC + "test_len_and_contains": "crashed",
            HIDDEN_CORRECTNESS + "test_len_grows_up_to_capacity": "crashed",
        },
    )
    # out of the categories it can earn: it ships no tests of its own, so testing earns nothing
    rest = [c for c in run.card.categories if c.name != "testing"]
    score = 100 * sum(c.points for c in rest) / sum(c.max_points for c in rest)
    if score < 20:
        problems.append(f"score {score:.2f}: the crash cost more than the tests calling len()")
    _verdict(run, problems)


def test_infinite_loop(arena: Arena) -> None:
    """An endless loop (ignoring SIGTERM) in __contains__ times out only the tests that use `in`."""
    run = arena.grade("infinite_loop", public_only=True, test_timeout_s=3.0)
    problems = arena.violations(run, stub_based=False)
    problems += _expect(
        run,
        {
            PUBLIC + "test_evicts_least_recently_used": "timeout",
            PUBLIC + "test_len_and_contains": "timeout",
            PUBLIC + "test_put_then_get": "passed",
            PUBLIC + "test_get_missing_returns_default": "passed",
            PUBLIC + "test_capacity": "passed",
            PUBLIC + "test_cache_in_front_of_the_slow_service": "passed",
        },
    )
    if run.duration_s > 60:
        problems.append(f"grading took {run.duration_s:.0f} s for two 3 s timeouts")
    _verdict(run, problems)


def test_stretch_timeout(arena: Arena) -> None:
    """Asking for more time as a complexity check does (and writing a far deadline into any
    shared page it can see) gets candidate code nothing: its process never maps the test's
    page, so the tests using `in` still end at the 3 s timeout."""
    run = arena.grade("stretch_timeout", public_only=True, test_timeout_s=3.0)
    problems = arena.violations(run, stub_based=False)
    problems += _expect(
        run,
        {
            PUBLIC + "test_evicts_least_recently_used": "timeout",
            PUBLIC + "test_len_and_contains": "timeout",
            PUBLIC + "test_put_then_get": "passed",
        },
    )
    for name in ("test_evicts_least_recently_used", "test_len_and_contains"):
        message = run.test(name).message
        if "within 3 s" not in message or "stretched" in message:
            problems.append(f"{name}: {message}")
    if run.duration_s > 60:
        problems.append(f"grading took {run.duration_s:.0f} s for two 3 s timeouts")
    _verdict(run, problems)


def test_memory_bomb(arena: Arena) -> None:
    """A 10 GiB allocation in `capacity` is stopped by the memory limit and costs only that test."""
    run = arena.grade("memory_bomb", public_only=True, memory_mb=1024)
    problems = arena.violations(run, stub_based=False)
    problems += _expect(
        run,
        {
            PUBLIC + "test_capacity": ("failed", "crashed", "error"),
            PUBLIC + "test_put_then_get": "passed",
            PUBLIC + "test_get_missing_returns_default": "passed",
            PUBLIC + "test_evicts_least_recently_used": "passed",
            PUBLIC + "test_len_and_contains": "passed",
            PUBLIC + "test_cache_in_front_of_the_slow_service": "passed",
        },
    )
    if re.search(r"NO-MEMORY-LIMIT: \w+ \d+ bytes", run.messages()):
        problems.append("the memory bomb ran into the safety valve: no memory limit stopped it")
    _verdict(run, problems)


def test_fork_bomb(arena: Arena) -> None:
    """200 forked sleepers per test are all gone once grading returns."""
    run = arena.grade("fork_bomb", public_only=True)
    problems = arena.violations(run)
    reports = _evidence(run, "FORKBOMB")
    if not reports:
        problems.append("the fork bomb left no report: did it run?")
    _verdict(run, problems)


def test_escaped_session(arena: Arena) -> None:
    """Processes started with start_new_session=True, setsid() or their own group are gone after grading."""
    run = arena.grade("escaped_session", public_only=True)
    problems = arena.violations(run)
    if not _evidence(run, "ESCAPED"):
        problems.append("the escape attack left no report: did it run?")
    _verdict(run, problems)


def test_lingering_daemon(arena: Arena) -> None:
    """A daemon started by one test is gone before the next test starts, and after grading."""
    run = arena.grade("lingering_daemon", public_only=True)
    problems = arena.violations(run)
    reports = _evidence(run, "DAEMONS")
    if not reports:
        problems.append("the daemon attack left no report: did it run?")
    survivors = sorted({pid for report in reports for pid in report.get("survivors", [])})
    if survivors:
        problems.append(f"daemons from earlier tests were alive during later tests: {survivors}")
    _verdict(run, problems)


def test_endless_thread(arena: Arena) -> None:
    """Threads that never end neither hang the grader nor cost a correct solution anything."""
    run = arena.grade("endless_thread", public_only=True, test_timeout_s=5.0)
    problems = arena.violations(run, stub_based=False)
    problems += [
        f"{t.id}: {t.outcome}: {t.message[:200]}" for t in run.card.tests if t.outcome != "passed"
    ]
    if run.duration_s > 60:
        problems.append(f"grading took {run.duration_s:.0f} s")
    _verdict(run, problems)


def test_kill_pytest_parent(arena: Arena) -> None:
    """Candidate code that SIGKILLs the pytest process costs no test that does not call it."""
    run = arena.grade("kill_pytest_parent", public_only=True)
    problems = arena.violations(run, stub_based=False)
    problems += _expect(
        run,
        {
            PUBLIC + "test_put_then_get": "passed",
            PUBLIC + "test_get_missing_returns_default": "passed",
            PUBLIC + "test_capacity": "passed",
            PUBLIC + "test_cache_in_front_of_the_slow_service": "passed",
        },
    )
    _verdict(run, problems)


# -- 5. output flood -----------------------------------------------------------------------


def test_output_flood(arena: Arena) -> None:
    """100 MiB of stdout, 10 MiB of stderr and a 5 MiB message still give a small, valid scorecard."""
    run = arena.grade("output_flood", public_only=True)
    problems = arena.violations(run)
    text = run.text
    if json.loads(text) != run.card.to_dict():
        problems.append("the scorecard JSON does not round-trip")
    if len(text.encode()) >= 1_000_000:
        problems.append(f"scorecard JSON is {len(text.encode())} bytes")
    _verdict(run, problems)


# -- 6. tampering with the originals ---------------------------------------------------------


def test_tamper_originals(arena: Arena) -> None:
    """Writes to the original submission and the challenge folder (found on command lines) never land."""
    run = arena.grade("tamper_originals", public_only=True, world_writable=True, via_cli=True)
    problems = arena.violations(run)
    reports = _evidence(run, "TAMPER")
    if not reports:
        problems.append("the tamper attack left no report: did it run?")
    wrote = sorted({path for report in reports for path in report.get("wrote", [])})
    if wrote:
        problems.append(f"candidate code wrote outside the workspace: {wrote[:6]}")
    _verdict(run, problems)


# -- 7. stealing the hidden tests --------------------------------------------------------------


def test_steal_hidden_tests(arena: Arena) -> None:
    """Hidden test source smuggled out through public tests' messages never reaches a candidate report."""
    run = arena.grade("steal_hidden_tests", audience="candidate")
    problems = arena.violations(run)
    if run.card.audience != "candidate":
        problems.append(f"asked for a candidate report, got audience {run.card.audience}")
    if problems:
        problems += [f"the attack reported: {r}" for r in _evidence(run, "HIDDEN")[:1]]
    _verdict(run, problems)


def test_steal_hidden_tests_public_only(arena: Arena) -> None:
    """In a public-only run the hidden tests are not in the workspace, and none reach the report."""
    run = arena.grade("steal_hidden_tests", public_only=True, audience="candidate")
    problems = arena.violations(run)
    reports = _evidence(run, "HIDDEN")
    if not reports:
        problems.append("the stealing attack left no report: did it run?")
    for report in reports:
        if report.get("workspace") != "absent":
            problems.append(f"hidden tests in a public-only workspace: {report.get('workspace')}")
        if report.get("elsewhere"):
            problems.append(f"hidden tests readable outside the workspace: {report['elsewhere']}")
    _verdict(run, problems[:8])


# -- 8. environment ----------------------------------------------------------------------------


def test_env_dump(arena: Arena) -> None:
    """Candidate code sees no secret-looking variable of the grader's environment and not the real HOME."""
    run = arena.grade("env_dump", public_only=True)
    problems = arena.violations(run)
    reports = _evidence(run, "ENV")
    if not reports:
        problems.append("the environment dump left no readable report")
    grader_secrets = {k for k in os.environ if SECRET_NAME.search(k)} | set(run.secrets)
    real_home = {str(Path.home()), os.environ.get("HOME", "")} - {""}
    for report in reports[:1]:
        leaked = sorted(grader_secrets & set(report.get("names", [])))
        if leaked:
            problems.append(f"secret-looking variables reached candidate code: {leaked}")
        for key in ("home", "expanduser"):
            if report.get(key) in real_home:
                problems.append(f"candidate code sees the real home folder as {key}: {report[key]}")
    for name in grader_secrets:
        value = os.environ.get(name) or run.secrets.get(name, "")
        if len(value) >= 6 and value in run.text:
            problems.append(f"the value of {name} is in the scorecard")
    _verdict(run, problems)


def test_ancestor_environ(arena: Arena) -> None:
    """Secrets in the grading command's environment cannot be read through /proc/PID/environ."""
    run = arena.grade("ancestor_environ", public_only=True, via_cli=True)
    problems = arena.violations(run)
    reports = _evidence(run, "ANCESTORS")
    if not reports:
        problems.append("the /proc/PID/environ attack left no readable report")
    for report in reports[:1]:
        stolen = sorted(k for k in report.get("secrets", {}) if k in run.secrets)
        if stolen:
            problems.append(f"read the grader's secrets through /proc/PID/environ: {stolen}")
    _verdict(run, problems)


# -- 9. network ----------------------------------------------------------------------------------


def test_network_probe(arena: Arena) -> None:
    """The scorecard's sandbox section tells the truth about network isolation."""
    run = arena.grade("network_probe", public_only=True)
    problems = arena.violations(run)
    sandbox = run.card.sandbox
    isolated = sandbox.get("network_isolated")
    if not isinstance(isolated, bool):
        problems.append(f"sandbox.network_isolated is {isolated!r}, not a bool")
    reports = _evidence(run, "NET")
    if not reports:
        problems.append("the network probe left no report")
    for report in reports:
        reached = [k for k in ("internet", "loopback") if report.get(k) == "connected"]
        if isolated and reached:
            problems.append(f"sandbox says network_isolated, but candidate code reached {reached}")
        if "loopback" in reached and isolated is not False:
            problems.append("candidate code reached the grader's loopback: the network is shared")
    _verdict(run, problems[:8])
