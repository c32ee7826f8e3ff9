"""The display log's JSON and CSV shapes (the API and the web page's download share them)."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field
from typing_extensions import TypedDict

from signage.api.common import Query, QueryText, QueryTime
from signage.api.contract import reply
from signage.db import MAX_INT
from signage.displaylog.models import DisplayEvent
from signage.times import isoformat_z


@reply
class EventReply(TypedDict):
    id: str
    screen: str
    seq: int
    chain_seq: int
    item_id: str
    notice_id: int
    revision: int
    category: str
    content_sha256: str
    started_at: str
    duration_ms: int
    outcome: str
    # The item's time on the screen in the playlist it played from, and the share of it this
    # display lasted (at most 1; None for events stored before it was kept).
    play_ms: int | None
    shown_fraction: float | None
    received_at: str
    hash: str


@reply
class EventPage(TypedDict):
    items: list[EventReply]
    next_cursor: str | None  # None: this is the last page


class EventQuery(Query):
    """The display log's filters and paging."""

    screen: QueryText | None = Field(default=None, description="a screen's key")
    notice: int | None = Field(default=None, ge=1, le=MAX_INT, description="a notice's id")
    category: QueryText | None = None
    start: QueryTime | None = Field(default=None, alias="from")
    end: QueryTime | None = Field(default=None, alias="to")
    cursor: QueryText | None = Field(default=None, description="next_cursor of the page before")
    limit: int = Field(default=100, ge=1, le=1000)
    format: Literal["json", "csv"] = "json"


def event_json(event: DisplayEvent | sa.Row[Any], screen_key: str) -> EventReply:
    """An event as the API gives it (from a stored event, or a row of its columns)."""
    return {
        "id": event.event_id,
        "screen": screen_key,
        "seq": event.player_seq,
        "chain_seq": event.chain_seq,
        "item_id": event.item_id,
        "notice_id": event.notice_id,
        "revision": event.revision,
        "category": event.category,
        "content_sha256": event.content_sha256,
        "started_at": isoformat_z(event.started_at),
        "duration_ms": event.duration_ms,
        "outcome": event.outcome,
        "play_ms": event.play_ms,
        "shown_fraction": shown_fraction(event.duration_ms, event.play_ms),
        "received_at": isoformat_z(event.received_at),
        "hash": event.hash,
    }


CSV_COLUMNS = [
    "id",
    "screen",
    "seq",
    "chain_seq",
    "item_id",
    "notice_id",
    "revision",
    "category",
    "content_sha256",
    "started_at",
    "duration_ms",
    "outcome",
    "play_ms",
    "shown_fraction",
    "received_at",
    "hash",
]


def shown_fraction(duration_ms: int, play_ms: int | None) -> float | None:
    """How much of its item a display showed: its duration over the item's time, at most 1."""
    if not play_ms:
        return None
    return round(min(1.0, duration_ms / play_ms), 3)
