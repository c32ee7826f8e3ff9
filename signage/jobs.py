"""Running a housekeeping job so that one process at a time does it.

Every job is idempotent: running it twice, or late after downtime, gives the same result as
running it once on time. With several controller processes on PostgreSQL, a job first takes a
transaction-scoped advisory lock and skips its turn when another process holds it; on SQLite the
database's single writer serialises the jobs anyway. The jobs themselves live in each area's
``tasks.py``; :mod:`signage.scheduler` runs them on their intervals.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.metrics import JOB_RUNS, JOB_SECONDS


def run_exclusively(session: Session, name: str, job: Callable[[Session], object]) -> bool:
    """Run ``job(session)`` and commit, unless another process is running the same job.

    Returns whether the job ran.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"signage.job.{name}".encode())
        got = session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(key)))
        if not got:
            session.rollback()
            JOB_RUNS.labels(name, "skipped").inc()
            return False
    started = time.perf_counter()
    try:
        job(session)
        session.commit()
    except Exception:
        session.rollback()
        JOB_RUNS.labels(name, "failed").inc()
        raise
    JOB_RUNS.labels(name, "ran").inc()
    JOB_SECONDS.labels(name).observe(time.perf_counter() - started)
    return True
