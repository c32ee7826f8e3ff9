"""Fixtures of the evidence tests (imported by tests/signage/conftest.py): a county with two
screens whose players have logged two days of plays, rolled up, with a checkpoint signed and
exported: what the tampering tests rewrite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from signage.cli import Context, cli
from signage.clock import utcnow
from signage.db import get_db
from signage.displaylog.ingest import ingest_events
from signage.evidence.checkpoints import export_checkpoints, make_checkpoint
from signage.evidence.verify import verify_everything
from signage.keys.services import get_keys
from signage.reports.rollups import roll_up
from signage.screens.services import create_screen
from tests.screen_record import FAST, ScreenRecord, serve

HOUR = dt.timedelta(hours=1)
TZ = "Asia/Shanghai"


def send(session, screen, record, notice, starts, *, now, gap_before=0):
    """Ingest plays of ``notice`` at ``starts``, each from that hour's playlist, as ``screen``'s
    player sends them (``gap_before``: sequence numbers lost before the first)."""
    etags = {}
    events = []
    for at in starts:
        hour = at.replace(minute=0, second=0, microsecond=0)
        if hour not in etags:
            etags[hour] = serve(session, screen, hour)
        record.seq += gap_before
        gap_before = 0
        events.append(record.event(notice, etags[hour], at))
    batch = record.batch(events)
    result = ingest_events(session, screen.id, batch["events"], batch["head"], now=now)
    session.commit()
    assert result.rejected == [], result.rejected
    return result


@pytest.fixture
def county(app, db_session, make_user, make_notice, tmp_path) -> dict[str, Any]:
    now = utcnow()
    start = (now - dt.timedelta(days=3)).replace(hour=1, minute=0, second=0, microsecond=0)
    author, reviewer = make_user("author"), make_user("reviewer")
    world: dict[str, Any] = {"now": now, "start": start, "dir": tmp_path / "checkpoints"}
    window = {"valid_from": start - HOUR, "valid_until": now + dt.timedelta(days=7)}
    for key in ("hall", "lobby"):
        screen, _ = create_screen(
            db_session,
            None,
            key=key,
            name=key,
            width=128,
            height=32,
            now=start - 2 * HOUR,
            settings=FAST,
        )
        db_session.commit()
        notice = make_notice(
            author, screens=[key], status="approved", reviewer=reviewer, at=start - HOUR, **window
        )
        record = ScreenRecord()
        record.register(db_session, screen, start - HOUR)
        for day in range(2):
            first = start + dt.timedelta(days=day)
            plays = [first + dt.timedelta(minutes=10 * i) for i in range(6)]
            send(db_session, screen, record, notice, plays, now=first + 2 * HOUR)
        world[key] = {"screen": screen, "notice": notice, "record": record}
    roll_up(db_session, now=now, timezone=TZ)
    db_session.commit()
    make_checkpoint(db_session, get_keys(app).key(), now=now)
    db_session.commit()
    export_checkpoints(db_session, world["dir"])
    world["author"], world["reviewer"] = author, reviewer
    return world


@pytest.fixture
def verify(app, db_session):
    """verify-logs as a service: (whole, problems), with or without the exported folder."""

    def run(directory: Path | None = None):
        db_session.commit()
        with get_db(app).session() as session:
            verdict = verify_everything(session, now=utcnow(), timezone=TZ, checkpoints=directory)
        return verdict.whole, verdict.problems

    return run


@pytest.fixture
def verify_cli(config):
    def run(*args: str):
        context = Context(config)
        try:
            return CliRunner().invoke(cli, ["verify-logs", *args], obj=context)
        finally:
            get_db(context.app).engine.dispose()

    return run
