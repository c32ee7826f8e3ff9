"""``GET /api/v1/keys``: the controller's public keys and the chain of rotations between them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from playlists.signing import KeyChain, KeyInfo
from signage.api.common import session
from signage.api.contract import contract
from signage.keys.services import get_keys, key_chain
from signage.times import isoformat_z

bp = Blueprint("keys", __name__)


@bp.get("/keys")
@contract(
    "The controller's public keys (oldest first), the current one, and the signed statements "
    "of each rotation",
    "anyone",
    answers=KeyChain,
    auth="none",
)
def keys() -> Any:
    rows, rotations = key_chain(session())
    listed: list[KeyInfo] = [
        {
            "key_id": k.key_id,
            "public_key": k.public_key,
            "created_at": isoformat_z(k.created_at),
            "replaced_at": isoformat_z(k.replaced_at) if k.replaced_at else None,
        }
        for k in rows
    ]
    if not listed:
        # A chain not recorded yet (before the first `signage init` or `serve`): the key the
        # process signs with is the only one.
        signing = get_keys(current_app).key()
        listed = [{**signing.public.to_json(), "created_at": None, "replaced_at": None}]
    answer: KeyChain = {
        "current": next(k["key_id"] for k in listed if k["replaced_at"] is None),
        "keys": listed,
        "rotations": [r.to_json() for r in rotations],  # type: ignore[misc]
    }
    return answer
