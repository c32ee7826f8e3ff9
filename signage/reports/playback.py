"""What a screen was scheduled to play in the past, rebuilt from the notices' review history.

The controller keeps no copy of the playlists it served, but it keeps everything they were
compiled from: every approved revision with its approval time, and each notice's closing time.
A revision was live on its screens from its approval until the next revision of the same notice
was approved, or the notice was withdrawn or expired. So for any past period the set of live
revisions aimed at a screen is known at every instant; between two changes of that set the
playlist is what :func:`playlists.compile_playlist` makes of it, with the screen's opening hours
and groups as they are now (their history is not kept).

Expected plays are then :func:`playlists.timeline` over those playlists. A player carries its
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

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from playlists import NoticeSpec, Playlist, compile_playlist, timeline
from playlists.compile import horizon_start
from playlists.intervals import Interval, intersect, normalise
from signage.delivery.services import notice_spec, screen_spec
from signage.notices.models import Notice, NoticeRevision, RevisionState, targets_screen
from signage.reports.rollups import day_bounds
from signage.screens.models import Screen

APPROVED_STATES = (RevisionState.APPROVED, RevisionState.SUPERSEDED)
# Longer than any item plays: what lies beyond a day's end by more than this cannot change
# what is selected within the day.
MARGIN = dt.timedelta(hours=1)


@dataclass(frozen=True)
class LiveSpell:
    """A revision was live on its screens from ``start`` until ``end`` (None: still is)."""

    revision: NoticeRevision
    start: dt.datetime
    end: dt.datetime | None


def approved_revisions(notice: Notice) -> list[NoticeRevision]:
    """Return the revisions of ``notice`` that were ever approved, in approval order."""
    approved = [r for r in notice.revisions if r.reviewed_at is not None]
    approved = [r for r in approved if r.state in APPROVED_STATES]
    return sorted(approved, key=lambda r: (r.reviewed_at, r.number))


def live_spells(notice: Notice, revisions: Sequence[NoticeRevision]) -> list[LiveSpell]:
    """Return when each of ``revisions`` (a notice's approved ones, in order) was live."""
    spells = []
    for index, revision in enumerate(revisions):
        assert revision.reviewed_at is not None
        following = revisions[index + 1].reviewed_at if index + 1 < len(revisions) else None
        end = following if following is not None else notice.closed_at
        spells.append(LiveSpell(revision, revision.reviewed_at, end))
    return spells


@dataclass(frozen=True)
class Segment:
    """From ``start`` until ``end`` the screen's live revisions did not change."""

    start: dt.datetime
    end: dt.datetime
    playlist: Playlist


def _spell_history(
    session: Session, screen: Screen, start: dt.datetime, end: dt.datetime
) -> list[LiveSpell]:
    """Every live spell of a revision aimed at ``screen`` that overlaps ``[start, end)``."""
    aimed = session.execute(
        sa.select(NoticeRevision.id, NoticeRevision.notice_id).where(
            targets_screen(screen.id),
            NoticeRevision.reviewed_at.is_not(None),
            NoticeRevision.reviewed_at < end,
            NoticeRevision.state.in_(APPROVED_STATES),
            NoticeRevision.valid_until > start,
        )
    ).all()
    if not aimed:
        return []
    aimed_ids = {r.id for r in aimed}
    notices = session.scalars(
        sa.select(Notice)
        .where(Notice.id.in_({r.notice_id for r in aimed}))
        .options(selectinload(Notice.revisions))
        .order_by(Notice.id)
    ).all()
    spells = []
    for notice in notices:
        for spell in live_spells(notice, approved_revisions(notice)):
            if spell.revision.id not in aimed_ids:
                continue
            if spell.start < end and (spell.end is None or spell.end > start):
                spells.append(spell)
    return spells


def _spec(revision: NoticeRevision, screen: Screen) -> NoticeSpec:
    # Aimed at the screen by key: whether it reached the screen directly or through a group
    # was settled by the query. Media and text do not change what plays when.
    return dataclasses.replace(
        notice_spec(revision, None), body="", screens=frozenset({screen.key}), groups=frozenset()
    )


def playback(
    session: Session,
    screen: Screen,
    start: dt.datetime,
    end: dt.datetime,
    *,
    weights: Mapping[str, int],
) -> list[Segment]:
    """Rebuild the playlists ``screen`` played from ``start`` until ``end``."""
    if end <= start:
        return []
    spells = _spell_history(session, screen, start, end)
    points = {start, end}
    for spell in spells:
        points.update(t for t in (spell.start, spell.end) if t is not None and start < t < end)
    ordered = sorted(points)
    spans: list[tuple[dt.datetime, dt.datetime, frozenset[int]]] = []
    for a, b in itertools.pairwise(ordered):
        live = frozenset(
            i for i, s in enumerate(spells) if s.start <= a and (s.end is None or s.end >= b)
        )
        if spans and spans[-1][2] == live:
            spans[-1] = (spans[-1][0], b, live)
        else:
            spans.append((a, b, live))
    spec = screen_spec(screen)
    segments = []
    for a, b, live in spans:
        notices = [_spec(spells[i].revision, screen) for i in sorted(live)]
        horizon = b + MARGIN - horizon_start(a)
        segments.append(Segment(a, b, compile_playlist(spec, notices, a, horizon, weights)))
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
                (item.id, item.notice_id, item.priority, item.weight, item.duration_s, windows)
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
                    cache[key] = sum(
                        1
                        for slot in timeline(segment.playlist, piece_start, piece_end)
                        if slot.item is not None
                        and slot.item.notice_id == notice_id
                        and not slot.interrupted
                    )
                total += cache[key]
            if day_end >= high:
                break
            day += dt.timedelta(days=1)
    return total
