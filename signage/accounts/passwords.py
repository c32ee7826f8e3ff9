"""An admin resets another user's password (a forgotten one, a person leaving a post).

The new password is generated unless one is given, shown once to whoever reset it, and never
stored but as its hash; every sign-in of the user ends, so whoever knew the old one is signed
out at once. The reset is audited (``user.password_reset``), without the password.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role
from signage.accounts.services import (
    check_password_rules,
    generate_password,
    get_user,
    hash_password,
)
from signage.accounts.sessions import EndReason, end_sessions
from signage.audit.services import record


def reset_password(
    session: Session,
    actor: User | None,
    username: str,
    *,
    now: dt.datetime,
    password: str | None = None,
) -> str:
    """Give ``username`` a new password (generated when ``password`` is None) and end their
    sign-ins; return the password. ``actor`` None is the command line, on the server itself."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    user = get_user(session, username)
    if password is None:
        password = generate_password()
    else:
        check_password_rules(password)
    user.password_hash = hash_password(password)
    ended = end_sessions(session, user, reason=EndReason.PASSWORD_RESET, now=now)
    record(
        session,
        actor=actor,
        action="user.password_reset",
        object_type="user",
        object_id=user.username,
        now=now,
        details={"sessions_ended": ended},
    )
    return password
