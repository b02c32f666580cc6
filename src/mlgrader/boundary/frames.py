"""Length-prefixed frames on a stream socket, and the error every reader of one raises.

A frame is a 4-byte little-endian length and that many bytes of a ``wire``
message. Both the main socket and each lane (see ``endpoint``) carry frames.
"""

from __future__ import annotations

import socket
import struct

from mlgrader.boundary import wire

HEADER = struct.Struct("<I")


class ChannelClosed(ConnectionError):
    """The other process is gone (it exited, crashed or was killed), or it broke the protocol."""


def frame(data: bytes) -> bytes:
    """``data`` with its length in front."""
    return HEADER.pack(len(data)) + data


class Frames:
    """Length-prefixed frames from a socket, read in chunks: a small message costs one
    ``recv`` (not one for the header and one for the body)."""

    CHUNK = 1 << 16
    MAX_FDS = 4  # descriptors accepted with one recv (a lane's socket comes one at a time)

    def __init__(self, sock: socket.socket, max_message: int, fds: bool = False) -> None:
        self.sock = sock
        self.max_message = max_message
        self.buf = bytearray()
        self.fds = fds
        self.received: list[int] = []  # descriptors that came with the bytes, in order

    def _fill(self, want: int) -> bool:
        while len(self.buf) < want:
            size = max(self.CHUNK, min(want - len(self.buf), 1 << 24))
            if self.fds:
                chunk, fds, _, _ = socket.recv_fds(self.sock, size, self.MAX_FDS)
                self.received += fds
            else:  # plain recv: the kernel closes any descriptor sent along
                chunk = self.sock.recv(size)
            if not chunk:
                return False
            self.buf += chunk
        return True

    def next(self) -> bytes | None:
        """The next frame's bytes; None at EOF. Raises WireError for an oversized frame."""
        if not self._fill(4):
            return None
        size = HEADER.unpack_from(self.buf)[0]
        if size > self.max_message:
            raise wire.WireError(f"a message of {size} bytes (limit {self.max_message})")
        if not self._fill(4 + size):
            return None
        data = bytes(self.buf[4 : 4 + size])
        del self.buf[: 4 + size]
        return data
