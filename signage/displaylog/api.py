"""``POST /api/v1/player/events`` for players, ``GET /api/v1/display-events`` for supervisors."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request

from playlists.events import EventBatchAsTaken, EventsAnswer
from signage.api.common import actor, now, parse_query, screen_id_from_token, session
from signage.api.contract import contract
from signage.displaylog import reading
from signage.displaylog.export import csv_response
from signage.displaylog.ingest import ingest_body
from signage.displaylog.reading import EventFilter
from signage.displaylog.schemas import EventPage, EventQuery, event_json
from signage.metrics import EVENTS
from signage.writer import get_writer

bp = Blueprint("displaylog", __name__)


@bp.post("/player/events")
@contract(
    "Display events, idempotent by sequence number (batches of up to 500)",
    "a screen, with its own token",
    document=EventBatchAsTaken,
    answers=EventsAnswer,
    auth="screen",
)
def ingest() -> Any:
    screen_id = screen_id_from_token()
    body, at = request.get_data(), now()
    # Through the group writer, with the heartbeats and the playlists sent: one writer thread
    # per process, so uploads never wait on SQLite's write lock in its sleeping busy wait
    # (after an outage that left the server idle while every request queued).
    result = get_writer(current_app).write(lambda s: ingest_body(s, screen_id, body, now=at))
    EVENTS.labels("accepted").inc(len(result.accepted))
    EVENTS.labels("duplicate").inc(len(result.duplicates))
    EVENTS.labels("rejected").inc(len(result.rejected))
    return result.to_dict()


@bp.get("/display-events")
@contract(
    "The display log, in time order (cursor paging; format=csv: every matching row)",
    "supervisor, admin",
    query=EventQuery,
    answers=EventPage,
    csv=True,
)
def list_() -> Any:
    user = actor()
    q = parse_query(EventQuery)
    f = EventFilter(screen=q.screen, notice=q.notice, category=q.category, start=q.start, end=q.end)
    if q.format == "csv":
        return csv_response(session(), user, f)
    page, cursor = reading.list_events(session(), user, f, limit=q.limit, cursor=q.cursor)
    answer: EventPage = {"items": [event_json(e, k) for e, k in page], "next_cursor": cursor}
    return answer
