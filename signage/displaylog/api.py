"""``POST /api/v1/player/events`` for players, ``GET /api/v1/display-events`` for supervisors."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from signage.api.common import actor, now, query_int, query_time, screen_id_from_token, session
from signage.db import MAX_INT
from signage.displaylog import reading
from signage.displaylog.export import csv_response
from signage.displaylog.ingest import ingest_body
from signage.displaylog.reading import EventFilter
from signage.displaylog.schemas import event_json
from signage.errors import InvalidInput

bp = Blueprint("displaylog", __name__)


@bp.post("/player/events")
def ingest() -> Any:
    screen_id = screen_id_from_token()
    result = ingest_body(session(), screen_id, request.get_data(), now=now())
    return result.to_dict()


def _filter() -> EventFilter:
    return EventFilter(
        screen=request.args.get("screen"),
        notice=query_int("notice", None, low=1, high=MAX_INT),
        category=request.args.get("category"),
        start=query_time("from", default=None),
        end=query_time("to", default=None),
    )


@bp.get("/display-events")
def list_() -> Any:
    user = actor()
    f = _filter()
    if request.args.get("format") == "csv":
        return csv_response(session(), user, f)
    if request.args.get("format") not in (None, "json"):
        raise InvalidInput("format is json or csv", field="format")
    limit = query_int("limit", 100, low=1, high=1000)
    page, cursor = reading.list_events(
        session(), user, f, limit=limit, cursor=request.args.get("cursor")
    )
    return {"items": [event_json(e, k) for e, k in page], "next_cursor": cursor}
