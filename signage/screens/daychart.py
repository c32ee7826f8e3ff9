"""A screen's day as a picture: one strip for the screen (off, nothing to show, playing) and one
row per notice with the stretches of the day it is in rotation, instead of a table of every
showing (a day holds thousands).

Positions are in minutes from the start of the day (0–1440, or 1380/1500 on the days the clocks
change), which the page draws as an SVG whose width is the day. A notice's showings less than
:data:`JOIN_S` apart are drawn as one stretch: in a rotation a notice comes round every few
minutes, and a pixel of the strip is a minute or more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from playlists.select import Selection

JOIN_S = 10 * 60  # showings of one notice this close together are drawn as one stretch


@dataclass
class Row:
    """One notice's day: its stretches in rotation and what it played."""

    notice_id: int
    title: str
    category: str
    priority: str
    spans: list[tuple[float, float]] = field(default_factory=list)  # minutes from the start
    plays: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class DayChart:
    minutes: float  # the length of the day
    screen: tuple[tuple[str, float, float], ...]  # (off | idle | item, from, to) in minutes
    rows: tuple[Row, ...]  # by first showing


def _minutes(at: dt.datetime, start: dt.datetime) -> float:
    return (at - start).total_seconds() / 60


def day_chart(slots: Sequence[Selection], start: dt.datetime, end: dt.datetime) -> DayChart:
    """The chart of ``slots`` (a day's timeline, in order) between ``start`` and ``end``."""
    screen: list[tuple[str, float, float]] = []
    rows: dict[int, Row] = {}
    join = JOIN_S / 60
    for slot in slots:
        a, b = _minutes(max(slot.start, start), start), _minutes(min(slot.until, end), start)
        if b <= a:
            continue
        if screen and screen[-1][0] == slot.kind and screen[-1][2] >= a:
            screen[-1] = (slot.kind, screen[-1][1], b)
        else:
            screen.append((slot.kind, a, b))
        item = slot.item
        if item is None:
            continue
        row = rows.get(item.notice_id)
        if row is None:
            row = rows[item.notice_id] = Row(
                item.notice_id, item.title, item.category, str(item.priority)
            )
        if row.spans and a - row.spans[-1][1] <= join:
            row.spans[-1] = (row.spans[-1][0], b)
        else:
            row.spans.append((a, b))
        row.plays += 0 if slot.interrupted else 1
        row.seconds += (min(slot.until, end) - max(slot.start, start)).total_seconds()
    return DayChart(_minutes(end, start), tuple(screen), tuple(rows.values()))
