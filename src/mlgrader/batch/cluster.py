"""Grading beyond one machine: each submission as a task on a Dask distributed cluster.

Optional (``pip install 'mlgrader[dask]'``). Workers need mlgrader installed but
share no disk with the machine running ``mlgrader batch``: the challenge is packed
once and broadcast to every worker, and each task carries its submission as an
archive (batch.py: :func:`grade_archive`). Scorecards come back as objects and
are written here, exactly as in a local run, so resume and reports are the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mlgrader.batch.run import Submit, pack_challenge, packed_submitter
from mlgrader.engine.grade import GradeOptions
from mlgrader.errors import UserInputError
from mlgrader.model.challenge import Challenge

CONNECT_TIMEOUT_S = 10.0


@contextmanager
def dask_submitter(
    address: str,
    challenge: Challenge,
    options: GradeOptions,
    connect_timeout_s: float = CONNECT_TIMEOUT_S,
) -> Iterator[Submit]:
    """Submit gradings to the Dask scheduler at ``address`` (e.g. tcp://10.0.0.5:8786)."""
    try:
        from distributed import Client
    except ImportError:
        raise UserInputError(
            "--dask needs Dask distributed: pip install 'mlgrader[dask]'"
        ) from None
    try:
        client = Client(address, timeout=connect_timeout_s)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise UserInputError(
            f"cannot reach the Dask scheduler at {address} ({exc}); check --dask ADDRESS"
        ) from None
    with client:
        archive = client.scatter(pack_challenge(challenge), broadcast=True)  # type: ignore[no-untyped-call]
        executor = client.get_executor(pure=False)  # type: ignore[no-untyped-call]
        yield packed_submitter(executor, challenge, options, archive)
