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
    # How long the item takes on this screen in the playlist it played from (its play_ms): an
    # interrupted display showed duration_ms of it. None for events stored before it was kept.
    play_ms: Mapped[int | None]

    __table_args__ = (
        # Named here: the naming convention would give both the same name (first column only).
        sa.UniqueConstraint("screen_id", "player_seq", name="uq_display_events_screen_player_seq"),
        sa.UniqueConstraint("screen_id", "chain_seq", name="uq_display_events_screen_chain_seq"),
        sa.Index("ix_display_events_started_at_id", "started_at", "id"),
        sa.Index("ix_display_events_notice_started", "notice_id", "started_at"),
        # One screen's log in time order (the display log filtered by screen, and its export).
        sa.Index("ix_display_events_screen_started_id", "screen_id", "started_at", "id"),
        # A notice's events on one screen in chain order (the compliance evidence's first and
        # last event, and its plays there).
        sa.Index("ix_display_events_notice_screen_seq", "notice_id", "screen_id", "chain_seq"),
    )


class DisplayGap(Base):
    """Player sequence numbers that never arrived (lost events), per screen."""

    __tablename__ = "display_gaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"), index=True)
    first_seq: Mapped[int] = mapped_column(sa.BigInteger)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger)
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class PlayerHead(Base):
    """The last event of a screen's chain that its player signed: its place and hash, and the
    signature (base64url) of :func:`playlists.evidence.head_statement` by key ``key_id``."""

    __tablename__ = "player_heads"

    screen_id: Mapped[int] = mapped_column(
        sa.ForeignKey("screens.id"), primary_key=True, autoincrement=False
    )
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(64))
    key_id: Mapped[str] = mapped_column(sa.String(16))
    signature: Mapped[str] = mapped_column(sa.String(86))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class RefusedEvent(Base):
    """An event a screen sent that is not a play, kept with the reason it was refused.

    ``body`` is the event as sent (canonical JSON). ``chained``: it came in a batch the screen's
    player signed and it links into the screen's chain at ``player_seq`` (its ``hash`` is
    :func:`playlists.evidence.event_hash` of it); otherwise nobody vouches for it.
    """

    __tablename__ = "refused_events"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"))
    event_id: Mapped[str] = mapped_column(sa.String(64))
    player_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    chained: Mapped[bool] = mapped_column(default=False)
    hash: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (
        sa.Index("ix_refused_events_screen_seq", "screen_id", "player_seq"),
        sa.Index("ix_refused_events_received_at", "received_at"),
    )
