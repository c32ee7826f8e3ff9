"""JSON shapes of the staff's view of playlists: what a screen plays when."""

from __future__ import annotations

from pydantic import Field
from typing_extensions import TypedDict

from playlists.select import Selection
from signage.api.common import Query, QueryTime
from signage.api.contract import reply
from signage.times import isoformat_z


@reply
class SlotItem(TypedDict):
    id: str
    notice_id: int
    revision: int
    title: str
    category: str
    priority: str
    duration_s: int


@reply
class SlotReply(TypedDict):
    kind: str  # item, off or idle
    start: str
    until: str
    interrupted: bool
    item: SlotItem | None


@reply
class NowReply(SlotReply):
    screen: str
    at: str
    etag: str


TimelineReply = reply(
    TypedDict("TimelineReply", {"screen": str, "from": str, "to": str, "slots": list[SlotReply]})
)


class TimelineQuery(Query):
    start: QueryTime | None = Field(default=None, alias="from", description="default: now")
    end: QueryTime | None = Field(default=None, alias="to", description="default: from + 24 h")


def slot_json(slot: Selection) -> SlotReply:
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
