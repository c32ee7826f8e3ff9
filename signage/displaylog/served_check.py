"""Is a play one the screen could have had? Checked against the playlists it was served.

An event names the ETag of the playlist it played from. It is stored as a play only if:

* that playlist was served to this screen (:mod:`signage.delivery.served`);
* the playlist holds the item, with the same notice, revision and content hash;
* it started inside one of the item's windows, allowing :data:`CLOCK_TOLERANCE` either side;
* the screen had not been sent a newer playlist more than :data:`CLOCK_TOLERANCE` before it
  started, unless that one holds the item too (a notice withdrawn or retargeted stops at the
  screen's next poll; a screen cut off from the controller keeps its last playlist, and its
  plays stand; a playlist sent again after a change was undone counts from its last sending);
* it does not overlap the screen's display before it by more than :data:`OVERLAP_TOLERANCE`,
  and it has ended (it is not a day-long display that started an hour ago);
* if it says ``shown``, it lasted the item's whole time on the screen (the playlist's
  ``play_ms``, less :data:`SHOWN_TOLERANCE_MS`): a display cut short is ``interrupted``, and
  its share of the item is kept with it (the item's ``play_ms`` is stored beside its duration).

A player sets its clock by the controller's (``Date`` headers and heartbeats), so the tolerance
covers the network's delay and a clock read between two corrections, not a clock that is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.delivery.served import (
    REBUILT,
    RebuildError,
    ServedItem,
    sent_last_before,
    served_to,
)
from signage.displaylog.append import ParsedEvent
from signage.displaylog.models import DisplayEvent
from signage.times import isoformat_z

CLOCK_TOLERANCE = dt.timedelta(seconds=60)
OVERLAP_TOLERANCE = dt.timedelta(seconds=2)
SHOWN_TOLERANCE_MS = 1000  # a player's timers, and the rounding of its frame times

_BEFORE = (
    sa.select(DisplayEvent.player_seq, DisplayEvent.started_at, DisplayEvent.duration_ms)
    .where(
        DisplayEvent.screen_id == sa.bindparam("screen_id"),
        DisplayEvent.player_seq < sa.bindparam("seq"),
    )
    .order_by(DisplayEvent.player_seq.desc())
    .limit(1)
)


def _item_reason(p: ParsedEvent, items: dict[str, ServedItem]) -> str | None:
    item = items.get(p.item_id)
    if item is None:
        return f"playlist {p.playlist_etag} does not hold item {p.item_id}"
    if (item.notice_id, item.revision, item.content_sha256) != (
        p.notice_id,
        p.revision,
        p.content_sha256,
    ):
        return f"item {p.item_id} of playlist {p.playlist_etag} is not the event's notice revision"
    if not any(
        start - CLOCK_TOLERANCE <= p.started_at < end + CLOCK_TOLERANCE
        for start, end in item.windows
    ):
        return f"started_at is outside item {p.item_id}'s windows in playlist {p.playlist_etag}"
    if p.outcome == "shown" and p.duration_ms < item.play_ms - SHOWN_TOLERANCE_MS:
        return (
            f"it says shown, but lasted {p.duration_ms / 1000:.1f} s of the "
            f"{item.play_ms / 1000:.1f} s item {p.item_id} takes on this screen"
        )
    return None


def _superseded(session: Session, screen_id: int, p: ParsedEvent, newer: dt.datetime) -> str | None:
    """Why a play from a playlist the screen had been sent a newer one of is no play, if it is
    not: it stands when the playlist the screen was last sent by then holds the same item, with
    a window holding its start (a player fetching the new playlist's images plays on from the
    old one; an item unchanged in both played either way)."""
    had = sent_last_before(session, screen_id, p.started_at - CLOCK_TOLERANCE)
    if had is not None and had != p.playlist_etag:
        try:
            if _item_reason(p, REBUILT.items(session, had)) is None:
                return None
        except RebuildError:
            pass
    return (
        f"the screen had been sent a newer playlist at {isoformat_z(newer)}, "
        "before this display started, and it does not hold this item then"
    )


def check_plays(
    session: Session, screen_id: int, events: Sequence[ParsedEvent], *, latest: dt.datetime
) -> tuple[dict[int, str], dict[int, int]]:
    """The events (in sequence order) that are no play this screen could have had, by
    sequence number, with why (see the module); and of the others, the ``play_ms`` of the item
    in the playlist each played from. ``latest`` is the latest time believed (now, plus the
    clock slack): a display cannot have ended after it."""
    refused: dict[int, str] = {}
    play_ms: dict[int, int] = {}
    if not events:
        return refused, play_ms
    served = served_to(session, screen_id, {p.playlist_etag for p in events})
    items: dict[str, dict[str, ServedItem] | str] = {}
    for etag in served:
        try:
            items[etag] = REBUILT.items(session, etag)
        except RebuildError as exc:
            items[etag] = str(exc)
    connection = session.connection()
    before = connection.execute(
        _BEFORE, {"screen_id": screen_id, "seq": events[0].seq}
    ).one_or_none()
    previous: tuple[int, dt.datetime] | None = None  # (seq, end) of the display before
    if before is not None:
        end = before.started_at + dt.timedelta(milliseconds=before.duration_ms)
        previous = (before.player_seq, end)
    for p in events:
        reason: str | None = None
        found = items.get(p.playlist_etag)
        if p.started_at + dt.timedelta(milliseconds=p.duration_ms) > latest:
            reason = "it ends in the future (is the player's clock right?)"
        elif p.playlist_etag not in served:
            reason = f"playlist {p.playlist_etag} was never served to this screen"
        elif isinstance(found, str):
            reason = found
        else:
            assert found is not None
            reason = _item_reason(p, found)
            newer = served[p.playlist_etag][1]
            if reason is None and newer is not None and p.started_at > newer + CLOCK_TOLERANCE:
                reason = _superseded(session, screen_id, p, newer)
        if (
            reason is None
            and previous is not None
            and p.seq > previous[0]
            and p.started_at < previous[1] - OVERLAP_TOLERANCE
        ):
            reason = (
                f"it overlaps the screen's display before it (sequence number "
                f"{previous[0]}, until {isoformat_z(previous[1])})"
            )
        if reason is not None:
            refused[p.seq] = reason
            continue
        assert isinstance(found, dict)
        play_ms[p.seq] = found[p.item_id].play_ms
        previous = (p.seq, p.started_at + dt.timedelta(milliseconds=p.duration_ms))
    return refused, play_ms
