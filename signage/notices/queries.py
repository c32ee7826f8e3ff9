"""What the other areas ask of notices: where a revision is aimed, whether it was approved, and
when it was live. Each rule is written here once; delivery, the display log and the reports call
these instead of deciding again.

* **Aimed at a screen**: a revision names screens and screen groups; it is aimed at a screen
  named directly or belonging to one of its groups (the core's rule,
  :meth:`playlists.NoticeSpec.targets`; :func:`targets_screen` is the same rule in SQL and
  :func:`revision_screen_ids` the same rule read from the database, both held equal to it by
  tests).
* **Approved**: a revision was approved when a reviewer approved it; it stays "approved" after a
  later revision of the notice replaces it (its state is then ``superseded``). A rejected
  revision, or one superseded before any decision, was never approved.
* **Live**: an approved revision is live on its screens from its approval until the next
  revision of the same notice is approved, or the notice is closed (withdrawn or expired).
  While it is live the notice's ``live_revision`` points at it. A closed notice republished
  (重播) keeps the end of its earlier round on the revision that was live then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from signage.audit.models import AuditEntry
from signage.notices.models import (
    Notice,
    NoticeRevision,
    NoticeStatus,
    RevisionState,
    revision_groups,
    revision_screens,
)
from signage.screens.models import Screen, screen_group_members

# --- aimed at a screen ------------------------------------------------------------------------


def targets_screen(screen_id: int) -> sa.ColumnElement[bool]:
    """SQL condition: the revision is aimed at the screen, directly or through a group."""
    direct = sa.select(revision_screens.c.revision_id).where(
        revision_screens.c.screen_id == screen_id
    )
    via_group = (
        sa.select(revision_groups.c.revision_id)
        .join(screen_group_members, screen_group_members.c.group_id == revision_groups.c.group_id)
        .where(screen_group_members.c.screen_id == screen_id)
    )
    return sa.or_(NoticeRevision.id.in_(direct), NoticeRevision.id.in_(via_group))


def revision_screen_ids(session: Session, revision: NoticeRevision | None) -> set[int]:
    """Return the ids of the screens a revision is aimed at, directly or through a group."""
    if revision is None:
        return set()
    ids = {s.id for s in revision.screens}
    group_ids = [g.id for g in revision.groups]
    if group_ids:
        ids.update(
            session.scalars(
                sa.select(screen_group_members.c.screen_id).where(
                    screen_group_members.c.group_id.in_(group_ids)
                )
            )
        )
    return ids


def target_screens(session: Session, revision: NoticeRevision) -> list[Screen]:
    """Return the screens a revision is aimed at, by key."""
    ids = revision_screen_ids(session, revision)
    if not ids:
        return []
    return list(session.scalars(sa.select(Screen).where(Screen.id.in_(ids)).order_by(Screen.key)))


# --- approved ---------------------------------------------------------------------------------

# The states of a revision that was approved: live now, or replaced since by a later approval.
APPROVED_STATES = (RevisionState.APPROVED, RevisionState.SUPERSEDED)


def was_approved(revision: NoticeRevision) -> bool:
    """Whether a reviewer approved ``revision`` (it may have been replaced since)."""
    return revision.reviewed_at is not None and revision.state in APPROVED_STATES


def approved() -> sa.ColumnElement[bool]:
    """SQL condition: :func:`was_approved`."""
    return sa.and_(
        NoticeRevision.reviewed_at.is_not(None), NoticeRevision.state.in_(APPROVED_STATES)
    )


def approved_revisions(notice: Notice) -> list[NoticeRevision]:
    """Return the revisions of ``notice`` that were ever approved, in approval order."""
    found = [r for r in notice.revisions if was_approved(r)]
    return sorted(found, key=lambda r: (r.reviewed_at, r.number))


# --- live -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveSpell:
    """A revision was live on its screens from ``start`` until ``end`` (None: still is)."""

    revision: NoticeRevision
    start: dt.datetime
    end: dt.datetime | None


def live_spells(
    notice: Notice, revisions: Sequence[NoticeRevision] | None = None
) -> list[LiveSpell]:
    """Return when each approved revision of ``notice`` was live, in order.

    ``revisions`` are the notice's approved revisions in approval order, when the caller has
    them (:func:`approved_revisions`).
    """
    revisions = approved_revisions(notice) if revisions is None else revisions
    spells = []
    for index, revision in enumerate(revisions):
        assert revision.reviewed_at is not None
        following = revisions[index + 1].reviewed_at if index + 1 < len(revisions) else None
        end = following if following is not None else notice.closed_at
        if revision.live_ended_at is not None:  # closed before a republication (重播)
            end = revision.live_ended_at
        spells.append(LiveSpell(revision, revision.reviewed_at, end))
    return spells


def live_revisions(
    session: Session, since: dt.datetime, screen: Screen | None = None
) -> list[NoticeRevision]:
    """The revisions live now whose window has not ended by ``since``, by notice; only those
    aimed at ``screen`` when it is given."""
    query = (
        sa.select(NoticeRevision)
        .join(Notice, Notice.live_revision_id == NoticeRevision.id)
        .where(Notice.status == NoticeStatus.APPROVED, NoticeRevision.valid_until > since)
        .options(selectinload(NoticeRevision.screens), selectinload(NoticeRevision.groups))
        .order_by(NoticeRevision.notice_id)
    )
    if screen is not None:
        query = query.where(targets_screen(screen.id))
    return list(session.scalars(query))


def spells_on_screen(
    session: Session, screen: Screen, start: dt.datetime, end: dt.datetime
) -> list[LiveSpell]:
    """Every live spell of a revision aimed at ``screen`` that overlaps ``[start, end)``."""
    aimed = session.execute(
        sa.select(NoticeRevision.id, NoticeRevision.notice_id).where(
            targets_screen(screen.id),
            approved(),
            NoticeRevision.reviewed_at < end,
            NoticeRevision.valid_until > start,
        )
    ).all()
    if not aimed:
        return []
    aimed_ids = {r.id for r in aimed}
    notices = session.scalars(
        sa.select(Notice)
        .where(Notice.id.in_({r.notice_id for r in aimed}))
        .options(selectinload(Notice.revisions))
        .order_by(Notice.id)
    ).all()
    spells = []
    for notice in notices:
        for spell in live_spells(notice):
            if spell.revision.id not in aimed_ids:
                continue
            if spell.start < end and (spell.end is None or spell.end > start):
                spells.append(spell)
    return spells


# --- other reads ------------------------------------------------------------------------------


def notice_history(session: Session, notice: Notice) -> list[AuditEntry]:
    """Return the audit entries about ``notice``, oldest first."""
    return list(
        session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == "notice", AuditEntry.object_id == str(notice.id))
            .order_by(AuditEntry.seq)
        )
    )


def submitted_revisions(session: Session) -> list[NoticeRevision]:
    """Revisions waiting for review, oldest submission first."""
    return list(
        session.scalars(
            sa.select(NoticeRevision)
            .where(NoticeRevision.state == RevisionState.SUBMITTED)
            .order_by(NoticeRevision.submitted_at, NoticeRevision.id)
        )
    )
