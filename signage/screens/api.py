"""JSON endpoints for screens and screen groups."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, url_for
from pydantic import Field

from signage.api.common import Body, actor, now, parse_body, session
from signage.audit.services import isoformat_z
from signage.errors import InvalidInput
from signage.screens import services
from signage.screens.models import Screen, ScreenGroup
from signage.screens.services import ScreenFields, describe_screen, parse_size

bp = Blueprint("screens", __name__)


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


def screen_json(screen: Screen) -> dict[str, Any]:
    from signage.health.models import ScreenStatus
    from signage.health.services import status_json

    status = sa.inspect(screen).session.get(ScreenStatus, screen.id)  # type: ignore[union-attr]
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


def _size(size: str | None, width: int | None, height: int | None) -> tuple[int | None, int | None]:
    if size is not None:
        return parse_size(size)
    return width, height


@bp.get("/screens")
def list_() -> Any:
    return {"items": [screen_json(s) for s in services.list_screens(session(), actor())]}


@bp.post("/screens")
def create() -> Any:
    body = parse_body(ScreenCreate)
    width, height = _size(body.size, body.width, body.height)
    if width is None or height is None:
        raise InvalidInput("give the pixel size as size (WxH) or width and height", field="size")
    screen, token = services.create_screen(
        session(),
        actor(),
        key=body.key,
        name=body.name,
        width=width,
        height=height,
        color=body.color,
        timezone=body.timezone,
        hours=body.hours,
        location=body.location,
        groups=body.groups,
        now=now(),
    )
    return (
        screen_json(screen) | {"token": token},
        201,
        {"Location": url_for(".get", key=screen.key)},
    )


@bp.get("/screens/<key>")
def get(key: str) -> Any:
    return screen_json(services.view_screen(session(), actor(), key))


@bp.patch("/screens/<key>")
def edit(key: str) -> Any:
    body = parse_body(ScreenEdit)
    width, height = _size(body.size, body.width, body.height)
    fields = ScreenFields(
        name=body.name,
        location=body.location,
        width=width,
        height=height,
        color=body.color,
        timezone=body.timezone,
        hours=body.hours,
        groups=tuple(body.groups) if body.groups is not None else None,
    )
    return screen_json(services.update_screen(session(), actor(), key, fields, now=now()))


@bp.post("/screens/<key>/token")
def rotate_token(key: str) -> Any:
    screen, token = services.rotate_screen_token(session(), actor(), key, now=now())
    return {"key": screen.key, "token": token, "token_prefix": screen.token_prefix}


@bp.get("/groups")
def list_groups() -> Any:
    return {"items": [group_json(g) for g in services.list_groups(session(), actor())]}


@bp.post("/groups")
def create_group() -> Any:
    body = parse_body(GroupCreate)
    group = services.create_group(
        session(), actor(), name=body.name, description=body.description, now=now()
    )
    return group_json(group), 201
