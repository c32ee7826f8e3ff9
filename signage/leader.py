"""One scheduler for the whole deployment: the process holding the leader lock runs it.

Every serving process (each worker, on every host) starts :func:`run_when_leader`, which tries
the lock every few seconds. On PostgreSQL the lock is a session advisory lock, held on a
connection of its own for as long as the process lives, so one process in the whole cluster
holds it; on SQLite (one host) it is an ``flock`` on a file beside the data. A process that dies
loses the lock with its connection or its file descriptor, whatever killed it, and another
takes it over at its next try. The jobs stay safe if two ever overlap (each takes its own lock
and is idempotent: :mod:`signage.jobs`); the lock makes the schedule run once, not twice.
"""

from __future__ import annotations

import logging
import os
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

log = logging.getLogger(__name__)

LOCK_KEY = zlib.crc32(b"signage.scheduler.leader")
RETRY_S = 3.0
# The locks this process holds, for as long as it lives. Nothing else need keep a lock once
# the scheduler has started; without this reference the lock's connection would be collected,
# go back to the pool, be closed there, and free the lock for a second leader.
_HELD: list[LeaderLock] = []


class LeaderLock:
    """The lock, tried without waiting; held once taken until the process ends."""

    def __init__(self, engine: sa.Engine, lock_file: Path) -> None:
        self._engine = engine
        self._file = lock_file
        self._held: object | None = None

    @property
    def held(self) -> bool:
        return self._held is not None

    def try_take(self) -> bool:
        if self._held is not None:
            return True
        if self._engine.dialect.name == "postgresql":
            connection = self._engine.connect()
            try:
                got = connection.scalar(sa.select(sa.func.pg_try_advisory_lock(LOCK_KEY)))
                connection.commit()  # the lock is the session's: it outlives the transaction
            except Exception:
                connection.close()
                raise
            if not got:
                connection.close()
                return False
            connection.detach()  # never back to the pool: closed only with the process
            self._held = connection
            _HELD.append(self)
            return True
        import fcntl  # POSIX; on Windows one process serves and holds no other lock

        self._file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._held = fd
        _HELD.append(self)
        return True


def run_when_leader(
    lock: LeaderLock, start: Callable[[], object], *, retry_s: float = RETRY_S
) -> threading.Thread:
    """Call ``start()`` once this process holds ``lock``; try every ``retry_s`` until then, in a
    background thread (returned)."""

    def wait_for_it() -> None:
        while True:
            try:
                if lock.try_take():
                    log.info("this process (pid %d) runs the housekeeping jobs", os.getpid())
                    start()
                    return
            except Exception:  # the database away for a moment: try again
                log.exception("could not try the scheduler's lock")
            threading.Event().wait(retry_s)

    thread = threading.Thread(target=wait_for_it, name="scheduler-leader", daemon=True)
    thread.start()
    return thread
