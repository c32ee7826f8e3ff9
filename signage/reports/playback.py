"""What a screen was scheduled to play in the past, rebuilt from the notices' review history.

The controller keeps no copy of the playlists it served, but it keeps everything they were
compiled from: every approved revision with its approval time, and each notice's closing time.
A revision was live on its screens from its approval until the next revision of the same notice
was approved, or the notice was withdrawn or expired (:func:`signage.notices.queries.live_spells`).
So for any past period the set of live
revisions aimed at a screen is known at every instant; between two changes of that set the
playlist is what :func:`playlists.compile_playlist` makes of it, with the screen's opening hours
and groups as they are now (their history is not kept), and its reading speeds as they were
then (:func:`signage.screens.readings.readings_between`): each item lasts what its text needed
on the screen at the time, measured as the controller measures playlists.

Expected plays are then the plays :func:`playlists.timeline` gives over those playlists
(counted by :func:`playlists.count_plays`). A player carries its
round-robin state from item to item; the simulation starts it afresh at each local midnight of
the screen (usually inside off hours), which lets identical days be simulated once. Over any run
the round-robin keeps each item within one play of its share, so this differs from an unbroken
simulation by at most one play per day and screen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from playlists import NoticeSpec, Playlist, Reading, compile_playlist, count_plays
from playlists.compile import horizon_start
from playlists.intervals import Interval, intersect, normalise
from signage.delivery.durations import measurer
from signage.delivery.services import notice_spec, screen_spec
from signage.notices.models import NoticeRevision
from signage.notices.queries import spells_on_screen
from signage.screens.models import Screen
from signage.screens.readings import readings_between
from signage.times import day_bounds

# Longer than any item plays: what lies beyond a day's end by more than this cannot change
# what is selected within the day.
MARGIN = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Segment:
    """From ``start`` until ``end`` the screen's live revisions did not change."""

    start: dt.datetime
    end: dt.datetime
    playlist: Playlist


def _spec(revision: NoticeRevision, screen: Screen, specs: dict[int, NoticeSpec]) -> NoticeSpec:
    # Aimed at the screen by key: whether it reached the screen directly or through a group
    # was settled by the query. The image does not change what plays when; the text does (how
    # long it takes to read).
    spec = specs.get(revision.id)
    if spec is None:
        spec = specs[revision.id] = notice_spec(revision, None)
    return dataclasses.replace(spec, screens=frozenset({screen.key}), groups=frozenset())


def playback(
    session: Session,
    screen: Screen,
    start: dt.datetime,
    end: dt.datetime,
    *,
    weights: Mapping[str, int],
    specs: dict[int, NoticeSpec] | None = None,
) -> list[Segment]:
    """Rebuild the playlists ``screen`` played from ``start`` until ``end``.

    ``specs`` keeps each revision's spec for the next call (a report over many screens).
    """
    specs = {} if specs is None else specs
    if end <= start:
        return []
    spells = spells_on_screen(session, screen, start, end)
    readings = readings_between(session, screen, start, end)
    points = {start, end} | {since for since, _ in readings}
    for spell in spells:
        points.update(t for t in (spell.start, spell.end) if t is not None and start < t < end)
    ordered = sorted(points)
    spans: list[tuple[dt.datetime, dt.datetime, frozenset[int], Reading]] = []
    for a, b in itertools.pairwise(ordered):
        live = frozenset(
            i for i, s in enumerate(spells) if s.start <= a and (s.end is None or s.end >= b)
        )
        reading = [r for since, r in readings if since <= a][-1]
        if spans and spans[-1][2] == live and spans[-1][3] == reading:
            spans[-1] = (spans[-1][0], b, live, reading)
        else:
            spans.append((a, b, live, reading))
    spec = screen_spec(screen)
    measure = measurer()
    segments = []
    for a, b, live, reading in spans:
        notices = [_spec(spells[i].revision, screen, specs) for i in sorted(live)]
        horizon = b + MARGIN - horizon_start(a)
        playlist = compile_playlist(
            dataclasses.replace(spec, reading=reading), notices, a, horizon, weights, measure
        )
        segments.append(Segment(a, b, playlist))
    return segments


def scheduled_windows(segments: Sequence[Segment], notice_id: int) -> tuple[Interval, ...]:
    """Return when ``notice_id`` was scheduled: its items' windows within their segments."""
    windows: list[Interval] = []
    for segment in segments:
        for item in segment.playlist.items:
            if item.notice_id == notice_id:
                windows.extend(intersect(item.windows, ((segment.start, segment.end),)))
    return normalise(windows)


def _relative(windows: Sequence[Interval], start: dt.datetime, end: dt.datetime) -> tuple[Any, ...]:
    return tuple(
        (max(s, start) - start, min(e, end) - start) for s, e in windows if s < end and e > start
    )


def _day_signature(playlist: Playlist, day_start: dt.datetime, day_end: dt.datetime) -> Any:
    """What ``timeline`` depends on within one day, relative to its start."""
    reach = day_end + MARGIN
    items = []
    for item in playlist.items:
        windows = _relative(item.windows, day_start, reach)
        if windows:
            items.append(
                (item.id, item.notice_id, item.priority, item.weight, item.duration_ms, windows)
            )
    return (
        tuple(items),
        _relative(playlist.off, day_start, reach),
        min(playlist.horizon_until, reach) - day_start,
        max(playlist.generated_at, day_start) - day_start,
    )


def expected_plays(
    segments: Sequence[Segment],
    notice_id: int,
    start: dt.datetime,
    end: dt.datetime,
    timezone: str,
    cache: dict[Any, int],
) -> int:
    """Count the plays of ``notice_id`` that ``timeline`` gives from ``start`` until ``end``.

    Each local day is simulated on its own (see the module docstring); ``cache`` holds the
    counts of days already simulated, for this and other screens.
    """
    zone = zoneinfo.ZoneInfo(timezone)
    total = 0
    for segment in segments:
        low, high = max(segment.start, start), min(segment.end, end)
        day = low.astimezone(zone).date()
        while low < high:
            day_start, day_end = day_bounds(day, zone)
            piece_start, piece_end = max(low, day_start), min(high, day_end)
            if piece_start < piece_end:
                key = (
                    notice_id,
                    _day_signature(segment.playlist, day_start, day_end),
                    piece_start - day_start,
                    piece_end - day_start,
                )
                if key not in cache:
                    cache[key] = count_plays(segment.playlist, piece_start, piece_end, notice_id)
                total += cache[key]
            if day_end >= high:
                break
            day += dt.timedelta(days=1)
    return total
