"""What a screen's days measure: the time it was monitored and offline, within its opening
hours and in all, from its heartbeats and outages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists.intervals import Interval, intersect, normalise, weekly_intervals
from signage.health.models import ScreenOutage, ScreenStatus
from signage.screens.models import Screen


def seconds(intervals: Iterable[Interval]) -> int:
    return round(sum((e - s).total_seconds() for s, e in intervals))


@dataclass(frozen=True)
class UptimeFigures:
    """Seconds of one day: monitored, offline, and the same within opening hours."""

    monitored_s: int = 0
    offline_s: int = 0
    open_s: int = 0
    open_offline_s: int = 0

    @property
    def up_s(self) -> int:
        return self.monitored_s - self.offline_s

    @property
    def open_up_s(self) -> int:
        return self.open_s - self.open_offline_s

    @property
    def uptime(self) -> float | None:
        """Share of the monitored time the screen was up (None if it was not monitored)."""
        return self.up_s / self.monitored_s if self.monitored_s else None

    @property
    def open_uptime(self) -> float | None:
        return self.open_up_s / self.open_s if self.open_s else None


@dataclass(frozen=True)
class ScreenWatch:
    """What uptime needs to know of a screen."""

    id: int
    hours: str | None
    timezone: str
    # From the first heartbeat on (None: never heard from, so never monitored).
    monitored_from: dt.datetime | None


def watched_screens(session: Session, screen_ids: Iterable[int] | None = None) -> list[ScreenWatch]:
    query = (
        sa.select(
            Screen.id,
            Screen.hours,
            Screen.timezone,
            Screen.created_at,
            ScreenStatus.screen_id,
            ScreenStatus.first_seen_at,
        )
        .outerjoin(ScreenStatus, ScreenStatus.screen_id == Screen.id)
        .order_by(Screen.id)
    )
    if screen_ids is not None:
        query = query.where(Screen.id.in_(list(screen_ids)))
    watches = []
    for sid, hours, timezone, created_at, status_id, first_seen_at in session.execute(query):
        # Screens heard from before first_seen_at was recorded count from their registration.
        since = None if status_id is None else (first_seen_at or created_at)
        watches.append(ScreenWatch(sid, hours, timezone, since))
    return watches


def outages_between(
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    screen_ids: Iterable[int] | None = None,
) -> dict[int, list[tuple[dt.datetime, dt.datetime | None]]]:
    """Return each screen's outages that overlap ``[start, end)`` (open ones end None)."""
    query = sa.select(ScreenOutage.screen_id, ScreenOutage.started_at, ScreenOutage.ended_at).where(
        ScreenOutage.started_at < end,
        sa.or_(ScreenOutage.ended_at.is_(None), ScreenOutage.ended_at > start),
    )
    if screen_ids is not None:
        query = query.where(ScreenOutage.screen_id.in_(list(screen_ids)))
    found: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = {}
    for sid, started, ended in session.execute(query.order_by(ScreenOutage.started_at)):
        found.setdefault(sid, []).append((started, ended))
    return found


def uptime_figures(
    watch: ScreenWatch,
    start: dt.datetime,
    end: dt.datetime,
    outages: Sequence[tuple[dt.datetime, dt.datetime | None]],
    now: dt.datetime,
) -> UptimeFigures:
    """Uptime of a screen over ``[start, end)``, counting only what has passed by ``now``."""
    if watch.monitored_from is None:
        return UptimeFigures()
    a, b = max(start, watch.monitored_from), min(end, now)
    if a >= b:
        return UptimeFigures()
    monitored = ((a, b),)
    offline = normalise((max(s, a), min(e or b, b)) for s, e in outages)
    opening = weekly_intervals(watch.hours, watch.timezone, a, b) if watch.hours else monitored
    return UptimeFigures(
        monitored_s=seconds(monitored),
        offline_s=seconds(offline),
        open_s=seconds(opening),
        open_offline_s=seconds(intersect(opening, offline)),
    )
