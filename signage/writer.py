"""Group commit: many small writes from many requests, one transaction.

Each of 10,000 screens sends a heartbeat every 30 s, and after a change every one of them is
sent a new playlist, whose sending is recorded: hundreds of tiny writes a second. As one
transaction each they queue on the database's write lock (SQLite has one writer at a time, and
its busy wait sleeps in growing steps), and every request behind them waits. The
:class:`GroupWriter` of each process takes the writes waiting at a moment and does them in one
transaction, then answers each request: a request still answers only after its write is
committed, so nothing a screen sent is acknowledged and then lost.

A write is a function of a session (:meth:`GroupWriter.write`), or an item for a function that
writes many items at once (:meth:`GroupWriter.submit`: the sendings of playlists are recorded
in three statements however many there are). If one write in a batch fails, the batch is
rolled back and each of its writes is done again on its own, so one bad write fails only its
own request (the functions must not mind being run twice: the first run was rolled back).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from signage.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
X = TypeVar("X")
Many = Callable[[Session, list[Any]], list[Any]]
Queued = tuple[Many, Any, "Future[Any]"]
MAX_BATCH = 500
IDLE_S = 10.0  # the writer thread ends after this long with nothing to write
WAIT_S = 60.0  # the longest a request waits for its write


class GroupWriter:
    def __init__(self, database: Database, *, max_batch: int = MAX_BATCH) -> None:
        self._db = database
        self._max = max_batch
        self._queue: queue.SimpleQueue[Queued] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0  # transactions committed (tests, benchmarks)

    def write(self, work: Callable[[Session], T]) -> T:
        """Do ``work(session)`` in the next group transaction; return its result once that has
        committed, or raise what ``work`` (or the commit) raised."""
        result: T = self.submit(_each, work)
        return result

    def submit(self, many: Callable[[Session, list[X]], list[T]], item: X) -> T:
        """Have ``many(session, items)`` write ``item`` with the others given to it that wait,
        in the next group transaction (it returns one result per item); return ``item``'s."""
        future: Future[T] = Future()
        self._queue.put((many, item, future))
        self._ensure_thread()
        return future.result(timeout=WAIT_S)

    def post(self, many: Callable[[Session, list[X]], list[Any]], item: X) -> None:
        """Like :meth:`submit`, without waiting for the commit: for a record nothing later
        depends on being there first (a failure is logged)."""
        future: Future[Any] = Future()
        future.add_done_callback(_log_failure)
        self._queue.put((many, item, future))
        self._ensure_thread()

    def flush(self) -> None:
        """Return once every write queued before the call is committed (or failed)."""
        self.write(lambda session: None)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="group-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_S)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < self._max:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[Queued]) -> None:
        kinds: dict[Many, list[Queued]] = {}
        for queued in batch:
            kinds.setdefault(queued[0], []).append(queued)
        done: list[tuple[Future[Any], Any]] = []
        try:
            with self._db.session() as session:
                for many, queued in kinds.items():
                    results = many(session, [item for _, item, _ in queued])
                    done += zip([f for _, _, f in queued], results, strict=True)
                session.commit()
        except Exception as exc:
            if len(batch) == 1:
                batch[0][2].set_exception(exc)
                return
            for queued in batch:  # one of them failed: each on its own
                self._commit([queued])
            return
        self.batches += 1
        for future, result in done:
            future.set_result(result)


def _log_failure(future: Future[Any]) -> None:
    if future.exception() is not None:
        log.error("a write nobody waited for failed: %s", future.exception())


def _each(session: Session, works: list[Callable[[Session], Any]]) -> list[Any]:
    return [work(session) for work in works]


def get_writer(app: object) -> GroupWriter:
    """Return the app's group writer."""
    writer: GroupWriter = app.extensions["signage.writer"]  # type: ignore[attr-defined]
    return writer
