"""JSON shapes of screen health."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from signage.api.contract import reply
from signage.health.models import PlaylistRefusal, ScreenDisplayState, ScreenStatus
from signage.times import isoformat_z


@reply
class StatusFields(TypedDict):
    """A screen's state from its heartbeats (the player's fields once it has sent one)."""

    status: str  # online, offline or never seen
    online: bool
    last_seen_at: str | None
    player_version: NotRequired[str]
    playlist_etag: NotRequired[str]
    current_item: NotRequired[str | None]
    free_disk_bytes: NotRequired[int | None]
    clock_offset_ms: NotRequired[int | None]
    trusted_key: NotRequired[str | None]  # the controller key the player says it trusts
    player_key: NotRequired[str | None]  # the player's own key, as it says
    dead_letters: NotRequired[int | None]  # its events the controller refused, as it says
    font_name: NotRequired[str | None]  # the font it draws with, as it says
    font_sha256: NotRequired[str | None]
    # A blackout set on the screen's own machine, as its player says (null: none).
    local_blackout_since: NotRequired[str | None]
    local_blackout_reason: NotRequired[str | None]
    # The brightness it shows at, in percent, as its player last said (the schedule is the
    # screen's setting ``brightness``).
    brightness_now: NotRequired[int | None]


@reply
class RefusalReply(TypedDict):
    reported_at: str
    text: str  # "<player time> <reason>"


@reply
class ScreenshotStored(TypedDict):
    taken_at: str
    width: int
    height: int


def status_json(status: ScreenStatus | None) -> StatusFields:
    """The health part of a screen's API answer."""
    if status is None:
        return {"status": "never seen", "online": False, "last_seen_at": None}
    return {
        "status": "online" if status.online else "offline",
        "online": status.online,
        "last_seen_at": isoformat_z(status.last_seen_at),
        "player_version": status.version,
        "playlist_etag": status.playlist_etag,
        "current_item": status.current_item,
        "free_disk_bytes": status.free_disk_bytes,
        "clock_offset_ms": status.clock_offset_ms,
        "trusted_key": status.trusted_key,
        "player_key": status.player_key,
        "dead_letters": status.dead_letters,
        "font_name": status.font_name,
        "font_sha256": status.font_sha256,
        "local_blackout_since": status.local_blackout_since,
        "local_blackout_reason": status.local_blackout_reason,
        "brightness_now": status.brightness,
    }


def refusal_json(refusal: PlaylistRefusal) -> RefusalReply:
    return {"reported_at": isoformat_z(refusal.reported_at), "text": refusal.text}


@reply
class DisplayStateReply(TypedDict):
    state: str  # "blackout"
    source: str  # "controller" (an order, blackout_id) or "local" (the screen's machine)
    blackout_id: int | None
    reason: str
    started_at: str
    ended_at: str | None  # null: it still lasts (as last reported)


@reply
class DisplayStateList(TypedDict):
    screen: str
    items: list[DisplayStateReply]


def display_state_json(row: ScreenDisplayState) -> DisplayStateReply:
    return {
        "state": row.state,
        "source": row.source,
        "blackout_id": row.blackout_id,
        "reason": row.reason,
        "started_at": isoformat_z(row.started_at),
        "ended_at": isoformat_z(row.ended_at) if row.ended_at else None,
    }
