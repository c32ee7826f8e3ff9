"""``POST /api/v1/player/key``: a screen's player registers its own key at first contact."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from playlists.evidence import PlayerKeyAnswer, PlayerKeyRegistration
from signage.api.common import now, screen_id_from_token, session
from signage.api.contract import contract
from signage.errors import BadRequest
from signage.evidence.player_keys import register_player_key

bp = Blueprint("evidence", __name__)


@bp.post("/player/key")
@contract(
    "Register the player's own Ed25519 public key (first contact); 409 if the screen has "
    "another until an admin rotates its token",
    "a screen, with its own token",
    document=PlayerKeyRegistration,
    answers=PlayerKeyAnswer,
    ok=201,
    also=(200,),
    auth="screen",
)
def register_key() -> Any:
    screen_id = screen_id_from_token()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "public_key" not in body:
        raise BadRequest('send {"public_key": "<base64url of the 32 raw bytes>"} as JSON')
    key, created = register_player_key(session(), screen_id, body["public_key"], now=now())
    answer: PlayerKeyAnswer = {"key_id": key.key_id, "registered": created}
    return answer, 201 if created else 200
