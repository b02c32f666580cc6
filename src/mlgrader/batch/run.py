"""``mlgrader batch``: grade a folder of submissions side by side, resumably.

Every subfolder of the submissions folder is one submission. Each scorecard is
written atomically to ``OUT/scorecards/NAME.json`` the moment its grading ends,
and a line is appended to ``OUT/journal.log``. A run killed at any point (even
SIGKILL) and started again skips every submission whose scorecard exists and
regrades only those that had not finished, so no submission is lost and none
is graded twice. At the end the summary CSV and the reports (batchreport.py)
are rebuilt from all the scorecards on disk, so a resumed run writes exactly
what an uninterrupted one would.

Gradings run in an :class:`concurrent.futures.Executor`: a local pool of
spawned worker processes, or a Dask cluster's executor (distributed.py), where
each task carries its submission and the challenge as archives, since a remote
worker shares no disk with us.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlgrader.batch.items import analyse
from mlgrader.batch.report import (
    pair_anchor,
    pair_line,
    problem,
    render_html_report,
    render_markdown_report,
)
from mlgrader.batch.similarity import DEFAULT_THRESHOLD, known_solutions, round_similarity
from mlgrader.engine.grade import GradeOptions, error_scorecard, grade
from mlgrader.errors import UserInputError
from mlgrader.files import pack, unpack, write_atomic
from mlgrader.model.challenge import Challenge, load_challenge
from mlgrader.model.scorecard import Scorecard
from mlgrader.reports.html import render_html
from mlgrader.sandbox.kernel import die_with_parent

SCORECARDS = "scorecards"
JOURNAL = "journal.log"
SUMMARY = "summary.csv"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"
ITEMS = "items.json"
SIMILARITY = "similarity.json"


SETTINGS = "batch.json"
ARCHIVES = (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar")


@dataclass
class Found:
    """What a submissions folder holds: the folders to grade, and each entry left out
    with the reason (hidden entries such as .git are left out without a word)."""

    folders: list[Path]
    skipped: list[tuple[str, str]]


def find_submissions(folder: Path, out: Path | None = None) -> Found:
    """The submission folders in ``folder``, sorted by name; never ``out`` (the batch's
    own output) nor a folder that holds it."""
    if not folder.is_dir():
        raise UserInputError(f"submissions folder {folder} not found; pass a folder of submissions")
    found = Found([], [])
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        why = _left_out(entry, out.resolve() if out is not None else None)
        if why is None:
            found.folders.append(entry)
        else:
            found.skipped.append((entry.name, why))
    if not found.folders:
        raise UserInputError(
            f"{folder} has no submission folders; put each submission in a folder of its own"
        )
    return found


def _left_out(entry: Path, out: Path | None) -> str | None:
    """Why ``entry`` is not graded as a submission, or None to grade it."""
    here = entry.resolve()
    if out is not None and (here == out or out.is_relative_to(here)):
        return "it holds this batch's --out folder, which is never graded"
    if entry.is_dir():
        return None
    if entry.name.lower().endswith(ARCHIVES):
        return "an archive: unpack it into a folder of its own to grade it"
    return "not a folder: each submission is a folder"


def grade_folder(submission: Path, challenge: Challenge, options: GradeOptions) -> Scorecard:
    """Grade one submission; never raises, a failure becomes an error scorecard."""
    try:
        return grade(submission, challenge, options)
    except Exception as exc:  # one bad submission must not stop the batch
        return error_scorecard(challenge, submission, f"{type(exc).__name__}: {exc}")


def grade_archive(
    submission: bytes,
    challenge: bytes,
    challenge_name: str,
    options: GradeOptions,
    shown_as: str,
) -> Scorecard:
    """Grade a packed submission against a packed challenge: a task for a remote worker.

    The scorecard names the submission by ``shown_as`` (its path where the batch
    runs), never by the worker's temporary folder, so it reads as a local one.
    """
    with tempfile.TemporaryDirectory(prefix="mlgrader-task-") as tmp:
        root = Path(tmp)
        unpack(challenge, root / "challenges")
        unpack(submission, root / "submission")
        chal = load_challenge(root / "challenges" / challenge_name)
        here = root / "submission" / "code"
        card = grade_folder(here, chal, options)
    card.submission["path"] = shown_as
    if card.error:
        card.error = card.error.replace(str(here), shown_as)
    return card


def pack_challenge(challenge: Challenge) -> bytes:
    """The challenge folder as ``NAME/`` with its effective rubric as ``rubric.toml`` beside it,
    which is where :meth:`Challenge.rubric` looks once unpacked."""
    rubric = challenge.rubric().for_challenge(challenge.name).to_toml()
    return pack(challenge.root, challenge.name, {"rubric.toml": rubric.encode()})


@dataclass
class BatchResult:
    """What one run of a batch did, and every scorecard now on disk."""

    graded: list[str]
    skipped: list[str]
    cards: dict[str, Scorecard]


Submit = Callable[[Path], "Future[Scorecard]"]


class Batch:
    """The output folder of one batch: scorecards, journal, summary and reports."""

    def __init__(
        self,
        out: Path,
        challenge: Challenge,
        settings: dict[str, Any],
        *,
        similar_at: float = DEFAULT_THRESHOLD,
        known: Path | None = None,
    ) -> None:
        """Open (or start) the batch in ``out``: refused (UserInputError) when ``out`` holds
        a batch graded with other ``settings`` (challenge, limits, mlgrader version), whose
        scorecards a resumed run would mix with its own. ``similar_at`` and ``known`` shape
        only the reports (similarity.py), so they may change between runs."""
        self.out = out
        self.challenge = challenge
        self.similar_at = similar_at
        self.known = known
        self._check_settings(settings)
        (out / SCORECARDS).mkdir(parents=True, exist_ok=True)
        write_atomic(out / SETTINGS, json.dumps(settings, indent=2, sort_keys=True) + "\n")

    def _check_settings(self, settings: dict[str, Any]) -> None:
        try:
            before = json.loads((self.out / SETTINGS).read_text(encoding="utf-8"))
        except FileNotFoundError:  # a new batch, or one from before batch.json
            before = self._older_batch()
        except (OSError, ValueError) as exc:
            raise UserInputError(
                f"--out {self.out}: {SETTINGS} is unreadable ({exc}); pass a new --out"
            ) from None
        changed = [
            f"{key} {before[key]!r} (now {settings.get(key)!r})"
            for key in sorted(before)
            if before[key] != settings.get(key)
        ]
        if changed:
            raise UserInputError(
                f"--out {self.out} holds a batch graded with {', '.join(changed)}; pass a new "
                "--out, or the same challenge and options to resume it"
            )

    def _older_batch(self) -> dict[str, Any]:
        """What a batch written before batch.json was graded for, as far as its scorecards
        say (the challenge); nothing for a new batch."""
        for path in sorted((self.out / SCORECARDS).glob("*.json")):
            card = self.load(path.stem)
            if card is not None:
                return {"challenge": card.challenge["name"]}
        return {}

    def scorecard_path(self, name: str) -> Path:
        return self.out / SCORECARDS / f"{name}.json"

    def load(self, name: str) -> Scorecard | None:
        """The finished scorecard of ``name``, or None when it has not been graded."""
        try:
            data = json.loads(self.scorecard_path(name).read_text(encoding="utf-8"))
            return Scorecard.from_dict(data)
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def pending(self, submissions: list[Path]) -> list[Path]:
        """The submissions without a finished scorecard: what a (resumed) run must grade."""
        return [p for p in submissions if self.load(p.name) is None]

    def record(self, name: str, card: Scorecard) -> None:
        """Keep one finished grading: the scorecard (its page first, the JSON that marks
        it done last), then the journal line."""
        write_atomic(self.scorecard_path(name).with_suffix(".html"), render_html(card))
        write_atomic(self.scorecard_path(name), json.dumps(card.to_dict(), indent=2) + "\n")
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        with open(self.out / JOURNAL, "a", encoding="utf-8") as journal:
            journal.write(f"{stamp} graded {name} score={card.score:g}\n")

    def run(
        self,
        submissions: list[Path],
        submit: Submit,
        on_done: Callable[[str, Scorecard], None] = lambda _n, _c: None,
    ) -> BatchResult:
        """Grade every submission without a scorecard; then rebuild the summary and reports."""
        todo = self.pending(submissions)
        skipped = [p.name for p in submissions if p not in todo]
        graded: list[str] = []
        futures = {submit(path): path for path in todo}
        for future in as_completed(futures):
            path = futures[future]
            try:
                card = future.result()
            except Exception as exc:  # the worker itself died (OOM killer, lost node)
                card = error_scorecard(
                    self.challenge, path, f"worker failed: {type(exc).__name__}: {exc}"
                )
            self.record(path.name, card)
            graded.append(path.name)
            on_done(path.name, card)
        cards = {p.name: c for p in submissions if (c := self.load(p.name)) is not None}
        self.write_reports(cards, [p for p in submissions if p.name in cards])
        return BatchResult(graded, skipped, cards)

    def write_reports(self, cards: dict[str, Scorecard], folders: list[Path]) -> None:
        """summary.csv, items.json, similarity.json, report.md and report.html from the
        given scorecards, and each candidate's page again with its closest matches."""
        items = analyse(list(cards.values()))
        kit = (self.challenge.stub, self.challenge.support, self.challenge.public_tests)
        known = known_solutions(self.known) if self.known is not None else []
        similarity = round_similarity(folders, kit, known, self.similar_at)
        write_atomic(self.out / SUMMARY, summary_csv(cards))
        write_atomic(self.out / ITEMS, json.dumps([i.to_dict() for i in items], indent=2) + "\n")
        write_atomic(self.out / SIMILARITY, json.dumps(similarity.to_dict(), indent=2) + "\n")
        for name, card in cards.items():
            closest = [
                (pair_line(m), f"../{REPORT_HTML}#{pair_anchor(m)}") for m in similarity.top(name)
            ]
            write_atomic(self.scorecard_path(name).with_suffix(".html"), render_html(card, closest))
        md = render_markdown_report(self.challenge, cards, items, similarity)
        write_atomic(self.out / REPORT_MD, md)
        page = render_html_report(self.challenge, cards, items, similarity)
        write_atomic(self.out / REPORT_HTML, page)


def summary_csv(cards: dict[str, Scorecard]) -> str:
    """One row per submission: score, pass, error, duration and each category's points."""
    categories: list[str] = []
    for card in cards.values():
        categories += [c.name for c in card.categories if c.name not in categories]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", "score", "passed", "error", "duration_s", *categories])
    for name in sorted(cards):
        card = cards[name]
        points = {c.name: f"{c.points:.2f}" for c in card.categories}
        writer.writerow(
            [
                name,
                f"{card.score:.2f}",
                str(card.passed).lower(),
                problem(card) or "",  # why grading failed, or why every test did
                f"{card.duration_s:.1f}",
                *(points.get(c, "") for c in categories),
            ]
        )
    return buffer.getvalue()


def _worker_init() -> None:
    die_with_parent()  # a killed batch takes its gradings with it; nothing runs on unseen


@contextmanager
def local_pool(challenge: Challenge, options: GradeOptions, workers: int) -> Iterator[Submit]:
    """Gradings in ``workers`` spawned processes on this machine."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init) as pool:
        yield lambda path: pool.submit(grade_folder, path, challenge, options)


def packed_submitter(
    executor: Executor, challenge: Challenge, options: GradeOptions, challenge_archive: Any
) -> Submit:
    """Submit archives instead of paths (for workers on other machines)."""

    def submit(path: Path) -> Future[Scorecard]:
        data = pack(path, "code")
        return executor.submit(
            grade_archive, data, challenge_archive, challenge.name, options, str(path)
        )

    return submit


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
