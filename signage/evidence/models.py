"""The tables of the evidence layer: players' keys and signed heads, refused events, checkpoints.

* :class:`PlayerKey`: each screen's player registers an Ed25519 public key at its first contact;
  an admin's token rotation retires it (its old signatures stay verifiable), and the next player
  registers a new one.
* :class:`PlayerHead`: the newest head of each screen's display chain that its player signed.
* :class:`RefusedEvent`: every event a screen sent that was not stored as a play, with why. An
  event of a batch whose signature and links hold is part of the screen's chain even when refused
  (``chained``), so the chain can be checked through it.
* :class:`Checkpoint`: the controller's signed statement of every chain's head on a day.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from signage.db import Base, UTCDateTime


class PlayerKey(Base):
    __tablename__ = "player_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"), index=True)
    key_id: Mapped[str] = mapped_column(sa.String(16))
    public_key: Mapped[str] = mapped_column(sa.String(64))  # base64url of the 32 raw bytes
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


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


class Checkpoint(Base):
    """One signed checkpoint: ``body`` is its canonical JSON (what the signature covers, for
    the purpose :data:`playlists.signing.CHECKPOINT`), ``signature`` base64url by ``key_id``."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    key_id: Mapped[str] = mapped_column(sa.String(16))
    body: Mapped[str] = mapped_column(sa.Text)
    signature: Mapped[str] = mapped_column(sa.String(86))
