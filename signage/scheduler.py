"""Housekeeping jobs run by APScheduler inside ``signage serve``.

Every job is idempotent: running it twice, or late after downtime, gives the same result as
running it once on time. With several controller processes on PostgreSQL, a job first takes a
transaction-scoped advisory lock and skips its turn when another process holds it; on SQLite the
database's single writer serialises the jobs anyway.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy.orm import Session

from signage.clock import utcnow
from signage.db import get_db
from signage.notices.services import expire_notices

log = logging.getLogger(__name__)


def run_exclusively(session: Session, name: str, job: Callable[[Session], object]) -> bool:
    """Run ``job(session)`` and commit, unless another process is running the same job.

    Returns whether the job ran.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"signage.job.{name}".encode())
        got = session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(key)))
        if not got:
            session.rollback()
            return False
    try:
        job(session)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return True


def expire_job(app: Flask) -> None:
    """Close notices whose windows have all passed."""
    with get_db(app).session() as session:
        expired: list[int] = []

        def job(s: Session) -> None:
            expired.extend(expire_notices(s, now=utcnow()))

        run_exclusively(session, "expire_notices", job)
        if expired:
            log.info("expired notices %s", expired)


def offline_job(app: Flask) -> None:
    """Mark screens that stopped sending heartbeats offline."""
    from signage.health.services import mark_offline

    with get_db(app).session() as session:
        gone: list[int] = []
        heartbeat_s = app.config["SIGNAGE_HEARTBEAT_S"]

        def job(s: Session) -> None:
            gone.extend(mark_offline(s, now=utcnow(), heartbeat_s=heartbeat_s))

        run_exclusively(session, "mark_offline", job)
        if gone:
            log.warning("screens went offline: %s", gone)


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Start the housekeeping jobs in background threads and return the scheduler."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        expire_job,
        "interval",
        args=[app],
        id="expire_notices",
        seconds=app.config["SIGNAGE_EXPIRE_INTERVAL_S"],
        next_run_time=utcnow(),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
    )
    scheduler.add_job(
        offline_job,
        "interval",
        args=[app],
        id="mark_offline",
        seconds=app.config["SIGNAGE_HEARTBEAT_S"],
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
    )
    from signage.reports.tasks import rollup_job

    scheduler.add_job(
        rollup_job,
        "interval",
        args=[app],
        id="rollups",
        seconds=app.config["SIGNAGE_ROLLUP_INTERVAL_S"],
        next_run_time=utcnow(),  # catch up at once after downtime
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
    )
    scheduler.start()
    return scheduler
