"""Notices and their revisions.

A notice is what staff talk about ("the winter opening hours notice"); each edit of it is a new
:class:`NoticeRevision` with its own content hash. Review decides on one revision; the notice
points at the revision that is live on the screens, if any.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signage.accounts.models import User
from signage.db import Base, UTCDateTime
from signage.screens.models import Screen, ScreenGroup


class NoticeStatus(enum.StrEnum):
    """Where a notice stands (DESIGN: the notice lifecycle)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # sent back to its author to change (建议修改), nothing live
    HELD = "held"  # passed every stage, waiting to be published (待用), nothing live
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


# Nothing more can be done to a closed notice, except republishing a withdrawn or expired one
# (重播), which starts its review again.
TERMINAL_STATUSES = frozenset({NoticeStatus.REJECTED, NoticeStatus.WITHDRAWN, NoticeStatus.EXPIRED})
REPUBLISHABLE_STATUSES = frozenset({NoticeStatus.WITHDRAWN, NoticeStatus.EXPIRED})


class RevisionState(enum.StrEnum):
    """Where one revision stands; at most one revision of a notice is pending at a time."""

    DRAFT = "draft"
    SUBMITTED = "submitted"  # under review, at the first stage not yet decided
    RETURNED = "returned"  # sent back to its author with a reason (建议修改)
    HELD = "held"  # passed every stage; goes live when published (待用)
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # replaced by a later revision before or after going live


revision_screens = sa.Table(
    "revision_screens",
    Base.metadata,
    sa.Column(
        "revision_id", sa.ForeignKey("notice_revisions.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("screen_id", sa.ForeignKey("screens.id"), primary_key=True, index=True),
)

revision_groups = sa.Table(
    "revision_groups",
    Base.metadata,
    sa.Column(
        "revision_id", sa.ForeignKey("notice_revisions.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("group_id", sa.ForeignKey("screen_groups.id"), primary_key=True, index=True),
)


class Notice(Base):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The approved revision screens show while the notice is approved.
    live_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("notice_revisions.id", use_alter=True)
    )
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    close_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    # Bumped by every change: a change made from what another request has changed since is
    # refused (StaleDataError, answered 409), so a withdrawal and an approval that cross
    # cannot both take effect, the later one written over the earlier.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Where the notice came from when no one wrote it: an official warning's format, sender
    # and identifier (signage.emergency.alerts). None: written by its author.
    source: Mapped[str | None] = mapped_column(sa.String(300))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    revisions: Mapped[list[NoticeRevision]] = relationship(
        back_populates="notice",
        foreign_keys="NoticeRevision.notice_id",
        order_by="NoticeRevision.number",
        cascade="all, delete-orphan",
    )
    live_revision: Mapped[NoticeRevision | None] = relationship(
        foreign_keys=[live_revision_id], post_update=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def latest_revision(self) -> NoticeRevision:
        return self.revisions[-1]

    @property
    def pending_revision(self) -> NoticeRevision | None:
        """The newest revision if it is not live and still in play (draft, submitted, rejected)."""
        latest = self.latest_revision
        if latest.id == self.live_revision_id or latest.state == RevisionState.SUPERSEDED:
            return None
        return latest


class NoticeRevision(Base):
    __tablename__ = "notice_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id", ondelete="CASCADE"))
    number: Mapped[int]
    state: Mapped[str] = mapped_column(sa.String(16))

    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    category: Mapped[str] = mapped_column(sa.String(32), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # a playlists.Kind
    media_sha256: Mapped[str | None] = mapped_column(sa.ForeignKey("media.sha256"))
    priority: Mapped[str] = mapped_column(sa.String(8))  # a playlists.Priority
    duration_s: Mapped[int]
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    # Normalised weekly spec (playlists.hours); NULL means all day.
    dayparts: Mapped[str | None] = mapped_column(sa.String(500))
    required_working_days: Mapped[int | None]
    # A warning's level (blue, yellow, orange, red): the screen draws the notice in its colour.
    level: Mapped[str | None] = mapped_column(sa.String(8))
    content_sha256: Mapped[str] = mapped_column(sa.String(64))

    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The review decision (approve or reject) on this revision.
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str | None] = mapped_column(sa.String(1000))
    confidentiality_reviewed: Mapped[bool] = mapped_column(default=False)
    # Review, beyond the content: the author says it concerns a major matter (重大事项), which
    # adds the chain's escalation stage; the pre-check's flags (signage.chains.precheck); and,
    # for a held revision, when it is to be published.
    major_matter: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A takeover (整屏接管): an urgent revision that plays alone on its screens while its window
    # is open; set when it is submitted, and reviewed on the deployment's fast path.
    takeover: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    precheck_flags: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    publish_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The escalation stage its chain named when it was submitted (a stage may refer it up to
    # that one), as signage.chains.rules.Stage.to_json; NULL: none.
    escalation_stage: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # When it stopped being live because its notice was closed and later republished (重播):
    # the notice's own closed_at then belongs to the new round.
    live_ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    notice: Mapped[Notice] = relationship(back_populates="revisions", foreign_keys=[notice_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="joined")
    screens: Mapped[list[Screen]] = relationship(
        secondary=revision_screens, order_by=Screen.key, lazy="selectin"
    )
    groups: Mapped[list[ScreenGroup]] = relationship(
        secondary=revision_groups, order_by=ScreenGroup.name, lazy="selectin"
    )
    steps: Mapped[list[ReviewStep]] = relationship(
        back_populates="revision",
        order_by="ReviewStep.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    __table_args__ = (sa.UniqueConstraint("notice_id", "number"),)


class ReviewStep(Base):
    """One stage of one revision's review, copied from its chain when it was submitted.

    A revision keeps the stages it was submitted with: a chain changed meanwhile applies to the
    next submission, so nobody can shorten or lengthen the review of an item under way.
    ``decision`` is empty until the stage is decided (``passed``, ``held``, ``escalated``,
    ``returned``, ``rejected``); the first undecided step is the current one.
    """

    __tablename__ = "review_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("notice_revisions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(20))
    role: Mapped[str | None] = mapped_column(sa.String(16))
    user_ids: Mapped[list[int]] = mapped_column(sa.JSON)
    confidentiality: Mapped[bool]
    due_working_days: Mapped[int]
    escalation: Mapped[bool] = mapped_column(default=False)
    # Why an escalation stage is here: referred up by a stage, or added by rule.
    added_because: Mapped[str | None] = mapped_column(sa.String(1000))
    reached_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    decision: Mapped[str | None] = mapped_column(sa.String(16))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    # The confidentiality stage's note on each pre-check flag, by the flag's index.
    flag_notes: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    content_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    revision: Mapped[NoticeRevision] = relationship(back_populates="steps")
    decided_by: Mapped[User | None] = relationship(lazy="joined")
