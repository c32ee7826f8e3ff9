"""Daily roll-ups of the display log and of screen uptime, and reading them back exactly.

The roll-up job (:func:`roll_up`, scheduled by :mod:`signage.reports.tasks`) counts every
complete local day (in ``SIGNAGE_TIMEZONE``) not yet rolled up, oldest first, so it catches up
by itself after downtime: per (day, screen, notice, category) the plays, interruptions, errors,
time on the panel and first and last start (:class:`DailyPlay`), and per (day, screen) the time
monitored and offline (:class:`DailyUptime`). Days up to ``RollupProgress.rolled_through`` are
rolled up.

Late events. A player that was offline uploads its spool days later, so events keep arriving
for days already rolled up. Each screen's display log is a chain in which every event takes the
next place (``chain_seq``) inside the transaction that stores it, under a lock on the chain's
head, so a screen's events become visible strictly in chain order. The job keeps, per screen,
the place up to which events are counted (:class:`RollupMark`) and keeps this invariant:

    the rows of a rolled-up day count exactly the events of that day whose place is at or
    below their screen's mark.

Each run reads the chain heads first, adds the events between the old mark and the head that
belong to rolled-up days into those days' rows (so a late event costs the job one event, not a
day's recount), then moves the marks to the heads; a newly rolled day counts the events at or
below the new marks. An event stored while the job runs lies above the head the job read and is
picked up by the next run, exactly once.

Reports (:mod:`signage.reports.totals`) read the rows of rolled-up days, the few events above
the marks (stored since the last run) and the raw log only for the days not yet rolled up
(today), so their figures equal counts taken from the raw log at any moment. They read the job's
version before and after and read again if the job committed meanwhile.

Outages found late (a screen's outage opens from its last heartbeat, minutes or, with the
controller down, days before it is detected) are handled the same way: outages above the job's
``outage_mark`` make the days they touch be recomputed, and reports compute those days live
until then.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.displaylog.chains import display_heads
from signage.displaylog.models import DisplayEvent
from signage.displaylog.plays import COUNTERS, PlayCounts, count_columns
from signage.errors import InvalidInput
from signage.health.models import ScreenOutage, ScreenStatus
from signage.reports.measures import outages_between, uptime_figures, watched_screens
from signage.reports.models import DailyPlay, DailyUptime, RollupMark, RollupProgress
from signage.screens.models import Screen
from signage.times import day_bounds, days_between, local_date

# Catching up commits a week at a time: on SQLite a roll-up holds the one write lock, which
# ingest waits for, so no transaction may run long.
DAYS_PER_TRANSACTION = 7
PROGRESS_ID = 1


@dataclass
class RollupResult:
    """What one run of :func:`roll_up` did."""

    rolled: list[dt.date] = field(default_factory=list)
    recomputed: list[dt.date] = field(default_factory=list)
    late_events: int = 0
    late_days: list[dt.date] = field(default_factory=list)
    uptime_refreshed: int = 0  # (day, screen) pairs recomputed for outages found late
    rolled_through: dt.date | None = None
    caught_up: bool = True


def _progress(session: Session, timezone: str, now: dt.datetime) -> RollupProgress:
    # Take the job's lock before reading anything else: a write to the progress row holds
    # SQLite's write lock (PostgreSQL: the row's lock) until the commit. Two runs at once (the
    # server's scheduler and ``signage report rollup``) would otherwise both read the same marks
    # and count the same late events twice. The row is then read afresh, not from the session.
    session.execute(
        sa.update(RollupProgress)
        .where(RollupProgress.id == PROGRESS_ID)
        .values(version=RollupProgress.version)
    )
    progress = session.get(
        RollupProgress, PROGRESS_ID, with_for_update=True, populate_existing=True
    )
    if progress is None:
        progress = RollupProgress(
            id=PROGRESS_ID, timezone=timezone, outage_mark=0, version=0, updated_at=now
        )
        session.add(progress)
        session.flush()
    elif progress.timezone != timezone:
        # Days are local days: rolled in another zone they count different hours. Start over.
        for model in (DailyPlay, DailyUptime, RollupMark):
            session.execute(sa.delete(model))
        progress.timezone = timezone
        progress.rolled_through = None
        progress.rolled_until = None
        progress.outage_mark = 0
        progress.version += 1
        session.flush()
    return progress


def rollup_marks(session: Session) -> dict[int, int]:
    rows = session.execute(sa.select(RollupMark.screen_id, RollupMark.chain_seq))
    return {screen_id: chain_seq for screen_id, chain_seq in rows}


def _first_day(session: Session, zone: zoneinfo.ZoneInfo) -> dt.date | None:
    # Before the first of these there is nothing to count.
    firsts = [
        session.scalar(sa.select(sa.func.min(Screen.created_at))),
        session.scalar(sa.select(sa.func.min(ScreenStatus.first_seen_at))),
        session.scalar(sa.select(sa.func.min(ScreenOutage.started_at))),
        session.scalar(sa.select(sa.func.min(DisplayEvent.started_at))),
    ]
    known = [local_date(f, zone) for f in firsts if f is not None]
    return min(known) if known else None


def _add_late_events(
    session: Session,
    progress: RollupProgress,
    heads: dict[int, int],
    marks: dict[int, int],
    zone: zoneinfo.ZoneInfo,
    result: RollupResult,
) -> None:
    """Count events stored since the last run that belong to rolled-up days into their rows."""
    if progress.rolled_until is None:
        return
    e = DisplayEvent
    counts: dict[tuple[dt.date, int, int, str], PlayCounts] = {}
    for sid, head in heads.items():
        mark = marks.get(sid, 0)
        if head <= mark:
            continue
        late = session.execute(
            sa.select(e.started_at, e.notice_id, e.category, e.outcome, e.duration_ms).where(
                e.screen_id == sid,
                e.chain_seq > mark,
                e.chain_seq <= head,
                e.started_at < progress.rolled_until,
            )
        )
        for started_at, notice_id, category, outcome, duration_ms in late:
            key = (local_date(started_at, zone), sid, notice_id, category)
            counts.setdefault(key, PlayCounts()).add(started_at, outcome, duration_ms)
            result.late_events += 1
    for (day, sid, notice_id, category), c in sorted(counts.items()):
        assert c.first is not None and c.last is not None
        row = session.get(DailyPlay, (day, sid, notice_id, category))
        if row is None:
            session.add(
                DailyPlay(
                    day=day,
                    screen_id=sid,
                    notice_id=notice_id,
                    category=category,
                    plays=c.plays,
                    interrupted=c.interrupted,
                    errors=c.errors,
                    shown_ms=c.shown_ms,
                    first_start=c.first,
                    last_start=c.last,
                )
            )
        else:
            row.plays += c.plays
            row.interrupted += c.interrupted
            row.errors += c.errors
            row.shown_ms += c.shown_ms
            row.first_start = min(row.first_start, c.first)
            row.last_start = max(row.last_start, c.last)
    result.late_days = sorted({key[0] for key in counts})


def _move_marks(session: Session, heads: dict[int, int], marks: dict[int, int]) -> None:
    for sid, head in heads.items():
        if sid not in marks:
            session.add(RollupMark(screen_id=sid, chain_seq=head))
        elif marks[sid] != head:
            session.execute(
                sa.update(RollupMark).where(RollupMark.screen_id == sid).values(chain_seq=head)
            )
    session.flush()


def _event_counts() -> list[Any]:
    e = DisplayEvent
    return [sa.func.sum(count) for _, count in count_columns()] + [
        sa.func.min(e.started_at),
        sa.func.max(e.started_at),
    ]


def _roll_plays(session: Session, day: dt.date, zone: zoneinfo.ZoneInfo) -> None:
    """(Re)count one day's rows from the events at or below the marks."""
    start, end = day_bounds(day, zone)
    e = DisplayEvent
    session.execute(sa.delete(DailyPlay).where(DailyPlay.day == day))
    rows = session.execute(
        sa.select(e.screen_id, e.notice_id, e.category, *_event_counts())
        .join(RollupMark, RollupMark.screen_id == e.screen_id)
        .where(e.started_at >= start, e.started_at < end, e.chain_seq <= RollupMark.chain_seq)
        .group_by(e.screen_id, e.notice_id, e.category)
    ).all()
    names = ("screen_id", "notice_id", "category", *COUNTERS)
    values = []
    for row in rows:
        value: dict[str, Any] = {"day": day, "first_start": row[-2], "last_start": row[-1]}
        for name, number in zip(names, row[:-2], strict=True):
            value[name] = number if name == "category" else int(number)
        values.append(value)
    if values:
        session.execute(sa.insert(DailyPlay), values)


def _roll_uptime(
    session: Session,
    day: dt.date,
    zone: zoneinfo.ZoneInfo,
    now: dt.datetime,
    screen_ids: set[int] | None = None,
) -> None:
    """(Re)compute one day's uptime rows, of every screen or of ``screen_ids``."""
    start, end = day_bounds(day, zone)
    delete = sa.delete(DailyUptime).where(DailyUptime.day == day)
    if screen_ids is not None:
        delete = delete.where(DailyUptime.screen_id.in_(screen_ids))
    session.execute(delete)
    outages = outages_between(session, start, end, screen_ids)
    rows = []
    for watch in watched_screens(session, screen_ids):
        figures = uptime_figures(watch, start, end, outages.get(watch.id, []), now)
        if figures.monitored_s:
            rows.append(
                {
                    "day": day,
                    "screen_id": watch.id,
                    "monitored_s": figures.monitored_s,
                    "offline_s": figures.offline_s,
                    "open_s": figures.open_s,
                    "open_offline_s": figures.open_offline_s,
                }
            )
    if rows:
        session.execute(sa.insert(DailyUptime), rows)


def _refresh_late_outages(
    session: Session,
    progress: RollupProgress,
    zone: zoneinfo.ZoneInfo,
    now: dt.datetime,
    result: RollupResult,
) -> None:
    """Recompute the rolled-up days touched by outages found since the last run."""
    newest = session.scalar(sa.select(sa.func.max(ScreenOutage.id))) or 0
    if progress.rolled_through is not None and progress.rolled_until is not None:
        stale = stale_uptime(session, progress.outage_mark, newest, progress, zone, now)
        by_day: dict[dt.date, set[int]] = {}
        for day, sid in stale:
            by_day.setdefault(day, set()).add(sid)
        for day, sids in sorted(by_day.items()):
            _roll_uptime(session, day, zone, now, sids)
        result.uptime_refreshed = len(stale)
    progress.outage_mark = newest


def stale_uptime(
    session: Session,
    after_id: int,
    through_id: int | None,
    progress: RollupProgress | RollupState,
    zone: zoneinfo.ZoneInfo,
    now: dt.datetime,
    first_day: dt.date | None = None,
) -> set[tuple[dt.date, int]]:
    """Return the rolled-up (day, screen) pairs touched by outages with ids above ``after_id``."""
    if progress.rolled_through is None or progress.rolled_until is None:
        return set()
    query = sa.select(ScreenOutage.screen_id, ScreenOutage.started_at, ScreenOutage.ended_at).where(
        ScreenOutage.id > after_id, ScreenOutage.started_at < progress.rolled_until
    )
    if through_id is not None:
        query = query.where(ScreenOutage.id <= through_id)
    stale = set()
    for sid, started, ended in session.execute(query):
        last_instant = min(ended or now, progress.rolled_until)
        first = local_date(started, zone)
        if first_day is not None:
            first = max(first, first_day)
        last = min(
            local_date(last_instant - dt.timedelta(microseconds=1), zone), progress.rolled_through
        )
        for day in days_between(first, last) if first <= last else ():
            stale.add((day, sid))
    return stale


def roll_up(
    session: Session,
    *,
    now: dt.datetime,
    timezone: str,
    recompute: Sequence[dt.date] = (),
    max_days: int = DAYS_PER_TRANSACTION,
) -> RollupResult:
    """Roll up complete days not yet rolled up (at most ``max_days``), count late events and
    outages into the days they belong to, and recompute the days in ``recompute``.

    Idempotent: a second run with nothing new changes nothing but the bookkeeping.
    """
    zone = zoneinfo.ZoneInfo(timezone)
    today = local_date(now, zone)
    for day in recompute:
        if day >= today:
            raise InvalidInput("%(day)s is not over yet; only complete days are rolled up", day=day)
    result = RollupResult()
    progress = _progress(session, timezone, now)
    heads = display_heads(session)
    marks = rollup_marks(session)
    _add_late_events(session, progress, heads, marks, zone, result)
    _move_marks(session, heads, marks)
    _refresh_late_outages(session, progress, zone, now, result)

    yesterday = today - dt.timedelta(days=1)
    if progress.rolled_through is not None:
        first = progress.rolled_through + dt.timedelta(days=1)
    else:
        first = _first_day(session, zone) or today
    last = min(yesterday, first + dt.timedelta(days=max_days - 1))
    for day in days_between(first, last) if first <= last else ():
        _roll_plays(session, day, zone)
        _roll_uptime(session, day, zone, now)
        result.rolled.append(day)
    if result.rolled:
        progress.rolled_through = result.rolled[-1]
    elif progress.rolled_through is None:  # nothing happened before today: nothing to count
        progress.rolled_through = yesterday
    progress.rolled_until = day_bounds(progress.rolled_through, zone)[1]
    for day in sorted(set(recompute)):
        if day <= progress.rolled_through:
            _roll_plays(session, day, zone)
            _roll_uptime(session, day, zone, now)
            result.recomputed.append(day)
    progress.version += 1
    progress.updated_at = now
    session.flush()
    result.rolled_through = progress.rolled_through
    result.caught_up = progress.rolled_through >= yesterday
    return result


@dataclass(frozen=True)
class RollupState:
    """What the roll-ups cover, as committed: read by the reports (see the module docstring)."""

    version: int
    rolled_through: dt.date | None = None
    rolled_until: dt.datetime | None = None
    outage_mark: int = 0


def read_state(session: Session, timezone: str) -> RollupState:
    """Return the roll-ups' state for ``timezone`` (nothing rolled up, if rolled in another)."""
    row = session.execute(
        sa.select(
            RollupProgress.version,
            RollupProgress.timezone,
            RollupProgress.rolled_through,
            RollupProgress.rolled_until,
            RollupProgress.outage_mark,
        ).where(RollupProgress.id == PROGRESS_ID)
    ).one_or_none()
    if row is None:
        return RollupState(version=-1)
    if row.timezone != timezone:  # rolled in another zone: of no use until the job redoes it
        return RollupState(version=row.version)
    return RollupState(row.version, row.rolled_through, row.rolled_until, row.outage_mark)
