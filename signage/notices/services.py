"""The notice workflow: create, edit, submit, approve, reject, withdraw, expire.

Rules (DESIGN, "Notice lifecycle"):

* Every edit makes a new revision with its own content hash. Only the newest revision can be
  pending (draft, submitted or rejected); an edit supersedes a pending draft or submitted one
  (a rejected one keeps its state, as the record of the decision).
* An edit keeps the notice where it was: a draft stays a draft, a submitted notice stays
  submitted with the new revision under review, a rejected one goes back to draft, and an
  approved notice keeps its live revision on the screens while the new one goes to review.
* Approval is of one submitted revision, by a reviewer who did not write it, with the
  confidentiality review confirmed. It makes that revision the live one.
* Withdrawn and expired notices are closed: nothing more can be done to them.
* A notice expires when no revision that could still be shown (the live one and the pending one)
  has any of its validity window left.

Only the notice's author edits, submits and withdraws it (a reviewer may withdraw too).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import Kind
from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role, require_staff
from signage.audit.services import record
from signage.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from signage.notices.content import (
    Content,
    NoticeFields,
    NoticeRules,
    check_content,
    enum_value,
    revision_fields,
)
from signage.notices.models import (
    TERMINAL_STATUSES,
    Notice,
    NoticeRevision,
    NoticeStatus,
    RevisionState,
)
from signage.notices.publicity import check_period
from signage.notices.queries import revision_screen_ids, target_screens, targets_screen
from signage.screens.epoch import bump_playlists
from signage.screens.services import screens_by_key

NOTE_MAX = 1000


def _new_revision(
    notice: Notice,
    content: Content,
    *,
    number: int,
    state: RevisionState,
    actor: User,
    now: dt.datetime,
) -> NoticeRevision:
    revision = NoticeRevision(
        number=number,
        state=state,
        **content.columns(),
        content_sha256=content.content_hash(),
        created_by_id=actor.id,
        created_by=actor,
        created_at=now,
        submitted_at=now if state == RevisionState.SUBMITTED else None,
        screens=content.screens,
        groups=content.groups,
    )
    notice.revisions.append(revision)
    return revision


def get_notice(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(f"no notice {notice_id}")
    return notice


def view_notice(session: Session, actor: User, notice_id: int) -> Notice:
    require_staff(actor)
    return get_notice(session, notice_id)


def _require_author_of(actor: User, notice: Notice) -> None:
    require_role(actor, Role.AUTHOR)
    if notice.created_by_id != actor.id:
        raise PermissionDenied("only the notice's author can do this")


def may_author(actor: User) -> None:
    """Raise unless ``actor`` may write notices (the editor page asks before showing a form)."""
    require_role(actor, Role.AUTHOR)


def may_edit(actor: User, notice: Notice) -> None:
    """Raise unless ``actor`` may edit ``notice`` now."""
    _require_author_of(actor, notice)
    require_open(notice, "edit")


def require_open(notice: Notice, doing: str) -> None:
    """Raise unless ``notice`` is open (not withdrawn or expired)."""
    if notice.status in TERMINAL_STATUSES:
        raise Conflict(f"cannot {doing} a notice that is {notice.status}")


def create_notice(
    session: Session, actor: User, fields_: NoticeFields, *, now: dt.datetime, rules: NoticeRules
) -> Notice:
    """Create a draft notice with its first revision (author)."""
    require_role(actor, Role.AUTHOR)
    values = fields_.given()
    for required in ("title", "category", "valid_from", "valid_until"):
        if required not in values:
            raise InvalidInput(f"{required} is required", field=required)
    content = check_content(session, values, rules)
    notice = Notice(
        status=NoticeStatus.DRAFT,
        created_by_id=actor.id,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(notice)
    revision = _new_revision(
        notice, content, number=1, state=RevisionState.DRAFT, actor=actor, now=now
    )
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.create",
        object_type="notice",
        object_id=notice.id,
        now=now,
        details={
            "revision": 1,
            "content_sha256": revision.content_sha256,
            "title": revision.title,
            "category": revision.category,
        },
    )
    return notice


def edit_notice(
    session: Session,
    actor: User,
    notice_id: int,
    fields_: NoticeFields,
    *,
    now: dt.datetime,
    rules: NoticeRules,
) -> Notice:
    """Make a new revision from the latest one with the given fields changed (author)."""
    notice = get_notice(session, notice_id)
    _require_author_of(actor, notice)
    require_open(notice, "edit")
    changes = fields_.given()
    if not changes:
        raise InvalidInput("the edit changes nothing")
    latest = notice.latest_revision
    values = dataclasses.asdict(revision_fields(latest)) | changes
    content = check_content(session, values, rules)
    if content.content_hash() == latest.content_sha256:
        raise InvalidInput("the edit changes nothing")
    status = NoticeStatus(notice.status)
    if status in (NoticeStatus.APPROVED, NoticeStatus.SUBMITTED):
        state = RevisionState.SUBMITTED  # goes (back) to review; a live revision stays live
    else:
        state = RevisionState.DRAFT
        notice.status = NoticeStatus.DRAFT
    pending = notice.pending_revision
    if pending is not None and pending.state != RevisionState.REJECTED:
        pending.state = RevisionState.SUPERSEDED  # a rejection stays on record as it was
    revision = _new_revision(
        notice, content, number=latest.number + 1, state=state, actor=actor, now=now
    )
    notice.updated_at = now
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.edit",
        object_type="notice",
        object_id=notice.id,
        now=now,
        details={
            "revision": revision.number,
            "content_sha256": revision.content_sha256,
            "state": state.value,
            "changed": sorted(changes),
        },
    )
    return notice


STRIP_MAX_HEIGHT = 32  # an image on a panel this low is a smear of a few rows of LEDs


def submit_notice(
    session: Session,
    actor: User,
    notice_id: int,
    *,
    now: dt.datetime,
    show_image_on_strips: bool = False,
) -> Notice:
    """Send the draft revision to review (author).

    An image aimed at a strip (32 px high or less) is refused unless the author says to show it
    anyway (``show_image_on_strips``), which the audit log records."""
    notice = get_notice(session, notice_id)
    _require_author_of(actor, notice)
    require_open(notice, "submit")
    revision = notice.pending_revision
    if revision is None or revision.state != RevisionState.DRAFT:
        raise Conflict(
            f"only a draft can be submitted; this notice is {notice.status}"
            + (" (edit it first)" if notice.status == NoticeStatus.REJECTED else "")
        )
    if not revision.screens and not revision.groups:
        raise InvalidInput("choose at least one screen or group before submitting", field="screens")
    if revision.valid_until <= now:
        raise InvalidInput("the validity window has already ended", field="valid_until")
    check_period(session, notice, revision, now=now)
    strips = _strips_for_image(session, revision)
    if strips and not show_image_on_strips:
        raise InvalidInput(
            f"an image cannot be read on a strip {STRIP_MAX_HEIGHT} px high or less "
            f"({', '.join(strips)}): aim it at panels, or submit with show_image_on_strips "
            "to show it there anyway",
            field="show_image_on_strips",
        )
    revision.state = RevisionState.SUBMITTED
    revision.submitted_at = now
    notice.status = NoticeStatus.SUBMITTED
    notice.updated_at = now
    record(
        session,
        actor=actor,
        action="notice.submit",
        object_type="notice",
        object_id=notice.id,
        now=now,
        details={"revision": revision.number, "content_sha256": revision.content_sha256}
        | ({"image_on_strips": strips} if strips else {}),
    )
    return notice


def _strips_for_image(session: Session, revision: NoticeRevision) -> list[str]:
    """The strips an image revision is aimed at (their keys and sizes)."""
    if revision.kind != Kind.IMAGE:
        return []
    return [
        f"{s.key} {s.width}×{s.height}"
        for s in target_screens(session, revision)
        if s.height <= STRIP_MAX_HEIGHT
    ]


def withdraw_notice(
    session: Session, actor: User, notice_id: int, *, reason: str, now: dt.datetime
) -> Notice:
    """Take a notice off every screen and close it (its author, or a reviewer)."""
    notice = get_notice(session, notice_id)
    if not actor.has_role(Role.REVIEWER):
        _require_author_of(actor, notice)
    elif not actor.active:
        raise PermissionDenied(f"user {actor.username!r} is deactivated")
    require_open(notice, "withdraw")
    reason = note_text(reason, "reason", required=True)
    was = notice.status
    notice.status = NoticeStatus.WITHDRAWN
    notice.closed_at = now
    notice.closed_by_id = actor.id
    notice.close_reason = reason
    notice.updated_at = now
    if was == NoticeStatus.APPROVED:
        bump_playlists(session, revision_screen_ids(session, notice.live_revision))
    record(
        session,
        actor=actor,
        action="notice.withdraw",
        object_type="notice",
        object_id=notice.id,
        now=now,
        details={"reason": reason, "was": was},
    )
    return notice


def list_notices(
    session: Session,
    actor: User,
    *,
    status: str | None = None,
    category: str | None = None,
    screen: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Notice], int]:
    """Return one page of notices matching the filters (newest first) and the total count.

    ``screen`` matches notices whose latest revision targets the screen directly or through one
    of its groups.
    """
    require_staff(actor)
    latest = (
        sa.select(sa.func.max(NoticeRevision.id))
        .where(NoticeRevision.notice_id == Notice.id)
        .correlate(Notice)
        .scalar_subquery()
    )
    query = sa.select(Notice).join(NoticeRevision, NoticeRevision.id == latest)
    if status is not None:
        query = query.where(Notice.status == enum_value(NoticeStatus, status, "status"))
    if category is not None:
        query = query.where(NoticeRevision.category == category)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(
                NoticeRevision.title.ilike(pattern, escape="\\"),
                NoticeRevision.body.ilike(pattern, escape="\\"),
            )
        )
    if screen is not None:
        target = screens_by_key(session, [screen], field="screen")[0]
        query = query.where(targets_screen(target.id))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Notice.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def note_text(value: str | None, field: str, *, required: bool) -> str:
    """A reviewer's note or reason, trimmed and checked."""
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"a {field} is required", field=field)
    if len(text) > NOTE_MAX:
        raise InvalidInput(f"the {field} must be at most {NOTE_MAX} characters", field=field)
    return text


__all__ = [
    "NoticeFields",
    "NoticeRules",
    "create_notice",
    "edit_notice",
    "list_notices",
    "submit_notice",
    "withdraw_notice",
]
