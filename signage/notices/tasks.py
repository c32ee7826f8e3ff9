"""The notices' scheduled jobs: close notices whose windows have all passed; publish held ones
whose time has come; alert on a live revision withheld because its content is not what was
approved."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.orm import Session

from signage.clock import utcnow
from signage.db import get_db
from signage.jobs import run_exclusively
from signage.notices.expiry import expire_notices
from signage.notices.integrity import alert_withheld
from signage.notices.publishing import publish_due

log = logging.getLogger(__name__)


def expire_job(app: Flask) -> None:
    """Close notices whose windows have all passed."""
    with get_db(app).session() as session:
        expired: list[int] = []

        def job(s: Session) -> None:
            expired.extend(expire_notices(s, now=utcnow()))

        run_exclusively(session, "expire_notices", job)
        if expired:
            log.info("expired notices %s", expired)


def publish_job(app: Flask) -> None:
    """Publish held notices (待用) whose publishing time has come."""
    with get_db(app).session() as session:
        published: list[int] = []

        def job(s: Session) -> None:
            published.extend(publish_due(s, now=utcnow()))

        run_exclusively(session, "publish_held", job)
        if published:
            log.info("published held notices %s", published)


def integrity_job(app: Flask) -> None:
    """Alert (in the audit log) on live revisions withheld from every playlist."""
    with get_db(app).session() as session:
        alerted: list[str] = []

        def job(s: Session) -> None:
            for w in alert_withheld(s, now=utcnow()):
                alerted.append(f"notice {w.revision.notice_id} r{w.revision.number}: {w.reason}")

        run_exclusively(session, "check_live_revisions", job)
        for line in alerted:
            log.error("withheld from every playlist: %s", line)
