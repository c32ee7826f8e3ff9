"""Compile playlists from the database: the live notices a screen shows, as ``playlists`` specs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import (
    DEFAULT_HORIZON,
    ColorMode,
    Kind,
    MediaRef,
    NoticeSpec,
    Playlist,
    Priority,
    ScreenSpec,
    compile_playlist,
    compile_playlists,
    timeline,
)
from playlists.compile import horizon_start
from playlists.content import Approval
from playlists.select import Selection
from signage.errors import InvalidInput
from signage.media.models import Media
from signage.notices.content import plain_fields, revision_fields
from signage.notices.integrity import servable
from signage.notices.models import NoticeRevision
from signage.notices.queries import live_revisions
from signage.screens.models import Screen

MEDIA_URL = "/api/v1/player/media/{sha256}"


def screen_spec(screen: Screen) -> ScreenSpec:
    """A screen as the scheduling core sees it."""
    return ScreenSpec(
        key=screen.key,
        width=screen.width,
        height=screen.height,
        color=ColorMode(screen.color),
        timezone=screen.timezone,
        hours=screen.hours,
        groups=frozenset(g.name for g in screen.groups),
    )


def notice_spec(revision: NoticeRevision, media: Mapping[str, Media] | None) -> NoticeSpec:
    """A revision as the scheduling core sees it. ``media`` None leaves the image out, for
    simulations of what played when (which an image does not change)."""
    ref = None
    if revision.media_sha256 is not None and media is not None:
        row = media[revision.media_sha256]
        ref = MediaRef(
            sha256=row.sha256,
            mime=row.mime,
            bytes=row.bytes,
            url=MEDIA_URL.format(sha256=row.sha256),
        )
    return NoticeSpec(
        notice_id=revision.notice_id,
        revision=revision.number,
        content_sha256=revision.content_sha256,
        kind=Kind(revision.kind),
        category=revision.category,
        priority=Priority(revision.priority),
        duration_s=revision.duration_s,
        title=revision.title,
        body=revision.body,
        valid_from=revision.valid_from,
        valid_until=revision.valid_until,
        media=ref,
        dayparts=revision.dayparts,
        screens=frozenset(s.key for s in revision.screens),
        groups=frozenset(g.name for g in revision.groups),
        approval=Approval.of(plain_fields(revision_fields(revision))),
    )


def media_for(session: Session, revisions: Iterable[NoticeRevision]) -> dict[str, Media]:
    """The media rows the revisions show, by SHA-256."""
    wanted = {r.media_sha256 for r in revisions if r.media_sha256}
    if not wanted:
        return {}
    return {m.sha256: m for m in session.scalars(sa.select(Media).where(Media.sha256.in_(wanted)))}


def compile_for_screen(
    session: Session,
    screen: Screen,
    *,
    now: dt.datetime,
    weights: Mapping[str, int],
    horizon: dt.timedelta = DEFAULT_HORIZON,
) -> Playlist:
    """Compile the playlist of one screen from the database as it is now."""
    revisions = servable(session, live_revisions(session, horizon_start(now), screen))
    media = media_for(session, revisions)
    specs = [notice_spec(r, media) for r in revisions]
    return compile_playlist(screen_spec(screen), specs, now, horizon, weights)


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
    revisions = servable(session, live_revisions(session, horizon_start(now)))
    media = media_for(session, revisions)
    specs = [notice_spec(r, media) for r in revisions]
    return compile_playlists([screen_spec(s) for s in screens], specs, now, weights=weights)


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
