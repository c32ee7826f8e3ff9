"""The daily checkpoint job: scheduled inside ``signage serve``; ``signage checkpoint`` by hand."""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from signage.audit.models import Checkpoint
from signage.clock import utcnow
from signage.db import get_db
from signage.evidence.checkpoints import make_checkpoint
from signage.jobs import run_exclusively
from signage.keys.services import get_keys

log = logging.getLogger(__name__)


def checkpoint_due(session: Session, *, now: dt.datetime, every: dt.timedelta) -> bool:
    """Whether the newest checkpoint is older than ``every`` (or there is none)."""
    newest = session.scalar(sa.select(sa.func.max(Checkpoint.id)))
    if newest is None:
        return True
    made_at = session.get(Checkpoint, newest)
    return made_at is None or made_at.made_at <= now - every


def checkpoint_job(app: Flask, *, now: dt.datetime | None = None) -> bool:
    """Sign a checkpoint if one is due, in one process only; return whether one was made."""
    at = now or utcnow()
    every = dt.timedelta(seconds=app.config["SIGNAGE_CHECKPOINT_EVERY_S"])
    made: list[Checkpoint] = []

    def job(session: Session) -> None:
        if checkpoint_due(session, now=at, every=every):
            made.append(make_checkpoint(session, get_keys(app).key(), now=at))

    with get_db(app).session() as session:
        run_exclusively(session, "checkpoint", job)
    for row in made:
        log.info("checkpoint %s signed by key %s", row.id, row.key_id)
    return bool(made)
