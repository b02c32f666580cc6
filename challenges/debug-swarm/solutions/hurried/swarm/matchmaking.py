"""Grouping peers for an all-reduce round: a Group and the Matchmaker that forms groups."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from swarm.peer import Peer


class Group:
    """The peers of one all-reduce round, ordered by ``peer_id``, and the round's id."""

    def __init__(self, round_id: str, peers: Iterable[Peer]) -> None:
        members = tuple(sorted(peers, key=lambda peer: peer.peer_id))
        ids = [peer.peer_id for peer in members]
        if not members:
            raise ValueError("a group needs at least one peer")
        if len(set(ids)) != len(ids):
            raise ValueError(f"peer ids in a group must be unique, got {ids}")
        self.round_id = round_id
        self.peers = members

    def __len__(self) -> int:
        return len(self.peers)

    def __repr__(self) -> str:
        return f"Group({self.round_id!r}, {[peer.peer_id for peer in self.peers]})"

    def index(self, peer_id: str) -> int:
        """Position of the peer called ``peer_id``; ``ValueError`` if it is not a member."""
        for position, peer in enumerate(self.peers):
            if peer.peer_id == peer_id:
                return position
        raise ValueError(f"peer {peer_id!r} is not in {self!r}")


class Matchmaker:
    """Forms groups of ``group_size`` peers in the order they join."""

    def __init__(self, group_size: int) -> None:
        if group_size < 1:
            raise ValueError(f"group_size must be at least 1, got {group_size}")
        self.group_size = group_size
        self._cond = threading.Condition()
        self._waiting: list[Peer] = []
        self._assigned: dict[str, Group] = {}
        self._prefix = uuid.uuid4().hex[:8]
        self._rounds = itertools.count()

    def join(self, peer: Peer, timeout: float | None = None) -> Group:
        """Wait until ``group_size`` peers have joined, then return their common Group.

        ``TimeoutError`` (and the peer leaves the queue) if no group forms in time;
        ``ValueError`` if a peer with the same id is already waiting.
        """
        with self._cond:
            if any(other.peer_id == peer.peer_id for other in self._waiting):
                raise ValueError(f"peer {peer.peer_id!r} is already waiting for a group")
            self._waiting.append(peer)
            if len(self._waiting) >= self.group_size:
                self._form_group()
            if not self._cond.wait_for(lambda: peer.peer_id in self._assigned, timeout):
                self._waiting.remove(peer)
                raise TimeoutError(
                    f"peer {peer.peer_id!r}: no group of {self.group_size} formed within "
                    f"{timeout} s ({len(self._waiting)} peers waiting)"
                )
            return self._assigned.pop(peer.peer_id)

    def _form_group(self) -> None:
        members = self._waiting[: self.group_size]
        del self._waiting[: self.group_size]
        group = Group(f"{self._prefix}-{next(self._rounds)}", members)
        for member in members:
            self._assigned[member.peer_id] = group
        self._cond.notify_all()
