"""The notice workflow: create, edit, submit, republish, withdraw, expire (review is in
:mod:`signage.notices.review`).

Rules (DESIGN, "Notice lifecycle"):

* Every edit makes a new revision with its own content hash. Only the newest revision can be
  pending (draft, submitted, returned, held or rejected); an edit supersedes a pending draft,
  submitted or held one (a returned or rejected one keeps its state, as the record of the
  decision).
* Approval covers the content hash, and the hash covers the targets and the window: so every
  edit, and republishing (重播), starts the review chain again from its first stage
  (:func:`signage.notices.steps.start_review`).
* An edit keeps the notice where it was: a draft stays a draft, a notice under review or held
  goes to review with the new revision, a returned one goes back to draft, and an approved
  notice keeps its live revision on the screens while the new one goes to review.
* Rejected, withdrawn and expired notices are closed; a withdrawn or expired one may be
  republished (重播) by its author, which submits a new revision for review.
* A notice expires when no revision that could still be shown (the live one and the pending one)
  has any of its validity window left.

Only the notice's author edits, submits, republishes and withdraws it (a reviewer may withdraw
too, and the duty officer an urgent one); who may do what is :mod:`signage.notices.access`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import Kind
from signage.accounts.models import Role, User
from signage.accounts.permissions import require_staff
from signage.audit.services import record
from signage.chains.rules import Stage
from signage.errors import Conflict, InvalidInput, PermissionDenied
from signage.messages import Said
from signage.notices.access import (
    get_notice,
    may_author,
    require_author_of,
    require_open,
)
from signage.notices.content import (
    Content,
    NoticeFields,
    NoticeRules,
    changed_fields,
    check_content,
    enum_value,
    revision_fields,
)
from signage.notices.models import (
    Notice,
    NoticeRevision,
    NoticeStatus,
    RevisionState,
)
from signage.notices.publicity import check_period
from signage.notices.queries import revision_screen_ids, target_screens, targets_screen
from signage.notices.steps import DEFAULT_TIMEZONE, start_fast_review, start_review
from signage.notices.takeover import may_lift, takeover_stage
from signage.screens.epoch import bump_playlists
from signage.screens.services import screens_by_key

NOTE_MAX = 1000


def new_revision(
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


def create_notice(
    session: Session, actor: User, fields_: NoticeFields, *, now: dt.datetime, rules: NoticeRules
) -> Notice:
    """Create a draft notice with its first revision (author; duty: urgent only)."""
    values = fields_.given()
    may_author(actor, values.get("priority"))
    for required in ("title", "category", "valid_from", "valid_until"):
        if required not in values:
            raise InvalidInput("%(required)s is required", required=required, field=required)
    content = check_content(session, values, rules)
    notice = Notice(
        status=NoticeStatus.DRAFT,
        created_by_id=actor.id,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(notice)
    revision = new_revision(
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
    timezone: str = DEFAULT_TIMEZONE,
) -> Notice:
    """Make a new revision from the latest one with the given fields changed (author)."""
    notice = get_notice(session, notice_id)
    require_author_of(actor, notice)
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
    if status in (NoticeStatus.APPROVED, NoticeStatus.SUBMITTED, NoticeStatus.HELD):
        state = RevisionState.SUBMITTED  # goes (back) to review; a live revision stays live
        if notice.live_revision_id is None:
            notice.status = NoticeStatus.SUBMITTED
    else:
        state = RevisionState.DRAFT
        notice.status = NoticeStatus.DRAFT
    pending = notice.pending_revision
    if pending is not None and pending.state not in DECIDED:
        pending.state = RevisionState.SUPERSEDED  # a decision stays on record as it was
    revision = new_revision(
        notice, content, number=latest.number + 1, state=state, actor=actor, now=now
    )
    revision.major_matter = latest.major_matter
    if state == RevisionState.SUBMITTED:
        start_review(session, revision, now=now, timezone=timezone)
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
            # What differs from the revision before (a page's edit sends every field).
            "changed": changed_fields(latest, content),
        },
    )
    return notice


# The states a pending revision keeps when a later edit replaces it: the record of a decision.
DECIDED = (RevisionState.REJECTED, RevisionState.RETURNED)

STRIP_MAX_HEIGHT = 32  # an image on a panel this low is a smear of a few rows of LEDs


def submit_notice(
    session: Session,
    actor: User,
    notice_id: int,
    *,
    now: dt.datetime,
    show_image_on_strips: bool = False,
    major_matter: bool = False,
    timezone: str = DEFAULT_TIMEZONE,
    fast_path: Stage | None = None,
    takeover: bool = False,
) -> Notice:
    """Send the draft revision to review (author), at the first stage of its chain.

    An image aimed at a strip (32 px high or less) is refused unless the author says to show it
    anyway (``show_image_on_strips``), which the audit log records. ``major_matter`` (重大事项)
    adds the chain's escalation stage. ``fast_path``: the one stage the deployment sets for
    urgent matters (an official warning), instead of the chain; ``takeover`` (整屏接管) marks
    an urgent revision to play alone, reviewed on the takeovers' fast path."""
    notice = get_notice(session, notice_id)
    require_author_of(actor, notice)
    require_open(notice, "submit")
    revision = notice.pending_revision
    if revision is None or revision.state != RevisionState.DRAFT:
        if notice.status == NoticeStatus.RETURNED:
            raise Conflict("only a draft can be submitted; this notice was returned: edit it first")
        raise Conflict(
            "only a draft can be submitted; this notice is %(status)s",
            status=Said(str(notice.status)),
        )
    if not revision.screens and not revision.groups:
        raise InvalidInput("choose at least one screen or group before submitting", field="screens")
    if revision.valid_until <= now:
        raise InvalidInput("the validity window has already ended", field="valid_until")
    check_period(session, notice, revision, now=now)
    strips = _strips_for_image(session, revision)
    if strips and not show_image_on_strips:
        raise InvalidInput(
            "an image cannot be read on a strip %(strip_max_height)s px high or less "
            "(%(items)s): aim it at panels, or submit with show_image_on_strips to show it there "
            "anyway",
            strip_max_height=STRIP_MAX_HEIGHT,
            items=", ".join(strips),
            field="show_image_on_strips",
        )
    revision.state = RevisionState.SUBMITTED
    revision.submitted_at = now
    revision.major_matter = bool(major_matter)
    if takeover:
        fast_path = fast_path or takeover_stage(session, revision)
    revision.takeover = bool(takeover)
    if fast_path is not None:
        start_fast_review(session, revision, fast_path, now=now, timezone=timezone)
    else:
        start_review(session, revision, now=now, timezone=timezone)
    notice.status = NoticeStatus.SUBMITTED
    notice.updated_at = now
    record(
        session,
        actor=actor,
        action="notice.submit",
        object_type="notice",
        object_id=notice.id,
        now=now,
        details=review_details(revision)
        | ({"image_on_strips": strips} if strips else {})
        | ({"fast_path": fast_path.name} if fast_path is not None else {})
        | ({"takeover": True} if takeover else {}),
    )
    return notice


def review_details(revision: NoticeRevision) -> dict[str, object]:
    """What a submission records: the hash, the stages it must pass, the pre-check's flags."""
    return {
        "revision": revision.number,
        "content_sha256": revision.content_sha256,
        "stages": [s.name for s in revision.steps],
        "major_matter": revision.major_matter,
        "precheck_flags": len(revision.precheck_flags or []),
    }


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
    if not actor.has_role(Role.REVIEWER) and not may_lift(actor, notice):
        require_author_of(actor, notice)
    elif not actor.active:
        raise PermissionDenied("user %(username)s is deactivated", username=repr(actor.username))
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
        raise InvalidInput("a %(name)s is required", name=field, field=field)
    if len(text) > NOTE_MAX:
        raise InvalidInput(
            "the %(name)s must be at most %(note_max)s characters",
            name=field,
            note_max=NOTE_MAX,
            field=field,
        )
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
