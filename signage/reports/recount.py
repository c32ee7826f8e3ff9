"""Check the daily play roll-ups against a recount of the raw display log.

The roll-up job (:mod:`signage.reports.rollups`) keeps this rule:

    the rows of a rolled-up day count exactly the events of that day whose place is at or
    below their screen's mark.

:func:`recount_rollups` checks it. For every rolled-up day (days up to
``RollupProgress.rolled_through``, in the roll-up's time zone) it counts the day's display events
at or below their screen's :class:`RollupMark` per (screen, notice, category), with the same SQL
sums the job uses, and compares the figures with the day's :class:`DailyPlay` rows. Every
difference is one :class:`RollupMismatch`: a row the recount does not give (an invented row), a
recount with no row (a deleted row, or a deleted or edited event), or other figures.

It reads one day at a time with one GROUP BY query per day, so the log is never held in memory.
Each day's rows and recount come from the same statement, so they are read from one snapshot of
the database, and a roll-up job committing meanwhile (it moves marks and rows together) cannot
make a day look wrong. Events above the marks (stored since the job's last run) are not in the
rows, and not checked; a row for a day not yet rolled up is a mismatch (the job writes none).
Rows rolled in another time zone are not checked: no report reads them, and the job's next run
rolls every day again.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.displaylog.models import DisplayEvent
from signage.displaylog.plays import COUNTERS
from signage.reports.models import DailyPlay, RollupMark, RollupProgress

# _event_counts is private in rollups.py: the job's own sums (count_columns summed, then the
# first and last start), reused so that the recount cannot count a play differently.
from signage.reports.rollups import PROGRESS_ID, _event_counts, read_state
from signage.times import day_bounds, days_between, isoformat_z, local_date

# What a DailyPlay row holds for its (day, screen, notice, category), in this order.
FIGURES = (*COUNTERS, "first_start", "last_start")
Figures = tuple[int, int, int, int, dt.datetime, dt.datetime]
Key = tuple[int, int, str]  # screen id, notice id, category

_STORED, _RECOUNTED = 0, 1


@dataclass(frozen=True)
class RollupMismatch:
    """One (day, screen, notice, category) whose roll-up row differs from the raw log."""

    day: dt.date
    screen_id: int
    notice_id: int
    category: str
    stored: Figures | None  # the DailyPlay row's figures (None: there is no row)
    recounted: Figures | None  # what the display log gives (None: it has no such events)

    def describe(self) -> str:
        """One line in plain English, naming the row and both values."""
        where = (
            f"{self.day} screen {self.screen_id} notice {self.notice_id} category {self.category}"
        )
        stored = _text(self.stored, "no roll-up row")
        recounted = _text(self.recounted, "no such events")
        if self.stored is not None and self.recounted is not None:
            differ = [
                name
                for name, a, b in zip(FIGURES, self.stored, self.recounted, strict=True)
                if a != b
            ]
            return (
                f"{where}: {', '.join(differ)} differ: roll-up row has {stored}; "
                f"display log gives {recounted}"
            )
        if self.recounted is None:
            return f"{where}: roll-up row has {stored}, but the display log gives {recounted}"
        return f"{where}: display log gives {recounted}, but there is {stored}"


def _text(figures: Figures | None, none: str) -> str:
    if figures is None:
        return none
    plays, interrupted, errors, shown_ms, first, last = figures
    return (
        f"plays {plays}, interrupted {interrupted}, errors {errors}, shown_ms {shown_ms}, "
        f"first start {isoformat_z(first)}, last start {isoformat_z(last)}"
    )


def recount_rollups(
    session: Session,
    timezone: str,
    *,
    progress: Callable[[int], None] | None = None,
) -> Iterator[RollupMismatch]:
    """Yield every difference between the play roll-ups and a recount of the display log, day
    by day, oldest first; call ``progress`` with the number of days checked after each day.

    Nothing is checked when nothing is rolled up in ``timezone``. The days checked run from the
    first with an event or a row through the last rolled-up day.
    """
    last = read_state(session, timezone).rolled_through
    yield from _rows_beyond(session, timezone, last)
    if last is None:
        return
    zone = zoneinfo.ZoneInfo(timezone)
    first = _first_day(session, zone)
    if first is None or first > last:
        return
    for done, day in enumerate(days_between(first, last), start=1):
        yield from _recount_day(session, day, zone)
        if progress is not None:
            progress(done)


def _rows_beyond(session: Session, timezone: str, last: dt.date | None) -> Iterator[RollupMismatch]:
    """Rows for days not rolled up (after ``last``, or any when nothing is): the job writes a
    day's rows and moves its progress in one transaction, so there are none, unless the rows
    were rolled in another time zone (then no report reads them)."""
    progress = session.get(RollupProgress, PROGRESS_ID)
    if progress is not None and progress.timezone != timezone:
        return
    d = DailyPlay
    query = sa.select(
        d.day, d.screen_id, d.notice_id, d.category, *[d.__table__.c[n] for n in FIGURES]
    ).order_by(d.day, d.screen_id, d.notice_id, d.category)
    if last is not None:
        query = query.where(d.day > last)
    for row in session.execute(query.limit(100)):
        day, screen_id, notice_id, category, *figures = row
        yield RollupMismatch(day, screen_id, notice_id, category, tuple(figures), None)  # type: ignore[arg-type]


def _first_day(session: Session, zone: zoneinfo.ZoneInfo) -> dt.date | None:
    """The first day with an event or a row: before it there is nothing to compare."""
    first_event = session.scalar(sa.select(sa.func.min(DisplayEvent.started_at)))
    first_row = session.scalar(sa.select(sa.func.min(DailyPlay.day)))
    known = [] if first_row is None else [first_row]
    if first_event is not None:
        known.append(local_date(first_event, zone))
    return min(known) if known else None


def _recount_day(session: Session, day: dt.date, zone: zoneinfo.ZoneInfo) -> list[RollupMismatch]:
    """Compare one day's rows with its recount, read by one statement (one snapshot)."""
    start, end = day_bounds(day, zone)
    e, d = DisplayEvent, DailyPlay
    stored = sa.select(
        sa.literal_column(str(_STORED), sa.Integer).label("source"),
        d.screen_id.label("screen_id"),
        d.notice_id.label("notice_id"),
        d.category.label("category"),
        *(getattr(d, name).label(name) for name in FIGURES),
    ).where(d.day == day)
    # The same events and sums as the job's count of a day (rollups._roll_plays).
    recounted = (
        sa.select(
            sa.literal_column(str(_RECOUNTED), sa.Integer).label("source"),
            e.screen_id.label("screen_id"),
            e.notice_id.label("notice_id"),
            e.category.label("category"),
            *(column.label(name) for name, column in zip(FIGURES, _event_counts(), strict=True)),
        )
        .join(RollupMark, RollupMark.screen_id == e.screen_id)
        .where(e.started_at >= start, e.started_at < end, e.chain_seq <= RollupMark.chain_seq)
        .group_by(e.screen_id, e.notice_id, e.category)
    )
    both = sa.union_all(stored, recounted).subquery()
    rows = session.execute(
        sa.select(both).order_by(both.c.screen_id, both.c.notice_id, both.c.category)
    )
    found: dict[Key, dict[int, Figures]] = {}
    for row in rows:
        # int(): PostgreSQL gives a sum of BIGINT as NUMERIC.
        figures: Figures = (
            int(row.plays),
            int(row.interrupted),
            int(row.errors),
            int(row.shown_ms),
            row.first_start,
            row.last_start,
        )
        found.setdefault((row.screen_id, row.notice_id, row.category), {})[row.source] = figures
    mismatches = []
    for (screen_id, notice_id, category), sides in found.items():
        if sides.get(_STORED) != sides.get(_RECOUNTED):
            mismatches.append(
                RollupMismatch(
                    day=day,
                    screen_id=screen_id,
                    notice_id=notice_id,
                    category=category,
                    stored=sides.get(_STORED),
                    recounted=sides.get(_RECOUNTED),
                )
            )
    return mismatches
