"""What a display event counts as: the one definition of a play, for Python and for SQL.

* A **play** is a display the player ran to its end (outcome ``shown``): what the yearly counts
  and the compliance evidence count.
* An **interruption** (``interrupted``) was on the panel but cut short; an **error** never
  reached the panel.
* **Time on the panel** is the duration of every display that reached it (shown or
  interrupted); such a display also covers the screen in the compliance evidence's gaps.

:class:`PlayCounts` adds events up in Python (the roll-up job's late events, the compliance
evidence); :func:`count_columns` gives the same sums as SQL expressions (the roll-ups and the
reports' reads of the raw log). Both come from :data:`COUNTERS`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from playlists import Outcome
from signage.displaylog.models import DisplayEvent

# Outcomes whose display reached the panel.
ON_PANEL = frozenset({Outcome.SHOWN, Outcome.INTERRUPTED})

# Each counter: the outcomes it counts, and whether it sums their durations (else counts them).
COUNTERS: dict[str, tuple[frozenset[str], bool]] = {
    "plays": (frozenset({Outcome.SHOWN}), False),
    "interrupted": (frozenset({Outcome.INTERRUPTED}), False),
    "errors": (frozenset({Outcome.ERROR}), False),
    "shown_ms": (ON_PANEL, True),
}


def is_play(outcome: str) -> bool:
    """Whether a display with ``outcome`` is a play."""
    return outcome in COUNTERS["plays"][0]


def on_panel(outcome: str) -> bool:
    """Whether a display with ``outcome`` reached the panel."""
    return outcome in ON_PANEL


def plays_only() -> sa.ColumnElement[bool]:
    """SQL condition: the event is a play."""
    return DisplayEvent.outcome.in_(sorted(COUNTERS["plays"][0]))


def count_columns() -> list[tuple[str, sa.ColumnElement[Any]]]:
    """Per counter, what one event adds to it, as SQL (sum these over a group of events)."""
    e = DisplayEvent
    return [
        (name, sa.case((e.outcome.in_(sorted(outcomes)), e.duration_ms if timed else 1), else_=0))
        for name, (outcomes, timed) in COUNTERS.items()
    ]


@dataclass
class PlayCounts:
    """Events added up by :data:`COUNTERS`, with the first and last start among them."""

    plays: int = 0
    interrupted: int = 0
    errors: int = 0
    shown_ms: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None

    def add(self, started_at: dt.datetime, outcome: str, duration_ms: int) -> None:
        for name, (outcomes, timed) in COUNTERS.items():
            if outcome in outcomes:
                setattr(self, name, getattr(self, name) + (duration_ms if timed else 1))
        self.first = started_at if self.first is None else min(self.first, started_at)
        self.last = started_at if self.last is None else max(self.last, started_at)
