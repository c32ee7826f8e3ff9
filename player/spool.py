"""The local spool of display events: written before anything else, deleted only when the
controller has acknowledged them.

SQLite in WAL mode with ``synchronous=FULL``: once a write returns, it survives a kill -9 or a
power cut. Each event gets a UUID and the next per-screen sequence number (kept in the ``meta``
table, so numbers are never reused after acknowledged events are deleted).

A display is written when it starts, before its first frame is shown (:meth:`Spool.begin`), as
an ``interrupted`` display of the time shown so far, which the player brings up to date every few
seconds (:meth:`Spool.progress`); when it ends, :meth:`Spool.finish` gives it its outcome and
duration and queues it for upload. A player that dies in the middle of a display finds it on the
next start and queues it as it stands: interrupted, after the time last noted. So a power cut
costs at most those few seconds of one display's duration, never the display.

Each event joins the screen's display chain as it is queued (:mod:`playlists.evidence`): it
carries ``prev``, the hash of the event queued before it, and the spool keeps the chain's head
(``meta`` row ``chain``), so the chain runs on across restarts. Displays end in the order they
began, so the chain is in sequence order.

The uploader sends the oldest events in batches; in one transaction it deletes what the controller
accepted or already had (duplicates), and moves what it rejected to ``dead_letters`` with the
reason. Killed between sending and deleting, the player sends the batch again and the controller
answers "duplicate": nothing is lost and nothing counted twice.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, cast

from playlists import Outcome
from playlists.events import DisplayEvent, DisplayStart, EventsAnswer
from playlists.evidence import GENESIS, event_hash

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS showing (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL,
    rejected_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class Spool:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._chain_older_events()
        self.recovered = self._recover()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, event: Mapping[str, Any]) -> DisplayEvent:
        """Give ``event`` (a display that has ended) an id and the next sequence number, store
        it durably, return it."""
        with self._transaction():
            stored = self._chained(self._numbered(event))
            self._insert("events", stored)
        return stored

    def begin(self, event: DisplayStart) -> DisplayEvent:
        """Note a display that starts now; return it numbered. Until :meth:`finish`, it stands
        as interrupted at once (``duration_ms`` 0), which is what it is should the player die."""
        with self._transaction():
            stored = self._numbered({**event, "duration_ms": 0, "outcome": Outcome.INTERRUPTED})
            self._insert("showing", stored)
        return stored

    def progress(self, event: DisplayEvent, duration_ms: int) -> None:
        """Note that the display ``event`` (from :meth:`begin`) has lasted ``duration_ms``."""
        body = json.dumps({**event, "duration_ms": duration_ms}, ensure_ascii=False)
        with self._lock:
            self._db.execute("UPDATE showing SET body = ? WHERE id = ?", (body, event["id"]))

    def finish(self, event: DisplayEvent, duration_ms: int, outcome: Outcome) -> DisplayEvent:
        """End the display ``event`` (from :meth:`begin`) and queue it for upload."""
        with self._transaction():
            final = self._chained({**event, "duration_ms": duration_ms, "outcome": outcome})
            self._db.execute("DELETE FROM showing WHERE id = ?", (event["id"],))
            self._insert("events", final)
        return final

    def _chain_older_events(self) -> None:
        """Link events a player from before screens signed their record left in the queue onto
        the chain, in order, so the chain starts with them (the controller refuses them as plays,
        for want of a playlist ETag, and keeps them)."""
        with self._transaction():
            if self._db.execute("SELECT 1 FROM meta WHERE key = 'chain'").fetchone():
                return
            rows = self._db.execute("SELECT seq, body FROM events ORDER BY seq").fetchall()
            for seq, body in rows:
                event = json.loads(body)
                if "prev" not in event:
                    linked = self._chained(event)
                    self._db.execute(
                        "UPDATE events SET body = ? WHERE seq = ?",
                        (json.dumps(linked, ensure_ascii=False), seq),
                    )

    def _recover(self) -> int:
        """Queue the displays a player that died left open, as they stand; return how many."""
        with self._transaction():
            rows = self._db.execute("SELECT body FROM showing ORDER BY seq").fetchall()
            for (body,) in rows:
                self._insert("events", self._chained(json.loads(body)))
            self._db.execute("DELETE FROM showing")
        return len(rows)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _numbered(self, event: Mapping[str, Any]) -> DisplayEvent:
        """``event`` with a new id and the next sequence number (inside a transaction)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        seq = int(row[0]) + 1 if row else 1
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seq', ?)", (str(seq),))
        return cast(DisplayEvent, {**event, "id": str(uuid.uuid4()), "seq": seq})

    def _chained(self, event: Mapping[str, Any]) -> DisplayEvent:
        """``event`` linked onto the chain's head, which it becomes (inside a transaction)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'chain'").fetchone()
        prev = json.loads(row[0])["hash"] if row else GENESIS
        linked = cast(DisplayEvent, {**event, "prev": prev})
        head = json.dumps({"seq": linked["seq"], "hash": event_hash(linked)})
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('chain', ?)", (head,))
        return linked

    def dead_letter_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM dead_letters").fetchone()[0])

    def _insert(self, table: Literal["events", "showing"], event: DisplayEvent) -> None:
        self._db.execute(
            f"INSERT INTO {table} (seq, id, body) VALUES (?, ?, ?)",
            (event["seq"], event["id"], json.dumps(event, ensure_ascii=False)),
        )

    def pending(self, limit: int = 500) -> list[DisplayEvent]:
        """The oldest displays waiting for upload, as the controller takes them."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM events ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [cast(DisplayEvent, json.loads(r[0])) for r in rows]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM events").fetchone()[0])

    def settle(self, answer: EventsAnswer, *, now_iso: str) -> tuple[int, int]:
        """Apply the controller's answer to a batch; return (removed, dead-lettered)."""
        done = [*answer.get("accepted", []), *answer.get("duplicates", [])]
        rejected = {r.get("id"): r.get("reason", "") for r in answer.get("rejected", [])}
        with self._transaction():
            removed = 0
            for event_id in done:
                removed += self._db.execute("DELETE FROM events WHERE id = ?", (event_id,)).rowcount
            for event_id, reason in rejected.items():
                row = self._db.execute(
                    "SELECT seq, body FROM events WHERE id = ?", (event_id,)
                ).fetchone()
                if row is None:
                    continue
                self._db.execute(
                    "INSERT OR REPLACE INTO dead_letters (seq, id, body, reason, rejected_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (row[0], event_id, row[1], reason, now_iso),
                )
                self._db.execute("DELETE FROM events WHERE id = ?", (event_id,))
        return removed, len(rejected)

    def dead_letters(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT body, reason FROM dead_letters ORDER BY seq").fetchall()
        return [{**json.loads(b), "reason": r} for b, r in rows]

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
