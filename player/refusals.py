"""The playlists a player refused to show, kept for its next heartbeat.

A refused playlist (a bad signature, a key from nowhere, an item that is not what was approved)
is logged and counted each time; it is told to the controller once while the same playlist keeps
being refused for the same reason (a hostile proxy sends it again at every poll), and at most
:data:`MAX_REFUSALS` wait for a heartbeat.
"""

from __future__ import annotations

import collections
import logging

log = logging.getLogger(__name__)

MAX_REFUSALS = 20
MAX_REASON = 300  # characters: whatever an answer put into a reason, a heartbeat must carry it


class Refusals:
    def __init__(self) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=MAX_REFUSALS)
        self.total = 0
        self._last: tuple[str | None, str] | None = None

    def add(self, etag: str | None, reason: str, at: str) -> None:
        """Note that the playlist with ``etag`` was refused for ``reason`` at ``at``."""
        self.total += 1
        reason = "".join(c if c.isprintable() else " " for c in reason)[:MAX_REASON]
        if self._last == (etag, reason):
            return
        self._last = (etag, reason)
        log.error("refused a playlist (%s); the last good one keeps playing", reason)
        self.lines.append(f"{at} {reason}")

    def to_send(self) -> list[str]:
        return list(self.lines)

    def sent(self, lines: list[str]) -> None:
        """The controller has these now."""
        for _ in lines:
            if self.lines:
                self.lines.popleft()
