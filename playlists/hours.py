"""Weekly time specs: screen opening hours and notice dayparts.

A spec is a comma-separated list of entries ``[DAYS] HH:MM-HH:MM [HH:MM-HH:MM …]``:

* ``DAYS`` is an ISO weekday (1 = Monday … 7 = Sunday) or a range such as
  ``1-5``; without it the entry applies every day.
* A range whose end is not after its start runs past midnight into the next
  day (``22:00-02:00``); ``24:00`` is allowed as an end.

Examples: ``1-5 08:00-18:00,6 09:00-12:00``; ``07:00-09:00,17:00-19:30``;
``1-5 08:30-12:00 14:00-17:30``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MINUTES_PER_DAY = 24 * 60

_DAYS = re.compile(r"^([1-7])(?:-([1-7]))?$")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class WeeklySpecError(ValueError):
    """A weekly spec that cannot be parsed; the message says which part is wrong.

    The message is ``template % params``: a caller that speaks another language translates the
    template (the controller's catalog holds every one) and puts the values back in."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = {name: str(value) for name, value in params.items()}
        super().__init__(template % self.params if params else template)


@dataclass(frozen=True, order=True)
class DayRange:
    """Minutes ``start``..``end`` after local midnight of ISO ``weekday``.

    ``end`` may exceed one day (up to 48 h) for a range that runs past midnight.
    """

    weekday: int
    start: int
    end: int


@dataclass(frozen=True)
class WeeklySchedule:
    """A parsed weekly spec: the ranges, sorted, one per weekday they start on."""

    ranges: tuple[DayRange, ...]

    def to_spec(self) -> str:
        """Return the normalised spec text (days grouped, ranges sorted)."""
        by_times: dict[tuple[tuple[int, int], ...], list[int]] = {}
        per_day: dict[int, list[tuple[int, int]]] = {}
        for r in self.ranges:
            per_day.setdefault(r.weekday, []).append((r.start, r.end))
        for day, day_times in sorted(per_day.items()):
            by_times.setdefault(tuple(sorted(day_times)), []).append(day)
        entries = []
        for times, days in sorted(by_times.items(), key=lambda kv: kv[1][0]):
            text = " ".join(f"{_hhmm(s)}-{_hhmm(e % MINUTES_PER_DAY or e)}" for s, e in times)
            for first, last in _runs(days):
                if first == 1 and last == 7:
                    entries.append(text)
                elif first == last:
                    entries.append(f"{first} {text}")
                else:
                    entries.append(f"{first}-{last} {text}")
        return ",".join(entries)


def parse_weekly(spec: str) -> WeeklySchedule:
    """Parse a weekly spec; raise :class:`WeeklySpecError` naming the bad part."""
    text = spec.strip()
    if not text:
        raise WeeklySpecError("the spec is empty")
    ranges: set[DayRange] = set()
    for entry in text.split(","):
        parts = entry.split()
        if not parts:
            raise WeeklySpecError("empty entry in %(spec)s", spec=repr(spec))
        days = list(range(1, 8))
        m = _DAYS.match(parts[0])
        if m:
            first = int(m.group(1))
            last = int(m.group(2) or first)
            if last < first:
                raise WeeklySpecError("day range %(days)s runs backwards", days=repr(parts[0]))
            days = list(range(first, last + 1))
            parts = parts[1:]
        if not parts:
            raise WeeklySpecError(
                "entry %(entry)s has days but no times", entry=repr(entry.strip())
            )
        for part in parts:
            start, end = _parse_range(part)
            for day in days:
                ranges.add(DayRange(day, start, end))
    _check_overlaps(sorted(ranges))
    return WeeklySchedule(tuple(sorted(ranges)))


def _parse_range(part: str) -> tuple[int, int]:
    m = _RANGE.match(part)
    if not m:
        raise WeeklySpecError("%(part)s is not a time range such as 08:00-18:00", part=repr(part))
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise WeeklySpecError("%(part)s holds a time that does not exist", part=repr(part))
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end == start:
        raise WeeklySpecError(
            "%(part)s is empty; write 00:00-24:00 for a whole day", part=repr(part)
        )
    if end < start:
        end += MINUTES_PER_DAY  # runs past midnight into the next day
    return start, end


def _check_overlaps(ranges: list[DayRange]) -> None:
    # Place every range on one week-long line (wrapping at its end) and look
    # for two that overlap: an overlap is almost always a typing mistake.
    week = 7 * MINUTES_PER_DAY
    spans = sorted(((r.weekday - 1) * MINUTES_PER_DAY + r.start, r) for r in ranges)
    for (start_a, a), (start_b, b) in zip(spans, spans[1:] + spans[:1], strict=True):
        end_a = start_a + (a.end - a.start)
        if a is b:
            continue
        if start_b <= start_a:
            start_b += week
        if end_a > start_b:
            raise WeeklySpecError(
                "ranges on day %(day_a)s (%(start_a)s) and day %(day_b)s (%(start_b)s) overlap",
                day_a=a.weekday,
                start_a=_hhmm(a.start),
                day_b=b.weekday,
                start_b=_hhmm(b.start),
            )


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _runs(days: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
