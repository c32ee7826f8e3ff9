"""Request bodies and JSON shapes of the accounts API."""

from __future__ import annotations

from typing import Any

from signage.accounts.models import ApiToken, User
from signage.api.common import Body
from signage.times import isoformat_z


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
    # Also revoke every API token of the account (their holders need new ones).
    revoke_tokens: bool = False


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
