"""The working-day calendar's years as an admin entered them (years the bundled official
calendar does not know): each year's exceptions to the Monday–Friday week."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signage.accounts.models import User
from signage.db import Base, UTCDateTime


class DayKind(enum.StrEnum):
    HOLIDAY = "holiday"  # a weekday with no work (法定节假日 and the days moved to it)
    WORKDAY = "workday"  # a weekend day worked instead (调休上班)


class HolidayYear(Base):
    """An admin entered the official holiday calendar of a year chinese_calendar does not know."""

    __tablename__ = "holiday_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Where the dates come from, e.g. the State Council notice 国办发明电〔2026〕7号.
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    entered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    entered_by: Mapped[User] = relationship(lazy="joined")
    days: Mapped[list[HolidayDay]] = relationship(
        back_populates="holiday_year", order_by="HolidayDay.date", cascade="all, delete-orphan"
    )


class HolidayDay(Base):
    """One exception to the Monday–Friday week in an admin-entered year."""

    __tablename__ = "holiday_days"

    date: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    year: Mapped[int] = mapped_column(
        sa.ForeignKey("holiday_years.year", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(8))
    name: Mapped[str] = mapped_column(sa.String(50))

    holiday_year: Mapped[HolidayYear] = relationship(back_populates="days")
