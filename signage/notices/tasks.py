"""The notices' scheduled job: close notices whose windows have all passed."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.orm import Session

from signage.clock import utcnow
from signage.db import get_db
from signage.jobs import run_exclusively
from signage.notices.services import expire_notices

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
