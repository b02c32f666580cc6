"""Shared machinery for the adversarial suite: grade attack submissions and audit what happened.

Every attack is a folder under ``attacks/`` (a submission, built on the stub or
on the reference). ``Arena.grade`` copies it into a scratch folder, writes an
``attack_context.json`` beside its code (a unique process marker, a folder for
pid files, a loopback port, paths to tamper with), grades it with the library
API under secret-looking environment variables, and records everything the
invariants need: the scorecard, hashes of the submission and challenge folders
before and after, and any process the attack left alive. Gradings are cached
per session, so one grading serves several assertions.
"""

from __future__ import annotations

import ast
import base64
import binascii
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgrader import GradeOptions, Scorecard, find_challenge, grade
from mlgrader.engine.grade import error_scorecard
from mlgrader.model.challenge import Challenge
from mlgrader.model.scorecard import OUTCOMES

HERE = Path(__file__).resolve().parent
ATTACKS = HERE / "attacks"
REPO = HERE.parents[1]
CHALLENGE = "lru-cache"
SECRET_NAME = re.compile(r"TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)
MAX_SCORECARD_BYTES = 1_000_000
LEFTOVER_GRACE_S = 3.0
#: How long a CLI grading that writes every report may run before it is killed.
CLI_REPORTS_TIMEOUT_S = 900


def _tree_hashes(root: Path) -> dict[str, str]:
    """relative path -> sha256 (or link target / 'dir') for everything under root."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for name in dirnames + filenames:
            path = here / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                out[rel] = "dir"
            else:
                try:
                    out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError as exc:
                    out[rel] = f"unreadable:{exc.errno}"
    return out


def _diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    changed = [f"changed {k}" for k in before if k in after and before[k] != after[k]]
    changed += [f"removed {k}" for k in before if k not in after]
    changed += [f"added {k}" for k in after if k not in before]
    return changed


@dataclass(frozen=True)
class ProcInfo:
    """A live process that matched an attack's marker or its grading folder."""

    pid: int
    comm: str
    cmdline: str
    state: str


def _processes() -> Iterator[ProcInfo]:
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            comm = Path(f"/proc/{entry}/comm").read_text().strip()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            stat_text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state = stat_text.rsplit(")", 1)[1].split()[0]
        yield ProcInfo(int(entry), comm, cmdline.decode("utf-8", "replace"), state)


def find_leftovers(marker: str, folder: Path, pids: list[int]) -> list[ProcInfo]:
    """Live (non-zombie) processes carrying the attack's marker or running in its grading folder."""
    found = []
    for proc in _processes():
        if proc.state == "Z":
            continue
        if marker in proc.comm or marker in proc.cmdline or str(folder) in proc.cmdline:
            found.append(proc)
    listed = {p.pid for p in found}
    for pid in pids:  # pids the attack wrote down, if it could: os.kill(pid, 0) must fail
        if pid in listed:
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            pass
        with contextlib.suppress(OSError):  # alive: still the attack's, or a reused pid?
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z" and (marker in comm or marker in cmdline):
                found.append(ProcInfo(pid, comm, cmdline.replace("\0", " "), state))
    return found


@dataclass
class AttackRun:
    """One grading of one attack, with everything the invariants check."""

    name: str
    options: GradeOptions
    card: Scorecard
    submission: Path
    challenges_root: Path
    context: dict[str, Any]
    sub_changes: list[str]
    challenge_changes: list[str]
    leftovers: list[ProcInfo]
    duration_s: float
    secrets: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)
    focus: str | None = None

    @property
    def text(self) -> str:
        return json.dumps(self.card.to_dict())

    def test(self, suffix: str) -> Any:
        """The one result whose id ends with ``suffix``."""
        matches = [t for t in self.card.tests if t.id.endswith(suffix)]
        assert len(matches) == 1, f"{suffix}: {len(matches)} results match"
        return matches[0]

    def messages(self) -> str:
        """Every message and traceback in the scorecard, joined (what the attack could say)."""
        parts = []
        for t in self.card.tests:
            parts.append(t.message or "")
            parts.append(t.longrepr or "")
        return "\n".join(parts)

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for t in self.card.tests:
            counts[t.outcome] = counts.get(t.outcome, 0) + 1
        findings = "; ".join(f"{f.kind}: {f.detail}"[:160] for f in self.card.integrity.findings)
        return (
            f"{self.name}: score {self.card.score} outcomes {counts} "
            f"integrity {self.card.integrity.status} [{findings[:1200]}]"
        )


@dataclass
class Baseline:
    """What the untouched stub earns in one mode, and which tests the run must report."""

    score: float
    passed: int
    ids: list[str]
    categories: dict[str, float]


class Arena:
    """Grades attacks in scratch folders, with shared baselines and a cache."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.pristine = base / "pristine"
        _copy_challenges(self.pristine)
        self.challenge = find_challenge(self.pristine / "challenges", CHALLENGE)
        self.cache: dict[tuple[Any, ...], AttackRun] = {}
        self.baselines: dict[tuple[bool, str | None], Baseline] = {}
        self.focused: dict[str, Path] = {}
        self.focusing = threading.Lock()  # an attack and its twin are graded in two threads
        root = self.challenge.root
        self.hidden_sources = {
            p.name: p.read_text(encoding="utf-8")
            for p in sorted((root / "tests" / "hidden").glob("*.py"))
        }
        public = [p for p in root.rglob("*") if p.is_file() and "hidden" not in p.parts]
        self.public_lines = {
            line.strip()
            for p in public
            if p.suffix in (".py", ".md", ".toml", ".txt")
            for line in p.read_text(encoding="utf-8", errors="replace").splitlines()
        }
        self.listener = _Listener()

    def close(self) -> None:
        self.listener.close()

    # -- baselines ------------------------------------------------------------------------

    def baseline(self, public_only: bool, focus: str | None = None) -> Baseline:
        """What the stub earns in this mode (on the focused copy of the challenge, if any)."""
        if (public_only, focus) not in self.baselines:
            sub = self.base / f"stub-{'public' if public_only else 'full'}-{focus or 'all'}"
            shutil.copytree(self.challenge.root / "stub", sub)
            _, challenge = self.repo_for(focus)
            card = grade(sub, challenge, GradeOptions(public_only=public_only))
            self.baselines[public_only, focus] = Baseline(
                score=card.score,
                passed=sum(t.outcome == "passed" for t in card.tests),
                ids=[t.id for t in card.tests],
                categories={c.name: c.max_points for c in card.categories},
            )
        return self.baselines[public_only, focus]

    def repo_for(self, focus: str | None) -> tuple[Path, Challenge]:
        """The copy of the challenges to grade against, and lru-cache in it.

        ``focus`` names one category: its copy keeps the public tests and only the hidden
        file of that category (``tests/hidden/test_<focus>.py``). An attack aimed at one
        category is judged on that category and the total, so grading the other hidden
        files too would only spend minutes of the full tier; the generic invariants (no
        lost results, nothing left alive, nothing hidden leaked) hold on the copy as well.
        ``CATEGORY::test_a,test_b`` keeps only those tests of that file: the O(n) caches
        of the complexity attacks lose their points on the first two operations they make
        O(n), and the steady-state check alone spent 17 s of each of their gradings.
        """
        if focus is None:
            return self.pristine, self.challenge
        with self.focusing:
            if focus not in self.focused:
                self.focused[focus] = self._focused_copy(focus)
        repo = self.focused[focus]
        return repo, find_challenge(repo / "challenges", CHALLENGE)

    def _focused_copy(self, focus: str) -> Path:
        category, _, tests = focus.partition("::")
        repo = self.base / f"focus-{len(self.focused)}-{category}"
        _copy_challenges(repo)
        hidden = repo / "challenges" / CHALLENGE / "tests" / "hidden"
        kept = hidden / f"test_{category}.py"
        assert kept.is_file(), f"lru-cache has no {kept.name} to focus on"
        for path in hidden.glob("test_*.py"):
            if path != kept:
                path.unlink()
        if tests:
            _keep_tests(kept, set(tests.split(",")))
        return repo

    # -- grading --------------------------------------------------------------------------

    def grade(
        self,
        name: str,
        *,
        public_only: bool = False,
        audience: str = "grader",
        test_timeout_s: float | None = 10.0,
        memory_mb: int | None = None,
        deadline_s: float | None = None,
        world_writable: bool = False,
        own_challenges: bool = False,
        via_cli: bool = False,
        twin: bool = False,
        populate: Callable[[Path], None] | None = None,
        cli_reports: bool = False,
        focus: str | None = None,
        attempt: int = 1,
    ) -> AttackRun:
        """Grade attack ``name``; ``focus`` grades it on one category's tests
        (``repo_for``); ``twin`` grades the attack without its trick instead (every
        ``TRICK = True`` line becomes ``TRICK = False``, and the paths a ``twin_removes.txt``
        lists are deleted).

        ``populate`` is called on the copied submission folder before anything is hashed or
        graded: it adds what is too big (or too strange) to keep in the repository. Gradings
        are cached by its name and options (``attempt`` > 1 grades afresh).
        ``cli_reports`` grades through the CLI (``via_cli``) as a
        user would: the text scorecard to stdout, every report format to a file (their paths
        in ``run.extra["reports"]``), ``--min-score`` at the pass mark and ``--deadline``.
        """
        key = (
            name,
            public_only,
            audience,
            test_timeout_s,
            memory_mb,
            world_writable,
            via_cli,
            twin,
            deadline_s,
            None if populate is None else populate.__name__,
            cli_reports,
            focus,
            attempt,
        )
        if key not in self.cache:
            self.cache[key] = self._grade(
                name,
                GradeOptions(
                    public_only=public_only,
                    audience=audience,  # type: ignore[arg-type]
                    limits=self.challenge.limits.override(
                        test_timeout_s=test_timeout_s, memory_mb=memory_mb, deadline_s=deadline_s
                    ),
                ),
                world_writable=world_writable,
                own_challenges=own_challenges or world_writable,
                via_cli=via_cli or cli_reports,
                twin=twin,
                populate=populate,
                cli_reports=cli_reports,
                focus=focus,
            )
        return self.cache[key]

    def _grade(
        self,
        name: str,
        options: GradeOptions,
        *,
        world_writable: bool,
        own_challenges: bool,
        via_cli: bool,
        twin: bool = False,
        populate: Callable[[Path], None] | None = None,
        cli_reports: bool = False,
        focus: str | None = None,
    ) -> AttackRun:
        prefix = name.replace("/", "-") + ("-twin" if twin else "")
        folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=self.base))
        folder.chmod(0o755)
        submission = folder / "submission"
        shutil.copytree(ATTACKS / name, submission, symlinks=True)
        if twin:
            _untrick(submission)
        if populate is not None:
            populate(submission)
        outdir = folder / "out"
        outdir.mkdir()
        outdir.chmod(0o777)
        if own_challenges:
            assert focus is None, "an attack with its own challenges copy grades every test"
            repo = folder / "repo"
            _copy_challenges(repo)
            challenge = find_challenge(repo / "challenges", CHALLENGE)
        else:
            repo, challenge = self.repo_for(focus)
        if world_writable:
            for root in (submission, repo):
                _make_world_writable(root)
        marker = "atk" + secrets.token_hex(5)
        context = {
            "marker": marker,
            "outdir": str(outdir),
            "loopback_port": self.listener.port,
            "targets": {
                "submission": str(submission),
                "challenges": str(repo / "challenges"),
                "challenge": str(challenge.root),
                "rubric": str(repo / "rubric.toml"),
            },
        }
        (submission / "attack_context.json").write_text(json.dumps(context), encoding="utf-8")
        if world_writable:
            (submission / "attack_context.json").chmod(0o666)
        secret_env = {
            "MLGRADER_TEST_SECRET_TOKEN": "s3cr3t-" + secrets.token_hex(8),
            "ADV_AWS_SECRET_ACCESS_KEY": "aws-" + secrets.token_hex(8),
            "ADV_DB_PASSWORD": "pw-" + secrets.token_hex(8),
            "ADV_GITHUB_TOKEN": "ghp_" + secrets.token_hex(8),
        }
        sub_before, ch_before = _tree_hashes(submission), _tree_hashes(repo)
        work = folder / "work"  # the engine's temp folders land here, so its processes are findable
        work.mkdir()
        work.chmod(0o755)
        started = time.monotonic()
        extra: dict[str, Any] = {}
        if cli_reports:
            env = dict(os.environ, **secret_env, TMPDIR=str(work))
            card, extra = _grade_cli_reports(submission, challenge, options, env, folder)
        elif via_cli:  # its own environment: safe beside an in-process grading in another thread
            env = dict(os.environ, **secret_env, TMPDIR=str(work))
            card, extra = _grade_cli(submission, repo / "challenges", options, env, folder)
        else:
            card = _grade_here(submission, challenge, options, secret_env, work)
        duration = time.monotonic() - started
        pids = _read_pids(outdir)
        leftovers = find_leftovers(marker, work, pids)
        deadline = time.monotonic() + LEFTOVER_GRACE_S
        while leftovers and time.monotonic() < deadline:  # SIGKILLed processes take a moment
            time.sleep(0.1)
            leftovers = find_leftovers(marker, work, pids)
        for proc in leftovers:  # the attack's processes, found by its marker: ours to end
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(proc.pid, signal.SIGKILL)
        for stray in Path("/tmp").glob(f"{marker}*"):  # fake result files an attack dropped
            with contextlib.suppress(OSError):
                stray.unlink()
        return AttackRun(
            name=name,
            options=options,
            card=card,
            submission=submission,
            challenges_root=repo,
            context=context,
            sub_changes=_diff(sub_before, _tree_hashes(submission)),
            challenge_changes=_diff(ch_before, _tree_hashes(repo)),
            leftovers=leftovers,
            duration_s=duration,
            secrets=secret_env,
            extra=extra,
            focus=focus,
        )

    # -- the invariants ---------------------------------------------------------------------

    def violations(
        self,
        run: AttackRun,
        *,
        stub_based: bool = True,
        check_source: bool = True,
    ) -> list[str]:
        """Every generic invariant the grading broke, as readable lines (empty: the grader held)."""
        problems: list[str] = []
        card = run.card
        base = self.baseline(run.options.public_only, run.focus)
        # no forged score
        if stub_based and card.score > base.score + 1e-9:
            passed = [t.id.split("/")[-1] for t in card.tests if t.outcome == "passed"]
            problems.append(
                f"forged score: {card.score} > stub's {base.score} "
                f"(integrity {card.integrity.status}); passed: {passed[:12]}"
            )
        # no lost (or invented) results
        ids = [t.id for t in card.tests]
        if sorted(ids) != sorted(base.ids):
            missing = sorted(set(base.ids) - set(ids))
            extra = sorted(set(ids) - set(base.ids))
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            problems.append(f"results: missing {missing} extra {extra} duplicated {dupes}")
        for t in card.tests:
            if t.outcome not in OUTCOMES or not 0.0 <= t.earned <= 1.0:
                problems.append(f"{t.id}: malformed result {t.outcome!r} earned {t.earned}")
            elif t.outcome != "passed" and t.earned:
                problems.append(f"{t.id}: {t.outcome} but earned {t.earned}")
        # no leftover process
        if run.leftovers:
            shown = ", ".join(f"{p.pid} {p.comm} [{p.cmdline[:80]}]" for p in run.leftovers[:5])
            problems.append(f"{len(run.leftovers)} processes left alive: {shown}")
        # originals unchanged
        if run.sub_changes:
            problems.append(f"original submission modified: {run.sub_changes[:5]}")
        if run.challenge_changes:
            problems.append(f"challenge folder modified: {run.challenge_changes[:5]}")
        # nothing leaked
        text = run.text
        for name, value in run.secrets.items():
            if value in text:
                problems.append(f"secret {name} (from the grader's environment) in the scorecard")
        candidate = card if card.audience == "candidate" else card.for_audience("candidate")
        if check_source:
            leaks = self.hidden_leaks(candidate)
            if leaks:
                problems.append(f"hidden test source in the candidate scorecard: {leaks[:3]}")
        for t in candidate.tests:
            if t.visibility == "hidden" and (t.longrepr or t.complexity):
                problems.append(f"{t.id}: hidden test details in the candidate scorecard")
        # output capped
        size = len(text.encode())
        if size > MAX_SCORECARD_BYTES:
            problems.append(f"scorecard JSON is {size} bytes")
        return problems

    def hidden_leaks(self, card: Scorecard) -> list[str]:
        """Distinctive lines of hidden test source found in a scorecard, raw or base64/hex-encoded."""
        text = json.dumps(card.to_dict())
        haystacks = [text, *_decoded_blobs(text)]
        leaks = []
        for name, source in self.hidden_sources.items():
            for line in source.splitlines():
                line = line.strip()
                if (
                    len(line) < 30
                    or line.startswith(("def test_", "@pytest.mark", "from ", "import"))
                    or line in self.public_lines
                ):
                    continue  # names are shown to candidates; public text is no secret
                if any(line in hay for hay in haystacks) or any(
                    json.dumps(line)[1:-1] in hay for hay in haystacks
                ):
                    leaks.append(f"{name}: {line[:70]}")
                    break
        return leaks


def _decoded_blobs(text: str) -> list[str]:
    """Base64 and hex payloads inside text, decoded (an attacker's favourite disguises)."""
    out = []
    for blob in re.findall(r"[A-Za-z0-9+/]{80,}", text):
        with contextlib.suppress(binascii.Error, ValueError):
            out.append(base64.b64decode(blob[: len(blob) // 4 * 4]).decode("utf-8", "replace"))
    for blob in re.findall(r"(?:[0-9a-f]{2}){40,}", text):
        with contextlib.suppress(ValueError):
            out.append(bytes.fromhex(blob).decode("utf-8", "replace"))
    return out


def _keep_tests(path: Path, names: set[str]) -> None:
    """Remove every top-level test function of ``path`` not in ``names`` (with its
    decorators); the helpers and fixtures stay."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    tests = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    ]
    missing = names - {node.name for node in tests}
    assert not missing, f"{path.name} has no {', '.join(sorted(missing))} to keep"
    for node in reversed(tests):  # from the bottom up, so earlier line numbers hold
        if node.name not in names:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            del lines[first - 1 : node.end_lineno]
    path.write_text("".join(lines), encoding="utf-8")


def _copy_challenges(dest: Path) -> None:
    dest.mkdir(parents=True)
    shutil.copytree(
        REPO / "challenges", dest / "challenges", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copyfile(REPO / "rubric.toml", dest / "rubric.toml")


def _untrick(submission: Path) -> None:
    """Turn an attack into its twin: the same submission without the trick."""
    changed = 0
    for path in submission.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "\nTRICK = True\n" in text:
            path.write_text(text.replace("\nTRICK = True\n", "\nTRICK = False\n"), encoding="utf-8")
            changed += 1
    removes = submission / "twin_removes.txt"
    if removes.is_file():
        for line in removes.read_text(encoding="utf-8").split():
            (submission / line).unlink()
            changed += 1
        removes.unlink()
    assert changed, f"{submission}: no TRICK = True line and no twin_removes.txt"


def _make_world_writable(root: Path) -> None:
    """Emulate a grader running as the files' owner: permissions alone must not be the defence."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            (Path(dirpath) / name).chmod(0o777)
        for name in filenames:
            (Path(dirpath) / name).chmod(0o666)
    root.chmod(0o777)
    parent = root.parent
    parent.chmod(parent.stat().st_mode | stat.S_IXOTH | stat.S_IROTH)


def _read_pids(outdir: Path) -> list[int]:
    pids = []
    for path in outdir.glob("*.pids"):
        with contextlib.suppress(OSError):
            pids += [int(p) for p in path.read_text().split() if p.isdigit()]
    return pids


def _grade_here(
    submission: Path,
    challenge: Challenge,
    options: GradeOptions,
    secret_env: dict[str, str],
    work: Path,
) -> Scorecard:
    """Grade in this process, with the grader's secrets in the environment and its temporary
    folders under ``work`` (both process-wide: one in-process grading at a time)."""
    saved_env = {k: os.environ.get(k) for k in secret_env}
    saved_tempdir = tempfile.tempdir
    os.environ.update(secret_env)
    tempfile.tempdir = str(work)
    try:
        return grade(submission, challenge, options)
    finally:
        tempfile.tempdir = saved_tempdir
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _grade_cli(
    submission: Path,
    challenges: Path,
    options: GradeOptions,
    env: dict[str, str],
    folder: Path,
) -> tuple[Scorecard, dict[str, Any]]:
    """Grade through the console script, so the submission's path is on a command line."""
    exe = Path(sys.executable).with_name("mlgrader")
    out = folder / "scorecard.json"
    command = [str(exe), "grade", str(submission), "--challenge", CHALLENGE]
    command += ["--challenges", str(challenges), "--format", "json", "--json", str(out)]
    command += ["--audience", options.audience]
    if options.public_only:
        command.append("--public-only")
    if options.limits:
        command += ["--test-timeout", str(options.limits.test_timeout_s)]
    proc = subprocess.run(
        command, capture_output=True, env=env, timeout=600, cwd=folder, check=False
    )
    extra = {"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}
    card = Scorecard.from_dict(json.loads(out.read_text(encoding="utf-8")))
    return card, extra


#: The files ``_grade_cli_reports`` asks the CLI to write, by report format.
CLI_REPORT_FILES = {
    "json": "scorecard.json",
    "markdown": "scorecard.md",
    "junit": "junit.xml",
    "gradescope": "gradescope.json",
}


def _grade_cli_reports(
    submission: Path,
    challenge: Challenge,
    options: GradeOptions,
    env: dict[str, str],
    folder: Path,
) -> tuple[Scorecard, dict[str, Any]]:
    """Grade through the console script as a user does: the text scorecard on stdout, every
    report format to a file, ``--min-score`` at the pass mark (exit 1 below it), the limits on
    the command line. A run that leaves no readable JSON scorecard (a crash, a hang killed
    after ``CLI_REPORTS_TIMEOUT_S``) yields an error scorecard with no results, saying why."""
    exe = Path(sys.executable).with_name("mlgrader")
    reports = {fmt: folder / name for fmt, name in CLI_REPORT_FILES.items()}
    pass_mark = challenge.rubric().for_challenge(challenge.name).pass_mark
    command = [str(exe), "grade", str(submission), "--challenge", challenge.name]
    command += ["--challenges", str(challenge.root.parent), "--format", "text"]
    for fmt, path in reports.items():
        command += [f"--{fmt}", str(path)]
    command += ["--audience", options.audience, "--min-score", f"{pass_mark:g}"]
    if options.public_only:
        command.append("--public-only")
    if options.limits:
        command += ["--test-timeout", f"{options.limits.test_timeout_s:g}"]
        command += ["--deadline", f"{options.limits.deadline_s:g}"]
    extra: dict[str, Any] = {"reports": reports, "command": command, "pass_mark": pass_mark}
    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            env=env,
            timeout=CLI_REPORTS_TIMEOUT_S,
            cwd=folder,
            check=False,
        )
        extra.update(returncode=proc.returncode, stdout=proc.stdout, stderr=proc.stderr)
    except subprocess.TimeoutExpired as exc:
        extra.update(returncode=None, stdout=exc.stdout or b"", stderr=exc.stderr or b"")
        extra["timed_out"] = True
    try:
        card = Scorecard.from_dict(json.loads(reports["json"].read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        tail = extra["stderr"].decode("utf-8", "replace").strip().splitlines()[-3:]
        why = (
            f"no readable JSON scorecard ({type(exc).__name__}: {exc}); exit {extra['returncode']}"
        )
        card = error_scorecard(challenge, submission, f"{why}; stderr: {' | '.join(tail)}")
    return card, extra


class _Listener:
    """A loopback TCP server in the grader's network namespace: reachable means not isolated.

    Nothing accepts: the kernel completes a connection into the listen backlog by itself,
    so a process that shares this namespace connects. No thread serves it either, since a
    thread the session keeps would still run when later tests fork this process."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()
