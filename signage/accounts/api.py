"""JSON endpoints for users (admin) and one's own account and API tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from signage.accounts import services, sessions
from signage.accounts.permissions import require_staff
from signage.accounts.schemas import (
    PasswordChange,
    PasswordChanged,
    SessionsEnded,
    TokenCreate,
    TokenIssued,
    TokenList,
    TokenReply,
    UserCreate,
    UserCreated,
    UserEdit,
    UserList,
    UserReply,
    token_json,
    user_json,
)
from signage.api.common import actor, now, parse_body, session
from signage.api.contract import contract
from signage.errors import PermissionDenied
from signage.limits import PASSWORD_FAILURES, address_and_account, failed, limiter

bp = Blueprint("accounts", __name__)


@bp.get("/users")
@contract("List users", "admin", answers=UserList)
def list_users() -> Any:
    return {"items": [user_json(u) for u in services.list_users(session(), actor())]}


@bp.post("/users")
@contract(
    "Create a user (a generated password is shown once)",
    "admin",
    ok=201,
    body=UserCreate,
    answers=UserCreated,
)
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
@contract("Change roles, active flag or name", "admin", body=UserEdit, answers=UserReply)
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
@contract("The calling user", "any staff role", answers=UserReply)
def me() -> Any:
    user = actor()
    require_staff(user)
    return user_json(user)


@bp.post("/me/password")
@contract(
    "Change one's own password (ends one's sign-ins; revoke_tokens also revokes one's API tokens)",
    "any staff role",
    body=PasswordChange,
    answers=PasswordChanged,
)
@limiter.limit(PASSWORD_FAILURES, key_func=address_and_account, deduct_when=failed)
def change_password() -> Any:
    body = parse_body(PasswordChange)
    db = session()
    try:
        revoked = services.change_password(
            db,
            actor(),
            old_password=body.old_password,
            new_password=body.new_password,
            now=now(),
            revoke_tokens=body.revoke_tokens,
        )
    except PermissionDenied:
        db.commit()  # the wrong guess stays on record
        raise
    return {"changed": True, "tokens_revoked": revoked}


@bp.delete("/users/<username>/sessions")
@contract("End every sign-in of the user on the web pages", "admin", answers=SessionsEnded)
def end_user_sessions(username: str) -> Any:
    db = session()
    user = actor()
    ended = sessions.end_sessions_of(db, user, services.get_user(db, username), now=now())
    return {"username": username, "sessions_ended": ended}


@bp.get("/me/tokens")
@contract("One's own API tokens", "any staff role", answers=TokenList)
def list_tokens() -> Any:
    return {"items": [token_json(t) for t in services.list_tokens(session(), actor())]}


@bp.post("/me/tokens")
@contract(
    "Issue a personal API token (shown once)",
    "any staff role",
    ok=201,
    body=TokenCreate,
    answers=TokenIssued,
)
def create_token() -> Any:
    body = parse_body(TokenCreate)
    token, text = services.create_token(session(), actor(), name=body.name, now=now())
    return token_json(token) | {"token": text}, 201


@bp.delete("/me/tokens/<int:token_id>")
@contract("Revoke one of one's tokens (admins: anyone's)", "any staff role", answers=TokenReply)
def revoke_token(token_id: int) -> Any:
    token = services.revoke_token(session(), actor(), token_id, now=now())
    return token_json(token)
