"""Read the roll-ups back exactly: play counts and uptime over a range of days.

Rolled-up days come from their rows, the events stored since the job's last run and the days not
yet rolled up from the raw log, so the figures always equal counts taken from the raw log (see
:mod:`signage.reports.rollups`). A read is repeated if the job committed while it ran.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.displaylog.chains import display_heads
from signage.displaylog.models import DisplayEvent
from signage.displaylog.plays import count_columns
from signage.errors import Conflict
from signage.reports.measures import UptimeFigures, outages_between, uptime_figures, watched_screens
from signage.reports.models import DailyPlay, DailyUptime
from signage.reports.rollups import RollupState, read_state, rollup_marks, stale_uptime
from signage.times import day_bounds, days_between

T = TypeVar("T")


def _consistently(session: Session, timezone: str, read: Callable[[RollupState], T]) -> T:
    """Run ``read`` against one state of the roll-ups: again if the job committed meanwhile."""
    for _ in range(5):
        state = read_state(session, timezone)
        found = read(state)
        if read_state(session, timezone).version == state.version:
            return found
    raise Conflict("the daily roll-up job kept changing the figures while they were read; retry")


def rolled_through(session: Session, timezone: str) -> dt.date | None:
    """Return the last rolled-up day (None: nothing is rolled up yet)."""
    return read_state(session, timezone).rolled_through


@dataclass(frozen=True)
class PlayTotal:
    """Display events of one screen, notice and category over a range of days, counted."""

    screen_id: int
    notice_id: int
    category: str
    plays: int
    interrupted: int
    errors: int
    shown_ms: int


def _event_columns() -> list[Any]:
    e = DisplayEvent
    return [
        e.screen_id.label("screen_id"),
        e.notice_id.label("notice_id"),
        e.category.label("category"),
        *(count.label(name) for name, count in count_columns()),
    ]


def play_totals(
    session: Session, first_day: dt.date, last_day: dt.date, *, timezone: str
) -> list[PlayTotal]:
    """Count display events per (screen, notice, category) over local days ``first_day`` through
    ``last_day``: roll-ups for rolled-up days, raw events for the rest (see the module doc)."""
    zone = zoneinfo.ZoneInfo(timezone)
    range_start = day_bounds(first_day, zone)[0]
    range_end = day_bounds(last_day, zone)[1]
    e = DisplayEvent

    def read(state: RollupState) -> list[PlayTotal]:
        parts: list[Any] = []  # selects of the same columns, to be joined by UNION ALL
        raw_start = range_start
        if state.rolled_through is not None and state.rolled_until is not None:
            if first_day <= state.rolled_through:
                d = DailyPlay
                parts.append(
                    sa.select(
                        d.screen_id.label("screen_id"),
                        d.notice_id.label("notice_id"),
                        d.category.label("category"),
                        d.plays.label("plays"),
                        d.interrupted.label("interrupted"),
                        d.errors.label("errors"),
                        d.shown_ms.label("shown_ms"),
                    ).where(d.day >= first_day, d.day <= min(last_day, state.rolled_through))
                )
                tail_end = min(range_end, state.rolled_until)
                marks = rollup_marks(session)
                for sid, head in sorted(display_heads(session).items()):
                    mark = marks.get(sid, 0)
                    if head > mark:  # stored since the job's last run: not in the rows yet
                        parts.append(
                            sa.select(*_event_columns()).where(
                                e.screen_id == sid,
                                e.chain_seq > mark,
                                e.started_at >= range_start,
                                e.started_at < tail_end,
                            )
                        )
            raw_start = max(range_start, state.rolled_until)
        if raw_start < range_end:
            parts.append(
                sa.select(*_event_columns()).where(
                    e.started_at >= raw_start, e.started_at < range_end
                )
            )
        if not parts:
            return []
        u = (parts[0].union_all(*parts[1:]) if len(parts) > 1 else parts[0]).subquery()
        rows = session.execute(
            sa.select(
                u.c.screen_id,
                u.c.notice_id,
                u.c.category,
                sa.func.sum(u.c.plays),
                sa.func.sum(u.c.interrupted),
                sa.func.sum(u.c.errors),
                sa.func.sum(u.c.shown_ms),
            )
            .group_by(u.c.screen_id, u.c.notice_id, u.c.category)
            .order_by(u.c.screen_id, u.c.notice_id, u.c.category)
        )
        return [
            PlayTotal(sid, nid, cat, int(p), int(i), int(err), int(ms))
            for sid, nid, cat, p, i, err, ms in rows
        ]

    return _consistently(session, timezone, read)


def uptime_cells(
    session: Session,
    first_day: dt.date,
    last_day: dt.date,
    *,
    timezone: str,
    now: dt.datetime,
    screen_ids: Sequence[int] | None = None,
) -> dict[tuple[dt.date, int], UptimeFigures]:
    """Uptime per (day, screen) over local days ``first_day`` through ``last_day``: roll-ups for
    rolled-up days, computed from outages for the rest and for days touched by outages found
    since the job's last run. Days a screen was not monitored are left out."""
    zone = zoneinfo.ZoneInfo(timezone)

    def read(state: RollupState) -> dict[tuple[dt.date, int], UptimeFigures]:
        cells: dict[tuple[dt.date, int], UptimeFigures] = {}
        live: set[dt.date] = set(days_between(first_day, last_day))
        stale: set[tuple[dt.date, int]] = set()
        if state.rolled_through is not None and first_day <= state.rolled_through:
            u = DailyUptime
            query = sa.select(
                u.day, u.screen_id, u.monitored_s, u.offline_s, u.open_s, u.open_offline_s
            ).where(u.day >= first_day, u.day <= min(last_day, state.rolled_through))
            if screen_ids is not None:
                query = query.where(u.screen_id.in_(screen_ids))
            for day, sid, *seconds_ in session.execute(query):
                cells[day, sid] = UptimeFigures(*seconds_)
            live = {d for d in live if d > state.rolled_through}
            stale = {
                (day, sid)
                for day, sid in stale_uptime(
                    session, state.outage_mark, None, state, zone, now, first_day
                )
                if day <= last_day and (screen_ids is None or sid in screen_ids)
            }
        if not live and not stale:
            return cells
        days = sorted(live | {day for day, _ in stale})
        span_start = day_bounds(days[0], zone)[0]
        span_end = day_bounds(days[-1], zone)[1]
        outages = outages_between(session, span_start, span_end, screen_ids)
        for watch in watched_screens(session, screen_ids):
            for day in days:
                if day not in live and (day, watch.id) not in stale:
                    continue
                start, end = day_bounds(day, zone)
                figures = uptime_figures(watch, start, end, outages.get(watch.id, []), now)
                if figures.monitored_s:
                    cells[day, watch.id] = figures
                else:
                    cells.pop((day, watch.id), None)
        return cells

    return _consistently(session, timezone, read)
