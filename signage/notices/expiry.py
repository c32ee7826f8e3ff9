"""Closing notices whose time is up: the housekeeping job that marks them expired."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.audit.services import record
from signage.notices.models import (
    TERMINAL_STATUSES,
    Notice,
    NoticeRevision,
    NoticeStatus,
    RevisionState,
)
from signage.notices.queries import revision_screen_ids
from signage.screens.epoch import bump_playlists


def expire_notices(session: Session, *, now: dt.datetime) -> list[int]:
    """Close every open notice with no window left; return their ids. Safe to run repeatedly."""
    latest_id = (
        sa.select(sa.func.max(NoticeRevision.id))
        .where(NoticeRevision.notice_id == Notice.id)
        .correlate(Notice)
        .scalar_subquery()
    )
    # The pending revision's window counts while it could still be shown: a draft, one under
    # review, one returned to its author to change, or one held (待用) to be published.
    pending_states = [
        RevisionState.DRAFT,
        RevisionState.SUBMITTED,
        RevisionState.RETURNED,
        RevisionState.HELD,
        RevisionState.REJECTED,
    ]
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
