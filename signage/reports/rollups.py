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

Reports (:func:`play_totals`, :func:`uptime_cells`) read the rows of rolled-up days, the few
events above the marks (stored since the last run) and the raw log only for the days not yet
rolled up (today), so their figures equal counts taken from the raw log at any moment. They
read the job's version before and after and read again if the job committed meanwhile.

Outages found late (a screen's outage opens from its last heartbeat, minutes or, with the
controller down, days before it is detected) are handled the same way: outages above the job's
``outage_mark`` make the days they touch be recomputed, and reports compute those days live
until then.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists.intervals import Interval, intersect, normalise, weekly_intervals
from signage.audit.models import ChainHead
from signage.displaylog.models import DisplayEvent
from signage.displaylog.services import chain_name
from signage.errors import Conflict, InvalidInput
from signage.health.models import ScreenOutage, ScreenStatus
from signage.reports.models import (
    DailyPlay,
    DailyUptime,
    RollupMark,
    RollupProgress,
)
from signage.screens.models import Screen

# Catching up commits a week at a time: on SQLite a roll-up holds the one write lock, which
# ingest waits for, so no transaction may run long.
DAYS_PER_TRANSACTION = 7
PROGRESS_ID = 1
DISPLAY_CHAIN_PREFIX = chain_name(0).removesuffix("0")
T = TypeVar("T")


def day_bounds(day: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Return the UTC instants a local day starts and ends."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def local_date(at: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.date:
    return at.astimezone(zone).date()


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Return every day from ``first`` through ``last``."""
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def seconds(intervals: Iterable[Interval]) -> int:
    return round(sum((e - s).total_seconds() for s, e in intervals))


# --- uptime of one screen on one day --------------------------------------------------------


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


# --- the job ----------------------------------------------------------------------------------


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


@dataclass
class _Counts:
    plays: int = 0
    interrupted: int = 0
    errors: int = 0
    shown_ms: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None

    def add(self, started_at: dt.datetime, outcome: str, duration_ms: int) -> None:
        if outcome == "shown":
            self.plays += 1
        elif outcome == "interrupted":
            self.interrupted += 1
        else:
            self.errors += 1
        if outcome != "error":
            self.shown_ms += duration_ms
        self.first = started_at if self.first is None else min(self.first, started_at)
        self.last = started_at if self.last is None else max(self.last, started_at)


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


def display_heads(session: Session) -> dict[int, int]:
    """Return each screen's display-log chain head: the place of its last stored event."""
    rows = session.execute(
        sa.select(ChainHead.name, ChainHead.seq).where(
            ChainHead.name.startswith(DISPLAY_CHAIN_PREFIX)
        )
    )
    return {int(name.removeprefix(DISPLAY_CHAIN_PREFIX)): seq for name, seq in rows}


def _marks(session: Session) -> dict[int, int]:
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
    counts: dict[tuple[dt.date, int, int, str], _Counts] = {}
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
            counts.setdefault(key, _Counts()).add(started_at, outcome, duration_ms)
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


def _outcome_counts() -> list[tuple[str, Any]]:
    """How each event counts, by its outcome (the rules of :class:`_Counts`, in SQL)."""
    e = DisplayEvent
    return [
        ("plays", sa.case((e.outcome == "shown", 1), else_=0)),
        ("interrupted", sa.case((e.outcome == "interrupted", 1), else_=0)),
        ("errors", sa.case((e.outcome == "error", 1), else_=0)),
        ("shown_ms", sa.case((e.outcome != "error", e.duration_ms), else_=0)),
    ]


def _event_counts() -> list[Any]:
    e = DisplayEvent
    return [sa.func.sum(count) for _, count in _outcome_counts()] + [
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
    names = ("screen_id", "notice_id", "category", "plays", "interrupted", "errors", "shown_ms")
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
    progress: RollupProgress | _State,
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
            raise InvalidInput(f"{day} is not over yet; only complete days are rolled up")
    result = RollupResult()
    progress = _progress(session, timezone, now)
    heads = display_heads(session)
    marks = _marks(session)
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


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    version: int
    rolled_through: dt.date | None = None
    rolled_until: dt.datetime | None = None
    outage_mark: int = 0


def _state(session: Session, timezone: str) -> _State:
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
        return _State(version=-1)
    if row.timezone != timezone:  # rolled in another zone: of no use until the job redoes it
        return _State(version=row.version)
    return _State(row.version, row.rolled_through, row.rolled_until, row.outage_mark)


def _consistently(session: Session, timezone: str, read: Callable[[_State], T]) -> T:
    """Run ``read`` against one state of the roll-ups: again if the job committed meanwhile."""
    for _ in range(5):
        state = _state(session, timezone)
        found = read(state)
        if _state(session, timezone).version == state.version:
            return found
    raise Conflict("the daily roll-up job kept changing the figures while they were read; retry")


def rolled_through(session: Session, timezone: str) -> dt.date | None:
    """Return the last rolled-up day (None: nothing is rolled up yet)."""
    return _state(session, timezone).rolled_through


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
        *(count.label(name) for name, count in _outcome_counts()),
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

    def read(state: _State) -> list[PlayTotal]:
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
                marks = _marks(session)
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

    def read(state: _State) -> dict[tuple[dt.date, int], UptimeFigures]:
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
