"""Request bodies and JSON shapes of the accounts API."""

from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from pydantic import Field
from typing_extensions import TypedDict

from signage.accounts.models import ApiToken, Role, User
from signage.accounts.services import MAX_PASSWORD, MIN_PASSWORD, USERNAME
from signage.api.common import Body
from signage.api.contract import reply
from signage.times import isoformat_z

# The limits the service checks, in the request bodies' JSON Schema too.
Username = Annotated[str, Field(pattern=USERNAME.pattern, description="e.g. zhang.min")]
RoleName = Literal[tuple(r.value for r in Role)]  # type: ignore[valid-type]
Roles = Annotated[list[RoleName], Field(min_length=1)]
DisplayName = Annotated[str, Field(min_length=1, max_length=100)]
Password = Annotated[str, Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)]


class UserCreate(Body):
    username: Username
    roles: Roles
    display_name: DisplayName | None = None
    password: Password | None = Field(default=None, description="none: one is made up")


class UserEdit(Body):
    roles: Roles | None = None
    active: bool | None = None
    display_name: DisplayName | None = None


class TokenCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=100, description="what it is for")]


class PasswordChange(Body):
    old_password: Annotated[str, Field(max_length=MAX_PASSWORD)]
    new_password: Password
    # Also revoke every API token of the account (their holders need new ones).
    revoke_tokens: bool = False


@reply
class UserReply(TypedDict):
    username: str
    display_name: str
    roles: list[str]
    active: bool
    created_at: str


@reply
class UserCreated(UserReply):
    password: NotRequired[str]  # generated: shown this once


@reply
class UserList(TypedDict):
    items: list[UserReply]


@reply
class TokenReply(TypedDict):
    id: int
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


@reply
class TokenIssued(TokenReply):
    token: str  # shown this once


@reply
class TokenList(TypedDict):
    items: list[TokenReply]


@reply
class PasswordChanged(TypedDict):
    changed: bool
    tokens_revoked: int


@reply
class SessionsEnded(TypedDict):
    username: str
    sessions_ended: int


def user_json(user: User) -> UserReply:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(r.value for r in user.roles),
        "active": user.active,
        "created_at": isoformat_z(user.created_at),
    }


def token_json(token: ApiToken) -> TokenReply:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": isoformat_z(token.created_at),
        "last_used_at": isoformat_z(token.last_used_at) if token.last_used_at else None,
        "revoked_at": isoformat_z(token.revoked_at) if token.revoked_at else None,
    }
