"""Pages: the display log with filters, keyset paging and a CSV download of the filtered rows."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy.orm import Session

from signage.api.common import query_int
from signage.db import MAX_INT
from signage.displaylog import reading
from signage.displaylog.export import csv_response
from signage.displaylog.reading import EventFilter
from signage.errors import InvalidInput
from signage.notices.models import NoticeRevision
from signage.screens.services import list_screens
from signage.web.pages import given_args, local_time, message, session, signed_in

bp = Blueprint("displaylog", __name__)

PAGE = 100
FILTERS = ("screen", "notice", "category", "from", "to")


def _filter() -> EventFilter:
    return EventFilter(
        screen=request.args.get("screen") or None,
        notice=query_int("notice", None, low=1, high=MAX_INT),
        category=request.args.get("category") or None,
        start=local_time("from"),
        end=local_time("to"),
    )


def _titles(db: Session, events: list[Any]) -> dict[tuple[int, int], str]:
    """The titles of the revisions a page of events names, read at once."""
    wanted = {(e.notice_id, e.revision) for e, _key in events}
    if not wanted:
        return {}
    r = NoticeRevision
    rows = db.execute(
        sa.select(r.notice_id, r.number, r.title).where(
            r.notice_id.in_({n for n, _ in wanted}), r.number.in_({v for _, v in wanted})
        )
    )
    return {(n, v): title for n, v, title in rows if (n, v) in wanted}


@bp.get("/display-log")
def index() -> Any:
    db = session()
    actor = signed_in()
    error, page, following = None, [], None
    try:
        page, following = reading.list_events(
            db, actor, _filter(), limit=PAGE, cursor=request.args.get("cursor") or None
        )
    except InvalidInput as exc:
        error = message(exc)
    screens = list_screens(db, actor)
    return render_template(
        "displaylog/index.html",
        events=page,
        titles=_titles(db, page),
        screen_names={s.key: s.name for s in screens},
        next_cursor=following,
        args=given_args(*FILTERS),
        paged=bool(request.args.get("cursor")),
        screens=screens,
        categories=current_app.config["SIGNAGE_CATEGORIES"],
        error=error,
    ), (422 if error else 200)


@bp.get("/display-log.csv")
def download() -> Response:
    return csv_response(session(), signed_in(), _filter(), for_excel=True)
