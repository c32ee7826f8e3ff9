"""Gaps in a notice's display on a screen: stretches longer than a threshold with nothing of it
on the panel, each part put down to a cause (the rules are in
:mod:`signage.reports.compliance`)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from playlists.intervals import Interval, complement, intersect
from signage.errors import N_
from signage.messages import Said


class GapCause(enum.StrEnum):
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    NOT_LIVE = "not_live"
    OFF_HOURS = "off_hours"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Gap:
    start: dt.datetime
    end: dt.datetime
    causes: tuple[tuple[str, int], ...]  # (cause, seconds), longest first
    against_s: int  # seconds of the gap that were not off hours
    counts_against: bool

    @property
    def seconds(self) -> int:
        return round((self.end - self.start).total_seconds())

    @property
    def cause(self) -> str:
        return self.causes[0][0] if self.causes else GapCause.UNKNOWN


def duration_text(seconds: float) -> Said:
    """A duration as days, hours and minutes (``1 d 2 h 5 min``)."""
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [Said("%(n)s d", n=days)] if days else []
    if hours:
        parts.append(Said("%(n)s h", n=hours))
    if minutes or not parts:
        parts.append(Said("%(n)s min", n=minutes))
    return Said.join(" ", parts)


def _classify(
    start: dt.datetime,
    end: dt.datetime,
    *,
    live: tuple[Interval, ...],
    scheduled: tuple[Interval, ...],
    offline: tuple[Interval, ...],
    stopped: dt.datetime | None,
    withdrawn_at: dt.datetime | None,
    threshold_s: int,
) -> Gap:
    """Put each part of the gap ``[start, end)`` down to a cause (see the module docstring)."""
    gap = ((start, end),)
    parts: dict[str, tuple[Interval, ...]] = {}
    not_live = complement(live, start, end)
    if stopped is not None:
        after = intersect(not_live, ((stopped, end),)) if stopped < end else ()
        if withdrawn_at is not None and withdrawn_at < end:
            parts[GapCause.WITHDRAWN] = intersect(after, ((withdrawn_at, end),))
            parts[GapCause.EXPIRED] = intersect(after, ((start, withdrawn_at),))
        else:
            parts[GapCause.EXPIRED] = after
        not_live = intersect(not_live, ((start, stopped),)) if stopped > start else ()
    parts[GapCause.NOT_LIVE] = not_live
    live_part = intersect(gap, live)
    on = intersect(live_part, scheduled)
    parts[GapCause.OFF_HOURS] = intersect(live_part, complement(scheduled, start, end))
    parts[GapCause.OFFLINE] = intersect(on, offline)
    parts[GapCause.UNKNOWN] = intersect(on, complement(offline, start, end))
    seconds = {
        cause: round(sum((e - s).total_seconds() for s, e in intervals))
        for cause, intervals in parts.items()
    }
    causes = tuple(
        sorted(((c, s) for c, s in seconds.items() if s > 0), key=lambda cs: (-cs[1], cs[0]))
    )
    against = sum(s for c, s in causes if c != GapCause.OFF_HOURS)
    return Gap(start, end, causes, against, against > threshold_s)


def find_gaps(
    holes: tuple[Interval, ...],
    *,
    threshold_s: int,
    live: tuple[Interval, ...],
    scheduled: tuple[Interval, ...],
    offline: tuple[Interval, ...],
    stopped: dt.datetime | None,
    withdrawn_at: dt.datetime | None,
) -> tuple[Gap, ...]:
    """The holes between displays longer than ``threshold_s``, each put down to its causes:
    when the notice was ``live`` on the screen, ``scheduled`` by its playlists, the screen
    ``offline``, and when the notice ``stopped`` being shown (and was ``withdrawn_at``)."""
    return tuple(
        _classify(
            a,
            b,
            live=live,
            scheduled=scheduled,
            offline=offline,
            stopped=stopped,
            withdrawn_at=withdrawn_at,
            threshold_s=threshold_s,
        )
        for a, b in holes
        if (b - a).total_seconds() > threshold_s
    )


def gap_reason(failing: Sequence[Gap], threshold_s: int) -> Said:
    by_cause: dict[str, int] = {}
    for gap in failing:
        for cause, secs in gap.causes:
            if cause != GapCause.OFF_HOURS:
                by_cause[cause] = by_cause.get(cause, 0) + secs
    detail = Said.join(
        N_(", "),
        [
            Said("%(cause)s %(duration)s", cause=Said(str(cause)), duration=duration_text(secs))
            for cause, secs in sorted(by_cause.items(), key=lambda cs: -cs[1])
        ],
    )
    return Said(
        "%(count)s gap(s) longer than %(threshold)s when it should have been on display: "
        "%(detail)s",
        count=len(failing),
        threshold=duration_text(threshold_s),
        detail=detail,
    )
