"""Display states: the times a player showed no playlist item on purpose (a blackout from the
controller or set on the screen's machine), as it logged them, with their start and end.

A player sends the states it has not had acknowledged in each heartbeat (those still lasting,
and those ended since): each is stored once per screen by its id, its end filled in when it
comes, so a heartbeat sent twice changes nothing. The answer names the ended states stored,
which the player then forgets. A state is never a play: it is kept apart from the display log,
and no count or report of plays reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists.heartbeat import DisplayState
from signage.health.models import ScreenDisplayState


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.astimezone(dt.UTC) if value.tzinfo is not None else None


def record_states(
    session: Session, screen_id: int, states: Sequence[DisplayState], *, now: dt.datetime
) -> list[str]:
    """Store the states a heartbeat brought; return the ids of the ended ones now stored. A
    state whose start is not a time with an offset is skipped (and not acknowledged)."""
    if not states:
        return []
    held = {
        s.state_id: s
        for s in session.scalars(
            sa.select(ScreenDisplayState).where(
                ScreenDisplayState.screen_id == screen_id,
                ScreenDisplayState.state_id.in_([s.id for s in states]),
            )
        )
    }
    stored = []
    for state in states:
        started = _time(state.started_at)
        if started is None:
            continue
        ended = _time(state.ended_at)
        row = held.get(state.id)
        if row is None:
            row = ScreenDisplayState(
                screen_id=screen_id,
                state_id=state.id,
                state=state.state,
                source=state.source,
                blackout_id=state.blackout_id,
                reason=state.reason[:500],
                started_at=started,
                received_at=now,
            )
            session.add(row)
            held[state.id] = row
        row.ended_at = ended if ended is not None and ended >= started else row.ended_at
        if row.ended_at is not None:
            stored.append(state.id)
    session.flush()
    return stored


def states_of(session: Session, screen_id: int, *, limit: int = 20) -> list[ScreenDisplayState]:
    """The screen's latest display states, newest first."""
    return list(
        session.scalars(
            sa.select(ScreenDisplayState)
            .where(ScreenDisplayState.screen_id == screen_id)
            .order_by(ScreenDisplayState.started_at.desc())
            .limit(limit)
        )
    )
