"""Review: each stage of a submitted revision's chain is decided in turn; the last one passing
makes it live.

* A stage is decided by one it names who did not write the revision and decided no other stage
  of it (:func:`signage.notices.steps.check_decider`). The reviewer names the revision they read:
  one that arrived meanwhile is not decided unread.
* **Pass** (``approve``) reaches the next stage; the last stage passing makes the revision live
  (the revision it replaces stops being live at that moment), or, when it holds it (待用), the
  revision waits to be published by hand or at the time it set. The stage that carries the
  confidentiality review (保密审查) confirms it, with a note on each pre-check flag.
* **Return** (建议修改) sends it back to its author to change; **reject** ends it (a notice
  with nothing live is closed); **escalate** refers it up to the chain's escalation stage
  (提级审核), which is decided next. A live revision stays live through all of these.
* Every decision goes to the audit log with the content hash it was about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.accounts.permissions import require_staff
from signage.audit.services import record
from signage.errors import Conflict, InvalidInput
from signage.notices.access import get_notice, require_open
from signage.notices.models import Notice, NoticeRevision, NoticeStatus, ReviewStep, RevisionState
from signage.notices.publicity import check_period
from signage.notices.publishing import make_live, stage_details
from signage.notices.services import note_text
from signage.notices.steps import (
    DEFAULT_TIMEZONE,
    check_decider,
    current_step,
    escalation_stage,
    insert_escalation,
    may_decide_now,
    reach,
    waiting_steps,
)
from signage.times import isoformat_z


def _under_review(
    notice: Notice, doing: str, revision_number: int | None, stage_number: int | None = None
) -> tuple[NoticeRevision, ReviewStep]:
    require_open(notice, doing)
    revision = notice.pending_revision
    if revision is None or revision.state != RevisionState.SUBMITTED:
        raise Conflict("there is no submitted revision to %(doing)s", doing=doing)
    if revision_number is not None and revision_number != revision.number:
        raise Conflict(
            "revision %(revision_number)s is not the one under review (revision %(number)s is)",
            revision_number=revision_number,
            number=revision.number,
        )
    step = current_step(revision)
    if step is None:  # every stage decided yet still submitted: only a damaged record
        raise Conflict("every stage of this revision is decided already")
    if stage_number is not None and stage_number != step.position + 1:
        raise Conflict(
            "stage %(stage_number)s is not the one under review (stage %(current)s, %(name)s, is): "
            "it was decided meanwhile",
            stage_number=stage_number,
            current=step.position + 1,
            name=step.name,
        )
    return revision, step


def _decide(
    session: Session,
    step: ReviewStep,
    revision: NoticeRevision,
    actor: User,
    decision: str,
    note: str,
    now: dt.datetime,
) -> None:
    """Record the stage's decision, unless another request decided it meanwhile: the row is
    claimed with ``decision IS NULL`` in the UPDATE itself, so of two reviewers deciding at
    once one wins and the other is told (409), not silently overwritten."""
    claimed = session.execute(
        sa.update(ReviewStep)
        .where(ReviewStep.id == step.id, ReviewStep.decision.is_(None))
        .values(decision=decision, decided_by_id=actor.id, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "the stage %(name)s was decided meanwhile; reload and look again", name=step.name
        )
    step.decision = decision
    step.decided_by_id = actor.id
    step.decided_by = actor
    step.decided_at = now
    step.note = note
    step.content_sha256 = revision.content_sha256


def _flag_notes(revision: NoticeRevision, given: Mapping[int, str] | None) -> dict[str, str]:
    """Each pre-check flag's note, checked: every flag needs one."""
    flags = revision.precheck_flags or []
    notes = {int(k): note_text(v, "flags", required=False) for k, v in (given or {}).items()}
    unknown = sorted(set(notes) - set(range(len(flags))))
    if unknown:
        raise InvalidInput("there is no pre-check flag %(value)s", value=unknown[0], field="flags")
    missing = [i for i in range(len(flags)) if not notes.get(i)]
    if missing:
        first = flags[missing[0]]
        raise InvalidInput(
            "confirm each pre-check flag with a note before passing the confidentiality review: "
            "flag %(value)s (%(kind)s %(text)s) has none",
            value=missing[0],
            kind=first["kind"],
            text=repr(first["text"]),
            field="flags",
        )
    return {str(i): notes[i] for i in range(len(flags))}


def approve_notice(
    session: Session,
    actor: User,
    notice_id: int,
    *,
    confidentiality_reviewed: bool = False,
    note: str = "",
    now: dt.datetime,
    revision_number: int | None = None,
    stage_number: int | None = None,
    flag_notes: Mapping[int, str] | None = None,
    hold: bool = False,
    publish_at: dt.datetime | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Notice:
    """Pass the current stage of the submitted revision; after the last, make it live (or hold
    it with ``hold``, to be published at ``publish_at`` or by hand)."""
    notice = get_notice(session, notice_id)
    revision, step = _under_review(notice, "approve", revision_number, stage_number)
    check_decider(step, revision, actor)
    last = step is revision.steps[-1]
    notes: dict[str, str] | None = None
    if step.confidentiality:
        if confidentiality_reviewed is not True:
            raise InvalidInput(
                "confirm the confidentiality review (保密审查) to approve",
                field="confidentiality_reviewed",
            )
        notes = _flag_notes(revision, flag_notes)
    note = note_text(note, "note", required=False)
    if hold and not last:
        raise InvalidInput("only the last stage may hold a notice (待用)", field="hold")
    if publish_at is not None and not hold:
        raise InvalidInput("publish_at is for a notice held (待用)", field="publish_at")
    if publish_at is not None and publish_at >= revision.valid_until:
        raise InvalidInput(
            "publish_at must be before the end of the validity window", field="publish_at"
        )
    if last:
        if revision.valid_until <= now:
            raise Conflict("the revision's validity window has ended; it must be edited first")
        check_period(session, notice, revision, now=now)
    _decide(session, step, revision, actor, "held" if hold else "passed", note, now)
    step.flag_notes = notes
    if step.confidentiality:
        revision.confidentiality_reviewed = True
    notice.updated_at = now
    details = (
        stage_details(revision, step)
        | {
            "confidentiality_reviewed": bool(step.confidentiality),
            "note": note,
        }
        | ({"flag_notes": notes} if notes else {})
    )
    if not last:
        following = revision.steps[revision.steps.index(step) + 1]
        reach(session, following, now=now, timezone=timezone)
        record(
            session,
            actor=actor,
            action="notice.stage",
            object_type="notice",
            object_id=notice.id,
            now=now,
            details=details | {"next_stage": following.name},
        )
        return notice
    if not revision.confidentiality_reviewed:
        raise Conflict("no stage of this revision confirmed the confidentiality review")
    if hold:
        revision.state = RevisionState.HELD
        revision.publish_at = publish_at
        if notice.live_revision_id is None:
            notice.status = NoticeStatus.HELD
        record(
            session,
            actor=actor,
            action="notice.hold",
            object_type="notice",
            object_id=notice.id,
            now=now,
            details=details | {"publish_at": isoformat_z(publish_at) if publish_at else None},
        )
        return notice
    make_live(session, notice, revision, decider=actor, actor=actor, now=now, details=details)
    return notice


def publish_by_rule(
    session: Session, notice_id: int, *, by: User, rule: str, now: dt.datetime
) -> Notice:
    """Pass the one stage of a revision on a fast path by the deployment's own rule, and make
    it live: an official warning of a severity the deployment publishes at once. ``by`` is the
    account that received it; the stage's note and the audit log say which rule decided."""
    notice = get_notice(session, notice_id)
    revision, step = _under_review(notice, "publish", None, None)
    if len(revision.steps) != 1:
        raise Conflict("only a revision on a fast path is published by rule")
    _decide(session, step, revision, by, "passed", note_text(rule, "note", required=True), now)
    revision.confidentiality_reviewed = True  # an official warning is public by nature
    notice.updated_at = now
    make_live(
        session,
        notice,
        revision,
        decider=by,
        actor=by,
        now=now,
        details=stage_details(revision, step) | {"by_rule": rule, "note": rule},
    )
    return notice


def return_notice(
    session: Session,
    actor: User,
    notice_id: int,
    *,
    reason: str,
    now: dt.datetime,
    revision_number: int | None = None,
    stage_number: int | None = None,
) -> Notice:
    """Send the revision back to its author to change (建议修改); a live revision stays live."""
    notice = get_notice(session, notice_id)
    revision, step = _under_review(notice, "return", revision_number, stage_number)
    check_decider(step, revision, actor)
    reason = note_text(reason, "reason", required=True)
    _decide(session, step, revision, actor, "returned", reason, now)
    revision.state = RevisionState.RETURNED
    revision.review_note = reason
    if notice.live_revision_id is None:
        notice.status = NoticeStatus.RETURNED
    notice.updated_at = now
    record(
        session,
        actor=actor,
        action="notice.return",
        object_type="notice",
        object_id=notice.id,
        now=now,
        details=stage_details(revision, step) | {"reason": reason},
    )
    return notice


def reject_notice(
    session: Session,
    actor: User,
    notice_id: int,
    *,
    reason: str,
    now: dt.datetime,
    revision_number: int | None = None,
    stage_number: int | None = None,
) -> Notice:
    """Reject the revision: a notice with nothing live is closed; a live revision stays live."""
    notice = get_notice(session, notice_id)
    revision, step = _under_review(notice, "reject", revision_number, stage_number)
    check_decider(step, revision, actor)
    reason = note_text(reason, "reason", required=True)
    _decide(session, step, revision, actor, "rejected", reason, now)
    revision.state = RevisionState.REJECTED
    revision.reviewed_by_id = actor.id
    revision.reviewed_at = now
    revision.review_note = reason
    if notice.live_revision_id is None:
        notice.status = NoticeStatus.REJECTED
        notice.closed_at = now
        notice.closed_by_id = actor.id
        notice.close_reason = reason
    notice.updated_at = now
    record(
        session,
        actor=actor,
        action="notice.reject",
        object_type="notice",
        object_id=notice.id,
        now=now,
        details=stage_details(revision, step) | {"reason": reason},
    )
    return notice


def escalate_notice(
    session: Session,
    actor: User,
    notice_id: int,
    *,
    reason: str,
    now: dt.datetime,
    revision_number: int | None = None,
    stage_number: int | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Notice:
    """Refer the revision up to the chain's escalation stage (提级审核), decided next."""
    notice = get_notice(session, notice_id)
    revision, step = _under_review(notice, "escalate", revision_number, stage_number)
    check_decider(step, revision, actor)
    reason = note_text(reason, "reason", required=True)
    if step.escalation:
        raise Conflict("the stage %(name)s is the escalation stage; decide it", name=step.name)
    upward_already = [s for s in revision.steps if s.escalation]
    if upward_already:
        raise Conflict(
            "this revision is referred up once already (the stage %(name)s)",
            name=upward_already[0].name,
        )
    stage = escalation_stage(revision)
    if stage is None:
        raise Conflict(
            "the review chain of %(category)s names no escalation stage", category=revision.category
        )
    _decide(session, step, revision, actor, "escalated", reason, now)
    upward = insert_escalation(
        session,
        revision,
        stage,
        after=step,
        because=f"referred up at {step.name} by {actor.username}: {reason}",
    )
    # A stage that carried the confidentiality review hands it up with the revision.
    upward.confidentiality = upward.confidentiality or step.confidentiality
    reach(session, upward, now=now, timezone=timezone)
    notice.updated_at = now
    record(
        session,
        actor=actor,
        action="notice.escalate",
        object_type="notice",
        object_id=notice.id,
        now=now,
        details=stage_details(revision, step) | {"reason": reason, "escalated_to": upward.name},
    )
    return notice


def review_queue(session: Session, actor: User) -> list[tuple[NoticeRevision, ReviewStep]]:
    """What waits at a stage ``actor`` may decide, the longest waiting first."""
    require_staff(actor)
    return [(r, s) for r, s in waiting_steps(session) if may_decide_now(r, actor)]
