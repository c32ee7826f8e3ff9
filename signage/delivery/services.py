"""Compile playlists from the database: the live notices a screen shows, as ``playlists`` specs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import (
    DEFAULT_HORIZON,
    Playlist,
    compile_playlist,
    timeline,
)
from playlists.compile import horizon_start
from playlists.select import Selection
from signage.delivery.durations import measurer
from signage.delivery.live import load_live
from signage.delivery.served import inputs_json
from signage.delivery.specs import media_for, notice_spec, screen_spec
from signage.emergency.blackouts import in_force
from signage.errors import InvalidInput
from signage.notices.integrity import servable
from signage.notices.queries import live_revisions
from signage.screens.models import Screen

__all__ = ["compile_all", "compile_for_screen", "media_for", "notice_spec", "screen_spec"]


def compile_for_screen(
    session: Session,
    screen: Screen,
    *,
    now: dt.datetime,
    weights: Mapping[str, int],
    horizon: dt.timedelta = DEFAULT_HORIZON,
) -> Playlist:
    """Compile the playlist of one screen from the database as it is now."""
    return compile_served(session, screen, now=now, weights=weights, horizon=horizon)[0]


def compile_served(
    session: Session,
    screen: Screen,
    *,
    now: dt.datetime,
    weights: Mapping[str, int],
    horizon: dt.timedelta = DEFAULT_HORIZON,
) -> tuple[Playlist, bytes]:
    """Compile one screen's playlist, and its inputs as the served-playlist store keeps them
    (:mod:`signage.delivery.served`)."""
    revisions = servable(session, live_revisions(session, horizon_start(now), screen))
    media = media_for(session, revisions)
    specs = [notice_spec(r, media) for r in revisions]
    blackouts = in_force(session)
    spec = screen_spec(screen, blackouts.for_screen(screen.id, (g.name for g in screen.groups)))
    playlist = compile_playlist(spec, specs, now, horizon, weights, measurer())
    return playlist, inputs_json(spec, weights, horizon, playlist)


def compile_all(
    session: Session,
    *,
    now: dt.datetime,
    weights: Mapping[str, int],
    screens: Sequence[Screen] | None = None,
) -> dict[str, Playlist]:
    """Compile every screen's playlist (or those of ``screens``) with one read of the notices."""
    if screens is None:
        screens = list(session.scalars(sa.select(Screen).order_by(Screen.key)))
    compiler = load_live(session, now=now, weights=weights)
    return {s.key: compiler.playlist(screen_spec(s)) for s in screens}


MAX_TIMELINE = dt.timedelta(days=7)


def showing_at(playlist: Playlist, at: dt.datetime) -> Selection:
    """What a screen with ``playlist`` shows at ``at``, simulated from the start of its current
    on-period.

    The controller does not know the player's round-robin state, so for a screen rotating
    several items the item named is the one the rules give when starting afresh at the
    beginning of the on-period; the player's own heartbeat says what it really shows.
    """
    anchor = max([playlist.generated_at] + [end for _, end in playlist.off if end <= at])
    return timeline(playlist, anchor, at + dt.timedelta(microseconds=1))[-1]


def screen_timeline(
    session: Session,
    screen: Screen,
    start: dt.datetime,
    end: dt.datetime,
    *,
    weights: Mapping[str, int],
) -> list[Selection]:
    """The slots ``screen`` plays from ``start`` to ``end`` (at most 7 days), as notices stand."""
    if end <= start:
        raise InvalidInput("to must be after from", field="to")
    if end - start > MAX_TIMELINE:
        raise InvalidInput("a timeline covers at most 7 days", field="to")
    horizon = end - horizon_start(start) + dt.timedelta(hours=1)
    playlist = compile_for_screen(session, screen, now=start, weights=weights, horizon=horizon)
    return timeline(playlist, start, end)
