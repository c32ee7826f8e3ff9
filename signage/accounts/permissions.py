"""Role checks. Services call these, so every entry point (API, pages, CLI) is held to them."""

from __future__ import annotations

from signage.accounts.models import Role, User
from signage.errors import PermissionDenied

# Who reads the display log and the reports built on it.
SUPERVISING = (Role.SUPERVISOR, Role.ADMIN)


def require_role(actor: User, *roles: Role) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` is active and has one of ``roles``."""
    if not actor.active:
        raise PermissionDenied("user %(username)s is deactivated", username=repr(actor.username))
    if not actor.roles.intersection(roles):
        needed = " or ".join(r.value for r in roles)
        raise PermissionDenied("this needs the %(needed)s role", needed=needed)


def require_staff(actor: User) -> None:
    """Raise unless ``actor`` is an active user with at least one role."""
    require_role(actor, *Role)
