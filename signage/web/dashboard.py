"""What the dashboard shows: every screen's state, the blackouts in force, the work waiting, and
recent alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.orm import Session

from playlists.select import Selection
from signage.accounts.models import User
from signage.accounts.permissions import require_staff
from signage.audit.models import AuditEntry
from signage.delivery.cache import PlaylistCache, get_cache
from signage.delivery.services import showing_at
from signage.displaylog.models import DisplayGap
from signage.displaylog.refused import screens_with_refused_events
from signage.emergency.blackouts import covered_counts, list_blackouts
from signage.emergency.models import Blackout
from signage.emergency.templates import LEVELS, TEMPLATES, Template
from signage.health.models import Screenshot, ScreenStatus
from signage.health.services import screens_refusing
from signage.notices.integrity import WITHHELD
from signage.notices.models import Notice, NoticeRevision, NoticeStatus, ReviewStep
from signage.notices.steps import eligible_deciders, overdue_steps, waiting_steps
from signage.screens.models import Screen, ScreenGroup
from signage.screens.services import list_groups, list_screens
from signage.web.pages import now as page_now
from signage.web.pages import session as page_session
from signage.web.pages import signed_in

ENDING_SOON = dt.timedelta(days=3)
ALERTS = 12
REFUSALS_SHOWN = dt.timedelta(days=1)  # a screen that refused a playlist within this is listed
# How old what a heartbeat reports may be: an item that ended this long ago is no mismatch.
REPORT_LAG = dt.timedelta(seconds=45)


@dataclass(frozen=True)
class ScreenState:
    screen: Screen
    status: ScreenStatus | None
    showing: Selection  # what the controller's rules say plays now
    screenshot_at: dt.datetime | None
    reported: str | None = None  # the title of the item the player's heartbeat named
    blackout: str | None = None  # the reason of the controller's blackout covering it
    # The item the player reports is not one its playlist has on now (nor a moment ago).
    mismatch: bool = False

    @property
    def online(self) -> bool:
        return self.status is not None and self.status.online


@dataclass(frozen=True)
class Alert:
    at: dt.datetime
    kind: str  # "offline", "online", "lost", "refused" or "withheld"
    screen: str
    detail: str = ""


@dataclass(frozen=True)
class Dashboard:
    screens: list[ScreenState]
    waiting_review: list[tuple[NoticeRevision, ReviewStep]]  # with the stage each waits at
    overdue_review: list[tuple[NoticeRevision, ReviewStep]]  # past their stage's due time
    # Revisions whose current stage nobody may decide now (no one it names is left).
    undecidable: frozenset[int]
    ending_soon: list[Notice]
    alerts: list[Alert]
    refusing: list[Alert]  # screens whose player refused a playlist in the last day
    refused_events: list[Alert]  # screens with display events refused in the last day
    blackouts: list[tuple[Blackout, int]]  # in force, with how many screens each covers
    groups: list[ScreenGroup]  # for the blackout form
    templates: list[Template]  # the warning templates of the takeover form
    levels: dict[str, str]

    @property
    def online(self) -> int:
        return sum(1 for s in self.screens if s.online)

    @property
    def offline(self) -> int:
        return len(self.screens) - self.online


def screen_states(
    session: Session, actor: User, cache: PlaylistCache, now: dt.datetime
) -> list[ScreenState]:
    """Every screen with its last heartbeat, what it shows now and when its screenshot was taken."""
    screens = list_screens(session, actor)
    statuses = {s.screen_id: s for s in session.scalars(sa.select(ScreenStatus))}
    shots = dict(session.execute(sa.select(Screenshot.screen_id, Screenshot.taken_at)).all())
    states = []
    for screen in screens:
        playlist = cache.playlist(screen.id, now).playlist
        status = statuses.get(screen.id)
        titles = {item.id: item.title for item in playlist.items}
        current = status.current_item if status is not None else None
        since = now - REPORT_LAG
        states.append(
            ScreenState(
                screen=screen,
                status=status,
                showing=showing_at(playlist, now),
                screenshot_at=shots.get(screen.id),
                reported=titles.get(current, current) if current else None,
                blackout=playlist.blackout.reason if playlist.blackout else None,
                mismatch=bool(
                    current
                    and status is not None
                    and status.online
                    and not any(
                        s < now and e > since
                        for item in playlist.items
                        if item.id == current
                        for s, e in item.windows
                    )
                ),
            )
        )
    return states


def dashboard(session: Session, actor: User, cache: PlaylistCache, now: dt.datetime) -> Dashboard:
    require_staff(actor)
    ending = session.scalars(
        sa.select(Notice)
        .join(NoticeRevision, NoticeRevision.id == Notice.live_revision_id)
        .where(
            Notice.status == NoticeStatus.APPROVED,
            NoticeRevision.valid_until > now,
            NoticeRevision.valid_until <= now + ENDING_SOON,
        )
        .order_by(NoticeRevision.valid_until)
    ).all()
    waiting = waiting_steps(session)
    in_force = list_blackouts(session, actor, in_force_only=True)
    counts = covered_counts(session, in_force)
    return Dashboard(
        screens=screen_states(session, actor, cache, now),
        waiting_review=waiting,
        overdue_review=overdue_steps(session, now=now),
        undecidable=frozenset(
            r.id for r, step in waiting if not eligible_deciders(session, r, step)
        ),
        ending_soon=list(ending),
        alerts=recent_alerts(session),
        refusing=refusing_screens(session, now),
        refused_events=screens_refused(session, now),
        blackouts=[(b, counts[b.id]) for b in in_force],
        groups=list_groups(session, actor),
        templates=list(TEMPLATES.values()),
        levels=dict(LEVELS),
    )


def dashboard_page(status: int = 200, **context: object) -> tuple[str, int]:
    """The dashboard page for the signed-in user, with ``context`` (an error, say)."""
    at = page_now()
    board = dashboard(page_session(), signed_in(), get_cache(current_app), at)
    return render_template("web/dashboard.html", board=board, now=at, **context), status


def refusing_screens(session: Session, now: dt.datetime) -> list[Alert]:
    """Screens whose player refused a playlist in the last day: how often, and the last reason."""
    keys = dict(session.execute(sa.select(Screen.id, Screen.key)).all())
    return [
        Alert(at=now, kind="refused", screen=keys.get(screen_id, "?"), detail=f"{n} · {text}")
        for screen_id, n, text in screens_refusing(session, since=now - REFUSALS_SHOWN)
    ]


def screens_refused(session: Session, now: dt.datetime) -> list[Alert]:
    """Screens with display events refused in the last day: how many, and the last reason."""
    keys = dict(session.execute(sa.select(Screen.id, Screen.key)).all())
    return [
        Alert(at=now, kind="refused-events", screen=keys.get(screen_id, "?"), detail=f"{n} · {r}")
        for screen_id, n, r in screens_with_refused_events(session, since=now - REFUSALS_SHOWN)
    ]


def recent_alerts(session: Session, limit: int = ALERTS) -> list[Alert]:
    """Screens that went offline or came back, display events found lost, and live revisions
    withheld because their content is not what was approved, newest first."""
    entries = session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action.in_(["screen.offline", "screen.online", WITHHELD]))
        .order_by(AuditEntry.seq.desc())
        .limit(limit)
    ).all()
    alerts = [
        Alert(at=e.at, kind=e.action.removeprefix("screen."), screen=e.object_id or "")
        if e.action != WITHHELD
        else Alert(
            at=e.at,
            kind="withheld",
            screen="",
            detail=f"#{e.object_id} r{e.details_dict.get('revision')}: "
            f"{e.details_dict.get('reason')}",
        )
        for e in entries
    ]
    gaps = session.execute(
        sa.select(DisplayGap, Screen.key)
        .join(Screen, Screen.id == DisplayGap.screen_id)
        .order_by(DisplayGap.id.desc())
        .limit(limit)
    ).all()
    alerts += [
        Alert(
            at=gap.detected_at,
            kind="lost",
            screen=key,
            detail=f"{gap.last_seq - gap.first_seq + 1} ({gap.first_seq}–{gap.last_seq})",
        )
        for gap, key in gaps
    ]
    return sorted(alerts, key=lambda a: a.at, reverse=True)[:limit]
