"""Who may do what to a notice: finding it, reading it, writing and editing it (its author;
the duty officer for urgent ones), and whether it is still open. Every notice service asks
here first."""

from __future__ import annotations

from sqlalchemy.orm import Session

from playlists import Priority
from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role, require_staff
from signage.errors import Conflict, NotFound, PermissionDenied
from signage.notices.models import TERMINAL_STATUSES, Notice

__all__ = [
    "get_notice",
    "may_author",
    "may_edit",
    "require_author_of",
    "require_open",
    "view_notice",
]


def get_notice(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("no notice %(notice_id)s", notice_id=notice_id)
    return notice


def view_notice(session: Session, actor: User, notice_id: int) -> Notice:
    require_staff(actor)
    return get_notice(session, notice_id)


def require_author_of(actor: User, notice: Notice) -> None:
    require_role(actor, Role.AUTHOR, Role.DUTY)
    if notice.created_by_id != actor.id:
        raise PermissionDenied("only the notice's author can do this")


def may_author(actor: User, priority: str | None = Priority.NORMAL) -> None:
    """Raise unless ``actor`` may write notices (the editor page asks before showing a form);
    the duty officer writes urgent ones only (warnings, takeovers)."""
    require_role(actor, Role.AUTHOR, Role.DUTY)
    if not actor.has_role(Role.AUTHOR) and priority != Priority.URGENT:
        raise PermissionDenied("the duty role writes urgent notices only")


def may_edit(actor: User, notice: Notice) -> None:
    """Raise unless ``actor`` may edit ``notice`` now."""
    require_author_of(actor, notice)
    require_open(notice, "edit")


def require_open(notice: Notice, doing: str) -> None:
    """Raise unless ``notice`` is open (not withdrawn or expired)."""
    if notice.status in TERMINAL_STATUSES:
        raise Conflict(
            "cannot %(doing)s a notice that is %(status)s", doing=doing, status=notice.status
        )
