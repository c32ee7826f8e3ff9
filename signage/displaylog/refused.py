"""Display events a screen sent that were refused, as the dashboard and screen pages list them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.displaylog.models import RefusedEvent


def screens_with_refused_events(
    session: Session, *, since: dt.datetime
) -> list[tuple[int, int, str]]:
    """Screens with events refused since ``since``: (screen id, how many, the latest reason),
    most recent first."""
    latest = (
        sa.select(
            RefusedEvent.screen_id,
            sa.func.count().label("n"),
            sa.func.max(RefusedEvent.id).label("last_id"),
        )
        .where(RefusedEvent.received_at >= since)
        .group_by(RefusedEvent.screen_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(latest.c.screen_id, latest.c.n, RefusedEvent.reason)
        .join(RefusedEvent, RefusedEvent.id == latest.c.last_id)
        .order_by(latest.c.last_id.desc())
    )
    return [(r[0], r[1], r[2]) for r in rows]


def refused_events(session: Session, screen_id: int, *, limit: int) -> list[RefusedEvent]:
    """The screen's latest refused events, newest first."""
    return list(
        session.scalars(
            sa.select(RefusedEvent)
            .where(RefusedEvent.screen_id == screen_id)
            .order_by(RefusedEvent.id.desc())
            .limit(limit)
        )
    )
