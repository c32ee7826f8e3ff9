"""``compile_playlist``: which approved revisions a screen shows, and when.

An item's windows are its validity window ∩ its dayparts ∩ the screen's opening hours, all in
the screen's time zone, clipped to the horizon. The horizon starts at the top of the hour of
``now``, so a playlist compiled twice within an hour from the same content has the same bytes and
the same ETag, and it rolls forward by itself once an hour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from playlists.brightness import Filler, brightness_windows
from playlists.content import Approval
from playlists.document import BlackoutOrder, FontRef, Item, MediaRef, Playlist, ScreenInfo
from playlists.intervals import Interval, complement, intersect, normalise, weekly_intervals
from playlists.reading import DEFAULT_READING, Reading
from playlists.vocabulary import PRIORITY_RANK, ColorMode, Kind, Priority

DEFAULT_HORIZON = dt.timedelta(hours=48)
DEFAULT_WEIGHTS: Mapping[str, int] = {"normal": 1, "high": 2, "urgent": 1}


@dataclass(frozen=True, slots=True)
class ScreenSpec:
    """What compile needs to know of a screen."""

    key: str
    width: int
    height: int
    color: ColorMode
    timezone: str
    hours: str | None = None  # weekly spec; None means always on
    groups: frozenset[str] = frozenset()
    reading: Reading = DEFAULT_READING
    blackout: BlackoutOrder | None = None  # blacked out from the controller: nothing plays
    brightness: str | None = None  # daily brightness schedule (playlists.brightness); None: 100 %
    filler: Filler | None = None  # what it shows when nothing is scheduled; None: black

    def info(self) -> ScreenInfo:
        return ScreenInfo(
            key=self.key,
            width=self.width,
            height=self.height,
            color=self.color,
            timezone=self.timezone,
            reading=self.reading,
        )


@dataclass(frozen=True, slots=True)
class NoticeSpec:
    """One approved (live) notice revision and where it is targeted."""

    notice_id: int
    revision: int
    content_sha256: str
    kind: Kind
    category: str
    priority: Priority
    duration_s: int
    title: str
    body: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    media: MediaRef | None = None
    dayparts: str | None = None  # weekly spec in the screen's zone; None means all day
    screens: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    approval: Approval | None = None  # what the content hash covers besides title and body
    # A takeover (整屏接管): while its windows are open on a screen, it plays there alone.
    takeover: bool = False

    def targets(self, screen: ScreenSpec) -> bool:
        """Whether the notice is aimed at ``screen``: named directly, or through a group."""
        return screen.key in self.screens or not self.groups.isdisjoint(screen.groups)


class Measure(Protocol):
    """How long a notice takes on a screen (its ``play_ms``), and the font that says so.

    The core cannot measure text (that needs fonts and the renderer); the controller passes the
    player's renderer in. Without one, an item takes its author's ``duration_s``."""

    @property
    def font(self) -> FontRef | None: ...

    def play_ms(self, notice: NoticeSpec, screen: ScreenSpec) -> int: ...


def item_id(notice_id: int, revision: int) -> str:
    """The id of a notice revision's item in every playlist (``n42.r3``); display events name
    the item they showed by it."""
    return f"n{notice_id}.r{revision}"


def horizon_start(now: dt.datetime) -> dt.datetime:
    """Return the top of the UTC hour of ``now``: where a playlist compiled at ``now`` starts."""
    return now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def opening_intervals(
    screen: ScreenSpec, start: dt.datetime, end: dt.datetime
) -> tuple[Interval, ...]:
    """Return when ``screen`` is on within ``[start, end)``."""
    if screen.hours is None:
        return ((start, end),)
    return weekly_intervals(screen.hours, screen.timezone, start, end)


def compile_playlist(
    screen: ScreenSpec,
    notices: Iterable[NoticeSpec],
    now: dt.datetime,
    horizon: dt.timedelta = DEFAULT_HORIZON,
    weights: Mapping[str, int] = DEFAULT_WEIGHTS,
    measure: Measure | None = None,
) -> Playlist:
    """Compile the playlist of ``screen`` from the live ``notices``.

    Notices not targeted at the screen (directly or through one of its groups), and those with
    no window left inside the horizon, are left out. Items are ordered urgent, high, normal,
    then by notice id, so the result depends only on the inputs. A screen blacked out from the
    controller gets no items at all, and the blackout order; while a takeover's windows are
    open, it is the only item with a window.
    """
    start = horizon_start(now)
    end = start + horizon
    on = opening_intervals(screen, start, end)
    dims = (
        brightness_windows(screen.brightness, screen.timezone, start, end)
        if screen.brightness
        else ()
    )
    dark = normalise((d.start, d.end) for d in dims if d.percent == 0)
    if dark:  # at 0 % nobody can read it: off, as closed hours are
        on = intersect(on, complement(dark, start, end))
    items: list[Item] = []
    kept: list[NoticeSpec] = []  # the notice of each item
    for notice in () if screen.blackout is not None else notices:
        if not notice.targets(screen):
            continue
        windows: tuple[Interval, ...] = intersect(
            ((max(notice.valid_from, start), min(notice.valid_until, end)),), on
        )
        if notice.dayparts is not None and windows:
            windows = intersect(
                windows, weekly_intervals(notice.dayparts, screen.timezone, start, end)
            )
        if not windows:
            continue
        items.append(
            Item(
                id=item_id(notice.notice_id, notice.revision),
                notice_id=notice.notice_id,
                revision=notice.revision,
                content_sha256=notice.content_sha256,
                kind=notice.kind,
                category=notice.category,
                priority=notice.priority,
                weight=weights.get(notice.priority, 1),
                duration_s=notice.duration_s,
                title=notice.title,
                body=notice.body,
                media=notice.media,
                windows=windows,
                approval=notice.approval,
                play_ms=notice.duration_s * 1000
                if measure is None
                else measure.play_ms(notice, screen),
            )
        )
        kept.append(notice)
    taken = normalise(w for i, n in zip(items, kept, strict=True) if n.takeover for w in i.windows)
    if taken:
        # A takeover plays alone: the others keep only the time outside its windows, and
        # come back by themselves when it ends.
        free = complement(taken, start, end)
        items = [
            i if n.takeover else replace(i, windows=intersect(i.windows, free))
            for i, n in zip(items, kept, strict=True)
        ]
        items = [i for i in items if i.windows]
    items.sort(key=lambda i: (PRIORITY_RANK[i.priority], i.notice_id, i.revision))
    return Playlist(
        screen=screen.info(),
        generated_at=start,
        horizon_until=end,
        items=tuple(items),
        off=complement(on, start, end),
        font=None if measure is None else measure.font,
        blackout=screen.blackout,
        dim=tuple(d for d in dims if d.percent > 0),
        filler=screen.filler,
    )
