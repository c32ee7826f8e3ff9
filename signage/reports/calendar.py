"""The working-day calendar: China's public holidays and the weekend days worked instead.

A year's calendar comes from the ``chinesecalendar`` package when it knows the year (it carries
the State Council's published dates), otherwise from what an admin entered in the app
(:func:`replace_holidays`). For a year neither knows nothing is guessed: :class:`CalendarUnknown`
says so, and reports show that instead of a verdict.

A year is stored as its exceptions to the Monday–Friday week: *holidays* (weekdays off work) and
*workdays* (weekend days worked, 调休上班). A weekend day inside a holiday block is a rest day
anyway and is not listed.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

import chinese_calendar
import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role, require_staff
from signage.audit.services import record
from signage.errors import Conflict, InvalidInput, NotFound
from signage.reports.models import DayKind, HolidayDay, HolidayYear
from signage.times import FIRST_DATE, LAST_DATE

PACKAGE = "chinesecalendar"
ENTERED = "entered"
YEAR_RANGE = (FIRST_DATE.year, LAST_DATE.year)  # the years the system accepts
NAME_MAX = 50
SOURCE_MAX = 200
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CalendarUnknown(NotFound):
    """Neither chinesecalendar nor an admin knows a year's holidays."""

    def __init__(self, year: int) -> None:
        first, last = package_years()
        super().__init__(
            f"calendar unknown for year {year}: the bundled official calendar covers "
            f"{first}–{last} and no admin has entered {year}'s holidays "
            f"(PUT /api/v1/holidays/{year})",
            field="year",
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


def _from_package(year: int) -> YearCalendar | None:
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


def _from_database(session: Session, year: int) -> YearCalendar | None:
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
            self._years[year] = _from_package(year) or _from_database(self.session, year)
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


# --- services ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayEntry:
    """A date and its name, as an admin enters it (e.g. 2027-02-08, 春节)."""

    date: dt.date
    name: str


def _check_year(year: int) -> None:
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise InvalidInput(f"year must be {YEAR_RANGE[0]}–{YEAR_RANGE[1]}", field="year")


def view_holidays(session: Session, actor: User | None, year: int) -> YearCalendar:
    """Return a year's holidays and make-up workdays (any staff; ``None``: the command line)."""
    if actor is not None:
        require_staff(actor)
    _check_year(year)
    return WorkingCalendar(session).year(year)


def replace_holidays(
    session: Session,
    actor: User,
    year: int,
    *,
    holidays: Sequence[DayEntry],
    workdays: Sequence[DayEntry],
    now: dt.datetime,
    source: str = "",
) -> YearCalendar:
    """Enter or replace the official calendar of a year chinesecalendar does not know (admin)."""
    require_role(actor, Role.ADMIN)
    _check_year(year)
    if _from_package(year) is not None:
        first, last = package_years()
        raise Conflict(
            f"the calendar of {year} comes from the bundled official calendar ({PACKAGE}, "
            f"{first}–{last}) and cannot be replaced here; upgrade the package if it is wrong"
        )
    if not holidays:
        raise InvalidInput("list the year's holidays (weekdays off work)", field="holidays")
    source = source.strip()
    if len(source) > SOURCE_MAX:
        raise InvalidInput(f"source must be at most {SOURCE_MAX} characters", field="source")
    seen: dict[dt.date, str] = {}
    days: list[HolidayDay] = []
    for listing, kind, entries in (
        ("holidays", DayKind.HOLIDAY, holidays),
        ("workdays", DayKind.WORKDAY, workdays),
    ):
        for index, entry in enumerate(entries):
            where = f"{listing}.{index}"
            day = entry.date
            if day.year != year:
                raise InvalidInput(f"{day} is not in {year}", field=f"{where}.date")
            if day in seen:
                raise InvalidInput(
                    f"{day} is listed twice (also in {seen[day]})", field=f"{where}.date"
                )
            seen[day] = listing
            weekend = day.weekday() >= 5
            weekday_name = WEEKDAY_NAMES[day.weekday()]
            if kind == DayKind.HOLIDAY and weekend:
                raise InvalidInput(
                    f"{day} is a {weekday_name}, a rest day anyway: list as holidays only "
                    "weekdays off work",
                    field=f"{where}.date",
                )
            if kind == DayKind.WORKDAY and not weekend:
                raise InvalidInput(
                    f"{day} is a {weekday_name}, a working day anyway: list as make-up workdays "
                    "only weekend days worked",
                    field=f"{where}.date",
                )
            name = entry.name.strip()
            if not 1 <= len(name) <= NAME_MAX:
                raise InvalidInput(
                    f"each day needs a name of 1–{NAME_MAX} characters, e.g. 春节",
                    field=f"{where}.name",
                )
            days.append(HolidayDay(date=day, year=year, kind=kind, name=name))
    previous = session.get(HolidayYear, year)
    if previous is not None:
        session.delete(previous)
        session.flush()  # the old days go before the new ones take their dates
    session.add(
        HolidayYear(
            year=year,
            source=source,
            entered_by_id=actor.id,
            entered_by=actor,
            entered_at=now,
            days=sorted(days, key=lambda d: d.date),
        )
    )
    session.flush()
    record(
        session,
        actor=actor,
        action="holidays.replace" if previous is not None else "holidays.enter",
        object_type="holidays",
        object_id=year,
        now=now,
        details={
            "source": source,
            "holidays": [[d.date.isoformat(), d.name] for d in days if d.kind == DayKind.HOLIDAY],
            "workdays": [[d.date.isoformat(), d.name] for d in days if d.kind == DayKind.WORKDAY],
        },
    )
    return WorkingCalendar(session).year(year)


def entered_years(session: Session) -> list[int]:
    """Return the years an admin entered, in order."""
    return list(session.scalars(sa.select(HolidayYear.year).order_by(HolidayYear.year)))
