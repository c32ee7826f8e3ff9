"""The player side of the protocol (``/api/v1/player/…``) and the staff's view of playlists.

Screens authenticate with their own bearer token; the token decides which playlist is served, so
a screen can never ask for another's. Media are served only to a screen whose current playlist
uses them; any other hash answers 404, the same as a hash that does not exist, so a screen cannot
probe for other screens' media.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, current_app, request

from playlists import json_schema
from playlists.events import events_json_schema
from playlists.heartbeat import heartbeat_json_schema
from signage.api.common import actor, now, query_time, screen_id_from_token, session
from signage.delivery import services
from signage.delivery.cache import get_cache
from signage.delivery.schemas import slot_json
from signage.delivery.services import showing_at
from signage.delivery.shortcut import etag_matches
from signage.errors import NotFound
from signage.media.models import Media
from signage.screens.services import view_screen
from signage.times import isoformat_z

bp = Blueprint("delivery", __name__)


@bp.get("/player/playlist")
def playlist() -> Response:
    compiled = get_cache(current_app).playlist(screen_id_from_token(), now())
    headers = {"ETag": compiled.etag, "Cache-Control": "no-cache"}
    if etag_matches(request.headers.get("If-None-Match"), compiled.etag):
        return Response(status=304, headers=headers)
    return Response(
        compiled.body, status=200, headers=headers, content_type="application/json; charset=utf-8"
    )


@bp.get("/player/media/<sha256>")
def media(sha256: str) -> Response:
    compiled = get_cache(current_app).playlist(screen_id_from_token(), now())
    if sha256 not in compiled.media:
        raise NotFound(f"no media {sha256!r} in this screen's playlist")
    row = session().get(Media, sha256)
    if row is None:
        raise NotFound(f"no media {sha256!r}")
    return Response(
        row.data,
        mimetype=row.mime,
        headers={
            "ETag": f'"{row.sha256}"',
            # The URL names the content, so what is at it never changes.
            "Cache-Control": "private, max-age=31536000, immutable",
        },
    )


@bp.get("/schemas/playlist.json")
def playlist_schema() -> Any:
    return json_schema()


@bp.get("/schemas/events.json")
def events_schema() -> Any:
    return events_json_schema()


@bp.get("/schemas/heartbeat.json")
def heartbeat_schema() -> Any:
    return heartbeat_json_schema()


@bp.get("/screens/<key>/now")
def screen_now(key: str) -> Any:
    """What the screen is showing now (see :func:`showing_at`)."""
    screen = view_screen(session(), actor(), key)
    at = now()
    compiled = get_cache(current_app).playlist(screen.id, at)
    return {
        "screen": screen.key,
        "at": isoformat_z(at),
        "etag": compiled.etag,
        **slot_json(showing_at(compiled.playlist, at)),
    }


@bp.get("/screens/<key>/timeline")
def screen_timeline(key: str) -> Any:
    db = session()
    screen = view_screen(db, actor(), key)
    start = query_time("from", default=now())
    end = query_time("to", default=start + dt.timedelta(hours=24))
    slots = services.screen_timeline(
        db, screen, start, end, weights=current_app.config["SIGNAGE_PRIORITY_WEIGHTS"]
    )
    return {
        "screen": screen.key,
        "from": isoformat_z(start),
        "to": isoformat_z(end),
        "slots": [slot_json(s) for s in slots],
    }
