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

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import canonical_json, sha256_hex
from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role, require_staff
from signage.audit.models import AuditEntry
from signage.audit.services import isoformat_z, record
from signage.delivery.changes import bump_playlists, revision_screen_ids
from signage.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from signage.media.models import Media
from signage.notices.models import (
    TERMINAL_STATUSES,
    Kind,
    Notice,
    NoticeRevision,
    NoticeStatus,
    Priority,
    RevisionState,
    targets_screen,
)
from signage.screens.models import Screen, ScreenGroup
from signage.screens.services import groups_by_name, normalise_hours, screens_by_key

TITLE_MAX = 200
BODY_MAX = 5000
NOTE_MAX = 1000
DURATION_RANGE = (3, 600)
WORKING_DAYS_RANGE = (1, 60)
MAX_WINDOW = dt.timedelta(days=3 * 366)


@dataclass(frozen=True)
class NoticeFields:
    """The content of a revision; ``None`` means "not given" (keep the previous value on edit).

    To clear ``dayparts``, ``media_sha256`` or ``required_working_days`` on an edit, pass ``""``
    or ``0`` respectively; ``screens`` and ``groups`` are replaced when given.
    """

    title: str | None = None
    body: str | None = None
    category: str | None = None
    kind: str | None = None
    media_sha256: str | None = None
    priority: str | None = None
    duration_s: int | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    dayparts: str | None = None
    screens: Sequence[str] | None = None
    groups: Sequence[str] | None = None
    required_working_days: int | None = None

    def given(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


@dataclass(frozen=True)
class NoticeRules:
    """Deployment settings the workflow checks against."""

    categories: tuple[str, ...]


@dataclass(frozen=True)
class _Content:
    title: str
    body: str
    category: str
    kind: str
    media_sha256: str | None
    priority: str
    duration_s: int
    valid_from: dt.datetime
    valid_until: dt.datetime
    dayparts: str | None
    screens: list[Screen]
    groups: list[ScreenGroup]
    required_working_days: int | None

    def content_hash(self) -> str:
        return sha256_hex(
            canonical_json(
                {
                    "title": self.title,
                    "body": self.body,
                    "category": self.category,
                    "kind": self.kind,
                    "media_sha256": self.media_sha256,
                    "priority": self.priority,
                    "duration_s": self.duration_s,
                    "valid_from": isoformat_z(self.valid_from),
                    "valid_until": isoformat_z(self.valid_until),
                    "dayparts": self.dayparts,
                    "screens": sorted(s.key for s in self.screens),
                    "groups": sorted(g.name for g in self.groups),
                    "required_working_days": self.required_working_days,
                }
            )
        )


def _validate(session: Session, values: dict[str, Any], rules: NoticeRules) -> _Content:
    """Check every field of a complete revision; raise :class:`InvalidInput` naming the field."""
    title = str(values["title"]).strip()
    if not 1 <= len(title) <= TITLE_MAX:
        raise InvalidInput(f"the title must be 1–{TITLE_MAX} characters", field="title")
    body = str(values.get("body") or "").strip()
    if len(body) > BODY_MAX:
        raise InvalidInput(f"the body must be at most {BODY_MAX} characters", field="body")
    category = values["category"]
    if category not in rules.categories:
        raise InvalidInput(
            f"unknown category {category!r}; categories are {'、'.join(rules.categories)}",
            field="category",
        )
    kind = _enum(Kind, values.get("kind") or Kind.TEXT, "kind")
    priority = _enum(Priority, values.get("priority") or Priority.NORMAL, "priority")
    media_sha256 = values.get("media_sha256") or None
    if kind == Kind.IMAGE:
        if media_sha256 is None:
            raise InvalidInput(
                "an image notice needs media_sha256 (upload the image first)", field="media_sha256"
            )
        media_sha256 = str(media_sha256).lower()
        if session.get(Media, media_sha256) is None:
            raise InvalidInput(f"no uploaded media {media_sha256!r}", field="media_sha256")
    elif media_sha256 is not None:
        raise InvalidInput("only image notices carry media", field="media_sha256")
    duration_s = values.get("duration_s") or 15
    if (
        isinstance(duration_s, bool)
        or not isinstance(duration_s, int)
        or not (DURATION_RANGE[0] <= duration_s <= DURATION_RANGE[1])
    ):
        raise InvalidInput(
            f"duration_s must be a whole number of seconds, {DURATION_RANGE[0]}–"
            f"{DURATION_RANGE[1]}",
            field="duration_s",
        )
    valid_from, valid_until = values.get("valid_from"), values.get("valid_until")
    for name, value in (("valid_from", valid_from), ("valid_until", valid_until)):
        if not isinstance(value, dt.datetime):
            raise InvalidInput(f"{name} is required", field=name)
        if value.tzinfo is None:
            raise InvalidInput(f"{name} needs a UTC offset or Z", field=name)
    assert isinstance(valid_from, dt.datetime) and isinstance(valid_until, dt.datetime)
    if valid_until <= valid_from:
        raise InvalidInput("valid_until must be after valid_from", field="valid_until")
    if valid_until - valid_from > MAX_WINDOW:
        raise InvalidInput("the validity window may be at most three years", field="valid_until")
    dayparts = normalise_hours(values.get("dayparts") or None, field="dayparts")
    screens = screens_by_key(session, values.get("screens") or ())
    groups = groups_by_name(session, values.get("groups") or ())
    days = values.get("required_working_days") or None
    if days is not None and (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not (WORKING_DAYS_RANGE[0] <= days <= WORKING_DAYS_RANGE[1])
    ):
        raise InvalidInput(
            f"required_working_days must be {WORKING_DAYS_RANGE[0]}–{WORKING_DAYS_RANGE[1]}",
            field="required_working_days",
        )
    return _Content(
        title=title,
        body=body,
        category=category,
        kind=kind,
        media_sha256=media_sha256,
        priority=priority,
        duration_s=duration_s,
        valid_from=valid_from.astimezone(dt.UTC),
        valid_until=valid_until.astimezone(dt.UTC),
        dayparts=dayparts,
        screens=screens,
        groups=groups,
        required_working_days=days,
    )


def _enum(enum_type: Any, value: Any, field: str) -> str:
    try:
        return str(enum_type(value).value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum_type)
        raise InvalidInput(f"{field} must be one of {allowed}", field=field) from None


def _revision_values(revision: NoticeRevision) -> dict[str, Any]:
    return {
        "title": revision.title,
        "body": revision.body,
        "category": revision.category,
        "kind": revision.kind,
        "media_sha256": revision.media_sha256,
        "priority": revision.priority,
        "duration_s": revision.duration_s,
        "valid_from": revision.valid_from,
        "valid_until": revision.valid_until,
        "dayparts": revision.dayparts,
        "screens": [s.key for s in revision.screens],
        "groups": [g.name for g in revision.groups],
        "required_working_days": revision.required_working_days,
    }


def _new_revision(
    notice: Notice,
    content: _Content,
    *,
    number: int,
    state: RevisionState,
    actor: User,
    now: dt.datetime,
) -> NoticeRevision:
    revision = NoticeRevision(
        number=number,
        state=state,
        title=content.title,
        body=content.body,
        category=content.category,
        kind=content.kind,
        media_sha256=content.media_sha256,
        priority=content.priority,
        duration_s=content.duration_s,
        valid_from=content.valid_from,
        valid_until=content.valid_until,
        dayparts=content.dayparts,
        required_working_days=content.required_working_days,
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
    _require_open(notice, "edit")


def _require_open(notice: Notice, doing: str) -> None:
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
    content = _validate(session, values, rules)
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
    _require_open(notice, "edit")
    changes = fields_.given()
    if not changes:
        raise InvalidInput("the edit changes nothing")
    latest = notice.latest_revision
    values = _revision_values(latest) | changes
    content = _validate(session, values, rules)
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


def submit_notice(session: Session, actor: User, notice_id: int, *, now: dt.datetime) -> Notice:
    """Send the draft revision to review (author)."""
    notice = get_notice(session, notice_id)
    _require_author_of(actor, notice)
    _require_open(notice, "submit")
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
        details={"revision": revision.number, "content_sha256": revision.content_sha256},
    )
    return notice


def _submitted_revision(notice: Notice, doing: str) -> NoticeRevision:
    _require_open(notice, doing)
    revision = notice.pending_revision
    if revision is None or revision.state != RevisionState.SUBMITTED:
        raise Conflict(f"there is no submitted revision to {doing}")
    return revision


def approve_notice(
    session: Session,
    actor: User,
    notice_id: int,
    *,
    confidentiality_reviewed: bool,
    note: str = "",
    now: dt.datetime,
    revision_number: int | None = None,
) -> Notice:
    """Approve the submitted revision and make it live (reviewer, not its author).

    ``revision_number``, when given, must be the revision under review: a reviewer who read
    revision 3 does not approve a revision 4 that arrived meanwhile.
    """
    require_role(actor, Role.REVIEWER)
    notice = get_notice(session, notice_id)
    revision = _submitted_revision(notice, "approve")
    if revision_number is not None and revision_number != revision.number:
        raise Conflict(
            f"revision {revision_number} is not the one under review "
            f"(revision {revision.number} is)"
        )
    if revision.created_by_id == actor.id:
        raise PermissionDenied("nobody may approve a revision they wrote")
    if confidentiality_reviewed is not True:
        raise InvalidInput(
            "confirm the confidentiality review (保密审查) to approve",
            field="confidentiality_reviewed",
        )
    note = _note(note, "note", required=False)
    if revision.valid_until <= now:
        raise Conflict("the revision's validity window has ended; it must be edited first")
    previous = notice.live_revision
    if previous is not None:
        previous.state = RevisionState.SUPERSEDED
    revision.state = RevisionState.APPROVED
    revision.reviewed_by_id = actor.id
    revision.reviewed_at = now
    revision.review_note = note
    revision.confidentiality_reviewed = True
    notice.live_revision = revision
    notice.status = NoticeStatus.APPROVED
    notice.updated_at = now
    session.flush()
    bump_playlists(
        session, revision_screen_ids(session, revision) | revision_screen_ids(session, previous)
    )
    record(
        session,
        actor=actor,
        action="notice.approve",
        object_type="notice",
        object_id=notice.id,
        now=now,
        details={
            "revision": revision.number,
            "content_sha256": revision.content_sha256,
            "confidentiality_reviewed": True,
            "note": note,
            "replaces_revision": previous.number if previous else None,
        },
    )
    return notice


def reject_notice(
    session: Session, actor: User, notice_id: int, *, reason: str, now: dt.datetime
) -> Notice:
    """Reject the submitted revision with a reason (reviewer); a live revision stays live."""
    require_role(actor, Role.REVIEWER)
    notice = get_notice(session, notice_id)
    revision = _submitted_revision(notice, "reject")
    reason = _note(reason, "reason", required=True)
    revision.state = RevisionState.REJECTED
    revision.reviewed_by_id = actor.id
    revision.reviewed_at = now
    revision.review_note = reason
    if notice.live_revision_id is None:
        notice.status = NoticeStatus.REJECTED
    notice.updated_at = now
    record(
        session,
        actor=actor,
        action="notice.reject",
        object_type="notice",
        object_id=notice.id,
        now=now,
        details={
            "revision": revision.number,
            "content_sha256": revision.content_sha256,
            "reason": reason,
        },
    )
    return notice


def withdraw_notice(
    session: Session, actor: User, notice_id: int, *, reason: str, now: dt.datetime
) -> Notice:
    """Take a notice off every screen and close it (its author, or a reviewer)."""
    notice = get_notice(session, notice_id)
    if not actor.has_role(Role.REVIEWER):
        _require_author_of(actor, notice)
    elif not actor.active:
        raise PermissionDenied(f"user {actor.username!r} is deactivated")
    _require_open(notice, "withdraw")
    reason = _note(reason, "reason", required=True)
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


def expire_notices(session: Session, *, now: dt.datetime) -> list[int]:
    """Close every open notice with no window left; return their ids. Safe to run repeatedly."""
    latest_id = (
        sa.select(sa.func.max(NoticeRevision.id))
        .where(NoticeRevision.notice_id == Notice.id)
        .correlate(Notice)
        .scalar_subquery()
    )
    pending_states = [RevisionState.DRAFT, RevisionState.SUBMITTED, RevisionState.REJECTED]
    still_in_play = sa.or_(
        NoticeRevision.id == Notice.live_revision_id,
        sa.and_(NoticeRevision.id == latest_id, NoticeRevision.state.in_(pending_states)),
    )
    latest_end = (
        sa.select(sa.func.max(NoticeRevision.valid_until))
        .where(NoticeRevision.notice_id == Notice.id, still_in_play)
        .correlate(Notice)
        .scalar_subquery()
    )
    due = session.scalars(
        sa.select(Notice)
        .where(Notice.status.not_in([s.value for s in TERMINAL_STATUSES]), latest_end <= now)
        .order_by(Notice.id)
        .with_for_update(of=Notice, skip_locked=True)
    ).all()
    # Every change first, then the playlist epoch, then the audit entries: the order the other
    # services take these locks in, so two transactions never wait on each other in a circle.
    affected: set[int] = set()
    previous: list[str] = []
    for notice in due:
        previous.append(notice.status)
        if notice.status == NoticeStatus.APPROVED:
            affected |= revision_screen_ids(session, notice.live_revision)
        notice.status = NoticeStatus.EXPIRED
        notice.closed_at = now
        notice.updated_at = now
    session.flush()
    bump_playlists(session, affected)
    for notice, was in zip(due, previous, strict=True):
        record(
            session,
            actor=None,
            action="notice.expire",
            object_type="notice",
            object_id=notice.id,
            now=now,
            details={"was": was},
        )
    session.flush()
    return [n.id for n in due]


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
        query = query.where(Notice.status == _enum(NoticeStatus, status, "status"))
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


def notice_history(session: Session, notice: Notice) -> list[AuditEntry]:
    """Return the audit entries about ``notice``, oldest first."""
    return list(
        session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == "notice", AuditEntry.object_id == str(notice.id))
            .order_by(AuditEntry.seq)
        )
    )


def _note(value: str | None, field: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"a {field} is required", field=field)
    if len(text) > NOTE_MAX:
        raise InvalidInput(f"the {field} must be at most {NOTE_MAX} characters", field=field)
    return text


__all__ = [
    "NoticeFields",
    "NoticeRules",
    "approve_notice",
    "create_notice",
    "edit_notice",
    "expire_notices",
    "list_notices",
    "reject_notice",
    "submit_notice",
    "withdraw_notice",
]


def submitted_revisions(session: Session) -> list[NoticeRevision]:
    """Revisions waiting for review, oldest submission first."""
    return list(
        session.scalars(
            sa.select(NoticeRevision)
            .where(NoticeRevision.state == RevisionState.SUBMITTED)
            .order_by(NoticeRevision.submitted_at, NoticeRevision.id)
        )
    )


def review_queue(session: Session, actor: User) -> list[NoticeRevision]:
    """The reviewer's queue: every revision waiting for review."""
    require_role(actor, Role.REVIEWER)
    return submitted_revisions(session)
