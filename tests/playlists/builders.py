"""Plain-value builders for playlists tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playlists import NoticeSpec, ScreenSpec

UTC = dt.UTC
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def t(text: str) -> dt.datetime:
    """Parse an ISO time; without an offset it is read as Shanghai local time."""
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def screen(**kw: Any) -> ScreenSpec:
    values: dict[str, Any] = {
        "key": "hall",
        "width": 192,
        "height": 32,
        "color": "full",
        "timezone": "Asia/Shanghai",
        "hours": None,
        "groups": frozenset({"大厅"}),
    }
    values |= kw
    return ScreenSpec(**values)


def notice(notice_id: int = 1, **kw: Any) -> NoticeSpec:
    values: dict[str, Any] = {
        "notice_id": notice_id,
        "revision": 1,
        "content_sha256": f"{notice_id:064x}",
        "kind": "text",
        "category": "通知公告",
        "priority": "normal",
        "duration_s": 15,
        "title": f"通知{notice_id}",
        "body": "正文",
        "valid_from": t("2026-11-01T00:00"),
        "valid_until": t("2026-12-31T00:00"),
        "screens": frozenset({"hall"}),
    }
    values |= kw
    return NoticeSpec(**values)
