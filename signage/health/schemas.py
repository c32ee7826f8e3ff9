"""JSON shapes of screen health."""

from __future__ import annotations

from typing import Any

from signage.health.models import ScreenStatus
from signage.times import isoformat_z


def status_json(status: ScreenStatus | None) -> dict[str, Any]:
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
    }
