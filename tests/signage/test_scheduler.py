"""Housekeeping jobs: idempotent, and run by one process at a time."""

from __future__ import annotations

import datetime as dt
import zlib

import pytest
import sqlalchemy as sa

from signage.audit.models import AuditEntry
from signage.db import get_db
from signage.jobs import run_exclusively
from signage.notices.models import NoticeStatus
from signage.notices.tasks import expire_job
from signage.scheduler import start_scheduler
from tests.conftest import PG_URL


def test_expire_job_closes_ended_notices_and_is_idempotent(app, db_session, make_user, make_notice):
    author, reviewer = make_user("author"), make_user("reviewer")
    ended = make_notice(author, status="approved", reviewer=reviewer)
    # Move the window into the past directly: services refuse to create one that has ended.
    revision = ended.live_revision
    revision.valid_from = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    revision.valid_until = dt.datetime(2020, 1, 2, tzinfo=dt.UTC)
    db_session.commit()
    expire_job(app)
    expire_job(app)
    db_session.expire_all()
    assert ended.status == NoticeStatus.EXPIRED
    expiries = db_session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "notice.expire")
    )
    assert expiries == 1


def test_the_scheduler_starts_and_runs_the_job(app):
    scheduler = start_scheduler(app)
    try:
        job = scheduler.get_job("expire_notices")
        assert job is not None and job.trigger.interval == dt.timedelta(seconds=60)
    finally:
        scheduler.shutdown(wait=True)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL advisory locks: runs in the PostgreSQL pass")
def test_a_job_held_by_another_process_is_skipped(app):
    db = get_db(app)
    ran: list[str] = []
    with db.session() as holder, db.session() as other:
        assert run_exclusively(holder, "probe", lambda s: ran.append("first")) is True
        # Hold the lock in an open transaction, as a long job in another process would.
        holder.execute(
            sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(b"signage.job.probe")}
        )
        assert run_exclusively(other, "probe", lambda s: ran.append("second")) is False
        holder.rollback()
        assert run_exclusively(other, "probe", lambda s: ran.append("third")) is True
    assert ran == ["first", "third"]


def test_the_leader_lock_is_held_after_its_taker_forgets_it(database_url, tmp_path):
    # The scheduler keeps no reference to its lock once started. On PostgreSQL the lock lived
    # on a connection that was collected, went back to the pool and was closed there: a second
    # process then took the lock too, and two schedulers ran.
    import gc

    from signage.db import create_engine
    from signage.leader import LeaderLock, run_when_leader

    first, second = create_engine(database_url), create_engine(database_url)
    started = []
    try:
        run_when_leader(
            LeaderLock(first, tmp_path / "scheduler.lock"), lambda: started.append(1)
        ).join(timeout=10)
        assert started == [1]
        gc.collect()
        first.dispose()  # closes what is back in the pool, as a busy pool closes its extras
        assert LeaderLock(second, tmp_path / "scheduler.lock").try_take() is False
    finally:
        first.dispose()
        second.dispose()
