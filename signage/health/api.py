"""``POST /api/v1/player/heartbeat`` and ``PUT /api/v1/player/screenshot``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from pydantic import ConfigDict, Field

from signage.api.common import Body, now, parse_body, session
from signage.audit.services import isoformat_z
from signage.delivery.api import screen_id_from_token
from signage.health import services

bp = Blueprint("health", __name__)


class HeartbeatBody(Body):
    model_config = ConfigDict(extra="ignore", strict=True)  # newer players may say more

    version: str = ""
    playlist_etag: str = ""
    current_item: str | None = None
    free_disk_bytes: int | None = None
    errors: list[str] = Field(default_factory=list)
    clock_offset_ms: int | None = None


@bp.post("/player/heartbeat")
def heartbeat() -> Any:
    screen_id = screen_id_from_token()
    body = parse_body(HeartbeatBody)
    at = now()
    services.record_heartbeat(
        session(),
        screen_id,
        services.Heartbeat(
            version=body.version,
            playlist_etag=body.playlist_etag,
            current_item=body.current_item,
            free_disk_bytes=body.free_disk_bytes,
            errors=tuple(body.errors),
            clock_offset_ms=body.clock_offset_ms,
        ),
        now=at,
    )
    config = current_app.config
    return {
        "server_time": isoformat_z(at),
        "poll_interval_s": config["SIGNAGE_POLL_INTERVAL_S"],
        "heartbeat_interval_s": config["SIGNAGE_HEARTBEAT_S"],
        "screenshot_interval_s": config["SIGNAGE_SCREENSHOT_INTERVAL_S"],
    }


@bp.put("/player/screenshot")
def screenshot() -> Any:
    screen_id = screen_id_from_token()
    shot = services.store_screenshot(session(), screen_id, request.get_data(), now=now())
    return {"taken_at": isoformat_z(shot.taken_at), "width": shot.width, "height": shot.height}
