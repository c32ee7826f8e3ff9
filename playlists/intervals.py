"""Half-open UTC time intervals ``(start, end)`` and the weekly specs resolved into them."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterable, Sequence

from playlists.hours import parse_weekly

Interval = tuple[dt.datetime, dt.datetime]
UTC = dt.UTC


def normalise(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sort, drop empty intervals and merge those that overlap or touch."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[Interval, ...]:
    """Intersect two normalised interval lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def complement(
    intervals: Sequence[Interval], start: dt.datetime, end: dt.datetime
) -> tuple[Interval, ...]:
    """Return the parts of ``[start, end)`` not covered by normalised ``intervals``."""
    out: list[Interval] = []
    cursor = start
    for s, e in intervals:
        if e <= start or s >= end:
            continue
        if s > cursor:
            out.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < end:
        out.append((cursor, end))
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def weekly_intervals(
    spec: str, timezone: str, start: dt.datetime, end: dt.datetime
) -> tuple[Interval, ...]:
    """Resolve a weekly spec in ``timezone`` to UTC intervals within ``[start, end)``.

    Each range is placed by local wall-clock time, day by day, so a range keeps its local hours
    across a daylight-saving change (the day is an hour shorter or longer in UTC). A local time
    that a spring-forward change skips is read with the offset in force before the change.
    """
    zone = zoneinfo.ZoneInfo(timezone)
    schedule = parse_weekly(spec)
    first = start.astimezone(zone).date() - dt.timedelta(days=1)  # a range from the day before
    last = end.astimezone(zone).date()  # may run past midnight
    out: list[Interval] = []
    day = first
    while day <= last:
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        weekday = day.isoweekday()
        for r in schedule.ranges:
            if r.weekday != weekday:
                continue
            s = _wall(midnight, r.start)
            e = _wall(midnight, r.end)
            out.append((max(s, start), min(e, end)))
        day += dt.timedelta(days=1)
    return normalise(out)


def _wall(midnight: dt.datetime, minutes: int) -> dt.datetime:
    # Adding a timedelta to an aware datetime moves its wall-clock time; the zone then gives
    # the offset in force at that local time.
    days, rest = divmod(minutes, 24 * 60)
    local = (midnight + dt.timedelta(days=days)).replace(hour=rest // 60, minute=rest % 60)
    return local.astimezone(UTC)
