"""JSON endpoints for notices: ``/api/v1/notices``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for

from signage.api.common import actor, config, now, parse_body, parse_query, session
from signage.api.contract import contract
from signage.chains.rules import users_by_id
from signage.chains.schemas import DecisionReply, decision_json
from signage.notices import access, publishing, queries, review, services
from signage.notices.republish import republish_notice
from signage.notices.schemas import (
    ApproveBody,
    DecisionBody,
    NoticeDetail,
    NoticeEdit,
    NoticePage,
    NoticeQuery,
    NoticeShort,
    ReasonBody,
    RepublishBody,
    SubmitBody,
    notice_detail,
    notice_summary,
)
from signage.notices.services import NoticeRules

bp = Blueprint("notices", __name__)

AUTHOR_OF_IT = "author (of that notice)"
REVIEWER = "who the current stage names (not the revision's author, nor who decided another stage)"


def _rules() -> NoticeRules:
    return NoticeRules(categories=config("SIGNAGE_CATEGORIES"))


def _zone() -> str:
    return str(config("SIGNAGE_TIMEZONE"))


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
        session(), actor(), notice_id, body.to_fields(), now=now(), rules=_rules(), timezone=_zone()
    )
    return _short(notice)


@bp.post("/notices/<int:notice_id>/submit")
@contract(
    "Submit the draft for review, at the first stage of its chain (a body only for the options)",
    AUTHOR_OF_IT,
    body=SubmitBody,
    body_optional=True,
    answers=DecisionReply,
)
def submit(notice_id: int) -> Any:
    body = parse_body(SubmitBody) if request.get_data(cache=True) else SubmitBody()
    notice = services.submit_notice(
        session(),
        actor(),
        notice_id,
        now=now(),
        show_image_on_strips=body.show_image_on_strips,
        major_matter=body.major_matter,
        takeover=body.takeover,
        timezone=_zone(),
    )
    return decision_json(notice)


@bp.post("/notices/<int:notice_id>/republish")
@contract(
    "Republish a withdrawn or expired notice (重播): a new revision through the whole review",
    AUTHOR_OF_IT,
    body=RepublishBody,
    answers=DecisionReply,
)
def republish(notice_id: int) -> Any:
    body = parse_body(RepublishBody)
    notice = republish_notice(
        session(),
        actor(),
        notice_id,
        body.to_fields(),
        now=now(),
        rules=_rules(),
        major_matter=body.major_matter,
        timezone=_zone(),
    )
    return decision_json(notice)


@bp.post("/notices/<int:notice_id>/approve")
@contract(
    "Pass the current stage of the revision under review (naming it); the last one makes it "
    "live, or holds it (待用)",
    REVIEWER,
    body=ApproveBody,
    answers=DecisionReply,
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
        stage_number=body.stage,
        flag_notes={f.index: f.note for f in body.flags},
        hold=body.hold,
        publish_at=body.publish_at,
        timezone=_zone(),
    )
    return decision_json(notice)


@bp.post("/notices/<int:notice_id>/return")
@contract(
    "Send the revision under review back to its author to change (建议修改)",
    REVIEWER,
    body=DecisionBody,
    answers=DecisionReply,
)
def return_(notice_id: int) -> Any:
    body = parse_body(DecisionBody)
    notice = review.return_notice(
        session(),
        actor(),
        notice_id,
        reason=body.reason,
        now=now(),
        revision_number=body.revision,
        stage_number=body.stage,
    )
    return decision_json(notice)


@bp.post("/notices/<int:notice_id>/reject")
@contract("Reject the revision under review", REVIEWER, body=DecisionBody, answers=DecisionReply)
def reject(notice_id: int) -> Any:
    body = parse_body(DecisionBody)
    notice = review.reject_notice(
        session(),
        actor(),
        notice_id,
        reason=body.reason,
        now=now(),
        revision_number=body.revision,
        stage_number=body.stage,
    )
    return decision_json(notice)


@bp.post("/notices/<int:notice_id>/escalate")
@contract(
    "Refer the revision under review up to the chain's escalation stage (提级审核)",
    REVIEWER,
    body=DecisionBody,
    answers=DecisionReply,
)
def escalate(notice_id: int) -> Any:
    body = parse_body(DecisionBody)
    notice = review.escalate_notice(
        session(),
        actor(),
        notice_id,
        reason=body.reason,
        now=now(),
        revision_number=body.revision,
        stage_number=body.stage,
        timezone=_zone(),
    )
    return decision_json(notice)


@bp.post("/notices/<int:notice_id>/publish")
@contract(
    "Publish a held notice (待用) now",
    "who the last stage names, or who held it (not the author)",
    answers=DecisionReply,
)
def publish(notice_id: int) -> Any:
    notice = publishing.publish_notice(session(), actor(), notice_id, now=now())
    return decision_json(notice)


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
    notice = access.view_notice(db, actor(), notice_id)
    names = users_by_id(db, (i for r in notice.revisions for s in r.steps for i in s.user_ids))
    return notice_detail(notice, queries.notice_history(db, notice), names)
