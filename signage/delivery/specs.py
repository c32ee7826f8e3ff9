"""The database's screens and revisions as the scheduling core sees them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import BlackoutOrder, ColorMode, Kind, MediaRef, NoticeSpec, Priority, ScreenSpec
from playlists.brightness import Filler
from playlists.content import Approval
from signage.media.models import Media
from signage.notices.content import plain_fields, revision_fields
from signage.notices.models import NoticeRevision
from signage.screens.models import Screen
from signage.screens.readings import reading_of

MEDIA_URL = "/api/v1/player/media/{sha256}"


def screen_spec(screen: Screen, blackout: BlackoutOrder | None = None) -> ScreenSpec:
    """A screen as the scheduling core sees it (``blackout``: the one covering it, if any)."""
    return spec_of(screen, (g.name for g in screen.groups), blackout)


# The columns :func:`spec_of` reads, for reading many screens without their ORM objects.
SPEC_COLUMNS = (
    Screen.id,
    Screen.key,
    Screen.width,
    Screen.height,
    Screen.color,
    Screen.timezone,
    Screen.hours,
    Screen.scroll_cpm,
    Screen.page_s,
    Screen.read_cpm,
    Screen.brightness,
    Screen.token_hash,
)

# What screens show when nothing is scheduled (SIGNAGE_FILLER, SIGNAGE_FILLER_TEXT), set once
# per process by configure_filler.
_filler: dict[str, Filler | None] = {"filler": Filler()}


def configure_filler(config: Mapping[str, Any]) -> None:
    """Take the deployment's filler from the settings."""
    kind = config["SIGNAGE_FILLER"]
    if kind not in ("clock", "text", "off"):
        raise ValueError(f"SIGNAGE_FILLER must be clock, text or off, not {kind!r}")
    text = str(config["SIGNAGE_FILLER_TEXT"]).strip()[:100]
    _filler["filler"] = None if kind == "off" else Filler(clock=kind == "clock", text=text)


def spec_of(
    screen: Any, groups: Iterable[str], blackout: BlackoutOrder | None = None
) -> ScreenSpec:
    """A screen (or a row of :data:`SPEC_COLUMNS`) in ``groups``, as the core sees it."""
    return ScreenSpec(
        key=screen.key,
        width=screen.width,
        height=screen.height,
        color=ColorMode(screen.color),
        timezone=screen.timezone,
        hours=screen.hours,
        groups=frozenset(groups),
        reading=reading_of(screen),
        blackout=blackout,
        brightness=screen.brightness,
        filler=_filler["filler"],
    )


def notice_spec(
    revision: NoticeRevision, media: Mapping[str, Media] | None, *, aimed_at: str | None = None
) -> NoticeSpec:
    """A revision as the scheduling core sees it. ``media`` None leaves the image out, for
    simulations of what played when (which an image does not change). ``aimed_at``, a screen's
    key, aims it at that screen alone instead of at its targets (rebuilding a served playlist)."""
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
        screens=frozenset([aimed_at] if aimed_at else (s.key for s in revision.screens)),
        groups=frozenset() if aimed_at else frozenset(g.name for g in revision.groups),
        approval=Approval.of(plain_fields(revision_fields(revision))),
        takeover=revision.takeover,
    )


def media_for(session: Session, revisions: Iterable[NoticeRevision]) -> dict[str, Media]:
    """The media rows the revisions show, by SHA-256."""
    wanted = {r.media_sha256 for r in revisions if r.media_sha256}
    if not wanted:
        return {}
    return {m.sha256: m for m in session.scalars(sa.select(Media).where(Media.sha256.in_(wanted)))}
