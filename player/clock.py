"""Server time as the player knows it: the local clock plus an offset measured from answers.

The controller's heartbeat answer carries its time in milliseconds; with the request's send and
receive times the offset is ``server - (sent + received) / 2``. The median of the last few
samples is used, so one slow answer does not move the clock. Until the first heartbeat, the
``Date`` header of any answer (whole seconds) gives a rough offset.
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
from collections import deque
from collections.abc import Callable


def _system_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ServerClock:
    def __init__(self, local: Callable[[], dt.datetime] = _system_now, samples: int = 5) -> None:
        self._local = local
        self._samples: deque[float] = deque(maxlen=samples)
        self._rough: float | None = None
        self._lock = threading.Lock()

    def local(self) -> dt.datetime:
        return self._local()

    @property
    def offset_s(self) -> float:
        with self._lock:
            if self._samples:
                return statistics.median(self._samples)
            return self._rough or 0.0

    def now(self) -> dt.datetime:
        """The controller's time now, as well as the player can tell."""
        return self._local() + dt.timedelta(seconds=self.offset_s)

    def observe(self, server_time: dt.datetime, sent: dt.datetime, received: dt.datetime) -> None:
        """Add a precise sample (a server timestamp and when the request went and came back)."""
        midpoint = sent + (received - sent) / 2
        with self._lock:
            self._samples.append((server_time - midpoint).total_seconds())

    def observe_date_header(self, server_time: dt.datetime, received: dt.datetime) -> None:
        """Add a rough sample from an HTTP ``Date`` header, used until a precise one arrives.

        The header is truncated to the second, so half a second is added on average.
        """
        with self._lock:
            self._rough = (server_time - received).total_seconds() + 0.5
