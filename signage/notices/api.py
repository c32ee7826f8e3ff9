"""JSON endpoints for notices: ``/api/v1/notices``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for

from signage.api.common import actor, config, now, parse_body, parse_query, session
from signage.api.contract import contract
from signage.notices import queries, review, services
from signage.notices.schemas import (
    ApproveBody,
    NoticeDetail,
    NoticeEdit,
    NoticePage,
    NoticeQuery,
    NoticeShort,
    ReasonBody,
    SubmitBody,
    notice_detail,
    notice_summary,
)
from signage.notices.services import NoticeRules

bp = Blueprint("notices", __name__)

AUTHOR_OF_IT = "author (of that notice)"
REVIEWER = "reviewer (not the revision's author)"


def _rules() -> NoticeRules:
    return NoticeRules(categories=config("SIGNAGE_CATEGORIES"))


def _short(notice: services.Notice) -> NoticeShort:
    return {"id": notice.id, "revision": notice.latest_revision.number, "status": notice.status}


@bp.post("/notices")
@contract("Create a draft notice", "author", ok=201, body=NoticeEdit, answers=NoticeShort)
def create() -> Any:
    body = parse_body(NoticeEdit)
    notice = services.create_notice(session(), actor(), body.to_fields(), now=now(), rules=_rules())
    return _short(notice), 201, {"Location": url_for(".get", notice_id=notice.id)}


@bp.patch("/notices/<int:notice_id>")
@contract("Edit a notice: a new revision", AUTHOR_OF_IT, body=NoticeEdit, answers=NoticeShort)
def edit(notice_id: int) -> Any:
    body = parse_body(NoticeEdit)
    notice = services.edit_notice(
        session(), actor(), notice_id, body.to_fields(), now=now(), rules=_rules()
    )
    return _short(notice)


@bp.post("/notices/<int:notice_id>/submit")
@contract(
    "Submit the draft for review (a body is needed only to show an image on strips anyway)",
    AUTHOR_OF_IT,
    body=SubmitBody,
    body_optional=True,
    answers=NoticeShort,
)
def submit(notice_id: int) -> Any:
    body = parse_body(SubmitBody) if request.get_data(cache=True) else SubmitBody()
    notice = services.submit_notice(
        session(), actor(), notice_id, now=now(), show_image_on_strips=body.show_image_on_strips
    )
    return _short(notice)


@bp.post("/notices/<int:notice_id>/approve")
@contract(
    "Approve the revision under review (naming it) after the confidentiality review",
    REVIEWER,
    body=ApproveBody,
    answers=NoticeShort,
)
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
@contract("Reject the revision under review", REVIEWER, body=ReasonBody, answers=NoticeShort)
def reject(notice_id: int) -> Any:
    body = parse_body(ReasonBody)
    notice = review.reject_notice(session(), actor(), notice_id, reason=body.reason, now=now())
    return _short(notice)


@bp.post("/notices/<int:notice_id>/withdraw")
@contract(
    "Withdraw a notice from every screen",
    "its author, reviewer",
    body=ReasonBody,
    answers=NoticeShort,
)
def withdraw(notice_id: int) -> Any:
    body = parse_body(ReasonBody)
    notice = services.withdraw_notice(session(), actor(), notice_id, reason=body.reason, now=now())
    return _short(notice)


@bp.get("/notices")
@contract("List notices, newest first", "any staff role", query=NoticeQuery, answers=NoticePage)
def list_() -> Any:
    user = actor()
    q = parse_query(NoticeQuery)
    notices, total = services.list_notices(
        session(),
        user,
        status=q.status,
        category=q.category,
        screen=q.screen,
        text=q.text,
        limit=q.limit,
        offset=q.offset,
    )
    page: NoticePage = {
        "items": [notice_summary(n) for n in notices],
        "total": total,
        "limit": q.limit,
        "offset": q.offset,
    }
    return page


@bp.get("/notices/<int:notice_id>")
@contract("A notice with its revisions and history", "any staff role", answers=NoticeDetail)
def get(notice_id: int) -> Any:
    db = session()
    notice = services.view_notice(db, actor(), notice_id)
    return notice_detail(notice, queries.notice_history(db, notice))
