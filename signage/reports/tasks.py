"""The daily roll-up job: scheduled inside ``signage serve``, and ``signage report rollup``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from flask import Flask
from sqlalchemy.orm import Session

from signage.clock import utcnow
from signage.db import get_db
from signage.jobs import run_exclusively
from signage.reports.rollups import RollupResult, roll_up

log = logging.getLogger(__name__)

# One run catches up at most this many weeks (a transaction each): years of history.
MAX_TRANSACTIONS = 10_000


def run_rollups(
    app: Flask, *, now: dt.datetime | None = None, recompute: Sequence[dt.date] = ()
) -> list[RollupResult]:
    """Roll up every complete day not yet rolled up, a week per transaction, each run
    exclusively; return what each transaction did (empty if another process holds the job)."""
    timezone = app.config["SIGNAGE_TIMEZONE"]
    results: list[RollupResult] = []
    with get_db(app).session() as session:
        for _ in range(MAX_TRANSACTIONS):
            at = now or utcnow()

            def job(s: Session, at: dt.datetime = at) -> None:
                results.append(
                    roll_up(s, now=at, timezone=timezone, recompute=() if results else recompute)
                )

            if not run_exclusively(session, "rollups", job) or results[-1].caught_up:
                break
    return results


def rollup_job(app: Flask) -> None:
    """Scheduler entry point: roll up, and log what was done."""
    for result in run_rollups(app):
        if result.rolled or result.late_events or result.uptime_refreshed:
            log.info(
                "rolled up %s; %d late events into %s; %d screen-days of uptime refreshed",
                ", ".join(d.isoformat() for d in result.rolled) or "no new day",
                result.late_events,
                ", ".join(d.isoformat() for d in result.late_days) or "no day",
                result.uptime_refreshed,
            )
