"""The housekeeping jobs run by APScheduler inside ``signage serve``.

Each job lives in its area's ``tasks.py`` and is idempotent (see :mod:`signage.jobs`); this
module only says how often each runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from signage.clock import utcnow
from signage.emergency.tasks import alert_feeds_job
from signage.evidence.tasks import checkpoint_job
from signage.health.tasks import offline_job
from signage.notices.tasks import expire_job, integrity_job, publish_job
from signage.reports.tasks import rollup_job


@dataclass(frozen=True)
class Schedule:
    """A job, its id, the setting that gives its interval in seconds, and whether it runs at
    once when the server starts (to catch up after downtime)."""

    job: Callable[[Flask], None]
    id: str
    interval_setting: str
    at_start: bool


SCHEDULES = (
    Schedule(expire_job, "expire_notices", "SIGNAGE_EXPIRE_INTERVAL_S", at_start=True),
    Schedule(integrity_job, "check_live_revisions", "SIGNAGE_EXPIRE_INTERVAL_S", at_start=True),
    Schedule(publish_job, "publish_held", "SIGNAGE_EXPIRE_INTERVAL_S", at_start=True),
    Schedule(offline_job, "mark_offline", "SIGNAGE_HEARTBEAT_S", at_start=False),
    Schedule(rollup_job, "rollups", "SIGNAGE_ROLLUP_INTERVAL_S", at_start=True),
    Schedule(checkpoint_job, "checkpoint", "SIGNAGE_CHECKPOINT_CHECK_S", at_start=True),
    Schedule(alert_feeds_job, "read_alert_feeds", "SIGNAGE_ALERT_POLL_S", at_start=True),
)


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Start the housekeeping jobs in background threads and return the scheduler."""
    scheduler = BackgroundScheduler(timezone="UTC")
    for schedule in SCHEDULES:
        extra = {"next_run_time": utcnow()} if schedule.at_start else {}
        scheduler.add_job(
            schedule.job,
            "interval",
            args=[app],
            id=schedule.id,
            seconds=app.config[schedule.interval_setting],
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            **extra,
        )
    scheduler.start()
    return scheduler
