"""Screen health's scheduled job: mark screens that stopped sending heartbeats offline."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.orm import Session

from signage.clock import utcnow
from signage.db import get_db
from signage.health.services import mark_offline
from signage.jobs import run_exclusively

log = logging.getLogger(__name__)


def offline_job(app: Flask) -> None:
    """Mark screens that stopped sending heartbeats offline."""
    with get_db(app).session() as session:
        gone: list[int] = []
        heartbeat_s = app.config["SIGNAGE_HEARTBEAT_S"]

        def job(s: Session) -> None:
            gone.extend(mark_offline(s, now=utcnow(), heartbeat_s=heartbeat_s))

        run_exclusively(session, "mark_offline", job)
        if gone:
            log.warning("screens went offline: %s", gone)
