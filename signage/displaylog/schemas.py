"""The display log's JSON and CSV shapes (the API and the web page's download share them)."""

from __future__ import annotations

from typing import Any

from signage.displaylog.models import DisplayEvent
from signage.times import isoformat_z


def event_json(event: DisplayEvent, screen_key: str) -> dict[str, Any]:
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
    "received_at",
    "hash",
]
