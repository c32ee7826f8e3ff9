"""Request bodies and JSON shapes of the blackouts API."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict

from signage.api.common import Body, Query
from signage.api.contract import reply
from signage.emergency.blackouts import REASON_MAX
from signage.emergency.models import Blackout
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
