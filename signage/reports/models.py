"""The working-day calendar entered by admins, and the daily roll-ups reports read.

Roll-ups (see :mod:`signage.reports.rollups`) keep one row per local day (in
``SIGNAGE_TIMEZONE``), screen, notice and category of display events, and one row per day and
screen of uptime. :class:`RollupProgress` says which days are rolled up; :class:`RollupMark`
says, per screen, up to which place in the screen's display-log chain events are counted in
the rows, which is how events that arrive late are added exactly once.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from signage.db import Base, UTCDateTime


class DailyPlay(Base):
    """Display events of one local day, screen, notice and category, counted.

    ``plays`` counts outcome *shown*; ``shown_ms`` is the time the item was on the panel
    (shown and interrupted events); first and last start are over every outcome.
    """

    __tablename__ = "daily_plays"

    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"), primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    plays: Mapped[int]
    interrupted: Mapped[int]
    errors: Mapped[int]
    shown_ms: Mapped[int] = mapped_column(sa.BigInteger)
    first_start: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_start: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class DailyUptime(Base):
    """How long one screen was monitored and offline on one local day, in seconds.

    A screen is monitored from its first heartbeat on; offline time is its outages. ``open_*``
    are the same within the screen's opening hours. Days with nothing monitored have no row.
    """

    __tablename__ = "daily_uptime"

    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screens.id"), primary_key=True)
    monitored_s: Mapped[int]
    offline_s: Mapped[int]
    open_s: Mapped[int]
    open_offline_s: Mapped[int]


class RollupProgress(Base):
    """How far the roll-up job has come (one row).

    Days up to ``rolled_through`` (in ``timezone``) are rolled up; ``rolled_until`` is the
    instant that day ends. ``outage_mark`` is the last outage the job has accounted for, and
    ``version`` grows with every change to the roll-ups, so a report can tell that the job
    committed while it was reading.
    """

    __tablename__ = "rollup_progress"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    rolled_through: Mapped[dt.date | None] = mapped_column(sa.Date)
    rolled_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    outage_mark: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class RollupMark(Base):
    """Events of this screen up to ``chain_seq`` are counted in the rolled-up days' rows."""

    __tablename__ = "rollup_marks"

    screen_id: Mapped[int] = mapped_column(
        sa.ForeignKey("screens.id"), primary_key=True, autoincrement=False
    )
    chain_seq: Mapped[int] = mapped_column(sa.BigInteger)
