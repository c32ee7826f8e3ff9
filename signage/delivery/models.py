"""What the controller served: every playlist document by ETag, kept as the inputs it was
compiled from (:mod:`signage.delivery.served`)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from signage.db import Base, UTCDateTime


class ServedInputs(Base):
    """The inputs of compiled playlists besides the hour: the screen's settings, the priority
    weights, the horizon and the revisions in it (canonical JSON), once per distinct value."""

    __tablename__ = "served_inputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    inputs: Mapped[str] = mapped_column(sa.Text)


class ServedPlaylist(Base):
    """One playlist document a screen was sent: its ETag (without quotes), the hour it was
    compiled for, its inputs, when it was first sent to the screen and when last (a playlist
    sent again after a change was undone)."""

    __tablename__ = "served_playlists"

    etag: Mapped[str] = mapped_column(sa.String(49), primary_key=True)
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"))
    inputs_id: Mapped[int] = mapped_column(sa.ForeignKey("served_inputs.id"))
    generated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    served_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    __table_args__ = (sa.Index("ix_served_playlists_screen_served", "screen_id", "served_at"),)
