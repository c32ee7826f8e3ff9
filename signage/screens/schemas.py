"""Request bodies and JSON shapes of the screens API."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from signage.api.common import Body
from signage.health.models import ScreenStatus
from signage.health.schemas import status_json
from signage.screens.models import Screen, ScreenGroup
from signage.screens.services import describe_screen
from signage.times import isoformat_z


class ScreenCreate(Body):
    key: str
    name: str
    size: str | None = Field(default=None, description="WxH, e.g. 384x128 (or width and height)")
    width: int | None = None
    height: int | None = None
    color: str = "full"
    timezone: str = "Asia/Shanghai"
    hours: str | None = None
    location: str = ""
    groups: list[str] = Field(default_factory=list)


class ScreenEdit(Body):
    name: str | None = None
    location: str | None = None
    size: str | None = None
    width: int | None = None
    height: int | None = None
    color: str | None = None
    timezone: str | None = None
    hours: str | None = None
    groups: list[str] | None = None


class GroupCreate(Body):
    name: str
    description: str = ""


def screen_json(screen: Screen, status: ScreenStatus | None) -> dict[str, Any]:
    """A screen's settings and, from its heartbeats, its state."""
    return (
        describe_screen(screen)
        | {
            "token_prefix": screen.token_prefix,
            "created_at": isoformat_z(screen.created_at),
            "updated_at": isoformat_z(screen.updated_at),
        }
        | status_json(status)
    )


def group_json(group: ScreenGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "description": group.description,
        "screens": [s.key for s in group.screens],
    }
