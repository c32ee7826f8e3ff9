"""Local blackout (一键关停 on the screen's own machine): black at once, without the network.

``signage-player blackout --cache DIR [--reason TEXT]`` writes ``DIR/blackout.json``;
``signage-player resume --cache DIR`` removes it. The running player looks at the file before
every frame it shows and about five times a second while a frame stays, so the panel goes black
within a fraction of a second, the controller reachable or not; the file outlives a restart of
the player or of the machine, so a screen blacked out stays black until someone lifts it here.
A blackout set locally is lifted only locally: nothing the controller sends removes the file.
The player reports it in every heartbeat while it lasts.

The file is one small JSON object, ``{"since": ISO-8601, "reason": text}``, written whole
(a temporary file renamed over it), so a reader never sees half of it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from player.store import write_atomic

log = logging.getLogger(__name__)

FILE_NAME = "blackout.json"
REASON_MAX = 500


@dataclass(frozen=True)
class Blackout:
    """A local blackout in force: since when, and why."""

    since: str
    reason: str


class LocalBlackout:
    """The blackout flag of one player's cache folder; cheap to ask (one ``stat`` a call)."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = Path(cache_dir) / FILE_NAME
        self._seen: tuple[int, int] | None = None  # (mtime_ns, size) of the file last read
        self._current: Blackout | None = None

    def current(self) -> Blackout | None:
        """The blackout in force, or None."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self._seen, self._current = None, None
            return None
        mark = (stat.st_mtime_ns, stat.st_size)
        if mark != self._seen:
            self._seen, self._current = mark, self._read()
        return self._current

    def _read(self) -> Blackout:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Blackout(since=str(data["since"]), reason=str(data.get("reason", "")))
        except (OSError, ValueError, KeyError, TypeError):
            # A flag file someone wrote by hand (touch), or damaged: black all the same (the
            # safe side), from when the file was written.
            try:
                written = dt.datetime.fromtimestamp(self.path.stat().st_mtime, dt.UTC)
            except OSError:
                written = dt.datetime.now(dt.UTC)
            return Blackout(since=iso(written), reason="(unreadable blackout file)")

    def set(self, reason: str, now: dt.datetime) -> Blackout:
        """Black out from ``now`` (keeping the first start if one is in force already)."""
        held = self.current()
        since = held.since if held is not None and held.since else iso(now)
        blackout = Blackout(since=since, reason=reason.strip()[:REASON_MAX])
        body = json.dumps({"since": blackout.since, "reason": blackout.reason}, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, body.encode("utf-8"))
        return blackout

    def lift(self) -> Blackout | None:
        """Lift the blackout; return the one lifted (None: there was none)."""
        held = self.current()
        self.path.unlink(missing_ok=True)
        self._seen, self._current = None, None
        return held

    def toggle(self, reason: str, now: dt.datetime) -> Blackout | None:
        """Black out if not, else lift (the window's keyboard shortcut); return the new one."""
        if self.current() is not None:
            self.lift()
            log.warning("local blackout lifted from the keyboard")
            return None
        blackout = self.set(reason, now)
        log.warning("local blackout from the keyboard")
        return blackout


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
