"""The supervisor's reports: 公示 compliance evidence, yearly disclosure counts, screen uptime.

Each report is a tree of frozen dataclasses (the API renders them as JSON or CSV with
:mod:`signage.reports.export`, pages render them as they are). Supervisors and admins may read
them; ``actor`` None is the operator on the command line.

Compliance evidence for a notice, per target screen (a screen any approved revision of the
notice was aimed at, directly or through a group as the groups are now):

* The period starts when the notice could first be seen: the first approval or the approved
  revision's ``valid_from``, whichever is later. With ``required_working_days`` = N it ends at
  the end (24:00, the screen's time zone) of the N-th working day after the start (the start day
  counts only if the period starts at its midnight; :func:`add_working_days`). Without N it ends
  at the live revision's ``valid_until``. If the working-day calendar does not know a year the
  period touches, the report says so and gives no verdict.
* Plays are events with outcome *shown* in the period; first and last display are over all time.
* A gap is a stretch longer than the threshold, within the period (up to now), with no display
  (shown or interrupted) on the panel. Its parts are put down to: ``withdrawn``/``expired`` (the
  notice had stopped), ``not_live`` (no approved revision was live and valid), ``off_hours``
  (outside the screen's opening hours or the notice's dayparts), ``offline`` (the screen was in an
  outage) and ``unknown`` (it should have been on and the screen was not known to be off).
* A gap *counts against* the notice when its parts other than ``off_hours`` add up to more than
  the threshold. The verdict is ``covered`` when the period is over and no gap counts against
  it, ``not_covered`` when one does, ``in_progress`` while the period runs without one,
  ``not_started`` before it starts and ``unknown`` when the calendar is unknown.
* Expected plays are simulated from the playlists the screen had (:mod:`signage.reports.playback`)
  for periods up to 100 days.
"""

from __future__ import annotations

import datetime as dt
import enum
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists.intervals import Interval, complement, intersect, normalise
from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role
from signage.audit.models import ChainHead
from signage.audit.services import AUDIT_CHAIN
from signage.delivery.changes import revision_screen_ids
from signage.displaylog.models import DisplayEvent
from signage.displaylog.services import chain_name
from signage.errors import Conflict, InvalidInput, NotFound
from signage.health.models import ScreenStatus
from signage.notices.models import Notice, NoticeStatus
from signage.notices.services import get_notice, notice_history
from signage.reports.calendar import CalendarUnknown, WorkingCalendar, add_working_days
from signage.reports.playback import (
    LiveSpell,
    approved_revisions,
    expected_plays,
    live_spells,
    playback,
    scheduled_windows,
)
from signage.reports.rollups import (
    UptimeFigures,
    days_between,
    local_date,
    outages_between,
    play_totals,
    rolled_through,
    uptime_cells,
)
from signage.screens.models import Screen

DEFAULT_GAP_MINUTES = 30
GAP_MINUTES_RANGE = (1, 24 * 60)
MAX_SIMULATED = dt.timedelta(days=100)
MAX_UPTIME_DAYS = 366
FIRST_YEAR = 2000
HEADLINE = "通过电子显示屏公开信息 {n} 条"


def _require_reader(actor: User | None) -> None:
    if actor is not None:
        require_role(actor, Role.SUPERVISOR, Role.ADMIN)


# --- compliance -------------------------------------------------------------------------------


class Verdict(enum.StrEnum):
    COVERED = "covered"
    NOT_COVERED = "not_covered"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    UNKNOWN = "unknown"


class GapCause(enum.StrEnum):
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    NOT_LIVE = "not_live"
    OFF_HOURS = "off_hours"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Approval:
    """One approved revision: the review record, and when it was live."""

    revision: int
    content_sha256: str
    reviewed_by: str
    reviewed_by_name: str
    reviewed_at: dt.datetime
    confidentiality_reviewed: bool
    note: str
    required_working_days: int | None
    valid_from: dt.datetime
    valid_until: dt.datetime
    live_from: dt.datetime
    live_until: dt.datetime | None  # None: still live


@dataclass(frozen=True)
class ChainPoint:
    """A record's place and hash in a hash chain (``at``: its time, when it has one)."""

    seq: int
    hash: str
    at: dt.datetime | None = None
    what: str = ""


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
    # The screen's last heartbeat, when it came before the end of what is examined: its
    # displays since then may still arrive (a player keeps playing through a network outage
    # and uploads later), so that stretch is neither a gap nor evidence yet.
    reported_until: dt.datetime | None = None


@dataclass(frozen=True)
class ComplianceReport:
    notice_id: int
    title: str
    category: str
    status: str
    closed_at: dt.datetime | None
    close_reason: str | None
    required_working_days: int | None
    basis: str  # "working_days" or "validity_window"
    start: dt.datetime
    gap_threshold_s: int
    verdict: Verdict
    reasons: tuple[str, ...]
    approvals: tuple[Approval, ...]
    screens: tuple[ScreenEvidence, ...]
    audit: tuple[ChainPoint, ...]  # the notice's audit entries
    audit_head: ChainPoint | None
    generated_at: dt.datetime


def _chain_head(session: Session, name: str) -> ChainPoint | None:
    row = session.execute(
        sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.name == name)
    ).one_or_none()
    return ChainPoint(row.seq, row.hash) if row is not None else None


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if minutes or not parts:
        parts.append(f"{minutes} min")
    return " ".join(parts)


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


def _gap_reason(failing: Sequence[Gap], threshold_s: int) -> str:
    by_cause: dict[str, int] = {}
    for gap in failing:
        for cause, secs in gap.causes:
            if cause != GapCause.OFF_HOURS:
                by_cause[cause] = by_cause.get(cause, 0) + secs
    detail = ", ".join(
        f"{cause} {_duration(secs)}"
        for cause, secs in sorted(by_cause.items(), key=lambda cs: -cs[1])
    )
    return (
        f"{len(failing)} gap(s) longer than {_duration(threshold_s)} when it should have been "
        f"on display: {detail}"
    )


def _screen_evidence(
    session: Session,
    notice: Notice,
    spells: Sequence[LiveSpell],
    screen: Screen,
    start: dt.datetime,
    days: int | None,
    calendar: WorkingCalendar,
    *,
    now: dt.datetime,
    weights: Mapping[str, int],
    threshold_s: int,
    cache: dict[Any, int],
) -> ScreenEvidence:
    last_revision = spells[-1].revision
    calendar_note = ""
    period_end: dt.datetime | None
    if days:
        try:
            period_end = add_working_days(calendar, start, days, screen.timezone)
        except CalendarUnknown as exc:
            period_end, calendar_note = None, exc.message
    else:
        period_end = last_revision.valid_until
    # How far to look: the period (up to now); with no known end, as long as it was shown.
    stop_candidates = [now]
    if period_end is not None:
        stop_candidates.append(period_end)
    else:
        stop_candidates.append(last_revision.valid_until)
        if notice.closed_at is not None:
            stop_candidates.append(notice.closed_at)
    examined_until = max(start, min(stop_candidates))

    # The revisions live on this screen, within their validity windows.
    here = [s for s in spells if screen.id in revision_screen_ids(session, s.revision)]
    live = normalise(
        (
            max(s.start, s.revision.valid_from, start),
            min(s.end or examined_until, s.revision.valid_until, examined_until),
        )
        for s in here
    )
    notice_stopped = notice.closed_at is not None or last_revision.valid_until <= examined_until
    stopped = (live[-1][1] if live else start) if notice_stopped else None
    withdrawn_at = notice.closed_at if notice.status == NoticeStatus.WITHDRAWN else None

    segments = playback(session, screen, start, examined_until, weights=weights)
    scheduled = scheduled_windows(segments, notice.id)
    offline = normalise(
        (s, e or examined_until)
        for s, e in outages_between(session, start, examined_until, [screen.id]).get(screen.id, [])
    )

    e = DisplayEvent
    lookback = start - dt.timedelta(hours=1)  # a display begun just before still covers
    events = session.execute(
        sa.select(e.started_at, e.duration_ms, e.outcome)
        .where(
            e.notice_id == notice.id,
            e.screen_id == screen.id,
            e.started_at >= lookback,
            e.started_at < examined_until,
        )
        .order_by(e.started_at)
    ).all()
    counted = {"shown": 0, "interrupted": 0, "error": 0}
    on_panel: list[Interval] = []
    for started_at, duration_ms, outcome in events:
        if started_at >= start:
            counted[outcome] += 1
        if outcome != "error":
            on_panel.append((started_at, started_at + dt.timedelta(milliseconds=duration_ms)))
    status = session.get(ScreenStatus, screen.id)
    reported_until = None
    if status is not None and status.last_seen_at < examined_until:
        reported_until = max(start, status.last_seen_at)
    holes = complement(normalise(on_panel), start, reported_until or examined_until)
    gaps = tuple(
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
    shown = session.execute(
        sa.select(sa.func.min(e.started_at), sa.func.max(e.started_at)).where(
            e.notice_id == notice.id, e.screen_id == screen.id, e.outcome == "shown"
        )
    ).one()

    def chain_point(order: Any) -> ChainPoint | None:
        row = session.execute(
            sa.select(e.chain_seq, e.hash, e.started_at)
            .where(e.notice_id == notice.id, e.screen_id == screen.id)
            .order_by(order)
            .limit(1)
        ).one_or_none()
        return ChainPoint(row.chain_seq, row.hash, row.started_at) if row else None

    if examined_until - start > MAX_SIMULATED:
        expected, expected_note = None, "not simulated: the period is longer than 100 days"
    else:
        expected = expected_plays(
            segments, notice.id, start, examined_until, screen.timezone, cache
        )
        expected_note = "simulated from the playlists the screen had, day by day"

    failing = [g for g in gaps if g.counts_against]
    reasons: list[str] = []
    if period_end is None:
        verdict = Verdict.UNKNOWN
        reasons.append(calendar_note)
    elif now < start:
        verdict = Verdict.NOT_STARTED
        reasons.append("the period has not started")
    elif failing:
        verdict = Verdict.NOT_COVERED
        if counted["shown"] == 0:
            reasons.append("never shown on this screen in the period")
        reasons.append(_gap_reason(failing, threshold_s))
        if withdrawn_at is not None and withdrawn_at < period_end:
            reasons.append("withdrawn before the period ended")
        elif stopped is not None and stopped < period_end:
            reasons.append("its display window ended before the period did")
    elif reported_until is not None and (examined_until - reported_until).total_seconds() > (
        threshold_s
    ):
        verdict = Verdict.IN_PROGRESS
        reasons.append(
            f"the screen has not reported since {reported_until.isoformat()}; "
            "its displays since then may still arrive"
        )
    elif examined_until < period_end:
        verdict = Verdict.IN_PROGRESS
        reasons.append("no gap so far; the period has not ended")
    else:
        verdict = Verdict.COVERED
        reasons.append(
            f"on display throughout: no gap longer than {_duration(threshold_s)} "
            "except outside opening hours"
        )
    return ScreenEvidence(
        screen=screen.key,
        screen_name=screen.name,
        timezone=screen.timezone,
        period_start=start,
        period_end=period_end,
        examined_until=examined_until,
        verdict=verdict,
        reasons=tuple(reasons),
        expected_plays=expected,
        expected_note=expected_note,
        plays=counted["shown"],
        interrupted=counted["interrupted"],
        errors=counted["error"],
        first_display=shown[0],
        last_display=shown[1],
        gaps=gaps,
        first_event=chain_point(e.chain_seq.asc()),
        last_event=chain_point(e.chain_seq.desc()),
        chain_head=_chain_head(session, chain_name(screen.id)),
        reported_until=reported_until,
    )


def _overall(screens: Sequence[ScreenEvidence]) -> tuple[Verdict, tuple[str, ...]]:
    verdicts = {s.verdict for s in screens}
    for verdict in (Verdict.NOT_COVERED, Verdict.UNKNOWN, Verdict.IN_PROGRESS):
        if verdict in verdicts:
            return verdict, tuple(
                f"{s.screen}: {reason}"
                for s in screens
                if s.verdict == verdict
                for reason in s.reasons
            )
    if verdicts == {Verdict.COVERED}:
        return Verdict.COVERED, ("on display throughout the period on every target screen",)
    if not screens:
        return Verdict.NOT_COVERED, ("the notice was aimed at no screen",)
    return Verdict.NOT_STARTED, ("the period has not started",)


def compliance_report(
    session: Session,
    actor: User | None,
    notice_id: int,
    *,
    now: dt.datetime,
    weights: Mapping[str, int],
    gap_minutes: int = DEFAULT_GAP_MINUTES,
) -> ComplianceReport:
    """Gather the evidence that a notice was on display for its whole period (see above)."""
    _require_reader(actor)
    if not GAP_MINUTES_RANGE[0] <= gap_minutes <= GAP_MINUTES_RANGE[1]:
        raise InvalidInput(
            f"the gap threshold must be {GAP_MINUTES_RANGE[0]}–{GAP_MINUTES_RANGE[1]} minutes",
            field="gap_minutes",
        )
    notice = get_notice(session, notice_id)
    approved = approved_revisions(notice)
    if not approved:
        raise Conflict(f"notice {notice_id} was never approved, so no screen ever showed it")
    spells = live_spells(notice, approved)
    first = approved[0]
    assert first.reviewed_at is not None
    start = max(first.reviewed_at, first.valid_from)
    days = approved[-1].required_working_days
    screen_ids: set[int] = set()
    for revision in approved:
        screen_ids |= revision_screen_ids(session, revision)
    screens = session.scalars(
        sa.select(Screen).where(Screen.id.in_(screen_ids)).order_by(Screen.key)
    ).all()
    calendar = WorkingCalendar(session)
    threshold_s = gap_minutes * 60
    cache: dict[Any, int] = {}
    evidence = tuple(
        _screen_evidence(
            session,
            notice,
            spells,
            screen,
            start,
            days,
            calendar,
            now=now,
            weights=weights,
            threshold_s=threshold_s,
            cache=cache,
        )
        for screen in screens
    )
    verdict, reasons = _overall(evidence)
    latest = approved[-1]
    return ComplianceReport(
        notice_id=notice.id,
        title=latest.title,
        category=latest.category,
        status=notice.status,
        closed_at=notice.closed_at,
        close_reason=notice.close_reason,
        required_working_days=days,
        basis="working_days" if days else "validity_window",
        start=start,
        gap_threshold_s=threshold_s,
        verdict=verdict,
        reasons=reasons,
        approvals=tuple(_approval(s) for s in spells),
        screens=evidence,
        audit=tuple(
            ChainPoint(entry.seq, entry.hash, entry.at, f"{entry.action} by {entry.actor}")
            for entry in notice_history(session, notice)
        ),
        audit_head=_chain_head(session, AUDIT_CHAIN),
        generated_at=now,
    )


def _approval(spell: LiveSpell) -> Approval:
    revision = spell.revision
    reviewer = revision.reviewed_by
    assert revision.reviewed_at is not None
    return Approval(
        revision=revision.number,
        content_sha256=revision.content_sha256,
        reviewed_by=reviewer.username if reviewer else "",
        reviewed_by_name=reviewer.display_name if reviewer else "",
        reviewed_at=revision.reviewed_at,
        confidentiality_reviewed=revision.confidentiality_reviewed,
        note=revision.review_note or "",
        required_working_days=revision.required_working_days,
        valid_from=revision.valid_from,
        valid_until=revision.valid_until,
        live_from=spell.start,
        live_until=spell.end,
    )


# --- yearly disclosure counts -----------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    """Notices displayed (at least one shown play) and their plays, for one key."""

    key: str
    name: str
    notices: int
    plays: int
    interrupted: int
    errors: int
    shown_ms: int


@dataclass(frozen=True)
class AnnualReport:
    year: int
    timezone: str
    first_day: dt.date
    last_day: dt.date  # today while the year runs
    complete: bool
    total: CountRow
    by_category: tuple[CountRow, ...]
    by_screen: tuple[CountRow, ...]
    rolled_through: dt.date | None
    generated_at: dt.datetime

    @property
    def headline(self) -> str:
        return HEADLINE.format(n=self.total.notices)


def _count(key: str, name: str, rows: Sequence[Any]) -> CountRow:
    return CountRow(
        key=key,
        name=name,
        notices=len({r.notice_id for r in rows if r.plays > 0}),
        plays=sum(r.plays for r in rows),
        interrupted=sum(r.interrupted for r in rows),
        errors=sum(r.errors for r in rows),
        shown_ms=sum(r.shown_ms for r in rows),
    )


def annual_report(
    session: Session, actor: User | None, year: int, *, now: dt.datetime, timezone: str
) -> AnnualReport:
    """Count the notices displayed and their plays in a year, in total, by category and screen.

    A notice counts once in the total; under each category it was shown in (a revision may
    change the category) and on each screen that showed it.
    """
    _require_reader(actor)
    zone = zoneinfo.ZoneInfo(timezone)
    today = local_date(now, zone)
    if not FIRST_YEAR <= year <= today.year:
        raise InvalidInput(f"year must be {FIRST_YEAR}–{today.year}", field="year")
    first_day = dt.date(year, 1, 1)
    last_day = min(dt.date(year, 12, 31), today)
    totals = play_totals(session, first_day, last_day, timezone=timezone)
    screens = session.execute(sa.select(Screen.id, Screen.key, Screen.name).order_by(Screen.key))
    by_category: dict[str, list[Any]] = {}
    by_screen: dict[int, list[Any]] = {}
    for row in totals:
        by_category.setdefault(row.category, []).append(row)
        by_screen.setdefault(row.screen_id, []).append(row)
    total = _count("total", "", totals)
    return AnnualReport(
        year=year,
        timezone=timezone,
        first_day=first_day,
        last_day=last_day,
        complete=last_day == dt.date(year, 12, 31) and today > last_day,
        total=replace(total, name=HEADLINE.format(n=total.notices)),
        by_category=tuple(
            _count(category, category, rows) for category, rows in sorted(by_category.items())
        ),
        by_screen=tuple(_count(key, name, by_screen.get(sid, [])) for sid, key, name in screens),
        rolled_through=rolled_through(session, timezone),
        generated_at=now,
    )


# --- uptime -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UptimeDay:
    day: dt.date
    figures: UptimeFigures
    partial: bool  # today, counted up to now


@dataclass(frozen=True)
class ScreenUptime:
    screen: str
    name: str
    status: str  # online, offline or never seen (now, from its heartbeats)
    last_seen_at: dt.datetime | None
    days: tuple[UptimeDay, ...]
    total: UptimeFigures


@dataclass(frozen=True)
class UptimeReport:
    first_day: dt.date
    last_day: dt.date
    timezone: str
    screens: tuple[ScreenUptime, ...]
    generated_at: dt.datetime


def _sum(figures: Sequence[UptimeFigures]) -> UptimeFigures:
    return UptimeFigures(
        monitored_s=sum(f.monitored_s for f in figures),
        offline_s=sum(f.offline_s for f in figures),
        open_s=sum(f.open_s for f in figures),
        open_offline_s=sum(f.open_offline_s for f in figures),
    )


def uptime_report(
    session: Session,
    actor: User | None,
    first_day: dt.date,
    last_day: dt.date,
    *,
    now: dt.datetime,
    timezone: str,
    screen: str | None = None,
) -> UptimeReport:
    """Uptime of every screen (or one) per local day from ``first_day`` through ``last_day``."""
    _require_reader(actor)
    today = local_date(now, zoneinfo.ZoneInfo(timezone))
    if last_day < first_day:
        raise InvalidInput("to must not be before from", field="to")
    if last_day > today:
        raise InvalidInput(f"to must not be after today ({today})", field="to")
    if (last_day - first_day).days + 1 > MAX_UPTIME_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_UPTIME_DAYS} days", field="from")
    query = sa.select(Screen).order_by(Screen.key)
    if screen is not None:
        query = query.where(Screen.key == screen)
    screens = session.scalars(query).all()
    if screen is not None and not screens:
        raise NotFound(f"no screen {screen!r}")
    ids = [s.id for s in screens]
    cells = uptime_cells(session, first_day, last_day, timezone=timezone, now=now, screen_ids=ids)
    statuses = {
        s.screen_id: s
        for s in session.scalars(sa.select(ScreenStatus).where(ScreenStatus.screen_id.in_(ids)))
    }
    days = days_between(first_day, last_day)
    out = []
    for s in screens:
        status = statuses.get(s.id)
        per_day = tuple(
            UptimeDay(day, cells.get((day, s.id), UptimeFigures()), day == today) for day in days
        )
        out.append(
            ScreenUptime(
                screen=s.key,
                name=s.name,
                status="never seen"
                if status is None
                else ("online" if status.online else "offline"),
                last_seen_at=status.last_seen_at if status else None,
                days=per_day,
                total=_sum([d.figures for d in per_day]),
            )
        )
    return UptimeReport(first_day, last_day, timezone, tuple(out), now)
