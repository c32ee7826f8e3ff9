"""Request bodies and JSON shapes of the screens API."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired, cast

from pydantic import Field
from typing_extensions import TypedDict

from playlists import ColorMode
from playlists.jsonvalues import WHOLE
from signage.api.common import Body
from signage.api.contract import reply
from signage.health.models import ScreenStatus
from signage.health.schemas import RefusalReply, StatusFields, status_json
from signage.screens.models import Screen, ScreenGroup
from signage.screens.services import MAX_SIDE, MIN_SIDE, SCREEN_KEY, SIZE, describe_screen
from signage.times import isoformat_z

# The limits the service checks, in the request bodies' JSON Schema too.
Key = Annotated[str, Field(pattern=SCREEN_KEY.pattern, description="e.g. gov-lobby")]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Location = Annotated[str, Field(max_length=200)]
Side = Annotated[int, Field(ge=MIN_SIDE, le=MAX_SIDE, description="pixels"), WHOLE]
Size = Annotated[
    str, Field(pattern=SIZE.pattern, description="WxH, e.g. 384x128 (or width and height)")
]
Color = Literal[tuple(c.value for c in ColorMode)]  # type: ignore[valid-type]
Zone = Annotated[str, Field(description="an IANA time zone, e.g. Asia/Shanghai")]
Hours = Annotated[
    str, Field(description="weekly opening hours, e.g. 1-5 08:00-18:00 (1 is Monday)")
]
GroupName = Annotated[str, Field(min_length=1, max_length=100)]


class ScreenCreate(Body):
    key: Key
    name: Name
    size: Size | None = None
    width: Side | None = None
    height: Side | None = None
    color: Color = ColorMode.FULL.value
    timezone: Zone = "Asia/Shanghai"
    hours: Hours | None = None
    location: Location = ""
    groups: list[GroupName] = Field(default_factory=list)


class ScreenEdit(Body):
    name: Name | None = None
    location: Location | None = None
    size: Size | None = None
    width: Side | None = None
    height: Side | None = None
    color: Color | None = None
    timezone: Zone | None = None
    hours: Hours | None = None
    groups: list[GroupName] | None = None


class GroupCreate(Body):
    name: GroupName
    description: Annotated[str, Field(max_length=200)] = ""


@reply
class ScreenReply(StatusFields):
    key: str
    name: str
    location: str
    width: int
    height: int
    color: str
    timezone: str
    hours: str | None
    groups: list[str]
    token_prefix: str
    # One screen's answer: the playlists its player refused lately, newest first.
    refusals: NotRequired[list[RefusalReply]]
    created_at: str
    updated_at: str


@reply
class ScreenCreated(ScreenReply):
    token: str  # shown this once


@reply
class ScreenList(TypedDict):
    items: list[ScreenReply]


@reply
class TokenRotated(TypedDict):
    key: str
    token: str  # shown this once
    token_prefix: str


@reply
class GroupReply(TypedDict):
    name: str
    description: str
    screens: list[str]


@reply
class GroupList(TypedDict):
    items: list[GroupReply]


def screen_json(screen: Screen, status: ScreenStatus | None) -> ScreenReply:
    """A screen's settings and, from its heartbeats, its state."""
    settings: dict[str, Any] = describe_screen(screen)
    return cast(
        ScreenReply,
        settings
        | {
            "token_prefix": screen.token_prefix,
            "created_at": isoformat_z(screen.created_at),
            "updated_at": isoformat_z(screen.updated_at),
        }
        | status_json(status),
    )


def group_json(group: ScreenGroup) -> GroupReply:
    return {
        "name": group.name,
        "description": group.description,
        "screens": [s.key for s in group.screens],
    }
