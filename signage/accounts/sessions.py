"""Sign-in sessions of the web pages, kept on the server (:class:`UserSession`).

A session starts at sign-in and ends when its user signs out or ends it from the account page,
when the user's password changes (every other session) or the user is deactivated (every
session), when an admin ends the user's sessions, or ``SIGNAGE_SESSION_HOURS`` after it
started. An ended session never comes back: a reactivated user signs in again.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import Role, User, UserSession
from signage.accounts.permissions import require_role
from signage.audit.services import record
from signage.errors import NotFound

SEEN_EVERY = dt.timedelta(minutes=1)  # how often a session's "last seen" is written


class EndReason(enum.StrEnum):
    SIGNED_OUT = "signed_out"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"  # by an admin
    DEACTIVATED = "deactivated"
    ENDED = "ended"  # by its user, from the account page
    ENDED_BY_ADMIN = "ended_by_admin"
    EXPIRED = "expired"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(
    session: Session, user: User, *, now: dt.datetime, address: str = "", user_agent: str = ""
) -> tuple[UserSession, str]:
    """Start a session for ``user``; return it and the secret its cookie carries."""
    secret = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id,
        user=user,
        secret_hash=_digest(secret),
        created_at=now,
        last_seen_at=now,
        address=address[:64],
        user_agent=user_agent[:200],
    )
    session.add(row)
    session.flush()
    return row, secret


def session_for(
    session: Session, secret: str, *, now: dt.datetime, lifetime: dt.timedelta
) -> UserSession | None:
    """The live session whose cookie carries ``secret``, or None (unknown, ended, expired, or
    its user deactivated). Notes when it was last seen, at most once a minute."""
    row = session.scalar(sa.select(UserSession).where(UserSession.secret_hash == _digest(secret)))
    if row is None or row.ended_at is not None or not row.user.active:
        return None
    if now - row.created_at >= lifetime:
        row.ended_at, row.ended_reason = now, EndReason.EXPIRED
        return None
    if now - row.last_seen_at > SEEN_EVERY:
        row.last_seen_at = now
    return row


def end_session(session: Session, row: UserSession, *, reason: EndReason, now: dt.datetime) -> None:
    """End one session (nothing changes if it has ended already)."""
    if row.ended_at is None:
        row.ended_at, row.ended_reason = now, reason
        session.flush()


def end_sessions(
    session: Session,
    user: User,
    *,
    reason: EndReason,
    now: dt.datetime,
    keep: UserSession | None = None,
) -> int:
    """End every live session of ``user`` but ``keep``; return how many ended."""
    query = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    # The session's own copies of those rows are brought up to date with them ("evaluate").
    ended = session.execute(query.values(ended_at=now, ended_reason=reason)).rowcount
    return int(ended or 0)


def live_sessions(session: Session, actor: User) -> list[UserSession]:
    """The actor's own live sessions, newest first."""
    return list(
        session.scalars(
            sa.select(UserSession)
            .where(UserSession.user_id == actor.id, UserSession.ended_at.is_(None))
            .order_by(UserSession.created_at.desc(), UserSession.id.desc())
        )
    )


def end_own_session(session: Session, actor: User, session_id: int, *, now: dt.datetime) -> None:
    """End one of the actor's own sessions (from the account page)."""
    row = session.get(UserSession, session_id)
    if row is None or row.user_id != actor.id:
        raise NotFound("no session %(session_id)s", session_id=session_id)
    end_session(session, row, reason=EndReason.ENDED, now=now)


def end_sessions_of(session: Session, actor: User, user: User, *, now: dt.datetime) -> int:
    """End every session of ``user`` (admin); the audit log records it."""
    require_role(actor, Role.ADMIN)
    ended = end_sessions(session, user, reason=EndReason.ENDED_BY_ADMIN, now=now)
    record(
        session,
        actor=actor,
        action="user.sessions_end",
        object_type="user",
        object_id=user.username,
        now=now,
        details={"ended": ended},
    )
    return ended
