"""公示 compliance evidence: proof that a notice was on display for its whole legal period.

Like every report, a tree of frozen dataclasses (the API renders them as JSON or CSV with
:mod:`signage.reports.export`, pages render them as they are). Supervisors and admins may read
them; ``actor`` None is the operator on the command line.

Compliance evidence for a notice, per target screen (a screen any approved revision of the
notice was aimed at, directly or through a group as the groups are now):

* The period starts when the notice could first be seen: the first approval or the approved
  revision's ``valid_from``, whichever is later. With ``required_working_days`` = N it ends at
  the end (24:00, the screen's time zone) of the N-th working day after the start (the start day
  counts only if the period starts at its midnight;
  :func:`~signage.reports.calendar.add_working_days`). Without N it ends
  at the live revision's ``valid_until``. If the working-day calendar does not know a year the
  period touches, the report says so and gives no verdict.
* Plays are events with outcome *shown* in the period (:mod:`signage.displaylog.plays`); first
  and last display are over all time.
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

Each screen's part is gathered by :mod:`signage.reports.evidence`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.accounts.permissions import SUPERVISING, require_role
from signage.audit.services import AUDIT_CHAIN
from signage.errors import Conflict, InvalidInput
from signage.messages import Said
from signage.notices.access import get_notice
from signage.notices.publicity import period_start
from signage.notices.queries import (
    LiveSpell,
    approved_revisions,
    live_spells,
    notice_history,
    revision_screen_ids,
)
from signage.reports.calendar import WorkingCalendar
from signage.reports.evidence import (
    ChainPoint,
    Inquiry,
    ScreenEvidence,
    Verdict,
    chain_head,
    screen_evidence,
)
from signage.screens.models import Screen

DEFAULT_GAP_MINUTES = 30
GAP_MINUTES_RANGE = (1, 24 * 60)


@dataclass(frozen=True)
class StageDecision:
    """One stage of the review chain an approved revision passed: who decided it, and when."""

    stage: str
    by: str
    by_name: str
    at: dt.datetime
    decision: str


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
    # Each stage of its review chain (none for a revision approved before chains existed).
    stages: tuple[StageDecision, ...] = ()


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


def _overall(screens: Sequence[ScreenEvidence]) -> tuple[Verdict, tuple[str, ...]]:
    verdicts = {s.verdict for s in screens}
    for verdict in (Verdict.NOT_COVERED, Verdict.UNKNOWN, Verdict.IN_PROGRESS):
        if verdict in verdicts:
            return verdict, tuple(
                Said("%(screen)s: %(reason)s", screen=s.screen, reason=reason)
                for s in screens
                if s.verdict == verdict
                for reason in s.reasons
            )
    if verdicts == {Verdict.COVERED}:
        return Verdict.COVERED, (Said("on display throughout the period on every target screen"),)
    if not screens:
        return Verdict.NOT_COVERED, (Said("the notice was aimed at no screen"),)
    return Verdict.NOT_STARTED, (Said("the period has not started"),)


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
    if actor is not None:
        require_role(actor, *SUPERVISING)
    if not GAP_MINUTES_RANGE[0] <= gap_minutes <= GAP_MINUTES_RANGE[1]:
        raise InvalidInput(
            "the gap threshold must be %(low)s–%(high)s minutes",
            low=GAP_MINUTES_RANGE[0],
            high=GAP_MINUTES_RANGE[1],
            field="gap_minutes",
        )
    notice = get_notice(session, notice_id)
    approved = approved_revisions(notice)
    if not approved:
        raise Conflict(
            "notice %(notice_id)s was never approved, so no screen ever showed it",
            notice_id=notice_id,
        )
    spells = live_spells(notice, approved)
    first = approved[0]
    assert first.reviewed_at is not None
    start = period_start(first.reviewed_at, first.valid_from)
    days = approved[-1].required_working_days
    screen_ids: set[int] = set()
    for revision in approved:
        screen_ids |= revision_screen_ids(session, revision)
    screens = session.scalars(
        sa.select(Screen).where(Screen.id.in_(screen_ids)).order_by(Screen.key)
    ).all()
    inquiry = Inquiry(
        notice=notice,
        spells=spells,
        start=start,
        days=days,
        calendar=WorkingCalendar(session),
        now=now,
        weights=weights,
        threshold_s=gap_minutes * 60,
        cache={},
    )
    evidence = tuple(screen_evidence(session, inquiry, screen) for screen in screens)
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
        gap_threshold_s=inquiry.threshold_s,
        verdict=verdict,
        reasons=reasons,
        approvals=tuple(_approval(s) for s in spells),
        screens=evidence,
        audit=tuple(
            ChainPoint(
                entry.seq,
                entry.hash,
                entry.at,
                Said("%(action)s by %(actor)s", action=Said(entry.action), actor=entry.actor),
            )
            for entry in notice_history(session, notice)
        ),
        audit_head=chain_head(session, AUDIT_CHAIN),
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
        stages=tuple(
            StageDecision(
                stage=step.name,
                by=step.decided_by.username,
                by_name=step.decided_by.display_name,
                at=step.decided_at,
                decision=step.decision or "",
            )
            for step in revision.steps
            if step.decided_by is not None and step.decided_at is not None
        ),
    )
