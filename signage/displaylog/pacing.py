"""Pace the uploads of display events when a whole fleet sends at once.

After a controller outage every screen comes back with its spool full (an hour of 10,000
screens is about 3.6 million events) and its uploader, woken by the first poll that gets an
answer, sends at once. Storing takes the database's one write lock (SQLite) or its row locks,
so letting every upload in together only makes each wait, holds every server thread, and
starves the polls that must keep being answered.

So each serving process stores at most ``SIGNAGE_UPLOADS_AT_ONCE`` uploads at a time (0: no
limit). An upload that finds them all busy waits up to a second, if few already wait;
otherwise it is answered at once, before its body is read or its token looked up, with
``503`` and ``Retry-After``. The seconds given are a place in a queue: each refused upload is
told to come back one service time (the recent mean time an upload takes, divided by the
uploads allowed at once) after the one refused before it, so the uploads come back at the rate
they can be stored, spread out rather than all in the same second. The player waits that long
(plus up to a second of its own jitter) and keeps its events meanwhile: nothing is lost, and
nothing is counted, since nothing was read.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from signage.metrics import count_request

EVENTS_PATH = "/api/v1/player/events"
WAIT_S = 1.0  # how long an upload may wait for its turn before it is told to come back
LONGEST_S = 300  # the longest a refused upload is told to wait (the player's longest backoff)
FIRST_GUESS_S = 0.05  # the service time assumed before any upload was timed

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class UploadGate:
    """At most ``limit`` uploads at once; the others wait briefly or get a time to come back."""

    def __init__(
        self,
        limit: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        wait_s: float = WAIT_S,
        longest_s: int = LONGEST_S,
    ) -> None:
        self.limit = limit
        self.clock = clock
        self.wait_s = wait_s
        self.longest_s = longest_s
        self._slots = threading.Semaphore(limit)
        self._lock = threading.Lock()
        self._waiting = 0
        self._service_s = FIRST_GUESS_S
        self._next_turn = 0.0

    def enter(self) -> bool:
        """Take a place among the uploads being stored (True), or find none (False)."""
        if self._slots.acquire(blocking=False):
            return True
        with self._lock:
            if self._waiting >= self.limit:  # no more threads held waiting than uploads run
                return False
            self._waiting += 1
        try:
            return self._slots.acquire(timeout=self.wait_s)
        finally:
            with self._lock:
                self._waiting -= 1

    def leave(self, took_s: float) -> None:
        """Give the place back after an upload that took ``took_s`` seconds."""
        with self._lock:
            self._service_s = 0.8 * self._service_s + 0.2 * took_s
        self._slots.release()

    def come_back_in(self) -> int:
        """Whole seconds a refused upload should wait: the next free turn in the queue."""
        with self._lock:
            now = self.clock()
            self._next_turn = max(self._next_turn, now) + self._service_s / self.limit
            return max(1, min(self.longest_s, math.ceil(self._next_turn - now)))


class PacedUploads:
    """WSGI middleware: uploads of display events through an :class:`UploadGate`."""

    def __init__(self, app: WSGIApp, gate: UploadGate) -> None:
        self.app = app
        self.gate = gate

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != EVENTS_PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        started = time.perf_counter()
        if not self.gate.enter():
            return self._busy(start_response, started)
        try:
            answer = self.app(environ, start_response)
            try:
                return list(answer)
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()
        finally:
            self.gate.leave(time.perf_counter() - started)

    def _busy(self, start_response: Callable[..., Any], started: float) -> list[bytes]:
        wait = self.gate.come_back_in()
        body = json.dumps(
            {
                "error": {
                    "code": "busy",
                    "message": f"too many uploads at once: send these events again in {wait} s",
                    "details": {"retry_after_s": str(wait)},
                }
            }
        ).encode()
        start_response(
            "503 SERVICE UNAVAILABLE",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Retry-After", str(wait)),
            ],
        )
        count_request(EVENTS_PATH, "POST", 503, time.perf_counter() - started)
        return [body]
