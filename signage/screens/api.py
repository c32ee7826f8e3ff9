"""JSON endpoints for screens and screen groups."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for

from playlists.evidence import PlayerKeyAnswer, PlayerKeyRegistration
from signage.api.common import (
    actor,
    csv_response,
    forget_when_committed,
    now,
    parse_body,
    parse_query,
    screen_id_from_token,
    session,
)
from signage.api.contract import contract
from signage.errors import BadRequest, InvalidInput
from signage.health.schemas import refusal_json
from signage.health.services import refusals, screen_statuses
from signage.screens import services
from signage.screens.models import Screen
from signage.screens.player_keys import register_player_key
from signage.screens.register import register_csv, register_rows, screen_register
from signage.screens.schemas import (
    GroupCreate,
    GroupEdit,
    GroupList,
    GroupReply,
    RegisterQuery,
    RegisterReply,
    ScreenCreate,
    ScreenCreated,
    ScreenEdit,
    ScreenList,
    ScreenReply,
    TokenRotated,
    group_json,
    screen_json,
)
from signage.screens.services import ScreenFields
from signage.screens.values import parse_size

bp = Blueprint("screens", __name__)


def _size(size: str | None, width: int | None, height: int | None) -> tuple[int | None, int | None]:
    if size is not None:
        return parse_size(size)
    return width, height


def _with_status(screen: Screen) -> dict[str, Any]:
    return screen_json(screen, screen_statuses(session(), [screen.id]).get(screen.id))


@bp.get("/screens")
@contract("List screens with their state", "any staff role", answers=ScreenList)
def list_() -> Any:
    screens = services.list_screens(session(), actor())
    statuses = screen_statuses(session(), [s.id for s in screens])
    return {"items": [screen_json(s, statuses.get(s.id)) for s in screens]}


@bp.post("/screens")
@contract(
    "Register a screen (its token is shown once)",
    "admin",
    ok=201,
    body=ScreenCreate,
    answers=ScreenCreated,
)
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
        settings=body.given(),
        register=body.register_given(),
        now=now(),
    )
    return (
        _with_status(screen) | {"token": token},
        201,
        {"Location": url_for(".get", key=screen.key)},
    )


@bp.get("/screen-register")
@contract(
    "The register of screens (带屏电子显示终端登记): one entry per screen (format=csv: a CSV)",
    "supervisor, admin",
    query=RegisterQuery,
    answers=RegisterReply,
    csv=True,
)
def register() -> Any:
    q = parse_query(RegisterQuery)
    screens = screen_register(session(), actor())
    if q.format == "csv":
        return csv_response(register_csv(screens), "screen-register.csv", for_excel=True)
    return {"items": register_rows(screens)}


@bp.get("/screens/<key>")
@contract("A screen with its state", "any staff role", answers=ScreenReply)
def get(key: str) -> Any:
    screen = services.view_screen(session(), actor(), key)
    refused = refusals(session(), screen.id, limit=10)
    return _with_status(screen) | {"refusals": [refusal_json(r) for r in refused]}


@bp.patch("/screens/<key>")
@contract("Change a screen's settings", "admin", body=ScreenEdit, answers=ScreenReply)
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
        settings=body.given() or None,
        register=body.register_given() or None,
    )
    return _with_status(services.update_screen(session(), actor(), key, fields, now=now()))


@bp.post("/screens/<key>/token")
@contract(
    "Give the screen a new token (shown once); the old one stops working",
    "admin",
    answers=TokenRotated,
)
def rotate_token(key: str) -> Any:
    screen, token = services.rotate_screen_token(session(), actor(), key, now=now())
    forget_when_committed(screen.id)
    return {"key": screen.key, "token": token, "token_prefix": screen.token_prefix}


@bp.get("/groups")
@contract("List screen groups", "any staff role", answers=GroupList)
def list_groups() -> Any:
    return {"items": [group_json(g) for g in services.list_groups(session(), actor())]}


@bp.post("/groups")
@contract("Create a screen group", "admin", ok=201, body=GroupCreate, answers=GroupReply)
def create_group() -> Any:
    body = parse_body(GroupCreate)
    group = services.create_group(
        session(),
        actor(),
        name=body.name,
        description=body.description,
        sensitive=body.sensitive,
        now=now(),
    )
    return group_json(group), 201


@bp.patch("/groups/<name>")
@contract(
    "Mark a screen group sensitive (its notices get the escalation stage) or not",
    "admin",
    body=GroupEdit,
    answers=GroupReply,
)
def edit_group(name: str) -> Any:
    body = parse_body(GroupEdit)
    group = services.mark_group(session(), actor(), name, sensitive=body.sensitive, now=now())
    return group_json(group)


@bp.post("/player/key")
@contract(
    "Register the player's own Ed25519 public key (first contact); 409 if the screen has "
    "another until an admin rotates its token",
    "a screen, with its own token",
    document=PlayerKeyRegistration,
    answers=PlayerKeyAnswer,
    ok=201,
    also=(200,),
    auth="screen",
)
def register_key() -> Any:
    screen_id = screen_id_from_token()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "public_key" not in body:
        raise BadRequest('send {"public_key": "<base64url of the 32 raw bytes>"} as JSON')
    key, created = register_player_key(session(), screen_id, body["public_key"], now=now())
    answer: PlayerKeyAnswer = {"key_id": key.key_id, "registered": created}
    return answer, 201 if created else 200
