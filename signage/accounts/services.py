"""Users, roles, passwords, login throttling and personal API tokens."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from signage.accounts.models import ApiToken, LoginThrottle, Role, User, UserRole, UserSession
from signage.accounts.permissions import require_role
from signage.accounts.sessions import EndReason, end_sessions
from signage.accounts.tokens import PERSONAL_PREFIX, display_prefix, new_token, token_hash
from signage.audit.services import record
from signage.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 256

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Verified against when the user name is unknown, so both cases take the same time; made on
# first use, as hashing takes a noticeable moment and most commands never need it.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
    return _DUMMY_HASH


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    """Return a random password that is easy to type from a printout (no 0/O, 1/l)."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            "the password must have at least %(min_password)s characters",
            min_password=MIN_PASSWORD,
            field="password",
        )
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(
            "the password is longer than %(max_password)s characters",
            max_password=MAX_PASSWORD,
            field="password",
        )


def parse_roles(values: Iterable[str]) -> frozenset[Role]:
    roles = set()
    for value in values:
        try:
            roles.add(Role(value))
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise InvalidInput(
                "unknown role %(value)s; roles are %(allowed)s",
                value=repr(value),
                allowed=allowed,
                field="roles",
            ) from None
    if not roles:
        raise InvalidInput("a user needs at least one role", field="roles")
    return frozenset(roles)


def get_user(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound("no user %(username)s", username=repr(username))
    return user


def list_users(session: Session, actor: User | None) -> list[User]:
    """Every user, by name (admin; ``actor`` None: the command line)."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    return list(session.scalars(sa.select(User).order_by(User.username)))


def create_user(
    session: Session,
    actor: User | None,
    *,
    username: str,
    roles: Iterable[str],
    now: dt.datetime,
    display_name: str | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create a user; return it and its password (generated when none is given).

    ``actor`` None is the command line run by the operator of the machine (``signage user add``,
    ``signage init``), who needs no account to make the first one.
    """
    if actor is not None:
        require_role(actor, Role.ADMIN)
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput(
            "a user name is 2–64 characters: lowercase letters, digits, '.', '_' or '-'",
            field="username",
        )
    role_set = parse_roles(roles)
    display_name = (display_name or username).strip()
    if not 1 <= len(display_name) <= 100:
        raise InvalidInput("the display name must be 1–100 characters", field="display_name")
    if password is None:
        password = generate_password()
    check_password_rules(password)
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise Conflict(
            "user %(username)s already exists", username=repr(username), field="username"
        )
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        active=True,
        created_at=now,
        role_rows=[UserRole(role=r.value) for r in sorted(role_set)],
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        actor_name="cli",
        action="user.create",
        object_type="user",
        object_id=user.username,
        now=now,
        details={"roles": sorted(r.value for r in role_set), "display_name": display_name},
    )
    return user, password


def update_user(
    session: Session,
    actor: User,
    username: str,
    *,
    now: dt.datetime,
    roles: Iterable[str] | None = None,
    active: bool | None = None,
    display_name: str | None = None,
) -> User:
    """Change a user's roles, active flag or display name (admin)."""
    require_role(actor, Role.ADMIN)
    user = get_user(session, username)
    changes: dict[str, object] = {}
    if roles is not None:
        role_set = parse_roles(roles)
        if user.id == actor.id and Role.ADMIN not in role_set:
            raise Conflict("you cannot take the admin role from yourself", field="roles")
        if role_set != user.roles:
            user.role_rows = [UserRole(role=r.value) for r in sorted(role_set)]
            changes["roles"] = sorted(r.value for r in role_set)
    if active is not None and active != user.active:
        if user.id == actor.id and not active:
            raise Conflict("you cannot deactivate yourself", field="active")
        user.active = active
        changes["active"] = active
        if not active:  # a reactivated user signs in afresh: ended sessions stay ended
            changes["sessions_ended"] = end_sessions(
                session, user, reason=EndReason.DEACTIVATED, now=now
            )
    if display_name is not None:
        display_name = display_name.strip()
        if not 1 <= len(display_name) <= 100:
            raise InvalidInput("the display name must be 1–100 characters", field="display_name")
        if display_name != user.display_name:
            user.display_name = display_name
            changes["display_name"] = display_name
    if not changes:
        raise InvalidInput("the request changes nothing")
    session.flush()
    record(
        session,
        actor=actor,
        action="user.update",
        object_type="user",
        object_id=user.username,
        now=now,
        details=changes,
    )
    return user


def change_password(
    session: Session,
    actor: User,
    *,
    old_password: str,
    new_password: str,
    now: dt.datetime,
    revoke_tokens: bool = False,
    keep: UserSession | None = None,
) -> int:
    """Change the actor's own password after checking the old one; end their other sign-ins
    (all but ``keep``, the one making the change) and, if asked, revoke their API tokens.
    Return how many tokens were revoked.

    A wrong current password is audited before the refusal; the caller commits even then (the
    rate limits of :mod:`signage.limits` bound how often that can happen).
    """
    if not _verify(actor.password_hash, old_password):
        record(
            session,
            actor=actor,
            action="user.password_change_failed",
            object_type="user",
            object_id=actor.username,
            now=now,
        )
        raise PermissionDenied("the current password is wrong", field="old_password")
    check_password_rules(new_password)
    actor.password_hash = hash_password(new_password)
    ended = end_sessions(session, actor, reason=EndReason.PASSWORD_CHANGED, now=now, keep=keep)
    revoked = 0
    if revoke_tokens:
        for token in session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None))
        ):
            token.revoked_at = now
            revoked += 1
    record(
        session,
        actor=actor,
        action="user.password_change",
        object_type="user",
        object_id=actor.username,
        now=now,
        details={"sessions_ended": ended, "tokens_revoked": revoked},
    )
    return revoked


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Failures are counted per user name within a window; a name's row is forgotten a day after
# its last failure, so made-up names leave nothing behind for long.
FAILURE_WINDOW = dt.timedelta(minutes=15)
FORGET_FAILURES_AFTER = dt.timedelta(days=1)
AUDIT_EVERY = 10  # the first failure of a window is audited, then every tenth


def authenticate(session: Session, *, username: str, password: str, now: dt.datetime) -> User:
    """Return the user for a correct name and password, or raise :class:`Unauthenticated`.

    Unknown names and wrong passwords answer alike and take the same time. A failure is counted
    for the name (known or not), and audited the first time in a window and every tenth time
    after, so guessing cannot fill the audit log; the caller must commit even when this raises.
    Nothing here locks an account: the rate limits of :mod:`signage.limits` slow the guesser,
    per client address, and nobody else.
    """
    name = username.strip().lower()[:64]
    user = session.scalar(sa.select(User).where(User.username == name))
    ok = _verify(user.password_hash if user else _dummy_hash(), password)
    if user is None or not ok or not user.active:
        reason = "unknown user" if user is None else ("inactive" if ok else "wrong password")
        _count_failure(session, name, reason, now=now)
        raise Unauthenticated("wrong user name or password")
    throttle = session.get(LoginThrottle, name)
    if throttle is not None:
        session.delete(throttle)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record(
        session,
        actor=user,
        action="user.login",
        object_type="user",
        object_id=user.username,
        now=now,
    )
    return user


def _count_failure(session: Session, name: str, reason: str, *, now: dt.datetime) -> None:
    session.execute(
        sa.delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_FAILURES_AFTER)
    )
    throttle = session.get(LoginThrottle, name)
    if throttle is None:
        throttle = LoginThrottle(username=name, failures=0, window_started_at=now)
        session.add(throttle)
    elif now - throttle.window_started_at > FAILURE_WINDOW:
        throttle.failures, throttle.window_started_at = 0, now
    throttle.failures += 1
    throttle.last_failure_at = now
    if throttle.failures == 1 or throttle.failures % AUDIT_EVERY == 0:
        record(
            session,
            actor=None,
            actor_name=name,
            action="user.login_failed",
            object_type="user",
            object_id=name,
            now=now,
            details={"reason": reason, "failures": throttle.failures},
        )


def create_token(
    session: Session, actor: User, *, name: str, now: dt.datetime
) -> tuple[ApiToken, str]:
    """Issue a personal API token for the actor; return it and the token text (shown once)."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("a token name must be 1–100 characters", field="name")
    if not actor.active:
        raise PermissionDenied("user %(username)s is deactivated", username=repr(actor.username))
    text = new_token(PERSONAL_PREFIX)
    token = ApiToken(
        user_id=actor.id,
        name=name,
        token_hash=token_hash(text),
        prefix=display_prefix(text),
        created_at=now,
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor=actor,
        action="token.create",
        object_type="api_token",
        object_id=token.id,
        now=now,
        details={"name": name, "prefix": token.prefix},
    )
    return token, text


def list_tokens(session: Session, actor: User) -> list[ApiToken]:
    return list(
        session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.id)
        )
    )


def revoke_token(session: Session, actor: User, token_id: int, *, now: dt.datetime) -> ApiToken:
    """Revoke one of the actor's tokens (an admin may revoke anyone's)."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not actor.has_role(Role.ADMIN)):
        raise NotFound("no token %(token_id)s", token_id=token_id)
    if token.revoked_at is not None:
        raise Conflict("the token is already revoked")
    token.revoked_at = now
    record(
        session,
        actor=actor,
        action="token.revoke",
        object_type="api_token",
        object_id=token.id,
        now=now,
        details={"user": token.user.username},
    )
    return token


def user_for_token(session: Session, text: str, *, now: dt.datetime) -> User:
    """Return the active user a bearer token belongs to, or raise :class:`Unauthenticated`."""
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_hash(text)))
    if token is None or token.revoked_at is not None or not token.user.active:
        raise Unauthenticated("the API token is unknown, revoked or its user deactivated")
    # Note use at most once a minute: a write on every request would cost more than it tells.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = now
    return token.user
