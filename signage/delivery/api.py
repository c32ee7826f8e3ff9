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

from playlists import Playlist, json_schema
from playlists.events import events_json_schema
from playlists.heartbeat import heartbeat_json_schema
from playlists.signing import HEADER
from signage.api.common import actor, now, parse_query, screen_id_from_token, session
from signage.api.contract import contract
from signage.delivery import services
from signage.delivery.cache import get_cache
from signage.delivery.schemas import NowReply, TimelineQuery, TimelineReply, slot_json
from signage.delivery.sending import answer_poll
from signage.delivery.services import showing_at
from signage.errors import NotFound
from signage.media.models import Media
from signage.screens.services import view_screen
from signage.times import isoformat_z
from signage.writer import get_writer

bp = Blueprint("delivery", __name__)


@bp.get("/player/playlist")
@contract(
    "The screen's playlist (schema signage.playlist/1); If-None-Match → 304",
    "a screen, with its own token",
    answers=Playlist,
    not_modified=True,
    auth="screen",
    headers={
        HEADER: "the controller's Ed25519 signature of the body: ed25519 key=<key id> "
        "sig=<base64url> (GET /keys has the keys)",
        "ETag": "the playlist's version, for If-None-Match",
    },
)
def playlist() -> Response:
    at = now()
    compiled = get_cache(current_app).playlist(screen_id_from_token(), at)
    sent = answer_poll(compiled, request.headers.get("If-None-Match"), get_writer(current_app), at)
    if sent.status == 304:
        return Response(status=304, headers=sent.headers)
    return Response(
        sent.body,
        status=200,
        headers=sent.headers,
        content_type="application/json; charset=utf-8",
    )


@bp.get("/player/media/<sha256>")
@contract(
    "A media blob of the screen's playlist",
    "a screen, with its own token",
    media_type="image/*",
    auth="screen",
)
def media(sha256: str) -> Response:
    compiled = get_cache(current_app).playlist(screen_id_from_token(), now())
    if sha256 not in compiled.media:
        raise NotFound("no media %(sha256)s in this screen's playlist", sha256=repr(sha256))
    row = session().get(Media, sha256)
    if row is None:
        raise NotFound("no media %(sha256)s", sha256=repr(sha256))
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
@contract("JSON Schema of the playlist document", "anyone", answers=dict[str, Any], auth="none")
def playlist_schema() -> Any:
    return json_schema()


@bp.get("/schemas/events.json")
@contract(
    "JSON Schema of a batch of display events (the body of POST /player/events)",
    "anyone",
    answers=dict[str, Any],
    auth="none",
)
def events_schema() -> Any:
    return events_json_schema()


@bp.get("/schemas/heartbeat.json")
@contract(
    "JSON Schema of a heartbeat (the body of POST /player/heartbeat)",
    "anyone",
    answers=dict[str, Any],
    auth="none",
)
def heartbeat_schema() -> Any:
    return heartbeat_json_schema()


@bp.get("/screens/<key>/now")
@contract("What the screen shows now, by its playlist", "any staff role", answers=NowReply)
def screen_now(key: str) -> Any:
    """What the screen is showing now (see :func:`showing_at`)."""
    screen = view_screen(session(), actor(), key)
    at = now()
    compiled = get_cache(current_app).playlist(screen.id, at)
    answer: NowReply = {
        "screen": screen.key,
        "at": isoformat_z(at),
        "etag": compiled.etag,
        **slot_json(showing_at(compiled.playlist, at)),
    }
    return answer


@bp.get("/screens/<key>/timeline")
@contract(
    "What the screen shows over a period (at most 7 days)",
    "any staff role",
    query=TimelineQuery,
    answers=TimelineReply,
)
def screen_timeline(key: str) -> Any:
    db = session()
    screen = view_screen(db, actor(), key)
    q = parse_query(TimelineQuery)
    start = q.start or now()
    end = q.end or start + dt.timedelta(hours=24)
    slots = services.screen_timeline(
        db, screen, start, end, weights=current_app.config["SIGNAGE_PRIORITY_WEIGHTS"]
    )
    return {
        "screen": screen.key,
        "from": isoformat_z(start),
        "to": isoformat_z(end),
        "slots": [slot_json(s) for s in slots],
    }
