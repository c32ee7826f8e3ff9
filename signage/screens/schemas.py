"""Request bodies and JSON shapes of the screens API."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired, cast

from pydantic import Field
from typing_extensions import TypedDict

from playlists import ColorMode
from playlists.jsonvalues import WHOLE
from signage.api.common import ApiDate, Body, Query
from signage.api.contract import reply
from signage.health.models import ScreenStatus
from signage.health.schemas import RefusalReply, StatusFields, status_json
from signage.screens.models import Screen, ScreenGroup
from signage.screens.readings import SETTINGS, reading_of
from signage.screens.register import REGISTER, SIZE_RANGE, TEXTS, NetworkMode
from signage.screens.services import SCREEN_KEY, describe_screen
from signage.screens.values import MAX_SIDE, MIN_SIDE, SIZE
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
ScrollCpm = Annotated[
    int | None,
    Field(description="strip scroll speed, characters a minute (20-255); null: the deployment's"),
]
PageS = Annotated[
    int | None, Field(description="least time a panel page stays, seconds (4-120); null: default")
]
ReadCpm = Annotated[
    int | None,
    Field(description="reading speed a page's time is counted at (60-500); null: default"),
]
Pitch = Annotated[float | None, Field(description="LED pixel pitch in mm (0.5-50), optional")]
Distance = Annotated[
    float | None, Field(description="usual viewing distance in metres (0.5-200), optional")
]


Brightness = Annotated[
    str | None,
    Field(
        max_length=300,
        description="daily brightness, e.g. 07:00-19:00=100,19:00-22:00=60,22:00-07:00=0 "
        "(percent; 0 is off; null: 100 %)",
    ),
]


Metres = Annotated[
    float | None,
    Field(ge=SIZE_RANGE[0], le=SIZE_RANGE[1], description="metres, optional (null clears)"),
]


class ReadingFields(Body):
    """A screen's reading speeds and legibility fields, and its register entry; each may be
    left out (null clears it)."""

    scroll_cpm: ScrollCpm = None
    page_s: PageS = None
    read_cpm: ReadCpm = None
    pixel_pitch_mm: Pitch = None
    viewing_distance_m: Distance = None
    brightness: Brightness = None
    # The register of screens (带屏电子显示终端登记).
    responsible_person: Annotated[str, Field(max_length=TEXTS["responsible_person"])] | None = None
    responsible_phone: (
        Annotated[str, Field(max_length=TEXTS["responsible_phone"], description="telephone")] | None
    ) = None
    control_pc: (
        Annotated[
            str,
            Field(max_length=TEXTS["control_pc"], description="the computer that controls it"),
        ]
        | None
    ) = None
    network_mode: (
        Annotated[
            Literal[tuple(m.value for m in NetworkMode)],  # type: ignore[valid-type]
            Field(description="intranet (内网), private (专网) or internet (互联网)"),
        ]
        | None
    ) = None
    physical_width_m: Metres = None
    physical_height_m: Metres = None
    installed_on: ApiDate | None = None

    def given(self) -> dict[str, Any]:
        """The settings the request gave (null included), by name."""
        return {name: getattr(self, name) for name in SETTINGS if name in self.model_fields_set}

    def register_given(self) -> dict[str, Any]:
        """The register fields the request gave (null included), by name."""
        return {name: getattr(self, name) for name in REGISTER if name in self.model_fields_set}


class ScreenCreate(ReadingFields):
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


class ScreenEdit(ReadingFields):
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
    sensitive: bool = Field(
        default=False, description="its notices get the escalation stage of their review chain"
    )


class GroupEdit(Body):
    sensitive: bool


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
    # Its own reading speeds (null: the deployment's), the speeds it plays at, and the
    # optional legibility fields.
    scroll_cpm: int | None
    page_s: int | None
    read_cpm: int | None
    reading: dict[str, int]
    pixel_pitch_mm: float | None
    viewing_distance_m: float | None
    brightness: str | None
    responsible_person: str | None
    responsible_phone: str | None
    control_pc: str | None
    network_mode: str | None
    physical_width_m: float | None
    physical_height_m: float | None
    installed_on: str | None
    token_prefix: str
    # One screen's answer: the playlists its player refused lately, newest first.
    refusals: NotRequired[list[RefusalReply]]
    created_at: str
    updated_at: str


class RegisterQuery(Query):
    format: Literal["json", "csv"] = "json"


@reply
class RegisterEntry(TypedDict):
    key: str
    name: str
    location: str
    groups: str
    responsible_person: str | None
    responsible_phone: str | None
    control_pc: str | None
    network_mode: str | None
    width_px: int
    height_px: int
    pixel_pitch_mm: float | None
    physical_width_m: float | None
    physical_height_m: float | None
    installed_on: str | None


@reply
class RegisterReply(TypedDict):
    items: list[RegisterEntry]


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
    sensitive: bool
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
            "reading": reading_of(screen).to_dict(),
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
        "sensitive": group.sensitive,
        "screens": [s.key for s in group.screens],
    }
