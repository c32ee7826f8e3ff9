"""Display events as the controller stores them, and the gaps found in players' sequences."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from signage.db import Base, UTCDateTime


class DisplayEvent(Base):
    """One display of one item on one screen, as the player reported it.

    ``player_seq`` is the player's own sequence number (unique per screen: the idempotency key,
    and how lost events are found); ``chain_seq`` is the event's place in the screen's hash chain
    (``chain_heads`` row ``display:<screen id>``), in the order the controller accepted them.
    """

    __tablename__ = "display_events"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"))
    player_seq: Mapped[int] = mapped_column(sa.BigInteger)
    chain_seq: Mapped[int] = mapped_column(sa.BigInteger)
    event_id: Mapped[str] = mapped_column(sa.String(36))
    item_id: Mapped[str] = mapped_column(sa.String(64))
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"))
    revision: Mapped[int]
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    category: Mapped[str] = mapped_column(sa.String(32))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int]
    outcome: Mapped[str] = mapped_column(sa.String(12))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
    # The playlist it played from, and the screen's own chain (playlists.evidence): the hash of
    # the screen's event before it. None for events stored before screens signed their record.
    playlist_etag: Mapped[str | None] = mapped_column(sa.String(49))
    player_prev: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (
        # Named here: the naming convention would give both the same name (first column only).
        sa.UniqueConstraint("screen_id", "player_seq", name="uq_display_events_screen_player_seq"),
        sa.UniqueConstraint("screen_id", "chain_seq", name="uq_display_events_screen_chain_seq"),
        sa.Index("ix_display_events_started_at_id", "started_at", "id"),
        sa.Index("ix_display_events_notice_started", "notice_id", "started_at"),
    )


class DisplayGap(Base):
    """Player sequence numbers that never arrived (lost events), per screen."""

    __tablename__ = "display_gaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"), index=True)
    first_seq: Mapped[int] = mapped_column(sa.BigInteger)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger)
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
