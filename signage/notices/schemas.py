"""Request bodies and JSON shapes of the notices API."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, Field

from signage.api.common import Body
from signage.audit.models import AuditEntry
from signage.audit.services import isoformat_z
from signage.notices.models import Notice, NoticeRevision
from signage.notices.services import NoticeFields


class NoticeEdit(Body):
    """Fields of a notice; all optional here, the service says which a new notice needs."""

    title: str | None = None
    body: str | None = None
    category: str | None = None
    kind: str | None = None
    media_sha256: str | None = None
    priority: str | None = None
    duration_s: int | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    dayparts: str | None = None
    screens: list[str] | None = None
    groups: list[str] | None = None
    required_working_days: int | None = None

    def to_fields(self) -> NoticeFields:
        return NoticeFields(**self.model_dump(exclude_unset=True, exclude_none=True))


class ApproveBody(Body):
    confidentiality_reviewed: bool
    note: str = ""
    revision: int | None = Field(default=None, description="the revision number reviewed")


class ReasonBody(Body):
    reason: str


def revision_json(revision: NoticeRevision) -> dict[str, Any]:
    return {
        "revision": revision.number,
        "state": revision.state,
        "content_sha256": revision.content_sha256,
        "title": revision.title,
        "body": revision.body,
        "category": revision.category,
        "kind": revision.kind,
        "media_sha256": revision.media_sha256,
        "priority": revision.priority,
        "duration_s": revision.duration_s,
        "valid_from": isoformat_z(revision.valid_from),
        "valid_until": isoformat_z(revision.valid_until),
        "dayparts": revision.dayparts,
        "screens": [s.key for s in revision.screens],
        "groups": [g.name for g in revision.groups],
        "required_working_days": revision.required_working_days,
        "created_by": revision.created_by.username,
        "created_at": isoformat_z(revision.created_at),
        "submitted_at": isoformat_z(revision.submitted_at) if revision.submitted_at else None,
        "review": None
        if revision.reviewed_at is None
        else {
            "by": revision.reviewed_by.username if revision.reviewed_by else None,
            "at": isoformat_z(revision.reviewed_at),
            "note": revision.review_note,
            "confidentiality_reviewed": revision.confidentiality_reviewed,
        },
    }


def notice_summary(notice: Notice) -> dict[str, Any]:
    latest = notice.latest_revision
    live = notice.live_revision
    pending = notice.pending_revision
    return {
        "id": notice.id,
        "status": notice.status,
        "revision": latest.number,
        "live_revision": live.number if live else None,
        "pending_revision": pending.number if pending else None,
        "title": latest.title,
        "category": latest.category,
        "priority": latest.priority,
        "valid_from": isoformat_z(latest.valid_from),
        "valid_until": isoformat_z(latest.valid_until),
        "created_by": notice.created_by.username,
        "created_at": isoformat_z(notice.created_at),
        "updated_at": isoformat_z(notice.updated_at),
    }


def history_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": isoformat_z(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "details": entry.details_dict,
    }


def notice_detail(notice: Notice, history: list[AuditEntry]) -> dict[str, Any]:
    return notice_summary(notice) | {
        "closed_at": isoformat_z(notice.closed_at) if notice.closed_at else None,
        "close_reason": notice.close_reason,
        "revisions": [revision_json(r) for r in notice.revisions],
        "history": [history_json(e) for e in history],
    }
