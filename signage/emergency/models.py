"""Blackouts ordered from the controller: which screens, why, by whom, and when lifted."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signage.accounts.models import User
from signage.db import Base, UTCDateTime
from signage.screens.models import Screen, ScreenGroup

blackout_screens = sa.Table(
    "blackout_screens",
    Base.metadata,
    sa.Column("blackout_id", sa.ForeignKey("blackouts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("screen_id", sa.ForeignKey("screens.id", ondelete="CASCADE"), primary_key=True),
)

blackout_groups = sa.Table(
    "blackout_groups",
    Base.metadata,
    sa.Column("blackout_id", sa.ForeignKey("blackouts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("screen_groups.id", ondelete="CASCADE"), primary_key=True),
)


class Blackout(Base):
    """A blackout of every screen (``all``), or of the screens and groups named: in force from
    ``created_at`` until ``lifted_at``. A group's screens are those in it at any moment, so a
    screen added to a blacked-out group goes black too."""

    __tablename__ = "blackouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    all_screens: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)

    screens: Mapped[list[Screen]] = relationship(
        secondary=blackout_screens, lazy="selectin", order_by=Screen.key
    )
    groups: Mapped[list[ScreenGroup]] = relationship(
        secondary=blackout_groups, lazy="selectin", order_by=ScreenGroup.name
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="joined")
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id], lazy="joined")

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None


class OfficialAlert(Base):
    """An official warning message as received (CAP 1.2 or the national format), what it
    became, and where it came from. A message is kept once: ``(sender, identifier)`` is unique,
    so the same message pushed twice or read from a feed again is a duplicate."""

    __tablename__ = "official_alerts"
    __table_args__ = (sa.UniqueConstraint("sender", "identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(sa.String(8))  # "cap" or "national"
    sender: Mapped[str] = mapped_column(sa.String(200))
    identifier: Mapped[str] = mapped_column(sa.String(200), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    msg_type: Mapped[str] = mapped_column(sa.String(8))
    severity: Mapped[str] = mapped_column(sa.String(10))
    colour: Mapped[str | None] = mapped_column(sa.String(8))
    event: Mapped[str] = mapped_column(sa.String(100))
    headline: Mapped[str] = mapped_column(sa.String(200))
    areas: Mapped[list[str]] = mapped_column(sa.JSON)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Where it came from: "push" (POST /api/v1/alerts, by ``received_by``) or the feed's URL.
    origin: Mapped[str] = mapped_column(sa.String(500))
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # What it became: waiting (for the duty officer), published, replaced, cancelled (an
    # Alert withdrawn by a Cancel, or the Cancel itself), no_screens.
    outcome: Mapped[str] = mapped_column(sa.String(16))
    notice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notices.id"), index=True)
    # The earlier alert an Update or a Cancel followed.
    follows_id: Mapped[int | None] = mapped_column(sa.ForeignKey("official_alerts.id"))
    raw_sha256: Mapped[str] = mapped_column(sa.String(64))
    raw: Mapped[str] = mapped_column(sa.Text)

    received_by: Mapped[User | None] = relationship(lazy="joined")
