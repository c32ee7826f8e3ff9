"""Review: a reviewer approves a submitted revision, which makes it live, or rejects it.

* Approval is of one submitted revision, by a reviewer who did not write it, with the
  confidentiality review (保密审查) confirmed. The revision it replaces stops being live at that
  moment (:mod:`signage.notices.queries`).
* A rejection records the reason; a live revision stays live.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role
from signage.audit.services import record
from signage.errors import Conflict, InvalidInput, PermissionDenied
from signage.notices.models import Notice, NoticeRevision, NoticeStatus, RevisionState
from signage.notices.publicity import check_period
from signage.notices.queries import revision_screen_ids, submitted_revisions
from signage.notices.services import get_notice, note_text, require_open
from signage.screens.epoch import bump_playlists


def _submitted_revision(notice: Notice, doing: str) -> NoticeRevision:
    require_open(notice, doing)
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
    note = note_text(note, "note", required=False)
    if revision.valid_until <= now:
        raise Conflict("the revision's validity window has ended; it must be edited first")
    check_period(session, notice, revision, now=now)
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
    reason = note_text(reason, "reason", required=True)
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


def review_queue(session: Session, actor: User) -> list[NoticeRevision]:
    """The reviewer's queue: every revision waiting for review."""
    require_role(actor, Role.REVIEWER)
    return submitted_revisions(session)
