"""Builders for the reports' tests: screens with heartbeats and outages, and display events
stored as ingest stores the plays it accepts."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from playlists.heartbeat import Heartbeat
from signage.accounts.models import User
from signage.displaylog.append import ParsedEvent, append_events
from signage.health.services import mark_offline, record_heartbeat
from signage.notices import review
from signage.notices import services as notices
from signage.notices.models import Notice
from signage.screens.models import Screen
from signage.times import isoformat_z
from tests.conftest import NOW, RULES

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
FIVE_MINUTES = dt.timedelta(minutes=5)


def local(*args: int) -> dt.datetime:
    """A time in Asia/Shanghai (no daylight saving), as UTC."""
    return dt.datetime(*args, tzinfo=SHANGHAI).astimezone(dt.UTC)


@pytest.fixture
def store_events(db_session: Session) -> Callable[..., list[str]]:
    """Store display events of ``notice`` on ``screen`` starting at ``starts``, as ingest stores
    the plays it accepted (:func:`append_events`; the checks ingest makes first are tested in
    ``tests/signage/displaylog``, and these reports' data need not be plays a screen could
    have had, such as two notices at once).

    ``received`` is when the controller got them (default: just after the last one started).
    """
    seqs: dict[int, int] = defaultdict(int)

    def store(
        screen: Screen,
        notice: Notice,
        starts: Iterable[dt.datetime],
        *,
        outcome: str = "shown",
        duration_ms: int = 15_000,
        received: dt.datetime | None = None,
    ) -> list[str]:
        revision = notice.live_revision or notice.latest_revision
        times = list(starts)
        fresh = []
        for at in times:
            seqs[screen.id] += 1
            event = ParsedEvent(
                str(uuid.uuid4()),
                seqs[screen.id],
                f"n{notice.id}.r{revision.number}",
                notice.id,
                revision.number,
                revision.content_sha256,
                at.astimezone(dt.UTC),
                duration_ms,
                outcome,
                isoformat_z(at),
                "0" * 32 + "-" + "0" * 16,
                "0" * 64,
            )
            fresh.append((event, revision.category))
        accepted: list[str] = []
        at = received or (max(times) + dt.timedelta(minutes=1) if times else None)
        for first in range(0, len(fresh), 500):
            assert at is not None
            accepted += append_events(db_session, screen.id, fresh[first : first + 500], at)
        db_session.commit()
        return accepted

    return store


@pytest.fixture
def outage(db_session: Session) -> Callable[..., None]:
    """Make ``screen`` silent from ``start`` (its last heartbeat) until ``end`` (its next one)."""

    def make(screen: Screen, start: dt.datetime, end: dt.datetime | None) -> None:
        record_heartbeat(db_session, screen.id, Heartbeat(), now=start)
        mark_offline(db_session, now=start + dt.timedelta(minutes=2), heartbeat_s=30)
        if end is not None:
            record_heartbeat(db_session, screen.id, Heartbeat(), now=end)
        db_session.commit()

    return make


def every(start: dt.datetime, end: dt.datetime, step: dt.timedelta) -> list[dt.datetime]:
    out = []
    at = start
    while at < end:
        out.append(at)
        at += step
    return out


# NOW is Thursday 26 November 2026, 10:00 in Shanghai. A 公示 of 2 working days approved then
# runs through Monday 30 November; the hall is open 08:00–18:00 on weekdays.
OPEN_DAYS = [dt.date(2026, 11, 26), dt.date(2026, 11, 27), dt.date(2026, 11, 30)]
HALL_HOURS = "1-5 08:00-18:00"


def after() -> dt.datetime:
    """A time after that 公示 period (which ends on Tuesday 1 December at 00:00)."""
    return local(2026, 12, 2, 10, 0)


def approve_gongshi(session: Session, author: User, reviewer: User, **kw: Any) -> Notice:
    """Create, submit and approve (at NOW) a 人事任免 公示 of 2 working days on the hall."""
    values: dict[str, Any] = {
        "title": "干部任前公示",
        "category": "人事任免",
        "valid_from": NOW,
        "valid_until": NOW + dt.timedelta(days=10),
        "screens": ["hall"],
        "required_working_days": 2,
    } | kw
    notice = notices.create_notice(
        session, author, notices.NoticeFields(**values), now=NOW, rules=RULES
    )
    notices.submit_notice(session, author, notice.id, now=NOW)
    review.approve_notice(
        session,
        reviewer,
        notice.id,
        confidentiality_reviewed=True,
        note="经保密审查，同意公示",
        now=NOW,
    )
    session.commit()
    return notice


def opening_hours_plays(day: dt.date, skip: tuple[int, int] | None = None) -> list[dt.datetime]:
    """A play every five minutes while the hall is open (from NOW on), except between the
    hours in ``skip``."""
    start = max(local(day.year, day.month, day.day, 8, 0), NOW)
    plays = every(start, local(day.year, day.month, day.day, 18, 0), FIVE_MINUTES)
    if skip is not None:
        low, high = (local(day.year, day.month, day.day, h, 0) for h in skip)
        plays = [p for p in plays if not low <= p < high]
    return plays
