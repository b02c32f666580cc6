"""A peer: named parameter tensors, an inbox served by a worker thread, and averaging."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from swarm.codec import chunk_bounds, decode, encode, weighted_average
from swarm.matchmaking import Group
from swarm.metrics import Metrics

REDUCE = "reduce"
GATHER = "gather"


@dataclass(frozen=True)
class Message:
    """What one peer sends another in a round: encoded slices of every tensor."""

    sender: str
    round_id: str
    phase: str
    samples: int
    parts: dict[str, bytes]

    @property
    def nbytes(self) -> int:
        """Size of the payload in bytes."""
        return sum(len(part) for part in self.parts.values())


class Peer:
    """One participant of the swarm.

    ``params`` maps tensor names to numpy arrays (copied); ``samples`` (an int >= 1)
    is how much data the peer trained on and weights its parameters in every average.
    A worker thread serves the peer's inbox until :meth:`close`.
    """

    def __init__(
        self,
        peer_id: str,
        params: Mapping[str, np.ndarray],
        samples: int = 1,
        *,
        metrics: Metrics | None = None,
    ) -> None:
        if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 1:
            raise ValueError(f"samples must be an int >= 1, got {samples!r}")
        if not params:
            raise ValueError("a peer needs at least one parameter tensor")
        self._peer_id = peer_id
        self._samples = int(samples)
        self._params = {name: np.array(value) for name, value in params.items()}
        self.metrics = metrics if metrics is not None else Metrics()
        self._lock = threading.RLock()
        self._inbox: queue.Queue[Message | None] = queue.Queue()
        self._mailboxes: dict[tuple[str, str], queue.Queue[Message]] = {}
        self._mailbox_lock = threading.Lock()
        self._closed = False
        self._worker = threading.Thread(target=self._serve, name=f"peer-{peer_id}", daemon=True)
        self._worker.start()

    def __repr__(self) -> str:
        return f"Peer({self._peer_id!r}, samples={self._samples})"

    def __enter__(self) -> Peer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def peer_id(self) -> str:
        """The peer's name, unique in its swarm."""
        return self._peer_id

    @property
    def samples(self) -> int:
        """The weight of this peer's parameters in an average."""
        return self._samples

    @property
    def params(self) -> dict[str, np.ndarray]:
        """A copy of the current parameters."""
        with self._lock:
            return {name: value.copy() for name, value in self._params.items()}

    def deliver(self, message: Message) -> None:
        """Put ``message`` in this peer's inbox (called by the sending peer)."""
        if self._closed:
            raise RuntimeError(f"peer {self._peer_id!r} is closed")
        self._inbox.put(message)

    def close(self) -> None:
        """Stop the worker thread and wait for it; calling it again does nothing."""
        if not self._closed:
            self._closed = True
            self._inbox.put(None)
        self._worker.join()

    def all_reduce(self, group: Group, timeout: float = 10.0) -> None:
        """Replace this peer's parameters by the sample-weighted average over ``group``.

        Every member must call it for the same group. Each tensor is flattened and cut
        into ``len(group)`` chunks by :func:`chunk_bounds`; member ``i`` averages chunk
        ``i`` of everyone's tensors (scatter-reduce), then sends it to all (all-gather).
        ``TimeoutError`` if the other members' messages do not all arrive in time.
        """
        index = group.index(self._peer_id)
        deadline = time.monotonic() + timeout
        local = self.params
        bounds = {name: chunk_bounds(value.size, len(group)) for name, value in local.items()}

        def chunk(name: str, position: int) -> np.ndarray:
            start, stop = bounds[name][position]
            return local[name].reshape(-1)[start:stop]

        try:
            for position, member in enumerate(group.peers):
                if position != index:
                    parts = {name: encode(chunk(name, position)) for name in local}
                    self._send(member, group.round_id, REDUCE, parts)
            received = self._collect(group, REDUCE, deadline)
            weights = [self._samples] + [message.samples for message in received]
            reduced = {
                name: weighted_average(
                    [chunk(name, index)] + [decode(message.parts[name]) for message in received],
                    weights,
                )
                for name in local
            }
            encoded = {name: encode(part) for name, part in reduced.items()}
            for position, member in enumerate(group.peers):
                if position != index:
                    self._send(member, group.round_id, GATHER, encoded)
            gathered = self._collect(group, GATHER, deadline)
        finally:
            self._drop_mailboxes(group.round_id)
        result = {}
        for name, value in local.items():
            flat = value.reshape(-1).copy()
            for sender, part in [(index, reduced[name])] + [
                (group.index(message.sender), decode(message.parts[name])) for message in gathered
            ]:
                start, stop = bounds[name][sender]
                flat[start:stop] = part
            result[name] = flat.reshape(value.shape)
        with self._lock:
            self._params = result
        self.metrics.add("rounds")

    def average_with(self, other: Peer) -> None:
        """Gossip: set both peers' parameters to their sample-weighted average, atomically."""
        if other is self:
            raise ValueError("a peer cannot gossip with itself")
        with self._lock, other._lock:
            merged = {
                name: weighted_average([mine, other._params[name]], [self._samples, other._samples])
                for name, mine in self._params.items()
            }
            self._params = merged
            other._params = {name: value.copy() for name, value in merged.items()}
        self.metrics.add("gossips")
        other.metrics.add("gossips")

    # -- messaging ------------------------------------------------------------------------

    def _send(self, target: Peer, round_id: str, phase: str, parts: dict[str, bytes]) -> None:
        message = Message(self._peer_id, round_id, phase, self._samples, parts)
        target.deliver(message)
        self.metrics.add("messages_sent")
        self.metrics.add("bytes_sent", message.nbytes)

    def _serve(self) -> None:
        while (message := self._inbox.get()) is not None:
            self.metrics.add("messages_received")
            self.metrics.add("bytes_received", message.nbytes)
            self._mailbox(message.round_id, message.phase).put(message)

    def _mailbox(self, round_id: str, phase: str) -> queue.Queue[Message]:
        with self._mailbox_lock:
            return self._mailboxes.setdefault((round_id, phase), queue.Queue())

    def _drop_mailboxes(self, round_id: str) -> None:
        with self._mailbox_lock:
            for phase in (REDUCE, GATHER):
                self._mailboxes.pop((round_id, phase), None)

    def _collect(self, group: Group, phase: str, deadline: float) -> list[Message]:
        """The ``len(group) - 1`` messages of ``phase``, ordered by the senders' positions."""
        box = self._mailbox(group.round_id, phase)
        messages: list[Message] = []
        while len(messages) < len(group) - 1:
            try:
                messages.append(box.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                raise TimeoutError(
                    f"peer {self._peer_id!r}, round {group.round_id}: got {len(messages)} of "
                    f"{len(group) - 1} {phase} messages before the timeout"
                ) from None
        return sorted(messages, key=lambda message: group.index(message.sender))
