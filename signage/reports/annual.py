"""Yearly disclosure counts: notices displayed and their plays, for the government-information-
disclosure report ("通过电子显示屏公开信息 N 条"), in total, by category and by screen."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.accounts.permissions import SUPERVISING, require_role
from signage.errors import InvalidInput
from signage.reports.totals import play_totals, rolled_through
from signage.screens.models import Screen
from signage.times import local_date

FIRST_YEAR = 2000
HEADLINE = "通过电子显示屏公开信息 {n} 条"


@dataclass(frozen=True)
class CountRow:
    """Notices displayed (at least one shown play) and their plays, for one key."""

    key: str
    name: str
    notices: int
    plays: int
    interrupted: int
    errors: int
    shown_ms: int


@dataclass(frozen=True)
class AnnualReport:
    year: int
    timezone: str
    first_day: dt.date
    last_day: dt.date  # today while the year runs
    complete: bool
    total: CountRow
    by_category: tuple[CountRow, ...]
    by_screen: tuple[CountRow, ...]
    rolled_through: dt.date | None
    generated_at: dt.datetime

    @property
    def headline(self) -> str:
        return HEADLINE.format(n=self.total.notices)


def _count(key: str, name: str, rows: Sequence[Any]) -> CountRow:
    return CountRow(
        key=key,
        name=name,
        notices=len({r.notice_id for r in rows if r.plays > 0}),
        plays=sum(r.plays for r in rows),
        interrupted=sum(r.interrupted for r in rows),
        errors=sum(r.errors for r in rows),
        shown_ms=sum(r.shown_ms for r in rows),
    )


def annual_report(
    session: Session, actor: User | None, year: int, *, now: dt.datetime, timezone: str
) -> AnnualReport:
    """Count the notices displayed and their plays in a year, in total, by category and screen.

    A notice counts once in the total; under each category it was shown in (a revision may
    change the category) and on each screen that showed it.
    """
    if actor is not None:
        require_role(actor, *SUPERVISING)
    zone = zoneinfo.ZoneInfo(timezone)
    today = local_date(now, zone)
    if not FIRST_YEAR <= year <= today.year:
        raise InvalidInput(
            "year must be %(first_year)s–%(year)s",
            first_year=FIRST_YEAR,
            year=today.year,
            field="year",
        )
    first_day = dt.date(year, 1, 1)
    last_day = min(dt.date(year, 12, 31), today)
    totals = play_totals(session, first_day, last_day, timezone=timezone)
    screens = session.execute(sa.select(Screen.id, Screen.key, Screen.name).order_by(Screen.key))
    by_category: dict[str, list[Any]] = {}
    by_screen: dict[int, list[Any]] = {}
    for row in totals:
        by_category.setdefault(row.category, []).append(row)
        by_screen.setdefault(row.screen_id, []).append(row)
    total = _count("total", "", totals)
    return AnnualReport(
        year=year,
        timezone=timezone,
        first_day=first_day,
        last_day=last_day,
        complete=last_day == dt.date(year, 12, 31) and today > last_day,
        total=replace(total, name=HEADLINE.format(n=total.notices)),
        by_category=tuple(
            _count(category, category, rows) for category, rows in sorted(by_category.items())
        ),
        by_screen=tuple(_count(key, name, by_screen.get(sid, [])) for sid, key, name in screens),
        rolled_through=rolled_through(session, timezone),
        generated_at=now,
    )
