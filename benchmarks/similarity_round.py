"""How far apart are honest pairs and disguised copies, by the similarity ``mlgrader batch``
reports?

For every bundled challenge, a round of its reference and its independent solutions
(written from the kit alone) plus a disguised copy of independent-1 (tests/disguise.py:
locals and private attributes renamed, docstrings and comments dropped, reformatted),
compared as ``mlgrader batch`` compares them (the kit's code left out). Prints each pair's
similarity (a submission with too little code of its own, as in debug-swarm where a
candidate fixes given code, is not compared), then the highest honest pair and the lowest
copy over all challenges: the default threshold (``--similar-at``) must sit between them.

    python benchmarks/similarity_round.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from disguise import disguise  # noqa: E402

from mlgrader.batch.similarity import (  # noqa: E402
    DEFAULT_THRESHOLD,
    MIN_OWN_LINES,
    K,
    W,
    round_similarity,
)
from mlgrader.catalogue.listing import list_challenges  # noqa: E402


def main() -> int:
    honest: list[tuple[float, str]] = []
    copies: list[tuple[float, str]] = []
    print(f"winnowing: {K}-token runs, windows of {W}; threshold {DEFAULT_THRESHOLD:.0%}")
    for challenge in list_challenges(ROOT / "challenges"):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            sources = {"reference": challenge.reference}
            sources |= {p.name: p for p in challenge.solutions()}
            for name, source in sources.items():
                shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("*.toml"))
            disguise(challenge.root / "solutions" / "independent-1", folder / "zz-copy")
            kit = [challenge.stub, challenge.support, challenge.public_tests]
            found = round_similarity(sorted(folder.iterdir()), kit)
        pairs = ", ".join(f"{m.a}~{m.b} {m.similarity:.2f}" for m in found.matches)
        small = ", ".join(found.too_small)
        print(
            f"{challenge.name}: {pairs or 'no pair compared shares 10 lines'}"
            + (
                f" (not compared, under {MIN_OWN_LINES} lines of their own: {small})"
                if small
                else ""
            )
        )
        for m in found.matches:
            label = f"{challenge.name} {m.a}~{m.b}"
            is_copy = {m.a, m.b} == {"independent-1", "zz-copy"}
            (copies if is_copy else honest).append((m.similarity, label))
    top = max(honest)
    low = min(copies)
    print(f"highest honest pair: {top[0]:.2f} ({top[1]})")
    print(f"lowest copy: {low[0]:.2f} ({low[1]}); copies found {len(copies)}")
    return 0 if top[0] < DEFAULT_THRESHOLD <= low[0] else 1


if __name__ == "__main__":
    sys.exit(main())
