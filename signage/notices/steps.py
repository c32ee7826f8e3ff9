"""A revision's review stages: copied from its chain on submission, reached in turn, due by
working days.

* :func:`start_review` copies the chain (:func:`signage.chains.rules.chain_for`) onto a revision
  being submitted, adds the escalation stage by rule (a major matter, a sensitive group), runs
  the pre-check and reaches the first stage.
* A stage is due ``due_working_days`` working days after it is reached, counted by the holiday
  calendar in the deployment's time zone (through 24:00 of the last day); for a year the
  calendar does not know, Monday to Friday count.
* Who may decide the current stage (:func:`check_decider`): one it names (by role or by name),
  who did not write the revision and has decided no other stage of it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.chains.precheck import find_flags
from signage.chains.rules import Stage, chain_for, deciders, distinct_deciders
from signage.chains.words import precheck_words
from signage.errors import Conflict, PermissionDenied
from signage.notices.models import (
    TERMINAL_STATUSES,
    Notice,
    NoticeRevision,
    ReviewStep,
    RevisionState,
)
from signage.screens.models import ScreenGroup, screen_group_members
from signage.workdays.calendar import CalendarUnknown, WorkingCalendar, add_working_days

DEFAULT_TIMEZONE = "Asia/Shanghai"


def due_after(session: Session, start: dt.datetime, days: int, timezone: str) -> dt.datetime:
    """The end of the ``days``-th working day after ``start`` (weekdays where the calendar is
    not known)."""
    try:
        return add_working_days(WorkingCalendar(session), start, days, timezone)
    except CalendarUnknown:
        zone = zoneinfo.ZoneInfo(timezone)
        day = start.astimezone(zone).date()
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                counted += 1
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return end.astimezone(dt.UTC)


def reach(session: Session, step: ReviewStep, *, now: dt.datetime, timezone: str) -> None:
    """Make ``step`` the current stage from ``now``."""
    step.reached_at = now
    step.due_at = due_after(session, now, step.due_working_days, timezone)


def current_step(revision: NoticeRevision) -> ReviewStep | None:
    """The first stage not yet decided, or None when every stage is."""
    return next((s for s in revision.steps if s.decision is None), None)


def reached_groups(session: Session, revision: NoticeRevision) -> list[ScreenGroup]:
    """The groups a revision reaches: those it names, and those of the screens it names."""
    ids = {g.id for g in revision.groups}
    screen_ids = [s.id for s in revision.screens]
    if screen_ids:
        ids.update(
            session.scalars(
                sa.select(screen_group_members.c.group_id).where(
                    screen_group_members.c.screen_id.in_(screen_ids)
                )
            )
        )
    if not ids:
        return []
    return list(session.scalars(sa.select(ScreenGroup).where(ScreenGroup.id.in_(ids))))


def _step(stage: Stage, position: int, *, escalation: bool = False) -> ReviewStep:
    return ReviewStep(
        position=position,
        name=stage.name,
        role=stage.role,
        user_ids=list(stage.user_ids),
        confidentiality=stage.confidentiality,
        due_working_days=stage.due_working_days,
        escalation=escalation,
    )


def start_review(
    session: Session, revision: NoticeRevision, *, now: dt.datetime, timezone: str
) -> None:
    """Give a revision being submitted its stages, its pre-check flags, and reach stage one.

    Raises :class:`Conflict` when a rule asks for an escalation stage that the chain does not
    name (an admin must name one first)."""
    groups = reached_groups(session, revision)
    chain = chain_for(session, revision.category, [g.id for g in groups])
    steps = [_step(s, i) for i, s in enumerate(chain.stages)]
    reasons = (["a major matter (重大事项)"] if revision.major_matter else []) + [
        f"aimed at the sensitive group {g.name}"
        for g in sorted(groups, key=lambda g: g.name)
        if g.sensitive
    ]
    if reasons:
        if chain.escalation is None:
            raise Conflict(
                "this notice needs the escalation stage (提级审核), being %(items)s, but the "
                "review chain of %(category)s names none: an admin must add one",
                items="; ".join(reasons),
                category=revision.category,
            )
        step = _step(chain.escalation, len(steps), escalation=True)
        step.added_because = "; ".join(reasons)
        steps.append(step)
    # Refused when its author's own part in the chain leaves it undecidable: the stages could
    # each get their own person were the author not one of them, and without the author they
    # cannot (an admin's check of the chain cannot know who will write). A chain nobody can
    # decide yet (no reviewers at all) waits for the people an admin adds.
    everyone = [deciders(session, stage_of(s)) for s in steps]
    others = [ids - {revision.created_by_id} for ids in everyone]
    stuck = distinct_deciders(others)
    if stuck is not None and distinct_deciders(everyone) is None:
        raise Conflict(
            "the review chain of %(category)s cannot be decided without its author at the stage "
            "%(name)s: no two stages of a revision may be decided by the same person, nor by who "
            "wrote it; an admin must name more people",
            category=revision.category,
            name=steps[stuck].name,
        )
    revision.steps = steps
    revision.escalation_stage = chain.escalation.to_json() if chain.escalation else None
    flags = find_flags(revision.title, revision.body, precheck_words(session))
    revision.precheck_flags = [f.to_json() for f in flags]
    reach(session, steps[0], now=now, timezone=timezone)


def start_fast_review(
    session: Session, revision: NoticeRevision, stage: Stage, *, now: dt.datetime, timezone: str
) -> None:
    """Give a revision being submitted the one stage of a fast path instead of its chain's
    (an official warning waiting for the duty officer, a takeover): the deployment sets the
    stage, and the revision's record says it went this way."""
    step = _step(stage, 0)
    revision.steps = [step]
    revision.escalation_stage = None
    flags = find_flags(revision.title, revision.body, precheck_words(session))
    revision.precheck_flags = [f.to_json() for f in flags]
    reach(session, step, now=now, timezone=timezone)


def escalation_stage(revision: NoticeRevision) -> Stage | None:
    """The escalation stage the revision's chain named when it was submitted."""
    return Stage.from_json(revision.escalation_stage) if revision.escalation_stage else None


def insert_escalation(
    session: Session, revision: NoticeRevision, stage: Stage, *, after: ReviewStep, because: str
) -> ReviewStep:
    """Put the escalation stage right after ``after``; later stages move one down."""
    for step in revision.steps:
        if step.position > after.position:
            step.position += 1
    step = _step(stage, after.position + 1, escalation=True)
    step.added_because = because
    revision.steps.append(step)
    revision.steps.sort(key=lambda s: s.position)
    return step


def check_decider(step: ReviewStep, revision: NoticeRevision, actor: User) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may decide ``step`` of ``revision``."""
    if not actor.active:
        raise PermissionDenied("user %(username)s is deactivated", username=repr(actor.username))
    if revision.created_by_id == actor.id:
        raise PermissionDenied("nobody may decide a stage of a revision they wrote")
    done = [s for s in revision.steps if s.decided_by_id == actor.id and s is not step]
    if done:
        raise PermissionDenied(
            "you decided the stage %(name)s of this revision; no two stages of one revision may "
            "be decided by the same person",
            name=done[0].name,
        )
    if not stage_of(step).may_decide(actor):
        who = " or ".join(
            ([f"the {step.role} role"] if step.role else [])
            + (["the users it names"] if step.user_ids else [])
        )
        raise PermissionDenied("the stage %(name)s is decided by %(who)s", name=step.name, who=who)


def stage_of(step: ReviewStep) -> Stage:
    return Stage(
        name=step.name,
        role=step.role,
        user_ids=tuple(step.user_ids or ()),
        confidentiality=step.confidentiality,
        due_working_days=step.due_working_days,
    )


def eligible_deciders(session: Session, revision: NoticeRevision, step: ReviewStep) -> set[int]:
    """The active users who may still decide ``step``: those it names, less the revision's
    author and whoever decided another of its stages (empty: it waits for an admin to name
    someone)."""
    taken = {s.decided_by_id for s in revision.steps if s is not step and s.decided_by_id}
    return deciders(session, stage_of(step)) - taken - {revision.created_by_id}


def may_decide_now(revision: NoticeRevision, actor: User) -> bool:
    """Whether ``actor`` may decide the revision's current stage."""
    step = current_step(revision)
    if step is None or revision.state != RevisionState.SUBMITTED:
        return False
    try:
        check_decider(step, revision, actor)
    except PermissionDenied:
        return False
    return True


def waiting_steps(session: Session) -> list[tuple[NoticeRevision, ReviewStep]]:
    """Every revision under review with its current stage, the stage reached first first."""
    revisions = session.scalars(
        sa.select(NoticeRevision)
        .join(Notice, Notice.id == NoticeRevision.notice_id)
        .where(
            NoticeRevision.state == RevisionState.SUBMITTED,
            Notice.status.not_in([s.value for s in TERMINAL_STATUSES]),
        )
    ).all()
    pairs = [(r, s) for r in revisions if (s := current_step(r)) is not None]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(pairs, key=lambda p: (p[1].reached_at or far, p[0].id))


def overdue_steps(session: Session, *, now: dt.datetime) -> list[tuple[NoticeRevision, ReviewStep]]:
    """The stages under review past their due time, the longest overdue first."""
    late = [(r, s) for r, s in waiting_steps(session) if s.due_at is not None and s.due_at < now]
    return sorted(late, key=lambda p: (p[1].due_at, p[0].id))
