"""``POST /api/v1/player/heartbeat`` and ``PUT /api/v1/player/screenshot``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request

from playlists.heartbeat import HEARTBEAT, Heartbeat, HeartbeatAnswer
from signage.api.common import actor, now, parse_document, screen_id_from_token, session
from signage.api.contract import contract
from signage.health import services
from signage.health.schemas import DisplayStateList, ScreenshotStored, display_state_json
from signage.health.states import states_of
from signage.screens.services import view_screen
from signage.times import isoformat_z
from signage.writer import get_writer

bp = Blueprint("health", __name__)


@bp.post("/player/heartbeat")
@contract(
    "Status in; server time and intervals out",
    "a screen, with its own token",
    document=Heartbeat,
    answers=HeartbeatAnswer,
    auth="screen",
)
def heartbeat() -> Any:
    screen_id = screen_id_from_token()
    beat = parse_document(HEARTBEAT)
    at = now()
    # signage.health.shortcut answers the same heartbeats before Flask when it can.
    recorded = services.store_heartbeat(get_writer(current_app), screen_id, beat, at)
    return services.heartbeat_answer(current_app.config, at, recorded)


@bp.put("/player/screenshot")
@contract(
    "The current frame, a PNG of the screen's own size",
    "a screen, with its own token",
    raw_body="image/png",
    answers=ScreenshotStored,
    auth="screen",
)
def screenshot() -> Any:
    screen_id = screen_id_from_token()
    shot = services.store_screenshot(session(), screen_id, request.get_data(), now=now())
    return {"taken_at": isoformat_z(shot.taken_at), "width": shot.width, "height": shot.height}


@bp.get("/screens/<key>/states")
@contract(
    "The screen's display states (blackouts with their start and end, never plays), newest "
    "first, as its player logged them",
    "any staff role",
    answers=DisplayStateList,
)
def display_states(key: str) -> Any:
    db = session()
    screen = view_screen(db, actor(), key)
    return {
        "screen": screen.key,
        "items": [display_state_json(r) for r in states_of(db, screen.id)],
    }
