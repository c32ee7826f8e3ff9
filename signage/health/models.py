"""What players say about themselves: heartbeats, screenshots, and the outages found from them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from signage.db import Base, UTCDateTime


class ScreenStatus(Base):
    """The last heartbeat of a screen and whether it is online."""

    __tablename__ = "screen_status"

    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"), primary_key=True)
    online: Mapped[bool] = mapped_column(default=True)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    # The first heartbeat: uptime is counted from here (NULL for screens heard from before
    # this was recorded; they count from their registration).
    first_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[str] = mapped_column(sa.String(40), default="")
    playlist_etag: Mapped[str] = mapped_column(sa.String(80), default="")
    current_item: Mapped[str | None] = mapped_column(sa.String(64))
    free_disk_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Canonical JSON list of the player's recent errors.
    errors: Mapped[str] = mapped_column(sa.Text, default="[]")
    clock_offset_ms: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The controller key the player last said it trusts (its key id).
    trusted_key: Mapped[str | None] = mapped_column(sa.String(16))
    # The player's own key id, and how many of its events the controller refused, as it said.
    player_key: Mapped[str | None] = mapped_column(sa.String(16))
    dead_letters: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The font the player draws with, as it said: its face's name and its file's SHA-256.
    font_name: Mapped[str | None] = mapped_column(sa.String(200))
    font_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # A blackout set on the screen's own machine, as its player last said (NULL: none).
    local_blackout_since: Mapped[str | None] = mapped_column(sa.String(40))
    local_blackout_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # Someone is looking at this screen's screenshot (the dashboard or its page is open): its
    # heartbeats are answered "send a screenshot now" until then.
    screenshot_wanted_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The brightness the player said it shows at, in percent (its playlist's dim windows).
    brightness: Mapped[int | None]


class PlaylistRefusal(Base):
    """A playlist a screen's player refused to show, as its heartbeat reported it: a bad
    signature, a key from nowhere, an item whose content does not hash to its content hash.
    The newest :data:`signage.health.services.REFUSALS_KEPT` of each screen are kept."""

    __tablename__ = "playlist_refusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"), index=True)
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    # "<player time> <reason>", as the player wrote it.
    text: Mapped[str] = mapped_column(sa.String(500))


class ScreenOutage(Base):
    """A period a screen stopped reporting: from its last heartbeat until it was heard again."""

    __tablename__ = "screen_outages"

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Screenshot(Base):
    """The latest frame a screen sent."""

    __tablename__ = "screenshots"

    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"), primary_key=True)
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    width: Mapped[int]
    height: Mapped[int]
    png: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))


class ScreenDisplayState(Base):
    """A time the screen's player showed no item on purpose (signage.health.states)."""

    __tablename__ = "screen_display_states"
    __table_args__ = (sa.UniqueConstraint("screen_id", "state_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id", ondelete="CASCADE"))
    state_id: Mapped[str] = mapped_column(sa.String(36))  # the player's UUID of it
    state: Mapped[str] = mapped_column(sa.String(16))  # "blackout"
    source: Mapped[str] = mapped_column(sa.String(16))  # "controller" or "local"
    blackout_id: Mapped[int | None]  # the controller's blackout, for one it ordered
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
