"""Heartbeats, screenshots and outages.

A screen that has not sent a heartbeat for three heartbeat intervals is marked offline by a
scheduled job, which opens an outage from its last heartbeat and writes an audit entry (the
alert the dashboard shows). The next heartbeat closes the outage: that is when it came back.

A heartbeat also says which controller key the player trusts and which playlists it refused to
show since the last one; the refusals are kept (the newest :data:`REFUSALS_KEPT` a screen) for
the screen's page and the dashboard.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from playlists import canonical_json
from playlists.heartbeat import Heartbeat, HeartbeatAnswer
from signage.accounts.models import User
from signage.accounts.permissions import require_staff
from signage.audit.services import record
from signage.errors import InvalidInput, PayloadTooLarge
from signage.health.models import PlaylistRefusal, ScreenOutage, Screenshot, ScreenStatus
from signage.health.states import record_states
from signage.screens.models import Screen
from signage.times import isoformat_z
from signage.writer import GroupWriter

MAX_SCREENSHOT_BYTES = 2 * 1024 * 1024
MISSED_BEATS = 3
REFUSALS_KEPT = 50


@dataclass(frozen=True)
class Recorded:
    """What storing a heartbeat tells its answer: the ended display states stored, and whether
    someone wants a screenshot of the screen now."""

    states_stored: tuple[str, ...] = ()
    screenshot_now: bool = False


# How long a look at the dashboard or a screen's page keeps asking for screenshots: the page
# asks again every 30 s while it is open.
SCREENSHOTS_WANTED = dt.timedelta(seconds=90)


def heartbeat_answer(
    config: Mapping[str, Any], at: dt.datetime, recorded: Recorded = Recorded()
) -> HeartbeatAnswer:
    """What a heartbeat is answered: the server's time, the intervals the deployment sets, the
    ended display states of the heartbeat now stored, and whether to send a screenshot now."""
    return {
        "server_time": isoformat_z(at),
        "poll_interval_s": config["SIGNAGE_POLL_INTERVAL_S"],
        "heartbeat_interval_s": config["SIGNAGE_HEARTBEAT_S"],
        "screenshot_interval_s": config["SIGNAGE_SCREENSHOT_INTERVAL_S"],
        "states_stored": list(recorded.states_stored),
        "screenshot_now": recorded.screenshot_now,
    }


def store_heartbeat(
    writer: GroupWriter, screen_id: int, beat: Heartbeat, at: dt.datetime
) -> Recorded:
    """Store a heartbeat through the group writer, in one transaction with the others that
    arrive together; return once it is committed, with what its answer says."""
    recorded: Recorded = writer.write(lambda s: record_heartbeat(s, screen_id, beat, now=at))
    return recorded


def want_screenshots(
    session: Session, actor: User, screen_ids: Iterable[int] | None, *, now: dt.datetime
) -> None:
    """Someone looks at these screens (None: every one): ask their players for a screenshot
    at each heartbeat for a while (:data:`SCREENSHOTS_WANTED`)."""
    require_staff(actor)
    update = sa.update(ScreenStatus).values(screenshot_wanted_until=now + SCREENSHOTS_WANTED)
    if screen_ids is not None:
        update = update.where(ScreenStatus.screen_id.in_(list(screen_ids)))
    session.execute(update.execution_options(synchronize_session=False))


def _reported(beat: Heartbeat) -> dict[str, Any]:
    """The status columns a heartbeat sets, cut to their sizes."""
    return {
        "version": beat.version[:40],
        "playlist_etag": beat.playlist_etag[:80],
        "current_item": beat.current_item[:64] if beat.current_item else None,
        "free_disk_bytes": beat.free_disk_bytes,
        "errors": canonical_json([e[:500] for e in beat.errors[-20:]]).decode(),
        "clock_offset_ms": beat.clock_offset_ms,
        "trusted_key": beat.trusted_key[:16] if beat.trusted_key else None,
        "player_key": beat.player_key[:16] if beat.player_key else None,
        "dead_letters": beat.dead_letters,
        "font_name": beat.font_name[:200] if beat.font_name else None,
        "font_sha256": beat.font_sha256[:64] if beat.font_sha256 else None,
        "local_blackout_since": beat.local_blackout_since[:40]
        if beat.local_blackout_since
        else None,
        "local_blackout_reason": beat.local_blackout_reason[:500]
        if beat.local_blackout_since and beat.local_blackout_reason is not None
        else None,
        "brightness": beat.brightness,
    }


_STATUS = ScreenStatus.__table__
_REPORTED = (
    "last_seen_at",
    "version",
    "playlist_etag",
    "current_item",
    "free_disk_bytes",
    "errors",
    "clock_offset_ms",
    "trusted_key",
    "player_key",
    "dead_letters",
    "font_name",
    "font_sha256",
    "local_blackout_since",
    "local_blackout_reason",
    "brightness",
)
# One statement, compiled once: the values are bound at each execution.
_ONLINE = (
    _STATUS.update()
    .where(_STATUS.c.screen_id == sa.bindparam("id"), _STATUS.c.online.is_(True))
    .values({name: sa.bindparam(f"v_{name}") for name in _REPORTED})
    .returning(_STATUS.c.screenshot_wanted_until)
)


def record_heartbeat(
    session: Session, screen_id: int, beat: Heartbeat, *, now: dt.datetime
) -> Recorded:
    """Note a heartbeat; close the screen's open outage if it was offline; store its display
    states (:mod:`signage.health.states`) and return the ended ones stored.

    The common case, a screen online that reports no refused playlist and no state, is one
    UPDATE (the heartbeat path of a whole fleet goes through one writer thread per process).
    """
    stored = tuple(record_states(session, screen_id, beat.states, now=now))
    reported = _reported(beat)
    if not beat.refused:
        # A plain statement on the session's connection: the ORM's handling of an UPDATE
        # costs more than the statement. A status object the session holds is expired.
        values = {f"v_{k}": v for k, v in reported.items()} | {"v_last_seen_at": now}
        done = session.connection().execute(_ONLINE, {"id": screen_id, **values}).first()
        if done is not None:
            held = session.identity_map.get(session.identity_key(ScreenStatus, screen_id))
            if held is not None:
                session.expire(held)
            return Recorded(stored, _wanted(done.screenshot_wanted_until, now))
    status = session.get(ScreenStatus, screen_id)
    if status is None:
        status = ScreenStatus(screen_id=screen_id, online=True, last_seen_at=now, first_seen_at=now)
        session.add(status)
    elif not status.online:
        outage = session.scalar(
            sa.select(ScreenOutage).where(
                ScreenOutage.screen_id == screen_id, ScreenOutage.ended_at.is_(None)
            )
        )
        if outage is not None:
            outage.ended_at = now
        key = session.scalar(sa.select(Screen.key).where(Screen.id == screen_id))
        record(
            session,
            actor=None,
            action="screen.online",
            object_type="screen",
            object_id=key,
            now=now,
            details={"offline_since": status.last_seen_at.isoformat()},
        )
    status.online = True
    status.last_seen_at = now
    for name, value in reported.items():
        setattr(status, name, value)
    if beat.refused:
        _record_refusals(session, screen_id, beat.refused, now=now)
    session.flush()
    return Recorded(stored, _wanted(status.screenshot_wanted_until, now))


def _wanted(until: dt.datetime | None, now: dt.datetime) -> bool:
    if until is None:
        return False
    if until.tzinfo is None:  # SQLite through a plain statement: stored as UTC
        until = until.replace(tzinfo=dt.UTC)
    return until > now


def _record_refusals(
    session: Session, screen_id: int, refused: Sequence[str], *, now: dt.datetime
) -> None:
    for text in refused[-REFUSALS_KEPT:]:
        session.add(PlaylistRefusal(screen_id=screen_id, reported_at=now, text=text[:500]))
    session.flush()
    # Keep the newest of each screen: a player behind a hostile proxy refuses again and again.
    keep = (
        sa.select(PlaylistRefusal.id)
        .where(PlaylistRefusal.screen_id == screen_id)
        .order_by(PlaylistRefusal.id.desc())
        .limit(REFUSALS_KEPT)
    )
    session.execute(
        sa.delete(PlaylistRefusal).where(
            PlaylistRefusal.screen_id == screen_id,
            PlaylistRefusal.id.not_in(keep.subquery().select()),
        )
    )


def refusals(
    session: Session, screen_id: int, *, limit: int = REFUSALS_KEPT
) -> list[PlaylistRefusal]:
    """A screen's reported refusals, newest first."""
    return list(
        session.scalars(
            sa.select(PlaylistRefusal)
            .where(PlaylistRefusal.screen_id == screen_id)
            .order_by(PlaylistRefusal.id.desc())
            .limit(limit)
        )
    )


def screens_refusing(session: Session, *, since: dt.datetime) -> list[tuple[int, int, str]]:
    """Screens whose player refused something since ``since``: (screen id, how many, the
    latest reason), most recent first."""
    latest = (
        sa.select(
            PlaylistRefusal.screen_id,
            sa.func.count().label("n"),
            sa.func.max(PlaylistRefusal.id).label("last_id"),
        )
        .where(PlaylistRefusal.reported_at >= since)
        .group_by(PlaylistRefusal.screen_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(latest.c.screen_id, latest.c.n, PlaylistRefusal.text)
        .join(PlaylistRefusal, PlaylistRefusal.id == latest.c.last_id)
        .order_by(latest.c.last_id.desc())
    )
    return [(r[0], r[1], r[2]) for r in rows]


def mark_offline(session: Session, *, now: dt.datetime, heartbeat_s: int) -> list[int]:
    """Mark screens silent for three heartbeat intervals offline; return their ids. Idempotent."""
    limit = now - dt.timedelta(seconds=heartbeat_s * MISSED_BEATS)
    silent = session.scalars(
        sa.select(ScreenStatus)
        .where(ScreenStatus.online.is_(True), ScreenStatus.last_seen_at < limit)
        .with_for_update(skip_locked=True)
    ).all()
    for status in silent:
        status.online = False
        session.add(
            ScreenOutage(
                screen_id=status.screen_id, started_at=status.last_seen_at, detected_at=now
            )
        )
    session.flush()
    for status in silent:
        key = session.scalar(sa.select(Screen.key).where(Screen.id == status.screen_id))
        record(
            session,
            actor=None,
            action="screen.offline",
            object_type="screen",
            object_id=key,
            now=now,
            details={"last_seen_at": status.last_seen_at.isoformat()},
        )
    return [s.screen_id for s in silent]


def store_screenshot(
    session: Session, screen_id: int, data: bytes, *, now: dt.datetime
) -> Screenshot:
    """Keep the screen's latest frame: a PNG of exactly the screen's size, checked by decoding
    it (its header is read first, so a file that claims a huge size is refused unread)."""
    if len(data) > MAX_SCREENSHOT_BYTES:
        raise PayloadTooLarge(
            "a screenshot may have at most %(max_screenshot_bytes)s bytes",
            max_screenshot_bytes=MAX_SCREENSHOT_BYTES,
        )
    screen = session.get(Screen, screen_id)
    assert screen is not None  # the token named it
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != "PNG":
                    raise InvalidInput("a screenshot must be a PNG", field="body")
                if image.size != (screen.width, screen.height):
                    raise InvalidInput(
                        "the screenshot is %(width)s×%(height)s; the screen is "
                        "%(screen_width)s×%(screen_height)s",
                        width=image.width,
                        height=image.height,
                        screen_width=screen.width,
                        screen_height=screen.height,
                        field="body",
                    )
                image.load()
                width, height = image.size
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise InvalidInput("the body is not a PNG image that can be read", field="body") from None
    shot = session.get(Screenshot, screen_id)
    if shot is None:
        shot = Screenshot(screen_id=screen_id, taken_at=now, width=width, height=height, png=data)
        session.add(shot)
    else:
        shot.taken_at, shot.width, shot.height, shot.png = now, width, height, data
    session.flush()
    return shot


def screen_statuses(session: Session, screen_ids: Iterable[int]) -> dict[int, ScreenStatus]:
    """The last heartbeat of each of the screens that have sent one, by screen id."""
    ids = list(screen_ids)
    if not ids:
        return {}
    found = session.scalars(sa.select(ScreenStatus).where(ScreenStatus.screen_id.in_(ids)))
    return {s.screen_id: s for s in found}


def screen_counts(session: Session) -> dict[str, int]:
    """How many registered screens are online, offline, and never heard from."""
    rows = session.execute(
        sa.select(ScreenStatus.online, sa.func.count())
        .select_from(Screen)
        .outerjoin(ScreenStatus, ScreenStatus.screen_id == Screen.id)
        .group_by(ScreenStatus.online)
    ).all()
    counts = {"online": 0, "offline": 0, "never_seen": 0}
    for online, count in rows:
        counts["never_seen" if online is None else "online" if online else "offline"] += count
    return counts
