"""The thread that keeps a serving process's playlists compiled before screens ask.

``signage serve`` starts one per process (:func:`start_warming`). It looks at the playlist epoch
every ``SIGNAGE_PLAYLIST_CHECK_S`` (and at once after a change committed in this process), and
compiles, in batches, what changed; at start it compiles every screen, and at the top of each
hour every screen it holds. A poll then finds its playlist compiled (and signed) and is answered
from memory; one that comes first compiles its own screen from the live notices already read,
so a poll never waits for more than one screen's compile and one read of the notices.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from playlists.compile import horizon_start
from signage.delivery.cache import PlaylistCache

log = logging.getLogger(__name__)


class Warmer:
    def __init__(self, cache: PlaylistCache, now: Callable[[], dt.datetime]) -> None:
        self._cache = cache
        self._now = now
        self._wanted: set[int] | None = None  # None: every screen
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = False
        self._hour: dt.datetime | None = None
        self._thread = threading.Thread(target=self._run, name="playlist-warmer", daemon=True)

    def start(self) -> None:
        self._cache.background = self.want
        self._thread.start()

    def stop(self) -> None:
        self._stopped = True
        self._cache.background = None
        self._wake.set()
        self._thread.join(timeout=10)

    def want(self, screen_ids: set[int] | None) -> None:
        """Ask for these screens (None: all; empty: none, only a look at the epoch)."""
        with self._lock:
            if screen_ids is None or self._wanted is None:
                self._wanted = None
            else:
                self._wanted |= screen_ids
        self._wake.set()

    def _take(self) -> set[int] | None:
        with self._lock:
            wanted, self._wanted = self._wanted, set()
            return wanted

    def _run(self) -> None:
        while not self._stopped:
            try:
                self._round()
            except Exception:  # a database away for a moment: try again at the next look
                log.exception("compiling playlists in the background failed")
                time.sleep(self._cache.check_interval_s)
            self._wake.wait(self._cache.check_interval_s)
            self._wake.clear()

    def _round(self) -> None:
        self._cache.sync()
        now = self._now()
        hour = horizon_start(now)
        if hour != self._hour:  # at start (every screen), then each hour (those held)
            self.want(None if self._hour is None else self._cache.cached_screens())
            self._hour = hour
        wanted = self._take()
        if wanted is None or wanted:
            started = time.perf_counter()
            count, complete = self._cache.warm(wanted, now)
            if not complete:  # a change came meanwhile: the rest next time
                self.want(wanted)
            if count:
                log.info("compiled %d playlists in %.2f s", count, time.perf_counter() - started)


def start_warming(cache: PlaylistCache, now: Callable[[], dt.datetime]) -> Warmer:
    """Start the background compiler of ``cache``'s process and return it."""
    warmer = Warmer(cache, now)
    warmer.start()
    return warmer
