"""LED screens, the groups they belong to, and their tokens."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signage.db import Base, UTCDateTime

screen_group_members = sa.Table(
    "screen_group_members",
    Base.metadata,
    sa.Column("screen_id", sa.ForeignKey("screens.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("screen_groups.id", ondelete="CASCADE"), primary_key=True),
)


class ScreenGroup(Base):
    __tablename__ = "screen_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    # Notices reaching a sensitive group get their chain's escalation stage (提级审核).
    sensitive: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    screens: Mapped[list[Screen]] = relationship(
        secondary=screen_group_members, back_populates="groups", order_by="Screen.key"
    )


class Screen(Base):
    __tablename__ = "screens"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    width: Mapped[int]
    height: Mapped[int]
    color: Mapped[str] = mapped_column(sa.String(16))  # a playlists.ColorMode
    timezone: Mapped[str] = mapped_column(sa.String(64))
    # Normalised weekly spec (playlists.hours); NULL means always on.
    hours: Mapped[str | None] = mapped_column(sa.String(500))
    # SHA-256 of the screen's bearer token; the token itself is shown once.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Its own reading speeds (playlists.reading); NULL means the deployment's.
    scroll_cpm: Mapped[int | None]
    page_s: Mapped[int | None]
    read_cpm: Mapped[int | None]
    # Optional, for the legibility check: the LED pitch in millimetres and the distance the
    # public usually reads it from, in metres.
    pixel_pitch_mm: Mapped[float | None]
    viewing_distance_m: Mapped[float | None]
    # Its daily brightness schedule (playlists.brightness), e.g. 19:00-22:00=60,22:00-07:00=0;
    # NULL: 100 % whenever it is on.
    brightness: Mapped[str | None] = mapped_column(sa.String(300))
    # The register of screens (signage.screens.register): who answers for it, how it is
    # controlled and networked, its physical size, when it was installed.
    responsible_person: Mapped[str | None] = mapped_column(sa.String(50))
    responsible_phone: Mapped[str | None] = mapped_column(sa.String(30))
    control_pc: Mapped[str | None] = mapped_column(sa.String(100))
    network_mode: Mapped[str | None] = mapped_column(sa.String(16))
    physical_width_m: Mapped[float | None]
    physical_height_m: Mapped[float | None]
    installed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    # The playlist epoch of the last change to this screen's playlist (signage.screens.epoch).
    playlist_seq: Mapped[int] = mapped_column(
        sa.BigInteger, default=0, server_default="0", index=True
    )

    groups: Mapped[list[ScreenGroup]] = relationship(
        secondary=screen_group_members,
        back_populates="screens",
        order_by=ScreenGroup.name,
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"<Screen {self.key}>"


class ScreenReading(Base):
    """The reading speeds a screen had from ``since`` (signage.screens.readings): what the
    reports expect plays to have lasted at any past time."""

    __tablename__ = "screen_readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id", ondelete="CASCADE"))
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    scroll_cpm: Mapped[int]
    page_s: Mapped[int]
    read_cpm: Mapped[int]

    __table_args__ = (sa.Index("ix_screen_readings_screen_since", "screen_id", "since"),)


class PlayerKey(Base):
    """A key a screen's player signs its record with (signage.screens.player_keys): the current
    one has no ``retired_at``; a token rotation retires it, and its signatures stay checkable."""

    __tablename__ = "player_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"), index=True)
    key_id: Mapped[str] = mapped_column(sa.String(16))
    public_key: Mapped[str] = mapped_column(sa.String(64))  # base64url of the 32 raw bytes
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
