"""Which days are working days: China's public holidays and the weekend days worked instead.

A year's calendar comes from the ``chinesecalendar`` package when it knows the year (it carries
the State Council's published dates), otherwise from what an admin entered in the app
(:func:`signage.reports.calendar.replace_holidays`). For a year neither knows nothing is
guessed: :class:`CalendarUnknown` says so.

A year is stored as its exceptions to the Monday–Friday week: *holidays* (weekdays off work) and
*workdays* (weekend days worked, 调休上班). A weekend day inside a holiday block is a rest day
anyway and is not listed.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

import chinese_calendar
from sqlalchemy.orm import Session

from signage.errors import N_, NotFound
from signage.workdays.models import DayKind, HolidayYear

PACKAGE = "chinesecalendar"
ENTERED = "entered"


class CalendarUnknown(NotFound):
    """Neither chinesecalendar nor an admin knows a year's holidays."""

    def __init__(self, year: int) -> None:
        first, last = package_years()
        super().__init__(
            N_(
                "calendar unknown for year %(year)s: the bundled official calendar covers "
                "%(first)s–%(last)s and no admin has entered %(year)s's holidays "
                "(PUT /api/v1/holidays/%(year)s)"
            ),
            field="year",
            year=year,
            first=first,
            last=last,
        )
        self.year = year


def package_years() -> tuple[int, int]:
    """Return the first and last year chinesecalendar knows."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def _package_name(value: str) -> str:
    try:
        return str(chinese_calendar.Holiday(value).chinese)
    except ValueError:
        return value


@dataclass(frozen=True)
class YearCalendar:
    """One year's exceptions to the Monday–Friday week, and where they come from."""

    year: int
    source: str  # PACKAGE or ENTERED
    holidays: dict[dt.date, str]
    workdays: dict[dt.date, str]
    reference: str = ""  # for an entered year: the notice the dates come from
    entered_by: str | None = None
    entered_at: dt.datetime | None = None

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def from_package(year: int) -> YearCalendar | None:
    first, last = package_years()
    if not first <= year <= last:
        return None
    holidays = {
        d: _package_name(v)
        for d, v in chinese_calendar.holidays.items()
        if d.year == year and d.weekday() < 5
    }
    workdays = {
        d: _package_name(v)
        for d, v in chinese_calendar.workdays.items()
        if d.year == year and d.weekday() >= 5
    }
    return YearCalendar(
        year, PACKAGE, dict(sorted(holidays.items())), dict(sorted(workdays.items()))
    )


def from_database(session: Session, year: int) -> YearCalendar | None:
    entered = session.get(HolidayYear, year)
    if entered is None:
        return None
    return YearCalendar(
        year,
        ENTERED,
        {d.date: d.name for d in entered.days if d.kind == DayKind.HOLIDAY},
        {d.date: d.name for d in entered.days if d.kind == DayKind.WORKDAY},
        reference=entered.source,
        entered_by=entered.entered_by.username,
        entered_at=entered.entered_at,
    )


@dataclass
class WorkingCalendar:
    """Which days are working days, reading each year once from the package or the database."""

    session: Session
    _years: dict[int, YearCalendar | None] = field(default_factory=dict)

    def year(self, year: int) -> YearCalendar:
        """Return the year's calendar or raise :class:`CalendarUnknown`."""
        if year not in self._years:
            self._years[year] = from_package(year) or from_database(self.session, year)
        found = self._years[year]
        if found is None:
            raise CalendarUnknown(year)
        return found

    def is_working_day(self, day: dt.date) -> bool:
        return self.year(day.year).is_working_day(day)


def add_working_days(
    calendar: WorkingCalendar, start: dt.datetime, days: int, timezone: str
) -> dt.datetime:
    """Return the instant the ``days``-th working day after ``start`` ends, in ``timezone``.

    As the Civil Code counts periods in days (民法典 第二百零一条), the day the period starts is
    not counted unless it starts at midnight, a whole day. The period runs through the end of
    its last working day (24:00 local time). Raises :class:`CalendarUnknown` when a day it
    needs falls in a year the calendar does not know.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    zone = zoneinfo.ZoneInfo(timezone)
    local = start.astimezone(zone)
    day = local.date()
    if local.time() != dt.time():
        day += dt.timedelta(days=1)
    counted = 0
    while True:
        if calendar.is_working_day(day):
            counted += 1
            if counted == days:
                end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
                return end.astimezone(dt.UTC)
        day += dt.timedelta(days=1)
