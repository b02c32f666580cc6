"""Which submissions of a round share code: token fingerprints that survive renaming and
reformatting, compared pair by pair.

The method is winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003), the one behind
MOSS. Each Python file becomes a stream of normalised tokens: every name that is not a
keyword becomes ``N``, every string ``S`` and every number ``0``; comments, docstrings and
line breaks inside brackets are dropped, so renaming variables, rewriting docstrings and
reflowing code change nothing. Every run of ``K`` tokens is hashed, and in every window of ``W`` consecutive
hashes the smallest is kept: two files that share a run of ``K + W - 1`` tokens or more
are certain to share a fingerprint, and runs shorter than ``K`` never count.

Code the kit itself ships (the stub, the support modules, the public tests) is
boilerplate every candidate starts from: its fingerprints are removed from every
submission before comparing. A pair's similarity is the larger of the two shares of
each side's remaining tokens that the matched fingerprints cover, reported only when
the matched code spans at least ``MIN_LINES`` lines of each (a short common idiom is not
copying); a submission with under ``MIN_OWN_LINES`` lines of its own is not compared. Why not a library: copydetect does the same, but pulls in matplotlib and tqdm
for its own report and tokenises with pygments; the submissions are Python, which the
standard library tokenises exactly.
"""

from __future__ import annotations

import io
import keyword
import os
import tokenize
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

#: Tokens per hashed run: shorter shared runs never count. 20 tokens is two to three lines;
#: with the bundled challenges' independent solutions and disguised copies of them
#: (benchmarks/similarity_round.py), honest pairs reached 0.70 and copies 0.89 or more.
K = 20
#: Hashes per window: a shared run of K + W - 1 tokens always yields a shared fingerprint.
W = 10
#: A pair is reported only if the matched code spans this many lines on both sides.
MIN_LINES = 10
#: A submission with fewer lines of its own (beyond the kit's code) is not compared: where
#: candidates fix a few lines of given code (debug-swarm), every correct fix looks alike.
MIN_OWN_LINES = 25
#: Default share of a submission's own code found in another that flags a pair.
DEFAULT_THRESHOLD = 0.8
#: Bounds on what one submission contributes (a round must not stall on huge files): the
#: largest bundled solution is 31 KB of Python.
MAX_FILES = 200
MAX_FILE_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 256 * 1024
#: Folders never read (environments, caches, version control).
SKIPPED = frozenset(
    {".git", ".hg", "__pycache__", ".venv", "venv", ".tox", ".pytest_cache", "node_modules"}
)

_DROPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}


@dataclass(frozen=True)
class Token:
    """One normalised token and where it came from."""

    text: str
    file: str
    line: int


@dataclass
class Document:
    """One submission (or known solution): its tokens and winnowed fingerprints."""

    name: str
    tokens: list[Token] = field(default_factory=list)
    #: hash -> start positions (token indexes) of the runs it was chosen for
    prints: dict[int, list[int]] = field(default_factory=dict)
    #: start position -> hash, for the positions in ``prints``
    hash_at: dict[int, int] = field(default_factory=dict)
    #: token indexes covered by boilerplate runs (the kit's own code)
    boilerplate: set[int] = field(default_factory=set)
    known: bool = False

    @property
    def own(self) -> int:
        """How many tokens are the submission's own (not the kit's)."""
        return len(self.tokens) - len(self.boilerplate)

    @property
    def own_lines(self) -> int:
        """How many lines hold tokens of the submission's own."""
        return len(
            {(t.file, t.line) for i, t in enumerate(self.tokens) if i not in self.boilerplate}
        )


@dataclass(frozen=True)
class Region:
    """A stretch of lines in one document matched by code in the other."""

    file: str
    first: int
    last: int

    def __str__(self) -> str:
        return f"{self.file} {self.first}-{self.last}"


@dataclass(frozen=True)
class Match:
    """Two documents that share code: each side's share of its own tokens found in the
    other, the matched lines, and the regions on each side (in the same order)."""

    a: str
    b: str
    a_share: float
    b_share: float
    a_lines: int
    b_lines: int
    regions: tuple[tuple[Region, Region], ...]

    @property
    def similarity(self) -> float:
        """The larger share: a small solution copied whole into a larger one still shows."""
        return max(self.a_share, self.b_share)

    def involves(self, name: str) -> bool:
        return name in (self.a, self.b)

    def to_dict(self) -> dict[str, object]:
        return {
            "a": self.a,
            "b": self.b,
            "similarity": round(self.similarity, 4),
            "a_share": round(self.a_share, 4),
            "b_share": round(self.b_share, 4),
            "a_lines": self.a_lines,
            "b_lines": self.b_lines,
            "regions": [[str(x), str(y)] for x, y in self.regions],
        }


# -- tokens and fingerprints -----------------------------------------------------------------


def normalised_tokens(source: str, file: str) -> list[Token]:
    """``source``'s tokens with names, strings and numbers reduced to their kind; a file that
    stops tokenising (a syntax error) contributes the tokens before the error."""
    out: list[Token] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in _DROPPED:
                continue
            out.append(Token(_kind(tok), file, tok.start[0]))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return _without_docstrings(out)


def _without_docstrings(tokens: list[Token]) -> list[Token]:
    """Drop statements that are a string alone (docstrings): deleting or rewriting them is
    the first thing a disguise does, and each would break the runs around every def."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        alone = not out or out[-1].text in ("{", ";")
        if alone and tokens[i].text == "S":
            j = i
            while j < len(tokens) and tokens[j].text == "S":  # implicit concatenation
                j += 1
            if j < len(tokens) and tokens[j].text == ";":
                i = j + 1
                continue
        out.append(tokens[i])
        i += 1
    return out


def _kind(tok: tokenize.TokenInfo) -> str:
    if tok.type == tokenize.NAME:
        return tok.string if keyword.iskeyword(tok.string) else "N"
    if tok.type == tokenize.STRING or tok.type in _FSTRING:
        return "S"
    if tok.type == tokenize.NUMBER:
        return "0"
    if tok.type == tokenize.NEWLINE:
        return ";"
    if tok.type == tokenize.INDENT:
        return "{"
    if tok.type == tokenize.DEDENT:
        return "}"
    return tok.string


_FSTRING = {
    getattr(tokenize, name)
    for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
    if hasattr(tokenize, name)
}


def _run_hashes(tokens: Sequence[Token], k: int) -> list[int]:
    """The hash of every run of ``k`` tokens. Tuples of ints hash the same in every process
    (only str hashing is salted), so a round's fingerprints are the same on every run."""
    ids = [zlib.crc32(t.text.encode()) for t in tokens]
    return [hash(tuple(ids[i : i + k])) for i in range(len(ids) - k + 1)]


def winnow(tokens: Sequence[Token]) -> dict[int, list[int]]:
    """The fingerprints of ``tokens``: hash -> start positions of the runs chosen. In each
    window of W run hashes the smallest is chosen (the rightmost on a tie), once."""
    hashes = _run_hashes(tokens, K)
    chosen: dict[int, list[int]] = {}
    if not hashes:
        return chosen
    last = -1
    for start in range(max(1, len(hashes) - W + 1)):
        window = hashes[start : start + W]
        low = min(window)
        pos = start + max(i for i, h in enumerate(window) if h == low)
        if pos != last:
            chosen.setdefault(low, []).append(pos)
            last = pos
    return chosen


def python_files(folder: Path) -> list[Path]:
    """The ``.py`` files under ``folder`` a candidate wrote or shipped, in a stable order."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED and not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.endswith(".py") and path.is_file() and not path.is_symlink():
                found.append(path)
                if len(found) >= MAX_FILES:
                    return found
    return found


def document(name: str, folder: Path, *, known: bool = False) -> Document:
    """Tokens and fingerprints of every Python file under ``folder`` (one stream, each
    token remembering its file and line)."""
    doc = Document(name, known=known)
    left = MAX_TOTAL_BYTES
    for path in python_files(folder):
        raw = _read(path, min(MAX_FILE_BYTES, left))
        left -= len(raw)
        text = raw.decode("utf-8", errors="replace")
        doc.tokens += normalised_tokens(text, path.relative_to(folder).as_posix())
        if left <= 0:
            break
    doc.prints = winnow(doc.tokens)
    doc.hash_at = {pos: h for h, starts in doc.prints.items() for pos in starts}
    return doc


def _read(path: Path, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``path``, never through a symlink (a submission's link could
    point anywhere on the machine running the batch); b"" if it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return b""
    with os.fdopen(fd, "rb") as handle:
        return handle.read(max(0, limit))


def boilerplate_hashes(folders: Iterable[Path]) -> set[int]:
    """Every run hash of the kit's own code (not only the winnowed ones), so that any
    fingerprint a submission keeps from it is recognised."""
    hashes: set[int] = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        hashes.update(_run_hashes(document("kit", folder).tokens, K))
    return hashes


def remove_boilerplate(doc: Document, kit: set[int]) -> None:
    """Drop the kit's fingerprints from ``doc`` and mark the tokens they cover."""
    for h in [h for h in doc.prints if h in kit]:
        for pos in doc.prints.pop(h):
            doc.boilerplate.update(range(pos, pos + K))


# -- comparing -------------------------------------------------------------------------------


def compare(a: Document, b: Document) -> Match | None:
    """The code ``a`` and ``b`` share, or None if it spans fewer than MIN_LINES lines."""
    shared = a.prints.keys() & b.prints.keys()
    if not shared:
        return None
    a_cover = _covered(a, shared)
    b_cover = _covered(b, shared)
    a_lines = _lines(a, a_cover)
    b_lines = _lines(b, b_cover)
    if min(len(a_lines), len(b_lines)) < MIN_LINES:
        return None
    return Match(
        a.name,
        b.name,
        len(a_cover) / max(1, a.own),
        len(b_cover) / max(1, b.own),
        len(a_lines),
        len(b_lines),
        _regions(a, b, shared),
    )


def _covered(doc: Document, shared: set[int]) -> set[int]:
    covered: set[int] = set()
    for h in shared:
        for pos in doc.prints[h]:
            covered.update(range(pos, pos + K))
    return covered - doc.boilerplate


def _lines(doc: Document, positions: set[int]) -> set[tuple[str, int]]:
    return {(doc.tokens[p].file, doc.tokens[p].line) for p in positions if p < len(doc.tokens)}


def _regions(a: Document, b: Document, shared: set[int]) -> tuple[tuple[Region, Region], ...]:
    """Matched stretches: fingerprints in ``a``'s order, chained while both sides move on
    together (the same file, gaps and shifts under a few runs), each chain a region on
    each side. A fingerprint found in many places (a common idiom) joins a chain only
    where it lines up, so a region never spans half a file because of one."""
    chains: list[list[tuple[int, int]]] = []
    for pa in sorted(p for h in shared for p in a.prints[h]):
        candidates = b.prints[a.hash_at[pa]]
        if chains:
            la, lb = chains[-1][-1]
            best = min(candidates, key=lambda pb: abs((pb - pa) - (lb - la)))
            if (
                pa - la <= 3 * K
                and abs((best - pa) - (lb - la)) <= 3 * K
                and _file(a, pa) == _file(a, la)
                and _file(b, best) == _file(b, lb)
            ):
                chains[-1].append((pa, best))
                continue
        chains.append([(pa, min(candidates))])
    return tuple(
        (_span(a, [pa for pa, _ in chain]), _span(b, [pb for _, pb in chain]))
        for chain in chains
        if len(chain) > 1
    )


def _file(doc: Document, pos: int) -> str:
    return doc.tokens[pos].file


def _span(doc: Document, starts: list[int]) -> Region:
    last = min(len(doc.tokens) - 1, max(starts) + K - 1)
    return Region(doc.tokens[min(starts)].file, doc.tokens[min(starts)].line, doc.tokens[last].line)


def similar_pairs(docs: Sequence[Document]) -> list[Match]:
    """Every pair that shares at least MIN_LINES lines, most similar first (pairs of two
    known solutions are not compared: they are references, not candidates)."""
    found = []
    for a, b in combinations(docs, 2):
        if a.known and b.known:
            continue
        match = compare(a, b)
        if match is not None:
            found.append(match)
    return sorted(found, key=lambda m: (-m.similarity, m.a, m.b))


@dataclass
class RoundSimilarity:
    """Every pair of a round that shares code, the threshold that flags a pair, and where
    each document's files are (to quote the matched lines)."""

    matches: list[Match]
    threshold: float
    folders: dict[str, Path]
    #: submissions with under MIN_OWN_LINES lines of their own code, not compared
    too_small: list[str] = field(default_factory=list)

    def flagged(self) -> list[Match]:
        """The pairs at or above the threshold, most similar first."""
        return [m for m in self.matches if m.similarity >= self.threshold]

    def top(self, name: str, n: int = 3) -> list[Match]:
        """``name``'s ``n`` closest matches in the round."""
        return [m for m in self.matches if m.involves(name)][:n]

    def lines(self, name: str, region: Region, limit: int = 60) -> list[tuple[int, str]]:
        """The numbered lines of ``region`` in ``name``'s file (at most ``limit``)."""
        text = _read(self.folders[name] / region.file, MAX_FILE_BYTES).decode("utf-8", "replace")
        numbered = list(enumerate(text.splitlines(), start=1))
        return numbered[region.first - 1 : min(region.last, region.first - 1 + limit)]

    def to_dict(self) -> dict[str, object]:
        return {
            "method": f"winnowing, {K}-token runs, windows of {W}; kit code removed",
            "threshold": self.threshold,
            "min_lines": MIN_LINES,
            "min_own_lines": MIN_OWN_LINES,
            "not_compared": self.too_small,
            "pairs": [
                m.to_dict() | {"flagged": m.similarity >= self.threshold} for m in self.matches
            ],
        }


def round_similarity(
    submissions: Sequence[Path],
    kit: Iterable[Path],
    known: Sequence[Path] = (),
    threshold: float = DEFAULT_THRESHOLD,
) -> RoundSimilarity:
    """Compare every pair of ``submissions`` (and each with every folder in ``known``),
    with the code of the ``kit`` folders removed first."""
    kit_hashes = boilerplate_hashes(kit)
    docs = [document(p.name, p) for p in submissions]
    docs += [document(f"known:{p.name}", p, known=True) for p in known]
    for doc in docs:
        remove_boilerplate(doc, kit_hashes)
    folders = {p.name: p for p in submissions} | {f"known:{p.name}": p for p in known}
    small = [d.name for d in docs if d.own_lines < MIN_OWN_LINES]
    compared = [d for d in docs if d.name not in small]
    return RoundSimilarity(similar_pairs(compared), threshold, folders, small)


def known_solutions(folder: Path) -> list[Path]:
    """The known solutions a team keeps: each subfolder of ``folder`` is one."""
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
