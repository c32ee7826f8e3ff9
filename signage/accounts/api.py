"""JSON endpoints for users (admin) and one's own account and API tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from signage.accounts import services
from signage.accounts.models import ApiToken, User
from signage.accounts.permissions import require_staff
from signage.api.common import Body, actor, now, parse_body, session
from signage.audit.services import isoformat_z

bp = Blueprint("accounts", __name__)


class UserCreate(Body):
    username: str
    roles: list[str]
    display_name: str | None = None
    password: str | None = None


class UserEdit(Body):
    roles: list[str] | None = None
    active: bool | None = None
    display_name: str | None = None


class TokenCreate(Body):
    name: str


class PasswordChange(Body):
    old_password: str
    new_password: str


def user_json(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(r.value for r in user.roles),
        "active": user.active,
        "created_at": isoformat_z(user.created_at),
    }


def token_json(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": isoformat_z(token.created_at),
        "last_used_at": isoformat_z(token.last_used_at) if token.last_used_at else None,
        "revoked_at": isoformat_z(token.revoked_at) if token.revoked_at else None,
    }


@bp.get("/users")
def list_users() -> Any:
    return {"items": [user_json(u) for u in services.list_users(session(), actor())]}


@bp.post("/users")
def create_user() -> Any:
    body = parse_body(UserCreate)
    user, password = services.create_user(
        session(),
        actor(),
        username=body.username,
        roles=body.roles,
        display_name=body.display_name,
        password=body.password,
        now=now(),
    )
    answer = user_json(user)
    if body.password is None:
        answer["password"] = password  # generated: shown this once
    return answer, 201


@bp.patch("/users/<username>")
def edit_user(username: str) -> Any:
    body = parse_body(UserEdit)
    user = services.update_user(
        session(),
        actor(),
        username,
        roles=body.roles,
        active=body.active,
        display_name=body.display_name,
        now=now(),
    )
    return user_json(user)


@bp.get("/me")
def me() -> Any:
    user = actor()
    require_staff(user)
    return user_json(user)


@bp.post("/me/password")
def change_password() -> Any:
    body = parse_body(PasswordChange)
    services.change_password(
        session(),
        actor(),
        old_password=body.old_password,
        new_password=body.new_password,
        now=now(),
    )
    return {"changed": True}


@bp.get("/me/tokens")
def list_tokens() -> Any:
    return {"items": [token_json(t) for t in services.list_tokens(session(), actor())]}


@bp.post("/me/tokens")
def create_token() -> Any:
    body = parse_body(TokenCreate)
    token, text = services.create_token(session(), actor(), name=body.name, now=now())
    return token_json(token) | {"token": text}, 201


@bp.delete("/me/tokens/<int:token_id>")
def revoke_token(token_id: int) -> Any:
    token = services.revoke_token(session(), actor(), token_id, now=now())
    return token_json(token)
