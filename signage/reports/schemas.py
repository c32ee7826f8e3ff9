"""Request bodies of the reports' API: the working-day calendar an admin enters.

(The reports' answers are written by :mod:`signage.reports.export`.)
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from signage.api.common import Body


class HolidayEntry(Body):
    date: dt.date = Field(description="YYYY-MM-DD")
    name: str = Field(description="e.g. 春节")


class HolidaysBody(Body):
    """A year's official calendar: weekdays off work and weekend days worked instead."""

    holidays: list[HolidayEntry]
    workdays: list[HolidayEntry] = Field(default_factory=list)
    source: str = Field(default="", description="the notice the dates come from")
