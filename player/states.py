"""The player's log of display states: each time the panel shows no item on purpose (black by a
blackout the controller ordered or one set on this machine, or the filler when nothing is
scheduled), with its start and end, kept in its own SQLite file until the controller has it.

The show loop says what the panel is in each round (:meth:`StateLog.now`): when that changes,
the state that lasted ends and the new one begins, each written at once (``synchronous=FULL``,
as the spool). A state's id is derived from what it is (the controller's blackout id, or the
local blackout's start), so a restart during a blackout carries on the same state instead of
starting another. Every heartbeat carries the states not yet acknowledged
(:meth:`StateLog.to_send`); the controller names the ended ones it stored, which are then
forgotten (:meth:`StateLog.stored`). A state is never a play: it is not a display event.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from playlists.heartbeat import MAX_STATES, DisplayState

NAMESPACE = uuid.UUID("5b0f6a52-6a4f-4d52-9a44-2f7d1c3c9e10")
SCHEMA = """
CREATE TABLE IF NOT EXISTS states (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    source TEXT NOT NULL,
    blackout_id INTEGER,
    reason TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT
);
"""


@dataclass(frozen=True)
class Black:
    """What the panel shows instead of an item now: black by the controller's blackout
    ``blackout_id`` or by the local blackout set at ``since``, or (``state`` "filler") the
    filler since ``since``."""

    source: str  # "controller" or "local"
    reason: str
    blackout_id: int | None = None
    since: str = ""
    state: str = "blackout"  # or "filler"

    @property
    def id(self) -> str:
        if self.state == "filler":
            key = f"filler:{self.since}"
        elif self.source == "controller":
            key = f"controller:{self.blackout_id}"
        else:
            key = f"local:{self.since}"
        return str(uuid.uuid5(NAMESPACE, key))


class StateLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._current: str | None = None
        self._looked = False

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def now(self, black: Black | None, at: str) -> None:
        """The panel is ``black`` (None: it shows the playlist) at ``at`` (ISO-8601)."""
        wanted = black.id if black is not None else None
        if self._looked and wanted == self._current:
            return
        with self._lock:
            # Every other state still open ends now (one left open by a restart included).
            self._db.execute(
                "UPDATE states SET ended_at = ? WHERE ended_at IS NULL AND id != ?",
                (at, wanted or ""),
            )
            if black is not None:
                self._db.execute(
                    "INSERT OR IGNORE INTO states (id, state, source, blackout_id, reason, "
                    "started_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (wanted, black.state, black.source, black.blackout_id, black.reason[:500], at),
                )
                # A state ended by mistake (say, before a restart) lasts again.
                self._db.execute("UPDATE states SET ended_at = NULL WHERE id = ?", (wanted,))
        self._current, self._looked = wanted, True

    def to_send(self) -> list[DisplayState]:
        """The states the controller has not acknowledged, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, state, source, blackout_id, reason, started_at, ended_at FROM states "
                "ORDER BY started_at LIMIT ?",
                (MAX_STATES,),
            ).fetchall()
        return [
            DisplayState(
                id=r[0],
                state=r[1],
                source=r[2],
                blackout_id=r[3],
                reason=r[4],
                started_at=r[5],
                ended_at=r[6],
            )
            for r in rows
        ]

    def stored(self, ids: list[str]) -> None:
        """The controller stored these ended states: forget them."""
        if not ids:
            return
        with self._lock:
            self._db.executemany(
                "DELETE FROM states WHERE id = ? AND ended_at IS NOT NULL", [(i,) for i in ids]
            )

    def pending(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM states").fetchone()[0])
