"""Republishing (重播): a withdrawn or expired notice shown again, reviewed again from the first
stage of its chain. The broadcast rule asks for a fresh, signed approval for every rerun
(重播重审), and the approval covers the window, so a new window is a new revision.

The revision that was live before the notice closed keeps the end of its round
(``live_ended_at``), so the record of when it was on the screens does not stretch across the
time the notice was closed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.audit.services import record
from signage.errors import Conflict, InvalidInput
from signage.notices.access import get_notice, require_author_of
from signage.notices.content import check_content, revision_fields
from signage.notices.models import REPUBLISHABLE_STATUSES, Notice, NoticeStatus, RevisionState
from signage.notices.publicity import check_period
from signage.notices.services import (
    DECIDED,
    NoticeFields,
    NoticeRules,
    new_revision,
    review_details,
)
from signage.notices.steps import DEFAULT_TIMEZONE, start_review


def republish_notice(
    session: Session,
    actor: User,
    notice_id: int,
    fields_: NoticeFields,
    *,
    now: dt.datetime,
    rules: NoticeRules,
    major_matter: bool | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Notice:
    """Show a withdrawn or expired notice again (重播, author): a new revision, from the last one
    with the given fields changed (a new window, usually), goes through the whole review again."""
    notice = get_notice(session, notice_id)
    require_author_of(actor, notice)
    if notice.status not in REPUBLISHABLE_STATUSES:
        raise Conflict(
            "only a withdrawn or expired notice can be republished; this notice is %(status)s",
            status=notice.status,
        )
    latest = notice.latest_revision
    values = dataclasses.asdict(revision_fields(latest)) | fields_.given()
    content = check_content(session, values, rules)
    if not content.screens and not content.groups:
        raise InvalidInput("choose at least one screen or group", field="screens")
    if content.values.valid_until is not None and content.values.valid_until <= now:
        raise InvalidInput(
            "the validity window has already ended: give a new one", field="valid_until"
        )
    was = notice.status
    pending = notice.pending_revision
    if pending is not None and pending.state not in DECIDED:
        pending.state = RevisionState.SUPERSEDED
    if notice.live_revision is not None:
        notice.live_revision.state = RevisionState.SUPERSEDED
        notice.live_revision.live_ended_at = notice.closed_at
    notice.live_revision = None
    revision = new_revision(
        notice,
        content,
        number=latest.number + 1,
        state=RevisionState.SUBMITTED,
        actor=actor,
        now=now,
    )
    # A major matter stays one unless the author says otherwise.
    revision.major_matter = latest.major_matter if major_matter is None else bool(major_matter)
    check_period(session, notice, revision, now=now)
    start_review(session, revision, now=now, timezone=timezone)
    notice.status = NoticeStatus.SUBMITTED
    notice.closed_at = None
    notice.closed_by_id = None
    notice.close_reason = None
    notice.updated_at = now
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.republish",
        object_type="notice",
        object_id=notice.id,
        now=now,
        details=review_details(revision) | {"was": was},
    )
    return notice
