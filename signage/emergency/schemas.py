"""Request bodies and JSON shapes of the blackouts API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import TypedDict

from playlists.jsonvalues import WHOLE
from signage.api.common import Body, Query
from signage.api.contract import reply
from signage.emergency.alerts import Taken
from signage.emergency.blackouts import REASON_MAX
from signage.emergency.models import Blackout, OfficialAlert
from signage.emergency.templates import LEVELS, Template, template_title
from signage.times import isoformat_z

ScreenKey = Annotated[str, Field(min_length=1, max_length=64)]
GroupName = Annotated[str, Field(min_length=1, max_length=100)]


class BlackoutBody(Body):
    """What to black out: every screen (``all``), or the screens and groups named."""

    all: bool = Field(default=False, description="every screen")
    screens: list[ScreenKey] = Field(default_factory=list, max_length=10_000)
    groups: list[GroupName] = Field(default_factory=list, max_length=1_000)
    reason: Annotated[str, Field(min_length=1, max_length=REASON_MAX)]


class BlackoutQuery(Query):
    in_force: bool = Field(default=False, description="only the blackouts in force")


@reply
class BlackoutReply(TypedDict):
    id: int
    all: bool
    screens: list[str]
    groups: list[str]
    reason: str
    in_force: bool
    screens_covered: int
    ordered_by: str | None
    ordered_at: str
    lifted_by: str | None
    lifted_at: str | None


@reply
class BlackoutList(TypedDict):
    items: list[BlackoutReply]


def blackout_json(blackout: Blackout, covered: int) -> BlackoutReply:
    return {
        "id": blackout.id,
        "all": blackout.all_screens,
        "screens": [s.key for s in blackout.screens],
        "groups": [g.name for g in blackout.groups],
        "reason": blackout.reason,
        "in_force": blackout.in_force,
        "screens_covered": covered,
        "ordered_by": blackout.created_by.username if blackout.created_by else None,
        "ordered_at": isoformat_z(blackout.created_at),
        "lifted_by": blackout.lifted_by.username if blackout.lifted_by else None,
        "lifted_at": isoformat_z(blackout.lifted_at) if blackout.lifted_at else None,
    }


@reply
class AlertReply(TypedDict):
    id: int
    format: str
    sender: str
    identifier: str
    sent: str
    msg_type: str
    severity: str
    level: str | None
    event: str
    headline: str
    areas: list[str]
    expires: str | None
    origin: str
    received_by: str | None
    received_at: str
    outcome: str
    notice: int | None
    follows: int | None
    raw_sha256: str


@reply
class AlertTaken(TypedDict):
    """What became of a message: ``outcome`` is duplicate, ignored, waiting, published,
    cancelled or no_screens; ``alert`` is null when nothing was written."""

    outcome: str
    reason: str
    alert: AlertReply | None
    notice: int | None
    withdrawn: list[int]


@reply
class AlertList(TypedDict):
    items: list[AlertReply]


def alert_json(alert: OfficialAlert) -> AlertReply:
    return {
        "id": alert.id,
        "format": alert.format,
        "sender": alert.sender,
        "identifier": alert.identifier,
        "sent": isoformat_z(alert.sent_at),
        "msg_type": alert.msg_type,
        "severity": alert.severity,
        "level": alert.colour,
        "event": alert.event,
        "headline": alert.headline,
        "areas": list(alert.areas),
        "expires": isoformat_z(alert.expires_at) if alert.expires_at else None,
        "origin": alert.origin,
        "received_by": alert.received_by.username if alert.received_by else None,
        "received_at": isoformat_z(alert.received_at),
        "outcome": alert.outcome,
        "notice": alert.notice_id,
        "follows": alert.follows_id,
        "raw_sha256": alert.raw_sha256,
    }


def taken_json(taken: Taken) -> AlertTaken:
    return {
        "outcome": taken.outcome,
        "reason": taken.reason,
        "alert": alert_json(taken.alert) if taken.alert is not None else None,
        "notice": taken.notice_id,
        "withdrawn": list(taken.withdrawn),
    }


class TakeoverBody(Body):
    """A warning template filled in: a takeover (整屏接管) of the screens named, or of all."""

    template: Annotated[str, Field(description="a template's key (GET /takeover-templates)")]
    level: Literal["blue", "yellow", "orange", "red"]
    details: Annotated[str, Field(max_length=1000)] = ""
    hours: Annotated[int, Field(ge=1, le=72, description="how long it stays up"), WHOLE] = 6
    all: bool = False
    screens: list[ScreenKey] = Field(default_factory=list, max_length=10_000)
    groups: list[GroupName] = Field(default_factory=list, max_length=1_000)


@reply
class TemplateReply(TypedDict):
    key: str
    event: str
    guidance: str
    titles: dict[str, str]  # by level


@reply
class TemplateList(TypedDict):
    items: list[TemplateReply]
    levels: dict[str, str]


def template_json(template: Template) -> TemplateReply:
    return {
        "key": template.key,
        "event": template.event,
        "guidance": template.guidance,
        "titles": {level: template_title(template, level) for level in LEVELS},
    }
