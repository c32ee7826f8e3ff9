"""JSON shapes of the staff's view of playlists: what a screen plays when."""

from __future__ import annotations

from typing import Any

from playlists.select import Selection
from signage.times import isoformat_z


def slot_json(slot: Selection) -> dict[str, Any]:
    item = slot.item
    return {
        "kind": slot.kind,
        "start": isoformat_z(slot.start),
        "until": isoformat_z(slot.until),
        "interrupted": slot.interrupted,
        "item": None
        if item is None
        else {
            "id": item.id,
            "notice_id": item.notice_id,
            "revision": item.revision,
            "title": item.title,
            "category": item.category,
            "priority": item.priority,
            "duration_s": item.duration_s,
        },
    }
