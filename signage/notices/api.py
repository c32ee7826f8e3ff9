"""JSON endpoints for notices: ``/api/v1/notices``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for

from signage.api.common import actor, config, now, parse_body, query_int, session
from signage.notices import queries, review, services
from signage.notices.schemas import (
    ApproveBody,
    NoticeEdit,
    ReasonBody,
    notice_detail,
    notice_summary,
)
from signage.notices.services import NoticeRules

bp = Blueprint("notices", __name__)


def _rules() -> NoticeRules:
    return NoticeRules(categories=config("SIGNAGE_CATEGORIES"))


def _short(notice: services.Notice) -> dict[str, Any]:
    return {"id": notice.id, "revision": notice.latest_revision.number, "status": notice.status}


@bp.post("/notices")
def create() -> Any:
    body = parse_body(NoticeEdit)
    notice = services.create_notice(session(), actor(), body.to_fields(), now=now(), rules=_rules())
    return _short(notice), 201, {"Location": url_for(".get", notice_id=notice.id)}


@bp.patch("/notices/<int:notice_id>")
def edit(notice_id: int) -> Any:
    body = parse_body(NoticeEdit)
    notice = services.edit_notice(
        session(), actor(), notice_id, body.to_fields(), now=now(), rules=_rules()
    )
    return _short(notice)


@bp.post("/notices/<int:notice_id>/submit")
def submit(notice_id: int) -> Any:
    notice = services.submit_notice(session(), actor(), notice_id, now=now())
    return _short(notice)


@bp.post("/notices/<int:notice_id>/approve")
def approve(notice_id: int) -> Any:
    body = parse_body(ApproveBody)
    notice = review.approve_notice(
        session(),
        actor(),
        notice_id,
        confidentiality_reviewed=body.confidentiality_reviewed,
        note=body.note,
        now=now(),
        revision_number=body.revision,
    )
    return _short(notice)


@bp.post("/notices/<int:notice_id>/reject")
def reject(notice_id: int) -> Any:
    body = parse_body(ReasonBody)
    notice = review.reject_notice(session(), actor(), notice_id, reason=body.reason, now=now())
    return _short(notice)


@bp.post("/notices/<int:notice_id>/withdraw")
def withdraw(notice_id: int) -> Any:
    body = parse_body(ReasonBody)
    notice = services.withdraw_notice(session(), actor(), notice_id, reason=body.reason, now=now())
    return _short(notice)


@bp.get("/notices")
def list_() -> Any:
    limit = query_int("limit", 50, low=1, high=500)
    offset = query_int("offset", 0, low=0, high=10_000_000)
    notices, total = services.list_notices(
        session(),
        actor(),
        status=request.args.get("status"),
        category=request.args.get("category"),
        screen=request.args.get("screen"),
        text=request.args.get("text"),
        limit=limit,
        offset=offset,
    )
    return {
        "items": [notice_summary(n) for n in notices],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@bp.get("/notices/<int:notice_id>")
def get(notice_id: int) -> Any:
    db = session()
    notice = services.view_notice(db, actor(), notice_id)
    return notice_detail(notice, queries.notice_history(db, notice))
