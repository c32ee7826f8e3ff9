"""Pages: the audit log with filters (admin), and a check of every hash chain."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

from signage.api.common import query_int
from signage.audit.services import AuditFilter, list_audit
from signage.audit.text import sentences
from signage.db import get_db
from signage.displaylog.chains import check_chains
from signage.errors import InvalidInput
from signage.web.pages import given_args, local_time, message, session, signed_in

bp = Blueprint("audit", __name__)

PAGE = 100


def _page(status: int = 200, **context: Any) -> tuple[str, int]:
    actor = signed_in()
    args = given_args("action", "actor", "object_type", "object_id", "from", "to")
    entries, following, error = [], None, None
    try:
        before = query_int("before", None, low=1, high=2**62)
        entries, following = list_audit(
            session(),
            actor,
            AuditFilter(
                action=args.get("action"),
                actor=args.get("actor"),
                object_type=args.get("object_type"),
                object_id=args.get("object_id"),
                start=local_time("from"),
                end=local_time("to"),
            ),
            limit=PAGE,
            before=before,
        )
    except InvalidInput as exc:
        error, status = message(exc), 422
    lines = list(zip(entries, sentences(session(), entries), strict=True))
    return render_template(
        "audit/index.html", lines=lines, following=following, args=args, error=error, **context
    ), status


@bp.get("/audit")
def index() -> Any:
    return _page()


@bp.post("/audit/check")
def check() -> Any:
    actor = signed_in()
    # The check walks every chain with a session of its own, which it empties as it goes.
    with get_db(current_app).session() as own:
        report = check_chains(own, actor)
    return _page(report=report)
