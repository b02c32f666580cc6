"""swarm: decentralised parameter averaging between peers that talk through queues.

Peers hold named numpy parameter tensors and a sample count. A :class:`Matchmaker`
groups peers; the members of a :class:`Group` run :meth:`Peer.all_reduce`, a chunked
scatter-reduce/all-gather that leaves every member with the sample-weighted average
of the group's parameters. Two peers can also gossip (:meth:`Peer.average_with`).
"""

from swarm.codec import chunk_bounds, decode, encode, weighted_average
from swarm.matchmaking import Group, Matchmaker
from swarm.metrics import Metrics
from swarm.peer import Message, Peer

__all__ = [
    "Group",
    "Matchmaker",
    "Message",
    "Metrics",
    "Peer",
    "chunk_bounds",
    "decode",
    "encode",
    "weighted_average",
]
