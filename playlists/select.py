"""``select``: what a screen shows at an instant, and ``timeline``: what it shows over a period.

The rules, in order:

1. Outside the horizon nothing is known: show nothing (``idle``) until the horizon starts, or
   for a minute past its end, by when a newer playlist should have arrived.
2. In an off interval (outside opening hours): ``off`` until it ends.
3. Items whose window contains the instant are live. If any urgent item is live, only urgent
   items play: an interrupt. (In the last seconds of an urgent window, too short for the urgent
   item to play again, the screen stays idle rather than show anything else.)
4. An item is started only if its window lets it run its whole duration (its ``play_ms``: the
   time its text needs on this screen, computed when the playlist was compiled). The alternative,
   starting it and cutting it off when the window closes, would show a notice for a few seconds
   at the edge of its window; a viewer cannot read that, and the display log would record plays
   nobody could have read. So near a window's end other items fill in, or the screen is idle.
5. Among the items that fit, a smooth weighted round-robin (the algorithm nginx uses) picks one:
   every item gains its weight in credit, the richest plays and pays the sum of all weights.
   Plays are spread through each cycle rather than bunched (weights 2:1:1 play A B C A, not
   A A B C), and over any run each item's count of plays stays within one play of its weight's
   share.
6. A non-urgent item is cut short (``interrupted``) when an urgent item's window opens during it.
7. When a new playlist arrives during a display, the display stops if its item is gone from the
   new playlist or outside its windows there (withdrawn, expired), or if it is not urgent and an
   urgent item is now live (:func:`should_stop`).

The state carried from one call to the next is only the round-robin credits; it is a few bytes
per item, serialisable with :meth:`PlayerState.to_dict`, and a player that loses it merely
starts the rotation afresh.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from playlists.document import Item, Playlist
from playlists.intervals import Interval
from playlists.vocabulary import Priority

BEYOND_HORIZON_RETRY = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class PlayerState:
    """Round-robin credits by item id."""

    credits: tuple[tuple[str, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"credits": dict(self.credits)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlayerState:
        credits = data.get("credits", {})
        if not isinstance(credits, dict):
            return cls()
        return cls(tuple(sorted((str(k), int(v)) for k, v in credits.items())))


@dataclass(frozen=True, slots=True)
class Selection:
    """What to show from ``start`` until ``until``: an item, ``off`` or ``idle`` (nothing)."""

    kind: Literal["item", "off", "idle"]
    start: dt.datetime
    until: dt.datetime
    item: Item | None = None
    interrupted: bool = False  # an item cut short because an urgent item starts

    @property
    def is_play(self) -> bool:
        """Whether this shows an item for its whole duration: what a player logs as shown."""
        return self.item is not None and not self.interrupted


def _containing(windows: tuple[Interval, ...], at: dt.datetime) -> Interval | None:
    index = bisect.bisect_right(windows, at, key=lambda w: w[0]) - 1
    if index >= 0 and windows[index][1] > at:
        return windows[index]
    return None


def _next_start(windows: tuple[Interval, ...], after: dt.datetime) -> dt.datetime | None:
    index = bisect.bisect_right(windows, after, key=lambda w: w[0])
    return windows[index][0] if index < len(windows) else None


def select(
    playlist: Playlist, at: dt.datetime, state: PlayerState | None = None
) -> tuple[Selection, PlayerState]:
    """Return what plays at ``at`` and the state to pass to the next call."""
    state = state or PlayerState()
    at = at.astimezone(dt.UTC)
    if at < playlist.generated_at:
        return Selection("idle", at, playlist.generated_at), state
    if at >= playlist.horizon_until:
        return Selection("idle", at, at + BEYOND_HORIZON_RETRY), state
    off = _containing(playlist.off, at)
    if off is not None:
        return Selection("off", at, off[1]), state

    live = _live(playlist, at)
    urgent = [(i, w) for i, w in live if i.priority == Priority.URGENT]
    pool = urgent or live
    fitting = [i for i, w in pool if at + dt.timedelta(milliseconds=i.duration_ms) <= w[1]]
    if not fitting:
        return Selection("idle", at, _next_change(playlist, at, live)), state

    credits = dict(state.credits)
    total = sum(i.weight for i in fitting)
    best: Item | None = None
    best_credit = 0
    for item in fitting:  # playlist order breaks ties, so the choice is deterministic
        credit = credits.get(item.id, 0) + item.weight
        credits[item.id] = credit
        if best is None or credit > best_credit:
            best, best_credit = item, credit
    assert best is not None
    credits[best.id] -= total
    new_state = PlayerState(tuple(sorted((i.id, credits[i.id]) for i in fitting)))

    until = at + dt.timedelta(milliseconds=best.duration_ms)
    interrupted = False
    if best.priority != Priority.URGENT:
        for item in playlist.items:
            if item.priority != Priority.URGENT:
                continue
            starts = _next_start(item.windows, at)
            if starts is not None and starts < until:
                until, interrupted = starts, True
    return Selection("item", at, until, best, interrupted), new_state


def _live(playlist: Playlist, at: dt.datetime) -> list[tuple[Item, Interval]]:
    """The items whose window contains ``at``, each with that window."""
    live: list[tuple[Item, Interval]] = []
    for item in playlist.items:
        window = _containing(item.windows, at)
        if window is not None:
            live.append((item, window))
    return live


def should_stop(playlist: Playlist, item: Item, at: dt.datetime) -> bool:
    """Whether a display of ``item`` begun under an earlier playlist must stop at ``at``, now
    that ``playlist`` has arrived (rule 7): its item is gone or outside its windows, or it is
    not urgent and an urgent item is live."""
    at = at.astimezone(dt.UTC)
    current = playlist.item(item.id)
    if current is None or _containing(current.windows, at) is None:
        return True
    if item.priority == Priority.URGENT:
        return False
    return any(i.priority == Priority.URGENT for i, _ in _live(playlist, at))


def _next_change(
    playlist: Playlist, at: dt.datetime, live: list[tuple[Item, Interval]]
) -> dt.datetime:
    """The next instant at which ``select`` could answer differently: a window opening or
    closing, off time starting, or the horizon ending."""
    candidates = [playlist.horizon_until]
    for item in playlist.items:
        starts = _next_start(item.windows, at)
        if starts is not None:
            candidates.append(starts)
    candidates.extend(w[1] for _, w in live)
    off_start = _next_start(playlist.off, at)
    if off_start is not None:
        candidates.append(off_start)
    return min(c for c in candidates if c > at)


def timeline(
    playlist: Playlist, start: dt.datetime, end: dt.datetime, state: PlayerState | None = None
) -> list[Selection]:
    """Return the selections ``select`` makes from ``start`` until ``end``, back to back.

    The last one may run past ``end``.
    """
    out: list[Selection] = []
    at = start.astimezone(dt.UTC)
    end = end.astimezone(dt.UTC)
    while at < end:
        selection, state = select(playlist, at, state)
        out.append(selection)
        at = selection.until
    return out


def count_plays(
    playlist: Playlist,
    start: dt.datetime,
    end: dt.datetime,
    notice_id: int,
    state: PlayerState | None = None,
) -> int:
    """The plays of ``notice_id`` among what :func:`timeline` gives from ``start`` until ``end``,
    counted without walking every display.

    Between two instants at which a window or off time opens or closes (or the horizon begins
    or ends), and while even the longest item still fits before the next of them, every live
    item fits and nothing is interrupted, so what plays next depends on the round-robin credits
    alone. Once the credits come back to a value they had earlier in such a stretch, the
    displays in between repeat until the stretch ends; whole repeats are skipped, each adding
    the plays it held. The rest is walked with :func:`select`, so the count is exactly that of
    the timeline (a property test holds them equal).
    """
    at = start.astimezone(dt.UTC)
    end = end.astimezone(dt.UTC)
    longest = dt.timedelta(milliseconds=max((i.duration_ms for i in playlist.items), default=0))
    changes = sorted(
        {t for item in playlist.items for w in item.windows for t in w}
        | {t for w in playlist.off for t in w}
        | {playlist.generated_at, playlist.horizon_until}
    )
    seen: dict[tuple[tuple[str, int], ...], tuple[int, dt.datetime, int]] = {}
    count = 0
    while at < end:
        stretch = bisect.bisect_right(changes, at)
        boundary = changes[stretch] if stretch < len(changes) else end
        safe_until = min(boundary, end) - longest
        if at < safe_until:
            credits = state.credits if state is not None else ()
            earlier = seen.get(credits)
            if earlier is not None and earlier[0] == stretch and at > earlier[1]:
                period = at - earlier[1]
                repeats = (safe_until - at) // period
                if repeats > 0:
                    at += repeats * period
                    count += repeats * (count - earlier[2])
                    seen.clear()
                    continue
            seen[credits] = (stretch, at, count)
        selection, state = select(playlist, at, state)
        if (
            selection.is_play
            and selection.item is not None
            and selection.item.notice_id == notice_id
        ):
            count += 1
        at = selection.until
    return count


def rotation_interval_ms(items: tuple[Item, ...] | list[Item], item_id: str) -> int | None:
    """How often the item ``item_id`` comes round among ``items`` when all of them are live:
    the time between two of its starts, on average, in ms (None if it is not among them).
    Urgent items rotate among themselves only, as they interrupt the others (rule 3).

    In one cycle of the smooth weighted round-robin (rule 5) every item plays as many times as
    its weight, so a cycle lasts the sum of weight × duration, and an item of weight w comes
    round every cycle / w.
    """
    target = next((i for i in items if i.id == item_id), None)
    if target is None:
        return None
    urgent = target.priority == Priority.URGENT
    pool = [i for i in items if (i.priority == Priority.URGENT) == urgent]
    cycle = sum(i.weight * i.duration_ms for i in pool)
    return cycle // target.weight
