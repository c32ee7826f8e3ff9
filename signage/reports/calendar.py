"""The working-day calendar's pages and API: viewing a year, and entering one the bundled
official calendar does not know. Which days are working days is
:mod:`signage.workdays.calendar`'s; its names are re-exported here for the pages and reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role, require_staff
from signage.audit.services import record
from signage.errors import Conflict, InvalidInput
from signage.times import FIRST_DATE, LAST_DATE
from signage.workdays.calendar import (
    ENTERED,
    PACKAGE,
    CalendarUnknown,
    WorkingCalendar,
    YearCalendar,
    add_working_days,
    from_package,
    package_years,
)
from signage.workdays.models import DayKind, HolidayDay, HolidayYear

YEAR_RANGE = (FIRST_DATE.year, LAST_DATE.year)  # the years the system accepts
__all__ = [
    "ENTERED",
    "PACKAGE",
    "CalendarUnknown",
    "WorkingCalendar",
    "YearCalendar",
    "add_working_days",
    "replace_holidays",
    "view_holidays",
]
NAME_MAX = 50
SOURCE_MAX = 200
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- services ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayEntry:
    """A date and its name, as an admin enters it (e.g. 2027-02-08, 春节)."""

    date: dt.date
    name: str


def _check_year(year: int) -> None:
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise InvalidInput(
            "year must be %(low)s–%(high)s",
            low=YEAR_RANGE[0],
            high=YEAR_RANGE[1],
            field="year",
        )


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
    if from_package(year) is not None:
        first, last = package_years()
        raise Conflict(
            "the calendar of %(year)s comes from the bundled official calendar (%(package)s, "
            "%(first)s–%(last)s) and cannot be replaced here; upgrade the package if it is wrong",
            year=year,
            package=PACKAGE,
            first=first,
            last=last,
        )
    if not holidays:
        raise InvalidInput("list the year's holidays (weekdays off work)", field="holidays")
    source = source.strip()
    if len(source) > SOURCE_MAX:
        raise InvalidInput(
            "source must be at most %(source_max)s characters",
            source_max=SOURCE_MAX,
            field="source",
        )
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
                raise InvalidInput(
                    "%(day)s is not in %(year)s", day=day, year=year, field=f"{where}.date"
                )
            if day in seen:
                raise InvalidInput(
                    "%(day)s is listed twice (also in %(value)s)",
                    day=day,
                    value=seen[day],
                    field=f"{where}.date",
                )
            seen[day] = listing
            weekend = day.weekday() >= 5
            weekday_name = WEEKDAY_NAMES[day.weekday()]
            if kind == DayKind.HOLIDAY and weekend:
                raise InvalidInput(
                    "%(day)s is a %(weekday_name)s, a rest day anyway: list as holidays only "
                    "weekdays off work",
                    day=day,
                    weekday_name=weekday_name,
                    field=f"{where}.date",
                )
            if kind == DayKind.WORKDAY and not weekend:
                raise InvalidInput(
                    "%(day)s is a %(weekday_name)s, a working day anyway: list as make-up "
                    "workdays only weekend days worked",
                    day=day,
                    weekday_name=weekday_name,
                    field=f"{where}.date",
                )
            name = entry.name.strip()
            if not 1 <= len(name) <= NAME_MAX:
                raise InvalidInput(
                    "each day needs a name of 1–%(name_max)s characters, e.g. 春节",
                    name_max=NAME_MAX,
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
