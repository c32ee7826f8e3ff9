"""The 公示 compliance evidence of one notice on one screen (see :mod:`signage.reports.compliance`
for the rules). :func:`screen_evidence` gathers it in steps: the required period on the screen,
when the notice was live and scheduled there, what the screen reported showing, the gaps
between displays with their causes, the expected plays, and the verdict.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import NoticeSpec
from playlists.intervals import Interval, complement, normalise
from signage.audit.checkpoints import CheckpointCover, covering
from signage.audit.models import ChainHead
from signage.displaylog.models import DisplayEvent
from signage.displaylog.plays import PlayCounts, on_panel, plays_only
from signage.displaylog.records import chain_name
from signage.health.models import ScreenStatus
from signage.keys.models import ControllerKey
from signage.messages import Said
from signage.notices.models import Notice, NoticeStatus
from signage.notices.queries import LiveSpell, revision_screen_ids
from signage.reports.calendar import CalendarUnknown, WorkingCalendar, add_working_days
from signage.reports.gaps import Gap, duration_text, find_gaps, gap_reason
from signage.reports.measures import outages_between
from signage.reports.playback import expected_plays, playback, scheduled_windows
from signage.screens.models import Screen

MAX_SIMULATED = dt.timedelta(days=100)
# A display begun this long before the period starts still covers its first minutes.
LOOKBACK = dt.timedelta(hours=1)


class Verdict(enum.StrEnum):
    COVERED = "covered"
    NOT_COVERED = "not_covered"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ChainPoint:
    """A record's place and hash in a hash chain (``at``: its time, when it has one)."""

    seq: int
    hash: str
    at: dt.datetime | None = None
    what: str = ""


@dataclass(frozen=True)
class ScreenEvidence:
    screen: str
    screen_name: str
    timezone: str
    period_start: dt.datetime
    period_end: dt.datetime | None  # None: the calendar does not know a year of it
    examined_until: dt.datetime  # the end of the period, or now while it runs
    verdict: Verdict
    reasons: tuple[str, ...]
    expected_plays: int | None
    expected_note: str
    plays: int
    interrupted: int
    errors: int
    first_display: dt.datetime | None
    last_display: dt.datetime | None
    gaps: tuple[Gap, ...]
    first_event: ChainPoint | None
    last_event: ChainPoint | None
    chain_head: ChainPoint | None
    # The signed checkpoint that covers the last event, with the public keys that check it.
    checkpoint: CheckpointCover | None = None
    # The screen's last heartbeat, when it came before the end of what is examined: its
    # displays since then may still arrive (a player keeps playing through a network outage
    # and uploads later), so that stretch is neither a gap nor evidence yet.
    reported_until: dt.datetime | None = None


@dataclass(frozen=True)
class Inquiry:
    """What is asked of every target screen of one notice."""

    notice: Notice
    spells: Sequence[LiveSpell]  # the notice's approved revisions and when each was live
    start: dt.datetime  # when the period starts
    days: int | None  # the required working days (None: the validity window)
    calendar: WorkingCalendar
    now: dt.datetime
    weights: Mapping[str, int]
    threshold_s: int  # gaps longer than this are reported
    cache: dict[Any, int]  # expected plays of days already simulated, shared across screens
    # Each revision's spec, made once for all screens (see signage.reports.playback).
    specs: dict[int, NoticeSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class _Period:
    end: dt.datetime | None  # None: the calendar does not know a year of it
    calendar_note: str
    examined_until: dt.datetime


@dataclass(frozen=True)
class _Displays:
    counts: PlayCounts  # in the period
    on_panel: tuple[Interval, ...]  # when the notice was on the panel, from a little before


def chain_head(session: Session, name: str) -> ChainPoint | None:
    """The head of the hash chain ``name``."""
    row = session.execute(
        sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.name == name)
    ).one_or_none()
    return ChainPoint(row.seq, row.hash) if row is not None else None


def _period(q: Inquiry, screen: Screen) -> _Period:
    """The end of the required period on ``screen`` (in its zone), and how far to look."""
    last_revision = q.spells[-1].revision
    calendar_note = ""
    end: dt.datetime | None
    if q.days:
        try:
            end = add_working_days(q.calendar, q.start, q.days, screen.timezone)
        except CalendarUnknown as exc:
            end, calendar_note = None, Said(exc.template, **exc.params)
    else:
        end = last_revision.valid_until
    # How far to look: the period (up to now); with no known end, as long as it was shown.
    stop_candidates = [q.now]
    if end is not None:
        stop_candidates.append(end)
    else:
        stop_candidates.append(last_revision.valid_until)
        if q.notice.closed_at is not None:
            stop_candidates.append(q.notice.closed_at)
    return _Period(end, calendar_note, max(q.start, min(stop_candidates)))


def _live_here(
    session: Session, q: Inquiry, screen: Screen, until: dt.datetime
) -> tuple[Interval, ...]:
    """When a revision aimed at ``screen`` was live, within its validity window and the period."""
    here = [s for s in q.spells if screen.id in revision_screen_ids(session, s.revision)]
    return normalise(
        (
            max(s.start, s.revision.valid_from, q.start),
            min(s.end or until, s.revision.valid_until, until),
        )
        for s in here
    )


def _displays(session: Session, q: Inquiry, screen: Screen, until: dt.datetime) -> _Displays:
    """What the screen reported showing of the notice up to ``until``."""
    e = DisplayEvent
    events = session.execute(
        sa.select(e.started_at, e.duration_ms, e.outcome)
        .where(
            e.notice_id == q.notice.id,
            e.screen_id == screen.id,
            e.started_at >= q.start - LOOKBACK,
            e.started_at < until,
        )
        .order_by(e.started_at)
    ).all()
    counts = PlayCounts()
    panel: list[Interval] = []
    for started_at, duration_ms, outcome in events:
        if started_at >= q.start:
            counts.add(started_at, outcome, duration_ms)
        if on_panel(outcome):
            panel.append((started_at, started_at + dt.timedelta(milliseconds=duration_ms)))
    return _Displays(counts, normalise(panel))


def _reported_until(
    session: Session, q: Inquiry, screen: Screen, until: dt.datetime
) -> dt.datetime | None:
    """The screen's last heartbeat, when it came before ``until`` (its displays since may still
    arrive)."""
    status = session.get(ScreenStatus, screen.id)
    if status is not None and status.last_seen_at < until:
        return max(q.start, status.last_seen_at)
    return None


def _stop(
    q: Inquiry, live: tuple[Interval, ...], until: dt.datetime
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """When the notice stopped being shown on the screen (None: it had not by ``until``), and
    when it was withdrawn (None: it was not)."""
    notice = q.notice
    notice_stopped = notice.closed_at is not None or q.spells[-1].revision.valid_until <= until
    stopped = (live[-1][1] if live else q.start) if notice_stopped else None
    withdrawn_at = notice.closed_at if notice.status == NoticeStatus.WITHDRAWN else None
    return stopped, withdrawn_at


def _verdict(
    q: Inquiry,
    period: _Period,
    gaps: tuple[Gap, ...],
    plays: int,
    *,
    stop: tuple[dt.datetime | None, dt.datetime | None],
    reported_until: dt.datetime | None,
) -> tuple[Verdict, list[str]]:
    """The verdict on one screen and the reasons for it."""
    failing = [g for g in gaps if g.counts_against]
    until = period.examined_until
    stopped, withdrawn_at = stop
    if period.end is None:
        return Verdict.UNKNOWN, [period.calendar_note]
    if q.now < q.start:
        return Verdict.NOT_STARTED, [Said("the period has not started")]
    if failing:
        reasons = [Said("never shown on this screen in the period")] if plays == 0 else []
        reasons.append(gap_reason(failing, q.threshold_s))
        if withdrawn_at is not None and withdrawn_at < period.end:
            reasons.append(Said("withdrawn before the period ended"))
        elif stopped is not None and stopped < period.end:
            reasons.append(Said("its display window ended before the period did"))
        return Verdict.NOT_COVERED, reasons
    if reported_until is not None and (until - reported_until).total_seconds() > q.threshold_s:
        return Verdict.IN_PROGRESS, [
            Said(
                "the screen has not reported since %(since)s; its displays since then may "
                "still arrive",
                since=reported_until.isoformat(),
            )
        ]
    if until < period.end:
        return Verdict.IN_PROGRESS, [Said("no gap so far; the period has not ended")]
    return Verdict.COVERED, [
        Said(
            "on display throughout: no gap longer than %(threshold)s except outside opening hours",
            threshold=duration_text(q.threshold_s),
        )
    ]


def _chain_point(session: Session, notice: Notice, screen: Screen, order: Any) -> ChainPoint | None:
    """The notice's first or last event on the screen, by its place in the screen's chain."""
    e = DisplayEvent
    row = session.execute(
        sa.select(e.chain_seq, e.hash, e.started_at)
        .where(e.notice_id == notice.id, e.screen_id == screen.id)
        .order_by(order)
        .limit(1)
    ).one_or_none()
    return ChainPoint(row.chain_seq, row.hash, row.started_at) if row else None


def _shown_between(session: Session, notice: Notice, screen: Screen) -> Any:
    """The first and last start of a play of the notice on the screen, over all time."""
    e = DisplayEvent
    return session.execute(
        sa.select(sa.func.min(e.started_at), sa.func.max(e.started_at)).where(
            e.notice_id == notice.id, e.screen_id == screen.id, plays_only()
        )
    ).one()


def _cover(session: Session, screen: Screen, last: ChainPoint | None) -> CheckpointCover | None:
    """The checkpoint that covers the screen's event ``last``, with its controller key."""
    if last is None:
        return None
    received = session.scalar(
        sa.select(DisplayEvent.received_at).where(
            DisplayEvent.screen_id == screen.id, DisplayEvent.chain_seq == last.seq
        )
    )
    cover = covering(session, screen.key, last.seq, received) if received else None
    if cover is None:
        return None
    key = session.get(ControllerKey, cover.controller_key)
    return replace(cover, controller_public_key=key.public_key if key else None)


def screen_evidence(session: Session, q: Inquiry, screen: Screen) -> ScreenEvidence:
    """Gather the evidence that the notice of ``q`` was on display on ``screen``."""
    period = _period(q, screen)
    until = period.examined_until
    live = _live_here(session, q, screen, until)
    stop = _stop(q, live, until)
    segments = playback(session, screen, q.start, until, weights=q.weights, specs=q.specs)
    scheduled = scheduled_windows(segments, q.notice.id)
    displays = _displays(session, q, screen, until)
    reported_until = _reported_until(session, q, screen, until)
    holes = complement(displays.on_panel, q.start, reported_until or until)
    offline = normalise(
        (s, e or until)
        for s, e in outages_between(session, q.start, until, [screen.id]).get(screen.id, [])
    )
    gaps = find_gaps(
        holes,
        threshold_s=q.threshold_s,
        live=live,
        scheduled=scheduled,
        offline=offline,
        stopped=stop[0],
        withdrawn_at=stop[1],
    )
    if until - q.start > MAX_SIMULATED:
        expected, expected_note = None, Said("not simulated: the period is longer than 100 days")
    else:
        expected = expected_plays(segments, q.notice.id, q.start, until, screen.timezone, q.cache)
        expected_note = Said("simulated from the playlists the screen had, day by day")
    counts = displays.counts
    verdict, reasons = _verdict(
        q, period, gaps, counts.plays, stop=stop, reported_until=reported_until
    )
    first_shown, last_shown = _shown_between(session, q.notice, screen)
    last_event = _chain_point(session, q.notice, screen, DisplayEvent.chain_seq.desc())
    return ScreenEvidence(
        screen=screen.key,
        screen_name=screen.name,
        timezone=screen.timezone,
        period_start=q.start,
        period_end=period.end,
        examined_until=until,
        verdict=verdict,
        reasons=tuple(reasons),
        expected_plays=expected,
        expected_note=expected_note,
        plays=counts.plays,
        interrupted=counts.interrupted,
        errors=counts.errors,
        first_display=first_shown,
        last_display=last_shown,
        gaps=gaps,
        first_event=_chain_point(session, q.notice, screen, DisplayEvent.chain_seq.asc()),
        last_event=last_event,
        chain_head=chain_head(session, chain_name(screen.id)),
        reported_until=reported_until,
        checkpoint=_cover(session, screen, last_event),
    )
