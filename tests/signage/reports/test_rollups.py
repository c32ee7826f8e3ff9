"""The daily roll-up job: idempotent, catching up, exact with late events and late outages."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from playlists.heartbeat import Heartbeat
from signage.db import get_db
from signage.displaylog.models import DisplayEvent
from signage.health.models import ScreenOutage
from signage.health.services import record_heartbeat
from signage.reports.models import DailyPlay, DailyUptime, RollupProgress
from signage.reports.rollups import roll_up
from signage.reports.tasks import run_rollups
from signage.reports.totals import play_totals, uptime_cells
from signage.scheduler import start_scheduler
from tests.signage.reports.conftest import every, local

TZ = "Asia/Shanghai"
D = dt.date
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def hall(db_session, make_user, make_screen, make_notice):
    author, reviewer = make_user("author"), make_user("reviewer")
    screen = make_screen(key="hall", hours="1-5 08:00-18:00")
    notices = [
        make_notice(
            author, screens=["hall"], status="approved", reviewer=reviewer, category=c, at=EARLY
        )
        for c in ("通知公告", "要闻")
    ]
    return screen, notices


EARLY = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)  # approved before the plays stored


def rows(db_session):
    db_session.expire_all()
    return sorted(
        (r.day, r.notice_id, r.category, r.plays, r.interrupted, r.errors, r.shown_ms)
        for r in db_session.scalars(sa.select(DailyPlay))
    )


def raw_by_day(db_session):
    """The same figures counted straight from the display log."""
    counted = {}
    for e in db_session.scalars(sa.select(DisplayEvent)):
        day = e.started_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
        key = (day, e.notice_id, e.category)
        plays, interrupted, errors, ms = counted.get(key, (0, 0, 0, 0))
        counted[key] = (
            plays + (e.outcome == "shown"),
            interrupted + (e.outcome == "interrupted"),
            errors + (e.outcome == "error"),
            ms + (e.duration_ms if e.outcome != "error" else 0),
        )
    return sorted((*key, *values) for key, values in counted.items())


def test_each_complete_day_is_rolled_once_and_the_job_catches_up(db_session, hall, store_events):
    screen, (notice, other) = hall
    store_events(
        screen, notice, every(local(2026, 11, 26, 10, 0), local(2026, 11, 26, 11, 0), MINUTE)
    )
    store_events(screen, other, [local(2026, 11, 27, 9, 0)], outcome="interrupted")
    store_events(screen, notice, [local(2026, 11, 28, 9, 0)], outcome="error", duration_ms=0)
    store_events(screen, notice, [local(2026, 11, 30, 9, 0)])

    first = roll_up(db_session, now=local(2026, 11, 27, 0, 30), timezone=TZ)
    db_session.commit()
    assert first.rolled == [D(2026, 11, 26)] and first.caught_up
    assert rows(db_session) == [(D(2026, 11, 26), notice.id, "通知公告", 60, 0, 0, 60 * 15000)]
    again = roll_up(db_session, now=local(2026, 11, 27, 0, 30), timezone=TZ)
    db_session.commit()
    assert again.rolled == [] and again.late_events == 0
    assert len(rows(db_session)) == 1

    # Down for a few days: the next run rolls every complete day it missed, at most 2 a time.
    partial = roll_up(db_session, now=local(2026, 12, 1, 8, 0), timezone=TZ, max_days=2)
    assert partial.rolled == [D(2026, 11, 27), D(2026, 11, 28)] and not partial.caught_up
    rest = roll_up(db_session, now=local(2026, 12, 1, 8, 0), timezone=TZ)
    db_session.commit()
    assert rest.rolled == [D(2026, 11, 29), D(2026, 11, 30)] and rest.caught_up
    assert rows(db_session) == raw_by_day(db_session)
    first_start = db_session.scalar(
        sa.select(DailyPlay.first_start).where(DailyPlay.day == D(2026, 11, 26))
    )
    assert first_start == local(2026, 11, 26, 10, 0)


def test_late_events_count_exactly_once_before_and_after_the_next_run(
    db_session, hall, store_events
):
    screen, (notice, _) = hall
    store_events(
        screen, notice, every(local(2026, 11, 26, 10, 0), local(2026, 11, 26, 12, 0), MINUTE)
    )
    roll_up(db_session, now=local(2026, 11, 27, 0, 5), timezone=TZ)
    db_session.commit()
    before = rows(db_session)
    # A player offline since yesterday uploads its spool: one of yesterday's plays, late.
    store_events(screen, notice, [local(2026, 11, 26, 16, 0)], received=local(2026, 11, 27, 9, 0))
    assert rows(db_session) == before  # not in the rows yet …
    totals = play_totals(db_session, D(2026, 11, 26), D(2026, 11, 27), timezone=TZ)
    assert [t.plays for t in totals] == [121]  # … but the reports count it already
    late = roll_up(db_session, now=local(2026, 11, 27, 9, 5), timezone=TZ)
    db_session.commit()
    assert late.late_events == 1 and late.late_days == [D(2026, 11, 26)] and late.rolled == []
    assert rows(db_session) == raw_by_day(db_session)
    assert [
        t.plays for t in play_totals(db_session, D(2026, 11, 26), D(2026, 11, 27), timezone=TZ)
    ] == [121]
    roll_up(db_session, now=local(2026, 11, 27, 9, 10), timezone=TZ)
    db_session.commit()
    assert rows(db_session) == raw_by_day(db_session)  # not counted twice


def test_a_day_is_recomputed_when_asked(db_session, hall, store_events):
    screen, (notice, _) = hall
    store_events(screen, notice, [local(2026, 11, 26, 10, 0), local(2026, 11, 26, 11, 0)])
    roll_up(db_session, now=local(2026, 11, 27, 1, 0), timezone=TZ)
    db_session.execute(sa.update(DailyPlay).values(plays=999))
    db_session.commit()
    done = roll_up(
        db_session, now=local(2026, 11, 27, 1, 0), timezone=TZ, recompute=[D(2026, 11, 26)]
    )
    db_session.commit()
    assert done.recomputed == [D(2026, 11, 26)]
    assert rows(db_session) == raw_by_day(db_session)
    with pytest.raises(Exception, match="not over yet"):
        roll_up(db_session, now=local(2026, 11, 27, 1, 0), timezone=TZ, recompute=[D(2026, 11, 27)])


def test_uptime_rows_count_from_the_first_heartbeat_and_refresh_for_late_outages(
    db_session, hall, outage
):
    screen, _ = hall
    record_heartbeat(db_session, screen.id, Heartbeat(), now=local(2026, 11, 26, 9, 0))
    outage(screen, local(2026, 11, 26, 12, 0), local(2026, 11, 26, 13, 0))
    roll_up(db_session, now=local(2026, 11, 27, 0, 30), timezone=TZ)
    db_session.commit()
    row = db_session.scalars(sa.select(DailyUptime)).one()
    # Monitored 09:00–24:00, offline an hour, open 09:00–18:00 (a Thursday).
    assert (row.monitored_s, row.offline_s, row.open_s, row.open_offline_s) == (
        15 * 3600,
        3600,
        9 * 3600,
        3600,
    )
    # An outage found late (the controller was down when the screen went silent).
    db_session.add(
        ScreenOutage(
            screen_id=screen.id,
            started_at=local(2026, 11, 26, 17, 0),
            detected_at=local(2026, 11, 27, 8, 0),
            ended_at=local(2026, 11, 26, 20, 0),
        )
    )
    db_session.commit()
    cells = uptime_cells(
        db_session, D(2026, 11, 26), D(2026, 11, 26), timezone=TZ, now=local(2026, 11, 27, 8, 1)
    )
    assert cells[D(2026, 11, 26), screen.id].offline_s == 4 * 3600
    assert cells[D(2026, 11, 26), screen.id].open_offline_s == 2 * 3600
    refreshed = roll_up(db_session, now=local(2026, 11, 27, 8, 5), timezone=TZ)
    db_session.commit()
    assert refreshed.uptime_refreshed == 1
    db_session.expire_all()
    assert db_session.scalars(sa.select(DailyUptime)).one().offline_s == 4 * 3600


def test_a_screen_never_heard_from_is_not_monitored(db_session, hall):
    roll_up(db_session, now=local(2026, 11, 28, 0, 30), timezone=TZ)
    db_session.commit()
    assert db_session.scalars(sa.select(DailyUptime)).all() == []


def test_a_new_time_zone_rolls_everything_again(db_session, hall, store_events):
    screen, (notice, _) = hall
    # 00:30 on the 27th in Shanghai is 16:30 on the 26th in UTC.
    store_events(screen, notice, [local(2026, 11, 27, 0, 30)])
    roll_up(db_session, now=local(2026, 11, 28, 9, 0), timezone=TZ)
    db_session.commit()
    assert [r[0] for r in rows(db_session)] == [D(2026, 11, 27)]
    roll_up(db_session, now=local(2026, 11, 28, 9, 0), timezone="UTC")
    db_session.commit()
    assert [r[0] for r in rows(db_session)] == [D(2026, 11, 26)]
    assert db_session.get(RollupProgress, 1).timezone == "UTC"


def test_run_rollups_commits_a_week_at_a_time_until_caught_up(app, db_session, hall, store_events):
    screen, (notice, _) = hall
    store_events(screen, notice, [local(2026, 1, 5, 9, 0)], received=local(2026, 11, 26, 9, 0))
    results = run_rollups(app, now=local(2026, 11, 26, 12, 0))
    assert len(results) == 47 and results[-1].caught_up
    assert sum(len(r.rolled) for r in results) == (D(2026, 11, 25) - D(2026, 1, 5)).days + 1
    assert rows(db_session) == raw_by_day(db_session)


def test_the_scheduler_runs_the_rollup_job(app):
    scheduler = start_scheduler(app)
    try:
        job = scheduler.get_job("rollups")
        assert job is not None and job.trigger.interval == dt.timedelta(seconds=300)
    finally:
        scheduler.shutdown(wait=True)


def test_two_runs_at_once_do_not_count_late_events_twice(app, db_session, hall, store_events):
    screen, (notice, _) = hall
    store_events(screen, notice, [local(2026, 11, 26, 10, 0)])
    roll_up(db_session, now=local(2026, 11, 27, 0, 5), timezone=TZ)
    db_session.commit()
    store_events(screen, notice, [local(2026, 11, 26, 16, 0)], received=local(2026, 11, 27, 9, 0))
    # One run has begun (the server's scheduler) and holds the job's lock …
    roll_up(db_session, now=local(2026, 11, 27, 9, 5), timezone=TZ)
    other = get_db(app).session()
    try:
        postgres = other.get_bind().dialect.name == "postgresql"
        wait = "SET LOCAL lock_timeout = '200ms'" if postgres else "PRAGMA busy_timeout = 200"
        other.execute(sa.text(wait))
        # … so a second one (`signage report rollup` from cron) waits instead of reading the
        # same marks and adding the same late event again.
        with pytest.raises(sa.exc.OperationalError):
            roll_up(other, now=local(2026, 11, 27, 9, 6), timezone=TZ)
        other.rollback()
        db_session.commit()
        roll_up(other, now=local(2026, 11, 27, 9, 7), timezone=TZ)
        other.commit()
    finally:
        if not postgres:
            other.execute(sa.text("PRAGMA busy_timeout = 30000"))
        other.close()
    assert rows(db_session) == raw_by_day(db_session)
