"""Going live: the last stage passing makes a revision live, or holds it (待用) until it is
published, by hand or by the scheduled job at its ``publish_at``.

Going live supersedes the revision live before, sets the revision's ``reviewed_by`` (the last
stage's decider) and ``reviewed_at`` (the moment it went live, which the 公示 period and the
reports count from), tells the screens' playlists, and records ``notice.approve`` with the
content hash that the integrity check holds every served revision to.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.audit.services import record
from signage.errors import Conflict, InvalidInput, PermissionDenied
from signage.notices.access import get_notice, require_open
from signage.notices.models import Notice, NoticeRevision, NoticeStatus, ReviewStep, RevisionState
from signage.notices.publicity import check_period
from signage.notices.queries import revision_screen_ids
from signage.notices.steps import stage_of
from signage.screens.epoch import bump_playlists
from signage.times import isoformat_z


def stage_details(revision: NoticeRevision, step: ReviewStep) -> dict[str, Any]:
    return {
        "revision": revision.number,
        "content_sha256": revision.content_sha256,
        "stage": step.name,
        "stage_number": step.position + 1,
        "stages": len(revision.steps),
    }


def make_live(
    session: Session,
    notice: Notice,
    revision: NoticeRevision,
    *,
    decider: User,
    actor: User | None,
    now: dt.datetime,
    details: dict[str, Any],
) -> None:
    previous = notice.live_revision
    if previous is not None:
        previous.state = RevisionState.SUPERSEDED
    last = revision.steps[-1]
    revision.state = RevisionState.APPROVED
    revision.reviewed_by_id = decider.id
    revision.reviewed_at = now
    revision.review_note = last.note or ""
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
        details=details
        | {
            "confidentiality_reviewed": True,
            "replaces_revision": previous.number if previous else None,
            "stages_passed": [s.name for s in revision.steps],
        },
    )


def publish_notice(
    session: Session, actor: User | None, notice_id: int, *, now: dt.datetime
) -> Notice:
    """Publish a held revision (待用): it goes live now. ``actor`` None: the scheduled job at
    its ``publish_at``; else one the last stage names, who did not write it."""
    notice = get_notice(session, notice_id)
    require_open(notice, "publish")
    revision = notice.pending_revision
    if revision is None or revision.state != RevisionState.HELD:
        raise Conflict("there is no held revision to publish")
    last = revision.steps[-1]
    if actor is not None:
        if revision.created_by_id == actor.id:
            raise PermissionDenied("nobody may publish a revision they wrote")
        if actor.id != last.decided_by_id and not stage_of(last).may_decide(actor):
            raise PermissionDenied(
                "a held notice is published by those who decide %(name)s", name=last.name
            )
    if revision.valid_until <= now:
        raise Conflict("the revision's validity window has ended; it must be edited first")
    check_period(session, notice, revision, now=now)
    decider = last.decided_by
    assert decider is not None
    make_live(
        session,
        notice,
        revision,
        decider=decider,
        actor=actor,
        now=now,
        details=stage_details(revision, last)
        | {
            "held_by": decider.username,
            "held_at": isoformat_z(last.decided_at) if last.decided_at else None,
            "note": last.note or "",
        },
    )
    return notice


def publish_due(session: Session, *, now: dt.datetime) -> list[int]:
    """Publish every held revision whose ``publish_at`` has come (the scheduled job); return
    the notices published. One that can no longer be published (its window ended) is left
    held, for its reviewers to see."""
    held = session.scalars(
        sa.select(NoticeRevision).where(
            NoticeRevision.state == RevisionState.HELD,
            NoticeRevision.publish_at.is_not(None),
            NoticeRevision.publish_at <= now,
        )
    ).all()
    published = []
    for revision in held:
        try:  # publish_notice checks everything before it writes anything
            publish_notice(session, None, revision.notice_id, now=now)
        except (Conflict, InvalidInput):
            continue
        published.append(revision.notice_id)
    return published
