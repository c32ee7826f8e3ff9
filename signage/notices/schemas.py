"""Request bodies and JSON shapes of the notices API."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import Field, create_model

from signage.api.common import ApiTime, Body
from signage.audit.models import AuditEntry
from signage.db import MAX_INT
from signage.notices.content import FIELD_NAMES, NoticeFields, plain_fields, revision_fields
from signage.notices.models import Notice, NoticeRevision
from signage.times import isoformat_z

# How the API takes each type of NoticeFields: times are ISO-8601 text with an offset in the
# accepted range, targets are JSON arrays.
_API_TYPES: dict[Any, Any] = {
    dt.datetime | None: ApiTime | None,
    Sequence[str] | None: list[str] | None,
}


class _NoticeBody(Body):
    def to_fields(self) -> NoticeFields:
        return NoticeFields(**self.model_dump(exclude_unset=True, exclude_none=True))


def _body_fields() -> dict[str, Any]:
    hints = typing.get_type_hints(NoticeFields)
    return {name: (_API_TYPES.get(hints[name], hints[name]), None) for name in FIELD_NAMES}


# The body of POST /notices and PATCH /notices/<id>: every field of NoticeFields, all optional.
NoticeEdit = create_model(
    "NoticeEdit",
    __base__=_NoticeBody,
    __doc__="Fields of a notice; all optional here, the service says which a new notice needs.",
    **_body_fields(),
)


class ApproveBody(Body):
    confidentiality_reviewed: bool
    note: str = ""
    # The revision the reviewer read: a revision that arrived meanwhile is not approved unread.
    revision: int = Field(ge=1, le=MAX_INT, description="the revision number reviewed")


class ReasonBody(Body):
    reason: str


def revision_json(revision: NoticeRevision) -> dict[str, Any]:
    return {
        "revision": revision.number,
        "state": revision.state,
        "content_sha256": revision.content_sha256,
        **plain_fields(revision_fields(revision)),
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
