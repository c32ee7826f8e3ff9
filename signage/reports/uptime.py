"""Screen uptime: per screen and local day, the time monitored and offline, within opening hours
and in all (at most a year at a time)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.accounts.permissions import SUPERVISING, require_role
from signage.errors import InvalidInput, NotFound
from signage.health.models import ScreenStatus
from signage.reports.measures import UptimeFigures
from signage.reports.totals import uptime_cells
from signage.screens.models import Screen
from signage.times import days_between, local_date

MAX_UPTIME_DAYS = 366


@dataclass(frozen=True)
class UptimeDay:
    day: dt.date
    figures: UptimeFigures
    partial: bool  # today, counted up to now


@dataclass(frozen=True)
class ScreenUptime:
    screen: str
    name: str
    status: str  # online, offline or never seen (now, from its heartbeats)
    last_seen_at: dt.datetime | None
    days: tuple[UptimeDay, ...]
    total: UptimeFigures


@dataclass(frozen=True)
class UptimeReport:
    first_day: dt.date
    last_day: dt.date
    timezone: str
    screens: tuple[ScreenUptime, ...]
    generated_at: dt.datetime


def _sum(figures: Sequence[UptimeFigures]) -> UptimeFigures:
    return UptimeFigures(
        monitored_s=sum(f.monitored_s for f in figures),
        offline_s=sum(f.offline_s for f in figures),
        open_s=sum(f.open_s for f in figures),
        open_offline_s=sum(f.open_offline_s for f in figures),
    )


def uptime_report(
    session: Session,
    actor: User | None,
    first_day: dt.date,
    last_day: dt.date,
    *,
    now: dt.datetime,
    timezone: str,
    screen: str | None = None,
) -> UptimeReport:
    """Uptime of every screen (or one) per local day from ``first_day`` through ``last_day``."""
    if actor is not None:
        require_role(actor, *SUPERVISING)
    today = local_date(now, zoneinfo.ZoneInfo(timezone))
    if last_day < first_day:
        raise InvalidInput("to must not be before from", field="to")
    if last_day > today:
        raise InvalidInput("to must not be after today (%(today)s)", today=today, field="to")
    if (last_day - first_day).days + 1 > MAX_UPTIME_DAYS:
        raise InvalidInput(
            "a report covers at most %(max_uptime_days)s days",
            max_uptime_days=MAX_UPTIME_DAYS,
            field="from",
        )
    query = sa.select(Screen).order_by(Screen.key)
    if screen is not None:
        query = query.where(Screen.key == screen)
    screens = session.scalars(query).all()
    if screen is not None and not screens:
        raise NotFound("no screen %(screen)s", screen=repr(screen))
    ids = [s.id for s in screens]
    cells = uptime_cells(session, first_day, last_day, timezone=timezone, now=now, screen_ids=ids)
    statuses = {
        s.screen_id: s
        for s in session.scalars(sa.select(ScreenStatus).where(ScreenStatus.screen_id.in_(ids)))
    }
    days = days_between(first_day, last_day)
    out = []
    for s in screens:
        status = statuses.get(s.id)
        per_day = tuple(
            UptimeDay(day, cells.get((day, s.id), UptimeFigures()), day == today) for day in days
        )
        out.append(
            ScreenUptime(
                screen=s.key,
                name=s.name,
                status="never seen"
                if status is None
                else ("online" if status.online else "offline"),
                last_seen_at=status.last_seen_at if status else None,
                days=per_day,
                total=_sum([d.figures for d in per_day]),
            )
        )
    return UptimeReport(first_day, last_day, timezone, tuple(out), now)
