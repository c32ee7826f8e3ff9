"""A screen's brightness through the day, and the filler it shows when nothing is scheduled.

A brightness schedule is written ``07:00-19:00=100,19:00-22:00=60,22:00-07:00=0``: daily time
ranges in the screen's time zone, each with a percentage (0–100); a range may run past
midnight; a time no range covers is at 100 %. Compile turns it into UTC windows within the
horizon (:func:`brightness_windows`): the playlist carries those below 100 % (``dim``), and a
range at 0 % is off time, like closed hours: nothing plays then, so no display is claimed in the
dark.

Filler (:class:`Filler`) is what a screen shows when nothing is scheduled: the clock and the
date, and the deployment's name. The player logs it as a display state, never as a play.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime

MAX_RANGES = 12
RANGE = re.compile(
    r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])=([0-9]{1,3})$"
)


class BrightnessError(ValueError):
    """A brightness schedule that does not parse; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Filler:
    """What a screen shows when nothing is scheduled: the clock and date (``clock``) and a
    line of text (the deployment's name)."""

    clock: bool = True
    text: str = ""


@dataclass(frozen=True, slots=True)
class Dim:
    """A window of the playlist in which the screen's brightness is ``percent`` (1–99)."""

    start: AwareDatetime
    end: AwareDatetime
    percent: int


def parse_brightness(spec: str) -> tuple[tuple[int, int, int], ...]:
    """Parse a schedule into (start minute, end minute, percent) ranges of the day; an end at
    or before its start runs past midnight. Raise :class:`BrightnessError` on bad input."""
    ranges = []
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if not parts:
        raise BrightnessError("a brightness schedule has at least one range, e.g. 22:00-07:00=0")
    if len(parts) > MAX_RANGES:
        raise BrightnessError(f"a brightness schedule has at most {MAX_RANGES} ranges")
    for part in parts:
        match = RANGE.match(part)
        if match is None:
            raise BrightnessError(f"{part!r} is not a range such as 19:00-22:00=60")
        h1, m1, h2, m2, percent = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end > 24 * 60 or start == end:
            raise BrightnessError(f"{part!r}: the range is empty or past 24:00")
        if percent > 100:
            raise BrightnessError(f"{part!r}: brightness is 0–100 %")
        ranges.append((start, end, percent))
    minutes = [0] * (24 * 60)
    for start, end, _ in ranges:
        span = range(start, end) if end > start else [*range(start, 24 * 60), *range(end)]
        for minute in span:
            if minutes[minute]:
                raise BrightnessError("the ranges of a brightness schedule overlap")
            minutes[minute] = 1
    return tuple(ranges)


def brightness_windows(
    spec: str, timezone: str, start: dt.datetime, end: dt.datetime
) -> tuple[Dim, ...]:
    """The windows of ``[start, end)`` (UTC) below 100 %, in order, from ``spec``."""
    zone = ZoneInfo(timezone)
    ranges = parse_brightness(spec)
    found: list[Dim] = []
    day = start.astimezone(zone).date() - dt.timedelta(days=1)
    while dt.datetime.combine(day, dt.time(), zone) < end:
        midnight = dt.datetime.combine(day, dt.time(), zone)
        for first, last, percent in ranges:
            if percent == 100:
                continue
            length = (last - first) % (24 * 60)
            begins = _at(midnight, first, zone)
            ends = _at(midnight, first + length, zone)
            s, e = max(begins, start), min(ends, end)
            if s < e:
                found.append(Dim(s.astimezone(dt.UTC), e.astimezone(dt.UTC), percent))
        day += dt.timedelta(days=1)
    found.sort(key=lambda d: d.start)
    return tuple(found)


def _at(midnight: dt.datetime, minutes: int, zone: ZoneInfo) -> dt.datetime:
    """The wall-clock time ``minutes`` after the midnight of ``midnight``'s day (the next days
    past 24:00), in ``zone``."""
    day = midnight.date() + dt.timedelta(days=minutes // (24 * 60))
    minute = minutes % (24 * 60)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), zone)


def percent_at(dims: tuple[Dim, ...], at: dt.datetime) -> int:
    """The brightness at ``at``: that of the window holding it, else 100 %."""
    for dim in dims:
        if dim.start <= at < dim.end:
            return dim.percent
    return 100
